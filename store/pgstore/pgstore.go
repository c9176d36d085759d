package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gostca/gostca/store"
)

// Options configures Open. A nil *Options means the defaults.
type Options struct {
	// Timeout bounds each call (each write transaction, each read, each
	// View); 0 means 1 minute.
	Timeout time.Duration
	// Retries is how many times a write is run again after a
	// serialization failure or a deadlock reported by the server; 0 means
	// 5. Writes take their locks in one order, so this is a safety net.
	Retries int
	// Notify, if set, makes the messages of each change that concerns an
	// application; they go into the outbox in the change's transaction,
	// as with store.Options.Notify.
	Notify store.Notifier
	// Migrate makes Open bring the schema up to date first, as [Migrate]
	// does; without it Open refuses a database whose schema is older than
	// this package's ([ErrOutdated]), so that a schema changes only when
	// an operator says so (gostca ledger migrate).
	Migrate bool
}

const (
	defaultTimeout = time.Minute
	defaultRetries = 5
)

// ErrSchema: the database holds a ledger of a schema version newer than
// this package knows, or its migrations table is malformed. It wraps
// store.ErrSchema.
var ErrSchema = fmt.Errorf("pgstore: %w", store.ErrSchema)

// ErrOutdated: the database has no ledger yet, or one of an older schema
// version, and Open was not asked to migrate it. It wraps store.ErrSchema.
var ErrOutdated error = outdated{}

type outdated struct{}

func (outdated) Error() string { return "pgstore: the ledger's schema is not up to date" }
func (outdated) Unwrap() error { return store.ErrSchema }

// DB is a ledger in a PostgreSQL database. Its methods are safe for
// concurrent use, and several DBs (in several processes) may use one
// database at once.
type DB struct {
	pool    *pgxpool.Pool
	timeout time.Duration
	retries int
	notify  store.Notifier
	// closing is done at Close, which stops the listeners of Changes and
	// waits for them.
	closing   context.Context
	close     context.CancelFunc
	listeners sync.WaitGroup

	crlMu    sync.Mutex               // guards crlLocks
	crlLocks map[string]chan struct{} // LockCRL's queue per issuer

	// head admits one write of this DB at a time to the audit head: the
	// others wait here, not in the server's lock queue (see writeOnce).
	head chan struct{}
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one versioned step of the schema.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in version order; the file
// names are NNNN_name.sql, numbered from 1 without gaps.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("pgstore: migration file %s: name is not NNNN_name.sql", e.Name())
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("pgstore: migration %s out of sequence (want version %d)", m.name, i+1)
		}
	}
	return out, nil
}

// SchemaVersion is the schema version this package reads and writes: the
// number of its migrations.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

// migrationLock is the key of the advisory lock that serializes the
// migrations of concurrent Opens (any 64-bit constant of our own).
const migrationLock = 0x6f737463615f6d67 // "ostca_mg"

// Open connects to the database at url (a PostgreSQL URL or key=value
// string, as pgx parses it; a password is best left to PGPASSFILE or
// PGPASSWORD) and returns the ledger. Its schema must be this package's:
// Open fails with an error wrapping ErrOutdated if the database has none
// or an older one (unless opts.Migrate), and with one wrapping ErrSchema
// if it has a newer one. Both wrap store.ErrSchema.
func Open(ctx context.Context, url string, opts *Options) (*DB, error) {
	if opts == nil {
		opts = &Options{}
	}
	pool, err := connect(ctx, url)
	if err != nil {
		return nil, err
	}
	db := &DB{pool: pool, timeout: opts.Timeout, retries: opts.Retries, notify: opts.Notify, head: make(chan struct{}, 1)}
	db.closing, db.close = context.WithCancel(context.Background())
	if db.timeout <= 0 {
		db.timeout = defaultTimeout
	}
	if db.retries <= 0 {
		db.retries = defaultRetries
	}
	if opts.Migrate {
		_, _, err = migrate(ctx, pool)
	} else {
		err = checkSchema(ctx, pool)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// connect makes the connection pool of url.
func connect(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("pgstore: parsing the database URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: connecting: %w", err)
	}
	return pool, nil
}

// Migrate brings the schema of the database at url up to date, running
// in order, each in its own transaction, the migrations it has not had,
// under an advisory lock so that processes migrating at once run each
// migration once. It returns the schema versions before and after; it
// fails with an error wrapping ErrSchema if the database has a newer
// schema than this package knows.
func Migrate(ctx context.Context, url string) (from, to int, err error) {
	pool, err := connect(ctx, url)
	if err != nil {
		return 0, 0, err
	}
	defer pool.Close()
	return migrate(ctx, pool)
}

// schemaVersion reads the version of the database's schema: 0 for a
// database without a ledger.
func schemaVersion(ctx context.Context, q querier) (int, error) {
	var have int
	err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&have)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pgstore: reading the schema version: %w", err)
	}
	return have, nil
}

