package cms

import (
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/crypto/cert"
)

// SignedData is a parsed CMS SignedData (RFC 5652 §5). Its slices refer to
// the parsed input (or to its DER form when the input was BER), which the
// caller must not modify afterwards. It is read-only and safe to share
// between goroutines.
type SignedData struct {
	// Raw is the DER ContentInfo: the input of Parse, or its DER form when
	// the input was BER. It is nil after ParseReader.
	Raw []byte
	// Version is the SignedData version: 1 for what Sign writes.
	Version int
	// DigestAlgorithms lists the digestAlgorithms OIDs, in the order found.
	DigestAlgorithms []asn1.ObjectIdentifier
	// ContentType is the eContentType, id-data (1.2.840.113549.1.7.1) for
	// what Sign writes.
	ContentType asn1.ObjectIdentifier
	// Content is the eContent; nil when Detached, and after ParseReader
	// (which hands the content to its writer instead).
	Content []byte
	// Detached reports a SignedData without eContent: the content travels
	// separately and must be given to Verify and CoSign.
	Detached bool
	// Certificates are the embedded certificates that parse with
	// cert.ParseCertificate: the GOST R 34.10-2012 ones.
	Certificates []*cert.Certificate
	// RawCertificates holds every element of the certificates field, DER,
	// including the ones Certificates leaves out (other key algorithms,
	// attribute certificates).
	RawCertificates [][]byte
	// SignerInfos are the signers, in the order found.
	SignerInfos []*SignerInfo

	rawDigestAlgorithms [][]byte
	rawCRLs             []byte            // the whole [1] crls element, or nil
	digests             map[Digest][]byte // content digests computed by ParseReader
}

// streamed reports a SignedData read by ParseReader, whose content was not
// kept.
func (sd *SignedData) streamed() bool { return sd.digests != nil }

// SignerInfo is one signer of a SignedData (RFC 5652 §5.3).
type SignerInfo struct {
	// Raw is the DER SignerInfo.
	Raw []byte
	// Version is 1 for a signer identified by issuer and serial number, 3
	// for one identified by subject key identifier.
	Version int
	// RawIssuer and SerialNumber are the issuerAndSerialNumber of a version
	// 1 SignerInfo; RawIssuer is the DER Name.
	RawIssuer    []byte
	SerialNumber *big.Int
	// SubjectKeyId is the subjectKeyIdentifier of a version 3 SignerInfo.
	SubjectKeyId []byte
	// DigestAlgorithm is the digest of the content and of the signed
	// attributes; DigestAlgorithmOID is the OID it was read from.
	DigestAlgorithm    Digest
	DigestAlgorithmOID asn1.ObjectIdentifier
	// SignatureAlgorithm is the signatureAlgorithm OID: the GOST key
	// algorithm (1.2.643.7.1.1.1.1 or .2, what OpenSSL and this package
	// write) or a signwithdigest algorithm (1.2.643.7.1.1.3.2 or .3).
	SignatureAlgorithm asn1.ObjectIdentifier
	// Signature is the signature value: s‖r, big-endian halves.
	Signature []byte
	// RawSignedAttributes is the DER SET OF signed attributes (tag 0x31),
	// the bytes whose digest is signed; nil when the SignerInfo has none
	// and the signature covers the content digest itself.
	RawSignedAttributes []byte
	// SignedAttributes are the signed attributes, in the order found.
	SignedAttributes []Attribute
	// UnsignedAttributes are the unsigned attributes (timestamps,
	// countersignatures, ...), kept but not interpreted.
	UnsignedAttributes []Attribute

	// The signed attributes this package reads; each may appear at most
	// once. ContentType and MessageDigest are nil, SigningTime is zero and
	// the ESS lists are empty when the attribute is absent.
	ContentType   asn1.ObjectIdentifier
	MessageDigest []byte
	SigningTime   time.Time
	// SigningCertificate is the ESS signingCertificate attribute (RFC 2634,
	// SHA-1 certificate hashes); SigningCertificateV2 is
	// signingCertificateV2 (RFC 5035). The first entry names the signer's
	// certificate.
	SigningCertificate   []ESSCertID
	SigningCertificateV2 []ESSCertID

	digestParams, signatureParams []byte // AlgorithmIdentifier parameters, if any
}

