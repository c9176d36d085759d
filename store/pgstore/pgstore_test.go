package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/ra"

	"github.com/gostca/gostca/internal/interop"
	"github.com/gostca/gostca/store"
	"github.com/gostca/gostca/store/internal/storetest"
	"github.com/gostca/gostca/store/pgstore"
)

func TestMain(m *testing.M) {
	code := m.Run()
	interop.StopPostgres()
	os.Exit(code)
}

// openTest opens a ledger in a new database, migrated, closed at
// cleanup.
func openTest(t testing.TB, opts *pgstore.Options) *pgstore.DB {
	t.Helper()
	if opts == nil {
		opts = &pgstore.Options{}
	}
	opts.Migrate = true
	db, err := pgstore.Open(context.Background(), interop.StartPostgres(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestMigrations: Open refuses a database without the ledger's schema,
// Migrate creates it once (a second run does nothing), and a database of
// a newer schema is refused by both.
func TestMigrations(t *testing.T) {
	url := interop.StartPostgres(t)
	ctx := context.Background()
	if _, err := pgstore.Open(ctx, url, nil); !errors.Is(err, pgstore.ErrOutdated) || !errors.Is(err, store.ErrSchema) {
		t.Fatalf("Open of an empty database: %v, want ErrOutdated", err)
	}
	want := pgstore.SchemaVersion()
	for i, from := range []int{0, want} {
		f, to, err := pgstore.Migrate(ctx, url)
		if err != nil || f != from || to != want {
			t.Fatalf("Migrate #%d: %d → %d, %v; want %d → %d", i+1, f, to, err, from, want)
		}
	}
	db, err := pgstore.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Errorf("%d migrations recorded, want %d", n, want)
	}
	if _, err := db.Pool().Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, 'from the future')`, want+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := pgstore.Open(ctx, url, nil); !errors.Is(err, pgstore.ErrSchema) || errors.Is(err, pgstore.ErrOutdated) {
		t.Errorf("Open of a newer schema: %v, want ErrSchema", err)
	}
	if _, _, err := pgstore.Migrate(ctx, url); !errors.Is(err, pgstore.ErrSchema) {
		t.Errorf("Migrate of a newer schema: %v, want ErrSchema", err)
	}
}

// TestConformance runs the ledger conformance suite, which store runs on
// its bbolt file, on PostgreSQL.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Suite{
		Open: func(t testing.TB, notify store.Notifier) storetest.Ledger {
			return openTest(t, &pgstore.Options{Notify: notify})
		},
		Resolution: time.Microsecond,
		Writers:    8,
	})
}

// The consumers' interfaces, which *store.DB has too.
var (
	_ ca.Ledger        = (*pgstore.DB)(nil)
	_ ra.Ledger        = (*pgstore.DB)(nil)
	_ ra.MailLedger    = (*pgstore.DB)(nil)
	_ ra.RemindLedger  = (*pgstore.DB)(nil)
	_ storetest.Ledger = (*pgstore.DB)(nil)
)

// TestTwoHandles: two handles on one database (as two CA processes have)
// issuing and racing for the same serials at once keep one audit chain,
// and each serial is reserved once.
func TestTwoHandles(t *testing.T) {
	url := interop.StartPostgres(t)
	var dbs [2]*pgstore.DB
	if _, _, err := pgstore.Migrate(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	for i := range dbs {
		db, err := pgstore.Open(context.Background(), url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs[i] = db
	}
	const each = 100
	var (
		wg   sync.WaitGroup
		wins atomic.Int64
	)
	errs := make(chan error, 2*4)
	for i, db := range dbs {
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := range each {
					s := big.NewInt(int64(1 + n))
					r := &store.Record{Serial: s, IssuerKeyID: []byte{1}, Subject: fmt.Sprintf("CN=%d/%d", i, g)}
					switch err := db.Reserve(r, time.Now()); {
					case err == nil:
						wins.Add(1)
						if err := db.Complete(s, []byte("der"), nil, time.Now()); err != nil {
							errs <- err
							return
						}
					case !errors.Is(err, store.ErrExists):
						errs <- err
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if wins.Load() != each {
		t.Errorf("%d reservations won, want %d", wins.Load(), each)
	}
	for _, db := range dbs {
		if err := db.VerifyAudit(); err != nil {
			t.Fatal(err)
		}
	}
	var seq uint64
	dbs[1].View(func(tx store.Tx) error { seq = tx.Seq(); return nil })
	if seq != 2*each {
		t.Errorf("%d changes, want %d", seq, 2*each)
	}
}
