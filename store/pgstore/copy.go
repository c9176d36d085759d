package pgstore

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/big"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/gostca/gostca/store"
)

// errStopped ends an export whose consumer stopped early.
var errStopped = errors.New("pgstore: export stopped by its consumer")

// Head returns the head of the audit chain: the last change number and the
// hash of its entry (zero for an empty ledger).
func (db *DB) Head() (store.Head, error) {
	var h store.Head
	err := db.read("reading the audit head", func(ctx context.Context) error {
		return scanHead(db.pool.QueryRow(ctx, `SELECT seq, hash FROM ledger_head`), &h)
	})
	return h, err
}

func scanHead(row pgx.Row, h *store.Head) error {
	var (
		seq  int64
		hash []byte
	)
	if err := row.Scan(&seq, &hash); err != nil {
		return err
	}
	if len(hash) != 32 {
		return fmt.Errorf("reading the audit head: malformed hash")
	}
	h.Seq = uint64(seq)
	copy(h.Hash[:], hash)
	return nil
}

// Export returns the ledger's whole contents as a stream of items in the
// order Load takes them (see store.Item), read from one snapshot: one
// REPEATABLE READ, read-only transaction, held for as long as the loop
// runs, each table streamed by one query. Writes go on meanwhile and are
// not in the stream. Unlike the other methods, it is bounded by ctx, not
// by Options.Timeout: a copy of a million certificates takes longer than a
// call.
func (db *DB) Export(ctx context.Context) iter.Seq2[store.Item, error] {
	return func(yield func(store.Item, error) bool) {
		err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			return export(ctx, tx, func(it store.Item) error {
				if !yield(it, nil) {
					return errStopped
				}
				return nil
			})
		})
		if err != nil && !errors.Is(err, errStopped) {
			yield(store.Item{}, fmt.Errorf("pgstore: exporting: %w", err))
		}
	}
}

// export emits the items of the snapshot of tx, table by table.
func export(ctx context.Context, tx pgx.Tx, emit func(store.Item) error) error {
	// The first query takes the snapshot; the head goes last.
	var h store.Head
	if err := scanHead(tx.QueryRow(ctx, `SELECT seq, hash FROM ledger_head`), &h); err != nil {
		return err
	}
	tables := []struct {
		sql  string
		scan func(rows pgx.Rows) (store.Item, error)
	}{
		{recordColumns + ` ORDER BY c.serial`, func(rows pgx.Rows) (store.Item, error) {
			r, err := scanRecord(rows)
			return store.Item{Record: r}, err
		}},
		{`SELECT issuer_key_id, serial::text, released_at, seq FROM removals ORDER BY issuer_key_id, seq`, func(rows pgx.Rows) (store.Item, error) {
			var (
				m   store.IssuerRemoval
				s   string
				seq int64
			)
			if err := rows.Scan(&m.IssuerKeyID, &s, &m.Time, &seq); err != nil {
				return store.Item{}, err
			}
			var err error
			m.Serial, err = parseNum(&s)
			m.Time, m.Seq = m.Time.UTC(), uint64(seq)
			return store.Item{Removal: &m}, err
		}},
		{crlColumns + ` ORDER BY issuer_key_id`, func(rows pgx.Rows) (store.Item, error) {
			st, id, err := scanCRLState(rows)
			return store.Item{CRL: &store.IssuerCRL{IssuerKeyID: id, State: st}}, err
		}},
		{`SELECT hash, content FROM blobs ORDER BY hash`, func(rows pgx.Rows) (store.Item, error) {
			var (
				b    store.Blob
				hash []byte
			)
			if err := rows.Scan(&hash, &b.Content); err != nil {
				return store.Item{}, err
			}
			if copy(b.Hash[:], hash) != 32 || len(hash) != 32 {
				return store.Item{}, fmt.Errorf("malformed attachment hash %x", hash)
			}
			if b.Content == nil {
				b.Content = []byte{}
			}
			return store.Item{Blob: &b}, nil
		}},
		{applicationColumns + ` ORDER BY number`, func(rows pgx.Rows) (store.Item, error) {
			a, err := scanApplication(rows)
			return store.Item{Application: a}, err
		}},
		{`SELECT year, last FROM application_numbers ORDER BY year`, func(rows pgx.Rows) (store.Item, error) {
			var (
				year int32
				last int64
			)
			err := rows.Scan(&year, &last)
			return store.Item{Numbering: &store.Numbering{Year: int(year), Last: uint64(last)}}, err
		}},
		{mailColumns + ` ORDER BY id`, func(rows pgx.Rows) (store.Item, error) {
			m, err := scanMail(rows)
			return store.Item{Mail: &m}, err
		}},
		{`SELECT r.serial::text, r.days, r.seq FROM reminders r ORDER BY r.serial, r.days`, func(rows pgx.Rows) (store.Item, error) {
			var (
				s    string
				days int32
				seq  int64
			)
			if err := rows.Scan(&s, &days, &seq); err != nil {
				return store.Item{}, err
			}
			n, err := parseNum(&s)
			return store.Item{Reminder: &store.Reminder{Serial: n, Days: int(days), Seq: uint64(seq)}}, err
		}},
		{`SELECT seq, entry FROM audit ORDER BY seq`, func(rows pgx.Rows) (store.Item, error) {
			var (
				seq   int64
				entry []byte
			)
			err := rows.Scan(&seq, &entry)
			return store.Item{Audit: &store.SealedAudit{Seq: uint64(seq), Stored: entry}}, err
		}},
	}
	for _, t := range tables {
		if err := exportRows(ctx, tx, t.sql, t.scan, emit); err != nil {
			return err
		}
	}
	return emit(store.Item{Head: &h})
}

