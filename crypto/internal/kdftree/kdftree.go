// Package kdftree is KDF_TREE_GOSTR3411_2012_256, the key derivation
// function of R 50.1.113-2016 (RFC 7836 §4.5): HMAC-Streebog-256 in counter
// mode, which turns one 256-bit key into several,
//
//	K(i) = HMAC_GOSTR3411_2012_256(K_in, [i]_b || label || 0x00 || seed || [L]_b)
//	KDF_TREE(K_in, label, seed, R) = K(1) || K(2) || ... || K(L/256)
//
// where [i]_b is the counter in R bytes (1 to 4) and [L]_b the output
// length in bits, both big-endian, [L]_b in as few bytes as hold it (two
// for the 512 bits RFC 9337 asks of it). crypto/internal/gostpbes2 uses it
// to split a PBKDF2 key into the encryption and MAC keys of the
// CTR-ACPKM-OMAC schemes (RFC 9337; label "kdf tree", R = 1).
//
// The function keeps no state and is safe for concurrent use. The caller
// clears the returned keys when done.
package kdftree

import (
	"crypto/hmac"
	"errors"

	"github.com/gostca/gostca/crypto/streebog"
)

// blockSize is the output of one HMAC-Streebog-256 step.
const blockSize = 32

// Streebog256 returns length bytes of KDF_TREE_GOSTR3411_2012_256(key,
// label, seed, r). length must be a positive multiple of 32 whose block
// count fits the r-byte counter.
func Streebog256(key, label, seed []byte, r, length int) ([]byte, error) {
	if r < 1 || r > 4 {
		return nil, errors.New("kdftree: counter size R must be 1 to 4 bytes")
	}
	n := length / blockSize
	if length <= 0 || length%blockSize != 0 || uint64(n) >= 1<<(8*uint(r)) || length > 1<<28 {
		return nil, errors.New("kdftree: output length must be a positive multiple of 32 bytes that the counter can count")
	}
	bits := uint64(length) * 8
	var lb []byte
	for v := bits; v > 0; v >>= 8 {
		lb = append([]byte{byte(v)}, lb...)
	}
	mac := hmac.New(streebog.New256, key)
	out := make([]byte, 0, length)
	counter := make([]byte, r)
	for i := 1; i <= n; i++ {
		for j := range r {
			counter[j] = byte(uint64(i) >> (8 * uint(r-1-j)))
		}
		mac.Reset()
		mac.Write(counter)
		mac.Write(label)
		mac.Write([]byte{0})
		mac.Write(seed)
		mac.Write(lb)
		out = mac.Sum(out)
	}
	return out, nil
}
