package ocsp

import (
	"bytes"
	"crypto"
	"crypto/sha1"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
)

// ResponseStatus is the responseStatus of an OCSPResponse (RFC 6960
// §4.2.1).
type ResponseStatus int

// The response statuses (4 is not used).
const (
	Successful       ResponseStatus = 0 // a signed BasicOCSPResponse follows
	MalformedRequest ResponseStatus = 1 // illegal confirmation request
	InternalError    ResponseStatus = 2 // internal error in issuer
	TryLater         ResponseStatus = 3 // try again later
	SigRequired      ResponseStatus = 5 // must sign the request
	Unauthorized     ResponseStatus = 6 // request unauthorized
)

// String returns the RFC 6960 name of the status.
func (s ResponseStatus) String() string {
	switch s {
	case Successful:
		return "successful"
	case MalformedRequest:
		return "malformedRequest"
	case InternalError:
		return "internalError"
	case TryLater:
		return "tryLater"
	case SigRequired:
		return "sigRequired"
	case Unauthorized:
		return "unauthorized"
	}
	return fmt.Sprintf("ResponseStatus(%d)", int(s))
}

func (s ResponseStatus) isError() bool {
	return s == MalformedRequest || s == InternalError || s == TryLater || s == SigRequired || s == Unauthorized
}

// StatusError is what ParseResponse returns for a response whose status is
// not successful: the responder's answer, not a failure to parse.
type StatusError struct {
	Status ResponseStatus
}

func (e *StatusError) Error() string {
	return "ocsp: the responder answered " + e.Status.String()
}

// ErrorResponse returns the DER of an unsigned OCSPResponse with status,
// which should be MalformedRequest, InternalError, TryLater, SigRequired or
// Unauthorized; any other value (Successful included: a successful response
// must be signed) gives InternalError's, since the caller has failed. The
// result is a new slice on every call.
func ErrorResponse(status ResponseStatus) []byte {
	if !status.isError() {
		status = InternalError
	}
	return []byte{0x30, 0x03, 0x0a, 0x01, byte(status)}
}

// Status is a certificate's status in a SingleResponse. The zero value is
// not a valid status.
type Status int

// The certificate statuses (RFC 6960 §2.2).
const (
	// Good: not revoked (the certificate need not exist; RFC 6960 §2.2).
	Good Status = iota + 1
	// Revoked: revoked, or on hold (revoked with reason certificateHold).
	Revoked
	// Unknown: the responder does not know the certificate.
	Unknown
)

