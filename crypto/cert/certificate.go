package cert

import (
	"bytes"
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/url"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/crypto/gost3410"
)

// Certificate is an X.509 v3 certificate with a GOST R 34.10-2012 key. It is
// both the template of CreateCertificate and the result of ParseCertificate.
type Certificate struct {
	Raw                     []byte // the whole DER certificate; set by ParseCertificate
	RawTBSCertificate       []byte // set by ParseCertificate
	RawSubjectPublicKeyInfo []byte // set by ParseCertificate
	RawSubject              []byte // DER subject; set by ParseCertificate, used by CreateCertificate when set
	RawIssuer               []byte // DER issuer; set by ParseCertificate

	Version            int // 3 for what we make
	SerialNumber       *big.Int
	Issuer             Name // ignored by CreateCertificate (the parent gives it)
	Subject            Name
	NotBefore          time.Time
	NotAfter           time.Time
	PublicKey          *gost3410.PublicKey // ignored by CreateCertificate (pub gives it)
	SignatureAlgorithm SignatureAlgorithm  // ignored by CreateCertificate (the signer gives it)
	Signature          []byte

	// BasicConstraintsValid says the basicConstraints extension is present;
	// IsCA is its cA field.
	BasicConstraintsValid bool
	IsCA                  bool
	// MaxPathLen is the pathLenConstraint, as in crypto/x509: -1, or 0 with
	// MaxPathLenZero false, means no limit; 0 with MaxPathLenZero true means
	// a limit of zero.
	MaxPathLen     int
	MaxPathLenZero bool
	KeyUsage       x509.KeyUsage
	// ExtKeyUsage lists the extended key usages as OIDs (GOST certificates
	// carry many private ones).
	ExtKeyUsage    []asn1.ObjectIdentifier
	SubjectKeyId   []byte
	AuthorityKeyId []byte

	// Subject alternative names.
	DNSNames       []string
	EmailAddresses []string
	IPAddresses    []net.IP
	URIs           []*url.URL

	CRLDistributionPoints []string // URIs of distribution points (fullName)
	OCSPServer            []string // authorityInfoAccess id-ad-ocsp
	IssuingCertificateURL []string // authorityInfoAccess id-ad-caIssuers
	// PolicyIdentifiers are the certificatePolicies OIDs, without qualifiers.
	PolicyIdentifiers     []asn1.ObjectIdentifier
	PrivateKeyUsagePeriod *PrivateKeyUsagePeriod // 2.5.29.16; nil = absent
	SubjectSignTool       string                 // 1.2.643.100.111, UTF8String; "" = absent
	IssuerSignTool        *IssuerSignTool        // 1.2.643.100.112; nil = absent
	IdentificationKind    *IdentificationKind    // 1.2.643.100.114, INTEGER; nil = absent

	// Extensions holds every extension as found, when parsing.
	Extensions []pkix.Extension
	// ExtraExtensions are added by CreateCertificate as given; one with the
	// OID of an extension the fields above would write replaces it.
	ExtraExtensions []pkix.Extension
}

// subjectDER returns the DER subject: RawSubject when set, else Subject
// marshalled.
func (c *Certificate) subjectDER() ([]byte, error) {
	if len(c.RawSubject) > 0 {
		return c.RawSubject, nil
	}
	return c.Subject.Marshal()
}

// issuerDER returns the DER issuer: RawIssuer when set, else Issuer
// marshalled.
func (c *Certificate) issuerDER() ([]byte, error) {
	if len(c.RawIssuer) > 0 {
		return c.RawIssuer, nil
	}
	return c.Issuer.Marshal()
}

// hasKeyUsage reports whether c carries a keyUsage extension.
func (c *Certificate) hasKeyUsage() bool {
	return c.KeyUsage != 0 || findExtension(c.Extensions, oidExtKeyUsage) != nil
}

// KeyIdentifier returns the key identifier of the DER
// SubjectPublicKeyInfo spki: the SHA-1 of its subjectPublicKey BIT STRING
// value (RFC 5280 §4.2.1.2, method 1). CreateCertificate puts it in the
// subjectKeyIdentifier of certificates; the ledger files certificates
// under their issuer's; OCSP names a responder by it (byKey).
func KeyIdentifier(spki []byte) ([]byte, error) {
	s := cryptobyte.String(spki)
	var seq cryptobyte.String
	var bits asn1.BitString
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.SkipASN1(cbasn1.SEQUENCE) || !seq.ReadASN1BitString(&bits) {
		return nil, errors.New("cert: malformed SubjectPublicKeyInfo")
	}
	sum := sha1.Sum(bits.Bytes)
	return sum[:], nil
}

