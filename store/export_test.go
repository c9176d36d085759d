package store

import (
	"context"
	"errors"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// importedLedger is a ledger of n imported records, every third held and
// every fifth revoked.
func importedLedger(t *testing.T, n int) *DB {
	t.Helper()
	db := openTest(t)
	recs := make([]*Record, n)
	for i := range recs {
		st := StatusGood
		switch {
		case i%5 == 4:
			st = StatusRevoked
		case i%3 == 2:
			st = StatusHeld
		}
		recs[i] = importedRecord(int64(i+1), st)
	}
	if _, err := db.Import(records(recs, nil), at); err != nil {
		t.Fatal(err)
	}
	return db
}

// headless is the stream without its head: a truncated copy.
func headless(items iter.Seq2[Item, error]) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		for it, err := range items {
			if (err != nil || it.Head == nil) && !yield(it, err) {
				return
			}
		}
	}
}

// TestLoadInterrupted: a load that fails after some of its transactions
// leaves a file that Open refuses, and Create leaves no file at all.
func TestLoadInterrupted(t *testing.T) {
	defer func(n int) { loadChunk = n }(loadChunk)
	loadChunk = 16
	ctx := context.Background()
	src := importedLedger(t, 100)

	path := filepath.Join(t.TempDir(), "copy.db")
	dst, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := dst.Load(ctx, headless(src.Export(ctx))); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Load without the head: %v, want ErrInvalid", err)
	}
	if err := dst.Load(ctx, src.Export(ctx)); !errors.Is(err, ErrExists) {
		t.Fatalf("Load into the half-loaded ledger: %v, want ErrExists", err)
	}
	dst.Close()
	if _, err := Open(path, nil); !errors.Is(err, ErrSchema) {
		t.Fatalf("Open of a half-loaded ledger: %v, want ErrSchema", err)
	}
	if _, err := Open(path, &Options{ReadOnly: true}); !errors.Is(err, ErrSchema) {
		t.Fatalf("read-only Open of a half-loaded ledger: %v, want ErrSchema", err)
	}

	dir := t.TempDir()
	path = filepath.Join(dir, "created.db")
	err = Create(path, func(db *DB) error { return db.Load(ctx, headless(src.Export(ctx))) })
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Create with a failed Load: %v, want ErrInvalid", err)
	}
	assertOnlyFile(t, dir, "")
	if err := Create(path, func(db *DB) error { return db.Load(ctx, src.Export(ctx)) }); err != nil {
		t.Fatal(err)
	}
	assertOnlyFile(t, dir, "created.db")
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the new ledger: %v, %v", info, err)
	}
	db, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want, _ := src.Head()
	if h, err := db.Head(); err != nil || h != want || db.VerifyAudit() != nil {
		t.Fatalf("head of the copy %+v, %v; want %+v", h, err, want)
	}
	var revoked int
	db.View(func(tx Tx) error { revoked, err = tx.Count(issuerA); return err })
	if revoked != 20+27 {
		t.Errorf("the copy counts %d revocations, want %d", revoked, 20+27)
	}
	if err := Create(path, func(*DB) error { return nil }); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Create over a file: %v, want fs.ErrExist", err)
	}
}

// BenchmarkLoad loads 100,000 imported records, a quarter of them
// revoked, from one bbolt ledger into a new one.
func BenchmarkLoad(b *testing.B) {
	const n = 100_000
	src := openTest(b)
	recs := make([]*Record, n)
	for i := range recs {
		st := StatusGood
		if i%4 == 3 {
			st = StatusRevoked
		}
		recs[i] = importedRecord(int64(i+1), st)
	}
	if _, err := src.Import(records(recs, nil), at); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		dst := openTest(b)
		if err := dst.Load(ctx, src.Export(ctx)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
}

// importedRecord is a certificate issued elsewhere, in status st (with the
// revocation that goes with it).
func importedRecord(n int64, st Status) *Record {
	r := newRecord(n)
	r.Status = st
	r.DER = derOf(n)
	switch st {
	case StatusHeld:
		r.Revocation = &Revocation{Time: t0.Add(time.Hour), Reason: 6}
	case StatusRevoked:
		r.Revocation = &Revocation{Time: t0.Add(time.Hour), Reason: 1, InvalidityDate: t0}
	}
	return r
}

// records yields recs, then err if it is not nil.
func records(recs []*Record, err error) iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		for _, r := range recs {
			if !yield(r, nil) {
				return
			}
		}
		if err != nil {
			yield(nil, err)
		}
	}
}
