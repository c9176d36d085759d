package pgstore_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

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

// openTest opens a ledger in a new database, closed at cleanup.
func openTest(t testing.TB, opts *pgstore.Options) *pgstore.DB {
	t.Helper()
	db, err := pgstore.Open(context.Background(), interop.StartPostgres(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestMigrations: opening again runs nothing, and a database of a newer
// schema is refused.
func TestMigrations(t *testing.T) {
	url := interop.StartPostgres(t)
	ctx := context.Background()
	for range 2 {
		db, err := pgstore.Open(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != pgstore.SchemaVersion() {
			t.Errorf("%d migrations recorded, want %d", n, pgstore.SchemaVersion())
		}
		db.Close()
	}
	db, err := pgstore.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, 'from the future')`, pgstore.SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := pgstore.Open(ctx, url, nil); !errors.Is(err, store.ErrSchema) {
		t.Errorf("Open of a newer schema: %v, want ErrSchema", err)
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
		// pgx allocates for each row it decodes.
		ScanAllocates: true,
	})
}
