//go:build amd64 && !purego

package gostec

import (
	"math/bits"
	"testing"
)

// edTestPoints returns Edwards points to run the formulas on: the identity
// (also with Z = −1), the points of small order of the cofactor-4 curves
// (0, −1) of order 2 and (±1, 0) of order 4, and multiples k·G for the edge
// scalars with their negatives, so that coordinates take the values 0, 1
// and p − 1 and the sums meet doublings and opposites.
func edTestPoints(t *testing.T, c *Curve) []edPoint {
	t.Helper()
	fp := c.p
	var minusOne limbs
	fp.neg(&minusOne, &fp.one)
	pts := []edPoint{
		{y: fp.one, z: fp.one},
		{y: minusOne, z: minusOne},
		{y: minusOne, z: fp.one},
		{x: fp.one, z: fp.one},
		{x: minusOne, z: fp.one},
	}
	for _, k := range edgeScalars(t, c) {
		var e edPoint
		p := c.NewPoint().ScalarBaseMult(k)
		if p.IsIdentity() == 1 {
			continue
		}
		p.toEdwards(&e)
		pts = append(pts, e)
		var n edPoint
		fp.neg(&n.x, &e.x)
		n.y, n.z = e.y, e.z
		fp.neg(&n.t, &e.t)
		pts = append(pts, n)
	}
	for i := range pts {
		if !c.edOnCurve(&pts[i]) {
			t.Fatalf("test point %d is off the Edwards curve", i)
		}
	}
	return pts
}

// TestEdwardsAssembly is the differential test of the fused Edwards
// formulas of edwards_amd64.s against the Go formulas of edwards.go: the
// results must be the same field elements, word for word, on every pair of
// test points, with r aliasing p as the verification calls them.
func TestEdwardsAssembly(t *testing.T) {
	if !hasADX {
		t.Skip("the CPU has no BMI2/ADX: the assembly never runs here")
	}
	testAllCurves(t, func(t *testing.T, tc testCurve, c *Curve) {
		if c.ed == nil {
			return
		}
		fp := c.p
		n, pmC := fp.n, fp.pmC
		pts := edTestPoints(t, c)
		reduce := func(p edPoint) edPoint {
			c.vtEdReduce(&p)
			return p
		}
		for i := range pts {
			p := &pts[i]
			var want, got edPoint
			var e, h limbs
			var eh [2]limbs
			c.edDoubleXYZ(&want, p, &e, &h)
			want.t = p.t // stale in both
			got = *p
			if n == 4 {
				edDblPM4ADX(&got, &got, &eh, pmC)
			} else {
				edDblPM8ADX(&got, &got, &eh, pmC)
			}
			fp.mul(&eh[0], &eh[0], &limbs{0: 1})
			fp.mul(&eh[1], &eh[1], &limbs{0: 1})
			if reduce(got) != want || eh[0] != e || eh[1] != h {
				t.Fatalf("point %d: edDbl assembly %x %x, Go %x %x %x", i, got, eh, want, e, h)
			}
			for j := range pts {
				var q edCached
				c.edCache(&q, &pts[j])
				c.edAdd(&want, p, &q)
				got = *p
				if n == 4 {
					edAddPM4ADX(&got, &got, &q, pmC)
				} else {
					edAddPM8ADX(&got, &got, &q, pmC)
				}
				if reduce(got) != want {
					t.Fatalf("points %d + %d: edAdd assembly %x, Go %x", i, j, got, want)
				}
			}
		}
		// Unreduced inputs, as the assembly passes them on: coordinates
		// below c written as themselves plus m, in p and in q.
		var unr []edPoint
		for _, p := range pts[:5] {
			for _, v := range []*limbs{&p.x, &p.y, &p.z, &p.t} {
				if v[0] < pmC && allZero(v[1:n]) {
					var carry uint64
					for k := 0; k < n; k++ {
						v[k], carry = bits.Add64(v[k], fp.m[k], carry)
					}
				}
			}
			unr = append(unr, p)
		}
		for i := range unr {
			for j := range pts {
				for _, swap := range []bool{false, true} {
					a, b := unr[i], pts[j]
					if swap {
						a, b = b, a
					}
					var q edCached
					q.x, q.y, q.z = b.x, b.y, b.z
					fp.mul(&q.dt, &b.t, &c.ed.d)
					ra, rb := reduce(a), reduce(b)
					var qr edCached
					c.edCache(&qr, &rb)
					var want, got edPoint
					c.edAdd(&want, &ra, &qr)
					if n == 4 {
						edAddPM4ADX(&got, &a, &q, pmC)
					} else {
						edAddPM8ADX(&got, &a, &q, pmC)
					}
					if reduce(got) != want {
						t.Fatalf("unreduced points %d + %d (swap %v): edAdd assembly %x, Go %x", i, j, swap, got, want)
					}
				}
			}
			var want, got edPoint
			var e, h limbs
			var eh [2]limbs
			ra := reduce(unr[i])
			c.edDoubleXYZ(&want, &ra, &e, &h)
			if n == 4 {
				edDblPM4ADX(&got, &unr[i], &eh, pmC)
			} else {
				edDblPM8ADX(&got, &unr[i], &eh, pmC)
			}
			got.t, want.t = limbs{}, limbs{}
			if reduce(got) != want {
				t.Fatalf("unreduced point %d: edDbl assembly %x, Go %x", i, got, want)
			}
		}
	})
}

func allZero(x []uint64) bool {
	for _, w := range x {
		if w != 0 {
			return false
		}
	}
	return true
}

// BenchmarkEdwardsFormulas times the Go formulas against the fused
// assembly, one doubling (X, Y, Z only) and one cached addition.
func BenchmarkEdwardsFormulas(b *testing.B) {
	for _, name := range []string{"tc26-256-paramSetA", "tc26-512-paramSetC"} {
		_, c := curveByName(b, name)
		var p edPoint
		c.NewGenerator().toEdwards(&p)
		var q edCached
		c.edCache(&q, &p)
		b.Run(benchName(b, name)+"/double/go", func(b *testing.B) {
			var e, h limbs
			for b.Loop() {
				c.edDoubleXYZ(&p, &p, &e, &h)
			}
		})
		b.Run(benchName(b, name)+"/double/asm", func(b *testing.B) {
			for b.Loop() {
				c.vtEdDouble(&p, &p, false)
			}
		})
		b.Run(benchName(b, name)+"/add/go", func(b *testing.B) {
			for b.Loop() {
				c.edAdd(&p, &p, &q)
			}
		})
		b.Run(benchName(b, name)+"/add/asm", func(b *testing.B) {
			for b.Loop() {
				c.vtEdAdd(&p, &p, &q)
			}
		})
	}
}
