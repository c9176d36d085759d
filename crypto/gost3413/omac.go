package gost3413

import (
	"crypto/cipher"
	"crypto/subtle"
	"fmt"
	"hash"
)

// omac is OMAC (CMAC) of GOST R 34.13-2015 §5.6.
type omac struct {
	b      cipher.Block
	n      int
	size   int
	k1, k2 []byte
	c      []byte // the chaining value
	buf    []byte // the unprocessed tail, up to one block, kept for the last step
}

// NewOMAC returns the message authentication code of GOST R 34.13-2015
// §5.6 (OMAC1, the CMAC construction; B_n is 0x87 for 128-bit blocks and
// 0x1b for 64-bit ones) with the block cipher b, truncated to size bytes
// (1 to the block size; the block size gives the full value).
func NewOMAC(b cipher.Block, size int) (hash.Hash, error) {
	n := b.BlockSize()
	var rb byte
	switch n {
	case 16:
		rb = 0x87
	case 8:
		rb = 0x1b
	default:
		return nil, fmt.Errorf("gost3413: OMAC with a %d-byte block is not defined", n)
	}
	if size < 1 || size > n {
		return nil, fmt.Errorf("gost3413: OMAC size %d is outside 1 to %d bytes", size, n)
	}
	m := &omac{b: b, n: n, size: size, c: make([]byte, n), buf: make([]byte, 0, n)}
	r := make([]byte, n)
	b.Encrypt(r, r)
	m.k1 = shift(r, rb)
	m.k2 = shift(m.k1, rb)
	return m, nil
}

// shift is the subkey step: x << 1, xor B_n if the top bit was set.
func shift(x []byte, rb byte) []byte {
	out := make([]byte, len(x))
	var carry byte
	for i := len(x) - 1; i >= 0; i-- {
		out[i] = x[i]<<1 | carry
		carry = x[i] >> 7
	}
	out[len(out)-1] ^= byte(subtle.ConstantTimeByteEq(carry, 1)) * rb
	return out
}

func (m *omac) Write(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 {
		if len(m.buf) == m.n {
			// Only now is it known that the buffered block is not the last.
			subtle.XORBytes(m.c, m.c, m.buf)
			m.b.Encrypt(m.c, m.c)
			m.buf = m.buf[:0]
		}
		k := min(m.n-len(m.buf), len(p))
		m.buf = append(m.buf, p[:k]...)
		p = p[k:]
	}
	return total, nil
}

func (m *omac) Sum(in []byte) []byte {
	last := make([]byte, m.n)
	copy(last, m.buf)
	k := m.k1
	if len(m.buf) < m.n {
		last[len(m.buf)] = 0x80
		k = m.k2
	}
	subtle.XORBytes(last, last, m.c)
	subtle.XORBytes(last, last, k)
	m.b.Encrypt(last, last)
	return append(in, last[:m.size]...)
}

func (m *omac) Reset() {
	clear(m.c)
	m.buf = m.buf[:0]
}

func (m *omac) Size() int      { return m.size }
func (m *omac) BlockSize() int { return m.n }
