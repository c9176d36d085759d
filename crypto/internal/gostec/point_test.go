package gostec

import (
	"bytes"
	"crypto/rand"
	"math/big"
	"testing"
)

func TestCurveConstruction(t *testing.T) {
	testAllCurves(t, func(t *testing.T, tc testCurve, c *Curve) {
		ref := tc.ref()
		if c.Size() != tc.size {
			t.Errorf("Size = %d, want %d", c.Size(), tc.size)
		}
		if c.Cofactor() != tc.cofactor {
			t.Errorf("Cofactor = %d, want %d", c.Cofactor(), tc.cofactor)
		}
		if got := c.Order(); !bytes.Equal(got, fixed(t, tc.q, tc.size)) {
			t.Errorf("Order = %x", got)
		}
		c.Order()[0] ^= 1 // a copy
		if got := c.P(); !bytes.Equal(got, fixed(t, tc.p, tc.size)) {
			t.Errorf("P = %x", got)
		}
		c.P()[0] ^= 1
		g, err := c.NewGenerator().Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(g, ref.encode(&refPoint{ref.gx, ref.gy})) {
			t.Errorf("G = %x", g)
		}
		if !ref.onCurve(ref.gx, ref.gy) {
			t.Errorf("reference says G is not on the curve")
		}
		if _, err := c.NewPoint().SetBytes(g); err != nil {
			t.Errorf("SetBytes(G): %v", err)
		}
		if c.NewGenerator().IsIdentity() != 0 || c.NewPoint().IsIdentity() != 1 {
			t.Errorf("IsIdentity wrong")
		}
		if c.NewGenerator().Curve() != c {
			t.Errorf("Curve() wrong")
		}
	})
}

func TestNewCurveErrors(t *testing.T) {
	tc, _ := curveByName(t, "TestParamSet")
	ref := tc.ref()
	enc := func(x *big.Int) []byte { return x.FillBytes(make([]byte, 32)) }
	good := func() [6][]byte {
		return [6][]byte{enc(ref.p), enc(ref.a), enc(ref.b), enc(ref.q), enc(ref.gx), enc(ref.gy)}
	}
	otherPrime := new(big.Int).Add(ref.q, big.NewInt(2))
	for !otherPrime.ProbablyPrime(20) {
		otherPrime.Add(otherPrime, big.NewInt(2))
	}
	tests := []struct {
		name     string
		edit     func(v *[6][]byte)
		cofactor int
	}{
		{"short p", func(v *[6][]byte) { v[0] = v[0][1:] }, 1},
		{"48-byte p", func(v *[6][]byte) { v[0] = append(make([]byte, 16), v[0]...) }, 1},
		{"long a", func(v *[6][]byte) { v[1] = append([]byte{0}, v[1]...) }, 1},
		{"short gy", func(v *[6][]byte) { v[5] = v[5][1:] }, 1},
		{"even p", func(v *[6][]byte) { v[0][31] ^= 1 }, 1},
		{"p is 3", func(v *[6][]byte) { v[0] = enc(big.NewInt(3)) }, 1},
		{"composite p", func(v *[6][]byte) { v[0][31] ^= 2 }, 1},
		{"a = p", func(v *[6][]byte) { v[1] = enc(ref.p) }, 1},
		{"b = p + 1", func(v *[6][]byte) { v[2] = enc(new(big.Int).Add(ref.p, big.NewInt(1))) }, 1},
		{"gx ≥ p", func(v *[6][]byte) { v[4] = bytes.Repeat([]byte{0xff}, 32) }, 1},
		{"gy ≥ p", func(v *[6][]byte) { v[5] = enc(ref.p) }, 1},
		{"G off the curve", func(v *[6][]byte) { v[5][31] ^= 1 }, 1},
		{"singular", func(v *[6][]byte) { v[1] = enc(big.NewInt(0)); v[2] = enc(big.NewInt(0)) }, 1},
		{"even q", func(v *[6][]byte) { v[3][31] ^= 1 }, 1},
		{"q is 1", func(v *[6][]byte) { v[3] = enc(big.NewInt(1)) }, 1},
		{"composite q", func(v *[6][]byte) { v[3] = enc(new(big.Int).Mul(big.NewInt(3), big.NewInt(5))) }, 1},
		{"wrong prime q", func(v *[6][]byte) { v[3] = enc(otherPrime) }, 1},
		{"small prime q", func(v *[6][]byte) { v[3] = enc(big.NewInt(1000003)) }, 1},
		{"cofactor 4 on a prime-order curve", func(v *[6][]byte) {}, 4},
		{"cofactor 2", func(v *[6][]byte) {}, 2},
		{"cofactor 0", func(v *[6][]byte) {}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := good()
			tt.edit(&v)
			c, err := NewCurve(v[0], v[1], v[2], v[3], v[4], v[5], tt.cofactor)
			if err == nil || c != nil {
				t.Fatalf("NewCurve accepted bad parameters")
			}
			t.Log(err)
		})
	}
	v := good()
	if _, err := NewCurve(v[0], v[1], v[2], v[3], v[4], v[5], 1); err != nil {
		t.Fatalf("good parameters: %v", err)
	}
	t.Run("cofactor 1 on a cofactor-4 curve", func(t *testing.T) {
		tc, _ := curveByName(t, "tc26-256-paramSetA")
		_, err := NewCurve(fixed(t, tc.p, 32), fixed(t, tc.a, 32), fixed(t, tc.b, 32),
			fixed(t, tc.q, 32), fixed(t, tc.gx, 32), fixed(t, tc.gy, 32), 1)
		if err == nil {
			t.Fatal("NewCurve accepted the wrong cofactor")
		}
		t.Log(err)
	})
}

