package status_test

import (
	"crypto"
	"crypto/rand"
	"encoding/pem"
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
	"github.com/gostca/gostca/ca/responder"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/ocsp"
)

// The fixture's timeline: the CA and its certificates are made at t0, a
// certificate is revoked at t0+1h (keyCompromise, invalid since
// t0+30m) and another put on hold at t0+2h; the CRLs are made, and the
// checks run, at t0+3h. t0 has a fraction of a second, as the ledger
// keeps it.
var (
	t0        = time.Date(2026, 3, 2, 9, 0, 0, 250_000_000, time.UTC)
	revokedAt = t0.Add(time.Hour)
	invalidAt = t0.Add(30 * time.Minute)
	heldAt    = t0.Add(2 * time.Hour)
	checkAt   = t0.Add(3 * time.Hour)
)

// fixture is a root CA whose ledger (closed, as a CA process leaves it)
// holds a good, a revoked and a held certificate, and its CRLs; a
// certificate the root signed outside the ledger; a delegated OCSP
// responder; other CAs; and the root's own responder over httptest.
type fixture struct {
	clock      *catest.Clock
	root       *cert.Certificate
	rootKey    crypto.Signer
	ledger     string
	good       *cert.Certificate
	revoked    *cert.Certificate
	held       *cert.Certificate
	unrecorded *cert.Certificate // signed by the root, not in its ledger

	responderCert *cert.Certificate // id-kp-OCSPSigning, issued by the root
	responderKey  crypto.Signer
	sub           *cert.Certificate // an intermediate: a CA, not an OCSP signer
	subKey        crypto.Signer

	fullCRL, deltaCRL []byte // the root's, DER
	foreign           *cert.Certificate
	foreignKey        crypto.Signer
	foreignLeaf       *cert.Certificate
	foreignCRL        []byte
	twin              *cert.Certificate // another root with the root's name
	twinCRL           []byte

	ocspURL string // the root's responder (ca/responder over httptest)
	// delegatedURL is a responder over the same ledger that signs with a
	// delegated responder key.
	delegatedURL string
}

func issueLeaf(t testing.TB, c *ca.CA, cn, profile string) (*cert.Certificate, crypto.Signer) {
	t.Helper()
	csr, key := catest.NewCSR(t, nil, cert.Name{CommonName: cn, Country: "RU"})
	leaf, err := c.IssueRequest(ca.Request{CSR: csr, Profile: profile})
	if err != nil {
		t.Fatalf("issuing %s: %v", cn, err)
	}
	return leaf, key
}

func makeCRL(t testing.TB, c *ca.CA, delta bool) []byte {
	t.Helper()
	der, err := c.CRL(delta)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{clock: catest.NewClock(t0)}
	root := catest.NewRoot(t, catest.WithClock(f.clock))
	cfg := root.Config()
	f.root, f.rootKey = cfg.Certificate, cfg.Signer
	f.good, _ = issueLeaf(t, root, "good", ca.ProfileSignature)
	f.revoked, _ = issueLeaf(t, root, "revoked", ca.ProfileSignature)
	f.held, _ = issueLeaf(t, root, "held", ca.ProfileSignature)
	f.responderCert, f.responderKey = issueLeaf(t, root, "delegated responder", ca.ProfileOCSP)
	sub := catest.NewIntermediate(t, root)
	f.sub, f.subKey = sub.Certificate(), sub.Config().Signer
	f.unrecorded = signOutside(t, f.root, f.rootKey, "unrecorded")

	f.clock.Set(revokedAt)
	if err := root.Revoke(f.revoked.SerialNumber, cert.ReasonKeyCompromise, invalidAt); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(heldAt)
	if err := root.Hold(f.held.SerialNumber); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(checkAt)
	f.fullCRL = makeCRL(t, root, false)
	f.deltaCRL = makeCRL(t, root, true)

	foreign := catest.NewRoot(t, catest.WithClock(f.clock), catest.WithSubject(cert.Name{CommonName: "foreign root", Country: "RU"}))
	f.foreign, f.foreignKey = foreign.Certificate(), foreign.Config().Signer
	f.foreignLeaf, _ = issueLeaf(t, foreign, "foreign leaf", ca.ProfileSignature)
	f.foreignCRL = makeCRL(t, foreign, false)
	twin := catest.NewRoot(t, catest.WithClock(f.clock))
	f.twin, f.twinCRL = twin.Certificate(), makeCRL(t, twin, false)

	db := root.Ledger().(*store.DB)
	f.ledger = db.Path()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	cfg.Clock = f.clock.Now
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	// Two responders over the ledger: the CA's key signs for one, a
	// delegated responder key (certified by the CA) for the other.
	for _, d := range []*responder.Delegation{nil, {}} {
		cache, err := responder.New(responder.Config{Ledger: f.ledger, CA: cfg, Logger: quiet, Delegate: d})
		if err != nil {
			t.Fatal(err)
		}
		h, err := responder.NewHandler(responder.HandlerOptions{OCSP: cache, Logger: quiet, Clock: f.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		if d == nil {
			f.ocspURL = srv.URL + "/ocsp"
		} else {
			f.delegatedURL = srv.URL + "/ocsp"
		}
	}
	return f
}

// signOutside signs a signature certificate for a new key with the
// issuer's key, without the CA (so without its ledger).
func signOutside(t testing.TB, issuer *cert.Certificate, key crypto.Signer, cn string) *cert.Certificate {
	t.Helper()
	_, subject := catest.NewCSR(t, nil, cert.Name{CommonName: cn})
	pub := subject.Public().(*gost3410.PublicKey)
	serial, err := cert.NewSerialNumber(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := cert.CreateCertificate(rand.Reader, &cert.Certificate{
		SerialNumber: serial,
		Subject:      cert.Name{CommonName: cn, Country: "RU"},
		NotBefore:    issuer.NotBefore,
		NotAfter:     issuer.NotAfter,
	}, issuer, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cert.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ocspServer serves OCSP with answer, which gets the parsed request.
func ocspServer(t testing.TB, answer func(w http.ResponseWriter, req *ocsp.Request)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := ocsp.ParseRequest(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/ocsp-response")
		answer(w, req)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// sign returns the DER of an OCSP response to the single certificate of
// req with status st (revoked at revokedAt), signed by key with
// certificate signer, changed by mod first. It runs in a handler's
// goroutine: a failure is t.Error and an empty answer.
func (f *fixture) sign(t testing.TB, req *ocsp.Request, st ocsp.Status, signer *cert.Certificate, key crypto.Signer, mod func(*ocsp.ResponseTemplate)) []byte {
	t.Helper()
	now := f.clock.Now()
	single := ocsp.SingleResponse{ID: req.IDs[0], Status: st, ThisUpdate: now, NextUpdate: now.Add(time.Hour)}
	if st == ocsp.Revoked {
		single.RevokedAt, single.Reason = revokedAt, cert.ReasonKeyCompromise
	}
	tmpl := &ocsp.ResponseTemplate{Responses: []ocsp.SingleResponse{single}, ProducedAt: now, Nonce: req.Nonce}
	if signer != f.root && signer != f.foreign {
		tmpl.Certificates = []*cert.Certificate{signer}
	}
	if mod != nil {
		mod(tmpl)
	}
	der, err := ocsp.CreateResponse(rand.Reader, tmpl, signer, key)
	if err != nil {
		t.Error(err)
	}
	return der
}

func pemCRL(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
}

func plusOne(n *big.Int) *big.Int { return new(big.Int).Add(n, big.NewInt(1)) }
