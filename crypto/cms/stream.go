package cms

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"

	"golang.org/x/crypto/cryptobyte"
)

// MaxStreamMetadata bounds what ParseReader holds in memory: everything
// but the content (algorithms, certificates, CRLs, SignerInfos).
const MaxStreamMetadata = 64 << 20

// ParseReader reads a ContentInfo holding a SignedData from r, DER or BER,
// without holding its content in memory: the eContent is written to
// content (nil discards it) while it is hashed with each Streebog
// algorithm of digestAlgorithms, and the rest of the message, at most
// MaxStreamMetadata bytes, is kept. The result of an attached signature
// verifies with Verify(nil, opts); its Content and Raw are nil, and it
// cannot be co-signed (use Parse for that). A detached signature reads as
// with Parse, Raw aside. r is read to its end, which must be the end of
// the ContentInfo. What content receives is unverified until Verify
// succeeds; on an error, it may have received part of the content, which
// must be discarded.
func ParseReader(r io.Reader, content io.Writer) (*SignedData, error) {
	sr := &streamReader{r: bufio.NewReaderSize(r, 64<<10), budget: MaxStreamMetadata}
	sd, err := sr.read(content)
	if err != nil {
		return nil, err
	}
	return sd, nil
}

// streamHeader is the identifier and length of a BER element.
type streamHeader struct {
	ident  []byte // the identifier octets
	tag    byte   // the first of them: the whole identifier for tags below 31
	length int64  // -1 for the indefinite length
}

// streamReader reads BER from a stream, counting what it has read.
type streamReader struct {
	r      *bufio.Reader
	off    int64 // bytes read
	budget int   // bytes of metadata still allowed in memory
}

func (sr *streamReader) byte() (byte, error) {
	b, err := sr.r.ReadByte()
	if err != nil {
		return 0, sr.eof(err)
	}
	sr.off++
	return b, nil
}

func (sr *streamReader) eof(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return malformed("truncated at byte %d", sr.off)
	}
	return fmt.Errorf("cms: reading the SignedData: %w", err)
}

// header reads an identifier and a length.
func (sr *streamReader) header() (streamHeader, error) {
	tag, err := sr.byte()
	if err != nil {
		return streamHeader{}, err
	}
	ident := []byte{tag}
	if tag&0x1f == 0x1f { // high tag number: at most 4 more octets
		for {
			b, err := sr.byte()
			if err != nil {
				return streamHeader{}, err
			}
			ident = append(ident, b)
			if b&0x80 == 0 {
				break
			}
			if len(ident) == 5 {
				return streamHeader{}, malformed("bad tag at byte %d", sr.off)
			}
		}
		if _, _, err := readIdentifier(ident); err != nil {
			return streamHeader{}, malformed("%v at byte %d", err, sr.off)
		}
	}
	l, err := sr.byte()
	if err != nil {
		return streamHeader{}, err
	}
	h := streamHeader{ident: ident, tag: tag, length: int64(l)}
	switch {
	case l == 0x80:
		if tag&0x20 == 0 {
			return h, malformed("indefinite length on a primitive element at byte %d", sr.off-2)
		}
		h.length = -1
	case l > 0x80:
		k := int(l & 0x7f)
		if k > 8 {
			return h, malformed("length of %d octets at byte %d", k, sr.off-1)
		}
		var v uint64
		for range k {
			b, err := sr.byte()
			if err != nil {
				return h, err
			}
			v = v<<8 | uint64(b)
		}
		if v > 1<<62 {
			return h, malformed("length %d at byte %d", v, sr.off)
		}
		h.length = int64(v)
	}
	return h, nil
}

// expect reads a header with the given tag.
func (sr *streamReader) expect(tag byte, what string) (streamHeader, error) {
	at := sr.off
	h, err := sr.header()
	if err != nil {
		return h, err
	}
	if len(h.ident) != 1 || h.tag != tag {
		return h, malformed("%s: tag %x at byte %d, want %#x", what, h.ident, at, tag)
	}
	return h, nil
}

// atEOC reports whether the next two bytes are end-of-contents octets, and
// consumes them if so.
func (sr *streamReader) atEOC() (bool, error) {
	b, err := sr.r.Peek(2)
	if err != nil {
		return false, sr.eof(err)
	}
	if b[0] != 0 || b[1] != 0 {
		return false, nil
	}
	sr.r.Discard(2)
	sr.off += 2
	return true, nil
}