// checkSchema fails unless the database's schema is this package's.
func checkSchema(ctx context.Context, pool *pgxpool.Pool) error {
	have, err := schemaVersion(ctx, pool)
	if err != nil {
		return fmt.Errorf("pgstore: connecting: %w", err)
	}
	want := SchemaVersion()
	switch {
	case have == 0:
		return fmt.Errorf("%w: the database has no ledger (schema version %d wanted)", ErrOutdated, want)
	case have < want:
		return fmt.Errorf("%w: the database is at schema version %d, this program needs %d", ErrOutdated, have, want)
	case have > want:
		return fmt.Errorf("%w: the database is at version %d, this program knows %d", ErrSchema, have, want)
	}
	return nil
}

// migrate runs the migrations the database lacks, under an advisory lock
// so that processes migrating at once run each migration once.
func migrate(ctx context.Context, pool *pgxpool.Pool) (from, to int, err error) {
	ms, err := migrations()
	if err != nil {
		return 0, 0, err
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("pgstore: connecting: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(migrationLock)); err != nil {
		return 0, 0, fmt.Errorf("pgstore: locking for migrations: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(migrationLock))
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY,
		name text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return 0, 0, fmt.Errorf("pgstore: creating schema_migrations: %w", err)
	}
	have, err := schemaVersion(ctx, conn)
	if err != nil {
		return 0, 0, err
	}
	if have > len(ms) {
		return have, have, fmt.Errorf("%w: the database is at version %d, this program knows %d", ErrSchema, have, len(ms))
	}
	for _, m := range ms[have:] {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name)
			return err
		})
		if err != nil {
			return have, m.version - 1, fmt.Errorf("pgstore: migrating to version %d (%s): %w", m.version, m.name, err)
		}
	}
	return have, len(ms), nil
}

// Close closes the connections of the ledger, waiting for the calls in
// progress, and stops the listeners of [DB.Changes].
func (db *DB) Close() error {
	db.close()
	db.listeners.Wait()
	db.pool.Close()
	return nil
}

// Pool returns the connection pool, for callers that run their own
// queries (tests, tools): the ledger's tables are its own, write them only
// through DB.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

func (db *DB) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), db.timeout)
}

// querier is what a pool, a connection and a transaction share.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// refused marks the errors a write decides on itself (a refused
// transition, a bad argument), which go back to the caller as they are.
type refused struct{ err error }

func (r refused) Error() string { return r.err.Error() }
func (r refused) Unwrap() error { return r.err }

// wtx is a write transaction: the head of the audit chain, locked, and
// the change numbers it took.
type wtx struct {
	db   *DB
	ctx  context.Context
	tx   pgx.Tx
	seq  uint64
	hash [32]byte
}

// write runs fn in a write transaction (READ COMMITTED) that first locks
// the audit head: writes run one after another, each seeing every write
// committed before it, whatever the process that made it. fn's own errors
// (returned as refused) go back as they are; a serialization failure or
// deadlock runs fn again, at most db.retries times; other failures are
// wrapped with the gerund context.
func (db *DB) write(what string, serial *big.Int, lockHead bool, fn func(w *wtx) error) error {
	var err error
	for attempt := 0; attempt <= db.retries; attempt++ {
		err = db.writeOnce(lockHead, fn)
		if !retryable(err) {
			break
		}
	}
	var r refused
	switch {
	case err == nil:
		return nil
	case errors.As(err, &r):
		return r.err
	case serial != nil:
		return fmt.Errorf("pgstore: %s serial 0x%x: %w", what, serial, err)
	}
	return fmt.Errorf("pgstore: %s: %w", what, err)
}

