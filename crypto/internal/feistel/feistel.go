// Package feistel is the 32-round Feistel network shared by GOST 28147-89
// and Magma (GOST R 34.12-2015, 64-bit block): the round function, with its
// eight 4-bit S-boxes and the rotation by 11 folded into four 8→32-bit
// tables, and the fully unrolled encryption and decryption.
//
// The two ciphers differ only in how they read bytes into the two 32-bit
// halves and the eight 32-bit round keys (little-endian for GOST 28147-89,
// big-endian for Magma), which the callers do.
//
// # Security
//
// The round function looks up tables indexed by secret data, so the
// ciphers leak through the cache timing of those lookups to an attacker who
// shares the CPU. There are no secret-dependent branches.
package feistel

import "math/bits"

// SBox is a GOST 28147-89 substitution: row i maps nibble i of the 32-bit
// round input (row 0 the least significant nibble).
type SBox [8][16]byte

// Tables is an S-box expanded for the round function: Tables[j][b] is the
// substituted and rotated contribution of byte j of the round input.
type Tables [4][256]uint32

// Expand computes the round-function tables of s.
func Expand(s *SBox) *Tables {
	t := new(Tables)
	for j := range 4 {
		for b := range 256 {
			v := uint32(s[2*j][b&15]) | uint32(s[2*j+1][b>>4])<<4
			t[j][b] = bits.RotateLeft32(v<<(8*j), 11)
		}
	}
	return t
}

// round returns n ^ g(x), x being the half plus the round key. The xors
// are ordered for latency: the bytes 0 and 3 of x take one operation to
// extract, 1 and 2 two, so n meets the first two lookups while the other
// two are still loading.
func (t *Tables) round(n, x uint32) uint32 {
	return (n ^ t[0][x&0xff] ^ t[3][x>>24]) ^ (t[1][x>>8&0xff] ^ t[2][x>>16&0xff])
}

// Encrypt runs the 32 rounds on the halves n1 (the half the first round
// function reads) and n2, with round keys k[0..7] three times forward then
// once backward, and returns the halves in output order: n2 then n1 after
// the last round, which does not swap.
func (t *Tables) Encrypt(k *[8]uint32, n1, n2 uint32) (uint32, uint32) {
	for range 3 {
		n2 = t.round(n2, n1+k[0])
		n1 = t.round(n1, n2+k[1])
		n2 = t.round(n2, n1+k[2])
		n1 = t.round(n1, n2+k[3])
		n2 = t.round(n2, n1+k[4])
		n1 = t.round(n1, n2+k[5])
		n2 = t.round(n2, n1+k[6])
		n1 = t.round(n1, n2+k[7])
	}
	n2 = t.round(n2, n1+k[7])
	n1 = t.round(n1, n2+k[6])
	n2 = t.round(n2, n1+k[5])
	n1 = t.round(n1, n2+k[4])
	n2 = t.round(n2, n1+k[3])
	n1 = t.round(n1, n2+k[2])
	n2 = t.round(n2, n1+k[1])
	n1 = t.round(n1, n2+k[0])
	return n2, n1
}

// Decrypt inverts Encrypt: round keys k[0..7] once forward, then three
// times backward.
func (t *Tables) Decrypt(k *[8]uint32, n1, n2 uint32) (uint32, uint32) {
	n2 = t.round(n2, n1+k[0])
	n1 = t.round(n1, n2+k[1])
	n2 = t.round(n2, n1+k[2])
	n1 = t.round(n1, n2+k[3])
	n2 = t.round(n2, n1+k[4])
	n1 = t.round(n1, n2+k[5])
	n2 = t.round(n2, n1+k[6])
	n1 = t.round(n1, n2+k[7])
	for range 3 {
		n2 = t.round(n2, n1+k[7])
		n1 = t.round(n1, n2+k[6])
		n2 = t.round(n2, n1+k[5])
		n1 = t.round(n1, n2+k[4])
		n2 = t.round(n2, n1+k[3])
		n1 = t.round(n1, n2+k[2])
		n2 = t.round(n2, n1+k[1])
		n1 = t.round(n1, n2+k[0])
	}
	return n2, n1
}

