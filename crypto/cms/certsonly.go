package cms

import (
	"errors"
	"fmt"

	"github.com/gostca/gostca/crypto/cert"
)

// EncodeCertificates returns the DER of a certificates-only SignedData
// (RFC 5652 §5, "degenerate" in RFC 2315 §9.1) holding certs: version 1,
// no digest algorithms, an empty id-data content and no signers, as
// "openssl crl2pkcs7 -nocrl" makes and Windows and CryptoPro import as a
// .p7b file. The certificates keep the order given (leaf first, then its
// issuers, by convention): like OpenSSL, the certificates field is encoded
// in that order rather than sorted. Parse reads it back, its certificates
// in SignedData.Certificates. It fails for an empty list or a certificate
// without its DER (Raw).
func EncodeCertificates(certs []*cert.Certificate) ([]byte, error) {
	if len(certs) == 0 {
		return nil, errors.New("cms: no certificates")
	}
	p := &signedDataParts{version: 1, contentType: oidData, contentLen: -1, certsAsIs: true}
	for i, c := range certs {
		if c == nil || len(c.Raw) == 0 {
			return nil, fmt.Errorf("cms: certificate %d has no DER", i)
		}
		p.certs = append(p.certs, c.Raw)
	}
	prefix, suffix, err := p.encode()
	if err != nil {
		return nil, err
	}
	return append(prefix, suffix...), nil
}
