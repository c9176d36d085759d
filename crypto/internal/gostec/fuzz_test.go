package gostec

import (
	"bytes"
	"testing"
)

func FuzzPointSetBytes(f *testing.F) {
	var curves []*Curve
	for _, tc := range testCurves {
		curves = append(curves, tc.curve(f))
	}
	for i, c := range curves {
		g := mustBytes(f, c.NewGenerator())
		f.Add(uint8(i), g)
		f.Add(uint8(i), mustBytes(f, c.NewPoint().Double(c.NewGenerator())))
		bad := bytes.Clone(g)
		bad[len(bad)-1] ^= 1
		f.Add(uint8(i), bad)
		f.Add(uint8(i), bytes.Repeat([]byte{0xff}, 2*c.Size()))
		f.Add(uint8(i), []byte{})
	}
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		c := curves[int(which)%len(curves)]
		p := c.NewGenerator()
		got, err := p.SetBytes(b)
		if err != nil {
			if got != nil || p.Equal(c.NewGenerator()) != 1 {
				t.Fatalf("SetBytes failed but changed or returned the receiver")
			}
			return
		}
		out, err := got.Bytes()
		if err != nil {
			t.Fatalf("Bytes of an accepted point: %v", err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("re-encoding %x gave %x", b, out)
		}
	})
}

func FuzzNewCurve(f *testing.F) {
	for _, tc := range testCurves[:2] {
		f.Add(fixed(f, tc.p, 32), fixed(f, tc.a, 32), fixed(f, tc.b, 32), fixed(f, tc.q, 32),
			fixed(f, tc.gx, 32), fixed(f, tc.gy, 32), tc.cofactor)
	}
	f.Add([]byte{7}, []byte{1}, []byte{1}, []byte{5}, []byte{0}, []byte{1}, 1)
	f.Fuzz(func(t *testing.T, p, a, b, q, gx, gy []byte, cofactor int) {
		c, err := NewCurve(p, a, b, q, gx, gy, cofactor)
		if (c == nil) == (err == nil) {
			t.Fatalf("NewCurve returned %v, %v", c, err)
		}
	})
}
