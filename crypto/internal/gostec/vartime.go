package gostec

import (
	"math/big"
	"math/bits"
)

// Variable-time arithmetic for signature verification, where every input
// (the public key, the signature, the digest) is public. Nothing here may be
// used with a secret: the sequence of operations depends on the scalar.
//
// The variable-base part works in Jacobian coordinates (X:Y:Z) standing for
// (X/Z², Y/Z³), whose doubling costs about 10 field multiplications (8 when
// a = −3, as on the CryptoPro and TC26 512 A/B curves) against about 16 for
// the complete projective formulas, and uses a width-5 NAF of the scalar,
// which needs one addition per 6 bits on average instead of one per 4.

// jacobian is a point in Jacobian coordinates, Montgomery form modulo p. inf
// marks the identity.
type jacobian struct {
	x, y, z limbs
	inf     bool
}

// jDouble sets r = 2p. Formulas dbl-2001-b (a = −3) and dbl-2007-bl (any a)
// of the Explicit-Formulas Database.
func (c *Curve) jDouble(r, p *jacobian) {
	fp := c.p
	if p.inf || fp.isZero(&p.y) == 1 {
		r.inf = true
		return
	}
	var t0, t1, t2, t3, t4 limbs
	if c.aIsMinus3 {
		fp.sqr(&t0, &p.z)      // delta = Z²
		fp.sqr(&t1, &p.y)      // gamma = Y²
		fp.mul(&t2, &p.x, &t1) // beta = X·gamma
		fp.sub(&t3, &p.x, &t0)
		fp.add(&t4, &p.x, &t0)
		fp.mul(&t3, &t3, &t4)
		fp.add(&t4, &t3, &t3)
		fp.add(&t3, &t4, &t3)   // alpha = 3(X−delta)(X+delta)
		fp.add(&t4, &p.y, &p.z) // Z3 = (Y+Z)² − gamma − delta
		fp.sqr(&t4, &t4)
		fp.sub(&t4, &t4, &t1)
		fp.sub(&r.z, &t4, &t0)
		fp.add(&t2, &t2, &t2) // 2·beta
		fp.add(&t2, &t2, &t2) // 4·beta
		fp.sqr(&t4, &t3)      // X3 = alpha² − 8·beta
		fp.sub(&t4, &t4, &t2)
		fp.sub(&t4, &t4, &t2)
		fp.sub(&t2, &t2, &t4) // Y3 = alpha(4·beta − X3) − 8·gamma²
		fp.mul(&t2, &t3, &t2)
		fp.sqr(&t1, &t1)
		fp.add(&t1, &t1, &t1)
		fp.add(&t1, &t1, &t1)
		fp.add(&t1, &t1, &t1)
		fp.sub(&r.y, &t2, &t1)
		r.x = t4
		r.inf = false
		return
	}
	var yyyy, s, m limbs
	fp.sqr(&t0, &p.x)     // XX
	fp.sqr(&t1, &p.y)     // YY
	fp.sqr(&yyyy, &t1)    // YYYY
	fp.sqr(&t2, &p.z)     // ZZ
	fp.add(&s, &p.x, &t1) // S = 2((X+YY)² − XX − YYYY)
	fp.sqr(&s, &s)
	fp.sub(&s, &s, &t0)
	fp.sub(&s, &s, &yyyy)
	fp.add(&s, &s, &s)
	fp.sqr(&t3, &t2) // M = 3·XX + a·ZZ²
	fp.mul(&t3, &t3, &c.a)
	fp.add(&m, &t0, &t0)
	fp.add(&m, &m, &t0)
	fp.add(&m, &m, &t3)
	fp.add(&t4, &p.y, &p.z) // Z3 = (Y+Z)² − YY − ZZ
	fp.sqr(&t4, &t4)
	fp.sub(&t4, &t4, &t1)
	fp.sub(&r.z, &t4, &t2)
	fp.sqr(&t3, &m) // X3 = M² − 2S
	fp.sub(&t3, &t3, &s)
	fp.sub(&t3, &t3, &s)
	fp.sub(&s, &s, &t3) // Y3 = M(S − X3) − 8·YYYY
	fp.mul(&s, &m, &s)
	fp.add(&yyyy, &yyyy, &yyyy)
	fp.add(&yyyy, &yyyy, &yyyy)
	fp.add(&yyyy, &yyyy, &yyyy)
	fp.sub(&r.y, &s, &yyyy)
	r.x = t3
	r.inf = false
}

