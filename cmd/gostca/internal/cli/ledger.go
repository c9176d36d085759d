package cli

import (
	"context"
	"errors"
	"iter"
	"net/url"
	"os"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/ra"
	"github.com/gostca/gostca/store"
	"github.com/gostca/gostca/store/pgstore"
)

// ledger is what the commands use of an issuance ledger, whichever
// backend keeps it: *store.DB (the bbolt file, the default) or
// *pgstore.DB (PostgreSQL).
type ledger interface {
	ca.Ledger
	ra.Ledger
	ra.MailLedger
	ra.RemindLedger
	All() iter.Seq2[*store.Record, error]
	Audit() iter.Seq2[store.AuditEntry, error]
	VerifyAudit() error
	Close() error
}

var (
	_ ledger = (*store.DB)(nil)
	_ ledger = (*pgstore.DB)(nil)
)

// pgTimeout bounds each call on a PostgreSQL ledger (one write
// transaction, one read); pgConnectTimeout bounds connecting to it.
const (
	pgTimeout        = 30 * time.Second
	pgConnectTimeout = 10 * time.Second
	pgMigrateTimeout = 10 * time.Minute
)

// ledgerLocation is where a CA's ledger is: the bbolt file of the CA
// directory, or a PostgreSQL database.
type ledgerLocation struct {
	path string // the bbolt file, or ""
	url  string // the PostgreSQL URL, or ""
}

// String names the ledger for messages: the file, or the database URL.
func (l ledgerLocation) String() string {
	if l.url != "" {
		return redactURL(l.url)
	}
	return l.path
}

// postgres reports whether the ledger is in PostgreSQL.
func (l ledgerLocation) postgres() bool { return l.url != "" }

// parseLedgerURL checks the "ledger" of gostca.json (or a --to): a
// postgres:// or postgresql:// URL without a password, which comes from
// PGPASSFILE (~/.pgpass) or PGPASSWORD instead, never from a file that
// every operator reads.
func parseLedgerURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Opaque != "" {
		return "", usagef("ledger %q is not a postgres:// URL", redactURL(s)).
			withHint(`give "postgres://USER@HOST:PORT/DATABASE?sslmode=verify-full", or "" for the ledger file`)
	}
	if _, ok := u.User.Password(); ok || u.Query().Has("password") {
		return "", usagef("the ledger URL %s has a password in it", redactURL(s)).
			withHint("remove it: put it in a password file (PGPASSFILE, ~/.pgpass) or PGPASSWORD, or use a client certificate (sslcert, sslkey)")
	}
	return s, nil
}

// redactURL is s with any password replaced, for messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// ledgerOf returns where cfg keeps the CA's ledger.
func (a *app) ledgerOf(cfg *config) (ledgerLocation, error) {
	if cfg.Ledger == "" {
		return ledgerLocation{path: a.path(ledgerName)}, nil
	}
	u, err := parseLedgerURL(cfg.Ledger)
	if err != nil {
		var ce *cliError
		if errors.As(err, &ce) {
			ce.msg = a.path(configName) + ": " + ce.msg
			ce.code = ExitError
		}
		return ledgerLocation{}, err
	}
	return ledgerLocation{url: u}, nil
}

// where returns where the CA of the directory keeps its ledger.
func (a *app) where() (ledgerLocation, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return ledgerLocation{}, err
	}
	return a.ledgerOf(cfg)
}

// openLedger opens the CA's ledger, which must exist: the ledger file,
// waiting ledgerTimeout for another process to let it go, or the
// PostgreSQL database of gostca.json's "ledger", which must have the
// ledger's schema. A writable ledger queues each change's messages to
// applicants in the change's transaction.
func (a *app) openLedger(readOnly bool) (ledger, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	return a.openLedgerOf(cfg, readOnly)
}

