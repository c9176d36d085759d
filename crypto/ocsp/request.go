package ocsp

import (
	"bytes"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// MaxNonceLength is the longest nonce accepted in a request and echoed in a
// response (RFC 8954 §2.1). The shortest is one octet.
const MaxNonceLength = 32

// derOIDNonce is the content of id-pkix-ocsp-nonce, 1.3.6.1.5.5.7.48.1.2.
var derOIDNonce = []byte{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02}

// derOIDExtendedRevoke is the DER content of id-pkix-ocsp-extended-revoke
// (1.3.6.1.5.5.7.48.1.9).
var derOIDExtendedRevoke = []byte{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x09}

// Context-specific tags of the OCSP structures (all EXPLICIT, so
// constructed, unless the name says IMPLICIT).
var (
	tagExplicit0 = cbasn1.Tag(0).ContextSpecific().Constructed()
	tagExplicit1 = cbasn1.Tag(1).ContextSpecific().Constructed()
	tagExplicit2 = cbasn1.Tag(2).ContextSpecific().Constructed()
)

// Request is a parsed OCSPRequest.
type Request struct {
	// Raw is the DER the request was parsed from; the other byte slices
	// refer into it.
	Raw []byte
	// IDs are the certificates asked about, in order; at least one.
	IDs []CertID
	// Nonce is the value of the nonce extension (RFC 8954), 1 to 32
	// octets; nil when absent.
	Nonce []byte
	// Signed says the request carried an optionalSignature. It was not
	// verified.
	Signed bool
}

// requestError wraps ErrMalformedRequest with a detail.
func requestError(detail string) error {
	return fmt.Errorf("%w: %s", ErrMalformedRequest, detail)
}

// ParseRequest parses a DER OCSPRequest (RFC 6960 §4.1.1). It reads every
// CertID and the nonce extension; it accepts and skips an explicit version
// v1, a requestorName, the other request and single-request extensions
// (critical or not) and an optionalSignature, which it does not verify
// (Request.Signed reports it).
//
// Malformed DER, trailing data, a request without CertIDs, CertID hashes of
// the wrong length, a repeated nonce extension or an empty nonce give an
// error wrapping ErrMalformedRequest; a nonce longer than 32 octets one
// wrapping both ErrNonceTooLong and ErrMalformedRequest. A well-formed
// request with a CertID hash other than SHA-1, SHA-256, Streebog-256 or
// Streebog-512 gives an error wrapping ErrUnknownHash (and not
// ErrMalformedRequest). See the package documentation for the response
// status each calls for.
//
// The request refers to der, which must not be modified afterwards.
func ParseRequest(der []byte) (*Request, error) {
	input := cryptobyte.String(der)
	var outer, tbs, sig, version, name, list, exts cryptobyte.String
	var signed, hasVersion, hasName, hasExts bool
	if !input.ReadASN1(&outer, cbasn1.SEQUENCE) {
		return nil, requestError("not a DER SEQUENCE")
	}
	if !input.Empty() {
		return nil, requestError("trailing data")
	}
	if !outer.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!outer.ReadOptionalASN1(&sig, &signed, tagExplicit0) || !outer.Empty() {
		return nil, requestError("OCSPRequest")
	}
	if signed {
		var s cryptobyte.String
		if !sig.ReadASN1(&s, cbasn1.SEQUENCE) || !sig.Empty() {
			return nil, requestError("optionalSignature")
		}
	}
	if !tbs.ReadOptionalASN1(&version, &hasVersion, tagExplicit0) {
		return nil, requestError("version")
	}
	if hasVersion {
		var v int64
		if !version.ReadASN1Int64WithTag(&v, cbasn1.INTEGER) || !version.Empty() || v != 0 {
			return nil, requestError("version is not v1")
		}
	}
	var generalName cryptobyte.String
	var generalNameTag cbasn1.Tag
	if !tbs.ReadOptionalASN1(&name, &hasName, tagExplicit1) ||
		(hasName && (!name.ReadAnyASN1Element(&generalName, &generalNameTag) || !name.Empty())) {
		return nil, requestError("requestorName")
	}
	if !tbs.ReadASN1(&list, cbasn1.SEQUENCE) {
		return nil, requestError("requestList")
	}
	if !tbs.ReadOptionalASN1(&exts, &hasExts, tagExplicit2) || !tbs.Empty() {
		return nil, requestError("requestExtensions")
	}

	req := &Request{Raw: der, Signed: signed}
	unknownHash := false
	for !list.Empty() {
		var one, singleExts cryptobyte.String
		var hasSingleExts bool
		if !list.ReadASN1(&one, cbasn1.SEQUENCE) {
			return nil, requestError("Request")
		}
		var id CertID
		switch readCertID(&one, &id) {
		case certIDMalformed:
			return nil, requestError("CertID")
		case certIDUnknownHash:
			unknownHash = true
		}
		if !one.ReadOptionalASN1(&singleExts, &hasSingleExts, tagExplicit0) || !one.Empty() ||
			(hasSingleExts && !readExtensions(singleExts, nil)) {
			return nil, requestError("singleRequestExtensions")
		}
		if id.Hash != 0 {
			req.IDs = append(req.IDs, id)
		}
	}
	if len(req.IDs) == 0 && !unknownHash {
		return nil, requestError("no CertID")
	}
	if hasExts {
		var nonceErr error
		seen := false
		ok := readExtensions(exts, func(oid, value []byte, critical bool) bool {
			if !bytes.Equal(oid, derOIDNonce) {
				return true
			}
			if seen {
				nonceErr = requestError("two nonce extensions")
				return false
			}
			seen = true
			req.Nonce, nonceErr = parseNonce(value)
			return nonceErr == nil
		})
		if nonceErr != nil {
			return nil, nonceErr
		}
		if !ok {
			return nil, requestError("requestExtensions")
		}
	}
	if unknownHash {
		return nil, fmt.Errorf("ocsp: request: %w", ErrUnknownHash)
	}
	return req, nil
}

// parseNonce reads the extnValue of a request's nonce extension: the DER
// OCTET STRING of the nonce.
func parseNonce(value []byte) ([]byte, error) {
	s := cryptobyte.String(value)
	var nonce cryptobyte.String
	if !s.ReadASN1(&nonce, cbasn1.OCTET_STRING) || !s.Empty() {
		return nil, requestError("nonce is not an OCTET STRING")
	}
	if err := checkNonce(nonce); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedRequest, err)
	}
	return nonce, nil
}

