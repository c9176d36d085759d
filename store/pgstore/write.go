package pgstore

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/store"
)

func stateError(serial *big.Int, what string) error {
	return refused{fmt.Errorf("store: serial 0x%x: %s: %w", serial, what, store.ErrState)}
}

// lockRecord returns the record of serial, its row locked, or a refused
// error wrapping store.ErrNotFound.
func (w *wtx) lockRecord(serial *big.Int) (*store.Record, error) {
	return loadRecord(w.ctx, w.tx, serial, true)
}

// Reserve records a serial before its certificate is signed, as
// store.DB.Reserve does.
func (db *DB) Reserve(r *store.Record, at time.Time) error {
	rec, err := store.PrepareReserve(r, at)
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("issuer=%x profile=%q subject=%q request=%q", rec.IssuerKeyID, rec.Profile, rec.Subject, rec.RequestID)
	if rec.Predecessor != nil {
		detail += fmt.Sprintf(" predecessor=0x%x", rec.Predecessor)
	}
	if rec.Application != "" {
		detail += " application=" + rec.Application
	}
	return db.write("reserving", rec.Serial, true, func(w *wtx) error {
		if rec.Predecessor != nil {
			pred, err := w.lockRecord(rec.Predecessor)
			if err != nil {
				return prefixed(fmt.Sprintf("store: predecessor of serial 0x%x", rec.Serial), err)
			}
			if pred.Status == store.StatusReserved || pred.Status == store.StatusAbandoned {
				return stateError(rec.Serial, fmt.Sprintf("predecessor 0x%x is %s", rec.Predecessor, pred.Status))
			}
		}
		var app *store.Application
		if rec.Application != "" {
			var err error
			if app, err = w.checkApplication(rec); err != nil {
				return err
			}
		}
		// The certificate row, refused if the serial is taken (one
		// statement, not a look-up and an insert: the head is locked for
		// every round trip), before the application's link, which refers
		// to it.
		tag, err := w.tx.Exec(w.ctx, `INSERT INTO certificates (serial, issuer_key_id, issuer, subject, subject_key_id,
			profile, request_id, not_before, not_after, status, predecessor, application, created_at, updated_at)
			VALUES ($1::numeric, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::numeric, $12, $13, $13)
			ON CONFLICT (serial) DO NOTHING`,
			num(rec.Serial), rec.IssuerKeyID, rec.Issuer, rec.Subject, nonEmpty(rec.SubjectKeyID),
			rec.Profile, rec.RequestID, tm(rec.NotBefore), tm(rec.NotAfter), int(store.StatusReserved),
			num(rec.Predecessor), nullText(rec.Application), at)
		if err != nil {
			return fmt.Errorf("writing serial 0x%x: %w", rec.Serial, err)
		}
		if tag.RowsAffected() == 0 {
			return refused{fmt.Errorf("store: serial 0x%x: %w", rec.Serial, store.ErrExists)}
		}
		if app != nil {
			if _, err := w.tx.Exec(w.ctx, `UPDATE applications SET serial = $2::numeric, updated_at = $3, version = version + 1 WHERE number = $1`,
				app.Number, num(rec.Serial), at); err != nil {
				return fmt.Errorf("linking application %s: %w", app.Number, err)
			}
		}
		_, err = w.certChanged(at, store.OpReserve, rec, detail)
		return err
	})
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// prefixed puts context before a refused error, keeping it refused.
func prefixed(context string, err error) error {
	if r, ok := err.(refused); ok {
		return refused{fmt.Errorf("%s: %w", context, r.err)}
	}
	return err
}

// checkApplication checks that rec, being reserved, may become its
// application's certificate: the application exists (its row is locked)
// and has no certificate but abandoned ones.
func (w *wtx) checkApplication(rec *store.Record) (*store.Application, error) {
	app, err := loadApplication(w.ctx, w.tx, rec.Application, true)
	if err != nil {
		return nil, prefixed(fmt.Sprintf("store: reserving serial 0x%x", rec.Serial), err)
	}
	if app.Serial != nil {
		prev, err := w.lockRecord(app.Serial)
		if err != nil {
			return nil, err
		}
		if prev.Status != store.StatusAbandoned {
			return nil, refused{fmt.Errorf("store: application %s already has certificate 0x%x (%s): %w", app.Number, app.Serial, prev.Status, store.ErrExists)}
		}
	}
	return app, nil
}

// Complete records the signed certificate of a reserved serial, as
// store.DB.Complete does.
func (db *DB) Complete(serial *big.Int, der, subjectKeyID []byte, at time.Time) error {
	if err := store.CheckComplete(serial, der, subjectKeyID); err != nil {
		return err
	}
	serial = new(big.Int).Set(serial)
	der, subjectKeyID = cloneBytes(der), cloneBytes(subjectKeyID)
	return db.write("completing", serial, true, func(w *wtx) error {
		rec, err := w.lockRecord(serial)
		if err != nil {
			return err
		}
		switch rec.Status {
		case store.StatusReserved:
		case store.StatusAbandoned:
			return stateError(serial, "abandoned")
		default:
			return stateError(serial, "already completed ("+rec.Status.String()+")")
		}
		if len(subjectKeyID) > 0 {
			rec.SubjectKeyID = subjectKeyID
		}
		if _, err := w.tx.Exec(w.ctx, `UPDATE certificates SET status = $2, der = $3, subject_key_id = $4, updated_at = $5 WHERE serial = $1::numeric`,
			num(serial), int(store.StatusGood), der, nonEmpty(rec.SubjectKeyID), at); err != nil {
			return fmt.Errorf("writing serial 0x%x: %w", serial, err)
		}
		if rec.Predecessor != nil {
			if _, err := w.tx.Exec(w.ctx, `UPDATE certificates SET successor = $2::numeric, updated_at = $3 WHERE serial = $1::numeric`,
				num(rec.Predecessor), num(serial), at); err != nil {
				return fmt.Errorf("linking predecessor of serial 0x%x: %w", serial, err)
			}
		}
		detail := fmt.Sprintf("ski=%x notAfter=%s", rec.SubjectKeyID, rec.NotAfter.UTC().Format(time.RFC3339))
		_, err = w.certChanged(at, store.OpComplete, rec, detail)
		return err
	})
}

// Abandon records that the certificate of a reserved serial was not
// signed, as store.DB.Abandon does.
func (db *DB) Abandon(serial *big.Int, why string, at time.Time) error {
	if err := store.CheckSerial(serial); err != nil {
		return err
	}
	serial = new(big.Int).Set(serial)
	detail := fmt.Sprintf("why=%q", why)
	return db.write("abandoning", serial, true, func(w *wtx) error {
		rec, err := w.lockRecord(serial)
		if err != nil {
			return err
		}
		switch rec.Status {
		case store.StatusReserved:
		case store.StatusAbandoned:
			return stateError(serial, "already abandoned")
		default:
			return stateError(serial, "already signed ("+rec.Status.String()+")")
		}
		if _, err := w.appendAudit(at, store.OpAbandon, serial, detail); err != nil {
			return err
		}
		_, err = w.tx.Exec(w.ctx, `UPDATE certificates SET status = $2, updated_at = $3 WHERE serial = $1::numeric`,
			num(serial), int(store.StatusAbandoned), at)
		return err
	})
}

// Revoke records a revocation or a hold, as store.DB.Revoke does.
func (db *DB) Revoke(rev store.Revocation, at time.Time) error {
	if err := store.CheckRevocation(rev); err != nil {
		return err
	}
	serial := new(big.Int).Set(rev.Serial)
	hold := rev.Reason == cert.ReasonCertificateHold
	op := store.OpRevoke
	if hold {
		op = store.OpHold
	}
	return db.write("revoking", serial, true, func(w *wtx) error {
		rec, err := w.lockRecord(serial)
		if err != nil {
			return err
		}
		switch {
		case rec.Status == store.StatusRevoked:
			return stateError(serial, "already revoked")
		case rec.Status == store.StatusHeld && hold:
			return stateError(serial, "already on hold")
		case rec.Status == store.StatusReserved || rec.Status == store.StatusAbandoned:
			return stateError(serial, "not issued ("+rec.Status.String()+")")
		}
		detail := fmt.Sprintf("issuer=%x reason=%d time=%s", rec.IssuerKeyID, rev.Reason, rev.Time.UTC().Format(time.RFC3339Nano))
		if !rev.InvalidityDate.IsZero() {
			detail += " invalidity=" + rev.InvalidityDate.UTC().Format(time.RFC3339Nano)
		}
		if rec.Status == store.StatusHeld {
			detail += fmt.Sprintf(" replaces=hold@%d", rec.Revocation.Seq)
		}
		seq, err := w.certChanged(at, op, rec, detail)
		if err != nil {
			return err
		}
		if _, err := w.tx.Exec(w.ctx, `INSERT INTO revocations (issuer_key_id, serial, revoked_at, reason, invalidity, seq)
			VALUES ($1, $2::numeric, $3, $4, $5, $6)
			ON CONFLICT (issuer_key_id, serial) DO UPDATE SET revoked_at = excluded.revoked_at,
				reason = excluded.reason, invalidity = excluded.invalidity, seq = excluded.seq`,
			rec.IssuerKeyID, num(serial), rev.Time, int(rev.Reason), tm(rev.InvalidityDate), int64(seq)); err != nil {
			return fmt.Errorf("recording the revocation of serial 0x%x: %w", serial, err)
		}
		status := store.StatusRevoked
		if hold {
			status = store.StatusHeld
		}
		_, err = w.tx.Exec(w.ctx, `UPDATE certificates SET status = $2, updated_at = $3 WHERE serial = $1::numeric`, num(serial), int(status), at)
		return err
	})
}

// Release takes a certificate off hold, as store.DB.Release does.
func (db *DB) Release(serial *big.Int, at time.Time) error {
	if err := store.CheckSerial(serial); err != nil {
		return err
	}
	serial = new(big.Int).Set(serial)
	return db.write("releasing", serial, true, func(w *wtx) error {
		rec, err := w.lockRecord(serial)
		if err != nil {
			return err
		}
		if rec.Status != store.StatusHeld {
			return stateError(serial, "not on hold ("+rec.Status.String()+")")
		}
		detail := fmt.Sprintf("issuer=%x hold@%d", rec.IssuerKeyID, rec.Revocation.Seq)
		seq, err := w.certChanged(at, store.OpRelease, rec, detail)
		if err != nil {
			return err
		}
		if _, err := w.tx.Exec(w.ctx, `DELETE FROM revocations WHERE issuer_key_id = $1 AND serial = $2::numeric`, rec.IssuerKeyID, num(serial)); err != nil {
			return err
		}
		// One removal per serial, its latest: a delta CRL lists it once.
		if _, err := w.tx.Exec(w.ctx, `INSERT INTO removals (issuer_key_id, serial, released_at, seq) VALUES ($1, $2::numeric, $3, $4)
			ON CONFLICT (issuer_key_id, serial) DO UPDATE SET released_at = excluded.released_at, seq = excluded.seq`,
			rec.IssuerKeyID, num(serial), at, int64(seq)); err != nil {
			return err
		}
		_, err = w.tx.Exec(w.ctx, `UPDATE certificates SET status = $2, updated_at = $3 WHERE serial = $1::numeric`, num(serial), int(store.StatusGood), at)
		return err
	})
}

// RecordCRL records a CRL the issuer has signed, as a compare-and-set on
// its CRL state, as store.DB.RecordCRL does.
func (db *DB) RecordCRL(issuerKeyID []byte, info store.CRLInfo, at time.Time) error {
	if err := store.CheckCRLInfo(issuerKeyID, info); err != nil {
		return err
	}
	id := cloneBytes(issuerKeyID)
	info = cloneInfo(info)
	kind := "full"
	if info.Delta {
		kind = fmt.Sprintf("delta base=%v", info.BaseNumber)
	}
	detail := fmt.Sprintf("issuer=%x number=%v %s seq=%d thisUpdate=%s", id, info.Number, kind, info.Seq, info.ThisUpdate.UTC().Format(time.RFC3339))
	return db.write(fmt.Sprintf("recording CRL %v of issuer %x", info.Number, id), nil, true, func(w *wtx) error {
		st, err := crlState(w.ctx, w.tx, id, true)
		if err != nil {
			return err
		}
		if st.LastNumber != nil && info.Number.Cmp(st.LastNumber) <= 0 {
			return refused{fmt.Errorf("store: CRL number %v of issuer %x not above the last, %v: %w", info.Number, id, st.LastNumber, store.ErrState)}
		}
		if info.Seq > w.seq {
			return refused{fmt.Errorf("store: CRL %v of issuer %x made from change %d, the ledger is at %d: %w", info.Number, id, info.Seq, w.seq, store.ErrInvalid)}
		}
		if info.Delta {
			switch {
			case st.LastFull == nil:
				return refused{fmt.Errorf("store: delta CRL %v of issuer %x: no full CRL recorded: %w", info.Number, id, store.ErrState)}
			case info.BaseNumber.Cmp(st.LastFull.Number) != 0:
				return refused{fmt.Errorf("store: delta CRL %v of issuer %x based on %v, the last full CRL is %v: %w", info.Number, id, info.BaseNumber, st.LastFull.Number, store.ErrState)}
			case info.Seq < st.LastFull.Seq:
				return refused{fmt.Errorf("store: delta CRL %v of issuer %x made from change %d, before its base (%d): %w", info.Number, id, info.Seq, st.LastFull.Seq, store.ErrState)}
			}
		}
		if _, err := w.appendAudit(at, store.OpCRL, nil, detail); err != nil {
			return err
		}
		var q string
		if info.Delta {
			q = `INSERT INTO crl_state (issuer_key_id, last_number, delta_number, delta_this_update, delta_seq, delta_base)
				VALUES ($1, $2::numeric, $2::numeric, $3, $4, $5::numeric)
				ON CONFLICT (issuer_key_id) DO UPDATE SET last_number = excluded.last_number, delta_number = excluded.delta_number,
					delta_this_update = excluded.delta_this_update, delta_seq = excluded.delta_seq, delta_base = excluded.delta_base`
		} else {
			q = `INSERT INTO crl_state (issuer_key_id, last_number, full_number, full_this_update, full_seq)
				VALUES ($1, $2::numeric, $2::numeric, $3, $4)
				ON CONFLICT (issuer_key_id) DO UPDATE SET last_number = excluded.last_number, full_number = excluded.full_number,
					full_this_update = excluded.full_this_update, full_seq = excluded.full_seq`
		}
		args := []any{id, num(info.Number), info.ThisUpdate, int64(info.Seq)}
		if info.Delta {
			args = append(args, num(info.BaseNumber))
		}
		if _, err := w.tx.Exec(w.ctx, q, args...); err != nil {
			return fmt.Errorf("writing CRL state of issuer %x: %w", id, err)
		}
		return nil
	})
}

func cloneInfo(info store.CRLInfo) store.CRLInfo {
	if info.Number != nil {
		info.Number = new(big.Int).Set(info.Number)
	}
	if info.BaseNumber != nil {
		info.BaseNumber = new(big.Int).Set(info.BaseNumber)
	}
	return info
}

// crlColumns select an issuer's CRL state and key identifier, as
// scanCRLState reads them.
const crlColumns = `SELECT last_number::text, full_number::text, full_this_update, full_seq,
	delta_number::text, delta_this_update, delta_seq, delta_base::text, issuer_key_id FROM crl_state`

// crlState reads an issuer's CRL state; forUpdate locks its row.
func crlState(ctx context.Context, q querier, id []byte, forUpdate bool) (store.CRLState, error) {
	sql := crlColumns + ` WHERE issuer_key_id = $1`
	if forUpdate {
		sql += ` FOR UPDATE`
	}
	st, _, err := scanCRLState(q.QueryRow(ctx, sql, id))
	if err == pgx.ErrNoRows {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("reading CRL state of issuer %x: %w", id, err)
	}
	return st, nil
}

// scanCRLState reads a row of crlColumns.
func scanCRLState(row pgx.Row) (store.CRLState, []byte, error) {
	var (
		last, fullN, deltaN, deltaBase *string
		fullT, deltaT                  *time.Time
		fullSeq, deltaSeq              *int64
		id                             []byte
		st                             store.CRLState
	)
	err := row.Scan(&last, &fullN, &fullT, &fullSeq, &deltaN, &deltaT, &deltaSeq, &deltaBase, &id)
	if err != nil {
		return st, nil, err
	}
	if st.LastNumber, err = parseNum(last); err != nil {
		return st, nil, err
	}
	if fullN != nil {
		n, err := parseNum(fullN)
		if err != nil {
			return st, nil, err
		}
		st.LastFull = &store.CRLInfo{Number: n, ThisUpdate: utc(fullT), Seq: uint64(deref(fullSeq))}
	}
	if deltaN != nil {
		n, err := parseNum(deltaN)
		if err != nil {
			return st, nil, err
		}
		base, err := parseNum(deltaBase)
		if err != nil {
			return st, nil, err
		}
		st.LastDelta = &store.CRLInfo{Number: n, ThisUpdate: utc(deltaT), Seq: uint64(deref(deltaSeq)), Delta: true, BaseNumber: base}
	}
	return st, id, nil
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
