package gostec

import "errors"

var errIdentity = errors.New("gostec: the identity has no affine encoding")

// Point is a point of the curve's prime-order subgroup, or the identity.
//
// The zero value is NOT valid; make points with [Curve.NewPoint] or
// [Curve.NewGenerator]. Methods taking several points panic if the points
// belong to different curves.
type Point struct {
	c *Curve
	// Projective coordinates (X:Y:Z) in Montgomery form modulo p, standing
	// for the affine (X/Z, Y/Z); the identity is (0:1:0).
	x, y, z limbs
}

// NewPoint returns a new Point set to the identity.
func (c *Curve) NewPoint() *Point {
	return &Point{c: c, y: c.p.one}
}

// NewGenerator returns a new Point set to the generator G.
func (c *Curve) NewGenerator() *Point {
	return &Point{c: c, x: c.gx, y: c.gy, z: c.p.one}
}

// Curve returns the curve p belongs to.
func (p *Point) Curve() *Curve { return p.c }

func (p *Point) check(q *Point) {
	if p.c != q.c {
		panic("gostec: mixing points of different curves")
	}
}

// Set sets p = q and returns p.
func (p *Point) Set(q *Point) *Point {
	*p = *q
	return p
}

// SetBytes sets p to the affine point x||y, each coordinate big-endian of
// Size() bytes, and returns p. It returns an error, leaving p unchanged, if
// the length is wrong, a coordinate is not less than p, the point is not on
// the curve, or (for a cofactor greater than 1) the point is not in the
// prime-order subgroup. The identity has no encoding.
//
// The subgroup check makes SetBytes much slower on cofactor-4 curves (it is
// a scalar multiplication by q).
func (p *Point) SetBytes(b []byte) (*Point, error) {
	c := p.c
	if len(b) != 2*c.size {
		return nil, errors.New("gostec: invalid point encoding length")
	}
	fp := c.p
	var x, y limbs
	fp.setBytes(&x, b[:c.size])
	fp.setBytes(&y, b[c.size:])
	if fp.lessThanM(&x) != 1 {
		return nil, errors.New("gostec: invalid point: x is not less than p")
	}
	if fp.lessThanM(&y) != 1 {
		return nil, errors.New("gostec: invalid point: y is not less than p")
	}
	fp.toMont(&x, &x)
	fp.toMont(&y, &y)
	if c.onCurve(&x, &y) != 1 {
		return nil, errors.New("gostec: invalid point: not on the curve")
	}
	r := Point{c: c, x: x, y: y, z: fp.one}
	if c.cofactor != 1 && !r.inSubgroup() {
		return nil, errors.New("gostec: invalid point: not in the prime-order subgroup")
	}
	*p = r
	return p, nil
}

// inSubgroup reports whether q·p is the identity. It is robust for points
// outside the subgroup, where the complete formulas may meet an exceptional
// pair: such an addition yields (0:0:0), which every later addition and
// doubling preserves, and which this check does not take for the identity.
func (p *Point) inSubgroup() bool {
	c := p.c
	var r Point
	r.scalarMult(p, &c.q.m, c.q.bits)
	fp := c.p
	return fp.isZero(&r.x)&fp.isZero(&r.z)&(1^fp.isZero(&r.y)) == 1
}

// Bytes returns the affine point as x||y, each coordinate big-endian of
// Size() bytes. It returns an error for the identity. Constant time.
func (p *Point) Bytes() ([]byte, error) {
	var x, y limbs
	if err := p.affine(&x, &y); err != nil {
		return nil, err
	}
	c := p.c
	out := make([]byte, 2*c.size)
	c.p.fillBytes(out[:c.size], &x)
	c.p.fillBytes(out[c.size:], &y)
	return out, nil
}

// FillBytesX writes the affine x coordinate of p big-endian into b, which
// must be Size() bytes long (it panics otherwise), without allocating. It
// returns an error for the identity, leaving b unchanged. Constant time
// apart from that error.
func (p *Point) FillBytesX(b []byte) error {
	if len(b) != p.c.size {
		panic("gostec: FillBytesX buffer of the wrong length")
	}
	fp := p.c.p
	if fp.isZero(&p.z) == 1 {
		return errIdentity
	}
	var zinv, x limbs
	fp.inv(&zinv, &p.z)
	fp.mul(&x, &p.x, &zinv)
	fp.fromMont(&x, &x)
	fp.fillBytes(b, &x)
	return nil
}

// affine sets x, y to the ordinary (not Montgomery) affine coordinates of p.
func (p *Point) affine(x, y *limbs) error {
	fp := p.c.p
	if fp.isZero(&p.z) == 1 {
		return errIdentity
	}
	var zinv limbs
	fp.inv(&zinv, &p.z)
	fp.mul(x, &p.x, &zinv)
	fp.mul(y, &p.y, &zinv)
	fp.fromMont(x, x)
	fp.fromMont(y, y)
	return nil
}

