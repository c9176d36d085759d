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
// semantics of store.DB.Import: the same checks and reading
// (store.ImportRecords), one change number and audit entry ("import") per
// record, the revocation of a held or revoked record carrying that number,
// transactions of a few thousand records each committed before the next is
// read, and the same result: the number of records imported, and the first
// error (a serial already in the ledger or earlier in records wraps
// store.ErrExists, a malformed record store.ErrInvalid, an error from
// records is returned wrapped). Each transaction takes the audit head
// first, as every write does, and writes its rows with COPY.
func (db *DB) Import(records iter.Seq2[*store.Record, error], at time.Time) (int, error) {
	return store.ImportRecords(records, at, importChunk, func(first int, recs []*store.Record) (written int, refused, err error) {
		what := fmt.Sprintf("importing records %d to %d", first, first+len(recs)-1)
		err = db.write(what, nil, true, func(w *wtx) error {
			keep, err := w.unusedPrefix(recs)
			if err != nil {
				return err
			}
			written, refused = keep, nil
			if keep < len(recs) {
				refused = fmt.Errorf("store: importing serial 0x%x: %w", recs[keep].Serial, store.ErrExists)
			}
			return w.importRows(recs[:keep], at)
		})
		if err != nil {
			return 0, nil, err
		}
		return written, refused, nil
	})
}

// unusedPrefix returns how many of recs, from the first, have serials
// neither in the ledger nor earlier in recs. The audit head is locked, so
// no write adds one meanwhile.
func (w *wtx) unusedPrefix(recs []*store.Record) (int, error) {
	texts := make([]string, len(recs))
	for i, r := range recs {
		texts[i] = r.Serial.String()
	}
	q, err := w.tx.Query(w.ctx, `SELECT serial::text FROM certificates WHERE serial = ANY($1::text[]::numeric[])`, texts)
	if err != nil {
		return 0, fmt.Errorf("looking up serials: %w", err)
	}
	used, err := pgx.CollectRows(q, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("looking up serials: %w", err)
	}
	seen := make(map[string]bool, len(recs)+len(used))
	for _, s := range used {
		seen[s] = true
	}
	for i, s := range texts {
		if seen[s] {
			return i, nil
		}
		seen[s] = true
	}
	return len(recs), nil
}

// importRows writes the certificates, revocations and audit entries of
// recs with COPY, and moves the audit head past them.
func (w *wtx) importRows(recs []*store.Record, at time.Time) error {
	if len(recs) == 0 {
		return nil
	}
	audit := make([][]any, len(recs))
	var revs [][]any
	for i, r := range recs {
		detail := store.ImportDetail(r)
		e := store.AuditEntry{Seq: w.seq + 1, Time: at, Op: store.OpImport, Serial: r.Serial, Detail: detail, Prev: w.hash}
		stored, err := store.SealAudit(&e)
		if err != nil {
			return refused{err}
		}
		serial := pgtype.Numeric{Int: r.Serial, Valid: true}
		audit[i] = []any{int64(e.Seq), at, store.OpImport, serial, detail, stored}
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
			pgx.CopyFromSlice(len(recs), func(i int) ([]any, error) {
				r := recs[i]
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
