package gostec

import (
	"bytes"
	"encoding/hex"
	"math/big"
	"strings"
	"sync"
	"testing"
)

// testCurve is a GOST R 34.10-2012 curve as hex strings (big-endian, any
// length up to the field size).
type testCurve struct {
	name               string
	size               int
	p, a, b, q, gx, gy string
	cofactor           int
	def                *curveDef
}

// testCurves are the standard curves of curves.go, as the tests see them.
var testCurves = func() []testCurve {
	var tcs []testCurve
	for _, d := range curveDefs {
		tcs = append(tcs, testCurve{name: d.name, size: d.size, p: d.p, a: d.a, b: d.b, q: d.q, gx: d.gx, gy: d.gy, cofactor: d.cofactor, def: d})
	}
	return tcs
}()

// fixed decodes a big-endian hex string and left-pads it to size bytes.
func fixed(t testing.TB, s string, size int) []byte {
	t.Helper()
	s = strings.Join(strings.Fields(s), "")
	if len(s)%2 == 1 {
		s = "0" + s
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	if len(b) > size {
		t.Fatalf("hex %q longer than %d bytes", s, size)
	}
	return append(make([]byte, size-len(b)), b...)
}

func bigHex(s string) *big.Int {
	s = strings.Join(strings.Fields(s), "")
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("bad hex " + s)
	}
	return v
}

// refCurve is a math/big model of a curve for cross-checking.
type refCurve struct {
	p, a, b, q, gx, gy *big.Int
	h                  int
	size               int
}

func (tc testCurve) ref() *refCurve {
	return &refCurve{p: bigHex(tc.p), a: bigHex(tc.a), b: bigHex(tc.b), q: bigHex(tc.q),
		gx: bigHex(tc.gx), gy: bigHex(tc.gy), h: tc.cofactor, size: tc.size}
}

var (
	curveCacheMu sync.Mutex
	curveCache   = map[string]*Curve{}
)

// curve returns the Curve for tc as the package builds it (with its
// Edwards form where it has one).
func (tc testCurve) curve(t testing.TB) *Curve {
	t.Helper()
	return tc.def.get()
}

// weierstrassCurve returns the (cached) Curve for tc built by NewCurve
// alone: the Weierstrass arithmetic only, the model the Edwards paths are
// compared with.
func (tc testCurve) weierstrassCurve(t testing.TB) *Curve {
	t.Helper()
	curveCacheMu.Lock()
	defer curveCacheMu.Unlock()
	if c, ok := curveCache[tc.name]; ok {
		return c
	}
	c, err := NewCurve(fixed(t, tc.p, tc.size), fixed(t, tc.a, tc.size), fixed(t, tc.b, tc.size),
		fixed(t, tc.q, tc.size), fixed(t, tc.gx, tc.size), fixed(t, tc.gy, tc.size), tc.cofactor)
	if err != nil {
		t.Fatalf("%s: NewCurve: %v", tc.name, err)
	}
	curveCache[tc.name] = c
	return c
}

// testAllCurves runs f as a parallel subtest for every parameter set.
func testAllCurves(t *testing.T, f func(t *testing.T, tc testCurve, c *Curve)) {
	for _, tc := range testCurves {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f(t, tc, tc.curve(t))
		})
	}
}

func curveByName(t testing.TB, name string) (testCurve, *Curve) {
	for _, tc := range testCurves {
		if tc.name == name {
			return tc, tc.curve(t)
		}
	}
	t.Fatalf("no curve %q", name)
	return testCurve{}, nil
}

// Affine arithmetic with math/big; nil stands for the identity.
type refPoint struct{ x, y *big.Int }

func (r *refCurve) add(p1, p2 *refPoint) *refPoint {
	if p1 == nil {
		return p2
	}
	if p2 == nil {
		return p1
	}
	var l *big.Int
	if p1.x.Cmp(p2.x) == 0 {
		s := new(big.Int).Add(p1.y, p2.y)
		if s.Mod(s, r.p).Sign() == 0 {
			return nil
		}
		// doubling: (3x² + a) / 2y
		num := new(big.Int).Mul(p1.x, p1.x)
		num.Mul(num, big.NewInt(3)).Add(num, r.a)
		den := new(big.Int).Lsh(p1.y, 1)
		l = num.Mul(num, den.ModInverse(den.Mod(den, r.p), r.p))
	} else {
		num := new(big.Int).Sub(p2.y, p1.y)
		den := new(big.Int).Sub(p2.x, p1.x)
		den.Mod(den, r.p)
		l = num.Mul(num, den.ModInverse(den, r.p))
	}
	l.Mod(l, r.p)
	x3 := new(big.Int).Mul(l, l)
	x3.Sub(x3, p1.x).Sub(x3, p2.x).Mod(x3, r.p)
	y3 := new(big.Int).Sub(p1.x, x3)
	y3.Mul(y3, l).Sub(y3, p1.y).Mod(y3, r.p)
	return &refPoint{x3, y3}
}

func (r *refCurve) mul(p *refPoint, k *big.Int) *refPoint {
	var acc *refPoint
	for i := k.BitLen() - 1; i >= 0; i-- {
		acc = r.add(acc, acc)
		if k.Bit(i) == 1 {
			acc = r.add(acc, p)
		}
	}
	return acc
}

func (r *refCurve) onCurve(x, y *big.Int) bool {
	lhs := new(big.Int).Mul(y, y)
	rhs := new(big.Int).Mul(x, x)
	rhs.Add(rhs, r.a).Mul(rhs, x).Add(rhs, r.b)
	return lhs.Sub(lhs, rhs).Mod(lhs, r.p).Sign() == 0
}

func (r *refCurve) encode(p *refPoint) []byte {
	out := make([]byte, 2*r.size)
	p.x.FillBytes(out[:r.size])
	p.y.FillBytes(out[r.size:])
	return out
}

// TestStandardCurves checks the exported curves against their definitions:
// each builds, and gives back its constants.
func TestStandardCurves(t *testing.T) {
	accessors := map[string]func() *Curve{
		"TestParamSet": Test256, "CryptoPro-A": CryptoProA, "CryptoPro-B": CryptoProB,
		"CryptoPro-C": CryptoProC, "tc26-256-paramSetA": TC26256A, "tc26-512-paramSetTest": Test512,
		"tc26-512-paramSetA": TC26512A, "tc26-512-paramSetB": TC26512B, "tc26-512-paramSetC": TC26512C,
	}
	if len(accessors) != len(curveDefs) {
		t.Fatalf("%d accessors for %d curves", len(accessors), len(curveDefs))
	}
	for _, tc := range testCurves {
		get, ok := accessors[tc.name]
		if !ok {
			t.Errorf("no accessor for %s", tc.name)
			continue
		}
		c := get()
		if c != get() {
			t.Errorf("%s: a second call built another Curve", tc.name)
		}
		for _, v := range []struct {
			name      string
			got, want []byte
		}{
			{"p", c.P(), fixed(t, tc.p, tc.size)},
			{"a", c.A(), fixed(t, tc.a, tc.size)},
			{"b", c.B(), fixed(t, tc.b, tc.size)},
			{"q", c.Order(), fixed(t, tc.q, tc.size)},
		} {
			if !bytes.Equal(v.got, v.want) {
				t.Errorf("%s: %s = %x, want %x", tc.name, v.name, v.got, v.want)
			}
		}
		if c.Size() != tc.size || c.Cofactor() != tc.cofactor {
			t.Errorf("%s: size %d cofactor %d", tc.name, c.Size(), c.Cofactor())
		}
	}
}
