package pgstore

import (
	"fmt"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/gostca/gostca/store"
)

// importChunk is the number of records Import writes per transaction, as
// store's Import does: a million records take a few hundred commits.
const importChunk = 4096

// Import adds certificates issued elsewhere to the ledger, with the
// semantics of store.DB.Import: the same checks (store.PrepareImport), one
// change number and audit entry ("import") per record, the revocation of a
// held or revoked record carrying that number, transactions of a few
// thousand records each committed before the next is read, and the same
// result: the number of records imported, and the first error (a serial
// already in the ledger or earlier in records wraps store.ErrExists, a
// malformed record store.ErrInvalid, an error from records is returned
// wrapped). Each transaction takes the audit head first, as every write
// does, and writes its rows with COPY.
func (db *DB) Import(records iter.Seq2[*store.Record, error], at time.Time) (int, error) {
	var (
		n       int
		chunk   = make([]importRow, 0, importChunk)
		serials = make(map[string]bool, importChunk) // of the chunk
	)
	// flush writes the chunk; the records before a refused one are kept.
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		written, refused, err := db.importChunk(chunk, n+1, at)
		chunk = chunk[:0]
		clear(serials)
		if err != nil {
			return err
		}
		n += written
		return refused
	}
	for r, err := range records {
		if err != nil {
			if ferr := flush(); ferr != nil {
				return n, ferr
			}
			return n, fmt.Errorf("store: importing record %d: %w", n+1, err)
		}
		rec, detail, err := store.PrepareImport(r, at)
		if err == nil && serials[rec.Serial.String()] {
			err = fmt.Errorf("store: importing serial 0x%x: %w", rec.Serial, store.ErrExists)
		}
		if err != nil {
			if ferr := flush(); ferr != nil {
				return n, ferr
			}
			return n, err
		}
		serials[rec.Serial.String()] = true
		chunk = append(chunk, importRow{rec: rec, detail: detail})
		if len(chunk) == importChunk {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}

// importRow is a checked record of Import with its audit detail.
type importRow struct {
	rec    *store.Record
	detail string
}

// importChunk writes rows (serials distinct; the first is record number
// first of the import) in one transaction. It returns how many it wrote
// and, if it stopped before a serial already in the ledger, the refusal,
// the rows before it written.
func (db *DB) importChunk(rows []importRow, first int, at time.Time) (written int, refused, err error) {
	what := fmt.Sprintf("importing records %d to %d", first, first+len(rows)-1)
	err = db.write(what, nil, true, func(w *wtx) error {
		written, refused = len(rows), nil
		keep, err := w.unusedPrefix(rows)
		if err != nil {
			return err
		}
		if keep < len(rows) {
			written = keep
			refused = fmt.Errorf("store: importing serial 0x%x: %w", rows[keep].rec.Serial, store.ErrExists)
		}
		return w.importRows(rows[:keep], at)
	})
	if err != nil {
		return 0, nil, err
	}
	return written, refused, nil
}

// unusedPrefix returns how many of rows, from the first, have serials not
// in the ledger. The audit head is locked, so no write adds one meanwhile.
func (w *wtx) unusedPrefix(rows []importRow) (int, error) {
	texts := make([]string, len(rows))
	for i, r := range rows {
		texts[i] = r.rec.Serial.String()
	}
	q, err := w.tx.Query(w.ctx, `SELECT serial::text FROM certificates WHERE serial = ANY($1::text[]::numeric[])`, texts)
	if err != nil {
		return 0, fmt.Errorf("looking up serials: %w", err)
	}
	used, err := pgx.CollectRows(q, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("looking up serials: %w", err)
	}
	if len(used) == 0 {
		return len(rows), nil
	}
	inUse := make(map[string]bool, len(used))
	for _, s := range used {
		inUse[s] = true
	}
	for i, s := range texts {
		if inUse[s] {
			return i, nil
		}
	}
	return len(rows), nil
}

// importRows writes the certificates, revocations and audit entries of
// rows with COPY, and moves the audit head past them.
func (w *wtx) importRows(rows []importRow, at time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	audit := make([][]any, len(rows))
	var revs [][]any
	for i, row := range rows {
		r := row.rec
		e := store.AuditEntry{Seq: w.seq + 1, Time: at, Op: store.OpImport, Serial: r.Serial, Detail: row.detail, Prev: w.hash}
		stored, err := store.SealAudit(&e)
		if err != nil {
			return refused{err}
		}
		serial := pgtype.Numeric{Int: r.Serial, Valid: true}
		audit[i] = []any{int64(e.Seq), at, store.OpImport, serial, row.detail, stored}
		w.seq, w.hash = e.Seq, e.Hash
		if rev := r.Revocation; rev != nil {
			revs = append(revs, []any{r.IssuerKeyID, serial, rev.Time, int16(rev.Reason), tm(rev.InvalidityDate), int64(e.Seq)})
		}
	}
	copies := []struct {
		table string
		cols  []string
		rows  pgx.CopyFromSource
	}{
		{"certificates", []string{"serial", "issuer_key_id", "issuer", "subject", "subject_key_id", "profile", "request_id",
			"not_before", "not_after", "status", "der", "created_at", "updated_at"},
			pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
				r := rows[i].rec
				return []any{pgtype.Numeric{Int: r.Serial, Valid: true}, r.IssuerKeyID, r.Issuer, r.Subject, nonEmpty(r.SubjectKeyID),
					r.Profile, r.RequestID, tm(r.NotBefore), tm(r.NotAfter), int16(r.Status), r.DER, r.CreatedAt, r.UpdatedAt}, nil
			})},
		{"revocations", []string{"issuer_key_id", "serial", "revoked_at", "reason", "invalidity", "seq"}, pgx.CopyFromRows(revs)},
		{"audit", []string{"seq", "at", "op", "serial", "detail", "entry"}, pgx.CopyFromRows(audit)},
	}
	for _, c := range copies {
		if _, err := w.tx.CopyFrom(w.ctx, pgx.Identifier{c.table}, c.cols, c.rows); err != nil {
			return fmt.Errorf("writing %s: %w", c.table, err)
		}
	}
	if _, err := w.tx.Exec(w.ctx, `UPDATE ledger_head SET seq = $1, hash = $2`, int64(w.seq), w.hash[:]); err != nil {
		return fmt.Errorf("moving the audit head: %w", err)
	}
	return nil
}
