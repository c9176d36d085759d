package magma

import (
	"bytes"
	"encoding/hex"
	"errors"
	"github.com/gostca/gostca/internal/testkit"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRFC8891 is the example of RFC 8891 §5.5 (GOST R 34.12-2015 A.2.4).
func TestRFC8891(t *testing.T) {
	key := unhex(t, "ffeeddccbbaa99887766554433221100f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")
	pt := unhex(t, "fedcba9876543210")
	ct := unhex(t, "4ee901e5c2d8ca3d")
	c, err := NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, BlockSize)
	c.Encrypt(got, pt)
	if !bytes.Equal(got, ct) {
		t.Errorf("Encrypt = %x, want %x", got, ct)
	}
	c.Decrypt(got, ct)
	if !bytes.Equal(got, pt) {
		t.Errorf("Decrypt = %x, want %x", got, pt)
	}
}

func TestKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		_, err := NewCipher(make([]byte, n))
		var kse KeySizeError
		if !errors.As(err, &kse) || int(kse) != n {
			t.Errorf("NewCipher(%d bytes) error = %v, want KeySizeError(%d)", n, err, n)
		}
	}
}

func BenchmarkEncrypt(b *testing.B) {
	c, _ := NewCipher(make([]byte, KeySize))
	buf := make([]byte, BlockSize)
	b.SetBytes(BlockSize)
	for b.Loop() {
		c.Encrypt(buf, buf)
	}
}

// TestEncryptBlocks checks that the interleaved EncryptBlocks equals
// Encrypt block by block, for even and odd counts, in place.
func TestEncryptBlocks(t *testing.T) {
	key := make([]byte, KeySize)
	for i := range key {
		key[i] = byte(3*i + 1)
	}
	b, _ := NewCipher(key)
	testkit.CheckEncryptBlocks(t, b)
}
