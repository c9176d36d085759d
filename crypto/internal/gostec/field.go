package gostec

//go:generate go run gen_field.go

import (
	"crypto/subtle"
	"math/bits"
)

// maxLimbs is the largest number of 64-bit limbs of a modulus (512 bits).
const maxLimbs = 8

// limbs is a fixed-width little-endian integer: limbs[0] is the least
// significant word. Only the first n limbs of the owning modulus are used;
// the others are always zero.
type limbs [maxLimbs]uint64

// modulus is an odd modulus m of n limbs (4 or 8) with the constants needed
// for Montgomery arithmetic modulo m, R = 2^(64n). It serves both the field
// prime p (coordinates) and the subgroup order q (scalars).
//
// Elements handled by the methods of modulus are in Montgomery form (x·R mod
// m) and fully reduced, unless a method says otherwise. All methods are
// constant time with respect to the values of their operands; they branch
// and index only on n and on the (public) modulus.
type modulus struct {
	n     int    // number of limbs, public
	m     limbs  // the modulus
	m0inv uint64 // -m⁻¹ mod 2^64
	rr    limbs  // R² mod m
	one   limbs  // R mod m, the Montgomery form of 1
	bits  int    // bit length of m

	// pmC is c when m = 2^(64n) − c is pseudo-Mersenne with c < 2^16
	// (2^256 − 617 and 2^512 − 569), and 0 otherwise. Such a modulus skips
	// Montgomery form: R is 1 (one = rr = 1, so toMont only reduces and
	// fromMont copies), and mul reduces the double-width product by folding
	// its top half with c (field_pm.go).
	pmC uint64
}

// newModulus precomputes the Montgomery constants for m, which must be odd,
// greater than 1 and of n limbs (the top limbs of m beyond n must be zero).
func newModulus(m *limbs, n int) *modulus {
	md := &modulus{n: n, m: *m}
	// Newton iteration for m[0]⁻¹ mod 2^64: each step doubles the number
	// of correct low bits, starting from 3 (m[0]·m[0] ≡ 1 mod 8 for odd m[0]).
	inv := m[0]
	for i := 0; i < 5; i++ {
		inv *= 2 - m[0]*inv
	}
	md.m0inv = -inv
	for i := n - 1; i >= 0; i-- {
		if m[i] != 0 {
			md.bits = 64*i + bits.Len64(m[i])
			break
		}
	}
	if c := -m[0]; allOnes(m[1:n]) && c < 1<<16 {
		md.pmC = c
		md.one = limbs{0: 1}
		md.rr = md.one
		return md
	}
	// R mod m and R² mod m by repeated modular doubling of 1.
	var x limbs
	x[0] = 1
	for i := 0; i < 64*n; i++ {
		md.add(&x, &x, &x)
	}
	md.one = x
	for i := 0; i < 64*n; i++ {
		md.add(&x, &x, &x)
	}
	md.rr = x
	return md
}

// add sets z = x + y mod m, for x, y < m (in any representation).
func (md *modulus) add(z, x, y *limbs) {
	if md.n == 4 {
		md.add4(z, x, y)
	} else {
		md.add8(z, x, y)
	}
}

