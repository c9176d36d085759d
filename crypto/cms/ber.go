package cms

import (
	"errors"
	"fmt"
)

// maxBERDepth bounds the nesting of BER elements the normaliser follows. A
// SignedData with its certificates nests about a dozen levels deep.
const maxBERDepth = 64

// berElem is one element of a BER encoding, ready to be written as DER.
type berElem struct {
	ident       []byte // identifier octets as they will be written
	constructed bool   // children are set; otherwise prim
	children    []*berElem
	prim        [][]byte // primitive content in pieces: the chunks of a constructed OCTET STRING
	length      int      // DER content length
}

// size returns the length of the element's DER encoding.
func (e *berElem) size() int { return len(e.ident) + lengthSize(e.length) + e.length }

func (e *berElem) appendTo(b []byte) []byte {
	b = append(b, e.ident...)
	b = appendLength(b, e.length)
	if e.constructed {
		for _, c := range e.children {
			b = c.appendTo(b)
		}
		return b
	}
	for _, p := range e.prim {
		b = append(b, p...)
	}
	return b
}

// berNormaliser turns the BER that CMS writers use into DER.
type berNormaliser struct {
	changed bool // the input was not DER
}

// normalise reads the one BER element that must span all of in, and
// returns its DER form: indefinite lengths become definite, non-minimal
// lengths minimal, and constructed OCTET STRINGs (OpenSSL's streamed
// eContent) primitive ones holding the concatenated chunks. Other BER
// freedoms (unsorted SET OF, BOOLEAN values other than 0xFF) are left as
// they are: signatures cover the encodings as written. Input that is
// already DER is returned as is, without a copy. The result of a
// conversion is a new slice of at most about the input's size.
func normalise(in []byte) ([]byte, error) {
	var n berNormaliser
	e, rest, err := n.element(in, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, errors.New("trailing data after the ContentInfo")
	}
	if !n.changed {
		return in, nil
	}
	return e.appendTo(make([]byte, 0, e.size())), nil
}

// element reads one element from the start of s and returns it with the
// bytes that follow it.
func (n *berNormaliser) element(s []byte, depth int) (*berElem, []byte, error) {
	if depth > maxBERDepth {
		return nil, nil, fmt.Errorf("BER nested deeper than %d levels", maxBERDepth)
	}
	ident, s, err := readIdentifier(s)
	if err != nil {
		return nil, nil, err
	}
	if len(ident) == 1 && ident[0] == 0 {
		return nil, nil, errors.New("unexpected end-of-contents octets")
	}
	constructed := ident[0]&0x20 != 0
	if len(s) == 0 {
		return nil, nil, errors.New("truncated BER length")
	}
	e := &berElem{ident: ident, constructed: constructed}
	var content []byte
	indefinite := false
	switch l := s[0]; {
	case l < 0x80:
		s = s[1:]
		if int(l) > len(s) {
			return nil, nil, errors.New("truncated BER element")
		}
		content, s = s[:l], s[l:]
	case l == 0x80:
		if !constructed {
			return nil, nil, errors.New("indefinite length on a primitive element")
		}
		indefinite = true
		n.changed = true
		s = s[1:]
	default:
		k := int(l & 0x7f)
		if k > 8 || 1+k > len(s) {
			return nil, nil, errors.New("bad BER length")
		}
		var v uint64
		for _, b := range s[1 : 1+k] {
			v = v<<8 | uint64(b)
		}
		if s[1] == 0 || v < 0x80 {
			n.changed = true // non-minimal length: BER, not DER
		}
		s = s[1+k:]
		if v > uint64(len(s)) {
			return nil, nil, errors.New("truncated BER element")
		}
		content, s = s[:v], s[v:]
	}

	if !constructed {
		e.prim = [][]byte{content}
		e.length = len(content)
		return e, s, nil
	}
	if indefinite {
		for {
			if len(s) >= 2 && s[0] == 0 && s[1] == 0 {
				s = s[2:]
				break
			}
			if len(s) == 0 {
				return nil, nil, errors.New("indefinite-length element without end-of-contents")
			}
			c, rest, err := n.element(s, depth+1)
			if err != nil {
				return nil, nil, err
			}
			e.children = append(e.children, c)
			s = rest
		}
	} else {
		for len(content) > 0 {
			c, rest, err := n.element(content, depth+1)
			if err != nil {
				return nil, nil, err
			}
			e.children = append(e.children, c)
			content = rest
		}
	}

	if len(ident) == 1 && ident[0] == 0x24 { // constructed OCTET STRING
		n.changed = true
		flat := &berElem{ident: []byte{0x04}}
		for _, c := range e.children {
			if len(c.ident) != 1 || c.ident[0] != 0x04 {
				return nil, nil, errors.New("constructed OCTET STRING holds something other than OCTET STRINGs")
			}
			flat.prim = append(flat.prim, c.prim...)
			flat.length += c.length
		}
		return flat, s, nil
	}
	for _, c := range e.children {
		e.length += c.size()
	}
	return e, s, nil
}

// readIdentifier splits the identifier octets off s. Tag numbers of 31 and
// above use the high-tag-number form, which must be minimal.
func readIdentifier(s []byte) (ident, rest []byte, err error) {
	if len(s) == 0 {
		return nil, nil, errors.New("truncated BER identifier")
	}
	if s[0]&0x1f != 0x1f {
		return s[:1], s[1:], nil
	}
	for i := 1; i < len(s) && i <= 4; i++ {
		if i == 1 && s[1] == 0x80 {
			return nil, nil, errors.New("non-minimal BER tag")
		}
		if s[i]&0x80 == 0 {
			if i == 1 && s[1] < 31 {
				return nil, nil, errors.New("non-minimal BER tag")
			}
			return s[:i+1], s[i+1:], nil
		}
	}
	return nil, nil, errors.New("bad BER tag")
}

// lengthSize returns the number of octets of the DER length n.
func lengthSize[T int | int64](n T) int {
	if n < 0x80 {
		return 1
	}
	k := 1
	for v := n; v > 0; v >>= 8 {
		k++
	}
	return k
}

// appendLength appends the DER length n.
func appendLength[T int | int64](b []byte, n T) []byte {
	if n < 0x80 {
		return append(b, byte(n))
	}
	k := lengthSize(n) - 1
	b = append(b, 0x80|byte(k))
	for i := k - 1; i >= 0; i-- {
		b = append(b, byte(n>>(8*i)))
	}
	return b
}

// appendHeader appends the identifier tag (one octet) and the DER length n.
func appendHeader[T int | int64](b []byte, tag byte, n T) []byte {
	return appendLength(append(b, tag), n)
}

// headerSize returns the size of a one-octet tag and the DER length n.
func headerSize[T int | int64](n T) int { return 1 + lengthSize(n) }
