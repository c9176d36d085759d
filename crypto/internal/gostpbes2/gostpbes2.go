// Package gostpbes2 is password-based encryption with PBES2 (RFC 8018
// §6.2) as GOST PFX files (RFC 9548) and GOST-encrypted PKCS#8 keys use it:
// PBKDF2 with HMAC-Streebog-512 (or -256) and one of
//
//   - GOST 28147-89 in CFB mode with CryptoPro key meshing
//     (id-Gost28147-89, 1.2.643.2.2.21), whose parameters are the IV and
//     the S-box (Gost28147-89-Parameters below): what "openssl pkcs8
//     -topk8 -v2 gost89" and "openssl pkcs12 -keypbe gost89 -certpbe
//     gost89" write, and what GnuTLS calls gost28147-tc26z (or -cpa … -cpd);
//   - Kuznyechik or Magma in CTR-ACPKM mode
//     (id-gostr3412-2015-kuznyechik-ctracpkm, 1.2.643.7.1.1.5.2.1;
//     id-gostr3412-2015-magma-ctracpkm, 1.2.643.7.1.1.5.1.1), whose
//     parameter is a ukm of 16 or 12 bytes, the first half-block of which is
//     the counter's IV, with the section sizes of OpenSSL's GOST engine
//     (4096 bytes for Kuznyechik, 1024 for Magma): what that engine writes
//     for "-v2 kuznyechik-ctr-acpkm" and "-keypbe magma-ctr-acpkm", the key
//     being PBKDF2's output itself.
//
// The parameters:
//
//	Gost28147-89-Parameters ::= SEQUENCE {
//	    iv                  OCTET STRING (SIZE (8)),
//	    encryptionParamSet  OBJECT IDENTIFIER }
//	CTR-ACPKM parameters ::= SEQUENCE { ukm OCTET STRING }
//
// Parse also accepts hmacWithSHA256 as the PRF, which OpenSSL uses with the
// CTR-ACPKM schemes; New writes HMAC-Streebog-512. crypto/pkcs8 and
// crypto/pkcs12 share the package.
//
// Neither mode has padding, so a wrong password cannot be told from a right
// one here: callers check that the plaintext parses as what they expect.
// Iteration counts are checked against a caller's bound before any key is
// derived.
package gostpbes2

import (
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/gostca/gostca/crypto/gost28147"
	"github.com/gostca/gostca/crypto/gost3413"
	"github.com/gostca/gostca/crypto/kuznyechik"
	"github.com/gostca/gostca/crypto/magma"
	"github.com/gostca/gostca/crypto/streebog"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Object identifiers of RFC 8018, RFC 7836, RFC 4357 and RFC 9548.
var (
	OIDPBES2             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA256        = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACStreebog2     = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 4, 1}
	oidHMACStreebog5     = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 4, 2}
	oidGOST28147         = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 21}
	oidMagmaCTRACPKM     = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 5, 1, 1}
	oidMagmaCTRACPKMOMAC = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 5, 1, 2}
	oidKuzCTRACPKM       = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 5, 2, 1}
	oidKuzCTRACPKMOMAC   = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 5, 2, 2}
)

// Salt sizes in bytes: RFC 8018 asks for at least eight; RFC 9548's
// example uses 32.
const (
	DefaultSaltSize = 32
	minSaltSize     = 8
	maxSaltSize     = 1024
)

// Cipher is a PBES2 encryption scheme.
type Cipher int

const (
	// GOST28147 is GOST 28147-89 CFB with key meshing.
	GOST28147 Cipher = iota
	// KuznyechikCTRACPKM is Kuznyechik CTR-ACPKM.
	KuznyechikCTRACPKM
	// MagmaCTRACPKM is Magma CTR-ACPKM.
	MagmaCTRACPKM
)

// PRF is the PBKDF2 pseudorandom function.
type PRF int

const (
	// HMACStreebog512 is id-tc26-hmac-gost-3411-12-512, what New writes.
	HMACStreebog512 PRF = iota
	// HMACStreebog256 is id-tc26-hmac-gost-3411-12-256.
	HMACStreebog256
	// HMACSHA256 is hmacWithSHA256, read only.
	HMACSHA256
)

// acpkm are the CTR-ACPKM schemes: OID, ukm size, IV size, section size
// and the block cipher.
var acpkm = map[Cipher]struct {
	oid              asn1.ObjectIdentifier
	ukm, iv, section int
	newCipher        func([]byte) (cipher.Block, error)
}{
	KuznyechikCTRACPKM: {oidKuzCTRACPKM, 16, 8, 4096, kuznyechik.NewCipher},
	MagmaCTRACPKM:      {oidMagmaCTRACPKM, 12, 4, 1024, magma.NewCipher},
}

// Scheme is one PBES2 parameter set: PBKDF2 (salt, iterations, PRF) and the
// cipher with its parameters.
type Scheme struct {
	Salt       []byte
	Iterations int
	PRF        PRF
	Cipher     Cipher
	IV         []byte          // GOST28147: the IV; CTR-ACPKM: the ukm
	SBox       *gost28147.SBox // GOST28147 only
}

