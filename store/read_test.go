package store

import (
	"math/big"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestExpiring(t *testing.T) {
	day := 24 * time.Hour
	from, to := t0.Add(10*day), t0.Add(20*day)
	// serial → NotAfter, issued in an order unrelated to either.
	notAfter := map[int64]time.Time{
		1:  t0.Add(5 * day),            // before the window
		2:  from.Add(-time.Nanosecond), // just before
		3:  from,                       // first instant: in
		4:  t0.Add(15 * day),           // in
		5:  t0.Add(12 * day),           // in
		6:  t0.Add(12 * day),           // in, same NotAfter as 5: serial order
		7:  to.Add(-time.Nanosecond),   // last instant: in
		8:  to,                         // end is exclusive
		9:  t0.Add(30 * day),           // after
		10: t0.Add(14 * day),           // in, but revoked
		11: t0.Add(13 * day),           // in, held: still listed
		12: t0.Add(16 * day),           // in, released from hold
		13: t0.Add(11 * day),           // reserved only: not issued
		14: t0.Add(11 * day),           // abandoned
	}
	var recs []*Record
	for n, na := range notAfter {
		r := newRecord(n)
		r.NotAfter = na
		if n < 13 {
			recs = append(recs, r)
		}
	}
	db := openTest(t)
	issueAll(t, db, recs)
	for _, n := range []int64{13, 14} {
		r := newRecord(n)
		r.NotAfter = notAfter[n]
		mustReserve(t, db, r)
	}
	if err := db.Abandon(serial(14), "test", at); err != nil {
		t.Fatal(err)
	}
	revoke(t, db, 10, 1)
	revoke(t, db, 11, 6)
	revoke(t, db, 12, 6)
	release(t, db, 12)

	want := []int64{3, 5, 6, 11, 4, 12, 7}
	var got []int64
	for r, err := range db.Expiring(from, to) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.Serial.Int64())
	}
	if !slices.Equal(got, want) {
		t.Errorf("Expiring = %v, want %v", got, want)
	}

	// Stopping early is allowed.
	for range db.Expiring(from, to) {
		break
	}
}

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

// TestPaging: iterators that read a page per transaction see every entry
// once across page boundaries, and the loop body may write.
func TestPaging(t *testing.T) {
	db := openTest(t)
	const n = 2*pageLen + 17
	var recs []*Record
	for i := int64(1); i <= n; i++ {
		r := newRecord(i)
		r.NotAfter = t0.Add(time.Duration(n-i) * time.Minute)
		recs = append(recs, r)
	}
	issueAll(t, db, recs)

	var prev *big.Int
	count := 0
	for r, err := range db.All() {
		if err != nil {
			t.Fatal(err)
		}
		if prev != nil && prev.Cmp(r.Serial) >= 0 {
			t.Fatalf("All: %v after %v", r.Serial, prev)
		}
		prev = r.Serial
		if count == pageLen { // a write in the loop body
			revoke(t, db, 1, 1)
		}
		count++
	}
	if count != n {
		t.Errorf("All yielded %d records, want %d", count, n)
	}
	var last time.Time
	count = 0
	for r, err := range db.Expiring(t0, t0.Add(24*time.Hour)) {
		if err != nil {
			t.Fatal(err)
		}
		if r.NotAfter.Before(last) {
			t.Fatalf("Expiring: %v after %v", r.NotAfter, last)
		}
		last = r.NotAfter
		count++
	}
	if count != n-1 { // serial 1 was revoked
		t.Errorf("Expiring yielded %d records, want %d", count, n-1)
	}
	if got := auditLen(t, db); got != 2*n+1 {
		t.Errorf("Audit yielded %d entries, want %d", got, 2*n+1)
	}
}

func TestAllSerialOrder(t *testing.T) {
	db := openTest(t)
	big1 := new(big.Int).Lsh(big.NewInt(1), 150)
	serials := []*big.Int{serial(256), big1, serial(2), serial(65536), serial(1), serial(255)}
	for _, s := range serials {
		r := newRecord(1)
		r.Serial = s
		mustReserve(t, db, r)
	}
	var got []string
	for r, err := range db.All() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.Serial.String())
	}
	want := []string{"1", "2", "255", "256", "65536", big1.String()}
	if !slices.Equal(got, want) {
		t.Errorf("All = %v, want %v", got, want)
	}
}

func TestBySubjectKeyID(t *testing.T) {
	db := openTest(t)
	withSKI := func(n int64, ski string) *Record {
		r := newRecord(n)
		r.SubjectKeyID = []byte(ski)
		return r
	}
	issueAll(t, db, []*Record{
		withSKI(1, "key-a"),
		withSKI(2, "key-b"),
		withSKI(3, "key-a"), // a renewal with the same key
		withSKI(4, "key-ab"),
		withSKI(5, "key"),
	})
	mustReserve(t, db, withSKI(6, "key-a")) // not signed: not indexed
	revoke(t, db, 3, 1)                     // revoked: still found

	tests := []struct {
		name string
		ski  string
		want []int64
	}{
		{name: "two certificates", ski: "key-a", want: []int64{1, 3}},
		{name: "one certificate", ski: "key-b", want: []int64{2}},
		{name: "not a prefix match", ski: "key", want: []int64{5}},
		{name: "longer key", ski: "key-ab", want: []int64{4}},
		{name: "unknown", ski: "key-z"},
		{name: "empty", ski: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := db.BySubjectKeyID([]byte(tt.ski))
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, r := range recs {
				got = append(got, r.Serial.Int64())
				if string(r.SubjectKeyID) != tt.ski {
					t.Errorf("serial %v has SubjectKeyID %q", r.Serial, r.SubjectKeyID)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("BySubjectKeyID(%q) = %v, want %v", tt.ski, got, tt.want)
			}
		})
	}
}

func TestGetNotFound(t *testing.T) {
	db := openTest(t)
	_, err := db.Get(serial(42))
	wantErr(t, err, ErrNotFound)
	_, err = db.Get(serial(0))
	wantErr(t, err, ErrInvalid)
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

func TestAuditSince(t *testing.T) {
	db := openTest(t)
	issue(t, db, newRecord(1))
	base := seqOf(t, db)
	issue(t, db, newRecord(2))
	revoke(t, db, 1, 1)
	revoke(t, db, 2, 6) // certificateHold
	release(t, db, 2)
	type change struct {
		op     string
		serial int64
	}
	var got []change
	seqs := []uint64{}
	if err := db.View(func(tx Tx) error {
		for e, err := range tx.AuditSince(base) {
			if err != nil {
				return err
			}
			got = append(got, change{e.Op, e.Serial.Int64()})
			seqs = append(seqs, e.Seq)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []change{{OpReserve, 2}, {OpComplete, 2}, {OpRevoke, 1}, {OpHold, 2}, {OpRelease, 2}}
	if !slices.Equal(got, want) {
		t.Errorf("AuditSince(%d) = %v, want %v", base, got, want)
	}
	for i, s := range seqs {
		if s != base+1+uint64(i) {
			t.Errorf("entry %d has Seq %d, want %d", i, s, base+1+uint64(i))
		}
	}
	// Nothing after the head, nor after the largest Seq.
	if err := db.View(func(tx Tx) error {
		for _, s := range []uint64{tx.Seq(), ^uint64(0)} {
			for e := range tx.AuditSince(s) {
				t.Errorf("AuditSince(%d) yielded %+v", s, e)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
