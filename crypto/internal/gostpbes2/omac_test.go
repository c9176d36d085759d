package gostpbes2

import (
	"bytes"
	"crypto/pbkdf2"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/gostca/gostca/crypto/gost3413"
	"github.com/gostca/gostca/crypto/internal/kdftree"
	"github.com/gostca/gostca/crypto/streebog"
)

// TestOMACConstruction rebuilds the -OMAC schemes of RFC 9337 from
// their parts: PBKDF2, KDF_TREE("kdf tree", the ukm's last 8 bytes) into
// K(1) || K(2), OMAC under K(2) appended to the plaintext, CTR-ACPKM
// under K(1) with the ukm's first half-block as the IV.
func TestOMACConstruction(t *testing.T) {
	password, data := []byte("пароль"), []byte("a PrivateKeyInfo, say")
	for _, c := range []Cipher{KuznyechikCTRACPKMOMAC, MagmaCTRACPKMOMAC} {
		s, err := New(rand.Reader, 5, DefaultSaltSize, c, nil)
		if err != nil {
			t.Fatal(err)
		}
		a := acpkm[c]
		if bytes.Equal(s.IV[a.iv:], make([]byte, len(s.IV)-a.iv)) {
			t.Errorf("%v: the ukm's tail, the KDF seed, is zero", c)
		}
		got, err := s.Encrypt(password, data)
		if err != nil {
			t.Fatal(err)
		}
		dk, _ := pbkdf2.Key(streebog.New512, string(password), s.Salt, 5, 32)
		keys, err := kdftree.Streebog256(dk, []byte("kdf tree"), s.IV[len(s.IV)-8:], 1, 64)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := a.newCipher(keys[32:])
		m, _ := gost3413.NewOMAC(b, b.BlockSize())
		m.Write(data)
		want := append(bytes.Clone(data), m.Sum(nil)...)
		stream, _ := gost3413.NewCTRACPKM(a.newCipher, keys[:32], s.IV[:a.iv], a.section)
		stream.XORKeyStream(want, want)
		if !bytes.Equal(got, want) {
			t.Errorf("%v: Encrypt gives %x, the construction %x", c, got, want)
		}
	}
}

// TestDecryptOMACErrors checks that the -OMAC schemes return ErrMAC and no
// plaintext for a wrong password or altered data, and refuse data shorter
// than the MAC.
func TestDecryptOMACErrors(t *testing.T) {
	for _, c := range []Cipher{KuznyechikCTRACPKMOMAC, MagmaCTRACPKMOMAC} {
		s, err := New(rand.Reader, 2, DefaultSaltSize, c, nil)
		if err != nil {
			t.Fatal(err)
		}
		ct, err := s.Encrypt([]byte("p"), []byte("secret data"))
		if err != nil {
			t.Fatal(err)
		}
		flipped := func(i int) []byte {
			b := bytes.Clone(ct)
			b[i] ^= 1
			return b
		}
		for _, tc := range []struct {
			name     string
			password string
			data     []byte
			is       error
			text     string
		}{
			{"wrong password", "q", ct, ErrMAC, ""},
			{"flipped plaintext byte", "p", flipped(0), ErrMAC, ""},
			{"flipped MAC byte", "p", flipped(len(ct) - 1), ErrMAC, ""},
			{"MAC only, of nothing", "p", ct[len(ct)-c.MACSize():], ErrMAC, ""},
			{"truncated", "p", ct[:len(ct)-1], ErrMAC, ""},
			{"shorter than the MAC", "p", ct[:c.MACSize()-1], nil, "shorter than its"},
			{"empty", "p", nil, nil, "shorter than its"},
		} {
			t.Run(c.String()+"/"+tc.name, func(t *testing.T) {
				pt, err := s.Decrypt([]byte(tc.password), tc.data)
				if err == nil || pt != nil {
					t.Fatalf("decrypted %q, %v", pt, err)
				}
				if tc.is != nil && !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.text) {
					t.Errorf("error %q", err)
				}
			})
		}
		pt, err := s.Decrypt([]byte("p"), ct)
		if err != nil || string(pt) != "secret data" {
			t.Errorf("%v: %q, %v", c, pt, err)
		}
		empty, err := s.Encrypt([]byte("p"), nil)
		if err != nil || len(empty) != c.MACSize() {
			t.Fatalf("%v: empty plaintext gives %d bytes, %v", c, len(empty), err)
		}
		if pt, err := s.Decrypt([]byte("p"), empty); err != nil || len(pt) != 0 {
			t.Errorf("%v: empty round trip: %q, %v", c, pt, err)
		}
	}
}

// TestParseUKM checks the ukm sizes of the -OMAC schemes' parameters.
func TestParseUKM(t *testing.T) {
	for _, c := range []Cipher{KuznyechikCTRACPKMOMAC, MagmaCTRACPKMOMAC} {
		s, err := New(rand.Reader, 2, DefaultSaltSize, c, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, 8, acpkm[c].ukm - 1, acpkm[c].ukm + 1, 32} {
			bad := *s
			bad.IV = make([]byte, n)
			_, err := Parse(params(t, &bad), 2)
			if err == nil || !strings.Contains(err.Error(), "ukm") {
				t.Errorf("%v, ukm of %d bytes: %v", c, n, err)
			}
			if _, err := bad.Encrypt([]byte("p"), []byte("x")); err == nil {
				t.Errorf("%v, ukm of %d bytes: Encrypt accepted it", c, n)
			}
		}
	}
}
