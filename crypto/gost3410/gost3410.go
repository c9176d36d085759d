// Package gost3410 implements GOST R 34.10-2012 digital signatures (RFC 7091)
// over every standardised parameter set, 256 and 512 bit, and the encodings
// of its keys.
//
// # Scope
//
// The package signs and verifies digests: callers hash with
// [github.com/gostca/gostca/crypto/streebog] (Streebog-256 for 256-bit keys,
// Streebog-512 for 512-bit keys) and pass the digest exactly as the hash
// returns it. Following RFC 9215 §3 and every interoperable implementation,
// the digest bytes are read as a little-endian integer, and a signature is
// s‖r, each half a big-endian integer of [Params.Size] bytes: the octets of
// an X.509 signatureValue. CryptoPro CSP's CryptoAPI blobs are the byte
// reversal of that form.
//
// Keys encode as raw bytes (little-endian, as PKCS#11 tokens and the GOST
// engine hold them), as SubjectPublicKeyInfo (RFC 9215 §4) and as PKCS#8
// PrivateKeyInfo in the form OpenSSL's GOST engine writes.
//
// # Security
//
// *PrivateKey is a [crypto.Signer]. Signing is constant time in the private
// key and the nonce: the arithmetic is fixed-width limb arithmetic in
// crypto/internal/gostec, with no math/big, no secret-dependent branch, no
// secret-dependent table index and no variable-time instruction (k·G scans
// every table entry with masks and uses complete addition formulas, the
// inversion of Z is an exponentiation by the public p − 2, the scalar
// arithmetic modulo q is Montgomery multiplication, and the assembly is
// straight-line MULX/ADX code). What may branch is public: rejection of a
// random candidate nonce, which is then discarded, and the negligible retry
// for r = 0 or s = 0. Nonces are hedged: k is derived from fresh
// randomness, the private key and the digest together (with SHA-512, which
// unlike Streebog uses no lookup tables), so a weak random source alone does
// not reveal the key. Sign allocates nothing but the signature it returns.
//
// The claim is checked, not only argued: testdata/ctcheck.sh runs one
// signature under valgrind's callgrind for three very different (key,
// nonce) pairs on every parameter set and requires the same per-instruction
// execution counts (make it part of a release check; it needs valgrind and
// takes about two minutes).
//
// Verification and the parsing of public keys may take variable time (NAF
// multiplication, math/big inversion of the digest scalar): all their
// inputs are public. Public keys are checked to lie in the prime-order
// subgroup when they are made or parsed.
//
// Keys are immutable and safe for concurrent use.
package gost3410

import (
	"crypto"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/gostca/gostca/crypto/internal/gostec"
)

var (
	// ErrUnknownParams is wrapped by errors for an OID or name that names
	// no supported parameter set.
	ErrUnknownParams = errors.New("gost3410: unknown parameter set")
	// ErrInvalidSignature is wrapped by every error of [PublicKey.Verify]
	// that says the signature does not hold: wrong length, r or s out of
	// range, or a mismatch.
	ErrInvalidSignature = errors.New("gost3410: invalid signature")
)

// PublicKey is a GOST R 34.10-2012 public key: a point of the prime-order
// subgroup, not the identity.
type PublicKey struct {
	params *Params
	point  *gostec.Point
	raw    []byte // LE(x) || LE(y)
}

// PrivateKey is a GOST R 34.10-2012 private key, a scalar d in [1, q−1].
type PrivateKey struct {
	pub PublicKey
	d   *gostec.Scalar
}

// NewPublicKey makes a public key from its raw encoding LE(x)‖LE(y) (the
// content of the SPKI OCTET STRING and of a PKCS#11 CKA_VALUE), 2·Size
// bytes. It fails for a wrong length, coordinates out of range, a point not
// on the curve or outside the prime-order subgroup.
func NewPublicKey(params *Params, raw []byte) (*PublicKey, error) {
	size := params.Size()
	if len(raw) != 2*size {
		return nil, fmt.Errorf("gost3410: %s public key is %d bytes, want %d", params, len(raw), 2*size)
	}
	be := make([]byte, 2*size)
	copy(be, raw)
	reverse(be[:size])
	reverse(be[size:])
	point, err := params.ec().NewPoint().SetBytes(be)
	if err != nil {
		return nil, fmt.Errorf("gost3410: invalid %s public key: %w", params, err)
	}
	return &PublicKey{params: params, point: point, raw: append([]byte(nil), raw...)}, nil
}

