package ocsp_test

import (
	"crypto"
	"crypto/rand"
	"math/big"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/ocsp"
)

// fixture is a root, an intermediate, a leaf and a delegated responder of
// the intermediate, on the current time (OpenSSL checks validity against
// the system clock).
type fixture struct {
	clock        *catest.Clock
	root, inter  *ca.CA
	rootCert     *cert.Certificate
	interCert    *cert.Certificate
	interKey     crypto.Signer
	leaf         *cert.Certificate
	responder    *cert.Certificate // ca.ProfileOCSP, issued by inter
	responderKey *gost3410.PrivateKey
}

// testParams are the CA key parameter sets the tests run on: one 256-bit,
// one 512-bit.
func testParams() []*gost3410.Params {
	return []*gost3410.Params{gost3410.ParamsCryptoProA(), gost3410.ParamsTC26512A()}
}

const hour = time.Hour

func newFixture(t testing.TB, params *gost3410.Params) *fixture {
	t.Helper()
	f := &fixture{clock: catest.NewClock(time.Now().UTC().Truncate(time.Second).Add(-time.Hour))}
	f.root = catest.NewRoot(t, catest.WithParams(params), catest.WithClock(f.clock))
	f.inter = catest.NewIntermediate(t, f.root, catest.WithParams(params))
	f.rootCert, f.interCert = f.root.Certificate(), f.inter.Certificate()
	f.interKey = f.inter.Config().Signer
	f.leaf = issue(t, f.inter, ca.ProfileSignature, params, "leaf")
	var der []byte
	der, f.responderKey = catest.NewCSR(t, params, cert.Name{CommonName: "gostca test OCSP responder", Country: "RU"})
	var err error
	if f.responder, err = f.inter.IssueRequest(ca.Request{CSR: der, Profile: ca.ProfileOCSP}); err != nil {
		t.Fatalf("issuing the responder certificate: %v", err)
	}
	return f
}

// issue has c issue a certificate of profile for a new key.
func issue(t testing.TB, c *ca.CA, profile string, params *gost3410.Params, cn string) *cert.Certificate {
	t.Helper()
	csr, _ := catest.NewCSR(t, params, cert.Name{CommonName: cn, Country: "RU"})
	leaf, err := c.IssueRequest(ca.Request{CSR: csr, Profile: profile})
	if err != nil {
		t.Fatalf("issuing %q: %v", cn, err)
	}
	return leaf
}

// now is the fixture's time: every certificate is valid then.
func (f *fixture) now() time.Time { return f.clock.Now().Add(time.Hour) }

func (f *fixture) id(t testing.TB, h ocsp.HashAlgorithm, serial *big.Int) ocsp.CertID {
	t.Helper()
	id, err := ocsp.NewCertID(h, f.interCert, serial)
	if err != nil {
		t.Fatal(err)
	}
	return *id
}

// sign makes a response for single, signed by the intermediate (delegated
// false) or by its delegated responder.
func (f *fixture) sign(t testing.TB, delegated bool, nonce []byte, single ...ocsp.SingleResponse) []byte {
	t.Helper()
	tmpl := &ocsp.ResponseTemplate{Responses: single, ProducedAt: f.now(), Nonce: nonce}
	responder, key := f.interCert, f.interKey
	if delegated {
		responder, key = f.responder, f.responderKey
		tmpl.Certificates = []*cert.Certificate{f.responder}
	}
	der, err := ocsp.CreateResponse(rand.Reader, tmpl, responder, key)
	if err != nil {
		t.Fatalf("CreateResponse: %v", err)
	}
	return der
}