// String returns "good", "revoked", "unknown" or "Status(n)".
func (s Status) String() string {
	switch s {
	case Good:
		return "good"
	case Revoked:
		return "revoked"
	case Unknown:
		return "unknown"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// SingleResponse is the status of one certificate.
type SingleResponse struct {
	ID     CertID
	Status Status
	// RevokedAt is the revocationTime, for Revoked only.
	RevokedAt time.Time
	// Reason is the revocationReason, for Revoked only:
	// cert.ReasonUnspecified leaves it out, cert.ReasonCertificateHold
	// marks a certificate on hold. removeFromCRL is refused.
	Reason cert.ReasonCode
	// ThisUpdate is when the status was known to be correct; required.
	ThisUpdate time.Time
	// NextUpdate is when newer information will be available; zero leaves
	// it out.
	NextUpdate time.Time
}

// check reports why r cannot be encoded, or nil.
func (r *SingleResponse) check() error {
	if err := r.ID.check(); err != nil {
		return err
	}
	switch r.Status {
	case Good, Unknown:
		if !r.RevokedAt.IsZero() || r.Reason != cert.ReasonUnspecified {
			return fmt.Errorf("ocsp: %v response with a revocation time or reason", r.Status)
		}
	case Revoked:
		if r.RevokedAt.IsZero() {
			return errors.New("ocsp: revoked response without a revocation time")
		}
		if !validReason(r.Reason) {
			return fmt.Errorf("ocsp: revocation reason %v", r.Reason)
		}
	default:
		return fmt.Errorf("ocsp: invalid certificate status %v", r.Status)
	}
	switch {
	case r.ThisUpdate.IsZero():
		return errors.New("ocsp: response without thisUpdate")
	case !r.NextUpdate.IsZero() && r.NextUpdate.Before(r.ThisUpdate):
		return errors.New("ocsp: nextUpdate is before thisUpdate")
	}
	return nil
}

// validReason reports whether r may be a revocationReason: a CRLReason
// other than 7 (unused) and removeFromCRL (delta CRLs only).
func validReason(r cert.ReasonCode) bool {
	return r >= cert.ReasonUnspecified && r <= cert.ReasonAACompromise && r != 7 && r != cert.ReasonRemoveFromCRL
}

// ResponseTemplate is what CreateResponse signs.
type ResponseTemplate struct {
	// Responses are the statuses, normally one per CertID of the request,
	// with the request's CertIDs; at least one.
	Responses []SingleResponse
	// ProducedAt is the time of signing; required (the package never reads
	// the clock).
	ProducedAt time.Time
	// Nonce is echoed in the responseExtensions when not nil (1 to 32
	// octets: pass Request.Nonce).
	Nonce []byte
	// ExtendedRevoke adds the extended revoked definition extension (RFC
	// 6960 §4.4.8: id-pkix-ocsp-extended-revoke, 1.3.6.1.5.5.7.48.1.9,
	// NULL), which a responder that answers "revoked" for serial numbers
	// its CA never issued must include (§2.2).
	ExtendedRevoke bool
	// Certificates go into the response's certs, in order: the delegated
	// responder's certificate when the signer is not the CA. They must
	// have been parsed (Raw set).
	Certificates []*cert.Certificate
}

// OIDs of the response structures and signatures.
var (
	oidResponseBasic  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	derOIDBasic       = []byte{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01}
	oidSignGOST256    = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 2}
	oidSignGOST512    = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 3}
	derOIDSignGOST256 = []byte{0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x03, 0x02}
	derOIDSignGOST512 = []byte{0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x03, 0x03}
	oidOCSPSigning    = cert.OIDExtKeyUsageOCSPSigning()
)

// Tags of CertStatus (RFC 6960 §4.2.1): good and unknown are IMPLICIT
// NULL, revoked an IMPLICIT SEQUENCE.
var (
	tagGood    = cbasn1.Tag(0).ContextSpecific()
	tagRevoked = cbasn1.Tag(1).ContextSpecific().Constructed()
	tagUnknown = cbasn1.Tag(2).ContextSpecific()
)

// signerKey returns the GOST key of signer and the algorithm it signs with.
func signerKey(signer crypto.Signer) (*gost3410.PublicKey, cert.SignatureAlgorithm, error) {
	if signer == nil {
		return nil, 0, errors.New("ocsp: no signer")
	}
	pub, ok := signer.Public().(*gost3410.PublicKey)
	if !ok || pub == nil {
		return nil, 0, fmt.Errorf("ocsp: signer key is %T, not a GOST R 34.10-2012 key", signer.Public())
	}
	switch pub.Params().Size() {
	case 32:
		return pub, cert.GOST256, nil
	case 64:
		return pub, cert.GOST512, nil
	}
	return nil, 0, fmt.Errorf("ocsp: unsupported GOST key size %d", pub.Params().Size())
}

func hasOCSPSigning(c *cert.Certificate) bool {
	for _, oid := range c.ExtKeyUsage {
		if oid.Equal(oidOCSPSigning) {
			return true
		}
	}
	return false
}

