//go:build amd64 && !purego

package streebog

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func wordsFrom(b []byte) (w [8]uint64) {
	for i := range w {
		w[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return w
}

// checkG compares the assembly g_N with gGeneric on one input.
func checkG(t *testing.T, h, n, m [8]uint64) {
	t.Helper()
	got, want := h, h
	gAsm(&got, &n, &m)
	gGeneric(&want, &n, &m)
	if got != want {
		t.Fatalf("g(%x, %x, %x) = %x, want %x", h, n, m, got, want)
	}
}

// TestGAssembly is the differential test of the assembly compression
// function against gGeneric on random inputs and on inputs with every byte
// equal (each of the 256 values, which reach every table entry).
func TestGAssembly(t *testing.T) {
	for v := range 256 {
		same := wordsFrom(bytes.Repeat([]byte{byte(v)}, 64))
		checkG(t, same, [8]uint64{}, same)
		checkG(t, [8]uint64{}, same, [8]uint64{})
	}
	var buf [192]byte
	for range 3000 {
		rand.Read(buf[:])
		checkG(t, wordsFrom(buf[:64]), wordsFrom(buf[64:128]), wordsFrom(buf[128:]))
	}
}

// FuzzGAssembly compares the assembly and the Go g_N on fuzzed input.
func FuzzGAssembly(f *testing.F) {
	f.Add(make([]byte, 192))
	f.Add(bytes.Repeat([]byte{0xff}, 192))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 192 {
			b = append(b, make([]byte, 192-len(b))...)
		}
		checkG(t, wordsFrom(b[:64]), wordsFrom(b[64:128]), wordsFrom(b[128:192]))
	})
}

// TestGAssemblyUpToDate regenerates g_amd64.s with gen_lps.go and
// compares it with the committed file.
func TestGAssemblyUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator")
	}
	out := filepath.Join(t.TempDir(), "g_amd64.s")
	if msg, err := exec.Command("go", "run", "gen_lps.go", "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("go run gen_lps.go: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("g_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("g_amd64.s differs from what gen_lps.go makes: run go generate")
	}
}
