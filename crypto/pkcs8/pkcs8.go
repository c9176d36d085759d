// Package pkcs8 encrypts and decrypts PKCS#8 private keys with a passphrase:
// the EncryptedPrivateKeyInfo of RFC 5958 §3, protected with PBES2 (RFC 8018
// §6.2).
//
// # Scope
//
// By default [Encrypt] writes the form OpenSSL 3 with the GOST engine
// writes for
//
//	openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf "HMAC GOST 34.11-2012 512 bit"
//
// PBES2 with PBKDF2, whose pseudorandom function is HMAC over Streebog-512
// (id-tc26-hmac-gost-3411-12-512, 1.2.643.7.1.1.4.2, with NULL parameters),
// and AES-256-CBC (2.16.840.1.101.3.4.1.42) with the IV as its parameter.
// The PBKDF2 keyLength field is omitted, as OpenSSL omits it.
//
// [Decrypt] reads that form and the PBES2 variants that other tools write:
// PBKDF2 with hmacWithSHA256, hmacWithSHA512 or HMAC-Streebog-256 or -512,
// and AES-128-CBC, AES-192-CBC or AES-256-CBC. It refuses PBES1 and PKCS#12
// password-based schemes (DES, RC2, 3DES: broken or obsolete), PBKDF2 with
// hmacWithSHA1 (the RFC 8018 default when the prf field is absent), scrypt,
// and salts given as an AlgorithmIdentifier.
//
// With [Options] Cipher set to [CipherGOST28147], Encrypt writes instead
// what "openssl pkcs8 -topk8 -v2 gost89" writes: PBES2 with PBKDF2 over
// HMAC-Streebog-512 and GOST 28147-89 in CFB mode with CryptoPro key
// meshing (id-Gost28147-89, 1.2.643.2.2.21, with the TC26-Z S-box); Decrypt
// reads that form with any of the S-boxes of
// github.com/gostca/gostca/crypto/gost28147 and HMAC-Streebog-256 or -512.
// [CipherKuznyechikCTRACPKM] and [CipherMagmaCTRACPKM] write the Kuznyechik
// and Magma CTR-ACPKM schemes of RFC 9548 as OpenSSL's GOST engine writes
// them ("-v2 kuznyechik-ctr-acpkm"), and Decrypt reads them, also with the
// hmacWithSHA256 PRF that OpenSSL picks for them by default. CFB and CTR
// have no padding: a wrong passphrase is detected by the plaintext failing
// to parse as a DER PrivateKeyInfo, which garbage passes with negligible
// probability. [CipherKuznyechikCTRACPKMOMAC] and [CipherMagmaCTRACPKMOMAC]
// write the schemes RFC 9337 defines with a MAC
// (id-gostr3412-2015-kuznyechik-ctracpkm-omac, 1.2.643.7.1.1.5.2.2, and
// -magma-ctracpkm-omac, 1.2.643.7.1.1.5.1.2): the PBKDF2 key split by
// KDF_TREE_GOSTR3411_2012_256 into an encryption and a MAC key, and the
// OMAC of the PrivateKeyInfo encrypted after it, which Decrypt checks in
// constant time before it returns anything. OpenSSL 3.0's GOST engine and
// GnuTLS cannot read those: they are for software that implements RFC 9337
// (and RFC 9548, whose PFX key bags use them).
//
// The package knows nothing of the key inside: it encrypts and returns DER
// PrivateKeyInfo bytes. github.com/gostca/gostca/crypto/gost3410 parses
// them.
//
// # Security
//
// The strength of an encrypted key is the strength of its passphrase
// stretched by PBKDF2: [DefaultIterations] makes each guess cost most of a
// second of one core. Options can change it.
//
// A wrong passphrase is reported as [ErrIncorrectPassphrase]. It is detected
// twice: by the CBC padding, which a wrong key passes by chance about once in
// 256 tries, and by the plaintext failing to parse as a DER PrivateKeyInfo.
// Both failures give the same error. The check is not meant to resist a
// padding oracle: decryption is local and offline, and an attacker who can
// submit ciphertexts to it already has the file to attack offline.
//
// Decrypt bounds the work a hostile file can demand: iteration counts above
// [MaxIterations] are refused before any key derivation. Parsing never
// panics on malformed input.
//
// The passphrase and the derived key are copied into memory the package does
// not control (crypto/pbkdf2 takes a string); decrypted keys are returned in
// a fresh slice that the caller may clear.
//
// # Concurrency
//
// The functions are safe for concurrent use; they keep no state.
package pkcs8

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/gostca/gostca/crypto/internal/gostpbes2"
	"github.com/gostca/gostca/crypto/streebog"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// DefaultIterations is the PBKDF2 iteration count Encrypt uses when Options
