package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"iter"
	"math/big"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/cryptobyte"

	"github.com/gostca/gostca/crypto/streebog"
)

// Application is an application for a certificate as the registration
// authority (package ca/ra) keeps it. The ledger keeps what it indexes and
// checks itself — the number, the state, the requested key, the linked
// certificate, the deadline, the attachments' hashes — and the rest as the
// RA's document, Data, which it stores but does not read. Applications
// returned by the store are copies.
type Application struct {
	// Number is the application's number, from the build function of
	// SubmitApplication; it never changes.
	Number string
	// State is the RA's name of the application's state.
	State string
	// Open says no decision has ended the application: while open, its key
	// cannot be in another application.
	Open bool
	// KeyID identifies the requested key (its subject key identifier); a
	// key that is certified already, or in another open application, is
	// refused at submission.
	KeyID []byte
	// Serial is the certificate issued for the application: set by Reserve
	// of a Record naming the application, nil before.
	Serial *big.Int
	// Deadline is when an open application expires; zero means never.
	Deadline time.Time
	// Attachments are the scans sent with the application, kept by their
	// Streebog-256 hash (see DB.Attachment).
	Attachments []Attachment
	// Data is the RA's document (the applicant, the request, the history).
	Data []byte
	// CreatedAt and UpdatedAt are the times of the submission and of the
	// last write; Version counts the writes (1 after submission).
	CreatedAt, UpdatedAt time.Time
	Version              uint64
}

// Attachment is a file sent with an application: its name, media type and
// size as the RA recorded them, and the Streebog-256 hash of its content,
// under which the ledger keeps the content once whatever the number of
// applications that carry it.
type Attachment struct {
	Name string
	Type string
	Size int64
	Hash [32]byte
}

// Mail is a message in the ledger's outbox: written in the same
// transaction as the change it tells of, then delivered (MailSent) or
// retried (MailFailed) by a deliverer.
type Mail struct {
	ID          uint64 // assigned by the ledger, increasing
	To, Subject string
	Body        string
	Attempts    int       // failed deliveries so far
	Next        time.Time // when to try (again); zero once sent
	LastError   string
	CreatedAt   time.Time
	SentAt      time.Time // zero until delivered
	GaveUpAt    time.Time // set when delivery was given up
	Seq         uint64    // the change that made it
	Application string    // the application it concerns, if any
}

// Notifier returns the messages a change calls for: it is called inside
// the write transaction of every change that concerns an application (the
// application written, or the certificate of one: reserved, completed,
// revoked, held, released), with a view of the ledger as the transaction
// sees it, the change's audit entry, and the application after the change.
// The messages it returns go into the outbox in that same transaction, so
// a message exists exactly when its change is committed. It must not
// retain tx, and must be deterministic (a batched write may be run twice).
type Notifier func(tx Tx, e AuditEntry, app *Application) []Mail

// The audit operations of applications and of the outbox.
const (
	OpSubmit      = "submit"      // an application recorded
	OpApplication = "application" // an application changed (Detail says how)
	OpRemind      = "remind"      // an expiry reminder queued for a certificate
)

// Limits the ledger puts on applications.
const (
	maxAttachments    = 16
	maxApplicationLen = 1<<24 - 1 // Data, and each attachment
	maxAppText        = 255
)

// Bucket names of the registration authority's data, created on the first
// read-write open of a ledger (older files of schema version 1 lack them
// until then).
//
//	apps          number → application
//	appseq        year (4 bytes) → the last sequence number given that year
//	idx-appkey    len ‖ keyID → number, while the application is open
//	blobs         Streebog-256 hash → attachment content
//	outbox        id → mail
//	outbox-due    sortable next ‖ id → (empty), mails not sent
//	reminders     serial key ‖ days (2 bytes) → seq of the reminder
var (
	bucketApps      = []byte("apps")
	bucketAppSeq    = []byte("appseq")
	bucketAppKey    = []byte("idx-appkey")
	bucketBlobs     = []byte("blobs")
	bucketOutbox    = []byte("outbox")
	bucketDue       = []byte("outbox-due")
	bucketReminders = []byte("reminders")
	raBuckets       = [][]byte{bucketApps, bucketAppSeq, bucketAppKey, bucketBlobs, bucketOutbox, bucketDue, bucketReminders}
)

