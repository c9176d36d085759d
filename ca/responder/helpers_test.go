package responder

import (
	"bytes"
	"github.com/gostca/gostca/store"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/crypto/ocsp"
)

// fixture is a root CA whose ledger holds a good, a revoked and a held
// certificate, closed (as a CA process would leave it), and a responder
// over it.
type fixture struct {
	root                *ca.CA
	cfg                 ca.Config // the root's, without Store
	ledger              string
	good, revoked, held *cert.Certificate
	foreign             *ca.CA // another CA, for unauthorized
	cache               *Cache
	server              *httptest.Server
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func issueLeaf(t testing.TB, c *ca.CA, cn string) *cert.Certificate {
	t.Helper()
	csr, _ := catest.NewCSR(t, nil, cert.Name{CommonName: cn, Country: "RU"})
	leaf, err := c.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileSignature})
	if err != nil {
		t.Fatalf("issuing %s: %v", cn, err)
	}
	return leaf
}

func newFixture(t testing.TB, mod func(*Config)) *fixture {
	t.Helper()
	f := &fixture{root: catest.NewRoot(t)}
	f.good = issueLeaf(t, f.root, "good")
	f.revoked = issueLeaf(t, f.root, "revoked")
	f.held = issueLeaf(t, f.root, "held")
	if err := f.root.Revoke(f.revoked.SerialNumber, cert.ReasonKeyCompromise, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := f.root.Hold(f.held.SerialNumber); err != nil {
		t.Fatal(err)
	}
	f.foreign = catest.NewRoot(t, catest.WithSubject(cert.Name{CommonName: "foreign root", Country: "RU"}))
	f.cfg = f.root.Config()
	db := f.root.Ledger().(*store.DB)
	f.ledger = db.Path()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	f.cfg.Clock = time.Now
	cfg := Config{Ledger: f.ledger, CA: f.cfg, PollInterval: 50 * time.Millisecond, Logger: quietLogger()}
	if mod != nil {
		mod(&cfg)
	}
	var err error
	if f.cache, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	chain, err := cms.EncodeCertificates([]*cert.Certificate{f.cfg.Certificate})
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHandler(HandlerOptions{OCSP: f.cache, CRLs: f.cache, CACert: f.cfg.Certificate.Raw, CAChain: chain, Health: f.cache.Healthy, Metrics: f.cache.WriteMetrics, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	f.server = httptest.NewServer(h)
	t.Cleanup(f.server.Close)
	return f
}

// request returns the DER OCSP request for serial of issuer.
func request(t testing.TB, h ocsp.HashAlgorithm, issuer *cert.Certificate, serial *big.Int, nonce []byte) []byte {
	t.Helper()
	id, err := ocsp.NewCertID(h, issuer, serial)
	if err != nil {
		t.Fatal(err)
	}
	der, err := ocsp.CreateRequest([]ocsp.CertID{*id}, nonce)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func (f *fixture) post(t testing.TB, body []byte) *http.Response {
	t.Helper()
	resp, err := http.Post(f.server.URL+"/ocsp", typeOCSPRequest, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func readBody(t testing.TB, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// parse parses an OCSP response and checks its signature by the root.
func (f *fixture) parse(t testing.TB, der []byte) *ocsp.Response {
	t.Helper()
	r, err := ocsp.ParseResponse(der)
	if err != nil {
		t.Fatalf("parsing the response: %v", err)
	}
	if err := r.CheckSignatureFrom(f.cfg.Certificate); err != nil {
		t.Fatalf("checking the response: %v", err)
	}
	return r
}
