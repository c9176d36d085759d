package pkcs12

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"io"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gostca/gostca/crypto/gost28147"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/internal/gostpbes2"
	"github.com/gostca/gostca/crypto/streebog"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// DefaultIterations is the PBKDF2 iteration count Encrypt uses for the
// bags and the MAC when Options do not set one. Opening a PFX derives three
// keys (key bag, certificates, MAC, the last twice as long): at this count
// about a second on the development machine (BenchmarkDecode).
const DefaultIterations = 100000

// MaxIterations is the largest iteration count Decode accepts, for the
// bags and the MAC alike (and Encode writes).
const MaxIterations = 2000000

// ErrIncorrectPassword is returned (wrapped) by Decode when the password
// does not open the file.
var ErrIncorrectPassword = errors.New("pkcs12: incorrect password")

// ErrIntegrity is returned (wrapped) by Decode when the password decrypts
// the file's contents but its MAC does not match: the file was damaged or
// altered.
var ErrIntegrity = errors.New("pkcs12: integrity check failed: the file is damaged or was altered")

// ErrIterations is wrapped by Decode when an iteration count (of a bag's
// encryption or of the MAC) is outside 1 to MaxIterations: the file is
// refused before any key is derived.
var ErrIterations = gostpbes2.ErrIterations

// MACDigest is the hash of the PFX integrity MAC.
type MACDigest int

const (
	// MACStreebog512 is HMAC-Streebog-512, the default and RFC 9548's.
	MACStreebog512 MACDigest = iota
	// MACStreebog256 is HMAC-Streebog-256.
	MACStreebog256
)

// Options for Encode; nil means the defaults.
type Options struct {
	// Iterations is the PBKDF2 iteration count for the bags and the MAC, 1
	// to MaxIterations; 0 means DefaultIterations.
	Iterations int
	// FriendlyName is the name Russian software shows for the key (the
	// friendlyName attribute, 1.2.840.113549.1.9.20); "" writes none.
	FriendlyName string
	// MACDigest is the MAC's hash; the zero value is MACStreebog512.
	MACDigest MACDigest
	// Cipher encrypts the key and the certificates; the zero value is
	// CipherGOST28147.
	Cipher Cipher
}

// Cipher is the PBES2 encryption scheme of the bags.
type Cipher int

const (
	// CipherGOST28147 is GOST 28147-89 CFB with key meshing and the TC26-Z
	// S-box, the default: what every GOST PFX reader reads.
	CipherGOST28147 Cipher = iota
	// CipherKuznyechikCTRACPKM is Kuznyechik CTR-ACPKM (RFC 9548), as
	// OpenSSL's GOST engine writes it for "-keypbe kuznyechik-ctr-acpkm";
	// GnuTLS 3.8 cannot read it.
	CipherKuznyechikCTRACPKM
	// CipherMagmaCTRACPKM is Magma CTR-ACPKM, likewise.
	CipherMagmaCTRACPKM
	// CipherKuznyechikCTRACPKMOMAC is Kuznyechik CTR-ACPKM with an OMAC
	// over each bag's plaintext (id-gostr3412-2015-kuznyechik-ctracpkm-omac,
	// RFC 9337, RFC 9548): a tampered bag or a wrong password fails its
	// MAC. Neither OpenSSL 3.0's GOST engine nor GnuTLS reads it.
	CipherKuznyechikCTRACPKMOMAC
	// CipherMagmaCTRACPKMOMAC is Magma CTR-ACPKM with an OMAC, likewise.
	CipherMagmaCTRACPKMOMAC
)

var pbes2Ciphers = map[Cipher]gostpbes2.Cipher{
	CipherGOST28147:              gostpbes2.GOST28147,
	CipherKuznyechikCTRACPKM:     gostpbes2.KuznyechikCTRACPKM,
	CipherMagmaCTRACPKM:          gostpbes2.MagmaCTRACPKM,
	CipherKuznyechikCTRACPKMOMAC: gostpbes2.KuznyechikCTRACPKMOMAC,
	CipherMagmaCTRACPKMOMAC:      gostpbes2.MagmaCTRACPKMOMAC,
}

// String names the cipher: "GOST 28147-89 CFB", "Kuznyechik
// CTR-ACPKM-OMAC" and so on.
func (c Cipher) String() string {
	if p, ok := pbes2Ciphers[c]; ok {
		return p.String()
	}
	return fmt.Sprintf("Cipher(%d)", int(c))
}

// Contents is what a PFX holds.
type Contents struct {
	// Key is the private key.
	Key *gost3410.PrivateKey
	// Certificate is the DER certificate of Key (whose public key is
	// Key's), or nil when the file has none.
	Certificate []byte
	// Chain are the other certificates, DER, in the file's order.
	Chain [][]byte
	// FriendlyName is the key's friendlyName attribute, or "".
	FriendlyName string
	// LocalKeyID is the key's localKeyId attribute, or nil.
	LocalKeyID []byte
}

