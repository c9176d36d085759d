package gost28147

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"
)

// The counter constants of RFC 5830 §6.1.
const (
	cntC1 = 0x01010104 // added to N4, modulo 2^32 - 1
	cntC2 = 0x01010101 // added to N3, modulo 2^32
)

// cnt is the counter ("gamma") mode of GOST 28147-89 with CryptoPro key
// meshing.
type cnt struct {
	c      Cipher
	n      [8]byte // the counter (N3, N4), little-endian words
	gamma  [8]byte
	used   int
	blocks int
}

// NewCNT returns the counter mode of GOST 28147-89 (RFC 5830 §6, "gamma"
// mode): the IV encrypted once gives the counter, whose halves are
// incremented by C2 modulo 2^32 and by C1 modulo 2^32 - 1 before each block
// is encrypted into key stream, with CryptoPro key meshing every 1024 bytes
// (RFC 4357 §2.3), as OpenSSL's GOST engine does for gost89-cnt. iv is 8
// bytes.
func NewCNT(key []byte, sbox *SBox, iv []byte) (cipher.Stream, error) {
	if len(iv) != BlockSize {
		return nil, errors.New("gost28147: CNT IV length must be 8 bytes")
	}
	c, err := NewCipher(key, sbox)
	if err != nil {
		return nil, err
	}
	s := &cnt{c: *c, used: BlockSize}
	c.Encrypt(s.n[:], iv)
	return s, nil
}

// next makes the key stream of the next block.
func (s *cnt) next() {
	if s.blocks == meshingPeriod/BlockSize {
		var k [KeySize]byte
		for i := 0; i < KeySize; i += BlockSize {
			s.c.Decrypt(k[i:], meshingKey[i:])
		}
		s.c.setKey(k[:])
		clear(k[:])
		s.c.Encrypt(s.n[:], s.n[:])
		s.blocks = 0
	}
	le := binary.LittleEndian
	n3 := le.Uint32(s.n[:]) + cntC2
	n4 := le.Uint32(s.n[4:])
	sum := uint64(n4) + cntC1
	n4 = uint32(sum) + uint32(sum>>32) // modulo 2^32 - 1: fold the carry back in
	le.PutUint32(s.n[:], n3)
	le.PutUint32(s.n[4:], n4)
	s.c.Encrypt(s.gamma[:], s.n[:])
	s.blocks++
	s.used = 0
}

func (s *cnt) XORKeyStream(dst, src []byte) {
	if len(dst) < len(src) {
		panic("gost28147: output smaller than input")
	}
	for i, in := range src {
		if s.used == BlockSize {
			s.next()
		}
		dst[i] = in ^ s.gamma[s.used]
		s.used++
	}
}
