package ocsp

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/streebog"
)

// Errors callers branch on with errors.Is.
var (
	// ErrMalformedRequest: the request is not a DER OCSPRequest of RFC 6960
	// (or has trailing data, no CertID, or an empty nonce). Answer
	// malformedRequest.
	ErrMalformedRequest = errors.New("ocsp: malformed request")
	// ErrNonceTooLong: the request's nonce is longer than 32 octets (RFC
	// 8954 §2.1). It comes wrapped together with ErrMalformedRequest.
	ErrNonceTooLong = errors.New("ocsp: nonce longer than 32 octets")
	// ErrUnknownHash: a CertID uses a hash algorithm other than SHA-1,
	// SHA-256, Streebog-256 and Streebog-512. Answer unauthorized.
	ErrUnknownHash = errors.New("ocsp: unknown CertID hash algorithm")
	// ErrMalformedResponse: the response is not a DER OCSPResponse with a
	// BasicOCSPResponse.
	ErrMalformedResponse = errors.New("ocsp: malformed response")
	// ErrUnauthorizedResponder: the response was signed neither by the
	// issuer's key nor by a responder certificate in it that the issuer
	// signed, with id-kp-OCSPSigning, valid at producedAt.
	ErrUnauthorizedResponder = errors.New("ocsp: responder not authorized by the issuer")
	// ErrBadSignature: the response's signature does not verify with the
	// responder's key.
	ErrBadSignature = errors.New("ocsp: bad response signature")
)

// HashAlgorithm is the hash algorithm of a CertID. The zero value is not a
// valid algorithm.
type HashAlgorithm int

// The CertID hash algorithms accepted in requests and used in responses.
const (
	// SHA1 is id-sha1, 1.3.14.3.2.26: RFC 5019's algorithm, which every
	// client sends by default.
	SHA1 HashAlgorithm = iota + 1
	// SHA256 is id-sha256, 2.16.840.1.101.3.4.2.1.
	SHA256
	// Streebog256 is id-tc26-gost3411-12-256, 1.2.643.7.1.1.2.2.
	Streebog256
	// Streebog512 is id-tc26-gost3411-12-512, 1.2.643.7.1.1.2.3.
	Streebog512
)

// hashAlgorithms lists the valid algorithms, for loops.
var hashAlgorithms = [...]HashAlgorithm{SHA1, SHA256, Streebog256, Streebog512}

// String returns the algorithm's name: "SHA1", "SHA256", "Streebog256",
// "Streebog512", or "HashAlgorithm(n)".
func (h HashAlgorithm) String() string {
	switch h {
	case SHA1:
		return "SHA1"
	case SHA256:
		return "SHA256"
	case Streebog256:
		return "Streebog256"
	case Streebog512:
		return "Streebog512"
	}
	return fmt.Sprintf("HashAlgorithm(%d)", int(h))
}

func (h HashAlgorithm) valid() bool { return h >= SHA1 && h <= Streebog512 }

// Size returns the length of the algorithm's digest in octets, or 0.
func (h HashAlgorithm) Size() int {
	switch h {
	case SHA1:
		return sha1.Size
	case SHA256:
		return sha256.Size
	case Streebog256:
		return streebog.Size256
	case Streebog512:
		return streebog.Size512
	}
	return 0
}

func (h HashAlgorithm) new() hash.Hash {
	switch h {
	case SHA1:
		return sha1.New()
	case SHA256:
		return sha256.New()
	case Streebog256:
		return streebog.New256()
	case Streebog512:
		return streebog.New512()
	}
	return nil
}

func (h HashAlgorithm) sum(data []byte) []byte {
	d := h.new()
	d.Write(data)
	return d.Sum(nil)
}

// The content octets of the hash algorithm OIDs, compared without
// decoding in the hot path.
var (
	oidSHA1        = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidStreebog256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}
	oidStreebog512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}

	derOIDSHA1        = []byte{0x2b, 0x0e, 0x03, 0x02, 0x1a}
	derOIDSHA256      = []byte{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01}
	derOIDStreebog256 = []byte{0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x02}
	derOIDStreebog512 = []byte{0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x03}
)

