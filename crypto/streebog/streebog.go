// Package streebog implements the GOST R 34.11-2012 hash function
// ("Streebog", RFC 6986) with 256-bit and 512-bit output.
//
// # Scope
//
// The package provides the two hash functions of the standard as
// [hash.Hash] values ([New256], [New512]) and one-shot helpers ([Sum256],
// [Sum512]). The values work with crypto/hmac (HMAC_GOSTR3411_2012_256 and
// HMAC_GOSTR3411_2012_512 of RFC 7836) and crypto/pbkdf2. They implement
// [encoding.BinaryMarshaler], [encoding.BinaryAppender],
// [encoding.BinaryUnmarshaler] and [hash.Cloner], so a hash state can be
// saved mid-stream and resumed.
//
// Messages are byte strings; the bit-granular messages that the standard
// also defines are not supported.
//
// # Byte order
//
// RFC 6986 writes messages and hash codes as big numbers, most significant
// digit first. This package, like OpenSSL's md_gost12_256/md_gost12_512 and
// every other implementation, reads a message as a byte stream whose first
// byte is the least significant byte of the RFC's number, and Sum returns the
// hash code in the same little-endian stream order: the bytes that
// "openssl dgst" prints. The digest that GOST R 34.10-2012 signs is this
// byte string.
//
// # Security and concurrency
//
// The compression function uses lookup tables indexed by message and state
// bytes, so it is not constant-time with respect to cache-timing attacks;
// it is the standard table-driven implementation of the function.
//
// A [hash.Hash] returned by [New256] or [New512] is not safe for concurrent
// use by multiple goroutines. The package-level functions [Sum256] and
// [Sum512] are safe for concurrent use.
package streebog

//go:generate go run gen_tables.go
//go:generate go run gen_lps.go

import (
	"encoding/binary"
	"errors"
	"hash"
	"math/bits"
)

const (
	// Size256 is the size in bytes of a GOST R 34.11-2012 256-bit hash code.
	Size256 = 32
	// Size512 is the size in bytes of a GOST R 34.11-2012 512-bit hash code.
	Size512 = 64
	// BlockSize is the block size of GOST R 34.11-2012 in bytes, for both
	// output sizes.
	BlockSize = 64
)

// State marshaling: magic, h, N, Sigma (eight little-endian words each),
// the pending input padded to a full block, and the count of pending bytes.
const (
	magic256      = "streebog256\x01"
	magic512      = "streebog512\x01"
	marshaledSize = len(magic256) + 3*8*8 + BlockSize + 1
)

var (
	errStateID   = errors.New("streebog: invalid hash state identifier")
	errStateSize = errors.New("streebog: invalid hash state size")
	errStateData = errors.New("streebog: invalid hash state")
)

// digest is a GOST R 34.11-2012 hash state. A 512-bit vector of the standard
// is held as eight little-endian 64-bit words, word 0 the least significant.
type digest struct {
	h     [8]uint64       // chaining value
	n     [8]uint64       // N: number of message bits processed, mod 2^512
	sigma [8]uint64       // Sigma: sum of the processed blocks, mod 2^512
	x     [BlockSize]byte // pending input
	nx    int             // number of pending bytes in x, always < BlockSize
	size  int             // Size256 or Size512
}

// New256 returns a new hash.Hash computing the GOST R 34.11-2012 256-bit
// hash. The value also implements [encoding.BinaryMarshaler],
// [encoding.BinaryAppender], [encoding.BinaryUnmarshaler] and [hash.Cloner].
func New256() hash.Hash {
	d := &digest{size: Size256}
	d.Reset()
	return d
}

// New512 returns a new hash.Hash computing the GOST R 34.11-2012 512-bit
// hash. The value also implements [encoding.BinaryMarshaler],
// [encoding.BinaryAppender], [encoding.BinaryUnmarshaler] and [hash.Cloner].
func New512() hash.Hash {
	d := &digest{size: Size512}
	d.Reset()
	return d
}

