package store

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/streebog"
)

// testApp builds an application numbered from seq for the key keyID.
func testApp(keyID string, attachments ...Attachment) func(seq uint64) (*Application, error) {
	return testAppYear(2026, keyID, attachments...)
}

func testAppYear(year int, keyID string, attachments ...Attachment) func(seq uint64) (*Application, error) {
	return func(seq uint64) (*Application, error) {
		return &Application{
			Number: fmt.Sprintf("%d-%06d", year, seq), State: "submitted", Open: true,
			KeyID: []byte(keyID), Data: []byte(`{"applicant":"x"}`), Attachments: attachments,
		}, nil
	}
}

// mailer is a Notifier that writes one mail per change, naming it.
func mailer(tx Tx, e AuditEntry, app *Application) []Mail {
	return []Mail{{To: "a@example.ru", Subject: e.Op + " " + app.Number + " " + app.State, Body: e.Detail}}
}

func openNotified(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "ledger.db"), &Options{Notify: mailer})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestApplicationLifecycle(t *testing.T) {
	db := openNotified(t)
	scan := []byte("%PDF-1.4 scan")
	a, err := db.SubmitApplication(t0, [][]byte{scan}, testApp("key-1", Attachment{Name: "passport.pdf", Type: "application/pdf"}))
	if err != nil {
		t.Fatal(err)
	}
	if a.Number != "2026-000001" || a.Version != 1 || a.Attachments[0].Size != int64(len(scan)) || a.Attachments[0].Hash != streebog.Sum256(scan) {
		t.Fatalf("submitted: %+v", a)
	}
	if got, err := db.Attachment(a.Attachments[0].Hash); err != nil || string(got) != string(scan) {
		t.Fatalf("Attachment: %q, %v", got, err)
	}
	b, err := db.SubmitApplication(t0, nil, testApp("key-2"))
	if err != nil || b.Number != "2026-000002" {
		t.Fatalf("second: %v, %v", b, err)
	}
	// A new year numbers from 1 again.
	c, err := db.SubmitApplication(t0.AddDate(1, 0, 0), nil, testAppYear(2027, "key-3"))
	if err != nil || c.Number != "2027-000001" {
		t.Fatalf("next year: %v, %v", c, err)
	}

	// A change, then a refused change: nothing written for the latter.
	up, err := db.UpdateApplication(a.Number, t0.Add(time.Hour), func(x *Application) (*Update, error) {
		x.State = "approved"
		x.Data = []byte(`{"approved":true}`)
		return &Update{Detail: `by="ivanov"`}, nil
	})
	if err != nil || up.State != "approved" || up.Version != 2 || !up.UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("update: %+v, %v", up, err)
	}
	refuse := errors.New("refused")
	if _, err := db.UpdateApplication(a.Number, t0, func(x *Application) (*Update, error) {
		x.State = "broken"
		return nil, refuse
	}); err != refuse {
		t.Fatalf("refused update: %v", err)
	}
	if got, _ := db.Application(a.Number); got.State != "approved" || got.Version != 2 {
		t.Fatalf("after refused update: %+v", got)
	}
	if _, err := db.UpdateApplication("2026-999999", t0, func(*Application) (*Update, error) { return &Update{}, nil }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown number: %v", err)
	}

	// Issuing links both ways; a second certificate for it is refused.
	r := newRecord(10)
	r.SubjectKeyID = []byte("key-1")
	r.Application = a.Number
	issue(t, db, r)
	if got, _ := db.Application(a.Number); got.Serial == nil || got.Serial.Int64() != 10 {
		t.Fatalf("application's serial: %+v", got)
	}
	if rec, _ := db.Get(serial(10)); rec.Application != a.Number {
		t.Fatalf("record's application: %q", rec.Application)
	}
	r2 := newRecord(11)
	r2.Application = a.Number
	if err := db.Reserve(r2, t0); !errors.Is(err, ErrExists) {
		t.Fatalf("second certificate for one application: %v", err)
	}
	// The key is certified now: once the application is closed, a new
	// application for it is still refused.
	if _, err := db.UpdateApplication(a.Number, t0, func(x *Application) (*Update, error) {
		x.State, x.Open = "issued", false
		return &Update{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SubmitApplication(t0, nil, testApp("key-1")); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "certified") {
		t.Fatalf("certified key: %v", err)
	}
	// So is one for the key of an open application, until it closes.
	if _, err := db.SubmitApplication(t0, nil, testApp("key-2")); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "2026-000002") {
		t.Fatalf("key of an open application: %v", err)
	}
	if _, err := db.UpdateApplication(b.Number, t0, func(x *Application) (*Update, error) {
		x.State, x.Open = "rejected", false
		return &Update{Detail: `why="no"`}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SubmitApplication(t0, nil, testApp("key-2")); err != nil {
		t.Fatalf("key of a closed application: %v", err)
	}
	if _, err := db.UpdateApplication(b.Number, t0, func(x *Application) (*Update, error) {
		x.Open = true
		return &Update{}, nil
	}); !errors.Is(err, ErrState) {
		t.Fatalf("reopening: %v", err)
	}
	// Revoking the application's certificate tells its applicant.
	if err := db.Revoke(Revocation{Serial: serial(10), Time: t0, Reason: cert.ReasonCertificateHold}, t0); err != nil {
		t.Fatal(err)
	}

	var subjects []string
	due, err := db.DueMail(t0.AddDate(2, 0, 0), 100)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(due, func(a, b Mail) int { return cmp.Compare(a.ID, b.ID) })
	for _, m := range due {
		subjects = append(subjects, m.Subject)
	}
	want := []string{
		"submit 2026-000001 submitted", "submit 2026-000002 submitted", "submit 2027-000001 submitted",
		"application 2026-000001 approved", "reserve 2026-000001 approved", "complete 2026-000001 approved",
		"application 2026-000001 issued", "application 2026-000002 rejected", "submit 2026-000003 submitted",
		"hold 2026-000001 issued",
	}
	if strings.Join(subjects, "\n") != strings.Join(want, "\n") {
		t.Errorf("mails:\n%s\nwant:\n%s", strings.Join(subjects, "\n"), strings.Join(want, "\n"))
	}
	var all []string
	for app, err := range db.Applications() {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, app.Number+" "+app.State)
	}
	if strings.Join(all, ",") != "2026-000001 issued,2026-000002 rejected,2026-000003 submitted,2027-000001 submitted" {
		t.Errorf("Applications: %v", all)
	}
	if err := db.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
}

func TestOutbox(t *testing.T) {
	db := openNotified(t)
	for i := range 3 {
		if _, err := db.SubmitApplication(t0.Add(time.Duration(i)*time.Second), nil, testApp(fmt.Sprint("k", i))); err != nil {
			t.Fatal(err)
		}
	}
	due, err := db.DueMail(t0.Add(time.Second), 10)
	if err != nil || len(due) != 2 {
		t.Fatalf("due at +1s: %d, %v", len(due), err)
	}
	if err := db.MailSent(due[0].ID, t0.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := db.MailFailed(due[1].ID, t0.Add(time.Minute), "421 try later", t0.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	due, _ = db.DueMail(t0.Add(10*time.Second), 10)
	if len(due) != 1 || due[0].ID != 3 {
		t.Fatalf("due at +10s: %+v", due)
	}
	due, _ = db.DueMail(t0.Add(time.Hour), 10)
	if len(due) != 2 || due[0].ID != 3 || due[1].ID != 2 || due[1].Attempts != 1 || due[1].LastError != "421 try later" {
		t.Fatalf("due at +1h: %+v", due)
	}
	// Given up: never due again.
	if err := db.MailGaveUp(2, "550 no such user", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.DueMail(t0.AddDate(1, 0, 0), 10); len(due) != 1 || due[0].ID != 3 {
		t.Fatalf("after giving up: %+v", due)
	}
	// Sent twice changes nothing; an unknown mail is not found.
	if err := db.MailSent(1, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.MailSent(99, t0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown mail: %v", err)
	}
	// Nothing is queued without a notifier.
	plain := openTest(t)
	if _, err := plain.SubmitApplication(t0, nil, testApp("k")); err != nil {
		t.Fatal(err)
	}
	if due, _ := plain.DueMail(t0.AddDate(1, 0, 0), 10); len(due) != 0 {
		t.Fatalf("without notifier: %+v", due)
	}
}

func TestRemind(t *testing.T) {
	db := openNotified(t)
	a, err := db.SubmitApplication(t0, nil, testApp("key"))
	if err != nil {
		t.Fatal(err)
	}
	r := newRecord(5)
	r.Application = a.Number
	issue(t, db, r)
	for i, want := range []bool{true, false} {
		if ok, err := db.Remind(serial(5), 30, t0); err != nil || ok != want {
			t.Fatalf("Remind #%d: %v, %v", i, ok, err)
		}
	}
	if ok, err := db.Remind(serial(5), 7, t0); err != nil || !ok {
		t.Fatalf("Remind 7: %v, %v", ok, err)
	}
	issue(t, db, newRecord(6))
	if _, err := db.Remind(serial(6), 30, t0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("certificate without application: %v", err)
	}
	due, _ := db.DueMail(t0, 100)
	n := 0
	for _, m := range due {
		if strings.HasPrefix(m.Subject, "remind") {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d reminders queued, want 2", n)
	}
}

func TestApplicationRefused(t *testing.T) {
	db := openTest(t)
	tests := []struct {
		name  string
		blobs [][]byte
		build func(uint64) (*Application, error)
		want  error
	}{
		{"no key", nil, func(seq uint64) (*Application, error) {
			return &Application{Number: "n", State: "s"}, nil
		}, ErrInvalid},
		{"no number", nil, func(seq uint64) (*Application, error) {
			return &Application{State: "s", KeyID: []byte("k")}, nil
		}, ErrInvalid},
		{"contents without attachments", [][]byte{[]byte("x")}, testApp("k"), ErrInvalid},
		{"build fails", nil, func(uint64) (*Application, error) { return nil, errMalformed }, errMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := db.SubmitApplication(t0, tt.blobs, tt.build); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	for range db.Applications() {
		t.Fatal("an application was recorded")
	}
}

func FuzzDecodeApplication(f *testing.F) {
	a := &Application{Number: "2026-000001", State: "submitted", Open: true, KeyID: []byte("k"), Data: []byte("{}"),
		Attachments: []Attachment{{Name: "a.pdf", Type: "application/pdf", Size: 3}}}
	v, err := encodeApplication(a)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(v)
	m, _ := encodeMail(&Mail{ID: 1, To: "a@b", Subject: "s", Body: "b"})
	f.Add(m)
	f.Fuzz(func(t *testing.T, v []byte) {
		if a, err := decodeApplication(v); err == nil {
			w, err := encodeApplication(a)
			if err != nil || string(w) != string(v) {
				t.Fatalf("application does not re-encode: %v", err)
			}
		}
		if m, err := decodeMail(v); err == nil {
			w, err := encodeMail(m)
			if err != nil || string(w) != string(v) {
				t.Fatalf("mail does not re-encode: %v", err)
			}
		}
	})
}

// TestBackupCarriesApplications: a backup restored holds the applications
// and their attachments, checked against their hashes.
func TestBackupCarriesApplications(t *testing.T) {
	db := openTest(t)
	scan := []byte("%PDF-1.4 a scan")
	a, err := db.SubmitApplication(t0, [][]byte{scan}, testApp("key", Attachment{Name: "scan.pdf", Type: "application/pdf"}))
	if err != nil {
		t.Fatal(err)
	}
	var backup bytes.Buffer
	if _, err := db.WriteTo(&backup); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "restored.db")
	if err := Restore(path, &backup); err != nil {
		t.Fatal(err)
	}
	restored, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	got, err := restored.Application(a.Number)
	if err != nil || got.Attachments[0].Hash != a.Attachments[0].Hash {
		t.Fatalf("restored application: %+v, %v", got, err)
	}
	if data, err := restored.Attachment(got.Attachments[0].Hash); err != nil || !bytes.Equal(data, scan) {
		t.Fatalf("restored attachment: %q, %v", data, err)
	}
}