// New makes a scheme with a fresh random salt and IV, HMAC-Streebog-512,
// and the cipher (with the S-box, for GOST28147). For CTR-ACPKM the ukm is
// a random IV followed by zeros, as OpenSSL's GOST engine writes it.
func New(rand io.Reader, iterations, saltSize int, c Cipher, sbox *gost28147.SBox) (*Scheme, error) {
	if saltSize < minSaltSize || saltSize > maxSaltSize {
		return nil, fmt.Errorf("salt size %d is outside %d to %d bytes", saltSize, minSaltSize, maxSaltSize)
	}
	if iterations < 1 {
		return nil, fmt.Errorf("iteration count %d is not positive", iterations)
	}
	ivSize, ivLen := gost28147.BlockSize, gost28147.BlockSize
	if c != GOST28147 {
		a, ok := acpkm[c]
		if !ok {
			return nil, fmt.Errorf("unknown cipher %d", c)
		}
		ivSize, ivLen = a.iv, a.ukm
	}
	random := make([]byte, saltSize+ivLen)
	if _, err := io.ReadFull(rand, random[:saltSize+ivSize]); err != nil {
		return nil, fmt.Errorf("reading random salt and IV: %w", err)
	}
	return &Scheme{Salt: random[:saltSize], Iterations: iterations, Cipher: c, IV: random[saltSize:], SBox: sbox}, nil
}

// AddAlgorithmIdentifier writes the PBES2 AlgorithmIdentifier of s.
func (s *Scheme) AddAlgorithmIdentifier(b *cryptobyte.Builder) {
	prf := map[PRF]asn1.ObjectIdentifier{HMACStreebog512: oidHMACStreebog5, HMACStreebog256: oidHMACStreebog2, HMACSHA256: oidHMACSHA256}[s.PRF]
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
				if s.Cipher == GOST28147 {
					b.AddASN1ObjectIdentifier(oidGOST28147)
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1OctetString(s.IV)
						b.AddASN1ObjectIdentifier(s.SBox.OID())
					})
					return
				}
				b.AddASN1ObjectIdentifier(acpkm[s.Cipher].oid)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(s.IV)
				})
			})
		})
	})
}

// IsGOST reports whether params, the parameters of a PBES2
// AlgorithmIdentifier, name one of the package's ciphers (or an OMAC
// variant, which Parse then refuses by name).
func IsGOST(params []byte) bool {
	in := cryptobyte.String(params)
	var seq, enc cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.SkipASN1(cbasn1.SEQUENCE) ||
		!seq.ReadASN1(&enc, cbasn1.SEQUENCE) || !enc.ReadASN1ObjectIdentifier(&oid) {
		return false
	}
	for _, o := range []asn1.ObjectIdentifier{oidGOST28147, oidKuzCTRACPKM, oidMagmaCTRACPKM, oidKuzCTRACPKMOMAC, oidMagmaCTRACPKMOMAC} {
		if oid.Equal(o) {
			return true
		}
	}
	return false
}

// ErrIterations is wrapped by Parse for an iteration count outside the
// caller's bound.
var ErrIterations = errors.New("PBKDF2 iteration count out of range")

// Parse reads PBES2-params (the parameters of the PBES2
// AlgorithmIdentifier), refusing iteration counts above maxIterations.
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
	s := new(Scheme)
	switch {
	case encOID.Equal(oidGOST28147):
		s.Cipher = GOST28147
	case encOID.Equal(oidKuzCTRACPKM):
		s.Cipher = KuznyechikCTRACPKM
	case encOID.Equal(oidMagmaCTRACPKM):
		s.Cipher = MagmaCTRACPKM
	case encOID.Equal(oidKuzCTRACPKMOMAC), encOID.Equal(oidMagmaCTRACPKMOMAC):
		return nil, fmt.Errorf("cipher %s (CTR-ACPKM-OMAC) is not supported", encOID)
	default:
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
		if !kdfParams.ReadASN1Integer(&keyLength) || keyLength != 32 {
			return nil, errors.New("PBKDF2 key length does not match the cipher's")
		}
	}
	s.Salt, s.Iterations = salt, int(iterations)
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
		s.PRF = HMACStreebog512
	case prfOID.Equal(oidHMACStreebog2):
		s.PRF = HMACStreebog256
	case prfOID.Equal(oidHMACSHA256):
		s.PRF = HMACSHA256
	default:
		return nil, fmt.Errorf("unsupported PBKDF2 prf %s", prfOID)
	}
	if !enc.ReadASN1(&encParams, cbasn1.SEQUENCE) || !enc.Empty() || !encParams.ReadASN1(&iv, cbasn1.OCTET_STRING) {
		return nil, fmt.Errorf("malformed %s parameters", encOID)
	}
	if s.Cipher != GOST28147 {
		if want := acpkm[s.Cipher].ukm; len(iv) != want || !encParams.Empty() {
			return nil, fmt.Errorf("malformed %s parameters: ukm of %d bytes, want %d", encOID, len(iv), want)
		}
		s.IV = iv
		return s, nil
	}
	if !encParams.ReadASN1ObjectIdentifier(&sboxOID) || !encParams.Empty() {
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
	h := map[PRF]func() hash.Hash{HMACStreebog512: streebog.New512, HMACStreebog256: streebog.New256, HMACSHA256: sha256.New}[s.PRF]
	if h == nil {
		return nil, fmt.Errorf("unknown PRF %d", s.PRF)
	}
	key, err := pbkdf2.Key(h, string(password), s.Salt, s.Iterations, 32)
	if err != nil {
		return nil, fmt.Errorf("deriving the key: %w", err)
	}
	defer clear(key)
	var stream cipher.Stream
	switch s.Cipher {
	case GOST28147:
		newStream := gost28147.NewCFBEncrypter
		if decrypt {
			newStream = gost28147.NewCFBDecrypter
		}
		stream, err = newStream(key, s.SBox, s.IV)
	default:
		a := acpkm[s.Cipher]
		stream, err = gost3413.NewCTRACPKM(a.newCipher, key, s.IV[:a.iv], a.section)
	}
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(data))
	stream.XORKeyStream(out, data)
	return out, nil
}
