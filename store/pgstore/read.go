package pgstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/store"
)

// recordColumns select a certificate with its revocation entry, if any.
const recordColumns = `SELECT c.serial::text, c.issuer_key_id, c.issuer, c.subject, c.subject_key_id, c.profile,
	c.request_id, c.not_before, c.not_after, c.status, c.predecessor::text, c.successor::text, c.der,
	coalesce(c.application, ''), c.created_at, c.updated_at, r.revoked_at, r.reason, r.invalidity, r.seq
	FROM certificates c LEFT JOIN revocations r ON r.issuer_key_id = c.issuer_key_id AND r.serial = c.serial`

func scanRecord(row pgx.Row) (*store.Record, error) {
	var (
		r                          store.Record
		serial                     string
		pred, succ                 *string
		notBefore, notAfter        *time.Time
		status                     int16
		revAt, revInv              *time.Time
		revReason                  *int16
		revSeq                     *int64
		ski, der, issuerKeyID      []byte
		createdAt, updatedAt       time.Time
		issuer, subject, prof, req string
	)
	if err := row.Scan(&serial, &issuerKeyID, &issuer, &subject, &ski, &prof, &req, &notBefore, &notAfter,
		&status, &pred, &succ, &der, &r.Application, &createdAt, &updatedAt, &revAt, &revReason, &revInv, &revSeq); err != nil {
		return nil, err
	}
	var err error
	if r.Serial, err = parseNum(&serial); err != nil {
		return nil, err
	}
	if r.Predecessor, err = parseNum(pred); err != nil {
		return nil, err
	}
	if r.Successor, err = parseNum(succ); err != nil {
		return nil, err
	}
	r.IssuerKeyID, r.SubjectKeyID, r.DER = cloneBytes(issuerKeyID), cloneBytes(ski), cloneBytes(der)
	r.Issuer, r.Subject, r.Profile, r.RequestID = issuer, subject, prof, req
	r.NotBefore, r.NotAfter = utc(notBefore), utc(notAfter)
	r.Status = store.Status(status)
	r.CreatedAt, r.UpdatedAt = createdAt.UTC(), updatedAt.UTC()
	if revAt != nil && (r.Status == store.StatusHeld || r.Status == store.StatusRevoked) {
		r.Revocation = &store.Revocation{
			Serial:         r.Serial,
			Time:           revAt.UTC(),
			Reason:         cert.ReasonCode(*revReason),
			InvalidityDate: utc(revInv),
			Seq:            uint64(*revSeq),
		}
	}
	return &r, nil
}

// loadRecord returns the record of serial, or a refused error wrapping
// store.ErrNotFound; forUpdate locks the certificate's row.
func loadRecord(ctx context.Context, q querier, serial *big.Int, forUpdate bool) (*store.Record, error) {
	sql := recordColumns + ` WHERE c.serial = $1::numeric`
	if forUpdate {
		sql += ` FOR UPDATE OF c`
	}
	r, err := scanRecord(q.QueryRow(ctx, sql, num(serial)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, refused{fmt.Errorf("store: serial 0x%x: %w", serial, store.ErrNotFound)}
	}
	if err != nil {
		return nil, fmt.Errorf("reading serial 0x%x: %w", serial, err)
	}
	return r, nil
}

// read runs fn with a context bounded by the ledger's timeout, and
// returns its error as Get and the other reads do.
func (db *DB) read(what string, fn func(ctx context.Context) error) error {
	ctx, cancel := db.ctx()
	defer cancel()
	return txErr(what, fn(ctx))
}

// Get returns the record of a serial, or an error wrapping
// store.ErrNotFound.
func (db *DB) Get(serial *big.Int) (*store.Record, error) {
	if err := store.CheckSerial(serial); err != nil {
		return nil, err
	}
	var r *store.Record
	err := db.read("reading a certificate", func(ctx context.Context) error {
		var err error
		r, err = loadRecord(ctx, db.pool, serial, false)
		return err
	})
	return r, err
}

// BySubjectKeyID returns the completed certificates whose key has the
// subject key identifier ski, in serial order. No match is an empty
// result, not an error.
func (db *DB) BySubjectKeyID(ski []byte) ([]*store.Record, error) {
	if len(ski) == 0 || len(ski) > 255 {
		return nil, nil
	}
	var out []*store.Record
	err := db.read("reading by subject key identifier", func(ctx context.Context) error {
		rows, err := db.pool.Query(ctx, recordColumns+` WHERE c.subject_key_id = $1 AND c.status IN (2, 3, 4) ORDER BY c.serial`, ski)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (*store.Record, error) { return scanRecord(row) })
		return err
	})
	return out, err
}