// Add sets p = p1 + p2 and returns p.
//
// This is algorithm 1 of Renes, Costello and Batina, "Complete addition
// formulas for prime order elliptic curves" (2016): 12M + 3m_a + 2m_3b.
func (p *Point) Add(p1, p2 *Point) *Point {
	p1.check(p2)
	c := p1.c
	fp := c.p
	var t0, t1, t2, t3, t4, t5, x3, y3, z3 limbs
	fp.mul(&t0, &p1.x, &p2.x) // 1
	fp.mul(&t1, &p1.y, &p2.y) // 2
	fp.mul(&t2, &p1.z, &p2.z) // 3
	fp.add(&t3, &p1.x, &p1.y) // 4
	fp.add(&t4, &p2.x, &p2.y) // 5
	fp.mul(&t3, &t3, &t4)     // 6
	fp.add(&t4, &t0, &t1)     // 7
	fp.sub(&t3, &t3, &t4)     // 8
	fp.add(&t4, &p1.x, &p1.z) // 9
	fp.add(&t5, &p2.x, &p2.z) // 10
	fp.mul(&t4, &t4, &t5)     // 11
	fp.add(&t5, &t0, &t2)     // 12
	fp.sub(&t4, &t4, &t5)     // 13
	fp.add(&t5, &p1.y, &p1.z) // 14
	fp.add(&x3, &p2.y, &p2.z) // 15
	fp.mul(&t5, &t5, &x3)     // 16
	fp.add(&x3, &t1, &t2)     // 17
	fp.sub(&t5, &t5, &x3)     // 18
	c.finishAdd(p, &t0, &t1, &t2, &t3, &t4, &t5, &x3, &y3, &z3)
	return p
}

// finishAdd is steps 19–40 of algorithm 1 (equivalently 12–33 of
// algorithm 2), shared by the full and the mixed addition. t2 is Z1·Z2.
func (c *Curve) finishAdd(p *Point, t0, t1, t2, t3, t4, t5, x3, y3, z3 *limbs) {
	fp := c.p
	fp.mul(z3, &c.a, t4)  // 19
	fp.mul(x3, &c.b3, t2) // 20
	fp.add(z3, x3, z3)    // 21
	fp.sub(x3, t1, z3)    // 22
	fp.add(z3, t1, z3)    // 23
	fp.mul(y3, x3, z3)    // 24
	fp.add(t1, t0, t0)    // 25
	fp.add(t1, t1, t0)    // 26
	fp.mul(t2, &c.a, t2)  // 27
	fp.mul(t4, &c.b3, t4) // 28
	fp.add(t1, t1, t2)    // 29
	fp.sub(t2, t0, t2)    // 30
	fp.mul(t2, &c.a, t2)  // 31
	fp.add(t4, t4, t2)    // 32
	fp.mul(t0, t1, t4)    // 33
	fp.add(y3, y3, t0)    // 34
	fp.mul(t0, t5, t4)    // 35
	fp.mul(x3, t3, x3)    // 36
	fp.sub(x3, x3, t0)    // 37
	fp.mul(t0, t3, t1)    // 38
	fp.mul(z3, t5, z3)    // 39
	fp.add(z3, z3, t0)    // 40
	p.c = c
	p.x, p.y, p.z = *x3, *y3, *z3
}

// addAffine sets p = p1 + (x2, y2), where (x2, y2) is an affine point in
// Montgomery form that must not stand for the identity. This is algorithm 2
// of Renes–Costello–Batina (mixed addition).
func (p *Point) addAffine(p1 *Point, x2, y2 *limbs) *Point {
	c := p1.c
	if c.aIsMinus3 {
		return p.addAffineMinus3(p1, x2, y2)
	}
	fp := c.p
	var t0, t1, t2, t3, t4, t5, x3, y3, z3 limbs
	fp.mul(&t0, &p1.x, x2)    // 1
	fp.mul(&t1, &p1.y, y2)    // 2
	fp.add(&t3, x2, y2)       // 3
	fp.add(&t4, &p1.x, &p1.y) // 4
	fp.mul(&t3, &t3, &t4)     // 5
	fp.add(&t4, &t0, &t1)     // 6
	fp.sub(&t3, &t3, &t4)     // 7
	fp.mul(&t4, x2, &p1.z)    // 8
	fp.add(&t4, &t4, &p1.x)   // 9
	fp.mul(&t5, y2, &p1.z)    // 10
	fp.add(&t5, &t5, &p1.y)   // 11
	t2 = p1.z
	c.finishAdd(p, &t0, &t1, &t2, &t3, &t4, &t5, &x3, &y3, &z3)
	return p
}