func randScalar(t testing.TB, c *Curve) (*Scalar, *big.Int) {
	b := make([]byte, c.Size())
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	s, err := c.NewScalar().SetReducedBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return s, new(big.Int).SetBytes(s.Bytes())
}

func mustBytes(t testing.TB, p *Point) []byte {
	t.Helper()
	b, err := p.Bytes()
	if err != nil {
		t.Fatalf("Bytes: %v", err)
	}
	return b
}

func TestScalarMultReference(t *testing.T) {
	testAllCurves(t, func(t *testing.T, tc testCurve, c *Curve) {
		ref := tc.ref()
		g := &refPoint{ref.gx, ref.gy}
		ks := []*big.Int{big.NewInt(1), big.NewInt(2), big.NewInt(3), big.NewInt(15), big.NewInt(16),
			big.NewInt(17), new(big.Int).Sub(ref.q, big.NewInt(2)), new(big.Int).Rsh(ref.q, 1)}
		for i := 0; i < 4; i++ {
			_, k := randScalar(t, c)
			ks = append(ks, k)
		}
		for _, k := range ks {
			s, err := c.NewScalar().SetBytes(k.FillBytes(make([]byte, tc.size)))
			if err != nil {
				t.Fatal(err)
			}
			want := ref.encode(ref.mul(g, k))
			if got := mustBytes(t, c.NewPoint().ScalarBaseMult(s)); !bytes.Equal(got, want) {
				t.Errorf("ScalarBaseMult(%x) = %x, want %x", k, got, want)
			}
			if got := mustBytes(t, c.NewPoint().ScalarMult(c.NewGenerator(), s)); !bytes.Equal(got, want) {
				t.Errorf("ScalarMult(G, %x) = %x, want %x", k, got, want)
			}
			x := make([]byte, c.Size())
			err = c.NewPoint().ScalarBaseMult(s).FillBytesX(x)
			if err != nil || !bytes.Equal(x, want[:tc.size]) {
				t.Errorf("FillBytesX = %x, %v", x, err)
			}
		}
		// A non-generator base: ScalarMult(k1·G, k2) vs the reference.
		s1, k1 := randScalar(t, c)
		s2, k2 := randScalar(t, c)
		p1 := c.NewPoint().ScalarBaseMult(s1)
		want := ref.encode(ref.mul(ref.mul(g, k1), k2))
		if got := mustBytes(t, c.NewPoint().ScalarMult(p1, s2)); !bytes.Equal(got, want) {
			t.Errorf("ScalarMult(k1·G, k2) = %x, want %x", got, want)
		}
	})
}

