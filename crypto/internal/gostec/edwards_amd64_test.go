//go:build amd64 && !purego

package gostec

import (
	"testing"
)

// edTestPoints returns Edwards points to run the formulas on: the identity,
// multiples of G in extended coordinates with Z ≠ 1, their negatives, and,
// on the cofactor-4 curves, the points of order 2 and 4 of the Edwards
// curve ((0, −1) and (±1/√e, 0) do not exist with e = 1 unless 1 is... see
// below), so that every coordinate takes the values 0 and p − 1 somewhere.
func edTestPoints(t *testing.T, c *Curve) []edPoint {
	t.Helper()
	fp := c.p
	var minusOne limbs
	fp.neg(&minusOne, &fp.one)
	pts := []edPoint{
		{y: fp.one, z: fp.one},               // the identity
		{y: minusOne, z: fp.one},             // (0, −1), of order 2
		{y: fp.one, z: minusOne, t: limbs{}}, // the identity again, Z = −1
	}
	// (±1, 0): on u² + v² = 1 + d·u²·v², of order 4.
	pts = append(pts, edPoint{x: fp.one, z: fp.one}, edPoint{x: minusOne, z: fp.one})
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
			if got != want || eh[0] != e || eh[1] != h {
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
				if got != want {
					t.Fatalf("points %d + %d: edAdd assembly %x, Go %x", i, j, got, want)
				}
			}
		}
	})
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