// Sum256 returns the GOST R 34.11-2012 256-bit hash of data, in the byte
// order that [hash.Hash.Sum] and OpenSSL use.
func Sum256(data []byte) [Size256]byte {
	d := digest{size: Size256}
	d.Reset()
	d.Write(data)
	var out [Size256]byte
	d.checkSum(out[:])
	return out
}

// Sum512 returns the GOST R 34.11-2012 512-bit hash of data, in the byte
// order that [hash.Hash.Sum] and OpenSSL use.
func Sum512(data []byte) [Size512]byte {
	d := digest{size: Size512}
	d.Reset()
	d.Write(data)
	var out [Size512]byte
	d.checkSum(out[:])
	return out
}

// Reset resets the hash to its initial state: IV = 0^512 for the 512-bit
// hash and (00000001)^64 for the 256-bit hash (RFC 6986 section 6.1).
func (d *digest) Reset() {
	iv := uint64(0)
	if d.size == Size256 {
		iv = 0x0101010101010101
	}
	for i := range d.h {
		d.h[i] = iv
	}
	d.n = [8]uint64{}
	d.sigma = [8]uint64{}
	d.x = [BlockSize]byte{}
	d.nx = 0
}

// Size returns the number of bytes Sum appends: 32 or 64.
func (d *digest) Size() int { return d.size }

// BlockSize returns the block size of the hash, 64 bytes.
func (d *digest) BlockSize() int { return BlockSize }

// Write adds p to the running hash. It never returns an error.
func (d *digest) Write(p []byte) (int, error) {
	n := len(p)
	if d.nx > 0 {
		c := copy(d.x[d.nx:], p)
		d.nx += c
		p = p[c:]
		if d.nx < BlockSize {
			return n, nil
		}
		d.block(&d.x)
		d.nx = 0
	}
	for len(p) >= BlockSize {
		d.block((*[BlockSize]byte)(p))
		p = p[BlockSize:]
	}
	d.nx = copy(d.x[:], p)
	return n, nil
}

// Sum appends the hash of the data written so far to b and returns the
// result. It does not change the state of the hash.
func (d *digest) Sum(b []byte) []byte {
	d0 := *d
	var out [Size512]byte
	d0.checkSum(out[:d0.size])
	return append(b, out[:d0.size]...)
}

// Clone returns an independent copy of the hash state. The error is always
// nil.
func (d *digest) Clone() (hash.Cloner, error) {
	d0 := *d
	return &d0, nil
}

// block processes one full message block (RFC 6986 section 9, steps 2.3 to
// 2.5).
func (d *digest) block(p *[BlockSize]byte) {
	var m [8]uint64
	for i := range m {
		m[i] = binary.LittleEndian.Uint64(p[8*i:])
	}
	g(&d.h, &d.n, &m)
	var c uint64
	d.n[0], c = bits.Add64(d.n[0], 8*BlockSize, 0)
	for i := 1; i < 8 && c != 0; i++ {
		d.n[i], c = bits.Add64(d.n[i], 0, c)
	}
	add512(&d.sigma, &m)
}

// checkSum finishes the hash (RFC 6986 section 9, step 3) and writes the
// d.size-byte hash code to out. It changes d.
func (d *digest) checkSum(out []byte) {
	// Step 3.1: m = 0^(511-|M|) || 1 || M, in stream order M, 0x01, zeros.
	d.x[d.nx] = 0x01
	clear(d.x[d.nx+1:])
	var m [8]uint64
	for i := range m {
		m[i] = binary.LittleEndian.Uint64(d.x[8*i:])
	}
	g(&d.h, &d.n, &m)
	var c uint64
	d.n[0], c = bits.Add64(d.n[0], uint64(8*d.nx), 0)
	for i := 1; i < 8 && c != 0; i++ {
		d.n[i], c = bits.Add64(d.n[i], 0, c)
	}
	add512(&d.sigma, &m)
	var zero [8]uint64
	g(&d.h, &zero, &d.n)
	g(&d.h, &zero, &d.sigma)
	// The 256-bit hash is MSB_256(h): words 4..7.
	first := 8 - d.size/8
	for i := first; i < 8; i++ {
		binary.LittleEndian.PutUint64(out[8*(i-first):], d.h[i])
	}
}

