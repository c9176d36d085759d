package cert

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/crypto/gost3410"
)

// CertificateRequest is a PKCS#10 certificate request (RFC 2986) with a GOST
// R 34.10-2012 key. It is both the template of CreateCertificateRequest and
// the result of ParseCertificateRequest.
type CertificateRequest struct {
	Raw                      []byte // set by parsing
	RawTBSCertificateRequest []byte // set by parsing
	RawSubjectPublicKeyInfo  []byte // set by parsing
	RawSubject               []byte // set by parsing; used by CreateCertificateRequest when set

	Version            int // 0
	Subject            Name
	PublicKey          *gost3410.PublicKey // ignored by CreateCertificateRequest (the signer gives it)
	SignatureAlgorithm SignatureAlgorithm
	Signature          []byte

	// The requested extensions, from the extensionRequest attribute
	// (1.2.840.113549.1.9.14); the template writes those that are set.
	KeyUsage        x509.KeyUsage
	ExtKeyUsage     []asn1.ObjectIdentifier
	DNSNames        []string
	EmailAddresses  []string
	IPAddresses     []net.IP
	URIs            []*url.URL
	SubjectSignTool string

	// Extensions holds every requested extension, when parsing.
	Extensions []pkix.Extension
	// ExtraExtensions are added to the request as given; one with the OID
	// of an extension the fields above would write replaces it.
	ExtraExtensions []pkix.Extension
}

// CreateCertificateRequest builds a PKCS#10 request for signer's key (which
// must be GOST), signs it (proof of possession) and returns its DER. The
// requested extensions go into one extensionRequest attribute, which is
// omitted when there are none. The signature is checked before returning.
func CreateCertificateRequest(rand io.Reader, template *CertificateRequest, signer crypto.Signer) ([]byte, error) {
	if template == nil {
		return nil, errors.New("cert: nil request template")
	}
	pub, alg, err := signerKey(signer)
	if err != nil {
		return nil, err
	}
	subject := template.RawSubject
	if len(subject) == 0 {
		if subject, err = template.Subject.Marshal(); err != nil {
			return nil, err
		}
	}
	spki, err := gost3410.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("cert: %w", err)
	}
	exts, err := template.extensions()
	if err != nil {
		return nil, err
	}
	tbs, err := build(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(0)
			b.AddBytes(subject)
			b.AddBytes(spki)
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				if len(exts) == 0 {
					return
				}
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oidAttributeExtensionReq)
					b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
						addExtensions(b, exts)
					})
				})
			})
		})
	})
	if err != nil {
		return nil, fmt.Errorf("cert: encoding certificate request: %w", err)
	}
	return signAndWrap(rand, signer, pub, alg, tbs, "certificate request")
}

// extensions returns the extensions the template requests, then its
// ExtraExtensions.
func (r *CertificateRequest) extensions() ([]pkix.Extension, error) {
	var eb extensionBuilder
	eb.addRequestable(r.KeyUsage, r.ExtKeyUsage, r.DNSNames, r.EmailAddresses, r.IPAddresses, r.URIs, false, r.SubjectSignTool)
	return eb.finish(r.ExtraExtensions)
}

// ParseCertificateRequest parses a DER PKCS#10 request with a GOST R
// 34.10-2012 key: crypto/x509 reads the structure, the requested extensions
// and the subject alternative names; this package reads the signature
// algorithm, the key, the subject, keyUsage, extKeyUsage and
// subjectSignTool. The signature is not verified: call CheckSignature.
func ParseCertificateRequest(der []byte) (*CertificateRequest, error) {
	outer, err := readSigned(der, "certificate request")
	if err != nil {
		return nil, err
	}
	xr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("cert: parsing certificate request: %w", err)
	}
	r := &CertificateRequest{
		Raw:                      xr.Raw,
		RawTBSCertificateRequest: xr.RawTBSCertificateRequest,
		RawSubjectPublicKeyInfo:  xr.RawSubjectPublicKeyInfo,
		RawSubject:               xr.RawSubject,
		Version:                  xr.Version,
		SignatureAlgorithm:       outer.algorithm,
		Signature:                outer.signature,
		DNSNames:                 xr.DNSNames,
		EmailAddresses:           xr.EmailAddresses,
		IPAddresses:              xr.IPAddresses,
		URIs:                     xr.URIs,
		Extensions:               xr.Extensions,
	}
	if r.PublicKey, err = gost3410.ParsePKIXPublicKey(r.RawSubjectPublicKeyInfo); err != nil {
		return nil, fmt.Errorf("cert: certificate request key: %w", err)
	}
	subject, err := ParseName(r.RawSubject)
	if err != nil {
		return nil, fmt.Errorf("cert: certificate request subject: %w", err)
	}
	r.Subject = *subject
	for _, e := range r.Extensions {
		var err error
		switch {
		case e.Id.Equal(oidExtKeyUsage):
			r.KeyUsage, err = parseKeyUsage(e.Value)
		case e.Id.Equal(oidExtExtKeyUsage):
			r.ExtKeyUsage, err = parseExtKeyUsage(e.Value)
		case e.Id.Equal(oidExtSubjectSignTool):
			r.SubjectSignTool, err = parseSubjectSignTool(e.Value)
		}
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

// CheckSignature verifies the request's signature with its own key: the
// proof that the requester holds the private key.
func (r *CertificateRequest) CheckSignature() error {
	if len(r.RawTBSCertificateRequest) == 0 {
		return errors.New("cert: certificate request was not parsed (no RawTBSCertificateRequest)")
	}
	return verifySignature(r.PublicKey, r.SignatureAlgorithm, r.RawTBSCertificateRequest, r.Signature)
}
