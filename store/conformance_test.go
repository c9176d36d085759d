package store_test

import (
	"path/filepath"
	"testing"

	"github.com/gostca/gostca/store"
	"github.com/gostca/gostca/store/internal/storetest"
)

// TestConformance runs the ledger conformance suite on the bbolt ledger;
// store/pgstore runs the same suite on PostgreSQL.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Suite{
		Open: func(t testing.TB, notify store.Notifier) storetest.Ledger {
			db, err := store.Open(filepath.Join(t.TempDir(), "ledger.db"), &store.Options{Notify: notify})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
		Reopen: func(t testing.TB, l storetest.Ledger) storetest.Ledger {
			db := l.(*store.DB)
			path := db.Path()
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
	})
}