func (db *DB) writeOnce(lockHead bool, fn func(w *wtx) error) error {
	ctx, cancel := db.ctx()
	defer cancel()
	if lockHead {
		// Writes lock the head one at a time whatever their number; the
		// writes of one process queue in it first, so that at most one of
		// its connections waits on the row lock. Waiting there costs the
		// server a lock queue and a wake-up at every commit: 32
		// goroutines issued at 60% of one's rate without this queue.
		select {
		case db.head <- struct{}{}:
			defer func() { <-db.head }()
		case <-ctx.Done():
			return fmt.Errorf("waiting for the audit head: %w", ctx.Err())
		}
	}
	return pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		w := &wtx{db: db, ctx: ctx, tx: tx}
		if lockHead {
			var hash []byte
			var seq int64
			if err := tx.QueryRow(ctx, `SELECT seq, hash FROM ledger_head FOR UPDATE`).Scan(&seq, &hash); err != nil {
				return fmt.Errorf("locking the audit head: %w", err)
			}
			if len(hash) != 32 {
				return fmt.Errorf("reading the audit head: malformed hash")
			}
			w.seq = uint64(seq)
			copy(w.hash[:], hash)
		}
		return fn(w)
	})
}

// retryable reports a failure that running the transaction again may
// cure: serialization_failure and deadlock_detected.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// appendAudit takes the next change number, appends its audit entry and
// moves the head, in the transaction.
func (w *wtx) appendAudit(at time.Time, op string, serial *big.Int, detail string) (store.AuditEntry, error) {
	e := store.AuditEntry{Seq: w.seq + 1, Time: at, Op: op, Serial: serial, Detail: detail, Prev: w.hash}
	stored, err := store.SealAudit(&e)
	if err != nil {
		return store.AuditEntry{}, refused{err}
	}
	// The entry is appended, the head moves and the change is announced
	// in one statement, one round trip with the head locked: the
	// notification goes out at commit (ChangesChannel).
	if _, err := w.tx.Exec(w.ctx, `WITH entry AS (INSERT INTO audit (seq, at, op, serial, detail, entry)
			VALUES ($1, $2, $3, $4::numeric, $5, $6)),
		head AS (UPDATE ledger_head SET seq = $1, hash = $7 RETURNING seq)
		SELECT pg_notify('`+ChangesChannel+`', seq::text) FROM head`,
		int64(e.Seq), at, op, num(serial), detail, stored, e.Hash[:]); err != nil {
		return store.AuditEntry{}, fmt.Errorf("appending audit entry %d: %w", e.Seq, err)
	}
	w.seq, w.hash = e.Seq, e.Hash
	return e, nil
}

// changed appends the audit entry of a change and, when the ledger has a
// Notifier and the change concerns an application, queues the messages it
// returns, all in the transaction.
func (w *wtx) changed(at time.Time, op string, serial *big.Int, detail string, app *store.Application) (uint64, error) {
	e, err := w.appendAudit(at, op, serial, detail)
	if err != nil {
		return 0, err
	}
	if w.db.notify == nil || app == nil {
		return e.Seq, nil
	}
	for _, m := range w.db.notify(&readTx{ctx: w.ctx, q: w.tx, seq: w.seq}, e, store.CloneApplication(app)) {
		m.Seq, m.Application, m.CreatedAt, m.Next = e.Seq, app.Number, at, at
		if m.To == "" {
			continue
		}
		if err := w.queueMail(&m); err != nil {
			return 0, err
		}
	}
	return e.Seq, nil
}

// certChanged is changed for a write of the certificate rec: the
// application it was issued for, if any, is the change's.
func (w *wtx) certChanged(at time.Time, op string, rec *store.Record, detail string) (uint64, error) {
	var app *store.Application
	if rec.Application != "" && w.db.notify != nil {
		var err error
		if app, err = loadApplication(w.ctx, w.tx, rec.Application, false); err != nil {
			return 0, err
		}
	}
	return w.changed(at, op, rec.Serial, detail, app)
}

// Values to and from SQL. Serials and CRL numbers travel as decimal text
// cast to numeric; a zero time is NULL.

func num(n *big.Int) any {
	if n == nil {
		return nil
	}
	return n.String()
}

func parseNum(s *string) (*big.Int, error) {
	if s == nil {
		return nil, nil
	}
	n, ok := new(big.Int).SetString(*s, 10)
	if !ok {
		return nil, fmt.Errorf("pgstore: malformed number %q", *s)
	}
	return n, nil
}

func tm(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func nonEmpty(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

func cloneBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}
