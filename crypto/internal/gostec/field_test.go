package gostec

import (
	"bytes"
	"crypto/rand"
	"math/big"
	"testing"
)

func toLimbs(md *modulus, x *big.Int) limbs {
	var l limbs
	md.setBytes(&l, x.FillBytes(make([]byte, 8*md.n)))
	return l
}

func fromLimbs(md *modulus, l *limbs) *big.Int {
	b := make([]byte, 8*md.n)
	md.fillBytes(b, l)
	return new(big.Int).SetBytes(b)
}

// testValues returns edge values and random values below m, and, when wide
// is set, edge values of n limbs that are ≥ m.
func testValues(t *testing.T, m *big.Int, size int, count int, wide bool) []*big.Int {
	one := big.NewInt(1)
	vals := []*big.Int{
		big.NewInt(0), big.NewInt(1), big.NewInt(2),
		new(big.Int).Sub(m, one), new(big.Int).Sub(m, big.NewInt(2)),
		new(big.Int).Rsh(m, 1), new(big.Int).Add(new(big.Int).Rsh(m, 1), one),
		new(big.Int).Lsh(one, uint(8*size/2)),
	}
	for i := 0; i < count; i++ {
		v, err := rand.Int(rand.Reader, m)
		if err != nil {
			t.Fatal(err)
		}
		vals = append(vals, v)
	}
	if wide {
		r := new(big.Int).Lsh(one, uint(8*size))
		vals = append(vals, new(big.Int).Set(m), new(big.Int).Add(m, one),
			new(big.Int).Sub(r, one), new(big.Int).Sub(r, m),
			new(big.Int).Mul(m, big.NewInt(3)).Mod(new(big.Int).Mul(m, big.NewInt(3)), r))
		for i := 0; i < count; i++ {
			v, err := rand.Int(rand.Reader, r)
			if err != nil {
				t.Fatal(err)
			}
			vals = append(vals, v)
		}
	}
	return vals
}

