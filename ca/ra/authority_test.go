package ra_test

import (
	"bytes"
	"crypto"
	"errors"
	"io"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/ca/ra"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/internal/interop"
	"github.com/gostca/gostca/internal/ledgertest"
	"github.com/gostca/gostca/store"
)

// TestMain stops the PostgreSQL server the tests on that ledger started.
func TestMain(m *testing.M) {
	code := m.Run()
	interop.StopPostgres()
	os.Exit(code)
}

// fixture is a CA with its ledger and a registration authority over both.
type fixture struct {
	clock  *catest.Clock
	db     ledgertest.Ledger
	ca     *ca.CA
	ra     *ra.Authority
	csr    []byte
	params *gost3410.Params
}

// newFixture makes the fixture over a new ledger of backend b.
func newFixture(t *testing.T, b ledgertest.Backend) *fixture {
	t.Helper()
	f := &fixture{clock: catest.NewClock(now), db: b.New(t), params: gost3410.ParamsCryptoProA()}
	f.ca = catest.NewRoot(t, catest.WithClock(f.clock), catest.WithLedger(f.db))
	var err error
	f.ra, err = ra.New(f.db, f.ca, ra.Config{Clock: f.clock.Now, CodeKey: bytes.Repeat([]byte{7}, 32), SignTool: "СКЗИ «Тест»"})
	if err != nil {
		t.Fatal(err)
	}
	f.csr, _ = catest.NewCSR(t, f.params, cert.Name{CommonName: "ignored"})
	return f
}

func (f *fixture) submission(t *testing.T, profile string) ra.Submission {
	t.Helper()
	return ra.Submission{Applicant: *goodApplicant(t), Profile: profile, CSR: f.csr,
		Attachments: []ra.File{{Name: "passport.pdf", Data: []byte("%PDF-1.7 scan")}}}
}

func (f *fixture) applications(t *testing.T) int {
	t.Helper()
	all, err := f.ra.List("")
	if err != nil {
		t.Fatal(err)
	}
	return len(all)
}

func TestSubmitRefused(t *testing.T) { ledgertest.Run(t, testSubmitRefused) }

func testSubmitRefused(t *testing.T, b ledgertest.Backend) {
	f := newFixture(t, b)
	broken := bytes.Clone(f.csr)
	broken[len(broken)-5] ^= 1
	otherCSR, _ := catest.NewCSR(t, gost3410.ParamsTC26256A(), cert.Name{CommonName: "x"})
	tests := []struct {
		name  string
		edit  func(s *ra.Submission)
		field string
	}{
		{"bad SNILS check digit", func(s *ra.Submission) { s.Applicant.SNILS = "11223344596" }, "snils"},
		{"bad INN", func(s *ra.Submission) { s.Applicant.INN = "500100732258" }, "inn"},
		{"bad OGRNIP", func(s *ra.Submission) { s.Applicant.OGRNIP = "304500116000158" }, "ogrnip"},
		{"bad e-mail", func(s *ra.Submission) { s.Applicant.Email = "ivanov@" }, "email"},
		{"passport series", func(s *ra.Submission) { s.Applicant.Passport.Series = "45A0" }, "passport.series"},
		{"birth date in the future", func(s *ra.Submission) { s.Applicant.BirthDate = date(t, "2030-01-01") }, "birth_date"},
		{"no CSR", func(s *ra.Submission) { s.CSR = nil }, "csr"},
		{"CSR with a broken signature", func(s *ra.Submission) { s.CSR = broken }, "csr"},
		{"garbage CSR", func(s *ra.Submission) { s.CSR = []byte("not a request") }, "csr"},
		{"no profile", func(s *ra.Submission) { s.Profile = "" }, "profile"},
		{"unknown profile", func(s *ra.Submission) { s.Profile = "gold" }, "profile"},
		{"executable renamed .pdf", func(s *ra.Submission) {
			s.Attachments = []ra.File{{Name: "scan.pdf", Data: []byte("\x7fELF\x02\x01\x01 binary")}}
		}, "attachments[0]"},
		{"six attachments", func(s *ra.Submission) {
			for range 5 {
				s.Attachments = append(s.Attachments, ra.File{Name: "p" + strings.Repeat("x", len(s.Attachments)) + ".pdf", Data: []byte("%PDF-1.4")})
			}
		}, "attachments"},
		{"oversized attachment", func(s *ra.Submission) {
			s.Attachments = []ra.File{{Name: "big.pdf", Data: append([]byte("%PDF-"), make([]byte, ra.DefaultMaxAttachmentSize)...)}}
		}, "attachments[0]"},
		{"short code word", func(s *ra.Submission) { s.CodeWord = "abc" }, "code_word"},
		{"TLS profile without a DNS name", func(s *ra.Submission) {
			s.Profile = ca.ProfileTLSServer
			s.CSR = otherCSR
		}, "csr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := f.submission(t, ca.ProfileSignature)
			tt.edit(&s)
			_, err := f.ra.Submit(s)
			var fe ra.FieldErrors
			if !errors.As(err, &fe) || !errors.Is(err, ra.ErrInvalid) {
				t.Fatalf("got %v, want field errors", err)
			}
			found := false
			for _, e := range fe {
				found = found || e.Field == tt.field
			}
			if !found {
				t.Fatalf("no error for %s in %v", tt.field, fe)
			}
			if n := f.applications(t); n != 0 {
				t.Fatalf("%d applications recorded", n)
			}
		})
	}
}

