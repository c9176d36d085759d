// Package gostpbes2 is password-based encryption with PBES2 (RFC 8018
// §6.2) as GOST PFX files (RFC 9548) and GOST-encrypted PKCS#8 keys use it:
// PBKDF2 with HMAC-Streebog-512 (or -256) and GOST 28147-89 in CFB mode
// with CryptoPro key meshing (id-Gost28147-89, 1.2.643.2.2.21), whose
// parameters are the IV and the S-box:
//
//	Gost28147-89-Parameters ::= SEQUENCE {
//	    iv                  OCTET STRING (SIZE (8)),
//	    encryptionParamSet  OBJECT IDENTIFIER }
//
// It is what "openssl pkcs8 -topk8 -v2 gost89" and "openssl pkcs12
// -keypbe gost89 -certpbe gost89" write, and what GnuTLS calls
// gost28147-tc26z (or -cpa … -cpd). crypto/pkcs8 and crypto/pkcs12 share
// it.
//
// CFB has no padding, so a wrong password cannot be told from a right one
// here: callers check that the plaintext parses as what they expect.
// Iteration counts are checked against a caller's bound before any key is
// derived.
package gostpbes2

import (
	"crypto/pbkdf2"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"

	"github.com/gostca/gostca/crypto/gost28147"
	"github.com/gostca/gostca/crypto/streebog"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Object identifiers of RFC 8018, RFC 7836 and RFC 4357.
var (
	OIDPBES2         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACStreebog2 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 4, 1}
	oidHMACStreebog5 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 4, 2}
	OIDGOST28147     = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 21}
)

// Salt sizes in bytes: RFC 8018 asks for at least eight; RFC 9548's
// example uses 32.
const (
	DefaultSaltSize = 32
	minSaltSize     = 8
	maxSaltSize     = 1024
)

// Scheme is one PBES2 parameter set: PBKDF2 (salt, iterations, PRF) and the
// GOST 28147-89 CFB IV and S-box.
type Scheme struct {
	Salt       []byte
	Iterations int
	PRF512     bool // HMAC-Streebog-512; false means -256
	IV         []byte
	SBox       *gost28147.SBox
}

// New makes a scheme with a fresh random salt and IV, HMAC-Streebog-512
// and the S-box.
func New(rand io.Reader, iterations, saltSize int, sbox *gost28147.SBox) (*Scheme, error) {
	if saltSize < minSaltSize || saltSize > maxSaltSize {
		return nil, fmt.Errorf("salt size %d is outside %d to %d bytes", saltSize, minSaltSize, maxSaltSize)
	}
	if iterations < 1 {
		return nil, fmt.Errorf("iteration count %d is not positive", iterations)
	}
	random := make([]byte, saltSize+gost28147.BlockSize)
	if _, err := io.ReadFull(rand, random); err != nil {
		return nil, fmt.Errorf("reading random salt and IV: %w", err)
	}
	return &Scheme{Salt: random[:saltSize], Iterations: iterations, PRF512: true, IV: random[saltSize:], SBox: sbox}, nil
}

// AddAlgorithmIdentifier writes the PBES2 AlgorithmIdentifier of s.
func (s *Scheme) AddAlgorithmIdentifier(b *cryptobyte.Builder) {
	prf := oidHMACStreebog2
	if s.PRF512 {
		prf = oidHMACStreebog5
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(OIDPBES2)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidPBKDF2)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(s.Salt)
					b.AddASN1Int64(int64(s.Iterations))
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(prf)
						b.AddASN1NULL()
					})
				})
			})
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(OIDGOST28147)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(s.IV)
					b.AddASN1ObjectIdentifier(s.SBox.OID())
				})
			})
		})
	})
}

// IsGOST reports whether params, the parameters of a PBES2
// AlgorithmIdentifier, name GOST 28147-89 as the encryption scheme.
func IsGOST(params []byte) bool {
	in := cryptobyte.String(params)
	var seq, enc cryptobyte.String
	var oid asn1.ObjectIdentifier
	return in.ReadASN1(&seq, cbasn1.SEQUENCE) && seq.SkipASN1(cbasn1.SEQUENCE) &&
		seq.ReadASN1(&enc, cbasn1.SEQUENCE) && enc.ReadASN1ObjectIdentifier(&oid) && oid.Equal(OIDGOST28147)
}

// ErrIterations is wrapped by Parse for an iteration count outside the
// caller's bound.
var ErrIterations = errors.New("PBKDF2 iteration count out of range")