// do not set one.
//
// One iteration of PBKDF2 with HMAC-Streebog-512 costs about six Streebog
// compressions. On the machine gostca is developed on (AMD EPYC, Go 1.26,
// amd64) one Decrypt at 200,000 iterations takes 0.76–0.83 s (BenchmarkDecrypt),
// as long as OpenSSL's GOST engine takes for the same work: paid once when a
// CA starts or an operator types a passphrase, and the cost of every guess
// an attacker makes on a CPU. The same CPU time buys about 1.4 million
// iterations of hmacWithSHA512 in OpenSSL, about seven times OWASP's 2023
// recommendation of 210,000, which leaves room for Streebog being cheaper on
// an attacker's hardware than in table-driven software.
const DefaultIterations = 200000

// MaxIterations is the largest PBKDF2 iteration count Decrypt accepts (and
// Encrypt writes). A file asking for more is refused rather than allowed to
// keep a CPU busy for minutes.
const MaxIterations = 10000000

// defaultSaltSize and minSaltSize are in bytes. RFC 8018 §4.1 asks for at
// least eight.
const (
	defaultSaltSize = 16
	minSaltSize     = 8
	maxSaltSize     = 1024
)

// ErrIncorrectPassphrase is returned (wrapped) by Decrypt when the
// passphrase does not decrypt the key.
var ErrIncorrectPassphrase = errors.New("pkcs8: incorrect passphrase")

// Options for Encrypt; nil means the defaults.
type Options struct {
	// Iterations is the PBKDF2 iteration count, 1 to MaxIterations; 0 means
	// DefaultIterations.
	Iterations int
	// SaltSize is the PBKDF2 salt length in bytes, at least 8; 0 means 16
	// (32 with the GOST ciphers, as RFC 9548's example has it).
	SaltSize int
	// Cipher is the encryption scheme; the zero value is CipherAES256CBC.
	Cipher Cipher
}

// Cipher names an encryption scheme Encrypt can write.
type Cipher int

const (
	// CipherAES256CBC is AES-256-CBC (2.16.840.1.101.3.4.1.42), the
	// default.
	CipherAES256CBC Cipher = iota
	// CipherGOST28147 is GOST 28147-89 in CFB mode with CryptoPro key
	// meshing and the TC26-Z S-box (id-Gost28147-89, 1.2.643.2.2.21, with
	// id-tc26-gost-28147-param-Z), what "openssl pkcs8 -topk8 -v2 gost89"
	// writes and GOST PFX files use (RFC 9548).
	CipherGOST28147
	// CipherKuznyechikCTRACPKM is Kuznyechik in CTR-ACPKM mode
	// (1.2.643.7.1.1.5.2.1), as "openssl pkcs8 -topk8 -v2
	// kuznyechik-ctr-acpkm" writes it.
	CipherKuznyechikCTRACPKM
	// CipherMagmaCTRACPKM is Magma in CTR-ACPKM mode (1.2.643.7.1.1.5.1.1),
	// as "openssl pkcs8 -topk8 -v2 magma-ctr-acpkm" writes it.
	CipherMagmaCTRACPKM
	// CipherKuznyechikCTRACPKMOMAC is Kuznyechik in CTR-ACPKM mode with an
	// OMAC (1.2.643.7.1.1.5.2.2, RFC 9337), which OpenSSL 3.0 cannot
	// read.
	CipherKuznyechikCTRACPKMOMAC
	// CipherMagmaCTRACPKMOMAC is Magma in CTR-ACPKM mode with an OMAC
	// (1.2.643.7.1.1.5.1.2), likewise.
	CipherMagmaCTRACPKMOMAC
)

