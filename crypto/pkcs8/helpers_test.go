package pkcs8

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"hash"
	"io"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/streebog"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// testKeyInfo returns the PrivateKeyInfo of a fresh 256-bit key.
func testKeyInfo(t testing.TB) []byte {
	t.Helper()
	return keyInfoFor(t, gost3410.ParamsTC26256A())
}

// keyInfoFor returns the PrivateKeyInfo of a fresh key on params.
func keyInfoFor(t testing.TB, params *gost3410.Params) []byte {
	t.Helper()
	key, err := gost3410.GenerateKey(params, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := gost3410.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// spec describes an EncryptedPrivateKeyInfo field by field, so that a test
// can build one valid structure and then spoil exactly one part of it. The
// test keeps its own tables of hashes and key sizes, independent of the
// package's.
type spec struct {
	scheme, kdf, prf, cipher asn1.ObjectIdentifier
	omitPRF                  bool   // leave the prf field out (RFC 8018 default hmacWithSHA1)
	prfParams                []byte // raw DER after the prf OID; nil writes nothing
	salt                     []byte
	iterations               int64
	keyLength                int64 // written when non-zero
	iv                       []byte
	ciphertext               []byte // when nil, the real encryption of plaintext
	plaintext                []byte
	passphrase               string
}

var testHashes = map[string]func() hash.Hash{
	oidHMACSHA1.String():      sha1.New,
	oidHMACSHA256.String():    sha256.New,
	oidHMACSHA512.String():    sha512.New,
	oidHMACStreebog2.String(): streebog.New256,
	oidHMACStreebog5.String(): streebog.New512,
}

var testKeySizes = map[string]int{
	oidAES128CBC.String(): 16,
	oidAES192CBC.String(): 24,
	oidAES256CBC.String(): 32,
}

// validSpec is a well-formed spec in the form Encrypt writes, cheap to
// derive.
func validSpec(t testing.TB) spec {
	return spec{
		scheme:     oidPBES2,
		kdf:        oidPBKDF2,
		prf:        oidHMACStreebog5,
		prfParams:  []byte{0x05, 0x00},
		salt:       []byte("saltsaltsaltsalt"),
		iterations: 3,
		cipher:     oidAES256CBC,
		iv:         []byte("0123456789abcdef"),
		plaintext:  testKeyInfo(t),
		passphrase: "secret",
	}
}

// build encodes s, encrypting s.plaintext with the key derived from
// s.passphrase when s.ciphertext is nil.
func (s spec) build(t testing.TB) []byte {
	t.Helper()
	ciphertext := s.ciphertext
	if ciphertext == nil {
		h := testHashes[s.prf.String()]
		if s.omitPRF {
			h = sha1.New
		}
		size := testKeySizes[s.cipher.String()]
		if h == nil || size == 0 || len(s.iv) != aes.BlockSize {
			h, size = sha256.New, 32 // any key: the structure is what is tested
		}
		iterations := int(s.iterations)
		if iterations < 1 || iterations > 1000 {
			iterations = 1 // a spoilt count: the structure is what is tested
		}
		key, err := pbkdf2.Key(h, s.passphrase, s.salt, iterations, size)
		if err != nil {
			t.Fatal(err)
		}
		block, _ := aes.NewCipher(key)
		pad := aes.BlockSize - len(s.plaintext)%aes.BlockSize
		ciphertext = append([]byte(nil), s.plaintext...)
		for range pad {
			ciphertext = append(ciphertext, byte(pad))
		}
		iv := s.iv
		if len(iv) != aes.BlockSize {
			iv = make([]byte, aes.BlockSize)
		}
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(ciphertext, ciphertext)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(s.scheme)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(s.kdf)
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1OctetString(s.salt)
						b.AddASN1Int64(s.iterations)
						if s.keyLength != 0 {
							b.AddASN1Int64(s.keyLength)
						}
						if !s.omitPRF {
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								b.AddASN1ObjectIdentifier(s.prf)
								b.AddBytes(s.prfParams)
							})
						}
					})
				})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(s.cipher)
					b.AddASN1OctetString(s.iv)
				})
			})
		})
		b.AddASN1OctetString(ciphertext)
	})
	der, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// randReader is the random source for tests whose output is not pinned.
func randReader() io.Reader { return rand.Reader }