// CreateCertificate builds a v3 certificate from template for the key pub,
// signs it with signer on behalf of parent and returns its DER.
//
// parent == template (the same pointer) makes a self-signed certificate, and
// pub must then be signer's key. Otherwise the issuer is parent.RawSubject
// if set, else parent.Subject marshalled; parent must be a CA
// (BasicConstraintsValid and IsCA) whose keyUsage, if any, has keyCertSign,
// and signer must hold parent.PublicKey when that is set. The subject is
// template.RawSubject if set, else template.Subject marshalled.
//
// The signature algorithm follows signer's key size; the signature is
// checked with signer's public key before the certificate is returned.
//
// subjectKeyIdentifier is template.SubjectKeyId, or the SHA-1 of the
// subjectPublicKey BIT STRING value if that is empty (RFC 5280 §4.2.1.2
// method 1). authorityKeyIdentifier (keyIdentifier only) is
// parent.SubjectKeyId (for a self-signed certificate: its own SKI), falling
// back to template.AuthorityKeyId; it is omitted when both are empty.
//
// basicConstraints and keyUsage are critical, every other extension is
// non-critical, except subjectAltName when the subject is empty (RFC 5280
// §4.2.1.6). Extensions are written only when set; basicConstraints when
// BasicConstraintsValid, with cA only when true and pathLenConstraint only
// for a CA with MaxPathLen > 0 or MaxPathLenZero. Validity times are
// UTCTime for 1950–2049, GeneralizedTime otherwise, in whole seconds, UTC.
//
// It fails for a nil, non-positive or over-20-octet serial number, a zero
// or inverted validity, an empty subject for a CA, a signer whose key is not
// GOST, a signer that does not hold the parent's key, a parent that may not
// issue certificates, MaxPathLen or MaxPathLenZero without IsCA, and name or
// extension values that do not fit their ASN.1 types.
func CreateCertificate(rand io.Reader, template, parent *Certificate, pub *gost3410.PublicKey, signer crypto.Signer) ([]byte, error) {
	if template == nil || parent == nil {
		return nil, errors.New("cert: nil template or parent")
	}
	if pub == nil {
		return nil, errors.New("cert: no public key to certify")
	}
	signerPub, alg, err := signerKey(signer)
	if err != nil {
		return nil, err
	}
	selfSigned := parent == template
	if selfSigned && !pub.Equal(signerPub) {
		return nil, errors.New("cert: self-signed certificate: the signer does not hold the certified key")
	}
	if parent.PublicKey != nil && !parent.PublicKey.Equal(signerPub) {
		return nil, errors.New("cert: the signer does not hold the issuer's key")
	}
	if !selfSigned {
		if !parent.BasicConstraintsValid || !parent.IsCA {
			return nil, errors.New("cert: the issuer is not a CA")
		}
		if parent.hasKeyUsage() && parent.KeyUsage&x509.KeyUsageCertSign == 0 {
			return nil, errors.New("cert: the issuer's key usage lacks keyCertSign")
		}
	}
	if err := checkSerial(template.SerialNumber, "certificate"); err != nil {
		return nil, err
	}
	if template.NotBefore.IsZero() || template.NotAfter.IsZero() {
		return nil, errors.New("cert: validity without NotBefore or NotAfter")
	}
	if template.NotAfter.Before(template.NotBefore) {
		return nil, errors.New("cert: NotAfter is before NotBefore")
	}
	if !template.IsCA && (template.MaxPathLen > 0 || template.MaxPathLenZero) {
		return nil, errors.New("cert: MaxPathLen is only for a CA (IsCA)")
	}
	subject, err := template.subjectDER()
	if err != nil {
		return nil, err
	}
	emptySubject := bytes.Equal(subject, []byte{0x30, 0x00})
	if emptySubject && template.BasicConstraintsValid && template.IsCA {
		return nil, errors.New("cert: a CA certificate needs a subject")
	}
	issuer := subject
	if !selfSigned {
		if issuer, err = parent.subjectDER(); err != nil {
			return nil, fmt.Errorf("cert: issuer name: %w", err)
		}
	}
	spki, err := gost3410.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("cert: %w", err)
	}
	ski := template.SubjectKeyId
	if len(ski) == 0 {
		if ski, err = KeyIdentifier(spki); err != nil {
			return nil, err
		}
	}
	aki := template.AuthorityKeyId
	switch {
	case selfSigned:
		aki = ski
	case len(parent.SubjectKeyId) > 0:
		aki = parent.SubjectKeyId
	}
	exts, err := template.extensions(ski, aki, emptySubject)
	if err != nil {
		return nil, err
	}

	tbs, err := build(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1Int64(2)
			})
			b.AddASN1BigInt(template.SerialNumber)
			addAlgorithm(b, alg)
			b.AddBytes(issuer)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				addTime(b, template.NotBefore)
				addTime(b, template.NotAfter)
			})
			b.AddBytes(subject)
			b.AddBytes(spki)
			if len(exts) > 0 {
				b.AddASN1(cbasn1.Tag(3).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					addExtensions(b, exts)
				})
			}
		})
	})
	if err != nil {
		return nil, fmt.Errorf("cert: encoding certificate: %w", err)
	}
	return signAndWrap(rand, signer, signerPub, alg, tbs, "certificate")
}