// Object identifiers of RFC 8018, RFC 7836 and NIST's AES registrations.
var (
	oidPBES2         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidPKCS5         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5}
	oidPKCS12PBE     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1}
	oidHMACSHA1      = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA256    = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA512    = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidHMACStreebog2 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 4, 1}
	oidHMACStreebog5 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 4, 2}
	oidAES128CBC     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

// prfs are the PBKDF2 pseudorandom functions Decrypt accepts.
var prfs = []struct {
	oid  asn1.ObjectIdentifier
	hash func() hash.Hash
}{
	{oidHMACStreebog5, streebog.New512},
	{oidHMACStreebog2, streebog.New256},
	{oidHMACSHA256, sha256.New},
	{oidHMACSHA512, sha512.New},
}

// ciphers are the PBES2 encryption schemes Decrypt accepts, with their key
// sizes in bytes.
var ciphers = []struct {
	oid     asn1.ObjectIdentifier
	name    string
	keySize int
}{
	{oidAES256CBC, "AES-256-CBC", 32},
	{oidAES192CBC, "AES-192-CBC", 24},
	{oidAES128CBC, "AES-128-CBC", 16},
}

// Encrypt wraps a DER PrivateKeyInfo into a DER EncryptedPrivateKeyInfo
// under passphrase, reading the salt and then the IV from rand. The
// passphrase is used as bytes, as OpenSSL uses it; callers that take it from
// a terminal should not normalise it differently from the tool that will
// decrypt. privateKeyInfo must be a DER PrivateKeyInfo (or OneAsymmetricKey),
// since Decrypt relies on that structure to detect a wrong passphrase.
func Encrypt(rand io.Reader, privateKeyInfo, passphrase []byte, opts *Options) ([]byte, error) {
	iterations, saltSize := DefaultIterations, defaultSaltSize
	if opts != nil {
		if opts.Iterations != 0 {
			iterations = opts.Iterations
		}
		if opts.SaltSize != 0 {
			saltSize = opts.SaltSize
		}
	}
	if iterations < 1 || iterations > MaxIterations {
		return nil, fmt.Errorf("pkcs8: iteration count %d is outside 1 to %d", iterations, MaxIterations)
	}
	if saltSize < minSaltSize || saltSize > maxSaltSize {
		return nil, fmt.Errorf("pkcs8: salt size %d is outside %d to %d bytes", saltSize, minSaltSize, maxSaltSize)
	}
	if !isPrivateKeyInfo(privateKeyInfo) {
		return nil, errors.New("pkcs8: the key to encrypt is not a DER PrivateKeyInfo")
	}
	if opts != nil && opts.Cipher != CipherAES256CBC {
		c, ok := gostCiphers[opts.Cipher]
		if !ok {
			return nil, fmt.Errorf("pkcs8: unknown cipher %d", opts.Cipher)
		}
		if opts.SaltSize == 0 {
			saltSize = gostpbes2.DefaultSaltSize
		}
		return encryptGOST(rand, privateKeyInfo, passphrase, iterations, saltSize, c)
	}

	random := make([]byte, saltSize+aes.BlockSize)
	if _, err := io.ReadFull(rand, random); err != nil {
		return nil, fmt.Errorf("pkcs8: reading random salt and IV: %w", err)
	}
	salt, iv := random[:saltSize], random[saltSize:]

	key, err := pbkdf2.Key(streebog.New512, string(passphrase), salt, iterations, 32)
	if err != nil {
		return nil, fmt.Errorf("pkcs8: deriving the key: %w", err)
	}
	defer clear(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("pkcs8: %w", err)
	}
	pad := aes.BlockSize - len(privateKeyInfo)%aes.BlockSize
	ciphertext := make([]byte, len(privateKeyInfo)+pad)
	copy(ciphertext, privateKeyInfo)
	for i := len(privateKeyInfo); i < len(ciphertext); i++ {
		ciphertext[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ciphertext, ciphertext)

	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // EncryptedPrivateKeyInfo
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // encryptionAlgorithm
			b.AddASN1ObjectIdentifier(oidPBES2)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // PBES2-params
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // keyDerivationFunc
					b.AddASN1ObjectIdentifier(oidPBKDF2)
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // PBKDF2-params
						b.AddASN1OctetString(salt)
						b.AddASN1Int64(int64(iterations))
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // prf
							b.AddASN1ObjectIdentifier(oidHMACStreebog5)
							b.AddASN1NULL()
						})
					})
				})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // encryptionScheme
					b.AddASN1ObjectIdentifier(oidAES256CBC)
					b.AddASN1OctetString(iv)
				})
			})
		})
		b.AddASN1OctetString(ciphertext)
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("pkcs8: encoding EncryptedPrivateKeyInfo: %w", err)
	}
	return der, nil
}

