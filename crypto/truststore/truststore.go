// Package truststore writes PKCS#12 trust stores: files of certificates
// only, no keys, marked as trusted for Java ("p12" exports of CA
// certificates).
//
// Encode goes through software.sslmate.com/src/go-pkcs12 with its Modern
// encoder (PBES2 with AES-256-CBC, HMAC-SHA-256 MAC), which OpenSSL 1.1.1
// and later, Java and Windows read. Its password protects integrity, not
// secrets: a trust store holds public certificates. GOST private keys with
// their certificates travel in a GOST PFX instead.
//
// The package keeps no state and is safe for concurrent use.
package truststore

import (
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/gostca/gostca/crypto/cert"
)

// Encode returns a PKCS#12 trust store of certs protected by password,
// each entry named by its subject. It fails for an empty list or a
// certificate without its DER (Raw).
func Encode(certs []*cert.Certificate, password string) ([]byte, error) {
	if len(certs) == 0 {
		return nil, errors.New("truststore: no certificates")
	}
	entries := make([]pkcs12.TrustStoreEntry, len(certs))
	for i, c := range certs {
		if c == nil || len(c.Raw) == 0 {
			return nil, fmt.Errorf("truststore: certificate %d has no DER", i)
		}
		xc, err := x509.ParseCertificate(c.Raw)
		if err != nil {
			return nil, fmt.Errorf("truststore: certificate %d: %w", i, err)
		}
		entries[i] = pkcs12.TrustStoreEntry{Cert: xc, FriendlyName: c.Subject.String()}
	}
	der, err := pkcs12.Modern.WithRand(rand.Reader).EncodeTrustStoreEntries(entries, password)
	if err != nil {
		return nil, fmt.Errorf("truststore: %w", err)
	}
	return der, nil
}