// Double sets p = p1 + p1 and returns p.
//
// This is algorithm 3 of Renes–Costello–Batina: 8M + 3S + 3m_a + 2m_3b.
func (p *Point) Double(p1 *Point) *Point {
	c := p1.c
	fp := c.p
	var t0, t1, t2, t3, x3, y3, z3 limbs
	fp.mul(&t0, &p1.x, &p1.x) // 1
	fp.mul(&t1, &p1.y, &p1.y) // 2
	fp.mul(&t2, &p1.z, &p1.z) // 3
	fp.mul(&t3, &p1.x, &p1.y) // 4
	fp.add(&t3, &t3, &t3)     // 5
	fp.mul(&z3, &p1.x, &p1.z) // 6
	fp.add(&z3, &z3, &z3)     // 7
	fp.mul(&x3, &c.a, &z3)    // 8
	fp.mul(&y3, &c.b3, &t2)   // 9
	fp.add(&y3, &x3, &y3)     // 10
	fp.sub(&x3, &t1, &y3)     // 11
	fp.add(&y3, &t1, &y3)     // 12
	fp.mul(&y3, &x3, &y3)     // 13
	fp.mul(&x3, &t3, &x3)     // 14
	fp.mul(&z3, &c.b3, &z3)   // 15
	fp.mul(&t2, &c.a, &t2)    // 16
	fp.sub(&t3, &t0, &t2)     // 17
	fp.mul(&t3, &c.a, &t3)    // 18
	fp.add(&t3, &t3, &z3)     // 19
	fp.add(&z3, &t0, &t0)     // 20
	fp.add(&t0, &z3, &t0)     // 21
	fp.add(&t0, &t0, &t2)     // 22
	fp.mul(&t0, &t0, &t3)     // 23
	fp.add(&y3, &y3, &t0)     // 24
	fp.mul(&t2, &p1.y, &p1.z) // 25
	fp.add(&t2, &t2, &t2)     // 26
	fp.mul(&t0, &t2, &t3)     // 27
	fp.sub(&x3, &x3, &t0)     // 28
	fp.mul(&z3, &t2, &t1)     // 29
	fp.add(&z3, &z3, &z3)     // 30
	fp.add(&z3, &z3, &z3)     // 31
	p.c = c
	p.x, p.y, p.z = x3, y3, z3
	return p
}

// Negate sets p = −p1 and returns p.
func (p *Point) Negate(p1 *Point) *Point {
	p.c = p1.c
	p.x = p1.x
	p1.c.p.neg(&p.y, &p1.y)
	p.z = p1.z
	return p
}

// Select sets p to p1 if cond == 1 and to p2 if cond == 0, and returns p.
// Constant time. cond must be 0 or 1.
func (p *Point) Select(p1, p2 *Point, cond int) *Point {
	p1.check(p2)
	fp := p1.c.p
	m := uint64(cond & 1)
	p.c = p1.c
	fp.ctSelect(&p.x, &p1.x, &p2.x, m)
	fp.ctSelect(&p.y, &p1.y, &p2.y, m)
	fp.ctSelect(&p.z, &p1.z, &p2.z, m)
	return p
}

// Equal returns 1 if p and q are the same point and 0 otherwise, in constant
// time.
func (p *Point) Equal(q *Point) int {
	p.check(q)
	fp := p.c.p
	var l, r limbs
	fp.mul(&l, &p.x, &q.z)
	fp.mul(&r, &q.x, &p.z)
	ex := fp.equal(&l, &r)
	fp.mul(&l, &p.y, &q.z)
	fp.mul(&r, &q.y, &p.z)
	return ex & fp.equal(&l, &r)
}

// IsIdentity returns 1 if p is the identity and 0 otherwise, in constant
// time.
func (p *Point) IsIdentity() int {
	return p.c.p.isZero(&p.z)
}

// ScalarMult sets p = k·q and returns p. It panics if k and q belong to
// different curves. Constant time in k and q.
func (p *Point) ScalarMult(q *Point, k *Scalar) *Point {
	if q.c != k.c {
		panic("gostec: mixing a point and a scalar of different curves")
	}
	var e limbs
	q.c.q.fromMont(&e, &k.v)
	p.scalarMult(q, &e, q.c.q.bits)
	return p
}

