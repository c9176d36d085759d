// Package gostpbes2 is password-based encryption with PBES2 (RFC 8018
// §6.2) as GOST PFX files (RFC 9548) and GOST-encrypted PKCS#8 keys use it:
// PBKDF2 with HMAC-Streebog-512 (or -256), giving a 32-byte key, and one of
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
//     being PBKDF2's output itself;
//   - Kuznyechik or Magma in CTR-ACPKM mode with a MAC
//     (id-gostr3412-2015-kuznyechik-ctracpkm-omac, 1.2.643.7.1.1.5.2.2;
//     id-gostr3412-2015-magma-ctracpkm-omac, 1.2.643.7.1.1.5.1.2), the
//     schemes RFC 9337 defines and RFC 9548 names for PFX: the PBKDF2
//     key K is split by KDF_TREE_GOSTR3411_2012_256 (R 50.1.113-2016, RFC
//     7836 §4.5; label "kdf tree", seed the ukm's last 8 bytes, R = 1) into
//     the encryption key K(1) and the MAC key K(2); the OMAC of GOST R
//     34.13-2015 §5.6 under K(2), a full block, is computed over the
//     plaintext M and appended, and M || MAC is encrypted in CTR-ACPKM
//     under K(1) with the ukm's first half-block as the IV and sections of
//     256 KiB (Kuznyechik) or 8 KiB (Magma). The ukm is random throughout.
//
// The parameters (the second as RFC 9337 §7.3 names it):
//
//	Gost28147-89-Parameters ::= SEQUENCE {
//	    iv                  OCTET STRING (SIZE (8)),
//	    encryptionParamSet  OBJECT IDENTIFIER }
//	Gost3412-15-Encryption-Parameters ::= SEQUENCE { ukm OCTET STRING }
//
// Parse also accepts hmacWithSHA256 as the PRF, which OpenSSL uses with the
// CTR-ACPKM schemes; New writes HMAC-Streebog-512. crypto/pkcs8 and
// crypto/pkcs12 share the package.
//
// # Security
//
// CFB and plain CTR-ACPKM have no padding or MAC, so a wrong password
// cannot be told from a right one here: callers check that the plaintext
// parses as what they expect. The -OMAC schemes authenticate: Decrypt
// compares the MAC in constant time and returns [ErrMAC], and no plaintext,
// when it does not match (a wrong password, or altered data). Iteration
// counts are checked against a caller's bound before any key is derived.
// Parse never panics on malformed input.
//
// OpenSSL 3.0's GOST engine cannot use the -OMAC schemes in PBES2 ("ctrl
// operation not implemented") and GnuTLS knows none of the CTR-ACPKM
// schemes; they are checked against the examples of RFC 9548 Appendix A.
package gostpbes2

