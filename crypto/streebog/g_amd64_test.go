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

// needGFNI skips a test of the GFNI assembly on a processor without it.
func needGFNI(t testing.TB) {
	t.Helper()
	if !useGFNI {
		t.Skip("no AVX-512 VBMI and GFNI on this processor")
	}
}

// checkG compares both assembly versions of g_N with gGeneric on one input.
func checkG(t *testing.T, h, n, m [8]uint64) {
	t.Helper()
	want := h
	gGeneric(&want, &n, &m)
	got := h
	gAsm(&got, &n, &m)
	if got != want {
		t.Fatalf("gAsm(%x, %x, %x) = %x, want %x", h, n, m, got, want)
	}
	if !useGFNI {
		return
	}
	got = h
	gGFNI(&got, &n, &m)
	if got != want {
		t.Fatalf("gGFNI(%x, %x, %x) = %x, want %x", h, n, m, got, want)
	}
}

// TestGAssembly is the differential test of the assembly compression
// functions against gGeneric on random inputs and on inputs with every byte
// equal (each of the 256 values, which reach every table entry and every
// S-box entry).
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

// checkBlocks compares blocksGFNI with blocksGeneric over gGeneric on the
// blocks of p from the state of d.
func checkBlocks(t *testing.T, d digest, p []byte) {
	t.Helper()
	want := d
	for q := p; len(q) > 0; q = q[BlockSize:] {
		m := wordsFrom(q)
		gGeneric(&want.h, &want.n, &m)
		// N += 512 and Sigma += m, as block does.
		add512(&want.n, &[8]uint64{8 * BlockSize})
		add512(&want.sigma, &m)
	}
	got := d
	blocksGFNI(&got.h, &got.n, &got.sigma, p)
	if got != want {
		t.Fatalf("blocksGFNI over %d bytes from h=%x n=%x sigma=%x:\nh=%x n=%x sigma=%x\nwant\nh=%x n=%x sigma=%x",
			len(p), d.h, d.n, d.sigma, got.h, got.n, got.sigma, want.h, want.n, want.sigma)
	}
}

// TestBlocksGFNI checks the multi-block loop of the GFNI assembly, with the
// updates of N and Sigma, including every carry out of a word.
func TestBlocksGFNI(t *testing.T) {
	needGFNI(t)
	ones := [8]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
	nearCarry := ones
	nearCarry[0] = ^uint64(0) - 511
	var d digest
	d.size = Size512
	for _, n := range []int{0, 1, 2, 3, 17} {
		p := make([]byte, n*BlockSize)
		checkBlocks(t, d, p)
		rand.Read(p)
		checkBlocks(t, d, p)
		e := d
		e.n, e.sigma = nearCarry, ones
		checkBlocks(t, e, p)
		for i := range p {
			p[i] = 0xff
		}
		checkBlocks(t, e, p)
	}
	var buf [3 * 64]byte
	for range 500 {
		rand.Read(buf[:])
		e := d
		e.h, e.n, e.sigma = wordsFrom(buf[:64]), wordsFrom(buf[64:128]), wordsFrom(buf[128:])
		p := make([]byte, BlockSize*(1+int(buf[0])%3))
		rand.Read(p)
		checkBlocks(t, e, p)
	}
}

// FuzzBlocksGFNI compares blocksGFNI with the Go loop on fuzzed states and
// messages.
func FuzzBlocksGFNI(f *testing.F) {
	f.Add(make([]byte, 192), make([]byte, 64))
	f.Add(bytes.Repeat([]byte{0xff}, 192), bytes.Repeat([]byte{0xff}, 128))
	f.Fuzz(func(t *testing.T, state, p []byte) {
		needGFNI(t)
		if len(state) < 192 {
			state = append(state, make([]byte, 192-len(state))...)
		}
		var d digest
		d.h, d.n, d.sigma = wordsFrom(state[:64]), wordsFrom(state[64:128]), wordsFrom(state[128:192])
		checkBlocks(t, d, p[:len(p)&^(BlockSize-1)])
	})
}

// TestTableVersion runs the hash tests with the table version of the
// assembly on a processor that would use the GFNI one.
func TestTableVersion(t *testing.T) {
	needGFNI(t)
	useGFNI = false
	defer func() { useGFNI = true }()
	t.Run("Vectors", TestVectors)
	t.Run("SplitWrites", TestSplitWrites)
	t.Run("BlockBoundaries", TestBlockBoundaries)
	t.Run("MarshalRoundTrip", TestMarshalRoundTrip)
}

// TestGAssemblyUpToDate regenerates g_amd64.s with gen_lps.go and
// compares it with the committed file.
func TestGAssemblyUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator")
	}
	out := filepath.Join(t.TempDir(), "g_amd64.s")
	if msg, err := exec.Command("go", "run", "gen_lps.go", "gen_params.go", "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("go run gen_lps.go gen_params.go: %v\n%s", err, msg)
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
