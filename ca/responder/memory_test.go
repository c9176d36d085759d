package responder

import (
	"crypto/rand"
	"flag"
	"runtime"
	"testing"
	"time"

	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/store"
)

var cacheCerts = flag.Int("responder.certs", 20_000, "certificates of BenchmarkCacheMemory")

// BenchmarkCacheMemory measures what the Cache keeps per certificate: a
// ledger of -responder.certs unexpired certificates (random 20-octet
// serials, 5% revoked) is imported, and New, which pre-signs a response
// for each, runs with the CA's key signing and with a delegated responder
// key. B/cert is the heap New leaves behind (after a GC) per certificate,
// B-response the mean DER of a pre-signed response, s-new New's time
// (reading the ledger and signing them all). Run it once (-benchtime 1x);
// docs/deployment.md multiplies it out.
func BenchmarkCacheMemory(b *testing.B) {
	for _, delegate := range []bool{false, true} {
		name := "key=ca"
		if delegate {
			name = "key=delegated"
		}
		b.Run(name, func(b *testing.B) {
			root := catest.NewRoot(b)
			cfg := root.Config()
			db := root.Ledger().(*store.DB)
			n, now := *cacheCerts, time.Now()
			records := func(yield func(*store.Record, error) bool) {
				for i := range n {
					s, err := cert.NewSerialNumber(rand.Reader)
					r := &store.Record{Serial: s, IssuerKeyID: cfg.Certificate.SubjectKeyId, DER: []byte("DER"),
						Status: store.StatusGood, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(365 * 24 * time.Hour)}
					if i%20 == 0 {
						r.Status, r.Revocation = store.StatusRevoked, &store.Revocation{Time: now, Reason: cert.ReasonKeyCompromise}
					}
					if !yield(r, err) {
						return
					}
				}
			}
			if _, err := db.Import(records, now); err != nil {
				b.Fatal(err)
			}
			path := db.Path()
			if err := db.Close(); err != nil {
				b.Fatal(err)
			}
			cfg.Clock = time.Now
			c := Config{Ledger: path, CA: cfg, Logger: quietLogger()}
			if delegate {
				c.Delegate = &Delegation{}
			}
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				start := time.Now()
				cache, err := New(c)
				if err != nil {
					b.Fatal(err)
				}
				took := time.Since(start)
				runtime.GC()
				runtime.ReadMemStats(&after)
				cache.mu.RLock()
				der, signed := 0, 0
				for _, e := range cache.entries {
					if e.resp != nil {
						der, signed = der+len(e.resp.DER), signed+1
					}
				}
				cache.mu.RUnlock()
				if signed < n {
					b.Fatalf("%d responses pre-signed, want %d", signed, n)
				}
				b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(n), "B/cert")
				b.ReportMetric(float64(der)/float64(signed), "B-response")
				b.ReportMetric(took.Seconds(), "s-new")
				runtime.KeepAlive(cache)
			}
		})
	}
}
