package pgstore

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gostca/gostca/store"
)

// attachmentJSON is an attachment in the applications.attachments column.
type attachmentJSON struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
	Hash string `json:"hash"`
}

func encodeAttachments(as []store.Attachment) (string, error) {
	out := make([]attachmentJSON, len(as))
	for i, a := range as {
		out[i] = attachmentJSON{Name: a.Name, Type: a.Type, Size: a.Size, Hash: hex.EncodeToString(a.Hash[:])}
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func decodeAttachments(b []byte) ([]store.Attachment, error) {
	var in []attachmentJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, err
	}
	var out []store.Attachment
	for _, a := range in {
		h, err := hex.DecodeString(a.Hash)
		if err != nil || len(h) != 32 {
			return nil, fmt.Errorf("malformed attachment hash %q", a.Hash)
		}
		at := store.Attachment{Name: a.Name, Type: a.Type, Size: a.Size}
		copy(at.Hash[:], h)
		out = append(out, at)
	}
	return out, nil
}

const applicationColumns = `SELECT number, state, open, key_id, serial::text, deadline, attachments, data,
	created_at, updated_at, version FROM applications`

func scanApplication(row pgx.Row) (*store.Application, error) {
	var (
		a                    store.Application
		serial               *string
		deadline             *time.Time
		atts, kid, data      []byte
		createdAt, updatedAt time.Time
		version              int64
	)
	if err := row.Scan(&a.Number, &a.State, &a.Open, &kid, &serial, &deadline, &atts, &data, &createdAt, &updatedAt, &version); err != nil {
		return nil, err
	}
	var err error
	if a.Serial, err = parseNum(serial); err != nil {
		return nil, err
	}
	if a.Attachments, err = decodeAttachments(atts); err != nil {
		return nil, fmt.Errorf("reading application %q: %w", a.Number, err)
	}
	a.KeyID, a.Data = cloneBytes(kid), cloneBytes(data)
	a.Deadline = utc(deadline)
	a.CreatedAt, a.UpdatedAt = createdAt.UTC(), updatedAt.UTC()
	a.Version = uint64(version)
	return &a, nil
}

// loadApplication returns the application number, or a refused error
// wrapping store.ErrNotFound; forUpdate locks its row.
func loadApplication(ctx context.Context, q querier, number string, forUpdate bool) (*store.Application, error) {
	sql := applicationColumns + ` WHERE number = $1`
	if forUpdate {
		sql += ` FOR UPDATE`
	}
	a, err := scanApplication(q.QueryRow(ctx, sql, number))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, refused{fmt.Errorf("store: application %q: %w", number, store.ErrNotFound)}
	}
	if err != nil {
		return nil, fmt.Errorf("reading application %q: %w", number, err)
	}
	return a, nil
}

// applicationRow returns the values of an application's row, in the
// order of applicationColumns.
func applicationRow(a *store.Application) ([]any, error) {
	atts, err := encodeAttachments(a.Attachments)
	if err != nil {
		return nil, err
	}
	data := a.Data
	if data == nil {
		data = []byte{}
	}
	return []any{a.Number, a.State, a.Open, a.KeyID, pgNum(a.Serial), tm(a.Deadline), atts, data,
		a.CreatedAt, a.UpdatedAt, int64(a.Version)}, nil
}

func (w *wtx) putApplication(a *store.Application, insert bool) error {
	values, err := applicationRow(a)
	if err != nil {
		return err
	}
	sql := `UPDATE applications SET state = $2, open = $3, key_id = $4, serial = $5::numeric, deadline = $6,
		attachments = $7::jsonb, data = $8, created_at = $9, updated_at = $10, version = $11 WHERE number = $1`
	if insert {
		sql = `INSERT INTO applications (number, state, open, key_id, serial, deadline, attachments, data, created_at, updated_at, version)
			VALUES ($1, $2, $3, $4, $5::numeric, $6, $7::jsonb, $8, $9, $10, $11)`
	}
	if _, err := w.tx.Exec(w.ctx, sql, values...); err != nil {
		return fmt.Errorf("writing application %q: %w", a.Number, err)
	}
	return nil
}