// end checks that the constructed element of header h, whose content began
// at offset start, ends here: at its definite length, or at end-of-contents
// octets, which it consumes.
func (sr *streamReader) end(h streamHeader, start int64, what string) error {
	if h.length < 0 {
		if ok, err := sr.atEOC(); err != nil || !ok {
			if err == nil {
				err = malformed("%s: unexpected data at byte %d", what, sr.off)
			}
			return err
		}
		return nil
	}
	if sr.off != start+h.length {
		return malformed("%s: length mismatch at byte %d", what, sr.off)
	}
	return nil
}

// more reports whether the constructed element of header h, begun at
// start, has more content.
func (sr *streamReader) more(h streamHeader, start int64) (bool, error) {
	if h.length >= 0 {
		if sr.off > start+h.length {
			return false, malformed("element overruns its length at byte %d", sr.off)
		}
		return sr.off < start+h.length, nil
	}
	b, err := sr.r.Peek(2)
	if err != nil {
		return false, sr.eof(err)
	}
	return b[0] != 0 || b[1] != 0, nil
}

// element reads one whole element, BER, into memory (charged to the
// budget) and returns it in DER.
func (sr *streamReader) element() ([]byte, error) {
	var buf []byte
	buf, err := sr.appendElement(buf, 0)
	if err != nil {
		return nil, err
	}
	der, err := normalise(buf)
	if err != nil {
		return nil, malformed("%v", err)
	}
	return der, nil
}

func (sr *streamReader) appendElement(buf []byte, depth int) ([]byte, error) {
	if depth > maxBERDepth {
		return nil, malformed("BER nested deeper than %d levels", maxBERDepth)
	}
	h, err := sr.header()
	if err != nil {
		return nil, err
	}
	if h.tag == 0 && h.length == 0 {
		return nil, malformed("unexpected end-of-contents at byte %d", sr.off-2)
	}
	if err := sr.charge(len(h.ident) + lengthSize(max(h.length, 0))); err != nil {
		return nil, err
	}
	buf = append(buf, h.ident...)
	if h.length < 0 {
		buf = append(buf, 0x80)
		for {
			ok, err := sr.atEOC()
			if err != nil {
				return nil, err
			}
			if ok {
				if err := sr.charge(2); err != nil {
					return nil, err
				}
				return append(buf, 0, 0), nil
			}
			if buf, err = sr.appendElement(buf, depth+1); err != nil {
				return nil, err
			}
		}
	}
	if h.length > int64(sr.budget) {
		return nil, sr.charge(sr.budget + 1)
	}
	if err := sr.charge(int(h.length)); err != nil {
		return nil, err
	}
	buf = appendLength(buf, h.length)
	// Grow with what arrives, not with what the header announces: a short
	// hostile input must not cost a large allocation.
	for left := h.length; left > 0; {
		k := min(left, 32<<10)
		n := len(buf)
		buf = append(buf, make([]byte, k)...)
		if _, err := io.ReadFull(sr.r, buf[n:]); err != nil {
			return nil, sr.eof(err)
		}
		sr.off += k
		left -= k
	}
	return buf, nil
}

// charge counts n more bytes of metadata held in memory against the
// budget.
func (sr *streamReader) charge(n int) error {
	if n > sr.budget {
		sr.budget = 0
		return malformed("more than %d bytes besides the content", MaxStreamMetadata)
	}
	sr.budget -= n
	return nil
}

// streamOctets copies the content of an OCTET STRING, primitive or
// constructed (OpenSSL's chunks), to w.
func (sr *streamReader) streamOctets(w io.Writer, depth int) error {
	if depth > maxBERDepth {
		return malformed("BER nested deeper than %d levels", maxBERDepth)
	}
	at := sr.off
	h, err := sr.header()
	if err != nil {
		return err
	}
	switch {
	case len(h.ident) != 1:
	case h.tag == 0x04:
		n, err := io.CopyN(w, sr.r, h.length)
		sr.off += n
		if err != nil {
			return sr.eof(err)
		}
		return nil
	case h.tag == 0x24:
		start := sr.off
		for {
			more, err := sr.more(h, start)
			if err != nil {
				return err
			}
			if !more {
				return sr.end(h, start, "eContent")
			}
			if err := sr.streamOctets(w, depth+1); err != nil {
				return err
			}
		}
	}
	return malformed("eContent: tag %x at byte %d is not an OCTET STRING", h.ident, at)
}