// exportRows emits the items of one query's rows, as they arrive.
func exportRows(ctx context.Context, tx pgx.Tx, sql string, scan func(pgx.Rows) (store.Item, error), emit func(store.Item) error) error {
	rows, err := tx.Query(ctx, sql)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scan(rows)
		if err != nil {
			return err
		}
		if err := emit(it); err != nil {
			return err
		}
	}
	return rows.Err()
}

// The tables Load fills, in the order it fills them within a batch (a
// row's references come first), with their columns. load_links is a
// temporary table of the renewal links, set once every certificate is in.
var loadTables = [...]struct {
	name string
	cols []string
}{
	tCertificates: {"certificates", []string{"serial", "issuer_key_id", "issuer", "subject", "subject_key_id", "profile",
		"request_id", "not_before", "not_after", "status", "der", "application", "created_at", "updated_at"}},
	tRevocations:  {"revocations", []string{"issuer_key_id", "serial", "revoked_at", "reason", "invalidity", "seq"}},
	tLinks:        {"load_links", []string{"serial", "predecessor", "successor"}},
	tRemovals:     {"removals", []string{"issuer_key_id", "serial", "released_at", "seq"}},
	tCRLState:     {"crl_state", []string{"issuer_key_id", "last_number", "full_number", "full_this_update", "full_seq", "delta_number", "delta_this_update", "delta_seq", "delta_base"}},
	tBlobs:        {"blobs", []string{"hash", "content"}},
	tApplications: {"applications", []string{"number", "state", "open", "key_id", "serial", "deadline", "attachments", "data", "created_at", "updated_at", "version"}},
	tNumbers:      {"application_numbers", []string{"year", "last"}},
	tOutbox:       {"outbox", []string{"id", "to_addr", "subject", "body", "attempts", "next", "last_error", "created_at", "sent_at", "gave_up_at", "seq", "application"}},
	tReminders:    {"reminders", []string{"serial", "days", "seq"}},
	tAudit:        {"audit", []string{"seq", "at", "op", "serial", "detail", "entry"}},
}

const (
	tCertificates = iota
	tRevocations
	tLinks
	tRemovals
	tCRLState
	tBlobs
	tApplications
	tNumbers
	tOutbox
	tReminders
	tAudit
	nTables
)

// The bounds of one batch of Load's COPYs: rows, or bytes of them.
const (
	loadRows  = 8192
	loadBytes = 16 << 20
)

// Load fills an empty ledger with the items of another ledger's Export
// (this package's, or store's bbolt file's), read through
// store.CheckItems, as store.DB.Load does: it writes no audit entry of
// its own and calls no Notifier, so that the copy's chain and head are
// the source's. It refuses, with an error wrapping store.ErrExists and
// nothing written, a ledger that is not empty.
//
// It runs in one transaction, which holds the audit head's lock from the
// start (other writers wait for it) and writes with COPY, a batch of a
// few thousand rows at a time: a load that fails (a malformed item, a
// broken chain, ctx done) leaves the ledger empty. Like Export, it is
// bounded by ctx, not by Options.Timeout.
func (db *DB) Load(ctx context.Context, items iter.Seq2[store.Item, error]) error {
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		var seq int64
		if err := tx.QueryRow(ctx, `SELECT seq FROM ledger_head FOR UPDATE`).Scan(&seq); err != nil {
			return fmt.Errorf("locking the audit head: %w", err)
		}
		var used bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM certificates) OR EXISTS (SELECT 1 FROM audit)
			OR EXISTS (SELECT 1 FROM revocations) OR EXISTS (SELECT 1 FROM removals) OR EXISTS (SELECT 1 FROM crl_state)
			OR EXISTS (SELECT 1 FROM applications) OR EXISTS (SELECT 1 FROM application_numbers) OR EXISTS (SELECT 1 FROM blobs)
			OR EXISTS (SELECT 1 FROM outbox) OR EXISTS (SELECT 1 FROM reminders)`).Scan(&used); err != nil {
			return err
		}
		if seq != 0 || used {
			return refused{fmt.Errorf("store: loading: the ledger is not empty: %w", store.ErrExists)}
		}
		if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE load_links (serial numeric PRIMARY KEY, predecessor numeric,
			successor numeric) ON COMMIT DROP`); err != nil {
			return err
		}
		l := &pgLoader{ctx: ctx, tx: tx}
		for it, err := range store.CheckItems(items) {
			if err != nil {
				return refused{err}
			}
			if err := l.add(&it); err != nil {
				return err
			}
			if l.n >= loadRows || l.size >= loadBytes {
				if err := l.flush(); err != nil {
					return err
				}
			}
		}
		if err := l.flush(); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE certificates c SET predecessor = k.predecessor, successor = k.successor
			FROM load_links k WHERE c.serial = k.serial`); err != nil {
			return fmt.Errorf("linking renewals: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE ledger_head SET seq = $1, hash = $2`, int64(l.head.Seq), l.head.Hash[:]); err != nil {
			return fmt.Errorf("writing the audit head: %w", err)
		}
		return nil
	})
	return txErr("loading", err)
}

