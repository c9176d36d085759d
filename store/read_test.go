package store

import (
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestExpiringUsesIndex: a record outside the index is never read. A
// corrupt record that a scan of all records would trip on is left alone.
func TestExpiringUsesIndex(t *testing.T) {
	db := openTest(t)
	r := newRecord(1)
	r.NotAfter = t0.Add(time.Hour)
	issue(t, db, r)
	path := db.Path()
	db.Close()

	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		k, _ := serialKey(serial(2))
		return tx.Bucket(bucketCerts).Put(k, []byte("garbage"))
	})
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	db, err = Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	got := collect(t, db.Expiring(t0, t0.Add(2*time.Hour)))
	if len(got) != 1 || got[0].Serial.Int64() != 1 {
		t.Errorf("Expiring = %v, want serial 1", got)
	}
	var allErr error
	for _, err := range db.All() {
		allErr = err
	}
	if allErr == nil {
		t.Error("All over a corrupt record: no error")
	}
}

func TestReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	db, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	issue(t, db, newRecord(1))
	db.Close()

	ro, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	ro2, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("second read-only handle: %v", err)
	}
	ro2.Close()
	if _, err := ro.Get(serial(1)); err != nil {
		t.Fatal(err)
	}
	if err := ro.Reserve(newRecord(2), at); err == nil {
		t.Error("Reserve on a read-only ledger: no error")
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.db"), &Options{ReadOnly: true}); err == nil {
		t.Error("read-only Open of a missing file: no error")
	}
}
