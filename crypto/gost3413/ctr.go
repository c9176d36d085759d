package gost3413

import (
	"crypto/cipher"
	"crypto/subtle"
	"fmt"
)

// streamBuffer is how many bytes of key stream ctr makes at a time.
const streamBuffer = 512

// ctr is counter mode, optionally re-keyed with ACPKM every section bytes.
type ctr struct {
	b       cipher.Block
	n       int    // block size
	counter []byte // the next counter block
	buf     []byte // key stream
	off     int    // bytes of buf consumed

	// ACPKM; section is 0 for plain CTR.
	newCipher func([]byte) (cipher.Block, error)
	key       []byte
	section   int // section size in bytes
	left      int // key stream bytes the current key may still make
}

// NewCTR returns GOST R 34.13-2015 counter mode (§5.2) with the block
// cipher b and iv of half the block size (4 bytes for Magma, 8 for
// Kuznyechik). The counter starts at iv followed by zeros and is
// incremented as a big-endian integer of the whole block.
func NewCTR(b cipher.Block, iv []byte) (cipher.Stream, error) {
	n := b.BlockSize()
	if len(iv) != n/2 {
		return nil, fmt.Errorf("gost3413: CTR IV is %d bytes, want %d", len(iv), n/2)
	}
	c := &ctr{b: b, n: n, counter: make([]byte, n), buf: make([]byte, 0, streamBuffer)}
	copy(c.counter, iv)
	return c, nil
}

// NewCTRACPKM returns CTR-ACPKM (RFC 8645 §6.2.2): counter mode whose key
// is replaced by ACPKM (RFC 8645 §6.1) after every section bytes of key
// stream, without resetting the counter. newCipher makes the block cipher
// from a key (kuznyechik.NewCipher, magma.NewCipher); section must be a
// positive multiple of the block size.
func NewCTRACPKM(newCipher func([]byte) (cipher.Block, error), key, iv []byte, section int) (cipher.Stream, error) {
	b, err := newCipher(key)
	if err != nil {
		return nil, fmt.Errorf("gost3413: %w", err)
	}
	s, err := NewCTR(b, iv)
	if err != nil {
		return nil, err
	}
	c := s.(*ctr)
	if section <= 0 || section%c.n != 0 {
		return nil, fmt.Errorf("gost3413: ACPKM section size %d is not a positive multiple of the block size %d", section, c.n)
	}
	c.newCipher, c.key, c.section, c.left = newCipher, append([]byte(nil), key...), section, section
	return c, nil
}

// blocksEncrypter is a block cipher that encrypts several blocks faster
// than one at a time (magma's does, two at once).
type blocksEncrypter interface {
	EncryptBlocks(dst, src []byte)
}

// refill makes the next key stream into buf, changing the key at section
// boundaries: the counter blocks of up to a buffer (or the rest of the
// section), encrypted together.
func (c *ctr) refill() {
	if c.section != 0 && c.left == 0 {
		c.rekey()
	}
	n := cap(c.buf) / c.n * c.n
	if c.section != 0 {
		n = min(n, c.left)
		c.left -= n
	}
	c.buf = c.buf[:n]
	for i := 0; i < n; i += c.n {
		copy(c.buf[i:], c.counter)
		for j := c.n - 1; j >= 0; j-- {
			c.counter[j]++
			if c.counter[j] != 0 {
				break
			}
		}
	}
	if be, ok := c.b.(blocksEncrypter); ok {
		be.EncryptBlocks(c.buf, c.buf)
	} else {
		for i := 0; i < n; i += c.n {
			c.b.Encrypt(c.buf[i:], c.buf[i:])
		}
	}
	c.off = 0
}

// rekey replaces the key by ACPKM(key).
func (c *ctr) rekey() {
	next := acpkm(c.b, len(c.key))
	b, err := c.newCipher(next)
	if err != nil {
		panic("gost3413: ACPKM key rejected by the cipher: " + err.Error()) // the key has the cipher's size
	}
	clear(c.key)
	c.key, c.b, c.left = next, b, c.section
}

func (c *ctr) XORKeyStream(dst, src []byte) {
	if len(dst) < len(src) {
		panic("gost3413: output smaller than input")
	}
	for len(src) > 0 {
		if c.off == len(c.buf) {
			c.refill()
		}
		n := subtle.XORBytes(dst, src, c.buf[c.off:])
		c.off += n
		src, dst = src[n:], dst[n:]
	}
}

// acpkm is ACPKM of RFC 8645 §6.1: the first keySize bytes of the
// encryption of D = 80 81 ... 9f (as many blocks as that takes) under the
// current key.
func acpkm(b cipher.Block, keySize int) []byte {
	n := b.BlockSize()
	d := make([]byte, (keySize+n-1)/n*n)
	for i := range d {
		d[i] = 0x80 + byte(i)
	}
	for i := 0; i < len(d); i += n {
		b.Encrypt(d[i:], d[i:])
	}
	return d[:keySize]
}
