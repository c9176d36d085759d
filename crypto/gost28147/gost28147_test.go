package gost28147

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/gostca/gostca/crypto/magma"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func reverse(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[i] = b[len(b)-1-i]
	}
	return out
}

// TestMagmaVector checks the TC26-Z S-box and the little-endian byte order
// with RFC 8891's Magma example: Magma is GOST 28147-89 with param-Z read
// big-endian, so the same computation appears with the block reversed and
// each 32-bit key word reversed.
func TestMagmaVector(t *testing.T) {
	key := unhex(t, "ffeeddccbbaa99887766554433221100f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")
	pt := unhex(t, "fedcba9876543210")
	ct := unhex(t, "4ee901e5c2d8ca3d")
	var leKey []byte
	for i := 0; i < KeySize; i += 4 {
		leKey = append(leKey, reverse(key[i:i+4])...)
	}
	c, err := NewCipher(leKey, SBoxTC26Z())
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, BlockSize)
	c.Encrypt(got, reverse(pt))
	if !bytes.Equal(reverse(got), ct) {
		t.Errorf("Encrypt = %x, want %x reversed", got, ct)
	}
	c.Decrypt(got, got)
	if !bytes.Equal(reverse(got), pt) {
		t.Errorf("Decrypt = %x, want %x reversed", got, pt)
	}
	// And the same as the magma package on random data.
	m, _ := magma.NewCipher(key)
	for i := range 100 {
		block := []byte{byte(i), 1, 2, 3, 4, 5, 6, byte(i * 7)}
		want := make([]byte, BlockSize)
		m.Encrypt(want, block)
		c.Encrypt(got, reverse(block))
		if !bytes.Equal(reverse(got), want) {
			t.Fatalf("block %x: %x, magma %x", block, reverse(got), want)
		}
	}
}

func TestSBoxByOID(t *testing.T) {
	for _, s := range SBoxes() {
		got, err := SBoxByOID(s.OID())
		if err != nil || got != s {
			t.Errorf("SBoxByOID(%s) = %v, %v", s.OID(), got, err)
		}
	}
	if _, err := SBoxByOID([]int{1, 2, 643, 2, 2, 31, 0}); err == nil {
		t.Error("the test S-box 1.2.643.2.2.31.0 was accepted")
	}
}

func TestKeySize(t *testing.T) {
	_, err := NewCipher(make([]byte, 16), SBoxTC26Z())
	var kse KeySizeError
	if !errors.As(err, &kse) || kse != 16 {
		t.Errorf("NewCipher(16 bytes) error = %v", err)
	}
	if _, err := NewCFBEncrypter(make([]byte, KeySize), SBoxTC26Z(), make([]byte, 7)); err == nil {
		t.Error("a 7-byte IV was accepted")
	}
}

// TestCFBRoundTrip runs CFB over several meshing periods in odd pieces.
func TestCFBRoundTrip(t *testing.T) {
	key := make([]byte, KeySize)
	iv := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	pt := make([]byte, 5000)
	for i := range pt {
		pt[i] = byte(i * 31)
	}
	enc, _ := NewCFBEncrypter(key, SBoxCryptoProA(), iv)
	ct := make([]byte, len(pt))
	for i := 0; i < len(pt); i += 77 {
		end := min(i+77, len(pt))
		enc.XORKeyStream(ct[i:end], pt[i:end])
	}
	whole, _ := NewCFBEncrypter(key, SBoxCryptoProA(), iv)
	ct2 := make([]byte, len(pt))
	whole.XORKeyStream(ct2, pt)
	if !bytes.Equal(ct, ct2) {
		t.Fatal("pieces and whole differ")
	}
	dec, _ := NewCFBDecrypter(key, SBoxCryptoProA(), iv)
	dec.XORKeyStream(ct, ct)
	if !bytes.Equal(ct, pt) {
		t.Fatal("round trip failed")
	}
}

// TestCNTPieces checks that the counter mode gives the same stream in
// pieces as at once, across meshing periods.
func TestCNTPieces(t *testing.T) {
	key, iv := make([]byte, KeySize), []byte{8, 7, 6, 5, 4, 3, 2, 1}
	pt := make([]byte, 4000)
	whole, _ := NewCNT(key, SBoxTC26Z(), iv)
	want := make([]byte, len(pt))
	whole.XORKeyStream(want, pt)
	pieces, _ := NewCNT(key, SBoxTC26Z(), iv)
	got := make([]byte, len(pt))
	for i := 0; i < len(pt); i += 13 {
		end := min(i+13, len(pt))
		pieces.XORKeyStream(got[i:end], pt[i:end])
	}
	if !bytes.Equal(got, want) {
		t.Fatal("pieces and whole differ")
	}
	if _, err := NewCNT(key, SBoxTC26Z(), iv[:7]); err == nil {
		t.Error("a 7-byte IV was accepted")
	}
}