func (h HashAlgorithm) oid() asn1.ObjectIdentifier {
	switch h {
	case SHA1:
		return oidSHA1
	case SHA256:
		return oidSHA256
	case Streebog256:
		return oidStreebog256
	case Streebog512:
		return oidStreebog512
	}
	return nil
}

// hashByOID returns the algorithm whose OID has the DER content oid, or 0.
func hashByOID(oid []byte) HashAlgorithm {
	switch {
	case bytes.Equal(oid, derOIDSHA1):
		return SHA1
	case bytes.Equal(oid, derOIDSHA256):
		return SHA256
	case bytes.Equal(oid, derOIDStreebog256):
		return Streebog256
	case bytes.Equal(oid, derOIDStreebog512):
		return Streebog512
	}
	return 0
}

// CertID names a certificate in requests and responses (RFC 6960 §4.1.1):
// the hashes of its issuer's name and key, and its serial number.
type CertID struct {
	Hash HashAlgorithm
	// IssuerNameHash is the hash of the DER of the issuer's subject.
	IssuerNameHash []byte
	// IssuerKeyHash is the hash of the issuer's subjectPublicKey BIT
	// STRING value (without the tag, length and unused-bits octets).
	IssuerKeyHash []byte
	SerialNumber  *big.Int
}

// NewCertID returns the CertID of the certificate with the given serial
// number issued by issuer, with hash algorithm h.
func NewCertID(h HashAlgorithm, issuer *cert.Certificate, serial *big.Int) (*CertID, error) {
	if !h.valid() {
		return nil, fmt.Errorf("ocsp: CertID with %v: %w", h, ErrUnknownHash)
	}
	if serial == nil {
		return nil, errors.New("ocsp: CertID without a serial number")
	}
	name, key, err := issuerParts(issuer)
	if err != nil {
		return nil, err
	}
	return &CertID{
		Hash:           h,
		IssuerNameHash: h.sum(name),
		IssuerKeyHash:  h.sum(key),
		SerialNumber:   new(big.Int).Set(serial),
	}, nil
}

// issuerParts returns what the hashes of a CertID are taken over: the DER
// subject of issuer and its subjectPublicKey BIT STRING value.
func issuerParts(issuer *cert.Certificate) (name, key []byte, err error) {
	if issuer == nil {
		return nil, nil, errors.New("ocsp: no issuer certificate")
	}
	name = issuer.RawSubject
	if len(name) == 0 {
		if name, err = issuer.Subject.Marshal(); err != nil {
			return nil, nil, fmt.Errorf("ocsp: issuer subject: %w", err)
		}
	}
	key, err = publicKeyBits(issuer)
	if err != nil {
		return nil, nil, err
	}
	return name, key, nil
}

// publicKeyBits returns the subjectPublicKey BIT STRING value of c, from
// RawSubjectPublicKeyInfo when set, else from PublicKey.
func publicKeyBits(c *cert.Certificate) ([]byte, error) {
	spki := c.RawSubjectPublicKeyInfo
	if len(spki) == 0 {
		if c.PublicKey == nil {
			return nil, errors.New("ocsp: certificate without a public key")
		}
		var err error
		if spki, err = gost3410.MarshalPKIXPublicKey(c.PublicKey); err != nil {
			return nil, fmt.Errorf("ocsp: %w", err)
		}
	}
	return spkiBits(spki)
}

func spkiBits(spki []byte) ([]byte, error) {
	s := cryptobyte.String(spki)
	var seq cryptobyte.String
	var bits asn1.BitString
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.SkipASN1(cbasn1.SEQUENCE) || !seq.ReadASN1BitString(&bits) {
		return nil, errors.New("ocsp: malformed SubjectPublicKeyInfo")
	}
	return bits.Bytes, nil
}

// keyHash returns the SHA-1 of c's subjectPublicKey BIT STRING value: its
// responderID byKey (RFC 6960 §4.2.1).
func keyHash(c *cert.Certificate) ([]byte, error) {
	return cert.KeyIdentifier(c.RawSubjectPublicKeyInfo)
}