// pageLen is how many rows a paged iterator reads per query.
const pageLen = 256

// paged yields the rows of a keyset-paged query, a page per query (so the
// loop body may write to the ledger). query gets the key of the last row
// read (nil before the first page) and returns the page's rows and the
// key of its last row.
func paged[T any](db *DB, what string, query func(ctx context.Context, after any) ([]T, any, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var after any
		for {
			var (
				page []T
				last any
			)
			err := db.read(what, func(ctx context.Context) error {
				var err error
				page, last, err = query(ctx, after)
				return err
			})
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, v := range page {
				if !yield(v, nil) {
					return
				}
			}
			if len(page) < pageLen {
				return
			}
			after = last
		}
	}
}

// All returns every record in serial order, a page at a time: not a
// snapshot (use View for one).
func (db *DB) All() iter.Seq2[*store.Record, error] {
	return paged(db, "reading certificates", func(ctx context.Context, after any) ([]*store.Record, any, error) {
		rows, err := db.pool.Query(ctx, recordColumns+` WHERE $1::numeric IS NULL OR c.serial > $1::numeric ORDER BY c.serial LIMIT $2`, after, pageLen)
		if err != nil {
			return nil, nil, err
		}
		recs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*store.Record, error) { return scanRecord(row) })
		if err != nil || len(recs) == 0 {
			return recs, nil, err
		}
		return recs, recs[len(recs)-1].Serial.String(), nil
	})
}

// Expiring returns the valid and held certificates with NotAfter in
// [from, to), by NotAfter ascending (then serial), a page at a time.
func (db *DB) Expiring(from, to time.Time) iter.Seq2[*store.Record, error] {
	type key struct {
		notAfter time.Time
		serial   string
	}
	return paged(db, "reading expiring certificates", func(ctx context.Context, after any) ([]*store.Record, any, error) {
		var (
			rows pgx.Rows
			err  error
		)
		const where = ` WHERE c.status IN (2, 3) AND c.not_after >= $1 AND c.not_after < $2`
		if k, ok := after.(key); ok {
			rows, err = db.pool.Query(ctx, recordColumns+where+` AND (c.not_after, c.serial) > ($3, $4::numeric)
				ORDER BY c.not_after, c.serial LIMIT $5`, from, to, k.notAfter, k.serial, pageLen)
		} else {
			rows, err = db.pool.Query(ctx, recordColumns+where+` ORDER BY c.not_after, c.serial LIMIT $3`, from, to, pageLen)
		}
		if err != nil {
			return nil, nil, err
		}
		recs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*store.Record, error) { return scanRecord(row) })
		if err != nil || len(recs) == 0 {
			return recs, nil, err
		}
		last := recs[len(recs)-1]
		return recs, key{last.NotAfter, last.Serial.String()}, nil
	})
}

// Audit returns the audit log in order, a page at a time.
func (db *DB) Audit() iter.Seq2[store.AuditEntry, error] {
	return paged(db, "reading the audit log", func(ctx context.Context, after any) ([]store.AuditEntry, any, error) {
		seq, _ := after.(uint64)
		es, err := auditSince(ctx, db.pool, seq, pageLen)
		if err != nil || len(es) == 0 {
			return es, nil, err
		}
		return es, es[len(es)-1].Seq, nil
	})
}

// auditSince reads at most limit audit entries with Seq > seq.
func auditSince(ctx context.Context, q querier, seq uint64, limit int) ([]store.AuditEntry, error) {
	rows, err := q.Query(ctx, `SELECT seq, entry FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2`, int64(seq), limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.AuditEntry, error) {
		var (
			s     int64
			entry []byte
		)
		if err := row.Scan(&s, &entry); err != nil {
			return store.AuditEntry{}, err
		}
		e, err := store.ParseAudit(entry)
		if err != nil {
			return e, fmt.Errorf("reading audit entry %d: %w", s, err)
		}
		return e, nil
	})
}

