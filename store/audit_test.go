package store

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gostca/gostca/crypto/streebog"
	bolt "go.etcd.io/bbolt"
)

// auditLedger makes a closed ledger with a varied audit log and returns its
// path and number of entries.
func auditLedger(t *testing.T) (string, uint64) {
	t.Helper()
	db := openTest(t)
	var recs []*Record
	for n := int64(1); n <= 10; n++ {
		recs = append(recs, newRecord(n))
	}
	issueAll(t, db, recs)
	mustReserve(t, db, newRecord(11))
	if err := db.Abandon(serial(11), "token removed", at); err != nil {
		t.Fatal(err)
	}
	revoke(t, db, 1, 1)
	revoke(t, db, 2, 6)
	release(t, db, 2)
	revoke(t, db, 3, 6)
	revoke(t, db, 3, 9)
	if err := db.RecordCRL(issuerA, CRLInfo{Number: serial(1), ThisUpdate: at, Seq: seqOf(t, db)}, at); err != nil {
		t.Fatal(err)
	}
	if err := db.VerifyAudit(); err != nil {
		t.Fatalf("VerifyAudit after many operations: %v", err)
	}
	n := seqOf(t, db)
	if want := uint64(2*10 + 2 + 6); n != want {
		t.Fatalf("%d changes, want %d", n, want)
	}
	path := db.Path()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path, n
}

// tamper copies the ledger at src and edits the copy with bbolt directly.
func tamper(t *testing.T, src string, edit func(audit, meta *bolt.Bucket) error) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "tampered.db")
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	out.Close()
	b, err := bolt.Open(dst, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Update(func(tx *bolt.Tx) error {
		return edit(tx.Bucket(bucketAudit), tx.Bucket(bucketMeta))
	}); err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestVerifyAudit(t *testing.T) {
	src, last := auditLedger(t)
	entry := func(audit *bolt.Bucket, seq uint64) AuditEntry {
		e, _, err := decodeAudit(audit.Get(seqKey(seq)))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	put := func(audit *bolt.Bucket, seq uint64, e AuditEntry) error {
		v, err := encodeAudit(&e)
		if err != nil {
			return err
		}
		return audit.Put(seqKey(seq), v)
	}
	tests := []struct {
		name    string
		edit    func(audit, meta *bolt.Bucket) error
		seq     uint64
		problem string
	}{
		{
			name: "detail edited",
			edit: func(audit, _ *bolt.Bucket) error {
				e := entry(audit, 5)
				e.Detail = "nothing to see"
				return put(audit, 5, e)
			},
			seq: 5, problem: "changed",
		},
		{
			name: "time edited",
			edit: func(audit, _ *bolt.Bucket) error {
				e := entry(audit, 9)
				e.Time = e.Time.Add(-1)
				return put(audit, 9, e)
			},
			seq: 9, problem: "changed",
		},
		{
			name: "detail edited and rehashed",
			edit: func(audit, _ *bolt.Bucket) error {
				e := entry(audit, 5)
				e.Detail = "nothing to see"
				c, _ := canonicalAudit(&e)
				e.Hash = streebog.Sum256(c)
				return put(audit, 5, e)
			},
			// Entry 5 is self-consistent now; entry 6 no longer follows it.
			seq: 6, problem: "removed",
		},
		{
			name: "garbage value",
			edit: func(audit, _ *bolt.Bucket) error { return audit.Put(seqKey(12), []byte("garbage")) },
			seq:  12, problem: "changed",
		},
		{
			name: "middle entry deleted",
			edit: func(audit, _ *bolt.Bucket) error { return audit.Delete(seqKey(7)) },
			seq:  7, problem: "removed",
		},
		{
			name: "first entry deleted",
			edit: func(audit, _ *bolt.Bucket) error { return audit.Delete(seqKey(1)) },
			seq:  1, problem: "removed",
		},
		{
			name: "entry deleted and the rest renumbered",
			edit: func(audit, _ *bolt.Bucket) error {
				for seq := uint64(7); seq < last; seq++ {
					e := entry(audit, seq+1)
					e.Seq = seq
					c, _ := canonicalAudit(&e)
					e.Hash = streebog.Sum256(c)
					if err := put(audit, seq, e); err != nil {
						return err
					}
				}
				return audit.Delete(seqKey(last))
			},
			seq: 7, problem: "removed",
		},
		{
			name: "two entries swapped",
			edit: func(audit, _ *bolt.Bucket) error {
				a := append([]byte(nil), audit.Get(seqKey(4))...)
				b := append([]byte(nil), audit.Get(seqKey(8))...)
				if err := audit.Put(seqKey(4), b); err != nil {
					return err
				}
				return audit.Put(seqKey(8), a)
			},
			seq: 4, problem: "reordered",
		},
		{
			name: "last entry deleted",
			edit: func(audit, _ *bolt.Bucket) error { return audit.Delete(seqKey(last)) },
			seq:  last, problem: "head mismatch",
		},
		{
			name: "last three entries deleted",
			edit: func(audit, _ *bolt.Bucket) error {
				for seq := last - 2; seq <= last; seq++ {
					if err := audit.Delete(seqKey(seq)); err != nil {
						return err
					}
				}
				return nil
			},
			seq: last - 2, problem: "head mismatch",
		},
		{
			name: "entry appended behind the head",
			edit: func(audit, _ *bolt.Bucket) error {
				prev := entry(audit, last)
				e := AuditEntry{Seq: last + 1, Time: at, Op: "reserve", Serial: serial(77), Prev: prev.Hash}
				c, _ := canonicalAudit(&e)
				e.Hash = streebog.Sum256(c)
				return put(audit, last+1, e)
			},
			seq: last + 1, problem: "head mismatch",
		},
		{
			name: "head hash changed",
			edit: func(_, meta *bolt.Bucket) error {
				h := append([]byte(nil), meta.Get(keyHead)...)
				h[len(h)-1] ^= 1
				return meta.Put(keyHead, h)
			},
			seq: last, problem: "head mismatch",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tamper(t, src, tt.edit)
			db, err := Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			err = db.VerifyAudit()
			var ae *AuditError
			if !errors.As(err, &ae) {
				t.Fatalf("VerifyAudit = %v, want an *AuditError", err)
			}
			if ae.Seq != tt.seq || ae.Problem != tt.problem {
				t.Errorf("VerifyAudit = %+v, want {Seq: %d, Problem: %q}", ae, tt.seq, tt.problem)
			}
		})
	}
}

// TestAuditEncodingUnambiguous: moving bytes between fields changes the
// encoding.
func TestAuditEncodingUnambiguous(t *testing.T) {
	a := AuditEntry{Seq: 1, Time: t0, Op: "revoke", Detail: "ab"}
	b := AuditEntry{Seq: 1, Time: t0, Op: "revokea", Detail: "b"}
	ca, _ := canonicalAudit(&a)
	cb, _ := canonicalAudit(&b)
	if string(ca) == string(cb) {
		t.Error("two entries share an encoding")
	}
}