// Params returns the key's parameter set.
func (pub *PublicKey) Params() *Params { return pub.params }

// Bytes returns the raw encoding LE(x)‖LE(y).
func (pub *PublicKey) Bytes() []byte { return append([]byte(nil), pub.raw...) }

// Equal reports whether x is a *PublicKey with the same parameter set and
// point.
func (pub *PublicKey) Equal(x crypto.PublicKey) bool {
	other, ok := x.(*PublicKey)
	return ok && other.params == pub.params && subtle.ConstantTimeCompare(other.raw, pub.raw) == 1
}

// GenerateKey makes a new private key from rand (normally crypto/rand.Reader).
func GenerateKey(params *Params, rand io.Reader) (*PrivateKey, error) {
	curve := params.ec()
	buf := make([]byte, curve.Size())
	for range 100 {
		if _, err := io.ReadFull(rand, buf); err != nil {
			return nil, fmt.Errorf("gost3410: reading randomness: %w", err)
		}
		if d := curve.NewScalar(); scalarFromCandidate(curve, d, buf) {
			return newPrivateKey(params, d)
		}
	}
	return nil, errors.New("gost3410: random source gave no usable key in 100 tries")
}

// NewPrivateKey makes a private key from its raw encoding: the scalar d as
// Size little-endian bytes (a PKCS#11 CKA_VALUE, the GOST engine's PKCS#8
// content). d must be in [1, q−1].
func NewPrivateKey(params *Params, raw []byte) (*PrivateKey, error) {
	size := params.Size()
	if len(raw) != size {
		return nil, fmt.Errorf("gost3410: %s private key is %d bytes, want %d", params, len(raw), size)
	}
	be := make([]byte, size)
	copy(be, raw)
	reverse(be)
	d, err := params.ec().NewScalar().SetBytes(be)
	if err != nil {
		return nil, fmt.Errorf("gost3410: %s private key is not below the group order", params)
	}
	if d.IsZero() == 1 {
		return nil, fmt.Errorf("gost3410: %s private key is zero", params)
	}
	return newPrivateKey(params, d)
}

func newPrivateKey(params *Params, d *gostec.Scalar) (*PrivateKey, error) {
	point := params.ec().NewPoint().ScalarBaseMult(d)
	be, err := point.Bytes()
	if err != nil {
		return nil, fmt.Errorf("gost3410: public key of the private key: %w", err)
	}
	size := params.Size()
	reverse(be[:size])
	reverse(be[size:])
	return &PrivateKey{pub: PublicKey{params: params, point: point, raw: be}, d: d}, nil
}

// Params returns the key's parameter set.
func (priv *PrivateKey) Params() *Params { return priv.pub.params }

// Public returns the key's *PublicKey.
func (priv *PrivateKey) Public() crypto.PublicKey { return &priv.pub }

// PublicKey returns the key's public half.
func (priv *PrivateKey) PublicKey() *PublicKey { return &priv.pub }

// Bytes returns the raw encoding: d as Size little-endian bytes. It is
// secret.
func (priv *PrivateKey) Bytes() []byte {
	b := priv.d.Bytes()
	reverse(b)
	return b
}

// Equal reports whether x is a *PrivateKey with the same parameter set and
// scalar, in constant time in the scalars.
func (priv *PrivateKey) Equal(x crypto.PrivateKey) bool {
	other, ok := x.(*PrivateKey)
	return ok && other.pub.params == priv.pub.params && other.d.Equal(priv.d) == 1
}

