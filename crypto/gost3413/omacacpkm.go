package gost3413

import (
	"bytes"
	"crypto/cipher"
	"crypto/subtle"
	"fmt"
	"hash"
)

// omacACPKM is OMAC-ACPKM (R 1323565.1.017-2018; OMAC-ACPKM-Master in RFC
// 8645): OMAC whose cipher key and last-block subkey change every section.
type omacACPKM struct {
	newCipher func([]byte) (cipher.Block, error)
	master    []byte // the master key, to start over on Reset
	n         int    // block size
	rb        byte   // B_n
	size      int
	blocks    int // blocks per section
	tstar     int // master section size T*, bytes

	keys cipher.Stream // ACPKM-Master: key material K^1 | K1^1 | K^2 | K1^2 ...
	b    cipher.Block  // E under K^i, the current section's key
	k1   []byte        // K1^i
	used int           // blocks of the current section already encrypted
	c    []byte        // the chaining value
	buf  []byte        // the unprocessed tail, up to one block, kept for the last step
}

// NewOMACACPKM returns OMAC-ACPKM, the message authentication code of
// R 1323565.1.017-2018 (called OMAC-ACPKM-Master in RFC 8645): OMAC
// (GOST R 34.13-2015 §5.6) of the message in sections of sectionSize bytes,
// each section under its own cipher key K^i, the last block under the last
// section's subkey K1^i (or K1^i shifted, as in OMAC, when the last block
// is padded). The keys K^1 | K1^1 | K^2 | K1^2 | ... are ACPKM-Master
// (RFC 8645): the CTR-ACPKM key stream under key, with section
// masterSectionSize bytes and the IV of all one bits (half a block).
//
// newCipher makes the block cipher from a key (kuznyechik.NewCipher,
// magma.NewCipher); sectionSize and masterSectionSize must be positive
// multiples of the block size; the tag is truncated to size bytes (1 to the
// block size). The examples of R 1323565.1.017-2018 use sections of two
// blocks and master sections of 80 bytes (Magma) or 96 (Kuznyechik); the
// GOST engine's kuznyechik-ctr-acpkm-omac uses 4096 and 4096.
func NewOMACACPKM(newCipher func([]byte) (cipher.Block, error), key []byte, sectionSize, masterSectionSize, size int) (hash.Hash, error) {
	b, err := newCipher(key)
	if err != nil {
		return nil, fmt.Errorf("gost3413: %w", err)
	}
	n := b.BlockSize()
	var rb byte
	switch n {
	case 16:
		rb = 0x87
	case 8:
		rb = 0x1b
	default:
		return nil, fmt.Errorf("gost3413: OMAC-ACPKM with a %d-byte block is not defined", n)
	}
	if size < 1 || size > n {
		return nil, fmt.Errorf("gost3413: OMAC-ACPKM size %d is outside 1 to %d bytes", size, n)
	}
	if sectionSize <= 0 || sectionSize%n != 0 {
		return nil, fmt.Errorf("gost3413: OMAC-ACPKM section size %d is not a positive multiple of the block size %d", sectionSize, n)
	}
	if masterSectionSize <= 0 || masterSectionSize%n != 0 {
		return nil, fmt.Errorf("gost3413: ACPKM-Master section size %d is not a positive multiple of the block size %d", masterSectionSize, n)
	}
	m := &omacACPKM{
		newCipher: newCipher,
		master:    append([]byte(nil), key...),
		n:         n,
		rb:        rb,
		size:      size,
		blocks:    sectionSize / n,
		tstar:     masterSectionSize,
		c:         make([]byte, n),
		buf:       make([]byte, 0, n),
	}
	m.Reset()
	return m, nil
}

// Reset starts ACPKM-Master over and takes the first section's keys.
func (m *omacACPKM) Reset() {
	keys, err := NewCTRACPKM(m.newCipher, m.master, bytes.Repeat([]byte{0xff}, m.n/2), m.tstar)
	if err != nil {
		panic("gost3413: " + err.Error()) // checked by NewOMACACPKM
	}
	m.keys = keys
	clear(m.c)
	m.buf = m.buf[:0]
	m.nextSection()
}

// nextSection takes the next K^i and K1^i from ACPKM-Master.
func (m *omacACPKM) nextSection() {
	k := make([]byte, len(m.master)+m.n)
	m.keys.XORKeyStream(k, k)
	b, err := m.newCipher(k[:len(m.master)])
	if err != nil {
		panic("gost3413: ACPKM-Master key rejected by the cipher: " + err.Error()) // the key has the master key's size
	}
	clear(k[:len(m.master)])
	if m.k1 != nil {
		clear(m.k1)
	}
	m.b, m.k1, m.used = b, k[len(m.master):], 0
}

func (m *omacACPKM) Write(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 {
		if len(m.buf) == m.n {
			// Only now is it known that the buffered block is not the last.
			subtle.XORBytes(m.c, m.c, m.buf)
			m.b.Encrypt(m.c, m.c)
			m.buf = m.buf[:0]
			if m.used++; m.used == m.blocks {
				// A block follows (the one being written), in the next section.
				m.nextSection()
			}
		}
		k := min(m.n-len(m.buf), len(p))
		m.buf = append(m.buf, p[:k]...)
		p = p[k:]
	}
	return total, nil
}

func (m *omacACPKM) Sum(in []byte) []byte {
	last := make([]byte, m.n)
	copy(last, m.buf)
	k := m.k1
	if len(m.buf) < m.n {
		last[len(m.buf)] = 0x80
		k = shift(m.k1, m.rb)
	}
	subtle.XORBytes(last, last, m.c)
	subtle.XORBytes(last, last, k)
	m.b.Encrypt(last, last)
	return append(in, last[:m.size]...)
}

func (m *omacACPKM) Size() int      { return m.size }
func (m *omacACPKM) BlockSize() int { return m.n }
