// Package ledgertest runs the tests of the ledger's consumers (ca and
// ca/ra) against both issuance ledgers: the bbolt file of package store
// and the PostgreSQL database of store/pgstore, a new database per ledger
// on the test binary's server (interop.StartPostgres; the test binary's
// TestMain must call interop.StopPostgres). Where PostgreSQL is not
// installed its subtests skip, and fail in CI (interop.Missing).
//
// A Backend makes a ledger and says where it is (a file path or a
// database URL), so that a child process told that place can open the
// same ledger, as the crash tests' children do.
//
// It is a test harness: only tests import it.
package ledgertest

import (
	"context"
	"fmt"
	"iter"
	"path/filepath"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/ra"
	"github.com/gostca/gostca/internal/interop"
	"github.com/gostca/gostca/store"
	"github.com/gostca/gostca/store/pgstore"
)

// Ledger is what the tests use of a ledger: what the CA and the
// registration authority need, and the reads that check them. Both
// *store.DB and *pgstore.DB are Ledgers.
type Ledger interface {
	ca.Ledger
	ra.Ledger
	All() iter.Seq2[*store.Record, error]
	Audit() iter.Seq2[store.AuditEntry, error]
	VerifyAudit() error
	Close() error
}

var (
	_ Ledger = (*store.DB)(nil)
	_ Ledger = (*pgstore.DB)(nil)
)

// Backend is one kind of ledger.
type Backend struct {
	name   string
	create func(t testing.TB) string
	open   func(loc string, timeout time.Duration) (Ledger, error)
}

// Backends returns the two backends: "bbolt" and "postgres".
func Backends() []Backend {
	return []Backend{
		{name: "bbolt", create: func(t testing.TB) string { return filepath.Join(t.TempDir(), "ledger.db") },
			open: func(path string, timeout time.Duration) (Ledger, error) {
				return store.Open(path, &store.Options{Timeout: timeout})
			}},
		{name: "postgres", create: createDatabase,
			open: func(url string, timeout time.Duration) (Ledger, error) {
				return pgstore.Open(context.Background(), url, &pgstore.Options{Timeout: timeout})
			}},
	}
}

// createDatabase makes a new database on the test binary's server and
// migrates it.
func createDatabase(t testing.TB) string {
	t.Helper()
	url := interop.StartPostgres(t)
	if _, _, err := pgstore.Migrate(context.Background(), url); err != nil {
		t.Fatalf("ledgertest: migrating %s: %v", url, err)
	}
	return url
}

// Lookup returns the backend named name, as a parent process passes it
// to its child.
func Lookup(name string) (Backend, error) {
	for _, b := range Backends() {
		if b.name == name {
			return b, nil
		}
	}
	return Backend{}, fmt.Errorf("ledgertest: no backend %q", name)
}

// Run runs f as a subtest for each backend, named after it.
func Run(t *testing.T, f func(t *testing.T, b Backend)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(b.name, func(t *testing.T) { f(t, b) })
	}
}

// Name returns "bbolt" or "postgres".
func (b Backend) Name() string { return b.name }

// Create makes a new, empty ledger for t and returns where it is: a file
// in t.TempDir() or the URL of a new database, removed at t's cleanup.
func (b Backend) Create(t testing.TB) string {
	t.Helper()
	return b.create(t)
}

// Open opens the ledger at loc, which Create returned (in this process or
// its parent). timeout is how long the bbolt file waits for its lock, or
// what bounds each call to PostgreSQL; 0 means the backend's default. The
// caller closes the ledger.
func (b Backend) Open(loc string, timeout time.Duration) (Ledger, error) {
	l, err := b.open(loc, timeout)
	if err != nil {
		return nil, fmt.Errorf("ledgertest: opening the %s ledger: %w", b.name, err)
	}
	return l, nil
}

// New makes and opens a new, empty ledger for t, closed at its cleanup.
func (b Backend) New(t testing.TB) Ledger {
	t.Helper()
	l, err := b.Open(b.Create(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("ledgertest: closing the %s ledger: %v", b.name, err)
		}
	})
	return l
}
