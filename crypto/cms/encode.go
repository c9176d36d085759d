package cms

import (
	"bytes"
	"encoding/asn1"
	"slices"

	"golang.org/x/crypto/cryptobyte"
)

// signedDataParts are the fields of a SignedData to encode, each element
// already DER.
type signedDataParts struct {
	version     int
	digestAlgs  [][]byte // AlgorithmIdentifiers
	contentType asn1.ObjectIdentifier
	contentLen  int64 // length of the eContent octets; < 0 for none (detached)
	certs       [][]byte
	certsAsIs   bool   // keep certs in the order given rather than sorted
	crls        []byte // the whole [1] element, or nil
	signerInfos [][]byte
}

// encode returns the DER ContentInfo around the eContent octets: prefix
// ends with the eContent OCTET STRING header (with the rest of the
// encapContentInfo when detached), suffix holds the fields after the
// encapContentInfo. The lengths are definite, computed from contentLen, so
// the content can be streamed between the two. The SET OF fields
// (digestAlgorithms, certificates, signerInfos) are sorted as DER wants.
func (p *signedDataParts) encode() (prefix, suffix []byte, err error) {
	version, err := derOf(func(b *cryptobyte.Builder) { b.AddASN1Int64(int64(p.version)) })
	if err != nil {
		return nil, nil, err
	}
	contentType, err := derOf(func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(p.contentType) })
	if err != nil {
		return nil, nil, err
	}
	signedData, err := derOf(func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidSignedData) })
	if err != nil {
		return nil, nil, err
	}
	digestAlgs := appendSetOf(nil, 0x31, p.digestAlgs)
	switch {
	case len(p.certs) > 0 && p.certsAsIs:
		suffix = appendElements(suffix, 0xa0, p.certs)
	case len(p.certs) > 0:
		suffix = appendSetOf(suffix, 0xa0, p.certs) // [0] IMPLICIT SET OF
	}
	suffix = append(suffix, p.crls...)
	suffix = appendSetOf(suffix, 0x31, p.signerInfos)

	eciLen := int64(len(contentType))
	var octetsLen, explicitLen int64
	if p.contentLen >= 0 {
		octetsLen = int64(headerSize(p.contentLen)) + p.contentLen
		explicitLen = int64(headerSize(octetsLen)) + octetsLen
		eciLen += explicitLen
	}
	sdLen := int64(len(version)+len(digestAlgs)+headerSize(eciLen)+len(suffix)) + eciLen
	ctxLen := int64(headerSize(sdLen)) + sdLen
	ciLen := int64(len(signedData)+headerSize(ctxLen)) + ctxLen

	prefix = appendHeader(prefix, 0x30, ciLen)
	prefix = append(prefix, signedData...)
	prefix = appendHeader(prefix, 0xa0, ctxLen)
	prefix = appendHeader(prefix, 0x30, sdLen)
	prefix = append(prefix, version...)
	prefix = append(prefix, digestAlgs...)
	prefix = appendHeader(prefix, 0x30, eciLen)
	prefix = append(prefix, contentType...)
	if p.contentLen >= 0 {
		prefix = appendHeader(prefix, 0xa0, octetsLen)
		prefix = appendHeader(prefix, 0x04, p.contentLen)
	}
	return prefix, suffix, nil
}

// appendSetOf appends a SET OF (or an IMPLICIT one, by tag) of the DER
// elements, sorted by their encodings (X.690 §11.6).
func appendSetOf(b []byte, tag byte, elems [][]byte) []byte {
	sorted := slices.Clone(elems)
	slices.SortFunc(sorted, bytes.Compare)
	return appendElements(b, tag, sorted)
}

// appendElements appends the element tag holding elems, in order.
func appendElements(b []byte, tag byte, elems [][]byte) []byte {
	n := 0
	for _, e := range elems {
		n += len(e)
	}
	b = appendHeader(b, tag, n)
	for _, e := range elems {
		b = append(b, e...)
	}
	return b
}

// derOf runs f on a fresh builder and returns its bytes.
func derOf(f func(b *cryptobyte.Builder)) ([]byte, error) {
	var b cryptobyte.Builder
	f(&b)
	return b.Bytes()
}
