package ca_test

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/store"
)

// Make a root and an intermediate sharing one ledger, issue a qualified
// certificate to an individual, revoke it and publish a CRL.
func Example() {
	dir, err := os.MkdirTemp("", "gostca-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(filepath.Join(dir, "ledger.db"), nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()
	// A fixed clock makes the output reproducible; a real CA uses time.Now.
	now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	clock := func() time.Time { return now }

	rootKey, err := gost3410.GenerateKey(gost3410.ParamsTC26512A(), rand.Reader)
	if err != nil {
		panic(err)
	}
	root, err := ca.New(db, ca.Config{Clock: clock, Signer: rootKey, CRLURL: "http://ca.example/root.crl"})
	if err != nil {
		panic(err)
	}
	if _, err := root.InitRoot(cert.Name{CommonName: "Example Root CA", Organization: "Example", Country: "RU"}, 15*365*24*time.Hour); err != nil {
		panic(err)
	}

	subKey, err := gost3410.GenerateKey(gost3410.ParamsCryptoProA(), rand.Reader)
	if err != nil {
		panic(err)
	}
	sub, err := ca.New(db, ca.Config{Clock: clock,
		Signer:       subKey,
		CRLURL:       "http://ca.example/sub.crl",
		OCSPURL:      "http://ocsp.ca.example",
		CAIssuersURL: "http://ca.example/sub.crt",
		Profiles:     []string{ca.ProfileQualified, ca.ProfileSignature},
		IssuerSignTool: &cert.IssuerSignTool{
			SignTool:     "Example CSP",
			CATool:       "gostca",
			SignToolCert: "Certificate of conformity No. 1",
			CAToolCert:   "Certificate of conformity No. 2",
		},
	})
	if err != nil {
		panic(err)
	}
	if _, err := sub.InitIntermediate(root, cert.Name{CommonName: "Example Qualified CA", Organization: "Example", Country: "RU"}, 5*365*24*time.Hour, 0); err != nil {
		panic(err)
	}

	// The subscriber makes a key and a request.
	key, err := gost3410.GenerateKey(gost3410.ParamsCryptoProA(), rand.Reader)
	if err != nil {
		panic(err)
	}
	csr, err := cert.CreateCertificateRequest(rand.Reader, &cert.CertificateRequest{
		Subject: cert.Name{
			CommonName: "Иванов Иван Иванович", Surname: "Иванов", GivenName: "Иван Иванович",
			Country: "RU", SNILS: "11223344595", INN: "500100732259",
		},
		SubjectSignTool: "Example CSP",
	}, key)
	if err != nil {
		panic(err)
	}

	// The operator approves it: prepare (all checks), then issue (sign once).
	personal := cert.IdentificationPersonal
	p, err := sub.Prepare(ca.Request{
		CSR:                csr,
		Profile:            ca.ProfileQualified,
		SubjectKind:        ca.Individual,
		KeyClass:           "KC1",
		IdentificationKind: &personal,
		RequestID:          "REQ-2026-0001",
	})
	if err != nil {
		panic(err)
	}
	leaf, err := sub.Issue(p)
	if err != nil {
		panic(err)
	}
	fmt.Println(leaf.Subject.SNILS, leaf.NotAfter.Sub(leaf.NotBefore), leaf.CRLDistributionPoints[0])

	if err := sub.Revoke(leaf.SerialNumber, cert.ReasonKeyCompromise, time.Time{}); err != nil {
		panic(err)
	}
	status, err := sub.Status(leaf.SerialNumber)
	if err != nil {
		panic(err)
	}
	fmt.Println(status.State, status.Reason)

	der, err := sub.CRL(false)
	if err != nil {
		panic(err)
	}
	crl, err := cert.ParseRevocationList(der)
	if err != nil {
		panic(err)
	}
	if err := crl.CheckSignatureFrom(sub.Certificate()); err != nil {
		panic(err)
	}
	fmt.Println(crl.Number, len(crl.Entries), crl.Entries[0].SerialNumber.Cmp(leaf.SerialNumber) == 0)
	// Output:
	// 11223344595 8760h0m0s http://ca.example/sub.crl
	// revoked keyCompromise
	// 1 1 true
}