// jAdd sets r = p + q, for any p and q (formula add-2007-bl, with the cases
// of equal and opposite points and the identity handled by branches).
func (c *Curve) jAdd(r, p, q *jacobian) {
	switch {
	case p.inf:
		*r = *q
		return
	case q.inf:
		*r = *p
		return
	}
	fp := c.p
	var z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v limbs
	fp.sqr(&z1z1, &p.z)
	fp.sqr(&z2z2, &q.z)
	fp.mul(&u1, &p.x, &z2z2)
	fp.mul(&u2, &q.x, &z1z1)
	fp.mul(&s1, &p.y, &q.z)
	fp.mul(&s1, &s1, &z2z2)
	fp.mul(&s2, &q.y, &p.z)
	fp.mul(&s2, &s2, &z1z1)
	fp.sub(&h, &u2, &u1)
	fp.sub(&rr, &s2, &s1)
	if fp.isZero(&h) == 1 {
		if fp.isZero(&rr) == 1 {
			c.jDouble(r, p)
		} else {
			r.inf = true
		}
		return
	}
	fp.add(&rr, &rr, &rr)
	fp.add(&i, &h, &h) // I = (2H)²
	fp.sqr(&i, &i)
	fp.mul(&j, &h, &i)  // J = H·I
	fp.mul(&v, &u1, &i) // V = U1·I
	fp.sqr(&u2, &rr)    // X3 = r² − J − 2V
	fp.sub(&u2, &u2, &j)
	fp.sub(&u2, &u2, &v)
	fp.sub(&u2, &u2, &v)
	fp.sub(&v, &v, &u2) // Y3 = r(V − X3) − 2·S1·J
	fp.mul(&v, &rr, &v)
	fp.mul(&s1, &s1, &j)
	fp.add(&s1, &s1, &s1)
	fp.sub(&r.y, &v, &s1)
	var t limbs
	fp.add(&t, &p.z, &q.z) // Z3 = ((Z1+Z2)² − Z1Z1 − Z2Z2)·H
	fp.sqr(&t, &t)
	fp.sub(&t, &t, &z1z1)
	fp.sub(&t, &t, &z2z2)
	fp.mul(&r.z, &t, &h)
	r.x = u2
	r.inf = false
}

// The NAF widths: u2·Q with 8 odd multiples of Q computed per call, u1·G
// with 32 odd multiples of G computed once per curve (baseNAFTable), or on
// an Edwards curve edNAFPoints of them (edNAFTable, whose points cost no
// inversion each).
const (
	wnafWidth     = 5
	baseNAFWidth  = 7
	baseNAFPoints = 1 << (baseNAFWidth - 2)
	edNAFWidth    = 8
	edNAFPoints   = 1 << (edNAFWidth - 2)
)

// wnafBuf holds the NAF digits of a scalar: at most one more than its bits.
type wnafBuf [64*maxLimbs + 1]int8

// wnaf returns the width-w NAF digits of the ordinary integer e (at most
// nbits bits), least significant first, in buf: each digit is 0 or odd in
// (−2^(w−1), 2^(w−1)), and any w consecutive digits hold at most one
// non-zero. A run of zero digits is written and shifted out at once.
func wnaf(buf *wnafBuf, e *limbs, n, nbits, w int) []int8 {
	window, half := int64(1)<<w, int64(1)<<(w-1)
	k := *e // n limbs, and a carry word: adding a digit may carry out
	var carry uint64
	digits := buf[: 0 : nbits+1]
	for {
		zero := carry == 0
		for i := 0; i < n && zero; i++ {
			zero = k[i] == 0
		}
		if zero {
			break
		}
		s := 1 // the bits to shift out
		if k[0]&1 == 1 {
			d := int64(k[0] & uint64(window-1))
			if d >= half {
				d -= window
			}
			// k −= d, with the borrow or carry running through the limbs
			// into the carry word.
			var c uint64
			if d > 0 {
				k[0], c = bits.Sub64(k[0], uint64(d), 0)
				for i := 1; i < n; i++ {
					k[i], c = bits.Sub64(k[i], 0, c)
				}
				carry -= c
			} else {
				k[0], c = bits.Add64(k[0], uint64(-d), 0)
				for i := 1; i < n; i++ {
					k[i], c = bits.Add64(k[i], 0, c)
				}
				carry += c
			}
			digits = append(digits, int8(d))
		} else {
			s = min(bits.TrailingZeros64(k[0]), 63)
			for range s {
				digits = append(digits, 0)
			}
		}
		// k >>= s, bringing in the carry word's low bits.
		for i := 0; i < n-1; i++ {
			k[i] = k[i]>>s | k[i+1]<<(64-s)
		}
		k[n-1] = k[n-1]>>s | carry<<(64-s)
		carry >>= s
	}
	return digits
}

