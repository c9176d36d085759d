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

// TestLPSAssembly is the differential test of the assembly lpsXor against
// lpsXorGeneric on random inputs, on inputs with every byte equal (each of
// the 256 values) and with dst aliasing each operand.
func TestLPSAssembly(t *testing.T) {
	var buf [128]byte
	check := func(a, b [8]uint64) {
		t.Helper()
		var got, want [8]uint64
		lpsXor(&got, &a, &b)
		lpsXorGeneric(&want, &a, &b)
		if got != want {
			t.Fatalf("lpsXor(%x, %x) = %x, want %x", a, b, got, want)
		}
		aa := a
		lpsXor(&aa, &aa, &b)
		bb := b
		lpsXor(&bb, &a, &bb)
		if aa != want || bb != want {
			t.Fatal("lpsXor with dst aliasing an operand differs")
		}
	}
	for v := range 256 {
		check(wordsFrom(bytes.Repeat([]byte{byte(v)}, 64)), [8]uint64{})
	}
	for range 5000 {
		rand.Read(buf[:])
		check(wordsFrom(buf[:64]), wordsFrom(buf[64:]))
	}
}

// FuzzLPSAssembly compares the assembly and the Go lpsXor on fuzzed input.
func FuzzLPSAssembly(f *testing.F) {
	f.Add(make([]byte, 128))
	f.Add(bytes.Repeat([]byte{0xff}, 128))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 128 {
			b = append(b, make([]byte, 128-len(b))...)
		}
		a, k := wordsFrom(b[:64]), wordsFrom(b[64:128])
		var got, want [8]uint64
		lpsXor(&got, &a, &k)
		lpsXorGeneric(&want, &a, &k)
		if got != want {
			t.Fatalf("lpsXor(%x, %x) = %x, want %x", a, k, got, want)
		}
	})
}

// TestLPSAssemblyUpToDate regenerates lps_amd64.s with gen_lps.go and
// compares it with the committed file.
func TestLPSAssemblyUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator")
	}
	out := filepath.Join(t.TempDir(), "lps_amd64.s")
	if msg, err := exec.Command("go", "run", "gen_lps.go", "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("go run gen_lps.go: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("lps_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("lps_amd64.s differs from what gen_lps.go makes: run go generate")
	}
}
