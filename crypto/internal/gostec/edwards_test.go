package gostec

import (
	"bytes"
	"math/big"
	"testing"
)

// edgeScalars returns the scalars every multiplication is checked at: 0, 1,
// 2, the digit boundaries of the signed windows (16, 17, 31, 32, 33 and
// runs of them), q−1, q−2, (q±1)/2 and random values.
func edgeScalars(t *testing.T, c *Curve) []*Scalar {
	t.Helper()
	q := new(big.Int).SetBytes(c.Order())
	vals := []*big.Int{
		big.NewInt(0), big.NewInt(1), big.NewInt(2), big.NewInt(16), big.NewInt(17),
		big.NewInt(31), big.NewInt(32), big.NewInt(33), big.NewInt(0x10842108421),
		bigHex("8421084210842108421084210842108421084210842108421084210842108"),
		bigHex("7BDEF7BDEF7BDEF7BDEF7BDEF7BDEF7BDEF7BDEF7BDEF7BDEF7BDEF7BDEF7BD"),
		new(big.Int).Sub(q, big.NewInt(1)), new(big.Int).Sub(q, big.NewInt(2)),
		new(big.Int).Rsh(q, 1), new(big.Int).Rsh(new(big.Int).Add(q, big.NewInt(1)), 1),
	}
	var out []*Scalar
	for _, v := range vals {
		s, err := c.NewScalar().SetBytes(new(big.Int).Mod(v, q).FillBytes(make([]byte, c.Size())))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	for range 20 {
		s, _ := randScalar(t, c)
		out = append(out, s)
	}
	return out
}

// TestEdwardsScalarBaseMult compares k·G computed in Edwards form with the
// Weierstrass computation of the same curve built by NewCurve alone, and
// checks the Edwards constants and the maps.
func TestEdwardsScalarBaseMult(t *testing.T) {
	testAllCurves(t, func(t *testing.T, tc testCurve, c *Curve) {
		if (c.ed != nil) != (tc.def.edwardsD != "") {
			t.Fatalf("Edwards form present = %v, want %v", c.ed != nil, tc.def.edwardsD != "")
		}
		if c.ed == nil {
			return
		}
		w := tc.weierstrassCurve(t)
		if w.ed != nil {
			t.Fatal("NewCurve attached an Edwards form")
		}
		for _, k := range edgeScalars(t, c) {
			kw, err := w.NewScalar().SetBytes(k.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			got := c.NewPoint().ScalarBaseMult(k)
			want := w.NewPoint().ScalarBaseMult(kw)
			if got.IsIdentity() != want.IsIdentity() {
				t.Fatalf("k = %x: identity %d, want %d", k.Bytes(), got.IsIdentity(), want.IsIdentity())
			}
			if want.IsIdentity() == 1 {
				continue
			}
			if g, w := mustBytes(t, got), mustBytes(t, want); !bytes.Equal(g, w) {
				t.Fatalf("k = %x: Edwards k·G = %x, Weierstrass %x", k.Bytes(), g, w)
			}
			// The round trip through the Edwards form keeps the point.
			var e edPoint
			got.toEdwards(&e)
			if !c.edOnCurve(&e) {
				t.Fatalf("k = %x: toEdwards is off the Edwards curve", k.Bytes())
			}
			back := c.NewPoint()
			back.fromEdwards(c, &e)
			if back.Equal(got) != 1 {
				t.Fatalf("k = %x: fromEdwards(toEdwards(P)) != P", k.Bytes())
			}
		}
	})
}