// toJacobian converts p (projective, x = X/Z, y = Y/Z) to Jacobian:
// (X·Z, Y·Z², Z).
func (p *Point) toJacobian(r *jacobian) {
	fp := p.c.p
	if fp.isZero(&p.z) == 1 {
		r.inf = true
		return
	}
	var zz limbs
	fp.sqr(&zz, &p.z)
	fp.mul(&r.x, &p.x, &p.z)
	fp.mul(&r.y, &p.y, &zz)
	r.z = p.z
	r.inf = false
}

// fromJacobian sets p from Jacobian r: (X·Z : Y : Z³).
func (p *Point) fromJacobian(c *Curve, r *jacobian) {
	p.c = c
	fp := c.p
	if r.inf {
		*p = Point{c: c, y: fp.one}
		return
	}
	var zz limbs
	fp.sqr(&zz, &r.z)
	fp.mul(&p.z, &zz, &r.z)
	fp.mul(&p.x, &r.x, &r.z)
	p.y = r.y
}

// jAddAffine sets r = p + (x2, y2), an affine point that is not the
// identity (formula madd-2007-bl: 7M + 4S), handling equal and opposite
// points by branches.
func (c *Curve) jAddAffine(r, p *jacobian, x2, y2 *limbs) {
	fp := c.p
	if p.inf {
		r.x, r.y, r.z, r.inf = *x2, *y2, fp.one, false
		return
	}
	var z1z1, u2, s2, h, hh, i, j, rr, v limbs
	fp.sqr(&z1z1, &p.z)
	fp.mul(&u2, x2, &z1z1)
	fp.mul(&s2, y2, &p.z)
	fp.mul(&s2, &s2, &z1z1)
	fp.sub(&h, &u2, &p.x)
	fp.sub(&rr, &s2, &p.y)
	if fp.isZero(&h) == 1 {
		if fp.isZero(&rr) == 1 {
			c.jDouble(r, p)
		} else {
			r.inf = true
		}
		return
	}
	fp.sqr(&hh, &h)
	fp.add(&i, &hh, &hh) // I = 4·HH
	fp.add(&i, &i, &i)
	fp.mul(&j, &h, &i) // J = H·I
	fp.add(&rr, &rr, &rr)
	fp.mul(&v, &p.x, &i) // V = X1·I
	var x3, y3, t limbs
	fp.sqr(&x3, &rr) // X3 = r² − J − 2V
	fp.sub(&x3, &x3, &j)
	fp.sub(&x3, &x3, &v)
	fp.sub(&x3, &x3, &v)
	fp.sub(&y3, &v, &x3) // Y3 = r(V − X3) − 2·Y1·J
	fp.mul(&y3, &rr, &y3)
	fp.mul(&t, &p.y, &j)
	fp.add(&t, &t, &t)
	fp.sub(&y3, &y3, &t)
	fp.add(&t, &p.z, &h) // Z3 = (Z1 + H)² − Z1Z1 − HH
	fp.sqr(&t, &t)
	fp.sub(&t, &t, &z1z1)
	fp.sub(&r.z, &t, &hh)
	r.x, r.y, r.inf = x3, y3, false
}

// baseNAFTable returns the affine odd multiples G, 3G, ..., 63G (Montgomery
// form, x then y), computed once per curve.
func (c *Curve) baseNAFTable() *[baseNAFPoints][2]limbs {
	c.nafOnce.Do(func() {
		fp := c.p
		var g, twice, acc jacobian
		c.NewGenerator().toJacobian(&g)
		c.jDouble(&twice, &g)
		acc = g
		t := new([baseNAFPoints][2]limbs)
		for i := range t {
			if i > 0 {
				c.jAdd(&acc, &acc, &twice)
			}
			// (X/Z², Y/Z³); the odd multiples of G below q are never the
			// identity.
			var zi, zi2 limbs
			fp.inv(&zi, &acc.z)
			fp.sqr(&zi2, &zi)
			fp.mul(&t[i][0], &acc.x, &zi2)
			fp.mul(&zi2, &zi2, &zi)
			fp.mul(&t[i][1], &acc.y, &zi2)
		}
		c.nafTable = t
	})
	return c.nafTable
}