// add8 is add for n == 8, unrolled. The true sum is c·R + t; t is kept
// only if c·R + t < m, that is if the subtraction of m borrowed and there
// was no carry out.
func (md *modulus) add8(z, x, y *limbs) {
	m := &md.m
	var c, b uint64
	t0, c := bits.Add64(x[0], y[0], 0)
	t1, c := bits.Add64(x[1], y[1], c)
	t2, c := bits.Add64(x[2], y[2], c)
	t3, c := bits.Add64(x[3], y[3], c)
	t4, c := bits.Add64(x[4], y[4], c)
	t5, c := bits.Add64(x[5], y[5], c)
	t6, c := bits.Add64(x[6], y[6], c)
	t7, c := bits.Add64(x[7], y[7], c)
	d0, b := bits.Sub64(t0, m[0], 0)
	d1, b := bits.Sub64(t1, m[1], b)
	d2, b := bits.Sub64(t2, m[2], b)
	d3, b := bits.Sub64(t3, m[3], b)
	d4, b := bits.Sub64(t4, m[4], b)
	d5, b := bits.Sub64(t5, m[5], b)
	d6, b := bits.Sub64(t6, m[6], b)
	d7, b := bits.Sub64(t7, m[7], b)
	_, b = bits.Sub64(c, 0, b)
	mask := -b // all ones: keep t
	z[0] = t0&mask | d0&^mask
	z[1] = t1&mask | d1&^mask
	z[2] = t2&mask | d2&^mask
	z[3] = t3&mask | d3&^mask
	z[4] = t4&mask | d4&^mask
	z[5] = t5&mask | d5&^mask
	z[6] = t6&mask | d6&^mask
	z[7] = t7&mask | d7&^mask
}

// add4 is add for n == 4, unrolled: the 256-bit curves spend a fifth of
// their time in additions and subtractions.
func (md *modulus) add4(z, x, y *limbs) {
	var c, b uint64
	t0, c := bits.Add64(x[0], y[0], 0)
	t1, c := bits.Add64(x[1], y[1], c)
	t2, c := bits.Add64(x[2], y[2], c)
	t3, c := bits.Add64(x[3], y[3], c)
	d0, b := bits.Sub64(t0, md.m[0], 0)
	d1, b := bits.Sub64(t1, md.m[1], b)
	d2, b := bits.Sub64(t2, md.m[2], b)
	d3, b := bits.Sub64(t3, md.m[3], b)
	_, b = bits.Sub64(c, 0, b)
	mask := -b // all ones: keep t
	z[0] = t0&mask | d0&^mask
	z[1] = t1&mask | d1&^mask
	z[2] = t2&mask | d2&^mask
	z[3] = t3&mask | d3&^mask
}

// sub sets z = x − y mod m, for x, y < m.
func (md *modulus) sub(z, x, y *limbs) {
	if md.n == 4 {
		md.sub4(z, x, y)
	} else {
		md.sub8(z, x, y)
	}
}

// sub8 is sub for n == 8, unrolled.
func (md *modulus) sub8(z, x, y *limbs) {
	m := &md.m
	var b, c uint64
	t0, b := bits.Sub64(x[0], y[0], 0)
	t1, b := bits.Sub64(x[1], y[1], b)
	t2, b := bits.Sub64(x[2], y[2], b)
	t3, b := bits.Sub64(x[3], y[3], b)
	t4, b := bits.Sub64(x[4], y[4], b)
	t5, b := bits.Sub64(x[5], y[5], b)
	t6, b := bits.Sub64(x[6], y[6], b)
	t7, b := bits.Sub64(x[7], y[7], b)
	mask := -b // all ones: add m back
	z[0], c = bits.Add64(t0, m[0]&mask, 0)
	z[1], c = bits.Add64(t1, m[1]&mask, c)
	z[2], c = bits.Add64(t2, m[2]&mask, c)
	z[3], c = bits.Add64(t3, m[3]&mask, c)
	z[4], c = bits.Add64(t4, m[4]&mask, c)
	z[5], c = bits.Add64(t5, m[5]&mask, c)
	z[6], c = bits.Add64(t6, m[6]&mask, c)
	z[7], _ = bits.Add64(t7, m[7]&mask, c)
}