import (
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/gostca/gostca/crypto/gost28147"
	"github.com/gostca/gostca/crypto/gost3413"
	"github.com/gostca/gostca/crypto/internal/kdftree"
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
	// KuznyechikCTRACPKMOMAC is Kuznyechik CTR-ACPKM with OMAC, keyed
	// through KDF_TREE (RFC 9337).
	KuznyechikCTRACPKMOMAC
	// MagmaCTRACPKMOMAC is Magma CTR-ACPKM with OMAC, likewise.
	MagmaCTRACPKMOMAC
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

// acpkm are the CTR-ACPKM schemes: OID, ukm size, IV size (half a
// block), section size, whether an OMAC follows the plaintext, and the
// block cipher.
var acpkm = map[Cipher]struct {
	oid              asn1.ObjectIdentifier
	ukm, iv, section int
	omac             bool
	newCipher        func([]byte) (cipher.Block, error)
}{
	KuznyechikCTRACPKM:     {oidKuzCTRACPKM, 16, 8, 4096, false, kuznyechik.NewCipher},
	MagmaCTRACPKM:          {oidMagmaCTRACPKM, 12, 4, 1024, false, magma.NewCipher},
	KuznyechikCTRACPKMOMAC: {oidKuzCTRACPKMOMAC, 16, 8, 256 << 10, true, kuznyechik.NewCipher},
	MagmaCTRACPKMOMAC:      {oidMagmaCTRACPKMOMAC, 12, 4, 8 << 10, true, magma.NewCipher},
}

// kdfLabel is the KDF_TREE label of the -OMAC schemes (RFC 9337),
// and kdfSeedSize the length of the seed, the ukm's tail.
const (
	kdfLabel    = "kdf tree"
	kdfSeedSize = 8
)

// MACSize returns the number of bytes the cipher's MAC adds to the
// plaintext: a block for the -OMAC schemes, none for the others.
func (c Cipher) MACSize() int {
	a, ok := acpkm[c]
	if !ok || !a.omac {
		return 0
	}
	return 2 * a.iv // a block
}

// String names the cipher as the documentation does.
func (c Cipher) String() string {
	switch c {
	case GOST28147:
		return "GOST 28147-89 CFB"
	case KuznyechikCTRACPKM:
		return "Kuznyechik CTR-ACPKM"
	case MagmaCTRACPKM:
		return "Magma CTR-ACPKM"
	case KuznyechikCTRACPKMOMAC:
		return "Kuznyechik CTR-ACPKM-OMAC"
	case MagmaCTRACPKMOMAC:
		return "Magma CTR-ACPKM-OMAC"
	}
	return fmt.Sprintf("Cipher(%d)", int(c))
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
// a random IV followed by zeros, as OpenSSL's GOST engine writes it; for
// the -OMAC schemes it is random in full, its tail being the KDF_TREE seed.
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
		if a.omac {
			ivSize = a.ukm
		}
	}
	random := make([]byte, saltSize+ivLen)
	if _, err := io.ReadFull(rand, random[:saltSize+ivSize]); err != nil {
		return nil, fmt.Errorf("reading random salt and IV: %w", err)
	}
	return &Scheme{Salt: random[:saltSize], Iterations: iterations, Cipher: c, IV: random[saltSize:], SBox: sbox}, nil
}

// AddAlgorithmIdentifier writes the PBES2 AlgorithmIdentifier of s.
func (s *Scheme) AddAlgorithmIdentifier(b *cryptobyte.Builder) {
	if _, ok := acpkm[s.Cipher]; !ok && s.Cipher != GOST28147 {
		b.SetError(fmt.Errorf("unknown cipher %d", s.Cipher))
		return
	}
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
// AlgorithmIdentifier, name one of the package's ciphers.
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

// ErrMAC is returned by Decrypt with the -OMAC schemes when the MAC does
// not match: the password is wrong, or the data was altered.
var ErrMAC = errors.New("the MAC of the encrypted data does not match (wrong password, or altered data)")

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
	case encOID.Equal(oidKuzCTRACPKMOMAC):
		s.Cipher = KuznyechikCTRACPKMOMAC
	case encOID.Equal(oidMagmaCTRACPKMOMAC):
		s.Cipher = MagmaCTRACPKMOMAC
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

// Encrypt encrypts data under password and returns a fresh slice: the
// ciphertext, followed for the -OMAC schemes by the encrypted MAC
// (Cipher.MACSize bytes more).
func (s *Scheme) Encrypt(password, data []byte) ([]byte, error) {
	encKey, macKey, err := s.keys(password)
	if err != nil {
		return nil, err
	}
	defer clear(encKey)
	defer clear(macKey)
	out := make([]byte, len(data), len(data)+s.Cipher.MACSize())
	copy(out, data)
	if macKey != nil {
		mac, err := s.mac(macKey, data)
		if err != nil {
			return nil, err
		}
		out = append(out, mac...)
	}
	stream, err := s.stream(encKey, false)
	if err != nil {
		return nil, err
	}
	stream.XORKeyStream(out, out)
	return out, nil
}

// Decrypt is the inverse of Encrypt and returns a fresh slice. With the
// -OMAC schemes it checks the MAC, in constant time, before returning
// anything: a mismatch is ErrMAC. With the others a wrong password gives
// garbage, not an error: the caller checks the plaintext.
func (s *Scheme) Decrypt(password, data []byte) ([]byte, error) {
	macSize := s.Cipher.MACSize()
	if len(data) < macSize {
		return nil, fmt.Errorf("%v ciphertext of %d bytes is shorter than its %d-byte MAC", s.Cipher, len(data), macSize)
	}
	encKey, macKey, err := s.keys(password)
	if err != nil {
		return nil, err
	}
	defer clear(encKey)
	defer clear(macKey)
	stream, err := s.stream(encKey, true)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(data))
	stream.XORKeyStream(out, data)
	if macKey == nil {
		return out, nil
	}
	plain, got := out[:len(out)-macSize:len(out)-macSize], out[len(out)-macSize:]
	want, err := s.mac(macKey, plain)
	if err != nil {
		clear(out)
		return nil, err
	}
	ok := subtle.ConstantTimeCompare(got, want) == 1
	clear(got)
	if !ok {
		clear(plain)
		return nil, ErrMAC
	}
	return plain, nil
}

