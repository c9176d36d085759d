package ocsp_test

import (
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"log"
	"math/big"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/ocsp"
)

// A responder's round: parse the request, check that it names our CA,
// answer with the status, the nonce echoed; the client checks the answer.
func Example() {
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	key, err := gost3410.GenerateKey(gost3410.ParamsTC26256A(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &cert.Certificate{
		SerialNumber: big.NewInt(1), Subject: cert.Name{CommonName: "Example CA", Country: "RU"},
		NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(5, 0, 0),
		BasicConstraintsValid: true, IsCA: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := cert.CreateCertificate(rand.Reader, tmpl, tmpl, key.PublicKey(), key)
	if err != nil {
		log.Fatal(err)
	}
	issuer, err := cert.ParseCertificate(der)
	if err != nil {
		log.Fatal(err)
	}

	// The client asks about serial 42.
	id, err := ocsp.NewCertID(ocsp.SHA1, issuer, big.NewInt(42))
	if err != nil {
		log.Fatal(err)
	}
	reqDER, err := ocsp.CreateRequest([]ocsp.CertID{*id}, []byte("a nonce of 16 oc"))
	if err != nil {
		log.Fatal(err)
	}

	// The responder answers.
	hashes, err := ocsp.NewIssuerHashes(issuer) // once, at start-up
	if err != nil {
		log.Fatal(err)
	}
	req, err := ocsp.ParseRequest(reqDER)
	if err != nil {
		log.Fatal(err) // a responder would answer ocsp.ErrorResponse(ocsp.MalformedRequest)
	}
	if !hashes.Matches(&req.IDs[0]) {
		log.Fatal("not our CA") // ocsp.ErrorResponse(ocsp.Unauthorized)
	}
	respDER, err := ocsp.CreateResponse(rand.Reader, &ocsp.ResponseTemplate{
		Responses: []ocsp.SingleResponse{{
			ID: req.IDs[0], Status: ocsp.Revoked, RevokedAt: now.Add(-time.Hour), Reason: cert.ReasonKeyCompromise,
			ThisUpdate: now, NextUpdate: now.Add(24 * time.Hour),
		}},
		ProducedAt: now,
		Nonce:      req.Nonce,
	}, issuer, key)
	if err != nil {
		log.Fatal(err)
	}

	// The client checks it.
	resp, err := ocsp.ParseResponse(respDER)
	if err != nil {
		log.Fatal(err)
	}
	if err := resp.CheckSignatureFrom(issuer); err != nil {
		log.Fatal(err)
	}
	single := resp.Responses[0]
	fmt.Printf("%v, %v, nonce %q\n", single.Status, single.Reason, resp.Nonce)
	// Output: revoked, keyCompromise, nonce "a nonce of 16 oc"
}
