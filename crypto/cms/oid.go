package cms

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"hash"

	"github.com/gostca/gostca/crypto/streebog"
)

// The OIDs are package-private variables, never handed out without a copy.
var (
	// Content types (RFC 5652 §4, §5.1).
	oidData       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}

	// Attributes (RFC 5652 §11, RFC 2634 §5.4, RFC 5035 §3).
	oidAttrContentType          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDigest        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidAttrSigningTime          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidAttrSigningCertificate   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	oidAttrSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}

	// GOST R 34.11-2012 and GOST R 34.10-2012 (RFC 9215 §2–4).
	oidStreebog256       = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}
	oidStreebog512       = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}
	oidGOSTKey256        = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}
	oidGOSTKey512        = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2}
	oidSignWithDigest256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 2}
	oidSignWithDigest512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 3}

	// Hashes an ESSCertID or ESSCertIDv2 may name (RFC 2634, RFC 5035).
	oidSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
)

// Digest names a digest algorithm of a SignerInfo.
type Digest int

const (
	// UnknownDigest is any digest algorithm other than the two below: its
	// SignerInfo cannot be verified.
	UnknownDigest Digest = iota
	// Streebog256 is GOST R 34.11-2012 with a 256-bit hash,
	// id-tc26-gost3411-12-256 (1.2.643.7.1.1.2.2), for 256-bit keys.
	Streebog256
	// Streebog512 is GOST R 34.11-2012 with a 512-bit hash,
	// id-tc26-gost3411-12-512 (1.2.643.7.1.1.2.3), for 512-bit keys.
	Streebog512
)

// String returns "Streebog256", "Streebog512" or "UnknownDigest".
func (d Digest) String() string {
	switch d {
	case Streebog256:
		return "Streebog256"
	case Streebog512:
		return "Streebog512"
	}
	return "UnknownDigest"
}

// Size returns the length of the digest in bytes, which is also the size of
// the keys that sign with it (0 for UnknownDigest).
func (d Digest) Size() int {
	switch d {
	case Streebog256:
		return 32
	case Streebog512:
		return 64
	}
	return 0
}

func (d Digest) new() hash.Hash {
	if d == Streebog512 {
		return streebog.New512()
	}
	return streebog.New256()
}

func (d Digest) oid() asn1.ObjectIdentifier {
	if d == Streebog512 {
		return oidStreebog512
	}
	return oidStreebog256
}

// keyOID is the key algorithm OID OpenSSL's GOST engine writes as the
// signatureAlgorithm of a SignerInfo, as do the TC26 examples.
func (d Digest) keyOID() asn1.ObjectIdentifier {
	if d == Streebog512 {
		return oidGOSTKey512
	}
	return oidGOSTKey256
}

// digestByOID returns the Streebog variant named by oid.
func digestByOID(oid asn1.ObjectIdentifier) Digest {
	switch {
	case oid.Equal(oidStreebog256):
		return Streebog256
	case oid.Equal(oidStreebog512):
		return Streebog512
	}
	return UnknownDigest
}

// digestBySize returns the Streebog variant that a key of size bytes signs
// with.
func digestBySize(size int) Digest {
	switch size {
	case 32:
		return Streebog256
	case 64:
		return Streebog512
	}
	return UnknownDigest
}

// signatureDigest returns the digest a signatureAlgorithm OID implies: both
// the key algorithm OIDs (what OpenSSL and the TC26 examples write) and the
// signwithdigest OIDs are accepted.
func signatureDigest(oid asn1.ObjectIdentifier) Digest {
	switch {
	case oid.Equal(oidGOSTKey256), oid.Equal(oidSignWithDigest256):
		return Streebog256
	case oid.Equal(oidGOSTKey512), oid.Equal(oidSignWithDigest512):
		return Streebog512
	}
	return UnknownDigest
}

// certHash returns a hash function for an ESSCertID(v2) hashAlgorithm, or
// nil for one this package does not compute.
func certHash(oid asn1.ObjectIdentifier) hash.Hash {
	switch {
	case oid.Equal(oidStreebog256):
		return streebog.New256()
	case oid.Equal(oidStreebog512):
		return streebog.New512()
	case oid.Equal(oidSHA1):
		return sha1.New()
	case oid.Equal(oidSHA256):
		return sha256.New()
	case oid.Equal(oidSHA384):
		return sha512.New384()
	case oid.Equal(oidSHA512):
		return sha512.New()
	}
	return nil
}

// digester hashes one stream with several digest algorithms at once.
type digester struct {
	algs   []Digest
	hashes []hash.Hash
}

func newDigester(algs []Digest) *digester {
	d := &digester{algs: algs}
	for _, a := range algs {
		d.hashes = append(d.hashes, a.new())
	}
	return d
}

// Write hashes p with every algorithm; it never fails.
func (d *digester) Write(p []byte) (int, error) {
	for _, h := range d.hashes {
		h.Write(p)
	}
	return len(p), nil
}

// sums returns the digests by algorithm.
func (d *digester) sums() map[Digest][]byte {
	m := make(map[Digest][]byte, len(d.algs))
	for i, a := range d.algs {
		m[a] = d.hashes[i].Sum(nil)
	}
	return m
}
