package ra_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/ca/ra"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/store"
)

// TestNotifier: every change the applicant hears of puts one Russian
// message into the outbox, in the change's transaction; the others none.
func TestNotifier(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "ledger.db"), &store.Options{Notify: ra.Notifier(ra.MailConfig{
		StatusURL: func(n string) string { return "https://ca.example.ru/status/" + n },
	})})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f := &fixture{clock: catest.NewClock(now), db: db, params: gost3410.ParamsCryptoProA()}
	f.ca = catest.NewRoot(t, catest.WithClock(f.clock), catest.WithLedger(db))
	f.ra, err = ra.New(db, f.ca, ra.Config{Clock: f.clock.Now, CodeKey: bytes.Repeat([]byte{7}, 32), SignTool: "СКЗИ"})
	if err != nil {
		t.Fatal(err)
	}
	f.csr, _ = catest.NewCSR(t, f.params, cert.Name{CommonName: "x"})
	rc, c, _ := f.issued(t, ca.ProfileQualified) // two approvals
	other, err := f.ra.Submit(f.submission(t, ca.ProfileSignature))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ra.Reject(other.Number, "petrov", "скан паспорта нечитаем"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ra.ReportLost(rc.Number, "кодовое слово"); err != nil {
		t.Fatal(err)
	}
	if err := f.ca.Release(c.SerialNumber); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(c.NotAfter.Add(-6 * 24 * time.Hour))
	if n, err := ra.Reminders(db, f.clock.Now()); err != nil || n != 1 {
		t.Fatalf("reminders: %d, %v", n, err)
	}
	if n, _ := ra.Reminders(db, f.clock.Now()); n != 0 {
		t.Fatalf("the same reminder twice: %d", n)
	}
	mails, err := db.DueMail(f.clock.Now().AddDate(1, 0, 0), 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range mails {
		if m.To != "ivanov@example.ru" {
			t.Errorf("mail to %q", m.To)
		}
		got = append(got, m.Subject)
	}
	want := []string{"принята", "рассмотрени", "одобрена", "выпущен", "принята", "отклонена", "приостановлено", "возобновлено", "через 6 дней"}
	if len(got) != len(want) {
		t.Fatalf("%d mails:\n%s", len(got), strings.Join(got, "\n"))
	}
	for i, w := range want {
		if !strings.Contains(strings.ToLower(got[i]), w) {
			t.Errorf("mail %d: %q, want it to say %q", i, got[i], w)
		}
	}
	if !strings.Contains(mails[5].Body, "скан паспорта нечитаем") || !strings.Contains(mails[0].Body, "https://ca.example.ru/status/"+rc.Number) {
		t.Errorf("bodies:\n%s\n%s", mails[5].Body, mails[0].Body)
	}
}