func TestPointArithmetic(t *testing.T) {
	testAllCurves(t, func(t *testing.T, tc testCurve, c *Curve) {
		ref := tc.ref()
		g := c.NewGenerator()
		id := c.NewPoint()
		qm1, _ := c.NewScalar().SetBytes(new(big.Int).Sub(ref.q, big.NewInt(1)).FillBytes(make([]byte, tc.size)))
		negG := c.NewPoint().Negate(g)

		if c.NewPoint().ScalarBaseMult(qm1).Equal(negG) != 1 {
			t.Errorf("(q−1)·G != −G (base)")
		}
		if c.NewPoint().ScalarMult(g, qm1).Equal(negG) != 1 {
			t.Errorf("(q−1)·G != −G")
		}
		zero := c.NewScalar()
		if c.NewPoint().ScalarBaseMult(zero).IsIdentity() != 1 || c.NewPoint().ScalarMult(g, zero).IsIdentity() != 1 {
			t.Errorf("0·G is not the identity")
		}
		if c.NewPoint().ScalarMult(id, qm1).IsIdentity() != 1 {
			t.Errorf("k·O is not the identity")
		}
		for i := 0; i < 5; i++ {
			s1, _ := randScalar(t, c)
			s2, _ := randScalar(t, c)
			p1 := c.NewPoint().ScalarBaseMult(s1)
			p2 := c.NewPoint().ScalarBaseMult(s2)
			sum := c.NewPoint().Add(p1, p2)
			want := c.NewPoint().ScalarBaseMult(c.NewScalar().Add(s1, s2))
			if sum.Equal(want) != 1 || !bytes.Equal(mustBytes(t, sum), mustBytes(t, want)) {
				t.Errorf("k1·G + k2·G != (k1+k2)·G")
			}
			if c.NewPoint().ScalarMult(g, s1).Equal(p1) != 1 {
				t.Errorf("ScalarMult(G, k) != ScalarBaseMult(k)")
			}
			if c.NewPoint().Double(p1).Equal(c.NewPoint().Add(p1, p1)) != 1 {
				t.Errorf("Double(P) != P + P")
			}
			// (k1·k2)·G = k2·(k1·G)
			if c.NewPoint().ScalarMult(p1, s2).Equal(c.NewPoint().ScalarBaseMult(c.NewScalar().Mul(s1, s2))) != 1 {
				t.Errorf("k2·(k1·G) != (k1·k2)·G")
			}
			// Mixed addition agrees with the full one.
			var ax, ay limbs
			if err := p2.affine(&ax, &ay); err != nil {
				t.Fatal(err)
			}
			c.p.toMont(&ax, &ax)
			c.p.toMont(&ay, &ay)
			if c.NewPoint().addAffine(p1, &ax, &ay).Equal(sum) != 1 {
				t.Errorf("addAffine != Add")
			}
			if c.NewPoint().addAffine(id, &ax, &ay).Equal(p2) != 1 {
				t.Errorf("O + affine P != P")
			}
			// Aliasing.
			a := c.NewPoint().Set(p1)
			a.Add(a, a)
			if a.Equal(c.NewPoint().Double(p1)) != 1 {
				t.Errorf("aliased Add wrong")
			}
			a.Set(p1).ScalarMult(a, s2)
			if a.Equal(c.NewPoint().ScalarMult(p1, s2)) != 1 {
				t.Errorf("aliased ScalarMult wrong")
			}
		}

		rows := []struct {
			name string
			got  *Point
			want *Point
		}{
			{"P + O", c.NewPoint().Add(g, id), g},
			{"O + P", c.NewPoint().Add(id, g), g},
			{"O + O", c.NewPoint().Add(id, id), id},
			{"2·O", c.NewPoint().Double(id), id},
			{"P + (−P)", c.NewPoint().Add(g, negG), id},
			{"−O", c.NewPoint().Negate(id), id},
			{"−(−P)", c.NewPoint().Negate(negG), g},
			{"Select 1", c.NewPoint().Select(g, id, 1), g},
			{"Select 0", c.NewPoint().Select(g, id, 0), id},
		}
		for _, r := range rows {
			if r.got.Equal(r.want) != 1 {
				t.Errorf("%s: wrong point", r.name)
			}
			if r.got.IsIdentity() != r.want.IsIdentity() {
				t.Errorf("%s: IsIdentity = %d", r.name, r.got.IsIdentity())
			}
		}
		if g.Equal(id) != 0 || id.Equal(g) != 0 || g.Equal(negG) != 0 {
			t.Errorf("Equal says distinct points are equal")
		}
		if _, err := id.Bytes(); err == nil {
			t.Errorf("Bytes of the identity succeeded")
		}
		if err := id.FillBytesX(make([]byte, c.Size())); err == nil {
			t.Errorf("FillBytesX of the identity succeeded")
		}
	})
}