// checkNonce checks the length of a nonce against RFC 8954.
func checkNonce(nonce []byte) error {
	switch {
	case len(nonce) == 0:
		return errors.New("ocsp: empty nonce")
	case len(nonce) > MaxNonceLength:
		return fmt.Errorf("%w (%d octets)", ErrNonceTooLong, len(nonce))
	}
	return nil
}

// readExtensions walks Extensions (SEQUENCE SIZE (1..MAX) OF Extension),
// the content of an EXPLICIT tag, calling f (when not nil) with each
// extension's OID content octets, extnValue and critical flag; it stops
// when f returns false. It reports whether the walk ended with every
// extension well formed and f content.
func readExtensions(explicit cryptobyte.String, f func(oid, value []byte, critical bool) bool) bool {
	var list cryptobyte.String
	if !explicit.ReadASN1(&list, cbasn1.SEQUENCE) || !explicit.Empty() || list.Empty() {
		return false
	}
	for !list.Empty() {
		var ext, oid, value cryptobyte.String
		var critical bool
		if !list.ReadASN1(&ext, cbasn1.SEQUENCE) ||
			!ext.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) ||
			(ext.PeekASN1Tag(cbasn1.BOOLEAN) && !ext.ReadASN1Boolean(&critical)) ||
			!ext.ReadASN1(&value, cbasn1.OCTET_STRING) || !ext.Empty() {
			return false
		}
		if f != nil && !f(oid, value, critical) {
			return false
		}
	}
	return true
}

// addNonceExtension writes Extensions holding the nonce extension.
func addNonceExtension(b *cryptobyte.Builder, nonce []byte) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addNonce(b, nonce)
	})
}

// addNonce writes the nonce Extension.
func addNonce(b *cryptobyte.Builder, nonce []byte) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(b *cryptobyte.Builder) { b.AddBytes(derOIDNonce) })
		b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) {
			b.AddASN1OctetString(nonce)
		})
	})
}

// CreateRequest returns the DER of an unsigned OCSPRequest for ids, with
// the nonce extension when nonce is not nil (1 to 32 octets; RFC 8954
// recommends 32 random octets). It is for clients and tests.
func CreateRequest(ids []CertID, nonce []byte) ([]byte, error) {
	if len(ids) == 0 {
		return nil, errors.New("ocsp: request without CertIDs")
	}
	for i := range ids {
		if err := ids[i].check(); err != nil {
			return nil, err
		}
	}
	if nonce != nil {
		if err := checkNonce(nonce); err != nil {
			return nil, err
		}
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for i := range ids {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { ids[i].marshal(b) })
				}
			})
			if nonce != nil {
				b.AddASN1(tagExplicit2, func(b *cryptobyte.Builder) { addNonceExtension(b, nonce) })
			}
		})
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("ocsp: encoding request: %w", err)
	}
	return der, nil
}