// scalarMult sets p = e·q for the ordinary integer e < 2^nbits, with fixed
// 4-bit windows over all nbits bits (nbits is public). The 16-entry table of
// multiples of q is read by scanning every entry with masked selection.
func (p *Point) scalarMult(q *Point, e *limbs, nbits int) {
	c := q.c
	fp := c.p
	var table [16]Point
	table[0] = Point{c: c, y: fp.one}
	table[1] = *q
	for i := 2; i < 16; i += 2 {
		table[i].Double(&table[i/2])
		table[i+1].Add(&table[i], q)
	}

	acc := Point{c: c, y: fp.one}
	var t Point
	windows := (nbits + 3) / 4
	for i := windows - 1; i >= 0; i-- {
		if i != windows-1 {
			acc.Double(&acc)
			acc.Double(&acc)
			acc.Double(&acc)
			acc.Double(&acc)
		}
		w := (e[i/16] >> (4 * uint(i%16))) & 0xf
		t = table[0]
		for j := 1; j < 16; j++ {
			m := ctEqByte(w, uint64(j))
			fp.ctSelect(&t.x, &table[j].x, &t.x, m)
			fp.ctSelect(&t.y, &table[j].y, &t.y, m)
			fp.ctSelect(&t.z, &table[j].z, &t.z, m)
		}
		acc.Add(&acc, &t)
	}
	*p = acc
}

// addAffineMinus3 is addAffine for a = −3 (the CryptoPro curves, TC26 512
// A and B): algorithm 5 of Renes, Costello and Batina, 11 multiplications
// and 2 by b against 16, complete like the others for an affine (x2, y2)
// that is not the identity.
func (p *Point) addAffineMinus3(p1 *Point, x2, y2 *limbs) *Point {
	c := p1.c
	fp := c.p
	var t0, t1, t2, t3, t4, x3, y3, z3 limbs
	fp.mul(&t0, &p1.x, x2)    // 1. t0 = X1·X2
	fp.mul(&t1, &p1.y, y2)    // 2. t1 = Y1·Y2
	fp.add(&t3, x2, y2)       // 3. t3 = X2 + Y2
	fp.add(&t4, &p1.x, &p1.y) // 4. t4 = X1 + Y1
	fp.mul(&t3, &t3, &t4)     // 5. t3 = t3·t4
	fp.add(&t4, &t0, &t1)     // 6. t4 = t0 + t1
	fp.sub(&t3, &t3, &t4)     // 7. t3 = t3 − t4
	fp.mul(&t4, y2, &p1.z)    // 8. t4 = Y2·Z1
	fp.add(&t4, &t4, &p1.y)   // 9. t4 = t4 + Y1
	fp.mul(&y3, x2, &p1.z)    // 10. Y3 = X2·Z1
	fp.add(&y3, &y3, &p1.x)   // 11. Y3 = Y3 + X1
	fp.mul(&z3, &c.b, &p1.z)  // 12. Z3 = b·Z1
	fp.sub(&x3, &y3, &z3)     // 13. X3 = Y3 − Z3
	fp.add(&z3, &x3, &x3)     // 14. Z3 = X3 + X3
	fp.add(&x3, &x3, &z3)     // 15. X3 = X3 + Z3
	fp.sub(&z3, &t1, &x3)     // 16. Z3 = t1 − X3
	fp.add(&x3, &t1, &x3)     // 17. X3 = t1 + X3
	fp.mul(&y3, &c.b, &y3)    // 18. Y3 = b·Y3
	fp.add(&t1, &p1.z, &p1.z) // 19. t1 = Z1 + Z1
	fp.add(&t2, &t1, &p1.z)   // 20. t2 = t1 + Z1
	fp.sub(&y3, &y3, &t2)     // 21. Y3 = Y3 − t2
	fp.sub(&y3, &y3, &t0)     // 22. Y3 = Y3 − t0
	fp.add(&t1, &y3, &y3)     // 23. t1 = Y3 + Y3
	fp.add(&y3, &t1, &y3)     // 24. Y3 = t1 + Y3
	fp.add(&t1, &t0, &t0)     // 25. t1 = t0 + t0
	fp.add(&t0, &t1, &t0)     // 26. t0 = t1 + t0
	fp.sub(&t0, &t0, &t2)     // 27. t0 = t0 − t2
	fp.mul(&t1, &t4, &y3)     // 28. t1 = t4·Y3
	fp.mul(&t2, &t0, &y3)     // 29. t2 = t0·Y3
	fp.mul(&y3, &x3, &z3)     // 30. Y3 = X3·Z3
	fp.add(&y3, &y3, &t2)     // 31. Y3 = Y3 + t2
	fp.mul(&x3, &t3, &x3)     // 32. X3 = t3·X3
	fp.sub(&x3, &x3, &t1)     // 33. X3 = X3 − t1
	fp.mul(&z3, &t4, &z3)     // 34. Z3 = t4·Z3
	fp.mul(&t1, &t3, &t0)     // 35. t1 = t3·t0
	fp.add(&z3, &z3, &t1)     // 36. Z3 = Z3 + t1
	p.c = c
	p.x, p.y, p.z = x3, y3, z3
	return p
}