// SubmitApplication records a new application with its attachments'
// contents, as store.DB.SubmitApplication does.
func (db *DB) SubmitApplication(at time.Time, blobs [][]byte, build func(seq uint64) (*store.Application, error)) (*store.Application, error) {
	hashes, err := store.HashAttachments(blobs)
	if err != nil {
		return nil, err
	}
	var out *store.Application
	err = db.write("submitting an application", nil, true, func(w *wtx) error {
		var seq int64
		err := w.tx.QueryRow(w.ctx, `SELECT last FROM application_numbers WHERE year = $1 FOR UPDATE`, at.Year()).Scan(&seq)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		seq++
		a, err := build(uint64(seq))
		if err != nil {
			return refused{err}
		}
		if err := store.CheckApplication(a); err != nil {
			return refused{err}
		}
		if len(a.Attachments) != len(blobs) {
			return refused{fmt.Errorf("store: application %q: %d attachments, %d contents: %w", a.Number, len(a.Attachments), len(blobs), store.ErrInvalid)}
		}
		a = store.CloneApplication(a)
		a.Serial = nil
		a.CreatedAt, a.UpdatedAt, a.Version = at, at, 1
		var exists bool
		if err := w.tx.QueryRow(w.ctx, `SELECT EXISTS (SELECT 1 FROM applications WHERE number = $1)`, a.Number).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return refused{fmt.Errorf("store: application %q: %w", a.Number, store.ErrExists)}
		}
		if err := w.keyFree(a.KeyID); err != nil {
			return err
		}
		if _, err := w.tx.Exec(w.ctx, `INSERT INTO application_numbers (year, last) VALUES ($1, $2)
			ON CONFLICT (year) DO UPDATE SET last = excluded.last`, at.Year(), seq); err != nil {
			return fmt.Errorf("numbering application: %w", err)
		}
		for i := range a.Attachments {
			a.Attachments[i].Hash = hashes[i]
			a.Attachments[i].Size = int64(len(blobs[i]))
			content := blobs[i]
			if content == nil {
				content = []byte{}
			}
			if _, err := w.tx.Exec(w.ctx, `INSERT INTO blobs (hash, content) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING`,
				hashes[i][:], content); err != nil {
				return fmt.Errorf("writing attachment of %q: %w", a.Number, err)
			}
		}
		if err := w.putApplication(a, true); err != nil {
			return err
		}
		detail := fmt.Sprintf("application=%s state=%s key=%x attachments=%d", a.Number, a.State, a.KeyID, len(a.Attachments))
		if _, err := w.changed(at, store.OpSubmit, nil, detail, a); err != nil {
			return err
		}
		out = store.CloneApplication(a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// keyFree returns a refused error wrapping store.ErrExists if keyID is
// certified in the ledger or requested by an open application.
func (w *wtx) keyFree(keyID []byte) error {
	var number string
	err := w.tx.QueryRow(w.ctx, `SELECT number FROM applications WHERE open AND key_id = $1`, keyID).Scan(&number)
	if err == nil {
		return refused{fmt.Errorf("store: key %x: requested by open application %s: %w", keyID, number, store.ErrExists)}
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	var serial string
	err = w.tx.QueryRow(w.ctx, `SELECT c.serial::text FROM certificates c WHERE c.subject_key_id = $1 AND c.status IN (2, 3, 4)
		ORDER BY c.serial LIMIT 1`, keyID).Scan(&serial)
	if err == nil {
		n, _ := parseNum(&serial)
		return refused{fmt.Errorf("store: key %x: already certified (serial 0x%x): %w", keyID, n, store.ErrExists)}
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	return nil
}

// UpdateApplication changes the application number in one transaction,
// as store.DB.UpdateApplication does.
func (db *DB) UpdateApplication(number string, at time.Time, fn func(a *store.Application) (*store.Update, error)) (*store.Application, error) {
	var out *store.Application
	err := db.write("updating application "+number, nil, true, func(w *wtx) error {
		cur, err := loadApplication(w.ctx, w.tx, number, true)
		if err != nil {
			return err
		}
		next := store.CloneApplication(cur)
		u, err := fn(next)
		if err != nil {
			out = cur
			return refused{err}
		}
		if u == nil {
			out = cur
			return nil
		}
		next.Number, next.KeyID, next.Serial, next.Attachments = cur.Number, cur.KeyID, cur.Serial, cur.Attachments
		next.CreatedAt = cur.CreatedAt
		if next.Open && !cur.Open {
			return refused{fmt.Errorf("store: application %q: a closed application cannot reopen: %w", number, store.ErrState)}
		}
		if err := store.CheckApplication(next); err != nil {
			return refused{err}
		}
		next.UpdatedAt, next.Version = at, cur.Version+1
		if err := w.putApplication(next, false); err != nil {
			return err
		}
		detail := fmt.Sprintf("application=%s from=%s to=%s", number, cur.State, next.State)
		if u.Detail != "" {
			detail += " " + u.Detail
		}
		if _, err := w.changed(at, store.OpApplication, next.Serial, detail, next); err != nil {
			return err
		}
		out = store.CloneApplication(next)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Application returns the application number, or an error wrapping
// store.ErrNotFound.
func (db *DB) Application(number string) (*store.Application, error) {
	var a *store.Application
	err := db.read("reading an application", func(ctx context.Context) error {
		var err error
		a, err = loadApplication(ctx, db.pool, number, false)
		return err
	})
	return a, err
}

// Applications returns every application in the order of their numbers
// (bytewise), a page at a time: not a snapshot.
func (db *DB) Applications() iter.Seq2[*store.Application, error] {
	return paged(db, "reading applications", func(ctx context.Context, after any) ([]*store.Application, any, error) {
		rows, err := db.pool.Query(ctx, applicationColumns+` WHERE $1::text IS NULL OR number > $1::text ORDER BY number LIMIT $2`, after, pageLen)
		if err != nil {
			return nil, nil, err
		}
		apps, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*store.Application, error) { return scanApplication(row) })
		if err != nil || len(apps) == 0 {
			return apps, nil, err
		}
		return apps, apps[len(apps)-1].Number, nil
	})
}

// Attachment returns the content of the attachment with the Streebog-256
// hash sum, checked against it, or an error wrapping store.ErrNotFound.
func (db *DB) Attachment(sum [32]byte) ([]byte, error) {
	var out []byte
	err := db.read("reading an attachment", func(ctx context.Context) error {
		var v []byte
		err := db.pool.QueryRow(ctx, `SELECT content FROM blobs WHERE hash = $1`, sum[:]).Scan(&v)
		if errors.Is(err, pgx.ErrNoRows) {
			return refused{fmt.Errorf("store: attachment %x: %w", sum[:8], store.ErrNotFound)}
		}
		if err != nil {
			return err
		}
		if h, _ := store.HashAttachments([][]byte{v}); len(h) != 1 || h[0] != sum {
			return fmt.Errorf("attachment %x: content does not match its hash", sum[:8])
		}
		out = cloneBytes(v)
		return nil
	})
	return out, err
}

func (w *wtx) queueMail(m *store.Mail) error {
	var id int64
	// Writes that queue mail hold the audit head, so max+1 is free.
	if err := w.tx.QueryRow(w.ctx, `SELECT coalesce(max(id), 0) + 1 FROM outbox`).Scan(&id); err != nil {
		return fmt.Errorf("queueing mail: %w", err)
	}
	m.ID, m.Attempts, m.SentAt = uint64(id), 0, time.Time{}
	if _, err := w.tx.Exec(w.ctx, `INSERT INTO outbox (id, to_addr, subject, body, attempts, next, last_error, created_at,
		sent_at, gave_up_at, seq, application) VALUES ($1, $2, $3, $4, 0, $5, $6, $7, NULL, $8, $9, $10)`,
		id, m.To, m.Subject, m.Body, tm(m.Next), m.LastError, m.CreatedAt, tm(m.GaveUpAt), int64(m.Seq), m.Application); err != nil {
		return fmt.Errorf("queueing mail: %w", err)
	}
	return nil
}

const mailColumns = `SELECT id, to_addr, subject, body, attempts, next, last_error, created_at, sent_at, gave_up_at, seq, application FROM outbox`

func scanMail(row pgx.Row) (store.Mail, error) {
	var (
		m                  store.Mail
		id, seq            int64
		attempts           int32
		next, sent, gaveUp *time.Time
		createdAt          time.Time
	)
	if err := row.Scan(&id, &m.To, &m.Subject, &m.Body, &attempts, &next, &m.LastError, &createdAt, &sent, &gaveUp, &seq, &m.Application); err != nil {
		return m, err
	}
	m.ID, m.Seq, m.Attempts = uint64(id), uint64(seq), int(attempts)
	m.Next, m.SentAt, m.GaveUpAt, m.CreatedAt = utc(next), utc(sent), utc(gaveUp), createdAt.UTC()
	return m, nil
}

// DueMail returns at most limit messages not yet delivered whose next
// attempt is at or before now, the most overdue first.
func (db *DB) DueMail(now time.Time, limit int) ([]store.Mail, error) {
	var out []store.Mail
	err := db.read("reading the outbox", func(ctx context.Context) error {
		rows, err := db.pool.Query(ctx, mailColumns+` WHERE sent_at IS NULL AND gave_up_at IS NULL AND next <= $1
			ORDER BY next, id LIMIT $2`, now, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Mail, error) { return scanMail(row) })
		return err
	})
	return out, err
}

// MailSent records that message id was delivered.
func (db *DB) MailSent(id uint64, at time.Time) error {
	return db.updateMail(id, func(m *store.Mail) {
		m.SentAt, m.Next, m.LastError = at, time.Time{}, ""
	})
}

// MailFailed records a failed delivery of message id with its reason; the
// next attempt is at next.
func (db *DB) MailFailed(id uint64, next time.Time, reason string, at time.Time) error {
	if len(reason) > 1000 {
		reason = reason[:1000]
	}
	return db.updateMail(id, func(m *store.Mail) {
		m.Attempts++
		m.Next, m.LastError = next, reason
	})
}

// MailGaveUp records that message id will not be delivered.
func (db *DB) MailGaveUp(id uint64, reason string, at time.Time) error {
	if len(reason) > 1000 {
		reason = reason[:1000]
	}
	return db.updateMail(id, func(m *store.Mail) {
		m.GaveUpAt, m.Next, m.LastError = at, time.Time{}, reason
	})
}

// updateMail changes the outbox entry id, its row locked (delivery
// bookkeeping is not an audited change, so it does not take the head).
func (db *DB) updateMail(id uint64, fn func(m *store.Mail)) error {
	return db.write(fmt.Sprintf("updating mail %d", id), nil, false, func(w *wtx) error {
		m, err := scanMail(w.tx.QueryRow(w.ctx, mailColumns+` WHERE id = $1 FOR UPDATE`, int64(id)))
		if errors.Is(err, pgx.ErrNoRows) {
			return refused{fmt.Errorf("store: mail %d: %w", id, store.ErrNotFound)}
		}
		if err != nil {
			return err
		}
		if !m.SentAt.IsZero() || !m.GaveUpAt.IsZero() {
			return nil
		}
		fn(&m)
		_, err = w.tx.Exec(w.ctx, `UPDATE outbox SET attempts = $2, next = $3, last_error = $4, sent_at = $5, gave_up_at = $6 WHERE id = $1`,
			int64(id), m.Attempts, tm(m.Next), m.LastError, tm(m.SentAt), tm(m.GaveUpAt))
		return err
	})
}

// Remind queues, through the Notifier, the reminder that the certificate
// serial expires in days days, once, as store.DB.Remind does.
func (db *DB) Remind(serial *big.Int, days int, at time.Time) (bool, error) {
	if err := store.CheckSerial(serial); err != nil {
		return false, err
	}
	if days < 0 || days > 0xffff {
		return false, fmt.Errorf("store: reminder of serial 0x%x: %d days: %w", serial, days, store.ErrInvalid)
	}
	serial = new(big.Int).Set(serial)
	queued := false
	err := db.write("queueing a reminder", serial, true, func(w *wtx) error {
		queued = false
		var exists bool
		if err := w.tx.QueryRow(w.ctx, `SELECT EXISTS (SELECT 1 FROM reminders WHERE serial = $1::numeric AND days = $2)`,
			num(serial), days).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return nil
		}
		rec, err := loadRecord(w.ctx, w.tx, serial, false)
		if err != nil {
			return err
		}
		if rec.Application == "" {
			return refused{fmt.Errorf("store: reminder of serial 0x%x: not issued for an application: %w", serial, store.ErrInvalid)}
		}
		app, err := loadApplication(w.ctx, w.tx, rec.Application, false)
		if err != nil {
			return err
		}
		seq, err := w.changed(at, store.OpRemind, serial, fmt.Sprintf("application=%s days=%d", app.Number, days), app)
		if err != nil {
			return err
		}
		if _, err := w.tx.Exec(w.ctx, `INSERT INTO reminders (serial, days, seq) VALUES ($1::numeric, $2, $3)`, num(serial), days, int64(seq)); err != nil {
			return err
		}
		queued = true
		return nil
	})
	return queued, err
}