// Attribute is a CMS attribute: a type and its values, each value DER.
type Attribute struct {
	Type   asn1.ObjectIdentifier
	Values [][]byte
}

// ESSCertID identifies a certificate in a signingCertificate or
// signingCertificateV2 attribute (RFC 2634 §5.4.1, RFC 5035 §4).
type ESSCertID struct {
	// HashAlgorithm names the hash of the whole DER certificate: SHA-1 in
	// a signingCertificate, SHA-256 when a signingCertificateV2 omits it,
	// Streebog-256 in what this package writes.
	HashAlgorithm asn1.ObjectIdentifier
	Hash          []byte
	// HasIssuerSerial reports the optional issuerSerial; RawIssuer and
	// SerialNumber are its values: RawIssuer is the DER Name of its first
	// directoryName, nil if there is none.
	HasIssuerSerial bool
	RawIssuer       []byte
	SerialNumber    *big.Int
}

// malformed returns an error wrapping ErrMalformed.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// Parse parses a ContentInfo holding a SignedData, DER or BER. BER (the
// indefinite lengths and constructed OCTET STRING eContent of OpenSSL's
// -stream output) is converted to DER in memory first: the whole message,
// and a DER copy when the input was BER, are held in memory, so Parse suits
// messages that fit there; ParseReader reads an attached signature of any
// size with its content streamed. Parse does not verify anything.
func Parse(data []byte) (*SignedData, error) {
	der, err := normalise(data)
	if err != nil {
		return nil, malformed("%v", err)
	}
	return parseDER(der)
}

// pemTypes are the PEM labels ParsePEM accepts: what OpenSSL writes for
// "cms -outform PEM" and for "smime -pk7out"/"pkcs7", and the older
// "PKCS #7 SIGNED DATA".
var pemTypes = []string{"CMS", "PKCS7", "PKCS #7 SIGNED DATA"}

// ParsePEM parses the first PEM block labelled CMS, PKCS7 or
// "PKCS #7 SIGNED DATA" in data, as Parse does its DER or BER.
func ParsePEM(data []byte) (*SignedData, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, malformed("no CMS or PKCS7 PEM block")
		}
		for _, t := range pemTypes {
			if block.Type == t {
				return Parse(block.Bytes)
			}
		}
	}
}

var (
	tagExplicit0 = cbasn1.Tag(0).ContextSpecific().Constructed()
	tagImplicit1 = cbasn1.Tag(1).ContextSpecific().Constructed()
	tagSKI       = cbasn1.Tag(0).ContextSpecific()
	tagDirName   = cbasn1.Tag(4).ContextSpecific().Constructed()
)