// Decrypt unwraps a DER EncryptedPrivateKeyInfo and returns the DER
// PrivateKeyInfo inside. A wrong passphrase gives an error wrapping
// ErrIncorrectPassphrase; any other error means the input is malformed or
// uses a scheme the package does not support (see the package
// documentation).
func Decrypt(encryptedPrivateKeyInfo, passphrase []byte) ([]byte, error) {
	return decrypt(encryptedPrivateKeyInfo, passphrase, MaxIterations)
}

// pbes2 is a parsed EncryptedPrivateKeyInfo.
type pbes2 struct {
	salt       []byte
	iterations int
	keyLength  int // the optional PBKDF2 keyLength, 0 when absent
	prf        func() hash.Hash
	keySize    int // the cipher's key size
	iv         []byte
	ciphertext []byte
}

// decrypt is Decrypt with a bound on the iteration count, which the fuzz
// test lowers.
func decrypt(der, passphrase []byte, maxIterations int) ([]byte, error) {
	if params, ciphertext, ok := gostPBES2(der); ok {
		return decryptGOST(params, ciphertext, passphrase, maxIterations)
	}
	p, err := parse(der, maxIterations)
	if err != nil {
		return nil, err
	}
	key, err := pbkdf2.Key(p.prf, string(passphrase), p.salt, p.iterations, p.keySize)
	if err != nil {
		return nil, fmt.Errorf("pkcs8: deriving the key: %w", err)
	}
	defer clear(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("pkcs8: %w", err)
	}
	plaintext := make([]byte, len(p.ciphertext))
	cipher.NewCBCDecrypter(block, p.iv).CryptBlocks(plaintext, p.ciphertext)
	n, ok := unpad(plaintext)
	if !ok || !isPrivateKeyInfo(plaintext[:n]) {
		clear(plaintext)
		return nil, ErrIncorrectPassphrase
	}
	clear(plaintext[n:])
	return plaintext[:n:n], nil
}

// unpad checks the PKCS#7 padding of a non-empty multiple of the block size
// and returns the length without it. It does not branch on the plaintext.
func unpad(b []byte) (int, bool) {
	pad := int(b[len(b)-1])
	good := subtle.ConstantTimeLessOrEq(1, pad) & subtle.ConstantTimeLessOrEq(pad, aes.BlockSize)
	for i := 1; i <= aes.BlockSize; i++ {
		inPad := subtle.ConstantTimeLessOrEq(i, pad)
		match := subtle.ConstantTimeByteEq(b[len(b)-i], byte(pad))
		good &= subtle.ConstantTimeSelect(inPad, match, 1)
	}
	return len(b) - pad, good == 1
}