// sub4 is sub for n == 4, unrolled.
func (md *modulus) sub4(z, x, y *limbs) {
	var b, c uint64
	t0, b := bits.Sub64(x[0], y[0], 0)
	t1, b := bits.Sub64(x[1], y[1], b)
	t2, b := bits.Sub64(x[2], y[2], b)
	t3, b := bits.Sub64(x[3], y[3], b)
	mask := -b // all ones: add m back
	z[0], c = bits.Add64(t0, md.m[0]&mask, 0)
	z[1], c = bits.Add64(t1, md.m[1]&mask, c)
	z[2], c = bits.Add64(t2, md.m[2]&mask, c)
	z[3], _ = bits.Add64(t3, md.m[3]&mask, c)
}

// neg sets z = −x mod m, for x < m.
func (md *modulus) neg(z, x *limbs) {
	var zero limbs
	md.sub(z, &zero, x)
}

// mul sets z = x·y·R⁻¹ mod m (Montgomery multiplication, CIOS). It requires
// y < m and x < R, which is enough for the result to be fully reduced; in
// particular mul(x, rr) maps any n-limb x to the Montgomery form of x mod m.
// z may alias x or y.
//
// The running sum t stays below x + m < 2R, so it needs n words plus one
// carry bit, which handles moduli with their top bit set (p close to R).
// At the end t < 2m and one masked subtraction of m reduces it.
func (md *modulus) mul(z, x, y *limbs) {
	switch {
	case md.pmC != 0 && md.n == 4:
		mulPM4(z, x, y, md.pmC)
	case md.pmC != 0:
		mulPM8(z, x, y, md.pmC)
	case md.n == 4:
		md.mul4(z, x, y)
	default:
		md.mul8(z, x, y)
	}
}

// sqr sets z = x·x·R⁻¹ mod m, as mul(z, x, x) but cheaper for the
// pseudo-Mersenne moduli.
func (md *modulus) sqr(z, x *limbs) {
	switch {
	case md.pmC != 0 && md.n == 4:
		sqrPM4(z, x, md.pmC)
	case md.pmC != 0:
		sqrPM8(z, x, md.pmC)
	case md.n == 4:
		md.mul4(z, x, x)
	default:
		md.mul8(z, x, x)
	}
}

// allOnes reports whether every word of x is 2^64 − 1. For public
// values only: it returns early.
func allOnes(x []uint64) bool {
	for _, w := range x {
		if w != ^uint64(0) {
			return false
		}
	}
	return true
}

// mac returns a·b + c + d as a 128-bit value (hi, lo); it cannot overflow.
func mac(a, b, c, d uint64) (hi, lo uint64) {
	hi, lo = bits.Mul64(a, b)
	var cc uint64
	lo, cc = bits.Add64(lo, c, 0)
	hi += cc
	lo, cc = bits.Add64(lo, d, 0)
	hi += cc
	return hi, lo
}