// parseDER parses a DER ContentInfo holding a SignedData.
func parseDER(der []byte) (*SignedData, error) {
	input := cryptobyte.String(der)
	var ci, content, body, algs, eci cryptobyte.String
	var contentType asn1.ObjectIdentifier
	if !input.ReadASN1(&ci, cbasn1.SEQUENCE) || !input.Empty() {
		return nil, malformed("ContentInfo")
	}
	if !ci.ReadASN1ObjectIdentifier(&contentType) {
		return nil, malformed("ContentInfo content type")
	}
	if !contentType.Equal(oidSignedData) {
		return nil, malformed("content type %s is not signedData", contentType)
	}
	if !ci.ReadASN1(&content, tagExplicit0) || !ci.Empty() || !content.ReadASN1(&body, cbasn1.SEQUENCE) || !content.Empty() {
		return nil, malformed("ContentInfo content")
	}
	sd := &SignedData{Raw: der}
	var version int64
	if !body.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) {
		return nil, malformed("version")
	}
	switch version {
	case 1, 3, 4, 5:
		sd.Version = int(version)
	default:
		return nil, malformed("version %d", version)
	}
	if !body.ReadASN1(&algs, cbasn1.SET) {
		return nil, malformed("digestAlgorithms")
	}
	for !algs.Empty() {
		var alg cryptobyte.String
		if !algs.ReadASN1Element(&alg, cbasn1.SEQUENCE) {
			return nil, malformed("digestAlgorithms")
		}
		oid, _, ok := readAlgorithm(alg)
		if !ok {
			return nil, malformed("digestAlgorithms")
		}
		sd.DigestAlgorithms = append(sd.DigestAlgorithms, oid)
		sd.rawDigestAlgorithms = append(sd.rawDigestAlgorithms, alg)
	}

	var eContent cryptobyte.String
	var hasContent bool
	if !body.ReadASN1(&eci, cbasn1.SEQUENCE) || !eci.ReadASN1ObjectIdentifier(&sd.ContentType) ||
		!eci.ReadOptionalASN1(&eContent, &hasContent, tagExplicit0) || !eci.Empty() {
		return nil, malformed("encapContentInfo")
	}
	if hasContent {
		var octets cryptobyte.String
		if !eContent.ReadASN1(&octets, cbasn1.OCTET_STRING) || !eContent.Empty() {
			return nil, malformed("eContent")
		}
		sd.Content = octets[:len(octets):len(octets)]
		if sd.Content == nil {
			sd.Content = []byte{} // attached, empty: not nil
		}
	} else {
		sd.Detached = true
	}

	var certs cryptobyte.String
	var hasCerts bool
	if !body.ReadOptionalASN1(&certs, &hasCerts, tagExplicit0) {
		return nil, malformed("certificates")
	}
	for !certs.Empty() {
		var el cryptobyte.String
		var tag cbasn1.Tag
		if !certs.ReadAnyASN1Element(&el, &tag) {
			return nil, malformed("certificates")
		}
		sd.RawCertificates = append(sd.RawCertificates, el)
		if tag == cbasn1.SEQUENCE {
			if c, err := cert.ParseCertificate(el); err == nil {
				sd.Certificates = append(sd.Certificates, c)
			}
		}
	}
	if body.PeekASN1Tag(tagImplicit1) {
		var crls cryptobyte.String
		if !body.ReadASN1Element(&crls, tagImplicit1) {
			return nil, malformed("crls")
		}
		sd.rawCRLs = crls
	}

	var infos cryptobyte.String
	if !body.ReadASN1(&infos, cbasn1.SET) || !body.Empty() {
		return nil, malformed("signerInfos")
	}
	for i := 0; !infos.Empty(); i++ {
		var raw cryptobyte.String
		if !infos.ReadASN1Element(&raw, cbasn1.SEQUENCE) {
			return nil, malformed("signerInfo %d", i)
		}
		si, err := parseSignerInfo(raw)
		if err != nil {
			return nil, fmt.Errorf("%w (signerInfo %d)", err, i)
		}
		sd.SignerInfos = append(sd.SignerInfos, si)
	}
	return sd, nil
}

// readAlgorithm reads the AlgorithmIdentifier element alg and returns its
// OID and its parameters (nil when absent).
func readAlgorithm(alg cryptobyte.String) (asn1.ObjectIdentifier, []byte, bool) {
	var body cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !alg.ReadASN1(&body, cbasn1.SEQUENCE) || !alg.Empty() || !body.ReadASN1ObjectIdentifier(&oid) {
		return nil, nil, false
	}
	if body.Empty() {
		return oid, nil, true
	}
	var params cryptobyte.String
	var tag cbasn1.Tag
	if !body.ReadAnyASN1Element(&params, &tag) || !body.Empty() {
		return nil, nil, false
	}
	return oid, params, true
}

// nullOrAbsent reports parameters that are absent or NULL, the two
// encodings a GOST digest or signature AlgorithmIdentifier may have.
func nullOrAbsent(params []byte) bool {
	return len(params) == 0 || (len(params) == 2 && params[0] == 0x05 && params[1] == 0x00)
}