// isPrivateKeyInfo reports whether der is exactly one DER PrivateKeyInfo or
// OneAsymmetricKey (RFC 5958 §2) in outline: version 0 or 1, an
// AlgorithmIdentifier, the privateKey OCTET STRING, then only the optional
// [0] attributes and [1] publicKey.
func isPrivateKeyInfo(der []byte) bool {
	input := cryptobyte.String(der)
	var info, alg cryptobyte.String
	var version int64
	var oid asn1.ObjectIdentifier
	if !input.ReadASN1(&info, cbasn1.SEQUENCE) || !input.Empty() ||
		!info.ReadASN1Integer(&version) || (version != 0 && version != 1) ||
		!info.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) ||
		!info.SkipASN1(cbasn1.OCTET_STRING) ||
		!info.SkipOptionalASN1(cbasn1.Tag(0).ContextSpecific().Constructed()) ||
		!info.SkipOptionalASN1(cbasn1.Tag(1).ContextSpecific()) {
		return false
	}
	return info.Empty()
}

// IsEncrypted reports whether der looks like an EncryptedPrivateKeyInfo (an
// AlgorithmIdentifier and an OCTET STRING) rather than a PrivateKeyInfo
// (which starts with an INTEGER version). It does not check that the
// encryption scheme is one Decrypt supports.
func IsEncrypted(der []byte) bool {
	input := cryptobyte.String(der)
	var epki, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	return input.ReadASN1(&epki, cbasn1.SEQUENCE) && input.Empty() &&
		epki.ReadASN1(&alg, cbasn1.SEQUENCE) && alg.ReadASN1ObjectIdentifier(&oid) &&
		epki.SkipASN1(cbasn1.OCTET_STRING) && epki.Empty()
}