// VarTimeScalarBaseMultAdd sets p = u1·G + u2·q and returns p. It takes
// variable time and is meant for signature verification only, where u1, u2
// and q are public; never pass it a secret. It panics if the arguments
// belong to different curves.
//
// Both multiplications share one chain of doublings (Shamir's trick): u1 in
// width-7 NAF over the curve's table of odd multiples of G (width 8 on the
// Edwards curves), u2 in width-5 NAF over odd multiples of q computed here.
func (p *Point) VarTimeScalarBaseMultAdd(u1 *Scalar, q *Point, u2 *Scalar) *Point {
	c := p.c
	if c != u1.c || c != u2.c || c != q.c {
		panic("gostec: mixing points and scalars of different curves")
	}
	fp := c.p
	var e1, e2 limbs
	c.q.fromMont(&e1, &u1.v)
	c.q.fromMont(&e2, &u2.v)
	var b1, b2 wnafBuf
	d2 := wnaf(&b2, &e2, fp.n, c.q.bits, wnafWidth)
	if c.ed != nil {
		d1 := wnaf(&b1, &e1, fp.n, c.q.bits, edNAFWidth)
		c.edVarTimeScalarBaseMultAdd(p, d1, q, d2)
		return p
	}
	d1 := wnaf(&b1, &e1, fp.n, c.q.bits, baseNAFWidth)
	gTable := c.baseNAFTable()

	// Odd multiples q, 3q, ..., 15q.
	var table [1 << (wnafWidth - 2)]jacobian
	var twice jacobian
	q.toJacobian(&table[0])
	c.jDouble(&twice, &table[0])
	for i := 1; i < len(table); i++ {
		c.jAdd(&table[i], &table[i-1], &twice)
	}

	acc := jacobian{inf: true}
	var neg jacobian
	var negY limbs
	for i := max(len(d1), len(d2)) - 1; i >= 0; i-- {
		c.jDouble(&acc, &acc)
		if i < len(d2) {
			switch d := d2[i]; {
			case d > 0:
				c.jAdd(&acc, &acc, &table[d/2])
			case d < 0:
				neg = table[-d/2]
				fp.neg(&neg.y, &neg.y)
				c.jAdd(&acc, &acc, &neg)
			}
		}
		if i < len(d1) {
			switch d := d1[i]; {
			case d > 0:
				c.jAddAffine(&acc, &acc, &gTable[d/2][0], &gTable[d/2][1])
			case d < 0:
				fp.neg(&negY, &gTable[-d/2][1])
				c.jAddAffine(&acc, &acc, &gTable[-d/2][0], &negY)
			}
		}
	}
	p.fromJacobian(c, &acc)
	return p
}

// VarTimeInvert sets s = x⁻¹ mod q, or 0 for x = 0, and returns s. It takes
// variable time (a binary GCD in math/big, about ten times faster than the
// constant-time exponentiation at 512 bits) and is meant for signature
// verification only, where x is public; never pass it a secret.
func (s *Scalar) VarTimeInvert(x *Scalar) *Scalar {
	c := x.c
	fq := c.q
	var e limbs
	fq.fromMont(&e, &x.v)
	buf := make([]byte, c.size)
	fq.fillBytes(buf, &e)
	v := new(big.Int).SetBytes(buf)
	if v.ModInverse(v, new(big.Int).SetBytes(c.qBytes)) == nil {
		v.SetInt64(0)
	}
	v.FillBytes(buf)
	fq.setBytes(&e, buf)
	fq.toMont(&s.v, &e)
	s.c = c
	return s
}

// VarTimeEqualX reports whether p is not the identity and the integer
// x mod q, for p's affine x coordinate x, equals r: the last step of a
// signature verification. It takes variable time and is meant for public
// points only. It needs no inversion: it checks X = (r + k·q)·Z for every
// r + k·q below p (one or two candidates for cofactor 1, up to four for 4).
func (p *Point) VarTimeEqualX(r *Scalar) bool {
	c := p.c
	if c != r.c {
		panic("gostec: mixing a point and a scalar of different curves")
	}
	fp := c.p
	if fp.isZero(&p.z) == 1 {
		return false
	}
	var cand limbs
	c.q.fromMont(&cand, &r.v)
	for {
		if fp.lessThanM(&cand) != 1 {
			return false
		}
		var cm, rhs limbs
		fp.toMont(&cm, &cand)
		fp.mul(&rhs, &cm, &p.z)
		if fp.equal(&rhs, &p.x) == 1 {
			return true
		}
		var carry uint64
		for i := 0; i < fp.n; i++ {
			cand[i], carry = bits.Add64(cand[i], c.q.m[i], carry)
		}
		if carry != 0 {
			return false
		}
	}
}