// add512 sets a to a + b mod 2^512.
func add512(a, b *[8]uint64) {
	var c uint64
	a[0], c = bits.Add64(a[0], b[0], 0)
	a[1], c = bits.Add64(a[1], b[1], c)
	a[2], c = bits.Add64(a[2], b[2], c)
	a[3], c = bits.Add64(a[3], b[3], c)
	a[4], c = bits.Add64(a[4], b[4], c)
	a[5], c = bits.Add64(a[5], b[5], c)
	a[6], c = bits.Add64(a[6], b[6], c)
	a[7], _ = bits.Add64(a[7], b[7], c)
}

// gGeneric sets h to the round function g_N(h, m) = E(LPS(h ^ N), m) ^ h ^ m
// of RFC 6986 section 8. On amd64 g is its assembly version (g_amd64.s),
// elsewhere and under the purego build tag it is this.
func gGeneric(h, n, m *[8]uint64) {
	var k, s [8]uint64
	lpsXor(&k, h, n)
	s = *m
	for r := range iterC {
		// s = LPS(X[K_r](s)); K_(r+1) = LPS(K_r ^ C_r).
		lpsXor(&s, &s, &k)
		lpsXor(&k, &k, &iterC[r])
	}
	for i := range h {
		h[i] ^= s[i] ^ k[i] ^ m[i]
	}
}

// lpsXor sets dst to L(P(S(a ^ b))); dst may alias a or b. Output word r
// takes byte r of every input word c (the transposition P), substituted by
// Pi and multiplied by A: lpsTable[c] holds both steps for byte position c.
// It walks each input word once, a byte at a time, into eight accumulators.
func lpsXor(dst, a, b *[8]uint64) {
	t := &lpsTable
	var d0, d1, d2, d3, d4, d5, d6, d7 uint64
	x := a[0] ^ b[0]
	d0 = t[0][byte(x)]
	x >>= 8
	d1 = t[0][byte(x)]
	x >>= 8
	d2 = t[0][byte(x)]
	x >>= 8
	d3 = t[0][byte(x)]
	x >>= 8
	d4 = t[0][byte(x)]
	x >>= 8
	d5 = t[0][byte(x)]
	x >>= 8
	d6 = t[0][byte(x)]
	x >>= 8
	d7 = t[0][byte(x)]
	x = a[1] ^ b[1]
	d0 ^= t[1][byte(x)]
	x >>= 8
	d1 ^= t[1][byte(x)]
	x >>= 8
	d2 ^= t[1][byte(x)]
	x >>= 8
	d3 ^= t[1][byte(x)]
	x >>= 8
	d4 ^= t[1][byte(x)]
	x >>= 8
	d5 ^= t[1][byte(x)]
	x >>= 8
	d6 ^= t[1][byte(x)]
	x >>= 8
	d7 ^= t[1][byte(x)]
	x = a[2] ^ b[2]
	d0 ^= t[2][byte(x)]
	x >>= 8
	d1 ^= t[2][byte(x)]
	x >>= 8
	d2 ^= t[2][byte(x)]
	x >>= 8
	d3 ^= t[2][byte(x)]
	x >>= 8
	d4 ^= t[2][byte(x)]
	x >>= 8
	d5 ^= t[2][byte(x)]
	x >>= 8
	d6 ^= t[2][byte(x)]
	x >>= 8
	d7 ^= t[2][byte(x)]
	x = a[3] ^ b[3]
	d0 ^= t[3][byte(x)]
	x >>= 8
	d1 ^= t[3][byte(x)]
	x >>= 8
	d2 ^= t[3][byte(x)]
	x >>= 8
	d3 ^= t[3][byte(x)]
	x >>= 8
	d4 ^= t[3][byte(x)]
	x >>= 8
	d5 ^= t[3][byte(x)]
	x >>= 8
	d6 ^= t[3][byte(x)]
	x >>= 8
	d7 ^= t[3][byte(x)]
	x = a[4] ^ b[4]
	d0 ^= t[4][byte(x)]
	x >>= 8
	d1 ^= t[4][byte(x)]
	x >>= 8
	d2 ^= t[4][byte(x)]
	x >>= 8
	d3 ^= t[4][byte(x)]
	x >>= 8
	d4 ^= t[4][byte(x)]
	x >>= 8
	d5 ^= t[4][byte(x)]
	x >>= 8
	d6 ^= t[4][byte(x)]
	x >>= 8
	d7 ^= t[4][byte(x)]
	x = a[5] ^ b[5]
	d0 ^= t[5][byte(x)]
	x >>= 8
	d1 ^= t[5][byte(x)]
	x >>= 8
	d2 ^= t[5][byte(x)]
	x >>= 8
	d3 ^= t[5][byte(x)]
	x >>= 8
	d4 ^= t[5][byte(x)]
	x >>= 8
	d5 ^= t[5][byte(x)]
	x >>= 8
	d6 ^= t[5][byte(x)]
	x >>= 8
	d7 ^= t[5][byte(x)]
	x = a[6] ^ b[6]
	d0 ^= t[6][byte(x)]
	x >>= 8
	d1 ^= t[6][byte(x)]
	x >>= 8
	d2 ^= t[6][byte(x)]
	x >>= 8
	d3 ^= t[6][byte(x)]
	x >>= 8
	d4 ^= t[6][byte(x)]
	x >>= 8
	d5 ^= t[6][byte(x)]
	x >>= 8
	d6 ^= t[6][byte(x)]
	x >>= 8
	d7 ^= t[6][byte(x)]
	x = a[7] ^ b[7]
	d0 ^= t[7][byte(x)]
	x >>= 8
	d1 ^= t[7][byte(x)]
	x >>= 8
	d2 ^= t[7][byte(x)]
	x >>= 8
	d3 ^= t[7][byte(x)]
	x >>= 8
	d4 ^= t[7][byte(x)]
	x >>= 8
	d5 ^= t[7][byte(x)]
	x >>= 8
	d6 ^= t[7][byte(x)]
	x >>= 8
	d7 ^= t[7][byte(x)]
	dst[0], dst[1], dst[2], dst[3] = d0, d1, d2, d3
	dst[4], dst[5], dst[6], dst[7] = d4, d5, d6, d7
}