// parse reads an EncryptedPrivateKeyInfo with PBES2 and checks every
// parameter that Decrypt relies on.
func parse(der []byte, maxIterations int) (*pbes2, error) {
	input := cryptobyte.String(der)
	var epki, alg, params, ciphertext cryptobyte.String
	var scheme asn1.ObjectIdentifier
	if !input.ReadASN1(&epki, cbasn1.SEQUENCE) || !input.Empty() ||
		!epki.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&scheme) ||
		!epki.ReadASN1(&ciphertext, cbasn1.OCTET_STRING) || !epki.Empty() {
		return nil, errors.New("pkcs8: malformed EncryptedPrivateKeyInfo")
	}
	switch {
	case scheme.Equal(oidPBES2):
	case isUnder(scheme, oidPKCS5) || isUnder(scheme, oidPKCS12PBE):
		return nil, fmt.Errorf("pkcs8: password-based encryption scheme %s (PBES1 or PKCS#12) is not supported; re-encrypt the key with PBES2 and AES", scheme)
	default:
		return nil, fmt.Errorf("pkcs8: unsupported encryption scheme %s", scheme)
	}

	var kdf, kdfParams, enc, salt cryptobyte.String
	var kdfOID, encOID asn1.ObjectIdentifier
	if !alg.ReadASN1(&params, cbasn1.SEQUENCE) || !alg.Empty() ||
		!params.ReadASN1(&kdf, cbasn1.SEQUENCE) || !kdf.ReadASN1ObjectIdentifier(&kdfOID) ||
		!params.ReadASN1(&enc, cbasn1.SEQUENCE) || !enc.ReadASN1ObjectIdentifier(&encOID) ||
		!params.Empty() {
		return nil, errors.New("pkcs8: malformed PBES2 parameters")
	}
	if !kdfOID.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("pkcs8: unsupported key derivation function %s", kdfOID)
	}
	if !kdf.ReadASN1(&kdfParams, cbasn1.SEQUENCE) || !kdf.Empty() {
		return nil, errors.New("pkcs8: malformed PBKDF2 parameters")
	}
	if kdfParams.PeekASN1Tag(cbasn1.SEQUENCE) {
		return nil, errors.New("pkcs8: PBKDF2 salt given as an AlgorithmIdentifier is not supported")
	}
	p := new(pbes2)
	var iterations, keyLength int64
	var hasPRF bool
	var prf cryptobyte.String
	if !kdfParams.ReadASN1(&salt, cbasn1.OCTET_STRING) || !kdfParams.ReadASN1Integer(&iterations) {
		return nil, errors.New("pkcs8: malformed PBKDF2 parameters")
	}
	hasKeyLength := kdfParams.PeekASN1Tag(cbasn1.INTEGER)
	if hasKeyLength && !kdfParams.ReadASN1Integer(&keyLength) ||
		!kdfParams.ReadOptionalASN1(&prf, &hasPRF, cbasn1.SEQUENCE) ||
		!kdfParams.Empty() {
		return nil, errors.New("pkcs8: malformed PBKDF2 parameters")
	}
	if iterations < 1 || iterations > int64(maxIterations) {
		return nil, fmt.Errorf("pkcs8: PBKDF2 iteration count %d is outside 1 to %d", iterations, maxIterations)
	}
	if hasKeyLength && (keyLength < 1 || keyLength > 64) {
		return nil, fmt.Errorf("pkcs8: PBKDF2 key length %d is invalid", keyLength)
	}
	p.salt, p.iterations, p.keyLength = salt, int(iterations), int(keyLength)

	if !hasPRF {
		return nil, errors.New("pkcs8: PBKDF2 with hmacWithSHA1 (the default PRF) is not supported")
	}
	var prfOID asn1.ObjectIdentifier
	if !prf.ReadASN1ObjectIdentifier(&prfOID) {
		return nil, errors.New("pkcs8: malformed PBKDF2 prf")
	}
	if prf.PeekASN1Tag(cbasn1.NULL) {
		var null cryptobyte.String
		if !prf.ReadASN1(&null, cbasn1.NULL) || len(null) != 0 {
			return nil, errors.New("pkcs8: malformed PBKDF2 prf")
		}
	}
	if !prf.Empty() {
		return nil, errors.New("pkcs8: malformed PBKDF2 prf: unexpected parameters")
	}
	for _, f := range prfs {
		if prfOID.Equal(f.oid) {
			p.prf = f.hash
		}
	}
	if p.prf == nil {
		if prfOID.Equal(oidHMACSHA1) {
			return nil, errors.New("pkcs8: PBKDF2 with hmacWithSHA1 is not supported")
		}
		return nil, fmt.Errorf("pkcs8: unsupported PBKDF2 prf %s", prfOID)
	}

	name := ""
	for _, c := range ciphers {
		if encOID.Equal(c.oid) {
			name, p.keySize = c.name, c.keySize
		}
	}
	if name == "" {
		return nil, fmt.Errorf("pkcs8: unsupported cipher %s", encOID)
	}
	var iv cryptobyte.String
	if !enc.ReadASN1(&iv, cbasn1.OCTET_STRING) || !enc.Empty() {
		return nil, fmt.Errorf("pkcs8: malformed %s parameters", name)
	}
	if len(iv) != aes.BlockSize {
		return nil, fmt.Errorf("pkcs8: %s IV is %d bytes, want %d", name, len(iv), aes.BlockSize)
	}
	if hasKeyLength && p.keyLength != p.keySize {
		return nil, fmt.Errorf("pkcs8: PBKDF2 key length %d does not match %s (%d bytes)", p.keyLength, name, p.keySize)
	}
	if len(ciphertext) == 0 || len(ciphertext)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("pkcs8: encrypted data of %d bytes is not a whole number of AES blocks", len(ciphertext))
	}
	p.iv, p.ciphertext = iv, ciphertext
	return p, nil
}

// isUnder reports whether oid lies in the arc of prefix.
func isUnder(oid, prefix asn1.ObjectIdentifier) bool {
	return len(oid) > len(prefix) && oid[:len(prefix)].Equal(prefix)
}