// CreateResponse signs a BasicOCSPResponse of t with signer and returns the
// DER of the OCSPResponse (status successful) that carries it.
//
// responder is the certificate of signer's key: the CA's own, or a
// delegated responder certificate with id-kp-OCSPSigning that the CA issued
// (ca.ProfileOCSP), which the caller also puts in t.Certificates. The
// responderID is byKey, the SHA-1 of responder's subjectPublicKey BIT STRING
// value. The signature algorithm follows signer's key size as in crypto/cert,
// and the signature is checked with signer's public key before the response
// is returned.
//
// It fails when responder does not hold signer's key or is neither a CA nor
// an OCSP signer, when t has no responses, no ProducedAt, a nonce that is
// empty or longer than 32 octets or an unparsed certificate, and for a
// SingleResponse with an invalid CertID or status, no ThisUpdate, a
// NextUpdate before it, a revoked status without RevokedAt or with an
// invalid reason, or a revocation time or reason on a status other than
// revoked.
func CreateResponse(rand io.Reader, t *ResponseTemplate, responder *cert.Certificate, signer crypto.Signer) ([]byte, error) {
	if t == nil {
		return nil, errors.New("ocsp: nil response template")
	}
	pub, alg, err := signerKey(signer)
	if err != nil {
		return nil, err
	}
	if responder == nil || responder.PublicKey == nil {
		return nil, errors.New("ocsp: no responder certificate")
	}
	if !responder.PublicKey.Equal(pub) {
		return nil, errors.New("ocsp: the signer does not hold the responder certificate's key")
	}
	if !responder.IsCA && !hasOCSPSigning(responder) {
		return nil, errors.New("ocsp: the responder certificate is neither a CA nor an OCSP signer (id-kp-OCSPSigning)")
	}
	if len(t.Responses) == 0 {
		return nil, errors.New("ocsp: response without single responses")
	}
	if t.ProducedAt.IsZero() {
		return nil, errors.New("ocsp: response without producedAt")
	}
	for i := range t.Responses {
		if err := t.Responses[i].check(); err != nil {
			return nil, fmt.Errorf("%w (single response %d)", err, i)
		}
	}
	if t.Nonce != nil {
		if err := checkNonce(t.Nonce); err != nil {
			return nil, err
		}
	}
	for i, c := range t.Certificates {
		if c == nil || len(c.Raw) == 0 {
			return nil, fmt.Errorf("ocsp: certificate %d was not parsed (no Raw)", i)
		}
	}
	responderID, err := keyHash(responder)
	if err != nil {
		return nil, err
	}

	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(tagExplicit2, func(b *cryptobyte.Builder) { b.AddASN1OctetString(responderID) })
		addTime(b, t.ProducedAt)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for i := range t.Responses {
				t.Responses[i].marshal(b)
			}
		})
		if t.Nonce != nil || t.ExtendedRevoke {
			b.AddASN1(tagExplicit1, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					if t.Nonce != nil {
						addNonce(b, t.Nonce)
					}
					if t.ExtendedRevoke {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(b *cryptobyte.Builder) { b.AddBytes(derOIDExtendedRevoke) })
							b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) { b.AddASN1NULL() })
						})
					}
				})
			})
		}
	})
	tbs, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("ocsp: encoding response data: %w", err)
	}

	sig, err := gost3410.SignMessage(rand, signer, pub, tbs)
	if err != nil {
		return nil, fmt.Errorf("ocsp: signing response: %w", err)
	}

	b = *cryptobyte.NewBuilder(make([]byte, 0, len(tbs)+len(sig)+64+certsLen(t.Certificates)))
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Enum(int64(Successful))
		b.AddASN1(tagExplicit0, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidResponseBasic)
				b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddBytes(tbs)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							if alg == cert.GOST512 {
								b.AddASN1ObjectIdentifier(oidSignGOST512)
							} else {
								b.AddASN1ObjectIdentifier(oidSignGOST256)
							}
						})
						b.AddASN1BitString(sig)
						if len(t.Certificates) > 0 {
							b.AddASN1(tagExplicit0, func(b *cryptobyte.Builder) {
								b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
									for _, c := range t.Certificates {
										b.AddBytes(c.Raw)
									}
								})
							})
						}
					})
				})
			})
		})
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("ocsp: encoding response: %w", err)
	}
	return der, nil
}