const (
	applicationVersion = 1
	mailVersion        = 1
)

func encodeApplication(a *Application) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint8(applicationVersion)
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(a.Number)) })
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(a.State)) })
	addBool(&b, a.Open)
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(a.KeyID) })
	addOptInt(&b, a.Serial)
	addTime(&b, a.Deadline)
	b.AddUint8(uint8(len(a.Attachments)))
	for _, at := range a.Attachments {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(at.Name)) })
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(at.Type)) })
		b.AddUint64(uint64(at.Size))
		b.AddBytes(at.Hash[:])
	}
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(a.Data) })
	addTime(&b, a.CreatedAt)
	addTime(&b, a.UpdatedAt)
	b.AddUint64(a.Version)
	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("store: encoding application %q: a field is too long: %w", a.Number, ErrInvalid)
	}
	return out, nil
}

func decodeApplication(v []byte) (*Application, error) {
	s := cryptobyte.String(v)
	var (
		a                        Application
		version, n               uint8
		number, state, kid, data cryptobyte.String
		bad                      = fmt.Errorf("decoding application: %w", errMalformed)
	)
	if !s.ReadUint8(&version) || version != applicationVersion ||
		!s.ReadUint8LengthPrefixed(&number) || len(number) == 0 ||
		!s.ReadUint8LengthPrefixed(&state) ||
		!readBool(&s, &a.Open) ||
		!s.ReadUint8LengthPrefixed(&kid) ||
		!readOptInt(&s, &a.Serial) || (a.Serial != nil && a.Serial.Sign() == 0) ||
		!readTime(&s, &a.Deadline) ||
		!s.ReadUint8(&n) || n > maxAttachments {
		return nil, bad
	}
	for range n {
		var name, typ cryptobyte.String
		var size uint64
		var sum []byte
		if !s.ReadUint8LengthPrefixed(&name) || !s.ReadUint8LengthPrefixed(&typ) ||
			!s.ReadUint64(&size) || size > maxApplicationLen || !s.ReadBytes(&sum, 32) {
			return nil, bad
		}
		at := Attachment{Name: string(name), Type: string(typ), Size: int64(size)}
		copy(at.Hash[:], sum)
		a.Attachments = append(a.Attachments, at)
	}
	if !s.ReadUint24LengthPrefixed(&data) ||
		!readTime(&s, &a.CreatedAt) || !readTime(&s, &a.UpdatedAt) || !s.ReadUint64(&a.Version) || !s.Empty() {
		return nil, bad
	}
	a.Number, a.State = string(number), string(state)
	a.KeyID = cloneBytes(kid)
	a.Data = cloneBytes(data)
	return &a, nil
}

func encodeMail(m *Mail) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint8(mailVersion)
	b.AddUint64(m.ID)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(m.To)) })
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(m.Subject)) })
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(m.Body)) })
	b.AddUint32(uint32(m.Attempts))
	addTime(&b, m.Next)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(m.LastError)) })
	addTime(&b, m.CreatedAt)
	addTime(&b, m.SentAt)
	addTime(&b, m.GaveUpAt)
	b.AddUint64(m.Seq)
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(m.Application)) })
	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("store: encoding mail to %q: a field is too long: %w", m.To, ErrInvalid)
	}
	return out, nil
}

