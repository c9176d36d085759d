package gostec

import (
	"fmt"
	"testing"
)

var errSink error

func benchName(b *testing.B, curve string) string {
	tc, _ := curveByName(b, curve)
	return fmt.Sprintf("%d/%s", 8*tc.size, curve)
}

func BenchmarkFieldMul(b *testing.B) {
	for _, name := range []string{"TestParamSet", "CryptoPro-A", "tc26-512-paramSetB", "tc26-512-paramSetA"} {
		b.Run(benchName(b, name), func(b *testing.B) {
			_, c := curveByName(b, name)
			x := c.gx
			y := c.gy
			for b.Loop() {
				c.p.mul(&x, &x, &y)
			}
		})
	}
}

func BenchmarkScalarBaseMult(b *testing.B) {
	for _, name := range []string{"CryptoPro-A", "tc26-512-paramSetA"} {
		b.Run(benchName(b, name), func(b *testing.B) {
			_, c := curveByName(b, name)
			s, _ := randScalar(b, c)
			p := c.NewPoint().ScalarBaseMult(s)
			for b.Loop() {
				p.ScalarBaseMult(s)
			}
		})
	}
}

func BenchmarkScalarMult(b *testing.B) {
	for _, name := range []string{"CryptoPro-A", "tc26-512-paramSetA"} {
		b.Run(benchName(b, name), func(b *testing.B) {
			_, c := curveByName(b, name)
			s, _ := randScalar(b, c)
			g := c.NewGenerator()
			p := c.NewPoint()
			for b.Loop() {
				p.ScalarMult(g, s)
			}
		})
	}
}

func BenchmarkSetBytesCofactor4(b *testing.B) {
	_, c := curveByName(b, "tc26-256-paramSetA")
	g := mustBytes(b, c.NewGenerator())
	p := c.NewPoint()
	for b.Loop() {
		_, errSink = p.SetBytes(g)
	}
}

func BenchmarkFieldSqr(b *testing.B) {
	for _, name := range []string{"CryptoPro-A", "tc26-512-paramSetA"} {
		b.Run(benchName(b, name), func(b *testing.B) {
			_, c := curveByName(b, name)
			x := c.gy
			for b.Loop() {
				c.p.sqr(&x, &x)
			}
		})
	}
}

func BenchmarkVarTimeScalarBaseMultAdd(b *testing.B) {
	for _, name := range []string{"CryptoPro-A", "tc26-256-paramSetA", "tc26-512-paramSetA", "tc26-512-paramSetC"} {
		b.Run(benchName(b, name), func(b *testing.B) {
			_, c := curveByName(b, name)
			u1, _ := randScalar(b, c)
			u2, _ := randScalar(b, c)
			k, _ := randScalar(b, c)
			q := c.NewPoint().ScalarBaseMult(k)
			p := c.NewPoint().VarTimeScalarBaseMultAdd(u1, q, u2)
			for b.Loop() {
				p.VarTimeScalarBaseMultAdd(u1, q, u2)
			}
		})
	}
}
