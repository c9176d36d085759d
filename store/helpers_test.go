package store

import (
	"errors"
	"fmt"
	"github.com/gostca/gostca/crypto/cert"
	"math/big"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var (
	t0      = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	issuerA = []byte{0xa1, 0xa1, 0xa1, 0xa1}
	at      = t0.Add(3 * time.Hour)
)

// openTest opens a new ledger in a temporary directory, closed at cleanup.
func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "ledger.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func serial(n int64) *big.Int { return big.NewInt(n) }

// newRecord is the record Reserve gets for serial n.
func newRecord(n int64) *Record {
	return &Record{
		Serial:       serial(n),
		IssuerKeyID:  append([]byte(nil), issuerA...),
		Issuer:       "CN=Test CA",
		Subject:      fmt.Sprintf("CN=subject %d", n),
		SubjectKeyID: []byte(fmt.Sprintf("ski-%d", n)),
		Profile:      "tls-server",
		RequestID:    fmt.Sprintf("req-%d", n),
		NotBefore:    t0,
		NotAfter:     t0.Add(365 * 24 * time.Hour),
	}
}

func derOf(n int64) []byte { return []byte(fmt.Sprintf("DER of certificate %d", n)) }

func mustReserve(t testing.TB, db *DB, r *Record) {
	t.Helper()
	if err := db.Reserve(r, t0); err != nil {
		t.Fatalf("Reserve(%v): %v", r.Serial, err)
	}
}

// issue reserves and completes r.
func issue(t testing.TB, db *DB, r *Record) {
	t.Helper()
	mustReserve(t, db, r)
	if err := db.Complete(r.Serial, derOf(r.Serial.Int64()), r.SubjectKeyID, t0.Add(time.Second)); err != nil {
		t.Fatalf("Complete(%v): %v", r.Serial, err)
	}
}

// issueAll issues the records concurrently (sequential writes would pay
// one commit each).
func issueAll(t testing.TB, db *DB, recs []*Record) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(recs))
	sem := make(chan struct{}, 64)
	for _, r := range recs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := db.Reserve(r, t0); err != nil {
				errs <- err
				return
			}
			if err := db.Complete(r.Serial, derOf(r.Serial.Int64()), r.SubjectKeyID, t0); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func revoke(t testing.TB, db *DB, n int64, reason cert.ReasonCode) {
	t.Helper()
	if err := db.Revoke(Revocation{Serial: serial(n), Time: t0.Add(time.Hour), Reason: reason}, t0.Add(time.Hour)); err != nil {
		t.Fatalf("Revoke(%d, reason %d): %v", n, reason, err)
	}
}

func release(t testing.TB, db *DB, n int64) {
	t.Helper()
	if err := db.Release(serial(n), t0.Add(2*time.Hour)); err != nil {
		t.Fatalf("Release(%d): %v", n, err)
	}
}

func seqOf(t testing.TB, db *DB) uint64 {
	t.Helper()
	var seq uint64
	if err := db.View(func(tx Tx) error { seq = tx.Seq(); return nil }); err != nil {
		t.Fatal(err)
	}
	return seq
}

func collect[T any](t testing.TB, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func wantErr(t testing.TB, got, want error) {
	t.Helper()
	if want == nil {
		if got != nil {
			t.Fatalf("unexpected error: %v", got)
		}
		return
	}
	if !errors.Is(got, want) {
		t.Fatalf("error = %v, want one wrapping %v", got, want)
	}
}
