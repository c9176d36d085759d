package store

import (
	"flag"
	"github.com/gostca/gostca/crypto/cert"
	"math/big"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

var scanEntries = flag.Int("store.entries", 100_000, "revocation entries for BenchmarkRevocationsScan")

// BenchmarkReserveComplete issues certificates from many goroutines, the way
// a CA serving many requests does: each op is a Reserve and a Complete, each
// a durable commit shared with the writes of the other goroutines. The
// sub-benchmarks compare the default batch delay with bbolt's own default.
func BenchmarkReserveComplete(b *testing.B) {
	for _, delay := range []time.Duration{0, 10 * time.Millisecond} {
		name := "delay=default"
		if delay != 0 {
			name = "delay=" + delay.String()
		}
		b.Run(name, func(b *testing.B) {
			db, err := Open(filepath.Join(b.TempDir(), "ledger.db"), &Options{MaxBatchDelay: delay})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			var next atomic.Int64
			b.SetParallelism(32) // 32 × GOMAXPROCS goroutines
			b.ReportAllocs()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := next.Add(1)
					r := newRecord(n)
					if err := db.Reserve(r, t0); err != nil {
						b.Error(err)
						return
					}
					if err := db.Complete(r.Serial, derOf(n), nil, t0); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "certs/s")
		})
	}
}

// revocationLedger writes n revocation entries for issuerA straight into
// the buckets (issuing them through the API would take minutes), in the
// layout Revoke writes.
func revocationLedger(tb testing.TB, n int) *DB {
	tb.Helper()
	db := openTest(tb)
	const chunk = 50_000
	for lo := 0; lo < n; lo += chunk {
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			ib, err := createIssuer(tx, issuerA)
			if err != nil {
				return err
			}
			ib.revoked.FillPercent = 1 // serials written in order
			for i := lo; i < min(lo+chunk, n); i++ {
				s := new(big.Int).Lsh(big.NewInt(int64(i+1)), 96) // 13-octet serials
				s.SetBit(s, 0, 1)
				key, err := serialKey(s)
				if err != nil {
					return err
				}
				rev := &Revocation{Serial: s, Time: t0.Add(time.Duration(i) * time.Second), Reason: cert.ReasonCode(i % 6), Seq: uint64(i + 1)}
				if i%10 == 0 {
					rev.InvalidityDate = t0
				}
				if err := ib.revoked.Put(key, encodeRevocation(rev)); err != nil {
					return err
				}
				if err := ib.revseq.Put(seqKey(rev.Seq), key); err != nil {
					return err
				}
			}
			return ib.addCount(min(lo+chunk, n) - lo)
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

// BenchmarkRevocationsScan streams every revocation entry of an issuer from
// the cursor, as a full CRL does. Scale with -store.entries=1000000.
func BenchmarkRevocationsScan(b *testing.B) {
	n := *scanEntries
	db := revocationLedger(b, n)
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		err := db.View(func(tx Tx) error {
			count := 0
			for r, err := range tx.Revocations(issuerA) {
				if err != nil {
					return err
				}
				if r.Serial.Sign() > 0 {
					count++
				}
			}
			if count != n {
				b.Fatalf("scanned %d entries, want %d", count, n)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "entries/s")
}

// TestRevocationsAllocations: decoding an entry allocates only its serial
// (a big.Int and its words).
func TestRevocationsAllocations(t *testing.T) {
	const n = 1000
	db := revocationLedger(t, n)
	db.View(func(tx Tx) error {
		allocs := testing.AllocsPerRun(10, func() {
			for _, err := range tx.Revocations(issuerA) {
				if err != nil {
					t.Fatal(err)
				}
			}
		})
		if perEntry := allocs / n; perEntry > 2.05 {
			t.Errorf("%.2f allocations per entry, want at most 2", perEntry)
		}
		return nil
	})
}
