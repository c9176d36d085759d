package gostpbes2

import (
	"bytes"
	"crypto/rand"
	"testing"

	"github.com/gostca/gostca/crypto/gost28147"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// params returns the PBES2-params of s, as Parse takes them.
func params(t testing.TB, s *Scheme) []byte {
	var b cryptobyte.Builder
	s.AddAlgorithmIdentifier(&b)
	der, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	in := cryptobyte.String(der)
	var alg cryptobyte.String
	if !in.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.SkipASN1(cbasn1.OBJECT_IDENTIFIER) {
		t.Fatal("AddAlgorithmIdentifier wrote a malformed AlgorithmIdentifier")
	}
	return alg
}

// TestRoundTripACPKM does the same with the CTR-ACPKM schemes, over
// several sections (of the -OMAC schemes' 8 KiB for Magma too).
func TestRoundTripACPKM(t *testing.T) {
	for _, c := range []Cipher{KuznyechikCTRACPKM, MagmaCTRACPKM, KuznyechikCTRACPKMOMAC, MagmaCTRACPKMOMAC} {
		s, err := New(rand.Reader, 2, DefaultSaltSize, c, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Parse(params(t, s), 2)
		if err != nil {
			t.Fatal(err)
		}
		if got.Cipher != c || !bytes.Equal(got.IV, s.IV) || len(s.IV) != acpkm[c].ukm {
			t.Fatalf("parsed %+v, wrote %+v", got, s)
		}
		data := bytes.Repeat([]byte("данные"), 2000)
		ct, err := s.Encrypt([]byte("p"), data)
		if err != nil || len(ct) != len(data)+c.MACSize() {
			t.Fatalf("%v: %d bytes of ciphertext, %v", c, len(ct), err)
		}
		pt, err := got.Decrypt([]byte("p"), ct)
		if err != nil || !bytes.Equal(pt, data) {
			t.Fatalf("%v: round trip failed: %v", c, err)
		}
	}
}

// TestRoundTrip writes a scheme, parses it back and encrypts and decrypts
// with it.
func TestRoundTrip(t *testing.T) {
	for _, sbox := range gost28147.SBoxes() {
		s, err := New(rand.Reader, 3, DefaultSaltSize, GOST28147, sbox)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Parse(params(t, s), 3)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Salt, s.Salt) || got.Iterations != 3 || got.PRF != HMACStreebog512 || !bytes.Equal(got.IV, s.IV) || got.SBox != sbox {
			t.Fatalf("parsed %+v, wrote %+v", got, s)
		}
		ct, _ := s.Encrypt([]byte("пароль"), []byte("data"))
		pt, _ := got.Decrypt([]byte("пароль"), ct)
		if string(pt) != "data" {
			t.Fatalf("decrypted %q", pt)
		}
		if _, err := Parse(params(t, s), 2); err == nil {
			t.Error("an iteration count above the bound was accepted")
		}
	}
}

// FuzzParse checks that Parse never panics and that what it accepts
// writes back to parameters that parse the same.
func FuzzParse(f *testing.F) {
	s, err := New(rand.Reader, 3, 8, GOST28147, gost28147.SBoxTC26Z())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(params(f, s))
	k, err := New(rand.Reader, 3, 8, KuznyechikCTRACPKM, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(params(f, k))
	for _, c := range []Cipher{KuznyechikCTRACPKMOMAC, MagmaCTRACPKMOMAC} {
		o, err := New(rand.Reader, 3, 8, c, nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(params(f, o))
	}
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := Parse(in, 16)
		if err != nil {
			return
		}
		again, err := Parse(params(t, s), 16)
		if err != nil || !bytes.Equal(again.Salt, s.Salt) || again.Iterations != s.Iterations ||
			again.PRF != s.PRF || again.Cipher != s.Cipher || !bytes.Equal(again.IV, s.IV) || again.SBox != s.SBox {
			t.Fatalf("re-encoded parameters parse differently: %v", err)
		}
	})
}