// Equal reports whether id and other name the same certificate with the
// same hash algorithm.
func (id *CertID) Equal(other *CertID) bool {
	return id.Hash == other.Hash &&
		bytes.Equal(id.IssuerNameHash, other.IssuerNameHash) &&
		bytes.Equal(id.IssuerKeyHash, other.IssuerKeyHash) &&
		id.SerialNumber != nil && other.SerialNumber != nil &&
		id.SerialNumber.Cmp(other.SerialNumber) == 0
}

// check reports why id cannot be encoded, or nil.
func (id *CertID) check() error {
	switch {
	case !id.Hash.valid():
		return fmt.Errorf("ocsp: CertID with %v: %w", id.Hash, ErrUnknownHash)
	case len(id.IssuerNameHash) != id.Hash.Size() || len(id.IssuerKeyHash) != id.Hash.Size():
		return fmt.Errorf("ocsp: CertID hashes are not %d octets long as %v's are", id.Hash.Size(), id.Hash)
	case id.SerialNumber == nil:
		return errors.New("ocsp: CertID without a serial number")
	}
	return nil
}

// marshal writes the CertID; id must have passed check.
func (id *CertID) marshal(b *cryptobyte.Builder) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(id.Hash.oid())
			if id.Hash == SHA1 || id.Hash == SHA256 {
				b.AddASN1NULL()
			}
		})
		b.AddASN1OctetString(id.IssuerNameHash)
		b.AddASN1OctetString(id.IssuerKeyHash)
		b.AddASN1BigInt(id.SerialNumber)
	})
}

// Reasons a CertID is refused, told apart so that the caller can pick the
// sentinel of the request or the response.
type certIDError int

const (
	certIDOK certIDError = iota
	certIDMalformed
	certIDUnknownHash
)

// readCertID reads a CertID from s. The hashes alias s.
func readCertID(s *cryptobyte.String, id *CertID) certIDError {
	var seq, alg, oid, nameHash, keyHash cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1(&alg, cbasn1.SEQUENCE) {
		return certIDMalformed
	}
	algOID := alg
	if !alg.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) ||
		!(alg.Empty() || bytes.Equal(alg, []byte{0x05, 0x00})) ||
		!seq.ReadASN1(&nameHash, cbasn1.OCTET_STRING) ||
		!seq.ReadASN1(&keyHash, cbasn1.OCTET_STRING) {
		return certIDMalformed
	}
	serial := new(big.Int)
	if !seq.ReadASN1Integer(serial) || !seq.Empty() {
		return certIDMalformed
	}
	h := hashByOID(oid)
	if h == 0 {
		var o asn1.ObjectIdentifier
		if !algOID.ReadASN1ObjectIdentifier(&o) {
			return certIDMalformed // not even an OID
		}
		return certIDUnknownHash
	}
	if len(nameHash) != h.Size() || len(keyHash) != h.Size() {
		return certIDMalformed
	}
	*id = CertID{Hash: h, IssuerNameHash: nameHash, IssuerKeyHash: keyHash, SerialNumber: serial}
	return certIDOK
}

// IssuerHashes holds the name and key hashes of one issuer under every
// CertID hash algorithm, computed once, so that a responder matches CertIDs
// without hashing. It is immutable and safe for concurrent use.
type IssuerHashes struct {
	name, key [len(hashAlgorithms) + 1][]byte // indexed by HashAlgorithm
}

// NewIssuerHashes hashes issuer's subject and key under every algorithm.
// It fails for an issuer without a subject or a key.
func NewIssuerHashes(issuer *cert.Certificate) (*IssuerHashes, error) {
	name, key, err := issuerParts(issuer)
	if err != nil {
		return nil, err
	}
	h := new(IssuerHashes)
	for _, alg := range hashAlgorithms {
		h.name[alg] = alg.sum(name)
		h.key[alg] = alg.sum(key)
	}
	return h, nil
}

// Matches reports whether id names a certificate of this issuer: both of
// its hashes equal the issuer's under id.Hash. The serial is not looked at.
func (h *IssuerHashes) Matches(id *CertID) bool {
	if !id.Hash.valid() {
		return false
	}
	return bytes.Equal(id.IssuerNameHash, h.name[id.Hash]) && bytes.Equal(id.IssuerKeyHash, h.key[id.Hash])
}
