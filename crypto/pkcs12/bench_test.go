package pkcs12

import (
	"crypto/rand"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
)

// BenchmarkEncode and BenchmarkDecode write and open a PFX with a
// 256-bit key, its certificate and a CA certificate at DefaultIterations:
// the cost is PBKDF2 (three derivations, the MAC's twice as long).
func BenchmarkEncode(b *testing.B) {
	key, leaf, chain := testChain(b, gost3410.ParamsTC26256A())
	for b.Loop() {
		if _, err := Encode(rand.Reader, key, leaf, chain, []byte("пароль"), nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	key, leaf, chain := testChain(b, gost3410.ParamsTC26256A())
	pfx, err := Encode(rand.Reader, key, leaf, chain, []byte("пароль"), nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Decode(pfx, []byte("пароль")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeExample opens the standard's example (2000 iterations).
func BenchmarkDecodeExample(b *testing.B) {
	pfx, _ := readExample(b)
	for b.Loop() {
		if _, err := Decode(pfx, []byte("Пароль для PFX")); err != nil {
			b.Fatal(err)
		}
	}
}
