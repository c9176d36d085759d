package gost3413

import (
	"crypto/cipher"
	"errors"
)

var errIVBlocks = errors.New("gost3413: CFB IV must be a positive whole number of blocks")

// cfb is GOST R 34.13-2015 CFB with s = n and an m-bit register.
type cfb struct {
	b       cipher.Block
	n       int
	reg     []byte // R: m bits, the first n of which are encrypted next
	gamma   []byte // E(MSB_n(R))
	used    int    // bytes of gamma consumed
	decrypt bool
}

// NewCFBEncrypter returns GOST R 34.13-2015 cipher feedback mode (§5.5)
// with the block cipher b, a segment of one block (s = n) and a register of
// len(iv) bytes (m), which must be a whole number of blocks: OpenSSL's
// kuznyechik-cfb is m = n, the standard's Annex A examples m = 2n.
func NewCFBEncrypter(b cipher.Block, iv []byte) (cipher.Stream, error) {
	return newCFB(b, iv, false)
}

// NewCFBDecrypter is the decrypting side of NewCFBEncrypter.
func NewCFBDecrypter(b cipher.Block, iv []byte) (cipher.Stream, error) {
	return newCFB(b, iv, true)
}

func newCFB(b cipher.Block, iv []byte, decrypt bool) (cipher.Stream, error) {
	n := b.BlockSize()
	if len(iv) == 0 || len(iv)%n != 0 {
		return nil, errIVBlocks
	}
	return &cfb{b: b, n: n, reg: append([]byte(nil), iv...), gamma: make([]byte, n), used: n, decrypt: decrypt}, nil
}

func (c *cfb) XORKeyStream(dst, src []byte) {
	if len(dst) < len(src) {
		panic("gost3413: output smaller than input")
	}
	for i, in := range src {
		if c.used == c.n {
			c.b.Encrypt(c.gamma, c.reg)
			// R = LSB_{m-n}(R) || C: shift a block out; the ciphertext
			// block fills the end as it is made.
			copy(c.reg, c.reg[c.n:])
			c.used = 0
		}
		out := in ^ c.gamma[c.used]
		ct := out
		if c.decrypt {
			ct = in
		}
		c.reg[len(c.reg)-c.n+c.used] = ct
		dst[i] = out
		c.used++
	}
}