func parseSignerInfo(raw []byte) (*SignerInfo, error) {
	si := &SignerInfo{Raw: raw}
	input := cryptobyte.String(raw)
	var s cryptobyte.String
	var version int64
	if !input.ReadASN1(&s, cbasn1.SEQUENCE) || !input.Empty() || !s.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) {
		return nil, malformed("SignerInfo")
	}
	si.Version = int(version)
	switch {
	case s.PeekASN1Tag(cbasn1.SEQUENCE):
		var ias, issuer cryptobyte.String
		si.SerialNumber = new(big.Int)
		if !s.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element(&issuer, cbasn1.SEQUENCE) ||
			!ias.ReadASN1Integer(si.SerialNumber) || !ias.Empty() {
			return nil, malformed("issuerAndSerialNumber")
		}
		si.RawIssuer = issuer
		if version != 1 {
			return nil, malformed("SignerInfo version %d with issuerAndSerialNumber", version)
		}
	case s.PeekASN1Tag(tagSKI):
		var ski cryptobyte.String
		if !s.ReadASN1(&ski, tagSKI) {
			return nil, malformed("subjectKeyIdentifier")
		}
		si.SubjectKeyId = ski
		if version != 3 {
			return nil, malformed("SignerInfo version %d with subjectKeyIdentifier", version)
		}
	default:
		return nil, malformed("signer identifier")
	}

	var alg cryptobyte.String
	var ok bool
	if !s.ReadASN1Element(&alg, cbasn1.SEQUENCE) {
		return nil, malformed("SignerInfo digestAlgorithm")
	}
	if si.DigestAlgorithmOID, si.digestParams, ok = readAlgorithm(alg); !ok {
		return nil, malformed("SignerInfo digestAlgorithm")
	}
	si.DigestAlgorithm = digestByOID(si.DigestAlgorithmOID)

	if s.PeekASN1Tag(tagExplicit0) {
		var signed cryptobyte.String
		if !s.ReadASN1Element(&signed, tagExplicit0) {
			return nil, malformed("signedAttrs")
		}
		// The signature covers the DER SET OF: the same bytes with the
		// universal SET tag in place of [0] IMPLICIT (RFC 5652 §5.4).
		si.RawSignedAttributes = append([]byte{0x31}, signed[1:]...)
		var body cryptobyte.String
		if !signed.ReadASN1(&body, tagExplicit0) {
			return nil, malformed("signedAttrs")
		}
		attrs, err := parseAttributes(body)
		if err != nil {
			return nil, err
		}
		if len(attrs) == 0 {
			return nil, malformed("empty signedAttrs")
		}
		si.SignedAttributes = attrs
		if err := si.decodeSignedAttributes(); err != nil {
			return nil, err
		}
	}

	if !s.ReadASN1Element(&alg, cbasn1.SEQUENCE) {
		return nil, malformed("SignerInfo signatureAlgorithm")
	}
	if si.SignatureAlgorithm, si.signatureParams, ok = readAlgorithm(alg); !ok {
		return nil, malformed("SignerInfo signatureAlgorithm")
	}
	var sig cryptobyte.String
	if !s.ReadASN1(&sig, cbasn1.OCTET_STRING) {
		return nil, malformed("SignerInfo signature")
	}
	si.Signature = sig
	var unsigned cryptobyte.String
	var hasUnsigned bool
	if !s.ReadOptionalASN1(&unsigned, &hasUnsigned, tagImplicit1) || !s.Empty() {
		return nil, malformed("unsignedAttrs")
	}
	if hasUnsigned {
		attrs, err := parseAttributes(unsigned)
		if err != nil {
			return nil, err
		}
		si.UnsignedAttributes = attrs
	}
	return si, nil
}

// parseAttributes reads the content of a SET OF Attribute.
func parseAttributes(s cryptobyte.String) ([]Attribute, error) {
	var attrs []Attribute
	for !s.Empty() {
		var attr, values cryptobyte.String
		var a Attribute
		if !s.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&a.Type) ||
			!attr.ReadASN1(&values, cbasn1.SET) || !attr.Empty() {
			return nil, malformed("attribute")
		}
		for !values.Empty() {
			var v cryptobyte.String
			var tag cbasn1.Tag
			if !values.ReadAnyASN1Element(&v, &tag) {
				return nil, malformed("attribute %s value", a.Type)
			}
			a.Values = append(a.Values, v)
		}
		attrs = append(attrs, a)
	}
	return attrs, nil
}

