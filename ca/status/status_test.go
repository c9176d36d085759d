package status_test

import (
	"context"
	"errors"
	"github.com/gostca/gostca/ca"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/gostca/gostca/ca/status"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/ocsp"
	"github.com/gostca/gostca/store"
)

func parseCRL(t testing.TB, data []byte, clock func() time.Time) *status.CRL {
	t.Helper()
	s, err := status.ParseCRL(data, &status.CRLOptions{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newOCSP(t testing.TB, url string, opts *status.OCSPOptions) *status.OCSP {
	t.Helper()
	o, err := status.NewOCSP(url, opts)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestSources asks every source about the fixture's certificates and reads
// each answer against signing times before the revocations, between the
// invalidity date and the revocation, and after the hold.
func TestSources(t *testing.T) {
	f := newFixture(t)
	db, err := store.Open(f.ledger, &store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ledgerOpts := &status.LedgerOptions{Clock: f.clock.Now}
	for _, src := range []struct {
		name    string
		checker status.Checker
		// unrecorded is the answer for a certificate of the root that is
		// not in its ledger: a CRL does not list it.
		unrecorded ca.State
		// invalidity: the source gives the invalidity date.
		invalidity bool
	}{
		{"ledger", status.NewLedger(f.ledger, ledgerOpts), ca.StateUnknown, true},
		{"ledger db", status.NewLedgerDB(db, db.Path(), ledgerOpts), ca.StateUnknown, true},
		{"CRL DER", parseCRL(t, f.fullCRL, f.clock.Now), ca.StateGood, true},
		{"CRL PEM", parseCRL(t, pemCRL(f.fullCRL), f.clock.Now), ca.StateGood, true},
		{"CRL set", status.CRLSet{parseCRL(t, f.foreignCRL, f.clock.Now), parseCRL(t, f.fullCRL, f.clock.Now)}, ca.StateGood, true},
		{"OCSP SHA-1", newOCSP(t, f.ocspURL, &status.OCSPOptions{Clock: f.clock.Now}), ca.StateUnknown, false},
		{"OCSP Streebog-256", newOCSP(t, f.ocspURL, &status.OCSPOptions{Clock: f.clock.Now, Hash: ocsp.Streebog256}), ca.StateUnknown, false},
		{"OCSP delegated", newOCSP(t, f.delegatedURL, &status.OCSPOptions{Clock: f.clock.Now}), ca.StateUnknown, false},
	} {
		// The verdicts for signatures made at t0+10m, t0+45m (after the
		// invalidity date, before the revocation) and t0+2h30m.
		signed := []time.Time{t0.Add(10 * time.Minute), t0.Add(45 * time.Minute), t0.Add(150 * time.Minute)}
		midRevoked := status.VerdictRevokedAfterSigning
		if src.invalidity {
			midRevoked = status.VerdictRevokedAtSigning
		}
		for _, tc := range []struct {
			name     string
			c        *cert.Certificate
			state    ca.State
			reason   cert.ReasonCode
			at       time.Time
			held     bool
			verdicts []status.Verdict
		}{
			{"good", f.good, ca.StateGood, 0, time.Time{}, false,
				[]status.Verdict{status.VerdictGood, status.VerdictGood, status.VerdictGood}},
			{"revoked", f.revoked, ca.StateRevoked, cert.ReasonKeyCompromise, revokedAt, false,
				[]status.Verdict{status.VerdictRevokedAfterSigning, midRevoked, status.VerdictRevokedAtSigning}},
			{"held", f.held, ca.StateHeld, cert.ReasonCertificateHold, heldAt, true,
				[]status.Verdict{status.VerdictRevokedAfterSigning, status.VerdictRevokedAfterSigning, status.VerdictRevokedAtSigning}},
			{"unrecorded", f.unrecorded, src.unrecorded, 0, time.Time{}, false, nil},
		} {
			t.Run(src.name+"/"+tc.name, func(t *testing.T) {
				res, err := src.checker.Check(context.Background(), tc.c, f.root)
				if err != nil {
					t.Fatal(err)
				}
				if res.State != tc.state || res.Reason != tc.reason || res.Held() != tc.held {
					t.Fatalf("state %v reason %v held %v, want %v %v %v", res.State, res.Reason, res.Held(), tc.state, tc.reason, tc.held)
				}
				if !res.RevokedAt.Truncate(time.Second).Equal(tc.at.Truncate(time.Second)) {
					t.Errorf("revoked at %v, want %v", res.RevokedAt, tc.at)
				}
				if !res.ThisUpdate.Truncate(time.Second).Equal(checkAt.Truncate(time.Second)) || res.Stale {
					t.Errorf("thisUpdate %v stale %v, want %v, not stale", res.ThisUpdate, res.Stale, checkAt)
				}
				if res.Source == "" {
					t.Error("no Source")
				}
				for i, want := range tc.verdicts {
					if got := res.Assess(signed[i]); got != want {
						t.Errorf("signed at %v: %v, want %v", signed[i], got, want)
					}
				}
				if tc.state == ca.StateUnknown {
					if got := res.Assess(signed[0]); got != status.VerdictUnknown {
						t.Errorf("unknown: %v", got)
					}
				}
			})
		}
	}
}

// TestWrongIssuer gives every source a certificate with an issuer that did
// not issue it, and the CRL sources CRLs of other issuers.
func TestWrongIssuer(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now
	crl := parseCRL(t, f.fullCRL, now)
	checkers := map[string]status.Checker{
		"ledger": status.NewLedger(f.ledger, nil),
		"CRL":    crl,
		"OCSP":   newOCSP(t, f.ocspURL, &status.OCSPOptions{Clock: now}),
	}
	for name, c := range checkers {
		for _, tc := range []struct {
			name           string
			leaf, issuer   *cert.Certificate
			wantUnderlying error
		}{
			{"another issuer's certificate", f.foreignLeaf, f.root, nil},
			{"the issuer's name, another key", f.good, f.twin, nil},
			{"a leaf as issuer", f.good, f.good, nil},
		} {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				if _, err := c.Check(context.Background(), tc.leaf, tc.issuer); !errors.Is(err, status.ErrWrongIssuer) {
					t.Fatalf("got %v, want ErrWrongIssuer", err)
				}
			})
		}
	}
	for _, tc := range []struct {
		name    string
		checker status.Checker
	}{
		{"CRL of another CA", parseCRL(t, f.foreignCRL, now)},
		{"CRL of another key with the issuer's name", parseCRL(t, f.twinCRL, now)},
		{"CRL set without the issuer's", status.CRLSet{parseCRL(t, f.foreignCRL, now), parseCRL(t, f.twinCRL, now)}},
		{"empty CRL set", status.CRLSet{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.checker.Check(context.Background(), f.good, f.root)
			if !errors.Is(err, status.ErrWrongIssuer) {
				t.Fatalf("got %v, want ErrWrongIssuer", err)
			}
			t.Log(err)
		})
	}
}

func TestCRL(t *testing.T) {
	f := newFixture(t)
	tampered := append([]byte(nil), f.fullCRL...)
	tampered[len(tampered)-1] ^= 1
	for _, tc := range []struct {
		name  string
		data  []byte
		now   time.Time
		parse error // from ParseCRL
		check error // from Check of the revoked certificate
		stale bool
	}{
		{name: "current", data: f.fullCRL, now: checkAt},
		{name: "expired", data: f.fullCRL, now: checkAt.Add(8 * 24 * time.Hour), stale: true},
		{name: "dated in the future", data: f.fullCRL, now: checkAt.Add(-time.Hour), check: status.ErrTime},
		{name: "bad signature", data: tampered, now: checkAt, check: status.ErrBadSignature},
		{name: "delta", data: f.deltaCRL, parse: status.ErrDeltaCRL},
		{name: "delta PEM", data: pemCRL(f.deltaCRL), parse: status.ErrDeltaCRL},
		{name: "empty", data: nil, parse: status.ErrMalformed},
		{name: "garbage", data: []byte("not a CRL at all"), parse: status.ErrMalformed},
		{name: "truncated", data: f.fullCRL[:len(f.fullCRL)/2], parse: status.ErrMalformed},
		{name: "certificate PEM", data: []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), parse: status.ErrMalformed},
		{name: "broken PEM", data: []byte("-----BEGIN X509 CRL-----\n!!!\n"), parse: status.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := status.ParseCRL(tc.data, &status.CRLOptions{Clock: func() time.Time { return tc.now }})
			if !errors.Is(err, tc.parse) || (err != nil) != (tc.parse != nil) {
				t.Fatalf("ParseCRL: %v, want %v", err, tc.parse)
			}
			if err != nil {
				return
			}
			res, err := s.Check(context.Background(), f.revoked, f.root)
			if !errors.Is(err, tc.check) || (err != nil) != (tc.check != nil) {
				t.Fatalf("Check: %v, want %v", err, tc.check)
			}
			if err != nil {
				return
			}
			if res.State != ca.StateRevoked || res.Stale != tc.stale || !res.NextUpdate.After(res.ThisUpdate) {
				t.Errorf("state %v stale %v (thisUpdate %v, nextUpdate %v)", res.State, res.Stale, res.ThisUpdate, res.NextUpdate)
			}
			if !res.InvalidityDate.Equal(invalidAt.Truncate(time.Second)) {
				t.Errorf("invalidity date %v, want %v", res.InvalidityDate, invalidAt)
			}
		})
	}
}

func TestLedgerUnavailable(t *testing.T) {
	f := newFixture(t)
	t.Run("missing", func(t *testing.T) {
		_, err := status.NewLedger(filepath.Join(t.TempDir(), "none.db"), nil).Check(context.Background(), f.good, f.root)
		if !errors.Is(err, status.ErrUnavailable) {
			t.Fatalf("got %v, want ErrUnavailable", err)
		}
	})
	t.Run("locked by a writer", func(t *testing.T) {
		w, err := store.Open(f.ledger, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		_, err = status.NewLedger(f.ledger, &status.LedgerOptions{Timeout: 50 * time.Millisecond}).Check(context.Background(), f.good, f.root)
		if !errors.Is(err, status.ErrUnavailable) || !errors.Is(err, store.ErrLocked) {
			t.Fatalf("got %v, want ErrUnavailable and store.ErrLocked", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := status.NewLedger(f.ledger, nil).Check(ctx, f.good, f.root); !errors.Is(err, status.ErrUnavailable) {
			t.Fatalf("got %v, want ErrUnavailable", err)
		}
	})
}

// TestOCSPResponses has fake responders answer in every way a client must
// refuse, or accept, and checks the verdict.
func TestOCSPResponses(t *testing.T) {
	f := newFixture(t)
	write := func(w http.ResponseWriter, der []byte) { w.Write(der) }
	for _, tc := range []struct {
		name    string
		cert    *cert.Certificate
		answer  func(w http.ResponseWriter, req *ocsp.Request)
		opts    status.OCSPOptions
		state   ca.State
		stale   bool
		err     error
		errType any // a pointer to an error type errors.As must find
	}{
		{name: "delegated responder", cert: f.good, state: ca.StateGood, answer: func(w http.ResponseWriter, req *ocsp.Request) {
			write(w, f.sign(t, req, ocsp.Good, f.responderCert, f.responderKey, nil))
		}},
		{name: "delegated responder, revoked", cert: f.revoked, state: ca.StateRevoked, answer: func(w http.ResponseWriter, req *ocsp.Request) {
			write(w, f.sign(t, req, ocsp.Revoked, f.responderCert, f.responderKey, nil))
		}},
		{name: "unknown", cert: f.good, state: ca.StateUnknown, answer: func(w http.ResponseWriter, req *ocsp.Request) {
			write(w, f.sign(t, req, ocsp.Unknown, f.root, f.rootKey, nil))
		}},
		{name: "stale", cert: f.good, state: ca.StateGood, stale: true, answer: func(w http.ResponseWriter, req *ocsp.Request) {
			write(w, f.sign(t, req, ocsp.Good, f.root, f.rootKey, func(r *ocsp.ResponseTemplate) {
				r.Responses[0].ThisUpdate = checkAt.Add(-2 * time.Hour)
				r.Responses[0].NextUpdate = checkAt.Add(-time.Hour)
			}))
		}},
		{name: "no nonce", cert: f.good, err: status.ErrNonceMismatch, answer: func(w http.ResponseWriter, req *ocsp.Request) {
			write(w, f.sign(t, req, ocsp.Good, f.root, f.rootKey, func(r *ocsp.ResponseTemplate) { r.Nonce = nil }))
		}},
		{name: "another nonce", cert: f.good, err: status.ErrNonceMismatch, answer: func(w http.ResponseWriter, req *ocsp.Request) {
			write(w, f.sign(t, req, ocsp.Good, f.root, f.rootKey, func(r *ocsp.ResponseTemplate) { r.Nonce = []byte("replayed-nonce!!") }))
		}},
		{name: "another certificate", cert: f.revoked, err: status.ErrCertIDMismatch, answer: func(w http.ResponseWriter, req *ocsp.Request) {
			write(w, f.sign(t, req, ocsp.Good, f.root, f.rootKey, func(r *ocsp.ResponseTemplate) {
				r.Responses[0].ID.SerialNumber = plusOne(r.Responses[0].ID.SerialNumber)
			}))
		}},
		{name: "signed by another CA", cert: f.good, err: ocsp.ErrUnauthorizedResponder, answer: func(w http.ResponseWriter, req *ocsp.Request) {
			write(w, f.sign(t, req, ocsp.Good, f.foreign, f.foreignKey, nil))
		}},
		{name: "responder without id-kp-OCSPSigning (a sub-CA)", cert: f.revoked, err: ocsp.ErrUnauthorizedResponder, answer: func(w http.ResponseWriter, req *ocsp.Request) {
			write(w, f.sign(t, req, ocsp.Good, f.sub, f.subKey, nil))
		}},
		{name: "bad signature", cert: f.good, err: status.ErrBadSignature, answer: func(w http.ResponseWriter, req *ocsp.Request) {
			der := f.sign(t, req, ocsp.Good, f.root, f.rootKey, nil)
			der[len(der)-1] ^= 1
			write(w, der)
		}},
		{name: "dated in the future", cert: f.good, err: status.ErrTime, answer: func(w http.ResponseWriter, req *ocsp.Request) {
			write(w, f.sign(t, req, ocsp.Good, f.root, f.rootKey, func(r *ocsp.ResponseTemplate) {
				r.Responses[0].ThisUpdate = checkAt.Add(time.Hour)
				r.Responses[0].NextUpdate = checkAt.Add(2 * time.Hour)
			}))
		}},
		{name: "tryLater", cert: f.good, err: status.ErrUnavailable, errType: new(*ocsp.StatusError), answer: func(w http.ResponseWriter, req *ocsp.Request) {
			write(w, ocsp.ErrorResponse(ocsp.TryLater))
		}},
		{name: "HTTP 503", cert: f.good, err: status.ErrUnavailable, errType: new(*status.HTTPError), answer: func(w http.ResponseWriter, req *ocsp.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}},
		{name: "garbage", cert: f.good, err: status.ErrMalformed, answer: func(w http.ResponseWriter, req *ocsp.Request) {
			write(w, []byte("<html>not OCSP</html>"))
		}},
		{name: "too large", cert: f.good, err: status.ErrTooLarge, opts: status.OCSPOptions{MaxResponseBytes: 100}, answer: func(w http.ResponseWriter, req *ocsp.Request) {
			write(w, f.sign(t, req, ocsp.Good, f.root, f.rootKey, nil))
		}},
		{name: "timeout", cert: f.good, err: status.ErrUnavailable, opts: status.OCSPOptions{Timeout: 50 * time.Millisecond}, answer: func(w http.ResponseWriter, req *ocsp.Request) {
			time.Sleep(time.Second)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Clock = f.clock.Now
			res, err := newOCSP(t, ocspServer(t, tc.answer), &opts).Check(context.Background(), tc.cert, f.root)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("got %v, want %v", err, tc.err)
				}
				if errors.Is(tc.err, ocsp.ErrUnauthorizedResponder) && !errors.Is(err, status.ErrBadSignature) {
					t.Errorf("%v does not wrap ErrBadSignature", err)
				}
				if tc.errType != nil && !errors.As(err, tc.errType) {
					t.Errorf("%v: no %T in the chain", err, tc.errType)
				}
				t.Log(err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.State != tc.state || res.Stale != tc.stale {
				t.Errorf("state %v stale %v, want %v %v", res.State, res.Stale, tc.state, tc.stale)
			}
		})
	}
}

// TestOCSPRealResponderRefuses asks the root's responder about another
// CA's certificate: it answers unauthorized.
func TestOCSPRealResponderRefuses(t *testing.T) {
	f := newFixture(t)
	_, err := newOCSP(t, f.ocspURL, nil).Check(context.Background(), f.foreignLeaf, f.foreign)
	var se *ocsp.StatusError
	if !errors.Is(err, status.ErrUnavailable) || !errors.As(err, &se) || se.Status != ocsp.Unauthorized {
		t.Fatalf("got %v, want ErrUnavailable with unauthorized", err)
	}
}

func TestNewOCSPURL(t *testing.T) {
	for _, u := range []string{"", "ocsp.example.ru", "ftp://ocsp.example.ru", "http://", "http://%zz"} {
		if _, err := status.NewOCSP(u, nil); err == nil {
			t.Errorf("NewOCSP(%q): no error", u)
		}
	}
}

func TestAssess(t *testing.T) {
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	revoked := func(when time.Time, reason cert.ReasonCode, invalidity time.Time) *status.Result {
		state := ca.StateRevoked
		if reason == cert.ReasonCertificateHold {
			state = ca.StateHeld
		}
		return &status.Result{State: state, RevokedAt: when, Reason: reason, InvalidityDate: invalidity}
	}
	for _, tc := range []struct {
		name   string
		res    *status.Result
		signed time.Time
		want   status.Verdict
	}{
		{"good", &status.Result{State: ca.StateGood}, at, status.VerdictGood},
		{"good, no signing time", &status.Result{State: ca.StateGood}, time.Time{}, status.VerdictGood},
		{"expired, never revoked", &status.Result{State: ca.StateExpired}, at, status.VerdictGood},
		{"unknown", &status.Result{}, at, status.VerdictUnknown},
		{"revoked a second after", revoked(at.Add(time.Second), cert.ReasonKeyCompromise, time.Time{}), at, status.VerdictRevokedAfterSigning},
		{"revoked in the same second", revoked(at.Add(999*time.Millisecond), cert.ReasonKeyCompromise, time.Time{}), at, status.VerdictRevokedAtSigning},
		{"revoked before", revoked(at.Add(-time.Hour), cert.ReasonSuperseded, time.Time{}), at, status.VerdictRevokedAtSigning},
		{"revoked after, invalid before", revoked(at.Add(time.Hour), cert.ReasonKeyCompromise, at.Add(-time.Hour)), at, status.VerdictRevokedAtSigning},
		{"revoked after, invalid after", revoked(at.Add(time.Hour), cert.ReasonKeyCompromise, at.Add(time.Minute)), at, status.VerdictRevokedAfterSigning},
		{"held after", revoked(at.Add(time.Hour), cert.ReasonCertificateHold, time.Time{}), at, status.VerdictRevokedAfterSigning},
		{"held before", revoked(at.Add(-time.Hour), cert.ReasonCertificateHold, time.Time{}), at, status.VerdictRevokedAtSigning},
		{"revoked, no signing time", revoked(at, cert.ReasonUnspecified, time.Time{}), time.Time{}, status.VerdictRevokedAtSigning},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.res.Assess(tc.signed); got != tc.want {
				t.Errorf("Assess = %v, want %v", got, tc.want)
			}
		})
	}
}
