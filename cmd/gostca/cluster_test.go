package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/ocsp"
	"github.com/gostca/gostca/internal/interop"
	"github.com/gostca/gostca/store"
	"github.com/gostca/gostca/store/pgstore"
)

// TestCluster is issue 17's picture on one host: a CA whose ledger is a
// PostgreSQL database, two CA nodes (two CA directories with the same key
// and gostca.json) issuing and revoking at once for a minute, each
// command its own process, and three "gostca serve" responders following
// the ledger. Every acknowledged operation must be in the ledger once,
// the audit chain must verify, OpenSSL must verify every CRL the
// responders and the nodes made, CRL numbers must never go back, and all
// three responders must answer "revoked" for every revocation: the time
// from the revoke command's exit to each responder's answer is the lag
// reported (docs/benchmarks.md).
func TestCluster(t *testing.T) {
	run := time.Minute
	if testing.Short() {
		run = 10 * time.Second
	}
	ossl := interop.OpenSSL(t)
	url := interop.StartPostgres(t)
	bin := gostcaBinary(t)
	root := t.TempDir()
	env := func(dir string) []string {
		return append(os.Environ(), "GOSTCA_DIR="+dir, "GOSTCA_PASSPHRASE=pass", "GOSTCA_KDF_ITERATIONS=1000", "NO_COLOR=1")
	}
	nodes := []*loadCA{
		{t: t, bin: bin, dir: filepath.Join(root, "node1")},
		{t: t, bin: bin, dir: filepath.Join(root, "node2")},
	}
	for _, n := range nodes {
		n.env = env(n.dir)
	}
	nodes[0].run("init", "--subject", "CN=Cluster CA,C=RU", "--ledger", url)
	if err := os.MkdirAll(nodes[1].dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"gostca.json", "ca.pem", "ca.key"} {
		data, err := os.ReadFile(filepath.Join(nodes[0].dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(nodes[1].dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	caPEM := filepath.Join(nodes[0].dir, "ca.pem")
	caCerts, err := os.ReadFile(caPEM)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(caCerts)
	issuer, err := cert.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}

	// Subscriber requests (a key may be certified more than once by the
	// CA's own commands).
	csrs := newCSRs(t, 8, "subscriber")
	for i, csr := range csrs {
		csrs[i] = filepath.Join(root, fmt.Sprintf("s%d.csr", i))
		if err := os.WriteFile(csrs[i], []byte(csr), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Three responders.
	var responders []*server
	for i := range 3 {
		s := &server{ca: nodes[i%2], addr: freeAddr(t), args: []string{"--validity", "10m"}}
		s.start()
		defer s.kill(syscall.SIGTERM)
		responders = append(responders, s)
	}

	// The watchers: for each revocation, each responder asked until it
	// answers revoked.
	type lagged struct {
		serial *big.Int
		lag    [3]time.Duration
		err    error
	}
	var (
		watch   sync.WaitGroup
		lagsMu  sync.Mutex
		lags    []lagged
		client  = &http.Client{Timeout: 5 * time.Second}
		crlMu   sync.Mutex
		crlDERs [3][][]byte // by responder, as fetched
	)
	watchRevocation := func(serial *big.Int, acked time.Time) {
		defer watch.Done()
		l := lagged{serial: serial}
		id, err := ocsp.NewCertID(ocsp.SHA1, issuer, serial)
		if err != nil {
			l.err = err
		}
		req, err := ocsp.CreateRequest([]ocsp.CertID{*id}, nil)
		if err != nil {
			l.err = err
		}
		var wg sync.WaitGroup
		for i, r := range responders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				deadline := acked.Add(10 * time.Second)
				for time.Now().Before(deadline) {
					st, err := askOCSP(client, "http://"+r.addr+"/ocsp", req, issuer)
					if err == nil && st == ocsp.Revoked {
						l.lag[i] = time.Since(acked)
						return
					}
					time.Sleep(2 * time.Millisecond)
				}
				l.lag[i] = -1
			}()
		}
		wg.Wait()
		lagsMu.Lock()
		lags = append(lags, l)
		lagsMu.Unlock()
	}

	// The CRL fetcher: every responder's CRL, every second.
	ctx, stop := context.WithCancel(context.Background())
	fetched := make(chan struct{})
	go func() {
		defer close(fetched)
		for ctx.Err() == nil {
			for i, r := range responders {
				resp, err := client.Get("http://" + r.addr + "/crl")
				if err != nil {
					continue
				}
				der, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					crlMu.Lock()
					crlDERs[i] = append(crlDERs[i], der)
					crlMu.Unlock()
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}()

	// The two nodes, each a loop of commands: issue, and revoke every
	// other certificate it issued; a CRL now and then.
	type acked struct {
		issued, revoked []string
		crls            []string
		failures        []string
	}
	results := make([]acked, len(nodes))
	var nodesWG sync.WaitGroup
	start := time.Now()
	for ni, n := range nodes {
		nodesWG.Add(1)
		go func() {
			defer nodesWG.Done()
			res := &results[ni]
			for i := 0; time.Since(start) < run; i++ {
				out, err := n.cmd("issue", "--csr", csrs[(ni+2*i)%len(csrs)], "--out", filepath.Join(root, fmt.Sprintf("node%d-%d.pem", ni+1, i))).Output()
				if err != nil {
					res.failures = append(res.failures, fmt.Sprintf("issue: %v", err))
					continue
				}
				serial := strings.TrimSpace(string(out))
				res.issued = append(res.issued, serial)
				if i%2 == 1 {
					if err := n.cmd("revoke", serial, "--reason", "keyCompromise").Run(); err != nil {
						res.failures = append(res.failures, fmt.Sprintf("revoke %s: %v", serial, err))
						continue
					}
					res.revoked = append(res.revoked, serial)
					s, _ := new(big.Int).SetString(serial, 16)
					watch.Add(1)
					go watchRevocation(s, time.Now())
				}
				if i%25 == 24 {
					f := filepath.Join(root, fmt.Sprintf("node%d-%d.crl", ni+1, i))
					if err := n.cmd("crl", "--out", f).Run(); err != nil {
						res.failures = append(res.failures, fmt.Sprintf("crl: %v", err))
						continue
					}
					res.crls = append(res.crls, f)
				}
			}
		}()
	}
	nodesWG.Wait()
	elapsed := time.Since(start)
	watch.Wait()
	stop()
	<-fetched

	// Every acknowledged operation is in the ledger, once.
	for ni, res := range results {
		for _, f := range res.failures {
			t.Errorf("node %d: %s", ni+1, f)
		}
	}
	db, err := pgstore.Open(context.Background(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.VerifyAudit(); err != nil {
		t.Fatalf("audit: %v", err)
	}
	inLedger := map[string]*store.Record{}
	for r, err := range db.All() {
		if err != nil {
			t.Fatal(err)
		}
		inLedger[r.Serial.Text(16)] = r
	}
	var issued, revoked int
	for ni, res := range results {
		key := func(s string) string {
			n, _ := new(big.Int).SetString(s, 16)
			return n.Text(16)
		}
		for _, s := range res.issued {
			if r := inLedger[key(s)]; r == nil || r.DER == nil {
				t.Errorf("node %d: issued %s is not in the ledger with its certificate", ni+1, s)
			}
		}
		for _, s := range res.revoked {
			if r := inLedger[key(s)]; r == nil || r.Status != store.StatusRevoked {
				t.Errorf("node %d: revoked %s is not revoked in the ledger", ni+1, s)
			}
		}
		issued += len(res.issued)
		revoked += len(res.revoked)
	}
	if len(inLedger) != issued+1 { // the CA's own certificate
		t.Errorf("%d records in the ledger, want the %d issued and the CA's", len(inLedger), issued)
	}

	// Every CRL verifies in OpenSSL; one number, one CRL; numbers only
	// increase as each responder publishes them.
	byNumber := map[string][]byte{}
	check := func(where string, der []byte) *big.Int {
		f := filepath.Join(root, "check.crl")
		if err := os.WriteFile(f, der, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := ossl.Combined(nil, "crl", "-inform", "DER", "-in", f, "-CAfile", caPEM, "-noout"); err != nil || !bytes.Contains(out, []byte("verify OK")) {
			t.Errorf("%s: openssl crl: %v\n%s", where, err, out)
		}
		rl, err := cert.ParseRevocationList(der)
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		if prev, ok := byNumber[rl.Number.String()]; ok && !bytes.Equal(prev, der) {
			t.Errorf("%s: two different CRLs numbered %v", where, rl.Number)
		}
		byNumber[rl.Number.String()] = der
		return rl.Number
	}
	increasing := func(where string, ders [][]byte, strictly bool) {
		var prev *big.Int
		for i, der := range ders {
			n := check(fmt.Sprintf("%s, CRL %d", where, i+1), der)
			if prev != nil && (n.Cmp(prev) < 0 || strictly && n.Cmp(prev) == 0) {
				t.Errorf("%s: CRL %v after %v", where, n, prev)
			}
			prev = n
		}
	}
	checked := 0
	for i, ders := range crlDERs {
		increasing(fmt.Sprintf("responder %d", i+1), ders, false)
		checked += len(ders)
	}
	for ni, res := range results {
		var ders [][]byte
		for _, f := range res.crls {
			der, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if p, _ := pem.Decode(der); p != nil {
				der = p.Bytes
			}
			ders = append(ders, der)
		}
		increasing(fmt.Sprintf("node %d", ni+1), ders, true)
		checked += len(ders)
	}

	// Every revocation, answered revoked by all three responders.
	var all []time.Duration
	for _, l := range lags {
		if l.err != nil {
			t.Fatal(l.err)
		}
		for i, d := range l.lag {
			if d < 0 {
				t.Errorf("responder %d never answered revoked for %X", i+1, l.serial)
				continue
			}
			all = append(all, d)
		}
	}
	slices.Sort(all)
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(float64(len(all))*p))]
	}
	t.Logf("%v: %d issued, %d revoked by two CA nodes (%.1f commands/s); %d CRLs checked (%d numbers)",
		elapsed.Round(time.Millisecond), issued, revoked, float64(issued+revoked)/elapsed.Seconds(), checked, len(byNumber))
	t.Logf("responder lag over %d answers (3 responders): p50 %v, p90 %v, p99 %v, max %v",
		len(all), pct(0.5).Round(time.Millisecond/10), pct(0.9).Round(time.Millisecond/10), pct(0.99).Round(time.Millisecond/10), pct(1).Round(time.Millisecond/10))
}

// askOCSP posts an OCSP request and returns the status of its one
// certificate, after checking the response's signature by issuer.
func askOCSP(client *http.Client, url string, req []byte, issuer *cert.Certificate) (ocsp.Status, error) {
	resp, err := client.Post(url, "application/ocsp-request", bytes.NewReader(req))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	der, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	r, err := ocsp.ParseResponse(der)
	if err != nil {
		return 0, err
	}
	if err := r.CheckSignatureFrom(issuer); err != nil {
		return 0, err
	}
	if len(r.Responses) != 1 {
		return 0, fmt.Errorf("%d responses", len(r.Responses))
	}
	return r.Responses[0].Status, nil
}