// MarshalBinary returns the hash state, to be restored with UnmarshalBinary.
func (d *digest) MarshalBinary() ([]byte, error) {
	return d.AppendBinary(make([]byte, 0, marshaledSize))
}

// AppendBinary appends the hash state to b, as MarshalBinary returns it.
func (d *digest) AppendBinary(b []byte) ([]byte, error) {
	if d.size == Size256 {
		b = append(b, magic256...)
	} else {
		b = append(b, magic512...)
	}
	for _, v := range [...]*[8]uint64{&d.h, &d.n, &d.sigma} {
		for _, w := range v {
			b = binary.LittleEndian.AppendUint64(b, w)
		}
	}
	b = append(b, d.x[:d.nx]...)
	b = append(b, make([]byte, BlockSize-d.nx)...)
	return append(b, byte(d.nx)), nil
}

// UnmarshalBinary restores a hash state written by MarshalBinary of a hash of
// the same size. On error the hash is left unchanged.
func (d *digest) UnmarshalBinary(b []byte) error {
	magic := magic512
	if d.size == Size256 {
		magic = magic256
	}
	if len(b) < len(magic) || string(b[:len(magic)]) != magic {
		return errStateID
	}
	if len(b) != marshaledSize {
		return errStateSize
	}
	nx := int(b[marshaledSize-1])
	if nx >= BlockSize {
		return errStateData
	}
	b = b[len(magic):]
	for _, v := range [...]*[8]uint64{&d.h, &d.n, &d.sigma} {
		for i := range v {
			v[i] = binary.LittleEndian.Uint64(b)
			b = b[8:]
		}
	}
	copy(d.x[:], b[:BlockSize])
	d.nx = nx
	return nil
}
