// Package magma implements Magma, the 64-bit block cipher of GOST R
// 34.12-2015 (RFC 8891), as a [cipher.Block].
//
// Magma is GOST 28147-89 with the S-box of the standard (id-tc26-gost-28147-
// param-Z) and big-endian byte order for the key and the block; package
// github.com/gostca/gostca/crypto/gost28147 is the same network with the
// older byte order and a choice of S-boxes. The modes of GOST R 34.13-2015
// (CTR, CFB, OMAC, ACPKM) are in github.com/gostca/gostca/crypto/gost3413.
//
// # Security
//
// The implementation uses lookup tables indexed by secret data (the S-box
// and rotation folded into four 8→32-bit tables). It leaks through cache
// timing to code sharing the CPU, as table-driven AES does; it has no
// secret-dependent branches. A 64-bit block limits the data one key may
// protect: GOST R 34.13-2015 and RFC 8645 bound it, which is what the ACPKM
// re-keying of gost3413 is for.
//
// # Concurrency
//
// A Block is safe for concurrent use once created.
package magma

import (
	"crypto/cipher"
	"encoding/binary"
	"strconv"

	"github.com/gostca/gostca/crypto/internal/feistel"
)

// BlockSize is the Magma block size in bytes.
const BlockSize = 8

// KeySize is the Magma key size in bytes.
const KeySize = 32

// KeySizeError is returned by NewCipher for a key that is not KeySize bytes.
type KeySizeError int

// Error names the invalid size.
func (k KeySizeError) Error() string {
	return "magma: invalid key size " + strconv.Itoa(int(k))
}

// sboxZ is the S-box of GOST R 34.12-2015 §4.1 (RFC 8891 §4.1, Pi'_0 to
// Pi'_7), id-tc26-gost-28147-param-Z.
var sboxZ = feistel.SBox{
	{12, 4, 6, 2, 10, 5, 11, 9, 14, 8, 13, 7, 0, 3, 15, 1},
	{6, 8, 2, 3, 9, 10, 5, 12, 1, 14, 4, 7, 11, 13, 0, 15},
	{11, 3, 5, 8, 2, 15, 10, 13, 14, 1, 7, 4, 12, 9, 6, 0},
	{12, 8, 2, 1, 13, 4, 15, 6, 7, 0, 10, 5, 3, 14, 9, 11},
	{7, 15, 5, 10, 8, 1, 6, 13, 0, 9, 3, 14, 11, 4, 2, 12},
	{5, 13, 15, 6, 9, 2, 12, 10, 11, 7, 8, 1, 4, 3, 14, 0},
	{8, 14, 2, 5, 6, 9, 1, 12, 15, 4, 11, 0, 13, 10, 3, 7},
	{1, 7, 14, 13, 0, 5, 8, 3, 4, 15, 10, 6, 9, 12, 11, 2},
}

var tables = feistel.Expand(&sboxZ)

type magmaCipher struct {
	k [8]uint32
}

// NewCipher returns Magma with the 32-byte key, written as in RFC 8891
// (the first byte is the most significant of the round key K1).
func NewCipher(key []byte) (cipher.Block, error) {
	if len(key) != KeySize {
		return nil, KeySizeError(len(key))
	}
	c := new(magmaCipher)
	for i := range c.k {
		c.k[i] = binary.BigEndian.Uint32(key[4*i:])
	}
	return c, nil
}

func (c *magmaCipher) BlockSize() int { return BlockSize }

func (c *magmaCipher) Encrypt(dst, src []byte) {
	check(dst, src)
	a, b := tables.Encrypt(&c.k, binary.BigEndian.Uint32(src[4:]), binary.BigEndian.Uint32(src))
	binary.BigEndian.PutUint32(dst, b)
	binary.BigEndian.PutUint32(dst[4:], a)
}

func (c *magmaCipher) Decrypt(dst, src []byte) {
	check(dst, src)
	a, b := tables.Decrypt(&c.k, binary.BigEndian.Uint32(src[4:]), binary.BigEndian.Uint32(src))
	binary.BigEndian.PutUint32(dst, b)
	binary.BigEndian.PutUint32(dst[4:], a)
}

// EncryptBlocks encrypts the whole blocks of src into dst, two at a time
// (github.com/gostca/gostca/crypto/gost3413's counter mode looks for this
// method). dst and src may overlap entirely.
func (c *magmaCipher) EncryptBlocks(dst, src []byte) {
	if len(dst) < len(src) {
		panic("magma: output smaller than input")
	}
	for len(src) >= 2*BlockSize {
		a1, a2, b1, b2 := tables.Encrypt2(&c.k,
			binary.BigEndian.Uint32(src[4:]), binary.BigEndian.Uint32(src),
			binary.BigEndian.Uint32(src[12:]), binary.BigEndian.Uint32(src[8:]))
		binary.BigEndian.PutUint32(dst, a2)
		binary.BigEndian.PutUint32(dst[4:], a1)
		binary.BigEndian.PutUint32(dst[8:], b2)
		binary.BigEndian.PutUint32(dst[12:], b1)
		src, dst = src[2*BlockSize:], dst[2*BlockSize:]
	}
	if len(src) >= BlockSize {
		c.Encrypt(dst, src)
	}
}

// check panics, as the standard library's block ciphers do, on a misuse
// of the cipher.Block interface (a programming error, not bad input).
func check(dst, src []byte) {
	if len(src) < BlockSize {
		panic("magma: input not full block")
	}
	if len(dst) < BlockSize {
		panic("magma: output not full block")
	}
}