func TestModulusArithmetic(t *testing.T) {
	testAllCurves(t, func(t *testing.T, tc testCurve, c *Curve) {
		ref := tc.ref()
		for _, mod := range []struct {
			name string
			md   *modulus
			m    *big.Int
		}{{"p", c.p, ref.p}, {"q", c.q, ref.q}} {
			t.Run(mod.name, func(t *testing.T) {
				md, m := mod.md, mod.m
				if md.bits != m.BitLen() {
					t.Errorf("bits = %d, want %d", md.bits, m.BitLen())
				}
				// R is 2^(64n), or 1 for a pseudo-Mersenne modulus.
				r := new(big.Int).Lsh(big.NewInt(1), uint(64*md.n))
				if md.pmC != 0 {
					r.SetInt64(1)
				}
				if got, want := fromLimbs(md, &md.one), new(big.Int).Mod(r, m); got.Cmp(want) != 0 {
					t.Errorf("R mod m = %x, want %x", got, want)
				}
				vals := testValues(t, m, tc.size, 12, false)
				mont := func(x *big.Int) limbs {
					l := toLimbs(md, x)
					md.toMont(&l, &l)
					return l
				}
				out := func(l limbs) *big.Int {
					md.fromMont(&l, &l)
					return fromLimbs(md, &l)
				}
				for _, x := range vals {
					xm := mont(x)
					if got := out(xm); got.Cmp(x) != 0 {
						t.Fatalf("round trip %x: got %x", x, got)
					}
					var z limbs
					md.neg(&z, &xm)
					if got, want := out(z), new(big.Int).Mod(new(big.Int).Neg(x), m); got.Cmp(want) != 0 {
						t.Errorf("neg %x = %x, want %x", x, got, want)
					}
					md.inv(&z, &xm)
					want := new(big.Int).ModInverse(x, m)
					if want == nil {
						want = new(big.Int)
					}
					if got := out(z); got.Cmp(want) != 0 {
						t.Errorf("inv %x = %x, want %x", x, got, want)
					}
					if md.isZero(&xm) != b2i(x.Sign() == 0) {
						t.Errorf("isZero %x wrong", x)
					}
					for _, y := range vals {
						ym := mont(y)
						md.mul(&z, &xm, &ym)
						if got, want := out(z), new(big.Int).Mod(new(big.Int).Mul(x, y), m); got.Cmp(want) != 0 {
							t.Fatalf("mul %x·%x = %x, want %x", x, y, got, want)
						}
						md.add(&z, &xm, &ym)
						if got, want := out(z), new(big.Int).Mod(new(big.Int).Add(x, y), m); got.Cmp(want) != 0 {
							t.Fatalf("add %x+%x = %x, want %x", x, y, got, want)
						}
						md.sub(&z, &xm, &ym)
						if got, want := out(z), new(big.Int).Mod(new(big.Int).Sub(x, y), m); got.Cmp(want) != 0 {
							t.Fatalf("sub %x-%x = %x, want %x", x, y, got, want)
						}
						if md.equal(&xm, &ym) != b2i(x.Cmp(y) == 0) {
							t.Fatalf("equal %x %x wrong", x, y)
						}
						// Aliased operands.
						z = xm
						md.mul(&z, &z, &ym)
						if got, want := out(z), new(big.Int).Mod(new(big.Int).Mul(x, y), m); got.Cmp(want) != 0 {
							t.Fatalf("aliased mul wrong")
						}
					}
				}
				// Reduction of arbitrary n-limb values.
				for _, x := range testValues(t, m, tc.size, 50, true) {
					l := toLimbs(md, x)
					if md.lessThanM(&l) != b2i(x.Cmp(m) < 0) {
						t.Errorf("lessThanM %x wrong", x)
					}
					md.toMont(&l, &l)
					if l2 := fromLimbs(md, &l); l2.Cmp(m) >= 0 {
						t.Errorf("toMont(%x) not reduced", x)
					}
					if got, want := out(l), new(big.Int).Mod(x, m); got.Cmp(want) != 0 {
						t.Errorf("reduce %x = %x, want %x", x, got, want)
					}
				}
			})
		}
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestScalarArithmetic(t *testing.T) {
	testAllCurves(t, func(t *testing.T, tc testCurve, c *Curve) {
		q := tc.ref().q
		vals := testValues(t, q, tc.size, 10, false)
		enc := func(x *big.Int) []byte { return x.FillBytes(make([]byte, tc.size)) }
		set := func(x *big.Int) *Scalar {
			s, err := c.NewScalar().SetBytes(enc(x))
			if err != nil {
				t.Fatalf("SetBytes(%x): %v", x, err)
			}
			return s
		}
		check := func(op string, s *Scalar, want *big.Int) {
			t.Helper()
			want = new(big.Int).Mod(want, q)
			if got := s.Bytes(); !bytes.Equal(got, enc(want)) {
				t.Fatalf("%s = %x, want %x", op, got, enc(want))
			}
		}
		for _, x := range vals {
			sx := set(x)
			check("bytes", sx, x)
			check("negate", c.NewScalar().Negate(sx), new(big.Int).Neg(x))
			want := new(big.Int).ModInverse(x, q)
			if want == nil {
				want = new(big.Int)
			}
			check("invert", c.NewScalar().VarTimeInvert(sx), want)
			if sx.IsZero() != b2i(x.Sign() == 0) {
				t.Errorf("IsZero(%x) wrong", x)
			}
			if sx.Equal(c.NewScalar().Set(sx)) != 1 {
				t.Errorf("Equal(Set) wrong")
			}
			for _, y := range vals {
				sy := set(y)
				check("mul", c.NewScalar().Mul(sx, sy), new(big.Int).Mul(x, y))
				check("add", c.NewScalar().Add(sx, sy), new(big.Int).Add(x, y))
				check("sub", c.NewScalar().Sub(sx, sy), new(big.Int).Sub(x, y))
				if sx.Equal(sy) != b2i(x.Cmp(y) == 0) {
					t.Fatalf("Equal(%x, %x) wrong", x, y)
				}
			}
		}
		// SetReducedBytes on anything, SetBytes rejects ≥ q.
		for _, x := range testValues(t, q, tc.size, 30, true) {
			s, err := c.NewScalar().SetReducedBytes(enc(x))
			if err != nil {
				t.Fatal(err)
			}
			check("reduce", s, x)
			s2 := set(big.NewInt(5))
			_, err = s2.SetBytes(enc(x))
			if (err == nil) != (x.Cmp(q) < 0) {
				t.Errorf("SetBytes(%x) err = %v", x, err)
			}
			if err != nil {
				check("unchanged after error", s2, big.NewInt(5))
			}
		}
		allFF := bytes.Repeat([]byte{0xff}, tc.size)
		s, _ := c.NewScalar().SetReducedBytes(allFF)
		check("reduce all-ff", s, new(big.Int).SetBytes(allFF))
	})
}

func TestScalarLength(t *testing.T) {
	testAllCurves(t, func(t *testing.T, tc testCurve, c *Curve) {
		for _, n := range []int{0, 1, tc.size - 1, tc.size + 1, 2 * tc.size} {
			if _, err := c.NewScalar().SetBytes(make([]byte, n)); err == nil {
				t.Errorf("SetBytes accepted %d bytes", n)
			}
			if _, err := c.NewScalar().SetReducedBytes(make([]byte, n)); err == nil {
				t.Errorf("SetReducedBytes accepted %d bytes", n)
			}
		}
	})
}

// TestPseudoMersenne checks which moduli take the pseudo-Mersenne path and
// compares its multiplication and squaring with math/big on any n-limb
// inputs, including those ≥ m and the all-ones values that make the folds
// carry.
func TestPseudoMersenne(t *testing.T) {
	wantPM := map[string]uint64{
		"CryptoPro-A": 617, "tc26-256-paramSetA": 617,
		"tc26-512-paramSetA": 569, "tc26-512-paramSetC": 569,
	}
	testAllCurves(t, func(t *testing.T, tc testCurve, c *Curve) {
		if c.p.pmC != wantPM[tc.name] {
			t.Fatalf("p: pmC = %d, want %d", c.p.pmC, wantPM[tc.name])
		}
		if c.q.pmC != 0 {
			t.Fatalf("q: pmC = %d, want 0", c.q.pmC)
		}
		md := c.p
		if md.pmC == 0 {
			return
		}
		m := tc.ref().p
		vals := testValues(t, m, tc.size, 30, true)
		for _, x := range vals {
			xl := toLimbs(md, x)
			var z limbs
			md.sqr(&z, &xl)
			if got, want := fromLimbs(md, &z), new(big.Int).Mod(new(big.Int).Mul(x, x), m); got.Cmp(want) != 0 {
				t.Fatalf("sqr %x = %x, want %x", x, got, want)
			}
			for _, y := range vals {
				yl := toLimbs(md, y)
				md.mul(&z, &xl, &yl)
				if got, want := fromLimbs(md, &z), new(big.Int).Mod(new(big.Int).Mul(x, y), m); got.Cmp(want) != 0 {
					t.Fatalf("mul %x·%x = %x, want %x", x, y, got, want)
				}
			}
		}
	})
}
