// Package bundle exports certificates in the bundle formats that other
// software imports: PKCS#7 certificates-only ("p7b") and PKCS#12 trust
// stores ("p12").
//
// # Scope
//
// EncodeP7B writes a degenerate PKCS#7 SignedData (RFC 2315 §9.1, RFC 5652
// §5): version 1, no digest algorithms, an empty id-data content, the
// certificates and no signers, as "openssl crl2pkcs7 -nocrl" makes and
// Windows and CryptoPro import as .p7b. The certificates keep the order
// given (leaf first, then its issuers, by convention): like OpenSSL, the
// certificates field is encoded in the given order rather than sorted.
// ParseP7B reads such a bundle, and the certificates of any SignedData.
//
// EncodeTrustStore writes a PKCS#12 file of certificates only, no keys
// (a trust store, marked for Java), through software.sslmate.com/src/go-pkcs12
// with its Modern encoder (PBES2 with AES-256-CBC, HMAC-SHA-256 MAC), which
// OpenSSL 1.1.1 and later read. Its password protects integrity, not
// secrets: a trust store holds public certificates.
//
// The package does not sign (no signerInfos), and does not export private
// keys: GOST private keys go into PKCS#8 files (crypto/keyfile).
//
// # Concurrency
//
// The functions keep no state and are safe for concurrent use.
package bundle

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/gostca/gostca/crypto/cert"
)

var (
	oidData       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
)

// tagCertificates is the [0] IMPLICIT certificates field of SignedData.
var tagCertificates = cbasn1.Tag(0).ContextSpecific().Constructed()

// EncodeP7B returns the DER of a certificates-only PKCS#7 SignedData
// holding certs, in order. It fails for an empty list or a certificate
// without its DER (Raw).
func EncodeP7B(certs []*cert.Certificate) ([]byte, error) {
	if len(certs) == 0 {
		return nil, errors.New("bundle: no certificates")
	}
	for i, c := range certs {
		if c == nil || len(c.Raw) == 0 {
			return nil, fmt.Errorf("bundle: certificate %d has no DER", i)
		}
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(ci *cryptobyte.Builder) { // ContentInfo
		ci.AddASN1ObjectIdentifier(oidSignedData)
		ci.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(e *cryptobyte.Builder) {
			e.AddASN1(cbasn1.SEQUENCE, func(sd *cryptobyte.Builder) { // SignedData
				sd.AddASN1Int64(1)                                   // version
				sd.AddASN1(cbasn1.SET, func(*cryptobyte.Builder) {}) // digestAlgorithms
				sd.AddASN1(cbasn1.SEQUENCE, func(eci *cryptobyte.Builder) {
					eci.AddASN1ObjectIdentifier(oidData) // contentInfo, no content
				})
				sd.AddASN1(tagCertificates, func(cs *cryptobyte.Builder) {
					for _, c := range certs {
						cs.AddBytes(c.Raw)
					}
				})
				sd.AddASN1(cbasn1.SET, func(*cryptobyte.Builder) {}) // signerInfos
			})
		})
	})
	return b.Bytes()
}

// ParseP7B returns the certificates of a PKCS#7 SignedData (DER), in the
// order they are stored. Signatures, if any, are not checked.
func ParseP7B(der []byte) ([]*cert.Certificate, error) {
	s := cryptobyte.String(der)
	var ci, content, sd cryptobyte.String
	var oid asn1.ObjectIdentifier
	var version int64
	if !s.ReadASN1(&ci, cbasn1.SEQUENCE) || !s.Empty() ||
		!ci.ReadASN1ObjectIdentifier(&oid) {
		return nil, errors.New("bundle: malformed PKCS#7 ContentInfo")
	}
	if !oid.Equal(oidSignedData) {
		return nil, fmt.Errorf("bundle: PKCS#7 content type %v is not signedData", oid)
	}
	if !ci.ReadASN1(&content, cbasn1.Tag(0).ContextSpecific().Constructed()) ||
		!content.ReadASN1(&sd, cbasn1.SEQUENCE) ||
		!sd.ReadASN1Integer(&version) ||
		!sd.SkipASN1(cbasn1.SET) || // digestAlgorithms
		!sd.SkipASN1(cbasn1.SEQUENCE) { // encapContentInfo
		return nil, errors.New("bundle: malformed PKCS#7 SignedData")
	}
	var certs cryptobyte.String
	var present bool
	if !sd.ReadOptionalASN1(&certs, &present, tagCertificates) {
		return nil, errors.New("bundle: malformed PKCS#7 certificates")
	}
	var out []*cert.Certificate
	for !certs.Empty() {
		var raw cryptobyte.String
		if !certs.ReadASN1Element(&raw, cbasn1.SEQUENCE) {
			return nil, errors.New("bundle: malformed PKCS#7 certificate")
		}
		c, err := cert.ParseCertificate(raw)
		if err != nil {
			return nil, fmt.Errorf("bundle: certificate %d: %w", len(out), err)
		}
		out = append(out, c)
	}
	return out, nil
}

// EncodeTrustStore returns a PKCS#12 trust store of certs protected by
// password (go-pkcs12's Modern encoder), each entry named by its subject.
func EncodeTrustStore(certs []*cert.Certificate, password string) ([]byte, error) {
	if len(certs) == 0 {
		return nil, errors.New("bundle: no certificates")
	}
	entries := make([]pkcs12.TrustStoreEntry, len(certs))
	for i, c := range certs {
		if c == nil || len(c.Raw) == 0 {
			return nil, fmt.Errorf("bundle: certificate %d has no DER", i)
		}
		xc, err := x509.ParseCertificate(c.Raw)
		if err != nil {
			return nil, fmt.Errorf("bundle: certificate %d: %w", i, err)
		}
		entries[i] = pkcs12.TrustStoreEntry{Cert: xc, FriendlyName: c.Subject.String()}
	}
	der, err := pkcs12.Modern.WithRand(rand.Reader).EncodeTrustStoreEntries(entries, password)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return der, nil
}
