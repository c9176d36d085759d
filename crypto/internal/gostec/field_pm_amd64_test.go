//go:build amd64 && !purego

package gostec

import (
	"crypto/rand"
	"encoding/binary"
	"testing"
)

// pmEdgeLimbs are limb values that make carries ripple: 0, 1, all ones,
// 2^63 and the low words of the two moduli and their neighbours.
var pmEdgeLimbs = []uint64{0, 1, 2, ^uint64(0), ^uint64(0) - 1, 1 << 63, ^uint64(616), ^uint64(615), ^uint64(617), ^uint64(568), ^uint64(567), ^uint64(569), 617, 569}

// checkPMAgainstGeneric compares the assembly with the generated Go on one
// pair of inputs, for both moduli.
func checkPMAgainstGeneric(t *testing.T, x, y *limbs) {
	t.Helper()
	var got, want limbs
	mulPM4ADX(&got, x, y, 617)
	mulPM4Generic(&want, x, y, 617)
	if got != want {
		t.Fatalf("mulPM4: ADX %x, Go %x for %x·%x", got, want, x[:4], y[:4])
	}
	sqrPM4Generic(&want, x, 617)
	sqrPM4ADX(&got, x, 617)
	if got != want {
		t.Fatalf("sqrPM4: ADX %x, Go %x for %x", got, want, x[:4])
	}
	mulPM8ADX(&got, x, y, 569)
	mulPM8Generic(&want, x, y, 569)
	if got != want {
		t.Fatalf("mulPM8: ADX %x, Go %x for %x·%x", got, want, x, y)
	}
	sqrPM8Generic(&want, x, 569)
	sqrPM8ADX(&got, x, 569)
	if got != want {
		t.Fatalf("sqrPM8: ADX %x, Go %x for %x", got, want, x)
	}
}

// TestPMAssembly is the differential test of the MULX/ADX multiplication
// against the pure-Go one, on random inputs and on inputs built from edge
// limbs (each limb drawn from pmEdgeLimbs), and checks aliasing of z with
// x and y.
func TestPMAssembly(t *testing.T) {
	if !hasADX {
		t.Skip("the CPU has no BMI2/ADX: the assembly never runs here")
	}
	var buf [128]byte
	for i := 0; i < 20000; i++ {
		var x, y limbs
		rand.Read(buf[:])
		for k := range 8 {
			x[k] = binary.LittleEndian.Uint64(buf[8*k:])
			y[k] = binary.LittleEndian.Uint64(buf[64+8*k:])
			if i%2 == 1 {
				x[k] = pmEdgeLimbs[int(buf[k])%len(pmEdgeLimbs)]
				y[k] = pmEdgeLimbs[int(buf[64+k])%len(pmEdgeLimbs)]
			}
		}
		checkPMAgainstGeneric(t, &x, &y)
		want := x
		mulPM8Generic(&want, &want, &y, 569)
		z := x
		mulPM8ADX(&z, &z, &y, 569)
		if z != want {
			t.Fatal("mulPM8ADX with z aliasing x differs")
		}
		z = y
		mulPM8ADX(&z, &x, &z, 569)
		if z != want {
			t.Fatal("mulPM8ADX with z aliasing y differs")
		}
	}
}

// FuzzPMAssembly compares the assembly and the pure-Go multiplication on
// fuzzed inputs.
func FuzzPMAssembly(f *testing.F) {
	if !hasADX {
		f.Skip("the CPU has no BMI2/ADX")
	}
	f.Add(make([]byte, 128))
	ones := make([]byte, 128)
	for i := range ones {
		ones[i] = 0xff
	}
	f.Add(ones)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 128 {
			b = append(b, make([]byte, 128-len(b))...)
		}
		var x, y limbs
		for k := range 8 {
			x[k] = binary.LittleEndian.Uint64(b[8*k:])
			y[k] = binary.LittleEndian.Uint64(b[64+8*k:])
		}
		checkPMAgainstGeneric(t, &x, &y)
	})
}