func decodeMail(v []byte) (*Mail, error) {
	s := cryptobyte.String(v)
	var (
		m                         Mail
		version                   uint8
		to, subject, body, lastEr cryptobyte.String
		app                       cryptobyte.String
		attempts                  uint32
	)
	if !s.ReadUint8(&version) || version != mailVersion || !s.ReadUint64(&m.ID) ||
		!s.ReadUint16LengthPrefixed(&to) || !s.ReadUint16LengthPrefixed(&subject) ||
		!s.ReadUint24LengthPrefixed(&body) || !s.ReadUint32(&attempts) ||
		!readTime(&s, &m.Next) || !s.ReadUint16LengthPrefixed(&lastEr) ||
		!readTime(&s, &m.CreatedAt) || !readTime(&s, &m.SentAt) || !readTime(&s, &m.GaveUpAt) || !s.ReadUint64(&m.Seq) ||
		!s.ReadUint8LengthPrefixed(&app) || !s.Empty() {
		return nil, fmt.Errorf("decoding mail: %w", errMalformed)
	}
	m.To, m.Subject, m.Body, m.LastError = string(to), string(subject), string(body), string(lastEr)
	m.Attempts = int(attempts)
	m.Application = string(app)
	return &m, nil
}

// appKeyIndex is the key of an open application's key in idx-appkey.
func appKeyIndex(keyID []byte) []byte {
	return append([]byte{byte(len(keyID))}, keyID...)
}

func loadApplication(tx *bolt.Tx, number string) (*Application, error) {
	b := tx.Bucket(bucketApps)
	var v []byte
	if b != nil {
		v = b.Get([]byte(number))
	}
	if v == nil {
		return nil, fmt.Errorf("store: application %q: %w", number, ErrNotFound)
	}
	a, err := decodeApplication(v)
	if err != nil {
		return nil, fmt.Errorf("store: reading application %q: %w", number, err)
	}
	return a, nil
}

func putApplication(tx *bolt.Tx, a *Application) error {
	v, err := encodeApplication(a)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketApps).Put([]byte(a.Number), v); err != nil {
		return fmt.Errorf("store: writing application %q: %w", a.Number, err)
	}
	return nil
}

// checkApplication checks what the ledger itself relies on.
func checkApplication(a *Application) error {
	switch {
	case a == nil:
		return fmt.Errorf("store: no application: %w", ErrInvalid)
	case a.Number == "" || len(a.Number) > maxAppText:
		return fmt.Errorf("store: application number %q: empty or too long: %w", a.Number, ErrInvalid)
	case a.State == "" || len(a.State) > maxAppText:
		return fmt.Errorf("store: application %q: state %q: empty or too long: %w", a.Number, a.State, ErrInvalid)
	case len(a.Attachments) > maxAttachments:
		return fmt.Errorf("store: application %q: %d attachments, at most %d: %w", a.Number, len(a.Attachments), maxAttachments, ErrInvalid)
	case len(a.Data) > maxApplicationLen:
		return fmt.Errorf("store: application %q: document of %d bytes, at most %d: %w", a.Number, len(a.Data), maxApplicationLen, ErrInvalid)
	}
	if err := checkKeyID("requested key identifier", a.KeyID, true); err != nil {
		return err
	}
	for _, at := range a.Attachments {
		if len(at.Name) > maxAppText || len(at.Type) > maxAppText {
			return fmt.Errorf("store: application %q: attachment name or type too long: %w", a.Number, ErrInvalid)
		}
	}
	return nil
}

// cloneApplication returns a deep copy of a.
func cloneApplication(a *Application) *Application {
	c := *a
	c.KeyID = cloneBytes(a.KeyID)
	c.Data = cloneBytes(a.Data)
	c.Attachments = append([]Attachment(nil), a.Attachments...)
	if a.Serial != nil {
		c.Serial = new(big.Int).Set(a.Serial)
	}
	return &c
}