// TestRFC7091 checks the key pairs of RFC 7091 §7.1 and §7.2 (gost.md §6.2).
func TestRFC7091(t *testing.T) {
	tests := []struct {
		name      string
		curve     string
		d, qx, qy string
	}{
		{
			name:  "256-bit example",
			curve: "TestParamSet",
			d:     "7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28",
			qx:    "7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B",
			qy:    "26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA",
		},
		{
			name:  "512-bit example",
			curve: "tc26-512-paramSetTest",
			d: `0BA6048AADAE241BA40936D47756D7C93091A0E8514669700EE7508E508B1020
			    72E8123B2200A0563322DAD2827E2714A2636B7BFD18AADFC62967821FA18DD4`,
			qx: `115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD
			     5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1`,
			qy: `37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61
			     EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc, c := curveByName(t, tt.curve)
			d, err := c.NewScalar().SetBytes(fixed(t, tt.d, tc.size))
			if err != nil {
				t.Fatal(err)
			}
			want := append(fixed(t, tt.qx, tc.size), fixed(t, tt.qy, tc.size)...)
			if got := mustBytes(t, c.NewPoint().ScalarBaseMult(d)); !bytes.Equal(got, want) {
				t.Errorf("ScalarBaseMult(d) = %x, want %x", got, want)
			}
			if got := mustBytes(t, c.NewPoint().ScalarMult(c.NewGenerator(), d)); !bytes.Equal(got, want) {
				t.Errorf("ScalarMult(G, d) = %x, want %x", got, want)
			}
			q, err := c.NewPoint().SetBytes(want)
			if err != nil {
				t.Fatalf("SetBytes(Q): %v", err)
			}
			if q.Equal(c.NewPoint().ScalarBaseMult(d)) != 1 {
				t.Errorf("SetBytes(Q) != d·G")
			}
		})
	}
}

// randomCurvePoint returns a random affine point of the full curve group.
func randomCurvePoint(t *testing.T, ref *refCurve) *refPoint {
	for {
		x, err := rand.Int(rand.Reader, ref.p)
		if err != nil {
			t.Fatal(err)
		}
		rhs := new(big.Int).Mul(x, x)
		rhs.Add(rhs, ref.a).Mul(rhs, x).Add(rhs, ref.b).Mod(rhs, ref.p)
		if y := new(big.Int).ModSqrt(rhs, ref.p); y != nil {
			if !ref.onCurve(x, y) {
				t.Fatal("ModSqrt gave a point off the curve")
			}
			return &refPoint{x, y}
		}
	}
}

func TestPointSetBytesErrors(t *testing.T) {
	testAllCurves(t, func(t *testing.T, tc testCurve, c *Curve) {
		ref := tc.ref()
		size := tc.size
		g := mustBytes(t, c.NewGenerator())
		with := func(f func(b []byte)) []byte {
			b := bytes.Clone(g)
			f(b)
			return b
		}
		// x ≥ p with a valid y for some x' = x − p? Simply x = p and x = 2^k − 1.
		pBytes := ref.p.FillBytes(make([]byte, size))
		type row struct {
			name string
			in   []byte
		}
		rows := []row{
			{"empty", nil},
			{"one byte", []byte{4}},
			{"short", g[:2*size-1]},
			{"long", append(bytes.Clone(g), 0)},
			{"x only", g[:size]},
			{"SEC 1 uncompressed prefix", append([]byte{4}, g...)},
			{"x = p", with(func(b []byte) { copy(b[:size], pBytes) })},
			{"x = gx + p", with(func(b []byte) {
				v := new(big.Int).Add(ref.gx, ref.p)
				if v.BitLen() <= 8*size {
					v.FillBytes(b[:size])
				} else {
					copy(b[:size], bytes.Repeat([]byte{0xff}, size))
				}
			})},
			{"y = p", with(func(b []byte) { copy(b[size:], pBytes) })},
			{"y = p + gy", with(func(b []byte) {
				v := new(big.Int).Add(ref.gy, ref.p)
				if v.BitLen() <= 8*size {
					v.FillBytes(b[size:])
				} else {
					copy(b[size:], bytes.Repeat([]byte{0xff}, size))
				}
			})},
			{"all ff", bytes.Repeat([]byte{0xff}, 2*size)},
			{"all zero (no identity encoding)", make([]byte, 2*size)},
			{"off curve", with(func(b []byte) { b[2*size-1] ^= 1 })},
			{"x of G, y = 0", with(func(b []byte) { clear(b[size:]) })},
		}
		if tc.cofactor > 1 {
			for i := 0; len(rows) < 40 && i < 20; i++ {
				r := randomCurvePoint(t, ref)
				if ref.mul(r, ref.q) == nil {
					continue // in the subgroup already (1 in 4)
				}
				rows = append(rows, row{"random point outside the subgroup", ref.encode(r)})
				// Its torsion components: (q)·R has order 2 or 4, (2q)·R order ≤ 2.
				if t4 := ref.mul(r, ref.q); t4 != nil {
					rows = append(rows, row{"small-order point q·R", ref.encode(t4)})
					// And a subgroup point plus a torsion point.
					rows = append(rows, row{"G + torsion", ref.encode(ref.add(&refPoint{ref.gx, ref.gy}, t4))})
				}
				if t2 := ref.mul(r, new(big.Int).Lsh(ref.q, 1)); t2 != nil {
					rows = append(rows, row{"order-2 point 2q·R", ref.encode(t2)})
				}
			}
		}
		if tc.cofactor > 1 && len(rows) < 20 {
			t.Fatalf("only %d rows: no points outside the subgroup found", len(rows))
		}
		t.Logf("%d rows", len(rows))
		for _, r := range rows {
			if r.in != nil && len(r.in) == 2*size {
				x := new(big.Int).SetBytes(r.in[:size])
				y := new(big.Int).SetBytes(r.in[size:])
				if x.Cmp(ref.p) < 0 && y.Cmp(ref.p) < 0 && ref.onCurve(x, y) && ref.mul(&refPoint{x, y}, ref.q) == nil {
					t.Fatalf("%s: test row is a valid point", r.name)
				}
			}
			p := c.NewGenerator()
			before := *p
			got, err := p.SetBytes(r.in)
			if err == nil || got != nil {
				t.Errorf("%s: SetBytes(%x) accepted", r.name, r.in)
				continue
			}
			if *p != before {
				t.Errorf("%s: receiver changed on error", r.name)
			}
		}
		if tc.cofactor > 1 {
			// A valid point made from random ones: h·R is in the subgroup.
			r := ref.mul(randomCurvePoint(t, ref), big.NewInt(int64(tc.cofactor)))
			if r != nil {
				if _, err := c.NewPoint().SetBytes(ref.encode(r)); err != nil {
					t.Errorf("SetBytes(h·R): %v", err)
				}
			}
		}
	})
}

func TestPointSetBytesRoundTrip(t *testing.T) {
	testAllCurves(t, func(t *testing.T, tc testCurve, c *Curve) {
		for i := 0; i < 5; i++ {
			s, _ := randScalar(t, c)
			b := mustBytes(t, c.NewPoint().ScalarBaseMult(s))
			p, err := c.NewPoint().SetBytes(b)
			if err != nil {
				t.Fatalf("SetBytes: %v", err)
			}
			if !bytes.Equal(mustBytes(t, p), b) {
				t.Errorf("round trip changed the point")
			}
		}
	})
}

func TestMixingCurvesPanics(t *testing.T) {
	_, c1 := curveByName(t, "TestParamSet")
	_, c2 := curveByName(t, "CryptoPro-A")
	tests := []struct {
		name string
		f    func()
	}{
		{"Point.Add", func() { c1.NewPoint().Add(c1.NewGenerator(), c2.NewGenerator()) }},
		{"Point.Equal", func() { c1.NewGenerator().Equal(c2.NewGenerator()) }},
		{"Point.ScalarMult", func() { c1.NewPoint().ScalarMult(c1.NewGenerator(), c2.NewScalar()) }},
		{"Point.ScalarBaseMult", func() { c1.NewPoint().ScalarBaseMult(c2.NewScalar()) }},
		{"Scalar.Mul", func() { c1.NewScalar().Mul(c1.NewScalar(), c2.NewScalar()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("no panic")
				}
			}()
			tt.f()
		})
	}
}

func TestAllocations(t *testing.T) {
	_, c := curveByName(t, "tc26-512-paramSetA")
	s1, _ := randScalar(t, c)
	s2, _ := randScalar(t, c)
	p1 := c.NewGenerator()
	p2 := c.NewPoint().Double(p1)
	out := c.NewPoint()
	so := c.NewScalar()
	c.NewPoint().ScalarBaseMult(s1) // build the table outside the measurement
	tests := []struct {
		name string
		f    func()
	}{
		{"Scalar.Mul", func() { so.Mul(s1, s2) }},
		{"Scalar.Add", func() { so.Add(s1, s2) }},
		{"Point.Add", func() { out.Add(p1, p2) }},
		{"Point.Double", func() { out.Double(p1) }},
		{"Point.ScalarMult", func() { out.ScalarMult(p1, s1) }},
		{"Point.ScalarBaseMult", func() { out.ScalarBaseMult(s1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(10, tt.f); n != 0 {
				t.Errorf("%v allocations, want 0", n)
			}
		})
	}
}