// decodeSignedAttributes fills the fields of the signed attributes this
// package reads. Each must appear once, with one value (RFC 5652 §11).
func (si *SignerInfo) decodeSignedAttributes() error {
	seen := make(map[string]bool)
	for _, a := range si.SignedAttributes {
		var decode func(v cryptobyte.String) bool
		switch {
		case a.Type.Equal(oidAttrContentType):
			decode = func(v cryptobyte.String) bool {
				return v.ReadASN1ObjectIdentifier(&si.ContentType) && v.Empty()
			}
		case a.Type.Equal(oidAttrMessageDigest):
			decode = func(v cryptobyte.String) bool {
				var d cryptobyte.String
				ok := v.ReadASN1(&d, cbasn1.OCTET_STRING) && v.Empty()
				si.MessageDigest = d
				return ok && d != nil
			}
		case a.Type.Equal(oidAttrSigningTime):
			decode = func(v cryptobyte.String) bool {
				var ok bool
				switch {
				case v.PeekASN1Tag(cbasn1.UTCTime):
					ok = v.ReadASN1UTCTime(&si.SigningTime)
				case v.PeekASN1Tag(cbasn1.GeneralizedTime):
					ok = v.ReadASN1GeneralizedTime(&si.SigningTime)
				}
				return ok && v.Empty()
			}
		case a.Type.Equal(oidAttrSigningCertificate):
			decode = func(v cryptobyte.String) bool {
				var ok bool
				si.SigningCertificate, ok = parseSigningCertificate(v, false)
				return ok
			}
		case a.Type.Equal(oidAttrSigningCertificateV2):
			decode = func(v cryptobyte.String) bool {
				var ok bool
				si.SigningCertificateV2, ok = parseSigningCertificate(v, true)
				return ok
			}
		default:
			continue
		}
		key := a.Type.String()
		if seen[key] {
			return malformed("signed attribute %s appears twice", a.Type)
		}
		seen[key] = true
		if len(a.Values) != 1 || !decode(a.Values[0]) {
			return malformed("signed attribute %s", a.Type)
		}
	}
	return nil
}

// parseSigningCertificate reads a SigningCertificate (v2 false) or
// SigningCertificateV2 value; the policies are skipped.
func parseSigningCertificate(v cryptobyte.String, v2 bool) ([]ESSCertID, bool) {
	var body, certs cryptobyte.String
	if !v.ReadASN1(&body, cbasn1.SEQUENCE) || !v.Empty() || !body.ReadASN1(&certs, cbasn1.SEQUENCE) ||
		!body.SkipOptionalASN1(cbasn1.SEQUENCE) || !body.Empty() || certs.Empty() {
		return nil, false
	}
	var ids []ESSCertID
	for !certs.Empty() {
		var id, hash cryptobyte.String
		if !certs.ReadASN1(&id, cbasn1.SEQUENCE) {
			return nil, false
		}
		e := ESSCertID{HashAlgorithm: oidSHA1}
		if v2 {
			e.HashAlgorithm = oidSHA256
			if id.PeekASN1Tag(cbasn1.SEQUENCE) {
				var alg cryptobyte.String
				var ok bool
				if !id.ReadASN1Element(&alg, cbasn1.SEQUENCE) {
					return nil, false
				}
				if e.HashAlgorithm, _, ok = readAlgorithm(alg); !ok {
					return nil, false
				}
			}
		}
		if !id.ReadASN1(&hash, cbasn1.OCTET_STRING) {
			return nil, false
		}
		e.Hash = hash
		if id.PeekASN1Tag(cbasn1.SEQUENCE) {
			var is, names cryptobyte.String
			e.HasIssuerSerial = true
			e.SerialNumber = new(big.Int)
			if !id.ReadASN1(&is, cbasn1.SEQUENCE) || !is.ReadASN1(&names, cbasn1.SEQUENCE) ||
				!is.ReadASN1Integer(e.SerialNumber) || !is.Empty() {
				return nil, false
			}
			for !names.Empty() {
				var gn cryptobyte.String
				var tag cbasn1.Tag
				if !names.ReadAnyASN1(&gn, &tag) {
					return nil, false
				}
				if tag == tagDirName && e.RawIssuer == nil {
					var name cryptobyte.String
					if !gn.ReadASN1Element(&name, cbasn1.SEQUENCE) || !gn.Empty() {
						return nil, false
					}
					e.RawIssuer = name
				}
			}
		}
		if !id.Empty() {
			return nil, false
		}
		ids = append(ids, e)
	}
	return ids, true
}