// keys derives the cipher's key from password with PBKDF2 and, for the
// -OMAC schemes, splits it with KDF_TREE into the encryption and MAC keys;
// macKey is nil for the other schemes.
func (s *Scheme) keys(password []byte) (encKey, macKey []byte, err error) {
	h := map[PRF]func() hash.Hash{HMACStreebog512: streebog.New512, HMACStreebog256: streebog.New256, HMACSHA256: sha256.New}[s.PRF]
	if h == nil {
		return nil, nil, fmt.Errorf("unknown PRF %d", s.PRF)
	}
	a, isACPKM := acpkm[s.Cipher]
	switch {
	case s.Cipher == GOST28147:
		if s.SBox == nil || len(s.IV) != gost28147.BlockSize {
			return nil, nil, errors.New("GOST 28147-89 scheme without an S-box or an 8-byte IV")
		}
	case !isACPKM:
		return nil, nil, fmt.Errorf("unknown cipher %d", s.Cipher)
	case len(s.IV) != a.ukm:
		return nil, nil, fmt.Errorf("%v ukm is %d bytes, want %d", s.Cipher, len(s.IV), a.ukm)
	}
	key, err := pbkdf2.Key(h, string(password), s.Salt, s.Iterations, 32)
	if err != nil {
		return nil, nil, fmt.Errorf("deriving the key: %w", err)
	}
	if !isACPKM || !a.omac {
		return key, nil, nil
	}
	defer clear(key)
	keys, err := kdftree.Streebog256(key, []byte(kdfLabel), s.IV[len(s.IV)-kdfSeedSize:], 1, 64)
	if err != nil {
		return nil, nil, fmt.Errorf("deriving the encryption and MAC keys: %w", err)
	}
	return keys[:32:32], keys[32:], nil
}

// stream returns the cipher's key stream (or CFB) under key.
func (s *Scheme) stream(key []byte, decrypt bool) (cipher.Stream, error) {
	if s.Cipher == GOST28147 {
		if decrypt {
			return gost28147.NewCFBDecrypter(key, s.SBox, s.IV)
		}
		return gost28147.NewCFBEncrypter(key, s.SBox, s.IV)
	}
	a := acpkm[s.Cipher]
	return gost3413.NewCTRACPKM(a.newCipher, key, s.IV[:a.iv], a.section)
}

// mac is the OMAC (GOST R 34.13-2015 §5.6), a full block, of data under
// key with the scheme's block cipher.
func (s *Scheme) mac(key, data []byte) ([]byte, error) {
	b, err := acpkm[s.Cipher].newCipher(key)
	if err != nil {
		return nil, err
	}
	m, err := gost3413.NewOMAC(b, b.BlockSize())
	if err != nil {
		return nil, err
	}
	m.Write(data)
	return m.Sum(nil), nil
}
