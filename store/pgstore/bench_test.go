package pgstore_test

import (
	"context"
	"flag"
	"fmt"
	"math/big"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/internal/interop"
	"github.com/gostca/gostca/store"
	"github.com/gostca/gostca/store/pgstore"
)

var scanEntries = flag.Int("pgstore.entries", 100_000, "revocation entries of BenchmarkScanRevocations")

var benchIssuer = []byte{0xa1, 0xa1, 0xa1, 0xa1}

// benchRecord is the record of serial n of the benchmarks.
func benchRecord(n int64) *store.Record {
	return &store.Record{
		Serial:       big.NewInt(n),
		IssuerKeyID:  benchIssuer,
		Subject:      fmt.Sprintf("CN=subject %d", n),
		SubjectKeyID: []byte(fmt.Sprintf("ski-%d", n)),
		Profile:      "auth",
	}
}

// BenchmarkReserveComplete is store's BenchmarkReserveComplete on
// PostgreSQL: each op is a Reserve and a Complete, the two writes of an
// issuance, from 1 and from 32 goroutines, on the test server (fsync
// off) and on a durable one (fsync on). It measures the ledger alone: no
// signing.
func BenchmarkReserveComplete(b *testing.B) {
	for _, server := range []struct {
		name  string
		start func(testing.TB) string
	}{{"fsync=off", interop.StartPostgres}, {"fsync=on", interop.StartPostgresDurable}} {
		for _, goroutines := range []int{1, 32} {
			b.Run(fmt.Sprintf("%s/goroutines=%d", server.name, goroutines), func(b *testing.B) {
				db, err := pgstore.Open(context.Background(), server.start(b), &pgstore.Options{Migrate: true})
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				var next atomic.Int64
				issue := func() bool {
					n := next.Add(1)
					r := benchRecord(n)
					if err := db.Reserve(r, time.Now()); err != nil {
						b.Error(err)
						return false
					}
					if err := db.Complete(r.Serial, []byte("DER"), r.SubjectKeyID, time.Now()); err != nil {
						b.Error(err)
						return false
					}
					return true
				}
				start := time.Now()
				if goroutines == 1 {
					for range b.N {
						if !issue() {
							return
						}
					}
				} else {
					b.SetParallelism(max(1, goroutines/runtime.GOMAXPROCS(0)))
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() && issue() {
						}
					})
				}
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "certs/s")
			})
		}
	}
}

// BenchmarkScanRevocations reads every revocation entry of an issuer
// through Tx.ScanRevocations, a fresh View each time, so that each scan
// queries the server (a CRL's second pass, in the same View, reads the
// list the first kept). The ledger of -pgstore.entries revoked
// certificates (serials of 20 octets, increasing) is filled by Import.
// Scale with -pgstore.entries=1000000.
func BenchmarkScanRevocations(b *testing.B) {
	n := *scanEntries
	db := openTest(b, nil)
	records := func(yield func(*store.Record, error) bool) {
		base := new(big.Int).Lsh(big.NewInt(0x4d), 152)
		r := new(store.Record)
		for i := range n {
			*r = *benchRecord(0)
			r.Serial = new(big.Int).Add(base, big.NewInt(int64(i)*7919))
			r.SubjectKeyID = nil
			r.Status, r.DER = store.StatusRevoked, []byte("DER")
			r.Revocation = &store.Revocation{Time: time.Unix(1.8e9+int64(i), 0), Reason: cert.ReasonCode(1 + i%5)}
			if !yield(r, nil) {
				return
			}
		}
	}
	start := time.Now()
	if _, err := db.Import(records, time.Now()); err != nil {
		b.Fatal(err)
	}
	b.Logf("Import of %d revoked records: %.1f s", n, time.Since(start).Seconds())
	if _, err := db.Pool().Exec(context.Background(), `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	scans := 0
	start = time.Now()
	for b.Loop() {
		scans++
		err := db.View(func(tx store.Tx) error {
			count := 0
			for r, err := range tx.ScanRevocations(benchIssuer) {
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
	b.ReportMetric(float64(n)*float64(scans)/time.Since(start).Seconds(), "entries/s")
}