// Object identifiers of RFC 7292, RFC 5652, RFC 2985 and RFC 9548.
var (
	oidData            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedData   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidKeyBag          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidShroudedKeyBag  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidCertBag         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidX509Certificate = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	oidFriendlyName    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 20}
	oidLocalKeyID      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 21}
	oidStreebog256     = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}
	oidStreebog512     = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}
)

// macKeySize is the length of the MAC key RFC 9548 derives.
const macKeySize = 32

// Encode writes a PFX holding key, its DER certificate cert (which must
// carry key's public key; nil for none) and the DER certificates of chain,
// protected by password (UTF-8), reading salts and IVs from rand. The key
// bag and the certificate's bag carry the friendly name and a localKeyId,
// the SHA-1 of the certificate as OpenSSL computes it: a label that pairs
// them for importing software, not a security function.
func Encode(rand io.Reader, key *gost3410.PrivateKey, cert []byte, chain [][]byte, password []byte, opts *Options) ([]byte, error) {
	iterations, digest, name, cipher := DefaultIterations, MACStreebog512, "", CipherGOST28147
	if opts != nil {
		if opts.Iterations != 0 {
			iterations = opts.Iterations
		}
		digest, name, cipher = opts.MACDigest, opts.FriendlyName, opts.Cipher
	}
	scheme, ok := pbes2Ciphers[cipher]
	if !ok {
		return nil, fmt.Errorf("pkcs12: unknown cipher %d", cipher)
	}
	if iterations < 1 || iterations > MaxIterations {
		return nil, fmt.Errorf("pkcs12: iteration count %d is outside 1 to %d", iterations, MaxIterations)
	}
	if digest != MACStreebog512 && digest != MACStreebog256 {
		return nil, fmt.Errorf("pkcs12: unknown MAC digest %d", digest)
	}
	if !utf8.Valid(password) {
		return nil, errors.New("pkcs12: the password is not UTF-8")
	}
	if key == nil {
		return nil, errors.New("pkcs12: no private key")
	}
	var localKeyID []byte
	if cert != nil {
		if err := matchKey(key, cert); err != nil {
			return nil, err
		}
		sum := sha1.Sum(cert)
		localKeyID = sum[:]
	}
	for i, c := range chain {
		if _, err := x509.ParseCertificate(c); err != nil {
			return nil, fmt.Errorf("pkcs12: chain certificate %d: %w", i, err)
		}
	}

	// The certificates, encrypted.
	var certs cryptobyte.Builder
	certs.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if cert != nil {
			addCertBag(b, cert, name, localKeyID)
		}
		for _, c := range chain {
			addCertBag(b, c, "", nil)
		}
	})
	certsDER, err := certs.Bytes()
	if err != nil {
		return nil, fmt.Errorf("pkcs12: encoding certificate bags: %w", err)
	}
	certScheme, err := gostpbes2.New(rand, iterations, gostpbes2.DefaultSaltSize, scheme, gost28147.SBoxTC26Z())
	if err != nil {
		return nil, fmt.Errorf("pkcs12: %w", err)
	}
	certsEnc, err := certScheme.Encrypt(password, certsDER)
	if err != nil {
		return nil, fmt.Errorf("pkcs12: encrypting the certificates: %w", err)
	}

	// The key, shrouded.
	keyInfo, err := gost3410.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("pkcs12: %w", err)
	}
	defer clear(keyInfo)
	keyScheme, err := gostpbes2.New(rand, iterations, gostpbes2.DefaultSaltSize, scheme, gost28147.SBoxTC26Z())
	if err != nil {
		return nil, fmt.Errorf("pkcs12: %w", err)
	}
	keyEnc, err := keyScheme.Encrypt(password, keyInfo)
	if err != nil {
		return nil, fmt.Errorf("pkcs12: encrypting the key: %w", err)
	}

	var auth cryptobyte.Builder
	auth.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // AuthenticatedSafe
		if cert != nil || len(chain) > 0 {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ContentInfo
				b.AddASN1ObjectIdentifier(oidEncryptedData)
				b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // EncryptedData
						b.AddASN1Int64(0)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // EncryptedContentInfo
							b.AddASN1ObjectIdentifier(oidData)
							certScheme.AddAlgorithmIdentifier(b)
							b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) {
								b.AddBytes(certsEnc)
							})
						})
					})
				})
			})
		}
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ContentInfo
			b.AddASN1ObjectIdentifier(oidData)
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SafeContents
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SafeBag
							b.AddASN1ObjectIdentifier(oidShroudedKeyBag)
							b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
								b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // EncryptedPrivateKeyInfo
									keyScheme.AddAlgorithmIdentifier(b)
									b.AddASN1OctetString(keyEnc)
								})
							})
							addAttributes(b, name, localKeyID)
						})
					})
				})
			})
		})
	})
	authDER, err := auth.Bytes()
	if err != nil {
		return nil, fmt.Errorf("pkcs12: encoding AuthenticatedSafe: %w", err)
	}

	macSalt := make([]byte, gostpbes2.DefaultSaltSize)
	if _, err := io.ReadFull(rand, macSalt); err != nil {
		return nil, fmt.Errorf("pkcs12: reading random MAC salt: %w", err)
	}
	newHash, digestOID := streebog.New512, oidStreebog512
	if digest == MACStreebog256 {
		newHash, digestOID = streebog.New256, oidStreebog256
	}
	macKey, err := gostMACKey(newHash, password, macSalt, iterations)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(newHash, macKey)
	mac.Write(authDER)

	var pfx cryptobyte.Builder
	pfx.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(3)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidData)
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1OctetString(authDER)
			})
		})
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // MacData
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // DigestInfo
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(digestOID)
				})
				b.AddASN1OctetString(mac.Sum(nil))
			})
			b.AddASN1OctetString(macSalt)
			b.AddASN1Int64(int64(iterations))
		})
	})
	der, err := pfx.Bytes()
	if err != nil {
		return nil, fmt.Errorf("pkcs12: encoding PFX: %w", err)
	}
	return der, nil
}