// mul4 is mul for n == 4: CIOS with the four rounds unrolled and the
// running sum t0..t5 in local variables. In each round's reduction step the
// low word of u·m0 + t0 is zero by construction of u, so only its carry,
// t0 ≠ 0, is kept.
func (md *modulus) mul4(z, x, y *limbs) {
	x0, x1, x2, x3 := x[0], x[1], x[2], x[3]
	m0, m1, m2, m3 := md.m[0], md.m[1], md.m[2], md.m[3]
	m0inv := md.m0inv
	var t0, t1, t2, t3, t4, t5, c, cc, u uint64

	// Round 0.
	c, t0 = mac(x0, y[0], t0, 0)
	c, t1 = mac(x1, y[0], t1, c)
	c, t2 = mac(x2, y[0], t2, c)
	c, t3 = mac(x3, y[0], t3, c)
	t4, t5 = bits.Add64(t4, c, 0)
	u = t0 * m0inv
	c, _ = bits.Mul64(u, m0)
	c += (t0 | -t0) >> 63
	c, t0 = mac(u, m1, t1, c)
	c, t1 = mac(u, m2, t2, c)
	c, t2 = mac(u, m3, t3, c)
	t3, cc = bits.Add64(t4, c, 0)
	t4 = t5 + cc

	// Round 1.
	c, t0 = mac(x0, y[1], t0, 0)
	c, t1 = mac(x1, y[1], t1, c)
	c, t2 = mac(x2, y[1], t2, c)
	c, t3 = mac(x3, y[1], t3, c)
	t4, t5 = bits.Add64(t4, c, 0)
	u = t0 * m0inv
	c, _ = bits.Mul64(u, m0)
	c += (t0 | -t0) >> 63
	c, t0 = mac(u, m1, t1, c)
	c, t1 = mac(u, m2, t2, c)
	c, t2 = mac(u, m3, t3, c)
	t3, cc = bits.Add64(t4, c, 0)
	t4 = t5 + cc

	// Round 2.
	c, t0 = mac(x0, y[2], t0, 0)
	c, t1 = mac(x1, y[2], t1, c)
	c, t2 = mac(x2, y[2], t2, c)
	c, t3 = mac(x3, y[2], t3, c)
	t4, t5 = bits.Add64(t4, c, 0)
	u = t0 * m0inv
	c, _ = bits.Mul64(u, m0)
	c += (t0 | -t0) >> 63
	c, t0 = mac(u, m1, t1, c)
	c, t1 = mac(u, m2, t2, c)
	c, t2 = mac(u, m3, t3, c)
	t3, cc = bits.Add64(t4, c, 0)
	t4 = t5 + cc

	// Round 3.
	c, t0 = mac(x0, y[3], t0, 0)
	c, t1 = mac(x1, y[3], t1, c)
	c, t2 = mac(x2, y[3], t2, c)
	c, t3 = mac(x3, y[3], t3, c)
	t4, t5 = bits.Add64(t4, c, 0)
	u = t0 * m0inv
	c, _ = bits.Mul64(u, m0)
	c += (t0 | -t0) >> 63
	c, t0 = mac(u, m1, t1, c)
	c, t1 = mac(u, m2, t2, c)
	c, t2 = mac(u, m3, t3, c)
	t3, cc = bits.Add64(t4, c, 0)
	t4 = t5 + cc

	var b uint64
	d0, b := bits.Sub64(t0, m0, 0)
	d1, b := bits.Sub64(t1, m1, b)
	d2, b := bits.Sub64(t2, m2, b)
	d3, b := bits.Sub64(t3, m3, b)
	_, b = bits.Sub64(t4, 0, b)
	// b == 1: t < m, keep t.
	mask := -b
	z[0] = t0&mask | d0&^mask
	z[1] = t1&mask | d1&^mask
	z[2] = t2&mask | d2&^mask
	z[3] = t3&mask | d3&^mask
}

// mul8 is mul for n == 8, the inner loops unrolled so that the running sum
// t0..t9 stays in local variables.
func (md *modulus) mul8(z, x, y *limbs) {
	m := &md.m
	m0inv := md.m0inv
	var t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, c, cc uint64
	for i := 0; i < 8; i++ {
		yi := y[i]
		c, t0 = mac(x[0], yi, t0, 0)
		c, t1 = mac(x[1], yi, t1, c)
		c, t2 = mac(x[2], yi, t2, c)
		c, t3 = mac(x[3], yi, t3, c)
		c, t4 = mac(x[4], yi, t4, c)
		c, t5 = mac(x[5], yi, t5, c)
		c, t6 = mac(x[6], yi, t6, c)
		c, t7 = mac(x[7], yi, t7, c)
		t8, t9 = bits.Add64(t8, c, 0)

		u := t0 * m0inv
		c, _ = bits.Mul64(u, m[0])
		c += (t0 | -t0) >> 63 // the low word of u·m0 + t0 is zero: only its carry
		c, t0 = mac(u, m[1], t1, c)
		c, t1 = mac(u, m[2], t2, c)
		c, t2 = mac(u, m[3], t3, c)
		c, t3 = mac(u, m[4], t4, c)
		c, t4 = mac(u, m[5], t5, c)
		c, t5 = mac(u, m[6], t6, c)
		c, t6 = mac(u, m[7], t7, c)
		t7, cc = bits.Add64(t8, c, 0)
		t8 = t9 + cc
	}
	var b uint64
	var d limbs
	d[0], b = bits.Sub64(t0, m[0], 0)
	d[1], b = bits.Sub64(t1, m[1], b)
	d[2], b = bits.Sub64(t2, m[2], b)
	d[3], b = bits.Sub64(t3, m[3], b)
	d[4], b = bits.Sub64(t4, m[4], b)
	d[5], b = bits.Sub64(t5, m[5], b)
	d[6], b = bits.Sub64(t6, m[6], b)
	d[7], b = bits.Sub64(t7, m[7], b)
	_, b = bits.Sub64(t8, 0, b)
	mask := -b
	z[0] = t0&mask | d[0]&^mask
	z[1] = t1&mask | d[1]&^mask
	z[2] = t2&mask | d[2]&^mask
	z[3] = t3&mask | d[3]&^mask
	z[4] = t4&mask | d[4]&^mask
	z[5] = t5&mask | d[5]&^mask
	z[6] = t6&mask | d[6]&^mask
	z[7] = t7&mask | d[7]&^mask
}