// Sign signs digest, a Streebog digest of Params().Size() bytes as the hash
// returns it, and returns s‖r (2·Size bytes, big-endian halves), the octets
// of an X.509 signatureValue. rand supplies the nonce's randomness (normally
// crypto/rand.Reader); it is hedged with the key and digest. opts may be nil;
// otherwise its HashFunc must be 0, since crypto.Hash has no value for
// Streebog.
func (priv *PrivateKey) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	params := priv.pub.params
	if opts != nil && opts.HashFunc() != 0 {
		return nil, fmt.Errorf("gost3410: digest of %v given; sign a Streebog digest with crypto.Hash(0) as opts", opts.HashFunc())
	}
	if len(digest) != params.Size() {
		return nil, fmt.Errorf("gost3410: %s key signs a %d-byte Streebog digest, got %d bytes", params, params.Size(), len(digest))
	}
	curve := params.ec()
	size := curve.Size()
	// The signature is the one allocation: it holds the nonce's fresh
	// entropy (64 bytes, the size of the smaller signatures) until s and r
	// overwrite it, because a buffer passed to rand.Read escapes.
	sig := make([]byte, 2*size)
	if _, err := io.ReadFull(rand, sig[:nonceEntropy]); err != nil {
		return nil, fmt.Errorf("gost3410: reading randomness: %w", err)
	}
	e := curve.NewScalar()
	setDigestScalar(e, digest)
	var dbuf, kbuf [64]byte
	d := priv.d.FillBytes(dbuf[:size])
	reverse(d)
	var nonces nonceSource
	nonces.init(sig[:nonceEntropy], d, digest)
	clear(dbuf[:])
	k := curve.NewScalar()
	for range 100 {
		nonces.read(kbuf[:size])
		if !scalarFromCandidate(curve, k, kbuf[:size]) {
			continue
		}
		if signWithNonce(curve, sig, priv.d, e, k) {
			clear(kbuf[:])
			return sig, nil
		}
	}
	return nil, errors.New("gost3410: no usable nonce in 100 tries")
}

// signWithNonce computes the signature of GOST R 34.10-2012 §6.1 for the
// digest scalar e and the nonce k into sig (s‖r, 2·Size bytes), in constant
// time in d and k, without allocating. It reports false for the
// (negligibly likely) r = 0 or s = 0, where the caller draws a new nonce.
func signWithNonce(curve *gostec.Curve, sig []byte, d, e, k *gostec.Scalar) bool {
	size := curve.Size()
	c := curve.NewPoint().ScalarBaseMult(k)
	var xbuf [64]byte
	x := xbuf[:size]
	if err := c.FillBytesX(x); err != nil {
		return false // k·G is never the identity for 0 < k < q
	}
	r := curve.NewScalar()
	if _, err := r.SetReducedBytes(x); err != nil || r.IsZero() == 1 {
		return false
	}
	s := curve.NewScalar().Mul(r, d)
	s.Add(s, curve.NewScalar().Mul(k, e))
	if s.IsZero() == 1 {
		return false
	}
	s.FillBytes(sig[:size])
	r.FillBytes(sig[size:])
	return true
}

// Verify checks sig, the s‖r form that [PrivateKey.Sign] returns, over
// digest, a Streebog digest of Params().Size() bytes. It returns nil for a
// valid signature, an error wrapping [ErrInvalidSignature] for a signature
// that does not hold or is malformed, and another error for a digest of the
// wrong size.
func (pub *PublicKey) Verify(digest, sig []byte) error {
	params := pub.params
	size := params.Size()
	if len(digest) != size {
		return fmt.Errorf("gost3410: %s key verifies a %d-byte Streebog digest, got %d bytes", params, size, len(digest))
	}
	if len(sig) != 2*size {
		return fmt.Errorf("%w: %d bytes, want %d", ErrInvalidSignature, len(sig), 2*size)
	}
	curve := params.ec()
	s, err1 := curve.NewScalar().SetBytes(sig[:size])
	r, err2 := curve.NewScalar().SetBytes(sig[size:])
	if err1 != nil || err2 != nil {
		return fmt.Errorf("%w: r or s not below the group order", ErrInvalidSignature)
	}
	if r.IsZero() == 1 || s.IsZero() == 1 {
		return fmt.Errorf("%w: r or s is zero", ErrInvalidSignature)
	}
	e := curve.NewScalar()
	setDigestScalar(e, digest)
	v := curve.NewScalar().VarTimeInvert(e)
	z1 := curve.NewScalar().Mul(s, v)
	z2 := curve.NewScalar().Mul(r, v)
	z2.Negate(z2)
	// Everything here is public: the variable-time path is safe.
	c := curve.NewPoint().VarTimeScalarBaseMultAdd(z1, pub.point, z2)
	if !c.VarTimeEqualX(r) {
		return ErrInvalidSignature
	}
	return nil
}

