package gost28147

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"
)

// meshingKey is the constant C of RFC 4357 §2.3.2: the next key is C
// decrypted under the current one.
var meshingKey = [KeySize]byte{
	0x69, 0x00, 0x72, 0x22, 0x64, 0xc9, 0x04, 0x23, 0x8d, 0x3a, 0xdb, 0x96, 0x46, 0xe9, 0x2a, 0xc4,
	0x18, 0xfe, 0xac, 0x94, 0x00, 0xed, 0x07, 0x12, 0xc0, 0x86, 0xdc, 0xc2, 0xef, 0x4c, 0xa9, 0x2b,
}

// meshingPeriod is how many bytes one key processes before CryptoPro key
// meshing replaces it.
const meshingPeriod = 1024

// cfb is CFB-64 with CryptoPro key meshing.
type cfb struct {
	c       Cipher  // a copy: meshing changes the key
	reg     [8]byte // the feedback register: the last ciphertext block
	gamma   [8]byte // E(reg), the keystream of the current block
	used    int     // bytes of gamma consumed
	blocks  int     // blocks of keystream made under the current key
	decrypt bool
}

// NewCFBEncrypter returns GOST 28147-89 in 64-bit cipher feedback mode with
// CryptoPro key meshing (RFC 4357 §2.3, every 1024 bytes), the encryption
// OpenSSL's GOST engine calls gost89 and that PBES2 in GOST PFX files and
// encrypted keys uses. iv is 8 bytes.
func NewCFBEncrypter(key []byte, sbox *SBox, iv []byte) (cipher.Stream, error) {
	return newCFB(key, sbox, iv, false)
}

// NewCFBDecrypter returns the decrypting side of NewCFBEncrypter.
func NewCFBDecrypter(key []byte, sbox *SBox, iv []byte) (cipher.Stream, error) {
	return newCFB(key, sbox, iv, true)
}

func newCFB(key []byte, sbox *SBox, iv []byte, decrypt bool) (cipher.Stream, error) {
	if len(iv) != BlockSize {
		return nil, errors.New("gost28147: CFB IV length must be 8 bytes")
	}
	c, err := NewCipher(key, sbox)
	if err != nil {
		return nil, err
	}
	s := &cfb{c: *c, used: BlockSize, decrypt: decrypt}
	copy(s.reg[:], iv)
	return s, nil
}

// mesh replaces the key when the current one has made 1024 bytes (RFC
// 4357 §2.3.2: the key becomes C decrypted under it, and the register is
// encrypted under the new key).
func (s *cfb) mesh() {
	var k [KeySize]byte
	for i := 0; i < KeySize; i += BlockSize {
		s.c.Decrypt(k[i:], meshingKey[i:])
	}
	s.c.setKey(k[:])
	clear(k[:])
	s.c.Encrypt(s.reg[:], s.reg[:])
	s.blocks = 0
}

func (s *cfb) XORKeyStream(dst, src []byte) {
	if len(dst) < len(src) {
		panic("gost28147: output smaller than input")
	}
	for len(src) > 0 {
		if s.used == BlockSize && len(src) >= BlockSize {
			n := s.blocks8(dst, src)
			src, dst = src[n:], dst[n:]
			continue
		}
		if s.used == BlockSize {
			if s.blocks == meshingPeriod/BlockSize {
				s.mesh()
			}
			s.c.Encrypt(s.gamma[:], s.reg[:])
			s.blocks++
			s.used = 0
		}
		in := src[0]
		out := in ^ s.gamma[s.used]
		if s.decrypt {
			s.reg[s.used] = in
		} else {
			s.reg[s.used] = out
		}
		dst[0] = out
		s.used++
		src, dst = src[1:], dst[1:]
	}
}

// blocks8 processes the whole blocks at the start of src with the
// register in two words, and returns how many bytes it did.
func (s *cfb) blocks8(dst, src []byte) int {
	le := binary.LittleEndian
	r1, r2 := le.Uint32(s.reg[:]), le.Uint32(s.reg[4:])
	done := 0
	for ; len(src)-done >= BlockSize; done += BlockSize {
		if s.blocks == meshingPeriod/BlockSize {
			le.PutUint32(s.reg[:], r1)
			le.PutUint32(s.reg[4:], r2)
			s.mesh()
			r1, r2 = le.Uint32(s.reg[:]), le.Uint32(s.reg[4:])
		}
		g1, g2 := s.c.t.Encrypt(&s.c.k, r1, r2)
		i1, i2 := le.Uint32(src[done:]), le.Uint32(src[done+4:])
		o1, o2 := i1^g1, i2^g2
		le.PutUint32(dst[done:], o1)
		le.PutUint32(dst[done+4:], o2)
		if s.decrypt {
			r1, r2 = i1, i2
		} else {
			r1, r2 = o1, o2
		}
		s.blocks++
	}
	le.PutUint32(s.reg[:], r1)
	le.PutUint32(s.reg[4:], r2)
	return done
}