// Parse reads PBES2-params (the parameters of the PBES2
// AlgorithmIdentifier) with GOST 28147-89, refusing iteration counts above
// maxIterations.
func Parse(params []byte, maxIterations int) (*Scheme, error) {
	in := cryptobyte.String(params)
	var seq, kdf, kdfParams, enc, encParams, salt, iv cryptobyte.String
	var kdfOID, encOID, sboxOID asn1.ObjectIdentifier
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() ||
		!seq.ReadASN1(&kdf, cbasn1.SEQUENCE) || !kdf.ReadASN1ObjectIdentifier(&kdfOID) ||
		!seq.ReadASN1(&enc, cbasn1.SEQUENCE) || !enc.ReadASN1ObjectIdentifier(&encOID) || !seq.Empty() {
		return nil, errors.New("malformed PBES2 parameters")
	}
	if !kdfOID.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("unsupported key derivation function %s", kdfOID)
	}
	if !encOID.Equal(OIDGOST28147) {
		return nil, fmt.Errorf("unsupported cipher %s", encOID)
	}
	var iterations int64
	if !kdf.ReadASN1(&kdfParams, cbasn1.SEQUENCE) || !kdf.Empty() ||
		!kdfParams.ReadASN1(&salt, cbasn1.OCTET_STRING) || !kdfParams.ReadASN1Integer(&iterations) {
		return nil, errors.New("malformed PBKDF2 parameters")
	}
	if iterations < 1 || iterations > int64(maxIterations) {
		return nil, fmt.Errorf("%w: %d is outside 1 to %d", ErrIterations, iterations, maxIterations)
	}
	if len(salt) < 1 || len(salt) > maxSaltSize {
		return nil, fmt.Errorf("PBKDF2 salt of %d bytes", len(salt))
	}
	if kdfParams.PeekASN1Tag(cbasn1.INTEGER) {
		var keyLength int64
		if !kdfParams.ReadASN1Integer(&keyLength) || keyLength != gost28147.KeySize {
			return nil, errors.New("PBKDF2 key length does not match GOST 28147-89")
		}
	}
	s := &Scheme{Salt: salt, Iterations: int(iterations), IV: nil}
	var prf cryptobyte.String
	var hasPRF bool
	if !kdfParams.ReadOptionalASN1(&prf, &hasPRF, cbasn1.SEQUENCE) || !kdfParams.Empty() {
		return nil, errors.New("malformed PBKDF2 parameters")
	}
	if !hasPRF {
		return nil, errors.New("PBKDF2 with hmacWithSHA1 (the default PRF) is not supported")
	}
	var prfOID asn1.ObjectIdentifier
	if !prf.ReadASN1ObjectIdentifier(&prfOID) || !prf.SkipOptionalASN1(cbasn1.NULL) || !prf.Empty() {
		return nil, errors.New("malformed PBKDF2 prf")
	}
	switch {
	case prfOID.Equal(oidHMACStreebog5):
		s.PRF512 = true
	case prfOID.Equal(oidHMACStreebog2):
	default:
		return nil, fmt.Errorf("unsupported PBKDF2 prf %s", prfOID)
	}
	if !enc.ReadASN1(&encParams, cbasn1.SEQUENCE) || !enc.Empty() ||
		!encParams.ReadASN1(&iv, cbasn1.OCTET_STRING) || !encParams.ReadASN1ObjectIdentifier(&sboxOID) || !encParams.Empty() {
		return nil, errors.New("malformed GOST 28147-89 parameters")
	}
	if len(iv) != gost28147.BlockSize {
		return nil, fmt.Errorf("GOST 28147-89 IV is %d bytes, want %d", len(iv), gost28147.BlockSize)
	}
	sbox, err := gost28147.SBoxByOID(sboxOID)
	if err != nil {
		return nil, err
	}
	s.IV, s.SBox = iv, sbox
	return s, nil
}

// Encrypt encrypts data under password; Decrypt decrypts. Both return a
// fresh slice.
func (s *Scheme) Encrypt(password, data []byte) ([]byte, error) {
	return s.crypt(password, data, false)
}

// Decrypt is the inverse of Encrypt. A wrong password gives garbage, not an
// error: the caller checks the plaintext.
func (s *Scheme) Decrypt(password, data []byte) ([]byte, error) { return s.crypt(password, data, true) }

func (s *Scheme) crypt(password, data []byte, decrypt bool) ([]byte, error) {
	h := streebog.New256
	if s.PRF512 {
		h = streebog.New512
	}
	key, err := pbkdf2.Key(h, string(password), s.Salt, s.Iterations, gost28147.KeySize)
	if err != nil {
		return nil, fmt.Errorf("deriving the key: %w", err)
	}
	defer clear(key)
	newStream := gost28147.NewCFBEncrypter
	if decrypt {
		newStream = gost28147.NewCFBDecrypter
	}
	stream, err := newStream(key, s.SBox, s.IV)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(data))
	stream.XORKeyStream(out, data)
	return out, nil
}