// VerifyAudit checks the whole audit chain in one REPEATABLE READ
// transaction, by the rules of store.DB.VerifyAudit: it returns nil, a
// *store.AuditError naming the first bad entry, or an error reading the
// ledger.
func (db *DB) VerifyAudit() error {
	ctx, cancel := db.ctx()
	defer cancel()
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var (
			v    store.ChainVerifier
			hseq int64
			hash []byte
		)
		if err := tx.QueryRow(ctx, `SELECT seq, hash FROM ledger_head`).Scan(&hseq, &hash); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT seq, entry FROM audit ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		var (
			seq   int64
			entry []byte
		)
		for rows.Next() {
			if err := rows.Scan(&seq, &entry); err != nil {
				return err
			}
			if err := v.Entry(uint64(seq), entry); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		var h [32]byte
		if len(hash) != 32 {
			return &store.AuditError{Seq: v.Last(), Problem: "head mismatch"}
		}
		copy(h[:], hash)
		return v.Head(uint64(hseq), h)
	})
	var ae *store.AuditError
	if err == nil || errors.As(err, &ae) {
		return err
	}
	return fmt.Errorf("pgstore: verifying the audit log: %w", err)
}

// View runs fn in a REPEATABLE READ, read-only transaction: a consistent
// snapshot of the ledger, for making a CRL. Writes go on meanwhile and are
// not seen. The Tx and its iterators must not be used after fn returns.
func (db *DB) View(fn func(tx store.Tx) error) error {
	ctx, cancel := db.ctx()
	defer cancel()
	var fnErr error
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var seq int64
		// The first query takes the snapshot.
		if err := tx.QueryRow(ctx, `SELECT seq FROM ledger_head`).Scan(&seq); err != nil {
			return err
		}
		fnErr = fn(&readTx{ctx: ctx, q: tx, seq: uint64(seq)})
		return fnErr
	})
	if err == nil || (fnErr != nil && err == fnErr) {
		return err
	}
	var r refused
	if errors.As(err, &r) {
		return r.err
	}
	return fmt.Errorf("pgstore: reading a snapshot: %w", err)
}

// readTx is the store.Tx of a transaction: View's snapshot, or a write's
// transaction given to the Notifier. Its iterators read a page per query,
// so that the loop body may call the Tx again.
type readTx struct {
	ctx context.Context
	q   querier
	seq uint64
	// revs are the revocations of the issuer read last (see revList).
	revs *revList
}

var _ store.Tx = (*readTx)(nil)

// txErr turns an error of a Tx method into what the caller sees.
func txErr(what string, err error) error {
	var r refused
	if err == nil {
		return nil
	}
	if errors.As(err, &r) {
		return r.err
	}
	return fmt.Errorf("pgstore: %s: %w", what, err)
}

func (tx *readTx) Seq() uint64 { return tx.seq }

func (tx *readTx) Get(serial *big.Int) (*store.Record, error) {
	if err := store.CheckSerial(serial); err != nil {
		return nil, err
	}
	r, err := loadRecord(tx.ctx, tx.q, serial, false)
	return r, txErr("reading a certificate", err)
}

func (tx *readTx) AuditSince(seq uint64) iter.Seq2[store.AuditEntry, error] {
	return func(yield func(store.AuditEntry, error) bool) {
		for seq < tx.seq {
			es, err := auditSince(tx.ctx, tx.q, seq, pageLen)
			if err != nil {
				yield(store.AuditEntry{}, txErr("reading the audit log", err))
				return
			}
			if len(es) == 0 {
				return
			}
			for _, e := range es {
				if e.Seq > tx.seq {
					return
				}
				if !yield(e, nil) {
					return
				}
				seq = e.Seq
			}
		}
	}
}

func (tx *readTx) CRLState(issuerKeyID []byte) (store.CRLState, error) {
	if len(issuerKeyID) == 0 {
		return store.CRLState{}, nil
	}
	st, err := crlState(tx.ctx, tx.q, issuerKeyID, false)
	return st, txErr("reading CRL state", err)
}