// setDigestScalar sets e = LE(digest) mod q, or 1 where that is 0 (GOST R
// 34.10-2012 §6.1 step 2), without allocating. The digest is Size bytes,
// checked by the caller.
func setDigestScalar(e *gostec.Scalar, digest []byte) {
	var buf [64]byte
	be := buf[:len(digest)]
	copy(be, digest)
	reverse(be)
	if _, err := e.SetReducedBytes(be); err != nil {
		panic("gost3410: digest length checked by the caller: " + err.Error())
	}
	if e.IsZero() == 1 { // the digest is public: branching on it leaks nothing
		clear(be)
		be[len(be)-1] = 1
		e.SetBytes(be)
	}
}

// scalarFromCandidate sets k to the random bytes buf, a candidate in
// [1, q−1], after clearing the bits above q's length, and reports whether
// it was in range. The rejection branches on the candidate, which is then
// discarded, so nothing about the value kept leaks.
func scalarFromCandidate(curve *gostec.Curve, k *gostec.Scalar, buf []byte) bool {
	if extra := 8*len(buf) - curve.OrderBits(); extra > 0 {
		buf[0] &= byte(0xff >> extra)
	}
	if _, err := k.SetBytes(buf); err != nil || k.IsZero() == 1 {
		return false
	}
	return true
}

// nonceSource is the hedged nonce generator: a SHA-512 counter-mode stream
// keyed by SHA-512(label ‖ entropy ‖ d ‖ digest), with 64 bytes of fresh
// entropy per signature, so that k stays secret even if rand is weak, as
// long as d is. SHA-512 rather than Streebog: Streebog's table lookups
// would be indexed by secret bytes, and SHA-512 has none, keeping the
// signing path constant time. The hash is internal and changes nothing in
// the signature's format.
type nonceSource struct {
	seed    [sha512.Size]byte
	counter uint64
	block   [sha512.Size]byte
	used    int // bytes of block already read
}

// nonceEntropy is how many bytes of fresh randomness each signature draws.
const nonceEntropy = 64

// nonceLabel separates the nonce derivation from any other use of SHA-512.
const nonceLabel = "gostca gost3410 nonce v1\x00"

// init keys the stream with SHA-512(label ‖ entropy ‖ d ‖ digest), d the
// raw private key, without allocating.
func (ns *nonceSource) init(entropy, d, digest []byte) {
	var in [len(nonceLabel) + nonceEntropy + 64 + 64]byte
	n := copy(in[:], nonceLabel)
	n += copy(in[n:], entropy)
	n += copy(in[n:], d)
	n += copy(in[n:], digest)
	ns.seed = sha512.Sum512(in[:n])
	clear(in[:])
	ns.counter = 0
	ns.used = len(ns.block)
}

// read fills buf with the next len(buf) bytes of the stream: the blocks
// SHA-512(seed ‖ counter), counter big-endian from 0.
func (ns *nonceSource) read(buf []byte) {
	for i := range buf {
		if ns.used == len(ns.block) {
			var in [sha512.Size + 8]byte
			copy(in[:], ns.seed[:])
			binary.BigEndian.PutUint64(in[sha512.Size:], ns.counter)
			ns.counter++
			ns.block = sha512.Sum512(in[:])
			ns.used = 0
		}
		buf[i] = ns.block[ns.used]
		ns.used++
	}
}

func reverse(b []byte) {
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
}