// extensions returns the extensions the template's fields ask for, then its
// ExtraExtensions.
func (c *Certificate) extensions(ski, aki []byte, emptySubject bool) ([]pkix.Extension, error) {
	var eb extensionBuilder
	if c.BasicConstraintsValid {
		v, err := marshalBasicConstraints(c.IsCA, c.MaxPathLen, c.MaxPathLenZero)
		eb.add(oidExtBasicConstraints, true, v, err)
	}
	eb.addRequestable(c.KeyUsage, c.ExtKeyUsage, c.DNSNames, c.EmailAddresses, c.IPAddresses, c.URIs, emptySubject, c.SubjectSignTool)
	v, err := marshalOctetString(ski)
	eb.add(oidExtSubjectKeyID, false, v, err)
	if len(aki) > 0 {
		v, err := marshalAuthorityKeyID(aki)
		eb.add(oidExtAuthorityKeyID, false, v, err)
	}
	if len(c.CRLDistributionPoints) > 0 {
		v, err := marshalCRLDistributionPoints(c.CRLDistributionPoints)
		eb.add(oidExtCRLDistribution, false, v, err)
	}
	if len(c.OCSPServer)+len(c.IssuingCertificateURL) > 0 {
		v, err := marshalAuthorityInfoAccess(c.OCSPServer, c.IssuingCertificateURL)
		eb.add(oidExtAuthorityInfoAccess, false, v, err)
	}
	if len(c.PolicyIdentifiers) > 0 {
		v, err := marshalOIDs(c.PolicyIdentifiers, true)
		eb.add(oidExtCertificatePolicies, false, v, err)
	}
	if c.PrivateKeyUsagePeriod != nil {
		v, err := marshalPrivateKeyUsagePeriod(c.PrivateKeyUsagePeriod)
		eb.add(oidExtPrivateKeyUsage, false, v, err)
	}
	if c.IssuerSignTool != nil {
		v, err := marshalIssuerSignTool(c.IssuerSignTool)
		eb.add(oidExtIssuerSignTool, false, v, err)
	}
	if c.IdentificationKind != nil {
		v, err := marshalIdentificationKind(*c.IdentificationKind)
		eb.add(oidExtIdentificationKind, false, v, err)
	}
	return eb.finish(c.ExtraExtensions)
}