// Revocations returns the issuer's revocations in serial order, each a
// new value. Like ScanRevocations, it reads them with one query on first
// use in the Tx (see revList).
func (tx *readTx) Revocations(issuerKeyID []byte) iter.Seq2[store.Revocation, error] {
	return func(yield func(store.Revocation, error) bool) {
		l, err := tx.revocations(issuerKeyID)
		if err != nil {
			yield(store.Revocation{}, err)
			return
		}
		l.replay(&store.Revocation{Serial: new(big.Int)}, func(r *store.Revocation) bool {
			c := *r
			c.Serial = new(big.Int).Set(r.Serial)
			return yield(c, nil)
		})
	}
}

// ScanRevocations is Revocations lending one reused entry, valid until the
// next step: its serial too, so that a scan allocates nothing per entry.
func (tx *readTx) ScanRevocations(issuerKeyID []byte) iter.Seq2[*store.Revocation, error] {
	return func(yield func(*store.Revocation, error) bool) {
		l, err := tx.revocations(issuerKeyID)
		if err != nil {
			yield(nil, err)
			return
		}
		l.replay(&store.Revocation{Serial: new(big.Int)}, func(r *store.Revocation) bool { return yield(r, nil) })
	}
}

// revocations returns the issuer's revocations in this Tx: read by the
// first call for the issuer, then kept until the Tx ends or another
// issuer's are read.
func (tx *readTx) revocations(issuerKeyID []byte) (*revList, error) {
	if l := tx.revs; l != nil && bytes.Equal(l.issuer, issuerKeyID) {
		return l, nil
	}
	tx.revs = nil
	l, err := readRevocations(tx.ctx, tx.q, issuerKeyID)
	if err != nil {
		return nil, txErr("reading revocations", err)
	}
	tx.revs = l
	return l, nil
}

func (tx *readTx) RevocationsSince(issuerKeyID []byte, seq uint64) iter.Seq2[store.Revocation, error] {
	return func(yield func(store.Revocation, error) bool) {
		if seq >= 1<<63 {
			return
		}
		rows, err := tx.q.Query(tx.ctx, `SELECT serial::text, revoked_at, reason, invalidity, seq FROM revocations
			WHERE issuer_key_id = $1 AND seq > $2 ORDER BY seq`, issuerKeyID, int64(seq))
		if err != nil {
			yield(store.Revocation{}, txErr("reading revocations", err))
			return
		}
		revs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Revocation, error) {
			r := store.Revocation{Serial: new(big.Int)}
			return r, scanRevocation(&r, row)
		})
		if err != nil {
			yield(store.Revocation{}, txErr("reading revocations", err))
			return
		}
		for _, r := range revs {
			if !yield(r, nil) {
				return
			}
		}
	}
}

func (tx *readTx) RemovalsSince(issuerKeyID []byte, seq uint64) iter.Seq2[store.Removal, error] {
	return func(yield func(store.Removal, error) bool) {
		if seq >= 1<<63 {
			return
		}
		rows, err := tx.q.Query(tx.ctx, `SELECT m.serial::text, m.released_at, m.seq FROM removals m
			WHERE m.issuer_key_id = $1 AND m.seq > $2
			AND NOT EXISTS (SELECT 1 FROM revocations r WHERE r.issuer_key_id = m.issuer_key_id AND r.serial = m.serial)
			ORDER BY m.seq`, issuerKeyID, int64(seq))
		if err != nil {
			yield(store.Removal{}, txErr("reading removals", err))
			return
		}
		rems, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Removal, error) {
			var (
				s   string
				at  time.Time
				seq int64
			)
			if err := row.Scan(&s, &at, &seq); err != nil {
				return store.Removal{}, err
			}
			n, err := parseNum(&s)
			return store.Removal{Serial: n, Time: at.UTC(), Seq: uint64(seq)}, err
		})
		if err != nil {
			yield(store.Removal{}, txErr("reading removals", err))
			return
		}
		for _, r := range rems {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// Count returns the number of the issuer's revocation entries; it counts
// them through the index (the bbolt ledger keeps a counter).
func (tx *readTx) Count(issuerKeyID []byte) (int, error) {
	var n int64
	err := tx.q.QueryRow(tx.ctx, `SELECT count(*) FROM revocations WHERE issuer_key_id = $1`, issuerKeyID).Scan(&n)
	return int(n), txErr("counting revocations", err)
}

func (tx *readTx) Application(number string) (*store.Application, error) {
	a, err := loadApplication(tx.ctx, tx.q, number, false)
	return a, txErr("reading an application", err)
}
