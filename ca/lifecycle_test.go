package ca_test

import (
	"bufio"
	"bytes"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/internal/interop"
	"github.com/gostca/gostca/internal/ledgertest"
	"github.com/gostca/gostca/internal/testkit"
)

// lifecycleLeaves is how many certificates the lifecycle test issues.
const lifecycleLeaves = 1000

// TestLifecycle runs a CA's life: root → intermediate → 1,000 leaves over
// five profiles → renew 100 → hold 10, release 5 → revoke 100 with mixed
// reasons (two of them over a hold) → a full CRL before the releases, a
// delta CRL after, and a full CRL at the end. OpenSSL with the GOST engine
// then verifies every chain and every CRL, and `openssl crl -text` must list
// exactly the expected serials with their reasons. The ledger's audit chain
// must verify. It runs on both ledgers, the bbolt file and PostgreSQL.
func TestLifecycle(t *testing.T) { ledgertest.Run(t, testLifecycle) }

func testLifecycle(t *testing.T, b ledgertest.Backend) {
	ossl := interop.OpenSSL(t)
	db := b.New(t)
	root := catest.NewRoot(t, catest.WithParams(gost3410.ParamsTC26512A()), catest.WithLedger(db))
	inter := catest.NewIntermediate(t, root)
	dir := t.TempDir()

	// 1,000 leaves, issued concurrently over the profiles.
	kind := cert.IdentificationPersonal
	requests := func(i int) ca.Request {
		params := gost3410.ParamsCryptoProA()
		if i%4 == 3 {
			params = gost3410.ParamsTC26512A()
		}
		subject := cert.Name{CommonName: fmt.Sprintf("subscriber %d", i), Country: "RU"}
		req := ca.Request{RequestID: fmt.Sprintf("req-%d", i)}
		switch i % 5 {
		case 0:
			req.Profile = ca.ProfileSignature
		case 1:
			req.Profile = ca.ProfileEncryption
		case 2:
			req.Profile = ca.ProfileAuth
		case 3:
			req.Profile = ca.ProfileTLSServer
			req.DNSNames = []string{fmt.Sprintf("host%d.example.ru", i)}
		case 4:
			req.Profile = ca.ProfileQualified
			subject = cert.Name{CommonName: "Иванов Иван Иванович", Surname: "Иванов", GivenName: "Иван Иванович",
				Country: "RU", SNILS: "11223344595", INN: "500100732259"}
			req.SubjectKind, req.KeyClass, req.SubjectSignTool = ca.Individual, "KC2", "СКЗИ «Рутокен ЭЦП 3.0»"
			req.IdentificationKind = &kind
		}
		req.CSR, _ = catest.NewCSR(t, params, subject)
		return req
	}
	leaves := make([]*cert.Certificate, lifecycleLeaves)
	var wg sync.WaitGroup
	errs := make(chan error, lifecycleLeaves)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < lifecycleLeaves; i += 8 {
				c, err := inter.IssueRequest(requests(i))
				if err != nil {
					errs <- fmt.Errorf("leaf %d: %w", i, err)
					return
				}
				leaves[i] = c
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// Renew 100 (same key), so 1,100 certificates in all.
	all := append([]*cert.Certificate(nil), leaves...)
	for i := range 100 {
		succ, err := inter.Renew(leaves[i].SerialNumber, nil)
		if err != nil {
			t.Fatalf("renew %d: %v", i, err)
		}
		if !succ.PublicKey.Equal(leaves[i].PublicKey) {
			t.Fatalf("renewal %d changed the key", i)
		}
		all = append(all, succ)
	}

	// Hold 10 (leaves 100..109), then a full CRL while they are held.
	expected := map[string]cert.ReasonCode{} // serial hex → reason in the last full CRL
	for i := 100; i < 110; i++ {
		if err := inter.Hold(leaves[i].SerialNumber); err != nil {
			t.Fatal(err)
		}
		expected[serialHex(leaves[i].SerialNumber)] = cert.ReasonCertificateHold
	}
	full1 := mustCRL(t, inter, false)
	checkOpenSSLCRL(t, ossl, dir, "full1", full1, inter, expected)

	// Release 5, revoke 100 with mixed reasons: two over a hold, the rest
	// among leaves 200..297.
	deltaWant := map[string]cert.ReasonCode{}
	for i := 100; i < 105; i++ {
		if err := inter.Release(leaves[i].SerialNumber); err != nil {
			t.Fatal(err)
		}
		delete(expected, serialHex(leaves[i].SerialNumber))
		deltaWant[serialHex(leaves[i].SerialNumber)] = cert.ReasonRemoveFromCRL
	}
	reasons := []cert.ReasonCode{cert.ReasonKeyCompromise, cert.ReasonAffiliationChanged, cert.ReasonSuperseded,
		cert.ReasonCessationOfOperation, cert.ReasonPrivilegeWithdrawn, cert.ReasonUnspecified, cert.ReasonCACompromise}
	revoke := func(c *cert.Certificate, reason cert.ReasonCode) {
		t.Helper()
		if err := inter.Revoke(c.SerialNumber, reason, c.NotBefore); err != nil {
			t.Fatalf("revoke %x: %v", c.SerialNumber, err)
		}
		expected[serialHex(c.SerialNumber)] = reason
		deltaWant[serialHex(c.SerialNumber)] = reason
	}
	revoke(leaves[105], cert.ReasonKeyCompromise) // over a hold
	revoke(leaves[106], cert.ReasonSuperseded)    // over a hold
	for i := range 98 {
		revoke(leaves[200+i], reasons[i%len(reasons)])
	}
	delta := mustCRL(t, inter, true)
	checkOpenSSLCRL(t, ossl, dir, "delta", delta, inter, deltaWant)
	full2 := mustCRL(t, inter, false)
	checkOpenSSLCRL(t, ossl, dir, "full2", full2, inter, expected)

	crlNumbers := []*big.Int{}
	for _, der := range [][]byte{full1, delta, full2} {
		rl, err := cert.ParseRevocationList(der)
		if err != nil {
			t.Fatal(err)
		}
		crlNumbers = append(crlNumbers, rl.Number)
	}
	if !(crlNumbers[0].Cmp(crlNumbers[1]) < 0 && crlNumbers[1].Cmp(crlNumbers[2]) < 0) {
		t.Errorf("CRL numbers %v do not increase", crlNumbers)
	}

	// OpenSSL verifies every chain, and with the final CRL, refuses exactly
	// the revoked and held certificates.
	rootPEM := testkit.WritePEM(t, filepath.Join(dir, "root.pem"), "CERTIFICATE", root.Certificate().Raw)
	interPEM := testkit.WritePEM(t, filepath.Join(dir, "intermediate.pem"), "CERTIFICATE", inter.Certificate().Raw)
	ders := make([][]byte, len(all))
	for i, c := range all {
		ders[i] = c.Raw
	}
	leavesPEM := testkit.WritePEM(t, filepath.Join(dir, "leaves.pem"), "CERTIFICATE", ders...)
	// openssl verify reads one certificate per file argument: split.
	paths := splitPEM(t, dir, leavesPEM)
	out := string(ossl.Run(t, nil, append([]string{"verify", "-CAfile", rootPEM, "-untrusted", interPEM}, paths...)...))
	if n := strings.Count(out, ": OK"); n != len(all) {
		t.Errorf("openssl verify: %d of %d chains OK", n, len(all))
	}
	crlPEM := testkit.WritePEM(t, filepath.Join(dir, "full2.crl"), "X509 CRL", full2)
	rootCRL := mustCRL(t, root, false)
	rootCRLPEM := testkit.WritePEM(t, filepath.Join(dir, "root.crl"), "X509 CRL", rootCRL)
	for _, tc := range []struct {
		c       *cert.Certificate
		revoked bool
	}{{leaves[0], false}, {leaves[105], true}, {leaves[107], true}, {leaves[100], false}, {leaves[250], true}, {all[1050], false}} {
		path := testkit.WritePEM(t, filepath.Join(dir, "check.pem"), "CERTIFICATE", tc.c.Raw)
		out, err := ossl.Try(nil, "verify", "-crl_check_all", "-CAfile", rootPEM, "-untrusted", interPEM, "-CRLfile", crlPEM, "-CRLfile", rootCRLPEM, path)
		switch {
		case tc.revoked && (err == nil || !strings.Contains(err.Error(), "certificate revoked")):
			t.Errorf("serial %x: openssl verify -crl_check_all = %s, %v; want certificate revoked", tc.c.SerialNumber, out, err)
		case !tc.revoked && err != nil:
			t.Errorf("serial %x: openssl verify -crl_check_all: %v", tc.c.SerialNumber, err)
		}
	}

	// Status agrees with the CRL, and the ledger's audit chain holds.
	for i, want := range map[int]ca.State{0: ca.StateGood, 100: ca.StateGood, 107: ca.StateHeld, 105: ca.StateRevoked, 250: ca.StateRevoked} {
		st, err := inter.Status(leaves[i].SerialNumber)
		if err != nil || st.State != want {
			t.Errorf("leaf %d: Status = %v, %v; want %v", i, st.State, err, want)
		}
	}
	if err := db.VerifyAudit(); err != nil {
		t.Errorf("VerifyAudit after the lifecycle: %v", err)
	}
}

func serialHex(n *big.Int) string { return fmt.Sprintf("%X", n.Bytes()) }

func mustCRL(t *testing.T, c *ca.CA, delta bool) []byte {
	t.Helper()
	der, err := c.CRL(delta)
	if err != nil {
		t.Fatalf("CRL(delta=%v): %v", delta, err)
	}
	return der
}

// splitPEM writes each certificate of a bundle to its own file.
func splitPEM(t *testing.T, dir, bundle string) []string {
	t.Helper()
	data, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for i := 0; ; i++ {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return paths
		}
		paths = append(paths, testkit.WritePEM(t, filepath.Join(dir, fmt.Sprintf("leaf-%04d.pem", i)), block.Type, block.Bytes))
	}
}

