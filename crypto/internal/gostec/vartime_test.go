package gostec

import (
	"math/big"
	"testing"
)

// TestVarTimeScalarBaseMultAdd compares the variable-time u1·G + u2·Q with
// the constant-time ScalarBaseMult + ScalarMult + Add, on every curve, for
// random scalars and the edge cases of the NAF recoding and of the
// Jacobian formulas (zero scalars, Q = ±G so that additions meet doublings
// and opposites, scalars q−1 and small values).
func TestVarTimeScalarBaseMultAdd(t *testing.T) {
	testAllCurves(t, func(t *testing.T, tc testCurve, c *Curve) {
		scalar := func(v *big.Int) *Scalar {
			s, err := c.NewScalar().SetBytes(v.FillBytes(make([]byte, c.Size())))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		q := new(big.Int).SetBytes(c.Order())
		qm1 := new(big.Int).Sub(q, big.NewInt(1))
		g := c.NewGenerator()
		negG := c.NewPoint().Negate(g)
		k, _ := randScalar(t, c)
		randomQ := c.NewPoint().ScalarBaseMult(k)

		type row struct {
			name   string
			u1, u2 *Scalar
			q      *Point
		}
		rows := []row{
			{"zero and zero", scalar(big.NewInt(0)), scalar(big.NewInt(0)), randomQ},
			{"u1 zero", scalar(big.NewInt(0)), scalar(big.NewInt(12345)), randomQ},
			{"u2 zero", scalar(big.NewInt(7)), scalar(big.NewInt(0)), randomQ},
			{"Q = G, u1 = u2", scalar(big.NewInt(5)), scalar(big.NewInt(5)), g},
			{"Q = −G, sum is identity", scalar(big.NewInt(9)), scalar(big.NewInt(9)), negG},
			{"u2 = q−1", scalar(big.NewInt(3)), scalar(qm1), randomQ},
			{"u2 = q−1, Q = G", scalar(big.NewInt(1)), scalar(qm1), g},
			{"u2 = 2^k−1 runs", scalar(big.NewInt(1)), scalar(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(q.BitLen()-2)), big.NewInt(1))), randomQ},
			{"u2 = 15", scalar(big.NewInt(2)), scalar(big.NewInt(15)), randomQ},
			{"u2 = 17", scalar(big.NewInt(2)), scalar(big.NewInt(17)), randomQ},
			{"u1 = q−1", scalar(qm1), scalar(big.NewInt(5)), randomQ},
			{"u1 = q−1, u2 = 1, Q = G: identity", scalar(qm1), scalar(big.NewInt(1)), g},
			{"u1 = 2^k−1 runs", scalar(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(q.BitLen()-2)), big.NewInt(1))), scalar(big.NewInt(3)), randomQ},
			{"u1 = 63, u2 = 63", scalar(big.NewInt(63)), scalar(big.NewInt(63)), randomQ},
			{"u1 = 65", scalar(big.NewInt(65)), scalar(big.NewInt(1)), g},
		}
		for i := range 20 {
			u1, _ := randScalar(t, c)
			u2, _ := randScalar(t, c)
			rows = append(rows, row{"random " + string(rune('a'+i)), u1, u2, randomQ})
		}
		for _, r := range rows {
			want := c.NewPoint().ScalarBaseMult(r.u1)
			want.Add(want, c.NewPoint().ScalarMult(r.q, r.u2))
			got := c.NewPoint().VarTimeScalarBaseMultAdd(r.u1, r.q, r.u2)
			if got.Equal(want) != 1 {
				t.Errorf("%s: VarTimeScalarBaseMultAdd differs from the constant-time result", r.name)
			}
		}
	})
}

// TestWNAF checks the recoding at both widths: digits are 0 or odd below
// 2^(w−1) in magnitude, non-zero digits are at least w apart, and they sum
// back to the scalar.
func TestWNAF(t *testing.T) {
	testAllCurves(t, func(t *testing.T, tc testCurve, c *Curve) {
		for _, w := range []int{wnafWidth, baseNAFWidth, edNAFWidth} {
			for range 50 {
				s, v := randScalar(t, c)
				var e limbs
				c.q.fromMont(&e, &s.v)
				var buf wnafBuf
				digits := wnaf(&buf, &e, c.p.n, c.q.bits, w)
				sum := new(big.Int)
				last := -w
				for i, d := range digits {
					if d == 0 {
						continue
					}
					if d%2 == 0 || int(d) >= 1<<(w-1) || int(d) <= -(1<<(w-1)) {
						t.Fatalf("w=%d: digit %d = %d", w, i, d)
					}
					if i-last < w {
						t.Fatalf("w=%d: non-zero digits at %d and %d", w, last, i)
					}
					last = i
					sum.Add(sum, new(big.Int).Lsh(big.NewInt(int64(d)), uint(i)))
				}
				if sum.Cmp(v) != 0 {
					t.Fatalf("w=%d: digits sum to %x, want %x", w, sum, v)
				}
			}
		}
	})
}

// TestVarTimeEqualX compares VarTimeEqualX with the reduction of the affine
// x coordinate on random points, including the cofactor-4 curves where
// x ≥ q for most points, and checks the identity and a wrong r.
func TestVarTimeEqualX(t *testing.T) {
	testAllCurves(t, func(t *testing.T, tc testCurve, c *Curve) {
		one := c.NewScalar()
		one.SetBytes(append(make([]byte, c.Size()-1), 1))
		if c.NewPoint().VarTimeEqualX(c.NewScalar()) {
			t.Error("the identity matched r = 0")
		}
		for _, k := range edgeScalars(t, c) {
			p := c.NewPoint().ScalarBaseMult(k)
			// A projective representative with Z ≠ 1.
			p.Add(p, c.NewPoint())
			if p.IsIdentity() == 1 {
				continue
			}
			x := make([]byte, c.Size())
			err := p.FillBytesX(x)
			if err != nil {
				t.Fatal(err)
			}
			r, _ := c.NewScalar().SetReducedBytes(x)
			if !p.VarTimeEqualX(r) {
				t.Fatalf("k = %x: x mod q not matched", k.Bytes())
			}
			if p.VarTimeEqualX(c.NewScalar().Add(r, one)) {
				t.Fatalf("k = %x: x mod q + 1 matched", k.Bytes())
			}
		}
	})
}