// openLedgerOf is openLedger with the configuration read.
func (a *app) openLedgerOf(cfg *config, readOnly bool) (ledger, error) {
	loc, err := a.ledgerOf(cfg)
	if err != nil {
		return nil, err
	}
	var notify store.Notifier
	if !readOnly {
		// Every change an applicant hears of queues its message in the
		// change's transaction, whichever command makes it.
		notify = a.notifier(cfg)
	}
	if loc.postgres() {
		return openPostgres(loc.url, &pgstore.Options{Timeout: pgTimeout, Notify: notify})
	}
	return openFileLedger(loc.path, readOnly, notify)
}

// createLedger makes the ledger of a new CA: the ledger file, added to
// made, or the tables of the PostgreSQL ledger, unless it has them.
func (a *app) createLedger(cfg *config, made *[]string) (ledger, error) {
	loc, err := a.ledgerOf(cfg)
	if err != nil {
		return nil, err
	}
	if loc.postgres() {
		if _, _, err := migratePostgres(loc.url); err != nil {
			return nil, err
		}
		return openPostgres(loc.url, &pgstore.Options{Timeout: pgTimeout})
	}
	db, err := store.Open(loc.path, &store.Options{Timeout: ledgerTimeout})
	if err != nil {
		return nil, failf("%s", trimPrefix(err)).because(err)
	}
	*made = append(*made, loc.path)
	return db, nil
}

// migratePostgres brings the schema of the PostgreSQL ledger at u up to
// date.
func migratePostgres(u string) (from, to int, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), pgMigrateTimeout)
	defer cancel()
	from, to, err = pgstore.Migrate(ctx, u)
	if err != nil {
		return from, to, pgError(u, err)
	}
	return from, to, nil
}

// openFileLedger opens the ledger file at path, which must exist.
func openFileLedger(p string, readOnly bool, notify store.Notifier) (*store.DB, error) {
	if _, err := os.Stat(p); err != nil {
		return nil, failf("the ledger %s is missing", p).
			withHint("restore it from a backup with 'gostca restore FILE'")
	}
	db, err := store.Open(p, &store.Options{Timeout: ledgerTimeout, ReadOnly: readOnly, Notify: notify})
	if errors.Is(err, store.ErrLocked) {
		return nil, failf("ledger %s in use by another process", p).
			withHint("wait for the other gostca command to finish, then retry (fuser %s shows who holds it)", p).because(err)
	}
	if err != nil {
		return nil, failf("%s", trimPrefix(err)).because(err)
	}
	return db, nil
}

// openPostgres opens the PostgreSQL ledger at url, which must have the
// ledger's schema.
func openPostgres(u string, opts *pgstore.Options) (*pgstore.DB, error) {
	ctx, cancel := context.WithTimeout(context.Background(), pgConnectTimeout)
	defer cancel()
	db, err := pgstore.Open(ctx, u, opts)
	if err != nil {
		return nil, pgError(u, err)
	}
	return db, nil
}

// pgError is the message of a failure to open or migrate the PostgreSQL
// ledger at u.
func pgError(u string, err error) error {
	e := failf("the ledger database %s: %s", redactURL(u), trimPrefix(err)).because(err)
	switch {
	case errors.Is(err, pgstore.ErrOutdated):
		return e.withHint("run 'gostca ledger migrate' (once, from one node) to create or update its tables")
	case errors.Is(err, store.ErrSchema):
		return e.withHint("this gostca is older than the ledger's schema: upgrade gostca on this node")
	}
	return e.withHint("check gostca.json's \"ledger\", that the server is up and reachable, and the password file (PGPASSFILE) or PGPASSWORD")
}

// notPostgres is what a command that needs a PostgreSQL ledger says of
// a ledger file.
func notPostgres(what string) error {
	return usagef("%s is for a PostgreSQL ledger; this CA keeps its ledger in a file", what).
		withHint(`copy it to PostgreSQL with 'gostca ledger copy --to URL', then set "ledger" in gostca.json to that URL`)
}
