package ra

import (
	"encoding/json"
	"iter"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/gostca/gostca/ca/notify"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/store"
)

// MailConfig says what the applicant's messages link to.
type MailConfig struct {
	// StatusURL, if set, returns the address where the applicant follows
	// the application number.
	StatusURL func(number string) string
	// Downloads, if set, returns the addresses of the certificate's
	// downloads for the application number.
	Downloads func(number string) []string
}

// Notifier returns the ledger's Notifier (store.Options.Notify) that tells
// the applicant, by e-mail in Russian, of every change of their
// application (submitted, taken up, approved, rejected with the reason,
// cancelled, expired, issued with what to download) and of their
// certificate (held, released, revoked, expiry reminders). The messages go
// into the outbox in the change's transaction; a change the applicant need
// not hear of (a serial reserved, a first approval of two) makes none.
func Notifier(cfg MailConfig) store.Notifier {
	return func(tx store.Tx, e store.AuditEntry, app *store.Application) []store.Mail {
		var doc Document
		if json.Unmarshal(app.Data, &doc) != nil || doc.Applicant.Email == "" {
			return nil
		}
		ev := notify.Event{Number: app.Number, Name: doc.Applicant.FullName()}
		if cfg.StatusURL != nil {
			ev.StatusURL = cfg.StatusURL(app.Number)
		}
		switch e.Op {
		case store.OpSubmit:
			ev.Kind = notify.Submitted
		case store.OpApplication:
			from, _ := detailField(e.Detail, "from")
			if from == app.State {
				return nil // an approval recorded, waiting for the second
			}
			switch State(app.State) {
			case InReview:
				ev.Kind = notify.InReview
			case Approved:
				ev.Kind = notify.Approved
			case Rejected:
				ev.Kind, ev.Reason = notify.Rejected, doc.Reason
			case Cancelled:
				ev.Kind = notify.Cancelled
			case Expired:
				ev.Kind = notify.Expired
			case Issued:
				ev.Kind = notify.Issued
				if !certificateEvent(tx, app.Serial, &ev) {
					return nil
				}
				if cfg.Downloads != nil {
					ev.Downloads = cfg.Downloads(app.Number)
				}
			default:
				return nil // failed: the operator's business
			}
		case store.OpHold, store.OpRelease, store.OpRevoke, store.OpRemind:
			if !certificateEvent(tx, e.Serial, &ev) {
				return nil
			}
			switch e.Op {
			case store.OpHold:
				ev.Kind = notify.Held
			case store.OpRelease:
				ev.Kind = notify.Released
			case store.OpRevoke:
				ev.Kind = notify.Revoked
				if rec, err := tx.Get(e.Serial); err == nil && rec.Revocation != nil {
					ev.Reason = reasonWords(rec.Revocation.Reason)
				}
			case store.OpRemind:
				// The days left when the reminder was queued, at most its mark.
				ev.Kind = notify.Reminder
				ev.DaysLeft = max(1, int(ev.NotAfter.Sub(e.Time).Hours()/24+0.5))
				if days, ok := detailField(e.Detail, "days"); ok {
					if n, err := strconv.Atoi(days); err == nil {
						ev.DaysLeft = min(ev.DaysLeft, n)
					}
				}
			}
		default:
			return nil
		}
		m, err := notify.Render(doc.Applicant.Email, ev)
		if err != nil {
			return nil
		}
		return []store.Mail{{To: m.To, Subject: m.Subject, Body: m.Body}}
	}
}

// certificateEvent fills ev with the certificate serial's serial and
// notAfter.
func certificateEvent(tx store.Tx, serial *big.Int, ev *notify.Event) bool {
	if serial == nil {
		return false
	}
	rec, err := tx.Get(serial)
	if err != nil {
		return false
	}
	ev.Serial, ev.NotAfter = FormatSerial(serial), rec.NotAfter
	return true
}

// detailField returns the value of key=value in an audit detail.
func detailField(detail, key string) (string, bool) {
	for _, f := range strings.Fields(detail) {
		if v, ok := strings.CutPrefix(f, key+"="); ok {
			return v, true
		}
	}
	return "", false
}

// reasonWords is a revocation reason in Russian words.
func reasonWords(r cert.ReasonCode) string {
	switch r {
	case cert.ReasonKeyCompromise:
		return "компрометация ключа"
	case cert.ReasonCACompromise:
		return "компрометация ключа удостоверяющего центра"
	case cert.ReasonAffiliationChanged:
		return "изменение сведений о владельце"
	case cert.ReasonSuperseded:
		return "сертификат заменён новым"
	case cert.ReasonCessationOfOperation:
		return "прекращение деятельности"
	case cert.ReasonPrivilegeWithdrawn:
		return "отзыв полномочий"
	}
	return "по решению удостоверяющего центра"
}

// MailLedger is the ledger's outbox, as *store.DB and *store.Shared keep it.
type MailLedger interface {
	DueMail(now time.Time, limit int) ([]store.Mail, error)
	MailSent(id uint64, at time.Time) error
	MailFailed(id uint64, next time.Time, reason string, at time.Time) error
	MailGaveUp(id uint64, reason string, at time.Time) error
}

// Outbox returns the ledger's outbox as a notify.Outbox, for a
// notify.Deliverer.
func Outbox(l MailLedger) notify.Outbox { return outbox{l} }

type outbox struct{ l MailLedger }

func (o outbox) Due(now time.Time, limit int) ([]notify.Queued, error) {
	mails, err := o.l.DueMail(now, limit)
	out := make([]notify.Queued, len(mails))
	for i, m := range mails {
		out[i] = notify.Queued{Message: notify.Message{ID: m.ID, To: m.To, Subject: m.Subject, Body: m.Body}, Attempts: m.Attempts}
	}
	return out, err
}

func (o outbox) Sent(id uint64, at time.Time) error { return o.l.MailSent(id, at) }

func (o outbox) Failed(id uint64, next time.Time, reason string, at time.Time) error {
	return o.l.MailFailed(id, next, reason, at)
}

func (o outbox) GaveUp(id uint64, reason string, at time.Time) error {
	return o.l.MailGaveUp(id, reason, at)
}

// RemindLedger is what Reminders needs of the ledger: *store.DB and
// *store.Shared have it.
type RemindLedger interface {
	Expiring(from, to time.Time) iter.Seq2[*store.Record, error]
	Remind(serial *big.Int, days int, at time.Time) (bool, error)
}

// Reminders queues the expiry reminders due at now: for each certificate
// issued for an application that expires within 30, 7 or 1 days, the
// reminder of the nearest of those marks, once (store.DB.Remind). It
// returns how many it queued.
func Reminders(l RemindLedger, now time.Time) (int, error) {
	n := 0
	for rec, err := range l.Expiring(now, now.Add(30*24*time.Hour)) {
		if err != nil {
			return n, err
		}
		if rec.Application == "" || rec.Status != store.StatusGood {
			continue
		}
		left := rec.NotAfter.Sub(now)
		mark := 30
		for _, d := range []int{7, 1} {
			if left <= time.Duration(d)*24*time.Hour {
				mark = d
			}
		}
		ok, err := l.Remind(rec.Serial, mark, now)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}