// SubmitApplication records a new application with its attachments'
// contents (blobs[i] is the content of the application's Attachments[i]).
// build makes the application from the next sequence number of the year of
// at (1, 2, ... every year), which it turns into the Number; it may be run
// more than once and must depend on nothing else. The ledger computes each
// attachment's Size and Hash from its blob, and sets Version, CreatedAt
// and UpdatedAt.
//
// It refuses, with an error wrapping ErrExists and nothing recorded, a
// KeyID that a certificate in the ledger certifies (whatever its state,
// revoked ones included: a key is certified once) or that another open
// application requests, and a Number used before.
func (db *DB) SubmitApplication(at time.Time, blobs [][]byte, build func(seq uint64) (*Application, error)) (*Application, error) {
	hashes, err := hashAttachments(blobs)
	if err != nil {
		return nil, err
	}
	var out *Application
	err = db.batch("submitting an application", nil, func(tx *bolt.Tx) error {
		year := binary.BigEndian.AppendUint32(nil, uint32(at.Year()))
		seqs := tx.Bucket(bucketAppSeq)
		var seq uint64
		if v := seqs.Get(year); len(v) == 8 {
			seq = binary.BigEndian.Uint64(v)
		}
		seq++
		a, err := build(seq)
		if err != nil {
			return err
		}
		if err := checkApplication(a); err != nil {
			return err
		}
		if len(a.Attachments) != len(blobs) {
			return fmt.Errorf("store: application %q: %d attachments, %d contents: %w", a.Number, len(a.Attachments), len(blobs), ErrInvalid)
		}
		a = cloneApplication(a)
		a.Serial = nil
		a.CreatedAt, a.UpdatedAt, a.Version = at, at, 1
		if tx.Bucket(bucketApps).Get([]byte(a.Number)) != nil {
			return fmt.Errorf("store: application %q: %w", a.Number, ErrExists)
		}
		if err := keyFree(tx, a.KeyID); err != nil {
			return err
		}
		if err := seqs.Put(year, binary.BigEndian.AppendUint64(nil, seq)); err != nil {
			return fmt.Errorf("store: numbering application: %w", err)
		}
		for i := range a.Attachments {
			a.Attachments[i].Hash = hashes[i]
			a.Attachments[i].Size = int64(len(blobs[i]))
			if blob := tx.Bucket(bucketBlobs); blob.Get(hashes[i][:]) == nil {
				if err := blob.Put(hashes[i][:], blobs[i]); err != nil {
					return fmt.Errorf("store: writing attachment of %q: %w", a.Number, err)
				}
			}
		}
		if a.Open {
			if err := tx.Bucket(bucketAppKey).Put(appKeyIndex(a.KeyID), []byte(a.Number)); err != nil {
				return fmt.Errorf("store: indexing application %q: %w", a.Number, err)
			}
		}
		if err := putApplication(tx, a); err != nil {
			return err
		}
		detail := fmt.Sprintf("application=%s state=%s key=%x attachments=%d", a.Number, a.State, a.KeyID, len(a.Attachments))
		if _, err := db.changed(tx, at, OpSubmit, nil, detail, a); err != nil {
			return err
		}
		out = cloneApplication(a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// keyFree returns an error wrapping ErrExists if keyID is certified in the
// ledger or requested by an open application.
func keyFree(tx *bolt.Tx, keyID []byte) error {
	if n := tx.Bucket(bucketAppKey).Get(appKeyIndex(keyID)); n != nil {
		return fmt.Errorf("store: key %x: requested by open application %s: %w", keyID, n, ErrExists)
	}
	prefix := skiPrefix(keyID)
	k, _ := tx.Bucket(bucketSKI).Cursor().Seek(prefix)
	if k != nil && bytes.HasPrefix(k, prefix) {
		if serial, ok := parseSerialKey(k[len(prefix):]); ok {
			return fmt.Errorf("store: key %x: already certified (serial 0x%x): %w", keyID, serial, ErrExists)
		}
	}
	return nil
}

// Update is what a change of an application says of itself: Detail goes
// into the audit entry (after the application's number and states), e.g.
// `by="ivanov" why="..."`.
type Update struct {
	Detail string
}

// UpdateApplication changes the application number in one transaction: fn
// gets a copy of the application as the transaction sees it, changes it
// (its State, Open, Deadline and Data; the other fields are the ledger's)
// and returns the Update to audit. fn returning an error, or a nil Update
// (nothing to change), writes nothing, and its error is returned as is. fn
// may be run more than once and must depend only on the application it is
// given. An application that closes (Open becoming false) frees its key;
// one cannot reopen.
func (db *DB) UpdateApplication(number string, at time.Time, fn func(a *Application) (*Update, error)) (*Application, error) {
	var out *Application
	err := db.batch("updating application "+number, nil, func(tx *bolt.Tx) error {
		cur, err := loadApplication(tx, number)
		if err != nil {
			return err
		}
		next := cloneApplication(cur)
		u, err := fn(next)
		if err != nil || u == nil {
			out = cur
			return err
		}
		next.Number, next.KeyID, next.Serial, next.Attachments = cur.Number, cur.KeyID, cur.Serial, cur.Attachments
		next.CreatedAt = cur.CreatedAt
		if next.Open && !cur.Open {
			return fmt.Errorf("store: application %q: a closed application cannot reopen: %w", number, ErrState)
		}
		if err := checkApplication(next); err != nil {
			return err
		}
		next.UpdatedAt, next.Version = at, cur.Version+1
		if cur.Open && !next.Open {
			if err := tx.Bucket(bucketAppKey).Delete(appKeyIndex(cur.KeyID)); err != nil {
				return fmt.Errorf("store: application %q: %w", number, err)
			}
		}
		if err := putApplication(tx, next); err != nil {
			return err
		}
		detail := fmt.Sprintf("application=%s from=%s to=%s", number, cur.State, next.State)
		if u.Detail != "" {
			detail += " " + u.Detail
		}
		if _, err := db.changed(tx, at, OpApplication, next.Serial, detail, next); err != nil {
			return err
		}
		out = cloneApplication(next)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Application returns the application number, or an error wrapping
// ErrNotFound.
func (db *DB) Application(number string) (*Application, error) {
	var a *Application
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		a, err = loadApplication(tx, number)
		return err
	})
	return a, err
}

// Applications returns every application, in the order of their numbers.
// Like All, it reads a page at a time and is not a snapshot.
func (db *DB) Applications() iter.Seq2[*Application, error] {
	return pages(db, bucketApps, func(tx *bolt.Tx, k, v []byte) (*Application, bool, error) {
		a, err := decodeApplication(v)
		if err != nil {
			return nil, false, fmt.Errorf("store: reading application %q: %w", k, err)
		}
		return a, true, nil
	})
}

// Attachment returns the content of the attachment with the Streebog-256
// hash sum, checked against it, or an error wrapping ErrNotFound.
func (db *DB) Attachment(sum [32]byte) ([]byte, error) {
	var out []byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var v []byte
		if b := tx.Bucket(bucketBlobs); b != nil {
			v = b.Get(sum[:])
		}
		if v == nil {
			return fmt.Errorf("store: attachment %x: %w", sum[:8], ErrNotFound)
		}
		if streebog.Sum256(v) != sum {
			return fmt.Errorf("store: attachment %x: content does not match its hash: %w", sum[:8], errMalformed)
		}
		out = cloneBytes(v)
		return nil
	})
	return out, err
}

// changed appends the audit entry of a change and, when the ledger has a
// Notifier and the change concerns an application, queues the messages it
// returns, all in tx.
func (db *DB) changed(tx *bolt.Tx, at time.Time, op string, serial *big.Int, detail string, app *Application) (uint64, error) {
	e, err := appendAuditEntry(tx, at, op, serial, detail)
	if err != nil {
		return 0, err
	}
	if db.notify == nil || app == nil {
		return e.Seq, nil
	}
	for _, m := range db.notify(&boltTx{tx: tx}, e, cloneApplication(app)) {
		m.Seq, m.Application, m.CreatedAt, m.Next = e.Seq, app.Number, at, at
		if m.To == "" {
			continue
		}
		if err := queueMail(tx, &m); err != nil {
			return 0, err
		}
	}
	return e.Seq, nil
}

// certChanged is changed for a write of the certificate rec: the
// application it was issued for, if any, is the change's.
func (db *DB) certChanged(tx *bolt.Tx, at time.Time, op string, rec *Record, detail string) (uint64, error) {
	var app *Application
	if rec.Application != "" && db.notify != nil {
		var err error
		if app, err = loadApplication(tx, rec.Application); err != nil {
			return 0, err
		}
	}
	return db.changed(tx, at, op, rec.Serial, detail, app)
}

func queueMail(tx *bolt.Tx, m *Mail) error {
	ob := tx.Bucket(bucketOutbox)
	id, err := ob.NextSequence()
	if err != nil {
		return fmt.Errorf("store: queueing mail: %w", err)
	}
	m.ID, m.Attempts, m.SentAt = id, 0, time.Time{}
	return putMail(tx, m, time.Time{})
}

// putMail writes m and moves it in the due index from its previous next
// attempt (zero for a new mail) to m.Next (out of it once sent).
func putMail(tx *bolt.Tx, m *Mail, prevNext time.Time) error {
	v, err := encodeMail(m)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketOutbox).Put(seqKey(m.ID), v); err != nil {
		return fmt.Errorf("store: writing mail %d: %w", m.ID, err)
	}
	due := tx.Bucket(bucketDue)
	if !prevNext.IsZero() {
		if err := due.Delete(dueKey(prevNext, m.ID)); err != nil {
			return fmt.Errorf("store: writing mail %d: %w", m.ID, err)
		}
	}
	if m.SentAt.IsZero() && m.GaveUpAt.IsZero() {
		if err := due.Put(dueKey(m.Next, m.ID), nil); err != nil {
			return fmt.Errorf("store: writing mail %d: %w", m.ID, err)
		}
	}
	return nil
}

// reminderKey is the key of a reminder: the serial's key, then the days.
func reminderKey(serialKey []byte, days int) []byte {
	return binary.BigEndian.AppendUint16(append(make([]byte, 0, len(serialKey)+2), serialKey...), uint16(days))
}

func dueKey(next time.Time, id uint64) []byte {
	return binary.BigEndian.AppendUint64(sortableTime(make([]byte, 0, timeLen+8), next), id)
}

// DueMail returns at most limit messages not yet delivered whose next
// attempt is at or before now, the most overdue first.
func (db *DB) DueMail(now time.Time, limit int) ([]Mail, error) {
	var out []Mail
	err := db.bolt.View(func(tx *bolt.Tx) error {
		due, ob := tx.Bucket(bucketDue), tx.Bucket(bucketOutbox)
		if due == nil {
			return nil
		}
		end := sortableTime(nil, now)
		c := due.Cursor()
		for k, _ := c.First(); k != nil && len(out) < limit; k, _ = c.Next() {
			if len(k) != timeLen+8 || string(k[:timeLen]) > string(end) {
				break
			}
			m, err := decodeMail(ob.Get(k[timeLen:]))
			if err != nil {
				return fmt.Errorf("store: reading mail %x: %w", k[timeLen:], err)
			}
			out = append(out, *m)
		}
		return nil
	})
	return out, err
}

// MailSent records that message id was delivered: it is never offered
// again. Marking a delivered message again changes nothing.
func (db *DB) MailSent(id uint64, at time.Time) error {
	return db.updateMail(id, func(m *Mail) {
		m.SentAt, m.Next, m.LastError = at, time.Time{}, ""
	})
}

// MailFailed records a failed delivery of message id with its reason; the
// next attempt is at next.
func (db *DB) MailFailed(id uint64, next time.Time, reason string, at time.Time) error {
	if len(reason) > 1000 {
		reason = reason[:1000]
	}
	return db.updateMail(id, func(m *Mail) {
		m.Attempts++
		m.Next, m.LastError = next, reason
	})
}

// MailGaveUp records that message id will not be delivered (the server
// refused it for good), with the reason: it is never offered again, and
// stays in the outbox for an operator to see.
func (db *DB) MailGaveUp(id uint64, reason string, at time.Time) error {
	if len(reason) > 1000 {
		reason = reason[:1000]
	}
	return db.updateMail(id, func(m *Mail) {
		m.GaveUpAt, m.Next, m.LastError = at, time.Time{}, reason
	})
}

// updateMail changes the outbox entry id (not an audited change: delivery
// bookkeeping does not change the CA).
func (db *DB) updateMail(id uint64, fn func(m *Mail)) error {
	return db.batch(fmt.Sprintf("updating mail %d", id), nil, func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketOutbox).Get(seqKey(id))
		if v == nil {
			return fmt.Errorf("store: mail %d: %w", id, ErrNotFound)
		}
		m, err := decodeMail(v)
		if err != nil {
			return fmt.Errorf("store: reading mail %d: %w", id, err)
		}
		if !m.SentAt.IsZero() || !m.GaveUpAt.IsZero() {
			return nil
		}
		prev := m.Next
		fn(m)
		return putMail(tx, m, prev)
	})
}

