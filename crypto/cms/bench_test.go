package cms_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
)

// patternReader gives an endless deterministic stream without holding
// more than one small block in memory: a generator, not a buffer.
type patternReader struct{ off int }

var pattern = document(32 << 10)

func (r *patternReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], pattern[r.off:])
		n += k
		r.off = (r.off + k) % len(pattern)
	}
	return n, nil
}

// stream returns a reader of size bytes of the pattern.
func stream(size int64) io.Reader { return io.LimitReader(&patternReader{}, size) }

// benchParams are a 256-bit and a 512-bit parameter set.
func benchParams() []*gost3410.Params {
	return []*gost3410.Params{gost3410.ParamsCryptoProA(), gost3410.ParamsTC26512A()}
}

// BenchmarkSignSmall signs a 1 KiB document, attached: signatures per
// second, dominated by GOST R 34.10 signing.
func BenchmarkSignSmall(b *testing.B) {
	doc := document(1 << 10)
	for _, params := range benchParams() {
		b.Run(fmt.Sprint(params.Bits()), func(b *testing.B) {
			s := newTestSigner(b, params, "bench")
			b.ReportAllocs()
			for b.Loop() {
				if err := s.s.SignAttached(io.Discard, bytes.NewReader(doc), int64(len(doc))); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sigs/s")
		})
	}
}

// BenchmarkSignLarge signs 64 MiB streamed from a generator, detached:
// throughput, dominated by Streebog.
func BenchmarkSignLarge(b *testing.B) {
	const size = 64 << 20
	for _, params := range benchParams() {
		b.Run(fmt.Sprint(params.Bits()), func(b *testing.B) {
			s := newTestSigner(b, params, "bench")
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.s.SignDetached(stream(size)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerify verifies a detached signature of a 1 KiB document with
// its chain (signer, intermediate, root), and without.
func BenchmarkVerify(b *testing.B) {
	doc := document(1 << 10)
	for _, params := range benchParams() {
		s := newTestSigner(b, params, "bench")
		sd := parse(b, signDetached(b, s.s, doc))
		for _, chain := range []bool{true, false} {
			name := fmt.Sprintf("%d/chain", params.Bits())
			if !chain {
				name = fmt.Sprintf("%d/signature", params.Bits())
			}
			b.Run(name, func(b *testing.B) {
				opts := s.opts()
				opts.NoChain = !chain
				b.ReportAllocs()
				for b.Loop() {
					if _, err := sd.Verify(bytes.NewReader(doc), opts); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifies/s")
			})
		}
	}
}