// Encrypt2 is Encrypt of two blocks at once, (b1, b2) and (c1, c2), their
// rounds interleaved: a round waits for the table lookups of the one
// before, so two independent blocks run in the time of little more than
// one. For counter mode.
func (t *Tables) Encrypt2(k *[8]uint32, b1, b2, c1, c2 uint32) (uint32, uint32, uint32, uint32) {
	b2 = t.round(b2, b1+k[0])
	c2 = t.round(c2, c1+k[0])
	b1 = t.round(b1, b2+k[1])
	c1 = t.round(c1, c2+k[1])
	b2 = t.round(b2, b1+k[2])
	c2 = t.round(c2, c1+k[2])
	b1 = t.round(b1, b2+k[3])
	c1 = t.round(c1, c2+k[3])
	b2 = t.round(b2, b1+k[4])
	c2 = t.round(c2, c1+k[4])
	b1 = t.round(b1, b2+k[5])
	c1 = t.round(c1, c2+k[5])
	b2 = t.round(b2, b1+k[6])
	c2 = t.round(c2, c1+k[6])
	b1 = t.round(b1, b2+k[7])
	c1 = t.round(c1, c2+k[7])
	b2 = t.round(b2, b1+k[0])
	c2 = t.round(c2, c1+k[0])
	b1 = t.round(b1, b2+k[1])
	c1 = t.round(c1, c2+k[1])
	b2 = t.round(b2, b1+k[2])
	c2 = t.round(c2, c1+k[2])
	b1 = t.round(b1, b2+k[3])
	c1 = t.round(c1, c2+k[3])
	b2 = t.round(b2, b1+k[4])
	c2 = t.round(c2, c1+k[4])
	b1 = t.round(b1, b2+k[5])
	c1 = t.round(c1, c2+k[5])
	b2 = t.round(b2, b1+k[6])
	c2 = t.round(c2, c1+k[6])
	b1 = t.round(b1, b2+k[7])
	c1 = t.round(c1, c2+k[7])
	b2 = t.round(b2, b1+k[0])
	c2 = t.round(c2, c1+k[0])
	b1 = t.round(b1, b2+k[1])
	c1 = t.round(c1, c2+k[1])
	b2 = t.round(b2, b1+k[2])
	c2 = t.round(c2, c1+k[2])
	b1 = t.round(b1, b2+k[3])
	c1 = t.round(c1, c2+k[3])
	b2 = t.round(b2, b1+k[4])
	c2 = t.round(c2, c1+k[4])
	b1 = t.round(b1, b2+k[5])
	c1 = t.round(c1, c2+k[5])
	b2 = t.round(b2, b1+k[6])
	c2 = t.round(c2, c1+k[6])
	b1 = t.round(b1, b2+k[7])
	c1 = t.round(c1, c2+k[7])
	b2 = t.round(b2, b1+k[7])
	c2 = t.round(c2, c1+k[7])
	b1 = t.round(b1, b2+k[6])
	c1 = t.round(c1, c2+k[6])
	b2 = t.round(b2, b1+k[5])
	c2 = t.round(c2, c1+k[5])
	b1 = t.round(b1, b2+k[4])
	c1 = t.round(c1, c2+k[4])
	b2 = t.round(b2, b1+k[3])
	c2 = t.round(c2, c1+k[3])
	b1 = t.round(b1, b2+k[2])
	c1 = t.round(c1, c2+k[2])
	b2 = t.round(b2, b1+k[1])
	c2 = t.round(c2, c1+k[1])
	b1 = t.round(b1, b2+k[0])
	c1 = t.round(c1, c2+k[0])
	return b2, b1, c2, c1
}