func TestApplicationIssued(t *testing.T) { ledgertest.Run(t, testApplicationIssued) }

func testApplicationIssued(t *testing.T, b ledgertest.Backend) {
	f := newFixture(t, b)
	rc, err := f.ra.Submit(f.submission(t, ca.ProfileSignature))
	if err != nil {
		t.Fatal(err)
	}
	if rc.Number != "2026-000001" || rc.State != ra.Submitted || len(rc.AccessCode) != 19 {
		t.Fatalf("receipt %+v", rc)
	}
	// The same key again: refused while the first is open.
	if _, err := f.ra.Submit(f.submission(t, ca.ProfileSignature)); !errors.Is(err, ra.ErrInvalid) || !strings.Contains(err.Error(), "another open application") {
		t.Fatalf("same key twice: %v", err)
	}
	if _, err := f.ra.Check(rc.Number, "0000-0000-0000-0000"); !errors.Is(err, ra.ErrNotFound) {
		t.Fatalf("wrong code: %v", err)
	}
	if _, err := f.ra.Check("2026-000999", rc.AccessCode); !errors.Is(err, ra.ErrNotFound) {
		t.Fatalf("unknown number: %v", err)
	}
	a, err := f.ra.Check(rc.Number, strings.ToLower(rc.AccessCode))
	if err != nil || a.State != ra.Submitted || len(a.Attachments) != 1 || a.Attachments[0].Type != string(ra.PDF) {
		t.Fatalf("Check: %+v, %v", a, err)
	}

	d, err := f.ra.Approve(rc.Number, "petrov", ra.ApproveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := d.Certificate
	if d.Waiting || c == nil || d.Application.State != ra.Issued {
		t.Fatalf("decision %+v", d)
	}
	// The subject is the applicant's, not the request's.
	if c.Subject.CommonName != "Иванов Иван Иванович" || c.Subject.SNILS != "11223344595" || c.Subject.GivenName != "Иван Иванович" {
		t.Errorf("subject %v", c.Subject)
	}
	rec, err := f.db.Get(c.SerialNumber)
	if err != nil || rec.Application != rc.Number {
		t.Fatalf("record %+v, %v", rec, err)
	}
	got, _ := f.ra.Get(rc.Number)
	if got.Serial.Cmp(c.SerialNumber) != 0 {
		t.Fatalf("application serial %v", got.Serial)
	}
	var states []string
	for _, e := range got.History {
		states = append(states, string(e.To))
	}
	if strings.Join(states, ",") != "submitted,in_review,approved,issued" {
		t.Errorf("history %v", states)
	}
	// Approving twice issues nothing new.
	again, err := f.ra.Approve(rc.Number, "petrov", ra.ApproveOptions{})
	if err != nil || again.Certificate.SerialNumber.Cmp(c.SerialNumber) != 0 {
		t.Fatalf("second approval: %+v, %v", again, err)
	}
	n := 0
	for range f.db.All() {
		n++
	}
	if n != 2 { // the root and the one certificate
		t.Fatalf("%d records, want 2", n)
	}
	dl, err := f.ra.Certificate(rc.Number, rc.AccessCode)
	if err != nil || !bytes.Equal(dl.Raw, c.Raw) {
		t.Fatalf("download: %v", err)
	}
	// The key is certified: a new application for it is refused.
	if _, err := f.ra.Submit(f.submission(t, ca.ProfileSignature)); !errors.Is(err, ra.ErrInvalid) || !strings.Contains(err.Error(), "certified already") {
		t.Fatalf("certified key: %v", err)
	}
	if err := f.db.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
}

func TestTwoApprovals(t *testing.T) { ledgertest.Run(t, testTwoApprovals) }

func testTwoApprovals(t *testing.T, b ledgertest.Backend) {
	f := newFixture(t, b)
	rc, err := f.ra.Submit(f.submission(t, ca.ProfileQualified))
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.ra.Approve(rc.Number, "petrov", ra.ApproveOptions{})
	if err != nil || !d.Waiting || d.Application.State != ra.InReview {
		t.Fatalf("first approval: %+v, %v", d, err)
	}
	if _, err := f.ra.Approve(rc.Number, "petrov", ra.ApproveOptions{}); !errors.Is(err, ra.ErrSameOperator) {
		t.Fatalf("same operator twice: %v", err)
	}
	d, err = f.ra.Approve(rc.Number, "sidorova", ra.ApproveOptions{})
	if err != nil || d.Certificate == nil {
		t.Fatalf("second approval: %+v, %v", d, err)
	}
	if d.Certificate.IdentificationKind == nil || d.Certificate.Subject.Country != "RU" || len(d.Application.Approvals) != 2 {
		t.Errorf("qualified certificate: %+v", d.Certificate.Subject)
	}
}

func TestDecisions(t *testing.T) { ledgertest.Run(t, testDecisions) }

func testDecisions(t *testing.T, b ledgertest.Backend) {
	f := newFixture(t, b)
	rc, err := f.ra.Submit(f.submission(t, ca.ProfileSignature))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ra.Reject(rc.Number, "petrov", "  "); !errors.Is(err, ra.ErrReasonRequired) {
		t.Fatalf("reject without reason: %v", err)
	}
	a, err := f.ra.Reject(rc.Number, "petrov", "скан паспорта нечитаем")
	if err != nil || a.State != ra.Rejected || a.Reason != "скан паспорта нечитаем" {
		t.Fatalf("reject: %+v, %v", a, err)
	}
	if _, err := f.ra.Approve(rc.Number, "petrov", ra.ApproveOptions{}); !errors.Is(err, ra.ErrTransition) {
		t.Fatalf("approving a rejected application: %v", err)
	}
	if _, err := f.ra.Cancel(rc.Number, rc.AccessCode); !errors.Is(err, ra.ErrTransition) {
		t.Fatalf("cancelling a rejected application: %v", err)
	}
	// The key is free again once the application is closed.
	rc2, err := f.ra.Submit(f.submission(t, ca.ProfileSignature))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ra.Cancel(rc2.Number, "WRNG-CODE-0000-0000"); !errors.Is(err, ra.ErrNotFound) {
		t.Fatalf("cancel with a wrong code: %v", err)
	}
	if a, err := f.ra.Cancel(rc2.Number, rc2.AccessCode); err != nil || a.State != ra.Cancelled {
		t.Fatalf("cancel: %+v, %v", a, err)
	}
	rc3, err := f.ra.Submit(f.submission(t, ca.ProfileSignature))
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(ra.DefaultDecisionTime - time.Minute)
	if done, err := f.ra.Expire(); err != nil || len(done) != 0 {
		t.Fatalf("expire early: %v, %v", done, err)
	}
	f.clock.Advance(2 * time.Minute)
	if done, err := f.ra.Expire(); err != nil || len(done) != 1 || done[0] != rc3.Number {
		t.Fatalf("expire: %v, %v", done, err)
	}
	if _, err := f.ra.Approve(rc3.Number, "petrov", ra.ApproveOptions{}); !errors.Is(err, ra.ErrTransition) {
		t.Fatalf("approving an expired application: %v", err)
	}
	if err := f.db.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
}

// TestInterruptedIssuance: an approval that died after reserving the serial
// (nothing signed) is taken for interrupted once StaleIssuance passed, and
// the next approval issues; before that it says the issuance is running.
func TestInterruptedIssuance(t *testing.T) { ledgertest.Run(t, testInterruptedIssuance) }

func testInterruptedIssuance(t *testing.T, b ledgertest.Backend) {
	f := newFixture(t, b)
	rc, err := f.ra.Submit(f.submission(t, ca.ProfileSignature))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ra.Take(rc.Number, "petrov"); err != nil {
		t.Fatal(err)
	}
	dead := big.NewInt(0xdead)
	if err := f.db.Reserve(&store.Record{Serial: dead, IssuerKeyID: f.ca.KeyID(), Application: rc.Number}, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ra.Approve(rc.Number, "petrov", ra.ApproveOptions{}); err == nil || !strings.Contains(err.Error(), "being issued") {
		t.Fatalf("approval during the issuance: %v", err)
	}
	f.clock.Advance(2 * time.Minute)
	d, err := f.ra.Approve(rc.Number, "petrov", ra.ApproveOptions{})
	if err != nil || d.Certificate == nil {
		t.Fatalf("approval after the interruption: %+v, %v", d, err)
	}
	if rec, _ := f.db.Get(dead); rec.Status != store.StatusAbandoned {
		t.Fatalf("the interrupted serial is %v", rec.Status)
	}
}

// failingSigner has the CA's public key and cannot sign: an issuance error.
type failingSigner struct{ pub crypto.PublicKey }

func (s failingSigner) Public() crypto.PublicKey { return s.pub }

func (failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("token removed")
}

// TestIssuanceFails: an approval whose signature fails leaves the
// application failed, with the reason; approving again issues it.
func TestIssuanceFails(t *testing.T) { ledgertest.Run(t, testIssuanceFails) }

func testIssuanceFails(t *testing.T, b ledgertest.Backend) {
	f := newFixture(t, b)
	broken, err := ca.New(f.db, ca.Config{Clock: f.clock.Now, Signer: failingSigner{f.ca.Certificate().PublicKey}, Certificate: f.ca.Certificate()})
	if err != nil {
		t.Fatal(err)
	}
	brokenRA, err := ra.New(f.db, broken, ra.Config{Clock: f.clock.Now, CodeKey: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := f.ra.Submit(f.submission(t, ca.ProfileSignature))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := brokenRA.Approve(rc.Number, "petrov", ra.ApproveOptions{}); err == nil || !strings.Contains(err.Error(), "token removed") {
		t.Fatalf("approval with a failing key: %v", err)
	}
	a, _ := f.ra.Get(rc.Number)
	if a.State != ra.Failed || !strings.Contains(a.Reason, "token removed") {
		t.Fatalf("after the failure: %s %q", a.State, a.Reason)
	}
	d, err := f.ra.Approve(rc.Number, "petrov", ra.ApproveOptions{})
	if err != nil || d.Certificate == nil || d.Application.State != ra.Issued || d.Application.Reason != "" {
		t.Fatalf("retry: %+v, %v", d, err)
	}
}