func certsLen(certs []*cert.Certificate) int {
	n := 0
	for _, c := range certs {
		n += len(c.Raw)
	}
	return n
}

// addTime writes t as GeneralizedTime in whole seconds, UTC.
func addTime(b *cryptobyte.Builder, t time.Time) {
	b.AddASN1GeneralizedTime(t.UTC().Truncate(time.Second))
}

// marshal writes the SingleResponse; r must have passed check.
func (r *SingleResponse) marshal(b *cryptobyte.Builder) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		r.ID.marshal(b)
		switch r.Status {
		case Good:
			b.AddASN1(tagGood, func(*cryptobyte.Builder) {})
		case Revoked:
			b.AddASN1(tagRevoked, func(b *cryptobyte.Builder) {
				addTime(b, r.RevokedAt)
				if r.Reason != cert.ReasonUnspecified {
					b.AddASN1(tagExplicit0, func(b *cryptobyte.Builder) { b.AddASN1Enum(int64(r.Reason)) })
				}
			})
		case Unknown:
			b.AddASN1(tagUnknown, func(*cryptobyte.Builder) {})
		}
		addTime(b, r.ThisUpdate)
		if !r.NextUpdate.IsZero() {
			b.AddASN1(tagExplicit0, func(b *cryptobyte.Builder) { addTime(b, r.NextUpdate) })
		}
	})
}

// Response is a parsed successful OCSPResponse with a BasicOCSPResponse.
type Response struct {
	// Raw is the DER the response was parsed from; the other byte slices
	// refer into it.
	Raw       []byte
	Responses []SingleResponse
	// ProducedAt is when the response was signed.
	ProducedAt time.Time
	// Nonce is the value of the nonce extension, nil when absent.
	Nonce []byte
	// ExtendedRevoke says the response has the extended revoked definition
	// extension: "revoked" may mean "never issued" (RFC 6960 §2.2).
	ExtendedRevoke bool
	// ResponderKeyHash is the responderID byKey (the 20-octet SHA-1 of
	// the responder's key); nil when byName.
	ResponderKeyHash []byte
	// ResponderName is the DER Name of a responderID byName; nil when
	// byKey.
	ResponderName []byte
	// Certificates are the certs of the BasicOCSPResponse.
	Certificates []*cert.Certificate
	// SignatureAlgorithm is GOST256, GOST512, or
	// UnknownSignatureAlgorithm for any other.
	SignatureAlgorithm cert.SignatureAlgorithm
	Signature          []byte
	// RawTBS is the DER ResponseData, the signed part.
	RawTBS []byte
}

// responseError wraps ErrMalformedResponse with a detail.
func responseError(detail string) error {
	return fmt.Errorf("%w: %s", ErrMalformedResponse, detail)
}

