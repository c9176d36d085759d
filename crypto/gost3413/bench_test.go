package gost3413

import (
	"crypto/cipher"
	"testing"
)

// benchSize is the buffer size of the mode benchmarks, the 16 KiB that
// "openssl speed -bytes 16384" uses in make bench.
const benchSize = 16384

func benchStream(b *testing.B, s cipher.Stream) {
	buf := make([]byte, benchSize)
	b.SetBytes(benchSize)
	for b.Loop() {
		s.XORKeyStream(buf, buf)
	}
}

func BenchmarkCTR(b *testing.B) {
	for _, c := range ciphers {
		b.Run(c.name, func(b *testing.B) {
			blk, _ := c.new(make([]byte, 32))
			s, _ := NewCTR(blk, make([]byte, blk.BlockSize()/2))
			benchStream(b, s)
		})
	}
}

func BenchmarkCTRACPKM(b *testing.B) {
	for _, c := range ciphers {
		b.Run(c.name, func(b *testing.B) {
			s, _ := NewCTRACPKM(c.new, make([]byte, 32), make([]byte, 8)[:map[string]int{"kuznyechik": 8, "magma": 4}[c.name]], engineACPKMSection[c.name])
			benchStream(b, s)
		})
	}
}

func BenchmarkCFB(b *testing.B) {
	for _, c := range ciphers {
		b.Run(c.name, func(b *testing.B) {
			blk, _ := c.new(make([]byte, 32))
			s, _ := NewCFBEncrypter(blk, make([]byte, blk.BlockSize()))
			benchStream(b, s)
		})
	}
}

func BenchmarkOMAC(b *testing.B) {
	for _, c := range ciphers {
		b.Run(c.name, func(b *testing.B) {
			blk, _ := c.new(make([]byte, 32))
			m, _ := NewOMAC(blk, blk.BlockSize())
			buf := make([]byte, benchSize)
			b.SetBytes(benchSize)
			for b.Loop() {
				m.Write(buf)
			}
		})
	}
}

// BenchmarkOMACACPKM uses 4096-byte sections and master sections for both
// ciphers, the GOST engine's sizes for Kuznyechik.
func BenchmarkOMACACPKM(b *testing.B) {
	for _, c := range ciphers {
		b.Run(c.name, func(b *testing.B) {
			m, _ := NewOMACACPKM(c.new, make([]byte, 32), 4096, 4096, 8)
			buf := make([]byte, benchSize)
			b.SetBytes(benchSize)
			for b.Loop() {
				m.Write(buf)
			}
		})
	}
}
