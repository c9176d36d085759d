package ra_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/ca/ra"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/internal/ledgertest"
	"github.com/gostca/gostca/store"
)

// issued submits and approves an application for profile with a code
// word, and returns the certificate and the key.
func (f *fixture) issued(t *testing.T, profile string) (*ra.Receipt, *cert.Certificate, *gost3410.PrivateKey) {
	t.Helper()
	csr, key := catest.NewCSR(t, f.params, cert.Name{CommonName: "x"})
	s := f.submission(t, profile)
	s.CSR, s.CodeWord = csr, "кодовое слово"
	rc, err := f.ra.Submit(s)
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.ra.Approve(rc.Number, "petrov", ra.ApproveOptions{})
	if err == nil && d.Waiting {
		d, err = f.ra.Approve(rc.Number, "sidorova", ra.ApproveOptions{})
	}
	if err != nil {
		t.Fatal(err)
	}
	return rc, d.Certificate, key
}

// signed is content in a CMS signature by key and c.
func (f *fixture) signed(t *testing.T, key *gost3410.PrivateKey, c *cert.Certificate, content []byte) []byte {
	t.Helper()
	return catest.SignAttached(t, key, c, f.clock, content)
}

func (f *fixture) status(t *testing.T, c *cert.Certificate) store.Status {
	t.Helper()
	rec, err := f.db.Get(c.SerialNumber)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Status
}

func TestReportLost(t *testing.T) { ledgertest.Run(t, testReportLost) }

func testReportLost(t *testing.T, b ledgertest.Backend) {
	f := newFixture(t, b)
	rc, c, _ := f.issued(t, ca.ProfileSignature)
	if _, err := f.ra.ReportLost(rc.Number, "не то слово"); !errors.Is(err, ra.ErrNotFound) {
		t.Fatalf("wrong code word: %v", err)
	}
	if _, err := f.ra.ReportLost("2026-000777", "кодовое слово"); !errors.Is(err, ra.ErrNotFound) {
		t.Fatalf("unknown number: %v", err)
	}
	if f.status(t, c) != store.StatusGood {
		t.Fatal("held by a wrong report")
	}
	serial, err := f.ra.ReportLost(rc.Number, "  КОДОВОЕ СЛОВО ")
	if err != nil || serial.Cmp(c.SerialNumber) != 0 || f.status(t, c) != store.StatusHeld {
		t.Fatalf("report: %v, %v, %v", serial, err, f.status(t, c))
	}
	if _, err := f.ra.ReportLost(rc.Number, "кодовое слово"); !errors.Is(err, ra.ErrCertificateState) {
		t.Fatalf("second report: %v", err)
	}
}

func TestRevokeSigned(t *testing.T) { ledgertest.Run(t, testRevokeSigned) }

func testRevokeSigned(t *testing.T, b ledgertest.Backend) {
	f := newFixture(t, b)
	_, c, key := f.issued(t, ca.ProfileSignature)
	_, other, otherKey := f.issued(t, ca.ProfileSignature)
	body := func(serial string) []byte {
		return []byte(fmt.Sprintf(`{"serial":%q,"reason":"keyCompromise"}`, serial))
	}
	tests := []struct {
		name string
		req  []byte
	}{
		{"garbage", []byte("not CMS")},
		{"another certificate's key", f.signed(t, otherKey, other, body(fmt.Sprintf("%x", c.SerialNumber)))},
		{"not JSON", f.signed(t, key, c, []byte("revoke please"))},
		{"another reason", f.signed(t, key, c, []byte(fmt.Sprintf(`{"serial":"%x","reason":"superseded"}`, c.SerialNumber)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.ra.RevokeSigned(tt.req); !errors.Is(err, ra.ErrSignedRequest) {
				t.Fatalf("got %v", err)
			}
			if f.status(t, c) != store.StatusGood {
				t.Fatal("revoked")
			}
		})
	}
	serial, err := f.ra.RevokeSigned(f.signed(t, key, c, body(fmt.Sprintf("%X", c.SerialNumber))))
	if err != nil || serial.Cmp(c.SerialNumber) != 0 {
		t.Fatal(err)
	}
	rec, _ := f.db.Get(c.SerialNumber)
	if rec.Status != store.StatusRevoked || rec.Revocation.Reason != cert.ReasonKeyCompromise {
		t.Fatalf("record %+v", rec)
	}
}

func TestRenew(t *testing.T) { ledgertest.Run(t, testRenew) }

func testRenew(t *testing.T, b ledgertest.Backend) {
	f := newFixture(t, b)
	_, c, key := f.issued(t, ca.ProfileSignature)
	f.clock.Advance(24 * time.Hour)
	// The new request keeps the subject.
	newCSR, _ := catest.NewCSRTemplate(t, f.params, &cert.CertificateRequest{RawSubject: c.RawSubject})
	if _, err := f.ra.Renew(f.signed(t, key, c, newCSR), nil); err != nil {
		t.Fatal(err)
	}
	rec, _ := f.db.Get(c.SerialNumber)
	if rec.Successor == nil {
		t.Fatal("no successor linked")
	}
	succ, _ := f.db.Get(rec.Successor)
	if succ.Predecessor.Cmp(c.SerialNumber) != 0 || succ.Subject != rec.Subject {
		t.Fatalf("successor %+v", succ)
	}
	// The same new key again: certified already.
	if _, err := f.ra.Renew(f.signed(t, key, c, newCSR), nil); !errors.Is(err, ra.ErrInvalid) {
		t.Fatalf("renewing to a certified key: %v", err)
	}
	// Another subject: an application for an operator.
	otherCSR, _ := catest.NewCSR(t, f.params, cert.Name{CommonName: "Другое имя"})
	rn, err := f.ra.Renew(f.signed(t, key, c, otherCSR), nil)
	if err != nil || rn.Receipt == nil || rn.Certificate != nil {
		t.Fatalf("renewal with a new subject: %+v, %v", rn, err)
	}
	a, _ := f.ra.Get(rn.Receipt.Number)
	if a.Renews != fmt.Sprintf("%x", c.SerialNumber) || a.State != ra.Submitted {
		t.Fatalf("renewal application %+v", a)
	}
	// A revoked certificate cannot renew.
	if err := f.ca.Revoke(c.SerialNumber, cert.ReasonSuperseded, time.Time{}); err != nil {
		t.Fatal(err)
	}
	again, _ := catest.NewCSRTemplate(t, f.params, &cert.CertificateRequest{RawSubject: c.RawSubject})
	if _, err := f.ra.Renew(f.signed(t, key, c, again), nil); !errors.Is(err, ra.ErrCertificateState) && !errors.Is(err, ra.ErrSignedRequest) {
		t.Fatalf("renewal of a revoked certificate: %v", err)
	}
}