// ParseResponse parses a DER OCSPResponse. An unsuccessful one gives a
// *StatusError with its status; a successful one must hold a
// BasicOCSPResponse, whose certs must be GOST certificates. Malformed DER,
// trailing data, another response type, an unsupported critical extension
// or a certificate that does not parse give an error wrapping
// ErrMalformedResponse; a CertID hash this package does not know one
// wrapping ErrUnknownHash. The signature is not verified: call
// CheckSignatureFrom.
//
// The response refers to der, which must not be modified afterwards.
func ParseResponse(der []byte) (*Response, error) {
	input := cryptobyte.String(der)
	var outer, rbExplicit, rb, responseType, basicOctets cryptobyte.String
	var status int
	var hasBytes bool
	if !input.ReadASN1(&outer, cbasn1.SEQUENCE) {
		return nil, responseError("not a DER SEQUENCE")
	}
	if !input.Empty() {
		return nil, responseError("trailing data")
	}
	if !outer.ReadASN1Enum(&status) ||
		!outer.ReadOptionalASN1(&rbExplicit, &hasBytes, tagExplicit0) || !outer.Empty() {
		return nil, responseError("OCSPResponse")
	}
	if st := ResponseStatus(status); st != Successful {
		if !st.isError() || hasBytes {
			return nil, responseError(fmt.Sprintf("responseStatus %d", status))
		}
		return nil, &StatusError{Status: st}
	}
	if !hasBytes ||
		!rbExplicit.ReadASN1(&rb, cbasn1.SEQUENCE) || !rbExplicit.Empty() ||
		!rb.ReadASN1(&responseType, cbasn1.OBJECT_IDENTIFIER) ||
		!rb.ReadASN1(&basicOctets, cbasn1.OCTET_STRING) || !rb.Empty() {
		return nil, responseError("responseBytes")
	}
	if !bytes.Equal(responseType, derOIDBasic) {
		return nil, responseError("response type is not id-pkix-ocsp-basic")
	}
	r := &Response{Raw: der}
	if err := r.parseBasic(basicOctets); err != nil {
		return nil, err
	}
	return r, nil
}

// parseBasic reads a BasicOCSPResponse.
func (r *Response) parseBasic(der cryptobyte.String) error {
	var basic, tbs, alg, algOID, certsExplicit cryptobyte.String
	var sig asn1.BitString
	var hasCerts bool
	if !der.ReadASN1(&basic, cbasn1.SEQUENCE) || !der.Empty() ||
		!basic.ReadASN1Element(&tbs, cbasn1.SEQUENCE) ||
		!basic.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1(&algOID, cbasn1.OBJECT_IDENTIFIER) ||
		!basic.ReadASN1BitString(&sig) ||
		!basic.ReadOptionalASN1(&certsExplicit, &hasCerts, tagExplicit0) || !basic.Empty() {
		return responseError("BasicOCSPResponse")
	}
	r.RawTBS, r.Signature = tbs, sig.RightAlign()
	switch {
	case bytes.Equal(algOID, derOIDSignGOST256):
		r.SignatureAlgorithm = cert.GOST256
	case bytes.Equal(algOID, derOIDSignGOST512):
		r.SignatureAlgorithm = cert.GOST512
	}
	if r.SignatureAlgorithm != cert.UnknownSignatureAlgorithm && !alg.Empty() && !bytes.Equal(alg, []byte{0x05, 0x00}) {
		return responseError("GOST signature algorithm with parameters")
	}
	if hasCerts {
		var list cryptobyte.String
		if !certsExplicit.ReadASN1(&list, cbasn1.SEQUENCE) || !certsExplicit.Empty() {
			return responseError("certs")
		}
		for !list.Empty() {
			var raw cryptobyte.String
			if !list.ReadASN1Element(&raw, cbasn1.SEQUENCE) {
				return responseError("certs")
			}
			c, err := cert.ParseCertificate(raw)
			if err != nil {
				return fmt.Errorf("%w: certs: %w", ErrMalformedResponse, err)
			}
			r.Certificates = append(r.Certificates, c)
		}
	}
	return r.parseResponseData(tbs)
}