// ParseCertificate parses a DER certificate with a GOST R 34.10-2012 key.
// crypto/x509 reads the structure and the standard extensions; this package
// reads the signature algorithm (GOST256 or GOST512 with absent or NULL
// parameters, else UnknownSignatureAlgorithm), the key (which must be GOST),
// the names, and the extensions privateKeyUsagePeriod, subjectSignTool,
// issuerSignTool, identificationKind, extKeyUsage and certificatePolicies
// (as OIDs). The obsolete authorityKeyIdentifier 2.5.29.1 fills
// AuthorityKeyId when 2.5.29.35 is absent. The signature is not verified.
func ParseCertificate(der []byte) (*Certificate, error) {
	outer, err := readSigned(der, "certificate")
	if err != nil {
		return nil, err
	}
	xc, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("cert: parsing certificate: %w", err)
	}
	c := &Certificate{
		Raw:                     xc.Raw,
		RawTBSCertificate:       xc.RawTBSCertificate,
		RawSubjectPublicKeyInfo: xc.RawSubjectPublicKeyInfo,
		RawSubject:              xc.RawSubject,
		RawIssuer:               xc.RawIssuer,
		Version:                 xc.Version,
		SerialNumber:            xc.SerialNumber,
		NotBefore:               xc.NotBefore,
		NotAfter:                xc.NotAfter,
		SignatureAlgorithm:      outer.algorithm,
		Signature:               outer.signature,
		BasicConstraintsValid:   xc.BasicConstraintsValid,
		IsCA:                    xc.IsCA,
		MaxPathLen:              xc.MaxPathLen,
		MaxPathLenZero:          xc.MaxPathLenZero,
		KeyUsage:                xc.KeyUsage,
		SubjectKeyId:            xc.SubjectKeyId,
		AuthorityKeyId:          xc.AuthorityKeyId,
		DNSNames:                xc.DNSNames,
		EmailAddresses:          xc.EmailAddresses,
		IPAddresses:             xc.IPAddresses,
		URIs:                    xc.URIs,
		CRLDistributionPoints:   xc.CRLDistributionPoints,
		OCSPServer:              xc.OCSPServer,
		IssuingCertificateURL:   xc.IssuingCertificateURL,
		Extensions:              xc.Extensions,
	}
	if c.PublicKey, err = gost3410.ParsePKIXPublicKey(c.RawSubjectPublicKeyInfo); err != nil {
		return nil, fmt.Errorf("cert: certificate key: %w", err)
	}
	subject, err := ParseName(c.RawSubject)
	if err != nil {
		return nil, fmt.Errorf("cert: certificate subject: %w", err)
	}
	issuer, err := ParseName(c.RawIssuer)
	if err != nil {
		return nil, fmt.Errorf("cert: certificate issuer: %w", err)
	}
	c.Subject, c.Issuer = *subject, *issuer
	hasAKI := findExtension(c.Extensions, oidExtAuthorityKeyID) != nil
	for _, e := range c.Extensions {
		var err error
		switch {
		case e.Id.Equal(oidExtExtKeyUsage):
			c.ExtKeyUsage, err = parseExtKeyUsage(e.Value)
		case e.Id.Equal(oidExtCertificatePolicies):
			c.PolicyIdentifiers, err = parsePolicies(e.Value)
		case e.Id.Equal(oidExtPrivateKeyUsage):
			c.PrivateKeyUsagePeriod, err = parsePrivateKeyUsagePeriod(e.Value)
		case e.Id.Equal(oidExtSubjectSignTool):
			c.SubjectSignTool, err = parseSubjectSignTool(e.Value)
		case e.Id.Equal(oidExtIssuerSignTool):
			c.IssuerSignTool, err = parseIssuerSignTool(e.Value)
		case e.Id.Equal(oidExtIdentificationKind):
			c.IdentificationKind, err = parseIdentificationKind(e.Value)
		case e.Id.Equal(oidExtAuthorityKeyIDOld) && !hasAKI:
			c.AuthorityKeyId, err = parseAuthorityKeyID(e.Value)
		}
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

// CheckSignatureFrom checks that parent signed c: parent must be a CA
// (basicConstraints with cA true; a certificate without basicConstraints,
// such as a v1 certificate, is refused), its keyUsage, if present, must
// include keyCertSign, c's issuer must be byte for byte parent's subject, and
// the signature must verify with parent's key under c.SignatureAlgorithm.
// Errors are *CertificateInvalidError naming c.
func (c *Certificate) CheckSignatureFrom(parent *Certificate) error {
	if parent == nil {
		return invalid(c, UnknownAuthority, "no issuer", nil)
	}
	if !parent.BasicConstraintsValid || !parent.IsCA {
		return invalid(c, NotAuthorizedToSign, fmt.Sprintf("issuer %q is not a CA", parent.Subject.String()), nil)
	}
	if parent.hasKeyUsage() && parent.KeyUsage&x509.KeyUsageCertSign == 0 {
		return invalid(c, NotAuthorizedToSign, fmt.Sprintf("issuer %q lacks keyCertSign", parent.Subject.String()), nil)
	}
	issuer, err1 := c.issuerDER()
	subject, err2 := parent.subjectDER()
	if err1 != nil || err2 != nil || !bytes.Equal(issuer, subject) {
		return invalid(c, NameMismatch, fmt.Sprintf("issuer name is not the subject of %q", parent.Subject.String()), errors.Join(err1, err2))
	}
	if err := c.checkSignedBy(parent); err != nil {
		return invalid(c, BadSignature, fmt.Sprintf("not signed by %q", parent.Subject.String()), err)
	}
	return nil
}

func (c *Certificate) checkSignedBy(parent *Certificate) error {
	if len(c.RawTBSCertificate) == 0 {
		return errors.New("cert: certificate was not parsed (no RawTBSCertificate)")
	}
	return verifySignature(parent.PublicKey, c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature)
}

// CheckSignature verifies signature over signed with c's key under alg,
// whose size must match the key's.
func (c *Certificate) CheckSignature(alg SignatureAlgorithm, signed, signature []byte) error {
	return verifySignature(c.PublicKey, alg, signed, signature)
}
