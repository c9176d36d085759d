package kuznyechik

import (
	"bytes"
	"encoding/hex"
	"errors"
	"github.com/gostca/gostca/internal/testkit"
	"os"
	"os/exec"
	"path/filepath"
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

// TestRFC7801 is the example of RFC 7801 §5 (GOST R 34.12-2015 A.1): the
// round keys of §5.4 and the encryption of §5.5.
func TestRFC7801(t *testing.T) {
	key := unhex(t, "8899aabbccddeeff0011223344556677fedcba98765432100123456789abcdef")
	pt := unhex(t, "1122334455667700ffeeddccbbaa9988")
	ct := unhex(t, "7f679d90bebc24305a468d42b9d4edcd")
	b, err := NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	c := b.(*kuznyechikCipher)
	roundKeys := []string{
		"8899aabbccddeeff0011223344556677",
		"fedcba98765432100123456789abcdef",
		"db31485315694343228d6aef8cc78c44",
		"3d4553d8e9cfec6815ebadc40a9ffd04",
		"57646468c44a5e28d3e59246f429f1ac",
		"bd079435165c6432b532e82834da581b",
		"51e640757e8745de705727265a0098b1",
		"5a7925017b9fdd3ed72a91a22286f984",
		"bb44e25378c73123a5f32f73cdb6e517",
		"72e9dd7416bcf45b755dbaa88e4a4043",
	}
	for i, want := range roundKeys {
		got := hex.EncodeToString(append(be64(c.enc[i][0]), be64(c.enc[i][1])...))
		if got != want {
			t.Errorf("K_%d = %s, want %s", i+1, got, want)
		}
	}
	got := make([]byte, BlockSize)
	b.Encrypt(got, pt)
	if !bytes.Equal(got, ct) {
		t.Errorf("Encrypt = %x, want %x", got, ct)
	}
	b.Decrypt(got, ct)
	if !bytes.Equal(got, pt) {
		t.Errorf("Decrypt = %x, want %x", got, pt)
	}
}

func be64(v uint64) []byte {
	b := make([]byte, 8)
	for i := range b {
		b[i] = byte(v >> (56 - 8*i))
	}
	return b
}

// TestDecryptInverts checks Decrypt(Encrypt(x)) = x on many blocks, in place.
func TestDecryptInverts(t *testing.T) {
	key := make([]byte, KeySize)
	for i := range key {
		key[i] = byte(7 * i)
	}
	b, _ := NewCipher(key)
	buf := make([]byte, BlockSize)
	for i := range 1000 {
		buf[i%BlockSize] ^= byte(i)
		want := bytes.Clone(buf)
		b.Encrypt(buf, buf)
		b.Decrypt(buf, buf)
		if !bytes.Equal(buf, want) {
			t.Fatalf("round trip of %x gave %x", want, buf)
		}
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

// TestTablesUpToDate regenerates tables.go with gen_tables.go and compares.
func TestTablesUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run")
	}
	out := filepath.Join(t.TempDir(), "tables.go")
	cmd := exec.Command("go", "run", "gen_tables.go", "-o", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen_tables.go: %v\n%s", err, b)
	}
	want, err := os.ReadFile("tables.go")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("tables.go is out of date: run go generate")
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

func BenchmarkDecrypt(b *testing.B) {
	c, _ := NewCipher(make([]byte, KeySize))
	buf := make([]byte, BlockSize)
	b.SetBytes(BlockSize)
	for b.Loop() {
		c.Decrypt(buf, buf)
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