// opensslReasons are the words `openssl crl -text` prints for each reason.
var opensslReasons = map[string]cert.ReasonCode{
	"Unspecified": cert.ReasonUnspecified, "Key Compromise": cert.ReasonKeyCompromise,
	"CA Compromise": cert.ReasonCACompromise, "Affiliation Changed": cert.ReasonAffiliationChanged,
	"Superseded": cert.ReasonSuperseded, "Cessation Of Operation": cert.ReasonCessationOfOperation,
	"Certificate Hold": cert.ReasonCertificateHold, "Remove From CRL": cert.ReasonRemoveFromCRL,
	"Privilege Withdrawn": cert.ReasonPrivilegeWithdrawn, "AA Compromise": cert.ReasonAACompromise,
}

// checkOpenSSLCRL has OpenSSL verify the CRL's signature with the issuer's
// certificate and list its entries; the set of (serial, reason) must equal
// want.
func checkOpenSSLCRL(t *testing.T, ossl *interop.Tool, dir, name string, der []byte, issuer *ca.CA, want map[string]cert.ReasonCode) {
	t.Helper()
	crlPath := testkit.WritePEM(t, filepath.Join(dir, name+".crl"), "X509 CRL", der)
	issuerPath := testkit.WritePEM(t, filepath.Join(dir, name+"-issuer.pem"), "CERTIFICATE", issuer.Certificate().Raw)
	if out, _ := ossl.Combined(nil, "crl", "-noout", "-in", crlPath, "-CAfile", issuerPath); !bytes.Contains(out, []byte("verify OK")) {
		t.Errorf("%s: openssl crl verify: %s", name, out)
	}
	got := map[string]cert.ReasonCode{}
	var serial string
	sc := bufio.NewScanner(bytes.NewReader(ossl.Run(t, nil, "crl", "-in", crlPath, "-noout", "-text")))
	reasonNext := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "Serial Number: "):
			serial = strings.TrimPrefix(line, "Serial Number: ")
			got[serial] = cert.ReasonUnspecified
		case line == "X509v3 CRL Reason Code:":
			reasonNext = true
		case reasonNext:
			reasonNext = false
			r, ok := opensslReasons[line]
			if !ok {
				t.Errorf("%s: serial %s: unknown reason %q", name, serial, line)
			}
			got[serial] = r
		}
	}
	for s, r := range want {
		if g, ok := got[s]; !ok {
			t.Errorf("%s: serial %s missing from openssl crl -text", name, s)
		} else if g != r {
			t.Errorf("%s: serial %s has reason %v, want %v", name, s, g, r)
		}
	}
	for s := range got {
		if _, ok := want[s]; !ok {
			t.Errorf("%s: serial %s listed but not expected", name, s)
		}
	}
}
