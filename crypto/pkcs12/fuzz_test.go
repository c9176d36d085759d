package pkcs12

import (
	"crypto/rand"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
)

// FuzzDecode feeds Decode arbitrary files and passwords, with a low bound
// on iteration counts so that each run is quick. It must never panic, and
// what it accepts must encode and decode back to the same key.
func FuzzDecode(f *testing.F) {
	key, leaf, chain := testChain(f, gost3410.ParamsCryptoProA())
	ours, err := Encode(rand.Reader, key, leaf, chain, []byte("p"), fast)
	if err != nil {
		f.Fatal(err)
	}
	example, _ := readExample(f)
	f.Add(ours, []byte("p"))
	f.Add(ours, []byte("q"))
	f.Add(example, []byte("Пароль для PFX"))
	for _, file := range []string{"rfc9548-kuznyechik.p12.pem", "rfc9548-magma.p12.pem"} {
		f.Add(readRFC9548Example(f, file).pfx, rfc9548Password)
	}
	for _, c := range []Cipher{CipherKuznyechikCTRACPKMOMAC, CipherMagmaCTRACPKMOMAC} {
		opts := *fast
		opts.Cipher = c
		omac, err := Encode(rand.Reader, key, leaf, chain, []byte("p"), &opts)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(omac, []byte("p"))
	}
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x03}, []byte(""))
	f.Fuzz(func(t *testing.T, der, password []byte) {
		c, err := decode(der, password, 64)
		if err != nil {
			return
		}
		again, err := Encode(rand.Reader, c.Key, c.Certificate, nil, []byte("x"), &Options{Iterations: 1})
		if err != nil {
			t.Fatalf("decoded contents do not encode: %v", err)
		}
		c2, err := decode(again, []byte("x"), 64)
		if err != nil || !c2.Key.Equal(c.Key) {
			t.Fatalf("re-encoded contents do not decode to the same key: %v", err)
		}
	})
}