// read reads the whole ContentInfo.
func (sr *streamReader) read(content io.Writer) (*SignedData, error) {
	ci, err := sr.expect(0x30, "ContentInfo")
	if err != nil {
		return nil, err
	}
	ciStart := sr.off
	contentType, err := sr.element()
	if err != nil {
		return nil, err
	}
	if want, _ := derOf(func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidSignedData) }); string(contentType) != string(want) {
		return nil, malformed("content type is not signedData")
	}
	explicit, err := sr.expect(0xa0, "ContentInfo content")
	if err != nil {
		return nil, err
	}
	explicitStart := sr.off
	body, err := sr.expect(0x30, "SignedData")
	if err != nil {
		return nil, err
	}
	bodyStart := sr.off
	version, err := sr.element()
	if err != nil {
		return nil, err
	}
	digestAlgs, err := sr.element()
	if err != nil {
		return nil, err
	}
	algs, err := parseDigestAlgorithms(digestAlgs)
	if err != nil {
		return nil, err
	}

	eci, err := sr.expect(0x30, "encapContentInfo")
	if err != nil {
		return nil, err
	}
	eciStart := sr.off
	eContentType, err := sr.element()
	if err != nil {
		return nil, err
	}
	var digests *digester
	hasContent, err := sr.more(eci, eciStart)
	if err != nil {
		return nil, err
	}
	if hasContent {
		e, err := sr.expect(0xa0, "eContent")
		if err != nil {
			return nil, err
		}
		eStart := sr.off
		digests = newDigester(algs)
		var w io.Writer = digests
		if content != nil {
			w = io.MultiWriter(content, digests)
		}
		if err := sr.streamOctets(w, 0); err != nil {
			return nil, err
		}
		if err := sr.end(e, eStart, "eContent"); err != nil {
			return nil, err
		}
	}
	if err := sr.end(eci, eciStart, "encapContentInfo"); err != nil {
		return nil, err
	}

	// Rebuild the SignedData without eContent, in DER, for parseDER.
	var rest []byte
	for {
		more, err := sr.more(body, bodyStart)
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
		el, err := sr.element()
		if err != nil {
			return nil, err
		}
		rest = append(rest, el...)
	}
	for _, c := range []struct {
		h     streamHeader
		start int64
		what  string
	}{{body, bodyStart, "SignedData"}, {explicit, explicitStart, "ContentInfo content"}, {ci, ciStart, "ContentInfo"}} {
		if err := sr.end(c.h, c.start, c.what); err != nil {
			return nil, err
		}
	}
	if _, err := sr.r.Peek(1); err == nil {
		return nil, malformed("trailing data after the ContentInfo")
	} else if !errors.Is(err, io.EOF) {
		return nil, sr.eof(err)
	}

	eciDER := appendHeader(nil, 0x30, len(eContentType))
	eciDER = append(eciDER, eContentType...)
	sdLen := len(version) + len(digestAlgs) + len(eciDER) + len(rest)
	der := appendHeader(nil, 0x30, len(contentType)+headerSize(headerSize(sdLen)+sdLen)+headerSize(sdLen)+sdLen)
	der = append(der, contentType...)
	der = appendHeader(der, 0xa0, headerSize(sdLen)+sdLen)
	der = appendHeader(der, 0x30, sdLen)
	for _, part := range [][]byte{version, digestAlgs, eciDER, rest} {
		der = append(der, part...)
	}
	sd, err := parseDER(der)
	if err != nil {
		return nil, err
	}
	sd.Raw = nil
	if hasContent {
		sd.Detached = false
		sd.digests = digests.sums()
	}
	return sd, nil
}

// parseDigestAlgorithms returns the Streebog algorithms of a DER
// digestAlgorithms SET.
func parseDigestAlgorithms(der []byte) ([]Digest, error) {
	s := cryptobyte.String(der)
	var set cryptobyte.String
	if !s.ReadASN1(&set, 0x31) || !s.Empty() {
		return nil, malformed("digestAlgorithms")
	}
	var ds []Digest
	for !set.Empty() {
		var alg cryptobyte.String
		if !set.ReadASN1Element(&alg, 0x30) {
			return nil, malformed("digestAlgorithms")
		}
		oid, _, ok := readAlgorithm(alg)
		if !ok {
			return nil, malformed("digestAlgorithms")
		}
		if d := digestByOID(oid); d != UnknownDigest && !slices.Contains(ds, d) {
			ds = append(ds, d)
		}
	}
	return ds, nil
}