// ctSelect sets z = x if cond == 1 and z = y if cond == 0, in constant time.
// cond must be 0 or 1.
func (md *modulus) ctSelect(z, x, y *limbs, cond uint64) {
	mask := -cond
	for i := 0; i < md.n; i++ {
		z[i] = (x[i] & mask) | (y[i] &^ mask)
	}
}

// toMont sets z to the Montgomery form of x, for any n-limb x (x may be ≥ m;
// the result is x mod m).
func (md *modulus) toMont(z, x *limbs) { md.mul(z, x, &md.rr) }

// fromMont sets z to the ordinary (fully reduced) form of the Montgomery
// element x.
func (md *modulus) fromMont(z, x *limbs) {
	var one limbs
	one[0] = 1
	md.mul(z, x, &one)
}

// isZero returns 1 if x == 0 and 0 otherwise, in constant time.
func (md *modulus) isZero(x *limbs) int {
	var acc uint64
	for i := 0; i < md.n; i++ {
		acc |= x[i]
	}
	return int(1 ^ ((acc | -acc) >> 63))
}

// equal returns 1 if x == y and 0 otherwise, in constant time.
func (md *modulus) equal(x, y *limbs) int {
	var acc uint64
	for i := 0; i < md.n; i++ {
		acc |= x[i] ^ y[i]
	}
	return int(1 ^ ((acc | -acc) >> 63))
}

// lessThanM returns 1 if x < m and 0 otherwise, in constant time.
func (md *modulus) lessThanM(x *limbs) int {
	var b uint64
	for i := 0; i < md.n; i++ {
		_, b = bits.Sub64(x[i], md.m[i], b)
	}
	return int(b)
}

// exp sets z = x^e (Montgomery form in and out) for the ordinary n-limb
// exponent e. The exponent is PUBLIC: the sequence of operations depends on
// it (4-bit fixed windows, skipping the leading zero windows), but not on x.
func (md *modulus) exp(z, x, e *limbs) {
	var table [16]limbs
	table[0] = md.one
	table[1] = *x
	for i := 2; i < 16; i++ {
		md.mul(&table[i], &table[i-1], x)
	}
	r := md.one
	started := false
	for i := 16*md.n - 1; i >= 0; i-- {
		w := (e[i/16] >> (4 * uint(i%16))) & 0xf
		if started {
			for k := 0; k < 4; k++ {
				md.sqr(&r, &r)
			}
		}
		if w != 0 {
			md.mul(&r, &r, &table[w])
			started = true
		}
	}
	*z = r
}