func addCertBag(b *cryptobyte.Builder, cert []byte, name string, localKeyID []byte) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SafeBag
		b.AddASN1ObjectIdentifier(oidCertBag)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // CertBag
				b.AddASN1ObjectIdentifier(oidX509Certificate)
				b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(cert)
				})
			})
		})
		addAttributes(b, name, localKeyID)
	})
}

// addAttributes writes the bag attributes, if any.
func addAttributes(b *cryptobyte.Builder, name string, localKeyID []byte) {
	if name == "" && localKeyID == nil {
		return
	}
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		// DER orders a SET OF by encoding: friendlyName's OID sorts first.
		if name != "" {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidFriendlyName)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.Tag(30), func(b *cryptobyte.Builder) { // BMPString
						for _, u := range utf16.Encode([]rune(name)) {
							b.AddUint16(u)
						}
					})
				})
			})
		}
		if localKeyID != nil {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidLocalKeyID)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(localKeyID)
				})
			})
		}
	})
}

// matchKey checks that the DER certificate carries key's public key.
func matchKey(key *gost3410.PrivateKey, cert []byte) error {
	pub, err := certificateKey(cert)
	if err != nil {
		return err
	}
	if !pub.Equal(key.Public()) {
		return errors.New("pkcs12: the certificate is not the private key's")
	}
	return nil
}

// certificateKey returns the GOST public key of a DER certificate.
func certificateKey(cert []byte) (*gost3410.PublicKey, error) {
	c, err := x509.ParseCertificate(cert)
	if err != nil {
		return nil, fmt.Errorf("pkcs12: parsing the certificate: %w", err)
	}
	pub, err := gost3410.ParsePKIXPublicKey(c.RawSubjectPublicKeyInfo)
	if err != nil {
		return nil, fmt.Errorf("pkcs12: the certificate's key: %w", err)
	}
	return pub, nil
}

// gostMACKey derives the MAC key as RFC 9548 does: the last 32 bytes of
// 96 bytes of PBKDF2 with HMAC over the MAC's hash.
func gostMACKey(newHash func() hash.Hash, password, salt []byte, iterations int) ([]byte, error) {
	out, err := pbkdf2.Key(newHash, string(password), salt, iterations, 3*macKeySize)
	if err != nil {
		return nil, fmt.Errorf("pkcs12: deriving the MAC key: %w", err)
	}
	return out[2*macKeySize:], nil
}

// legacyMACKey derives the MAC key the RFC 7292 way (Appendix B.2, ID 3)
// over the password as a NUL-terminated BMPString. The key is as long as
// the hash's output, so it is the first block A_1 alone.
func legacyMACKey(newHash func() hash.Hash, password []byte, salt []byte, iterations int) []byte {
	var bmp []byte
	for _, u := range utf16.Encode([]rune(string(password))) {
		bmp = append(bmp, byte(u>>8), byte(u))
	}
	bmp = append(bmp, 0, 0)
	defer clear(bmp)
	h := newHash()
	v := h.BlockSize()
	// D = ID repeated, then I = S || P, each repeated to a multiple of v.
	var in []byte
	for range v {
		in = append(in, 3)
	}
	for _, part := range [][]byte{salt, bmp} {
		if len(part) == 0 {
			continue
		}
		for k := range (len(part) + v - 1) / v * v {
			in = append(in, part[k%len(part)])
		}
	}
	defer clear(in)
	h.Write(in)
	a := h.Sum(nil)
	for range iterations - 1 {
		h.Reset()
		h.Write(a)
		a = h.Sum(a[:0])
	}
	return a
}