// Remind queues, through the Notifier, the reminder that the certificate
// serial expires in days days, once: a second call for the same serial
// and days does nothing and returns false. The certificate must be linked
// to an application (the reminder goes to its applicant).
func (db *DB) Remind(serial *big.Int, days int, at time.Time) (bool, error) {
	key, err := serialKey(serial)
	if err != nil {
		return false, err
	}
	if days < 0 || days > 0xffff {
		return false, fmt.Errorf("store: reminder of serial 0x%x: %d days: %w", serial, days, ErrInvalid)
	}
	rkey := reminderKey(key, days)
	queued := false
	err = db.batch("queueing a reminder", serial, func(tx *bolt.Tx) error {
		queued = false
		rem := tx.Bucket(bucketReminders)
		if rem.Get(rkey) != nil {
			return nil
		}
		rec, err := loadRecord(tx, key, serial)
		if err != nil {
			return err
		}
		if rec.Application == "" {
			return fmt.Errorf("store: reminder of serial 0x%x: not issued for an application: %w", serial, ErrInvalid)
		}
		app, err := loadApplication(tx, rec.Application)
		if err != nil {
			return err
		}
		seq, err := db.changed(tx, at, OpRemind, serial, fmt.Sprintf("application=%s days=%d", app.Number, days), app)
		if err != nil {
			return err
		}
		queued = true
		return rem.Put(rkey, seqKey(seq))
	})
	return queued, err
}

// Application returns the application number in this snapshot, or an error
// wrapping ErrNotFound.
func (tx *boltTx) Application(number string) (*Application, error) {
	return loadApplication(tx.tx, number)
}

// linkApplication makes rec, being reserved, the application's certificate:
// the application must exist and have no certificate but abandoned ones.
func linkApplication(tx *bolt.Tx, rec *Record, at time.Time) error {
	app, err := loadApplication(tx, rec.Application)
	if err != nil {
		return fmt.Errorf("store: reserving serial 0x%x: %w", rec.Serial, err)
	}
	if app.Serial != nil {
		key, err := serialKey(app.Serial)
		if err != nil {
			return err
		}
		prev, err := loadRecord(tx, key, app.Serial)
		if err != nil {
			return err
		}
		if prev.Status != StatusAbandoned {
			return fmt.Errorf("store: application %s already has certificate 0x%x (%s): %w", app.Number, app.Serial, prev.Status, ErrExists)
		}
	}
	app.Serial = new(big.Int).Set(rec.Serial)
	app.UpdatedAt, app.Version = at, app.Version+1
	return putApplication(tx, app)
}