// parseResponseData reads the ResponseData.
func (r *Response) parseResponseData(der cryptobyte.String) error {
	var data, version, list, exts cryptobyte.String
	var hasVersion, hasExts bool
	if !der.ReadASN1(&data, cbasn1.SEQUENCE) ||
		!data.ReadOptionalASN1(&version, &hasVersion, tagExplicit0) {
		return responseError("ResponseData")
	}
	if hasVersion {
		var v int64
		if !version.ReadASN1Int64WithTag(&v, cbasn1.INTEGER) || !version.Empty() || v != 0 {
			return responseError("version is not v1")
		}
	}
	var id cryptobyte.String
	switch {
	case data.PeekASN1Tag(tagExplicit1):
		var name cryptobyte.String
		if !data.ReadASN1(&id, tagExplicit1) || !id.ReadASN1Element(&name, cbasn1.SEQUENCE) || !id.Empty() {
			return responseError("responderID")
		}
		r.ResponderName = name
	case data.PeekASN1Tag(tagExplicit2):
		var hash cryptobyte.String
		if !data.ReadASN1(&id, tagExplicit2) || !id.ReadASN1(&hash, cbasn1.OCTET_STRING) || !id.Empty() || len(hash) != sha1.Size {
			return responseError("responderID")
		}
		r.ResponderKeyHash = hash
	default:
		return responseError("responderID")
	}
	if !readTime(&data, &r.ProducedAt) {
		return responseError("producedAt")
	}
	if !data.ReadASN1(&list, cbasn1.SEQUENCE) ||
		!data.ReadOptionalASN1(&exts, &hasExts, tagExplicit1) || !data.Empty() {
		return responseError("ResponseData")
	}
	for !list.Empty() {
		var single SingleResponse
		if err := single.parse(&list); err != nil {
			return err
		}
		r.Responses = append(r.Responses, single)
	}
	if len(r.Responses) == 0 {
		return responseError("no responses")
	}
	if hasExts {
		var err error
		seen := false
		ok := readExtensions(exts, func(oid, value []byte, critical bool) bool {
			if bytes.Equal(oid, derOIDExtendedRevoke) {
				s := cryptobyte.String(value)
				var null cryptobyte.String
				if r.ExtendedRevoke || !s.ReadASN1(&null, cbasn1.NULL) || len(null) != 0 || !s.Empty() {
					return false
				}
				r.ExtendedRevoke = true
				return true
			}
			if !bytes.Equal(oid, derOIDNonce) {
				if critical {
					err = responseError("unsupported critical response extension")
					return false
				}
				return true
			}
			s := cryptobyte.String(value)
			var nonce cryptobyte.String
			if seen || !s.ReadASN1(&nonce, cbasn1.OCTET_STRING) || !s.Empty() {
				return false
			}
			seen, r.Nonce = true, nonce
			return true
		})
		if err != nil {
			return err
		}
		if !ok {
			return responseError("responseExtensions")
		}
	}
	return nil
}

// parse reads a SingleResponse from s.
func (r *SingleResponse) parse(s *cryptobyte.String) error {
	var seq, status, next, exts cryptobyte.String
	var hasNext, hasExts bool
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return responseError("SingleResponse")
	}
	switch readCertID(&seq, &r.ID) {
	case certIDMalformed:
		return responseError("CertID")
	case certIDUnknownHash:
		return fmt.Errorf("ocsp: response: %w", ErrUnknownHash)
	}
	switch {
	case seq.PeekASN1Tag(tagGood):
		r.Status = Good
		if !seq.ReadASN1(&status, tagGood) || !status.Empty() {
			return responseError("certStatus")
		}
	case seq.PeekASN1Tag(tagUnknown):
		r.Status = Unknown
		if !seq.ReadASN1(&status, tagUnknown) || !status.Empty() {
			return responseError("certStatus")
		}
	case seq.PeekASN1Tag(tagRevoked):
		r.Status = Revoked
		var reason cryptobyte.String
		var hasReason bool
		if !seq.ReadASN1(&status, tagRevoked) || !readTime(&status, &r.RevokedAt) ||
			!status.ReadOptionalASN1(&reason, &hasReason, tagExplicit0) || !status.Empty() {
			return responseError("revokedInfo")
		}
		if hasReason {
			var code int
			if !reason.ReadASN1Enum(&code) || !reason.Empty() || code < 0 || code > 10 || !validReason(cert.ReasonCode(code)) {
				return responseError("revocationReason")
			}
			r.Reason = cert.ReasonCode(code)
		}
	default:
		return responseError("certStatus")
	}
	if !readTime(&seq, &r.ThisUpdate) ||
		!seq.ReadOptionalASN1(&next, &hasNext, tagExplicit0) ||
		(hasNext && (!readTime(&next, &r.NextUpdate) || !next.Empty())) ||
		!seq.ReadOptionalASN1(&exts, &hasExts, tagExplicit1) || !seq.Empty() {
		return responseError("SingleResponse")
	}
	if hasExts {
		critical := false
		if !readExtensions(exts, func(_, _ []byte, c bool) bool { critical = critical || c; return true }) {
			return responseError("singleExtensions")
		}
		if critical {
			return responseError("unsupported critical single response extension")
		}
	}
	return nil
}

