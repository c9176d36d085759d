package gostec

import "math/bits"

// This file checks the declared group order h·q of a curve against the
// Hasse bound, with small variable-time helpers on little-endian []uint64
// naturals. It only ever sees public curve parameters.
//
// The order N of E(GF(p)) satisfies |p + 1 − N| ≤ 2√p, and q divides N
// because G has order q. If q > 4√p, the Hasse interval (of width 4√p)
// holds at most one multiple of q, so h·q lying in it proves N = h·q: the
// declared cofactor is the true one, and a curve declared with cofactor 1
// has no points outside the subgroup for SetBytes to miss.

// hasseCheck returns "" if q > 4√p and (p + 1 − h·q)² ≤ 4p, and otherwise
// a description of what failed.
func hasseCheck(p, q *limbs, n, h int) string {
	pn := append([]uint64(nil), p[:n]...)
	qn := append([]uint64(nil), q[:n]...)
	if natCmp(natMul(qn, qn), natMulSmall(pn, 16)) <= 0 {
		return "q is not greater than 4√p, so the cofactor cannot be checked"
	}
	a := natAdd(pn, []uint64{1})
	hq := natMulSmall(qn, uint64(h))
	var d []uint64
	if natCmp(a, hq) >= 0 {
		d = natSub(a, hq)
	} else {
		d = natSub(hq, a)
	}
	if natCmp(natMul(d, d), natMulSmall(pn, 4)) > 0 {
		return "cofactor·q is not the order of the curve (outside the Hasse bound)"
	}
	return ""
}

// natCmp returns −1, 0 or +1 as a <, ==, > b.
func natCmp(a, b []uint64) int {
	for len(a) > len(b) {
		if a[len(a)-1] != 0 {
			return 1
		}
		a = a[:len(a)-1]
	}
	for len(b) > len(a) {
		if b[len(b)-1] != 0 {
			return -1
		}
		b = b[:len(b)-1]
	}
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// natAdd returns a + b.
func natAdd(a, b []uint64) []uint64 {
	if len(a) < len(b) {
		a, b = b, a
	}
	z := make([]uint64, len(a)+1)
	var c uint64
	for i := range a {
		var bi uint64
		if i < len(b) {
			bi = b[i]
		}
		z[i], c = bits.Add64(a[i], bi, c)
	}
	z[len(a)] = c
	return z
}

// natSub returns a − b for a ≥ b.
func natSub(a, b []uint64) []uint64 {
	z := make([]uint64, len(a))
	var c uint64
	for i := range a {
		var bi uint64
		if i < len(b) {
			bi = b[i]
		}
		z[i], c = bits.Sub64(a[i], bi, c)
	}
	return z
}

// natMulSmall returns a·k.
func natMulSmall(a []uint64, k uint64) []uint64 {
	return natMul(a, []uint64{k})
}

// natMul returns a·b (schoolbook).
func natMul(a, b []uint64) []uint64 {
	z := make([]uint64, len(a)+len(b))
	for i, bi := range b {
		var c uint64
		for j, aj := range a {
			c, z[i+j] = mac(aj, bi, z[i+j], c)
		}
		z[i+len(a)] = c
	}
	return z
}