// pgLoader is the state of one Load: the rows of the next batch, table by
// table, and the head once read.
type pgLoader struct {
	ctx  context.Context
	tx   pgx.Tx
	rows [nTables][][]any
	n    int
	size int
	head store.Head
}

func (l *pgLoader) row(table int, size int, values ...any) {
	l.rows[table] = append(l.rows[table], values)
	l.n++
	l.size += size
}

// add turns an item into the rows it is stored as.
func (l *pgLoader) add(it *store.Item) error {
	switch {
	case it.Record != nil:
		r := it.Record
		l.row(tCertificates, 200+len(r.DER), pgNum(r.Serial), r.IssuerKeyID, r.Issuer, r.Subject, nonEmpty(r.SubjectKeyID), r.Profile,
			r.RequestID, tm(r.NotBefore), tm(r.NotAfter), int16(r.Status), nonEmpty(r.DER), nullText(r.Application), r.CreatedAt, r.UpdatedAt)
		if rev := r.Revocation; rev != nil {
			l.row(tRevocations, 64, r.IssuerKeyID, pgNum(r.Serial), rev.Time, int16(rev.Reason), tm(rev.InvalidityDate), int64(rev.Seq))
		}
		if r.Predecessor != nil || r.Successor != nil {
			l.row(tLinks, 64, pgNum(r.Serial), pgNum(r.Predecessor), pgNum(r.Successor))
		}
	case it.Removal != nil:
		m := it.Removal
		l.row(tRemovals, 64, m.IssuerKeyID, pgNum(m.Serial), m.Time, int64(m.Seq))
	case it.CRL != nil:
		st := it.CRL.State
		v := []any{it.CRL.IssuerKeyID, pgNum(st.LastNumber), nil, nil, nil, nil, nil, nil, nil}
		if f := st.LastFull; f != nil {
			v[2], v[3], v[4] = pgNum(f.Number), f.ThisUpdate, int64(f.Seq)
		}
		if d := st.LastDelta; d != nil {
			v[5], v[6], v[7], v[8] = pgNum(d.Number), d.ThisUpdate, int64(d.Seq), pgNum(d.BaseNumber)
		}
		l.row(tCRLState, 128, v...)
	case it.Blob != nil:
		b := it.Blob
		content := b.Content
		if content == nil {
			content = []byte{}
		}
		l.row(tBlobs, 64+len(content), append([]byte(nil), b.Hash[:]...), content)
	case it.Application != nil:
		values, err := applicationRow(it.Application)
		if err != nil {
			return err
		}
		l.row(tApplications, 200+len(it.Application.Data), values...)
	case it.Numbering != nil:
		l.row(tNumbers, 16, int32(it.Numbering.Year), int64(it.Numbering.Last))
	case it.Mail != nil:
		m := it.Mail
		l.row(tOutbox, 200+len(m.Body), int64(m.ID), m.To, m.Subject, m.Body, int32(m.Attempts), tm(m.Next), m.LastError, m.CreatedAt,
			tm(m.SentAt), tm(m.GaveUpAt), int64(m.Seq), m.Application)
	case it.Reminder != nil:
		r := it.Reminder
		l.row(tReminders, 32, pgNum(r.Serial), int32(r.Days), int64(r.Seq))
	case it.Audit != nil:
		e, err := store.ParseAudit(it.Audit.Stored)
		if err != nil {
			return err
		}
		l.row(tAudit, 64+len(it.Audit.Stored), int64(e.Seq), e.Time, e.Op, pgNum(e.Serial), e.Detail, it.Audit.Stored)
	case it.Head != nil:
		l.head = *it.Head
	}
	return nil
}

// flush copies the batch's rows in, table by table.
func (l *pgLoader) flush() error {
	for t := range l.rows {
		if len(l.rows[t]) == 0 {
			continue
		}
		tb := loadTables[t]
		if _, err := l.tx.CopyFrom(l.ctx, pgx.Identifier{tb.name}, tb.cols, pgx.CopyFromRows(l.rows[t])); err != nil {
			return fmt.Errorf("writing %s: %w", tb.name, err)
		}
		clear(l.rows[t])
		l.rows[t] = l.rows[t][:0]
	}
	l.n, l.size = 0, 0
	return nil
}

// pgNum is n as a numeric for COPY (which takes no decimal text), or NULL.
func pgNum(n *big.Int) any {
	if n == nil {
		return nil
	}
	return pgtype.Numeric{Int: n, Valid: true}
}