// readTime reads a DER GeneralizedTime: whole seconds, ending in Z.
func readTime(s *cryptobyte.String, t *time.Time) bool {
	var raw cryptobyte.String
	peek := *s
	if !peek.ReadASN1(&raw, cbasn1.GeneralizedTime) || len(raw) != 15 || raw[14] != 'Z' {
		return false
	}
	return s.ReadASN1GeneralizedTime(t)
}

// CheckSignatureFrom checks that the response was signed by issuer's key,
// or by a responder certificate from Certificates that issuer signed
// (cert.Certificate.CheckSignatureFrom: issuer must be a CA with
// keyCertSign), that has id-kp-OCSPSigning and that was valid at
// ProducedAt. The responder is found by the responderID, byKey or byName.
// It fails with an error wrapping ErrUnauthorizedResponder when no such
// responder signed, and ErrBadSignature when the signature does not verify.
//
// It checks nothing else: the caller checks the issuer itself (its chain),
// that its CertID is among the Responses, their freshness and the nonce.
func (r *Response) CheckSignatureFrom(issuer *cert.Certificate) error {
	if issuer == nil || issuer.PublicKey == nil {
		return errors.New("ocsp: no issuer certificate")
	}
	if len(r.RawTBS) == 0 {
		return errors.New("ocsp: response was not parsed (no RawTBS)")
	}
	signer, err := r.responder(issuer)
	if err != nil {
		return err
	}
	if err := signer.CheckSignature(r.SignatureAlgorithm, r.RawTBS, r.Signature); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	return nil
}

// responder returns the certificate the responderID names: issuer, or a
// delegated responder certificate that issuer authorised.
func (r *Response) responder(issuer *cert.Certificate) (*cert.Certificate, error) {
	if r.identifies(issuer) {
		return issuer, nil
	}
	var refused error
	for _, c := range r.Certificates {
		if !r.identifies(c) {
			continue
		}
		var why error
		switch {
		case !hasOCSPSigning(c):
			why = errors.New("lacks id-kp-OCSPSigning")
		case r.ProducedAt.Before(c.NotBefore) || r.ProducedAt.After(c.NotAfter):
			why = errors.New("was not valid at producedAt")
		default:
			why = c.CheckSignatureFrom(issuer)
		}
		if why == nil {
			return c, nil
		}
		if refused == nil {
			refused = fmt.Errorf("%w: responder certificate %q: %w", ErrUnauthorizedResponder, c.Subject.String(), why)
		}
	}
	if refused != nil {
		return nil, refused
	}
	return nil, fmt.Errorf("%w: the responderID names neither %q nor a certificate in the response", ErrUnauthorizedResponder, issuer.Subject.String())
}

// identifies reports whether the responderID names c.
func (r *Response) identifies(c *cert.Certificate) bool {
	if c == nil {
		return false
	}
	if r.ResponderKeyHash != nil {
		h, err := keyHash(c)
		return err == nil && bytes.Equal(h, r.ResponderKeyHash)
	}
	return len(c.RawSubject) > 0 && bytes.Equal(c.RawSubject, r.ResponderName)
}
