package ocsp_test

import (
	"crypto/rand"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/ocsp"
)

// BenchmarkParseRequest parses what a client sends (one SHA-1 CertID and a
// 32-octet nonce) and finds its issuer: the responder's first step.
func BenchmarkParseRequest(b *testing.B) {
	f := newFixture(b, gost3410.ParamsCryptoProA())
	hashes, err := ocsp.NewIssuerHashes(f.interCert)
	if err != nil {
		b.Fatal(err)
	}
	der, err := ocsp.CreateRequest([]ocsp.CertID{f.id(b, ocsp.SHA1, f.leaf.SerialNumber)}, make([]byte, 32))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(der)))
	for b.Loop() {
		req, err := ocsp.ParseRequest(der)
		if err != nil || !hashes.Matches(&req.IDs[0]) {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateResponse signs one good status with the nonce echoed, with
// a 256-bit CA key: the responder's second step.
func BenchmarkCreateResponse(b *testing.B) {
	f := newFixture(b, gost3410.ParamsCryptoProA())
	now := f.now()
	tmpl := &ocsp.ResponseTemplate{
		Responses:  []ocsp.SingleResponse{{ID: f.id(b, ocsp.SHA1, f.leaf.SerialNumber), Status: ocsp.Good, ThisUpdate: now, NextUpdate: now.Add(hour)}},
		ProducedAt: now,
		Nonce:      make([]byte, 32),
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ocsp.CreateResponse(rand.Reader, tmpl, f.interCert, f.interKey); err != nil {
			b.Fatal(err)
		}
	}
}