// inv sets z = x^(m−2) (Montgomery form in and out), which is x⁻¹ when m is
// prime and 0 when x is 0. Constant time in x: the operations depend only
// on m.
func (md *modulus) inv(z, x *limbs) {
	if md.pmC != 0 && md.pmC+2 <= 1<<pmLowBits {
		md.invPM(z, x)
		return
	}
	var e, two limbs
	two[0] = 2
	var b uint64
	for i := 0; i < md.n; i++ {
		e[i], b = bits.Sub64(md.m[i], two[i], b)
	}
	md.exp(z, x, &e)
}

// pmLowBits splits the exponent m − 2 = 2^(64n) − c − 2 of a
// pseudo-Mersenne modulus into a run of ones and a low part:
// (2^(64n−10) − 1)·2^10 + (2^10 − c − 2), for c + 2 ≤ 2^10.
const pmLowBits = 10

// invPM is inv for a pseudo-Mersenne modulus by an addition chain: x^(2^k −
// 1) for k = 64n − 10 from the binary expansion of k (k − 1 squarings and
// about 2·log2(k) multiplications), then the 10 low bits of m − 2 by square
// and multiply. About 15 multiplications against 78 for the 4-bit windows
// of exp, and the same squarings.
func (md *modulus) invPM(z, x *limbs) {
	k := 64*md.n - pmLowBits
	low := uint64(1<<pmLowBits) - md.pmC - 2
	// r = x^(2^cur − 1), growing cur to k bit by bit from the top.
	r := *x
	cur := 1
	for bit := bits.Len(uint(k)) - 2; bit >= 0; bit-- {
		t := r
		for range cur {
			md.sqr(&t, &t)
		}
		md.mul(&r, &t, &r) // 2^(2cur) − 1
		cur *= 2
		if k>>bit&1 == 1 {
			md.sqr(&r, &r)
			md.mul(&r, &r, x) // 2^(cur+1) − 1
			cur++
		}
	}
	for bit := pmLowBits - 1; bit >= 0; bit-- {
		md.sqr(&r, &r)
		if low>>bit&1 == 1 {
			md.mul(&r, &r, x)
		}
	}
	*z = r
}

// fermatProbablePrime reports whether 2^(m−1) ≡ 1 mod m: a cheap check that
// a public modulus is prime, which catches typos and truncations in
// parameters. Base-2 pseudoprimes pass it, so it is no defence against
// adversarial parameters (which must not be accepted anyway).
func (md *modulus) fermatProbablePrime() bool {
	var e, one limbs
	one[0] = 1
	var b uint64
	for i := 0; i < md.n; i++ {
		e[i], b = bits.Sub64(md.m[i], one[i], b)
	}
	var two limbs
	md.add(&two, &md.one, &md.one)
	var r limbs
	md.exp(&r, &two, &e)
	return md.equal(&r, &md.one) == 1
}

// setBytes sets z to the big-endian value b, which must be exactly 8·n
// bytes long, without reducing it.
func (md *modulus) setBytes(z *limbs, b []byte) {
	n := md.n
	*z = limbs{}
	for i := 0; i < n; i++ {
		var w uint64
		for k := 0; k < 8; k++ {
			w = w<<8 | uint64(b[8*(n-1-i)+k])
		}
		z[i] = w
	}
}

// fillBytes writes the n-limb value x big-endian into b, which must be
// exactly 8·n bytes long.
func (md *modulus) fillBytes(b []byte, x *limbs) {
	n := md.n
	for i := 0; i < n; i++ {
		w := x[i]
		for k := 7; k >= 0; k-- {
			b[8*(n-1-i)+k] = byte(w)
			w >>= 8
		}
	}
}

// ctEqByte returns 1 if a == b and 0 otherwise, in constant time, for
// a, b < 2^31 (window digits and their indices).
func ctEqByte(a, b uint64) uint64 {
	return uint64(subtle.ConstantTimeEq(int32(a), int32(b)))
}
