package cert

import (
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Name is a distinguished name with the Russian attributes of the qualified
// profile. Marshal writes one attribute per RDN, in the order C, ST, L,
// street, O, OU, T, SN, GN, CN, E, SNILS, INN, INNLE, OGRN, OGRNIP, then
// Extra; empty fields are omitted.
type Name struct {
	Country            string // C, 2.5.4.6: PrintableString, exactly 2 letters
	Province           string // ST, 2.5.4.8
	Locality           string // L, 2.5.4.7
	StreetAddress      string // street, 2.5.4.9
	Organization       string // O, 2.5.4.10
	OrganizationalUnit string // OU, 2.5.4.11
	Title              string // T, 2.5.4.12
	CommonName         string // CN, 2.5.4.3
	Surname            string // SN, 2.5.4.4
	GivenName          string // GN, 2.5.4.42: given name and patronymic
	Email              string // E, emailAddress 1.2.840.113549.1.9.1: IA5String
	SNILS              string // 1.2.643.100.3: NumericString
	INN                string // 1.2.643.3.131.1.1: NumericString
	INNLE              string // 1.2.643.100.4: NumericString
	OGRN               string // 1.2.643.100.1: NumericString
	OGRNIP             string // 1.2.643.100.5: NumericString
	// Extra holds other attributes, and repeats of the above when parsing.
	// They are encoded after the fields above, in order.
	Extra []Attribute
}

// Attribute is one attribute of a distinguished name.
type Attribute struct {
	Type  asn1.ObjectIdentifier
	Value string
	// Tag is the ASN.1 string type of the value: asn1.TagUTF8String (also
	// when 0), asn1.TagPrintableString, asn1.TagIA5String,
	// asn1.TagNumericString, asn1.TagT61String (Latin-1), asn1.TagBMPString
	// or 28 (UniversalString).
	Tag int
}

const tagUniversalString = 28

// nameField describes one of Name's fields, in encoding order.
type nameField struct {
	short string
	oid   asn1.ObjectIdentifier
	tag   int
	get   func(*Name) *string
}

var nameFields = []nameField{
	{"C", asn1.ObjectIdentifier{2, 5, 4, 6}, asn1.TagPrintableString, func(n *Name) *string { return &n.Country }},
	{"ST", asn1.ObjectIdentifier{2, 5, 4, 8}, asn1.TagUTF8String, func(n *Name) *string { return &n.Province }},
	{"L", asn1.ObjectIdentifier{2, 5, 4, 7}, asn1.TagUTF8String, func(n *Name) *string { return &n.Locality }},
	{"STREET", asn1.ObjectIdentifier{2, 5, 4, 9}, asn1.TagUTF8String, func(n *Name) *string { return &n.StreetAddress }},
	{"O", asn1.ObjectIdentifier{2, 5, 4, 10}, asn1.TagUTF8String, func(n *Name) *string { return &n.Organization }},
	{"OU", asn1.ObjectIdentifier{2, 5, 4, 11}, asn1.TagUTF8String, func(n *Name) *string { return &n.OrganizationalUnit }},
	{"T", asn1.ObjectIdentifier{2, 5, 4, 12}, asn1.TagUTF8String, func(n *Name) *string { return &n.Title }},
	{"SN", asn1.ObjectIdentifier{2, 5, 4, 4}, asn1.TagUTF8String, func(n *Name) *string { return &n.Surname }},
	{"GN", asn1.ObjectIdentifier{2, 5, 4, 42}, asn1.TagUTF8String, func(n *Name) *string { return &n.GivenName }},
	{"CN", asn1.ObjectIdentifier{2, 5, 4, 3}, asn1.TagUTF8String, func(n *Name) *string { return &n.CommonName }},
	{"E", asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, asn1.TagIA5String, func(n *Name) *string { return &n.Email }},
	{"SNILS", asn1.ObjectIdentifier{1, 2, 643, 100, 3}, asn1.TagNumericString, func(n *Name) *string { return &n.SNILS }},
	{"INN", asn1.ObjectIdentifier{1, 2, 643, 3, 131, 1, 1}, asn1.TagNumericString, func(n *Name) *string { return &n.INN }},
	{"INNLE", asn1.ObjectIdentifier{1, 2, 643, 100, 4}, asn1.TagNumericString, func(n *Name) *string { return &n.INNLE }},
	{"OGRN", asn1.ObjectIdentifier{1, 2, 643, 100, 1}, asn1.TagNumericString, func(n *Name) *string { return &n.OGRN }},
	{"OGRNIP", asn1.ObjectIdentifier{1, 2, 643, 100, 5}, asn1.TagNumericString, func(n *Name) *string { return &n.OGRNIP }},
}

// dnAliases are further attribute names ParseDN accepts.
var dnAliases = map[string]string{
	"COMMONNAME":             "CN",
	"SURNAME":                "SN",
	"GIVENNAME":              "GN",
	"TITLE":                  "T",
	"STREETADDRESS":          "STREET",
	"EMAILADDRESS":           "E",
	"EMAIL":                  "E",
	"ORGANIZATIONNAME":       "O",
	"ORGANIZATIONALUNITNAME": "OU",
	"LOCALITYNAME":           "L",
	"STATEORPROVINCENAME":    "ST",
	"COUNTRYNAME":            "C",
}

func fieldByOID(oid asn1.ObjectIdentifier) int {
	for i := range nameFields {
		if nameFields[i].oid.Equal(oid) {
			return i
		}
	}
	return -1
}

func fieldByShort(s string) int {
	s = strings.ToUpper(s)
	if alias, ok := dnAliases[s]; ok {
		s = alias
	}
	for i := range nameFields {
		if nameFields[i].short == s {
			return i
		}
	}
	return -1
}

// Marshal returns the DER RDNSequence of n. It fails for a value that does
// not fit its string type: NumericString takes digits and spaces, the
// country exactly two letters, PrintableString its character set, IA5String
// ASCII, UTF8String valid UTF-8.
func (n *Name) Marshal() ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for i := range nameFields {
			f := &nameFields[i]
			v := *f.get(n)
			if v == "" {
				continue
			}
			if f.short == "C" && !isCountry(v) {
				b.SetError(fmt.Errorf("cert: country %q is not two letters", v))
				return
			}
			addAttribute(b, f.oid, v, f.tag, f.short)
		}
		for _, a := range n.Extra {
			if len(a.Type) == 0 {
				b.SetError(errors.New("cert: name attribute without a type"))
				return
			}
			tag := a.Tag
			if tag == 0 {
				tag = asn1.TagUTF8String
			}
			addAttribute(b, a.Type, a.Value, tag, a.Type.String())
		}
	})
	return b.Bytes()
}

func addAttribute(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, value string, tag int, what string) {
	content, err := encodeString(value, tag)
	if err != nil {
		b.SetError(fmt.Errorf("cert: name attribute %s: %w", what, err))
		return
	}
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			b.AddASN1(cbasn1.Tag(tag), func(b *cryptobyte.Builder) { b.AddBytes(content) })
		})
	})
}

func isCountry(s string) bool {
	return len(s) == 2 && isASCIILetter(s[0]) && isASCIILetter(s[1])
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isPrintableChar(c byte) bool {
	return isASCIILetter(c) || '0' <= c && c <= '9' || strings.IndexByte(" '()+,-./:=?", c) >= 0
}

// encodeString returns the content octets of s as an ASN.1 string of the
// given tag, or an error if s does not fit the type.
func encodeString(s string, tag int) ([]byte, error) {
	switch tag {
	case asn1.TagUTF8String:
		if !utf8.ValidString(s) {
			return nil, errors.New("invalid UTF-8")
		}
		return []byte(s), nil
	case asn1.TagPrintableString:
		for i := 0; i < len(s); i++ {
			if !isPrintableChar(s[i]) {
				return nil, fmt.Errorf("%q is not a PrintableString", s)
			}
		}
		return []byte(s), nil
	case asn1.TagIA5String:
		for i := 0; i < len(s); i++ {
			if s[i] >= utf8.RuneSelf {
				return nil, fmt.Errorf("%q is not an IA5String (ASCII)", s)
			}
		}
		return []byte(s), nil
	case asn1.TagNumericString:
		for i := 0; i < len(s); i++ {
			if (s[i] < '0' || s[i] > '9') && s[i] != ' ' {
				return nil, fmt.Errorf("%q is not a NumericString (digits and spaces)", s)
			}
		}
		return []byte(s), nil
	}
	if !utf8.ValidString(s) {
		return nil, errors.New("invalid UTF-8")
	}
	var out []byte
	switch tag {
	case asn1.TagT61String:
		for _, r := range s {
			if r > 0xff {
				return nil, fmt.Errorf("%q does not fit a TeletexString (Latin-1)", s)
			}
			out = append(out, byte(r))
		}
	case asn1.TagBMPString:
		for _, r := range s {
			if r > 0xffff {
				return nil, fmt.Errorf("%q does not fit a BMPString", s)
			}
			out = append(out, byte(r>>8), byte(r))
		}
	case tagUniversalString:
		for _, r := range s {
			out = append(out, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
		}
	default:
		return nil, fmt.Errorf("unsupported string tag %d", tag)
	}
	return out, nil
}

// decodeString returns the text of an ASN.1 string of the given tag.
func decodeString(tag cbasn1.Tag, content []byte) (string, error) {
	switch int(tag) {
	case asn1.TagUTF8String:
		if !utf8.Valid(content) {
			return "", errors.New("invalid UTF8String")
		}
		return string(content), nil
	case asn1.TagPrintableString:
		for _, c := range content {
			// '*' and '&' are not PrintableString, but widespread.
			if !isPrintableChar(c) && c != '*' && c != '&' {
				return "", errors.New("invalid PrintableString")
			}
		}
		return string(content), nil
	case asn1.TagIA5String:
		for _, c := range content {
			if c >= utf8.RuneSelf {
				return "", errors.New("invalid IA5String")
			}
		}
		return string(content), nil
	case asn1.TagNumericString:
		for _, c := range content {
			if (c < '0' || c > '9') && c != ' ' {
				return "", errors.New("invalid NumericString")
			}
		}
		return string(content), nil
	case asn1.TagT61String:
		var sb strings.Builder
		for _, c := range content {
			sb.WriteRune(rune(c))
		}
		return sb.String(), nil
	case asn1.TagBMPString:
		if len(content)%2 != 0 {
			return "", errors.New("invalid BMPString")
		}
		u := make([]uint16, 0, len(content)/2)
		for i := 0; i < len(content); i += 2 {
			u = append(u, uint16(content[i])<<8|uint16(content[i+1]))
		}
		if len(u) > 0 && u[len(u)-1] == 0 {
			u = u[:len(u)-1] // a terminator some encoders add
		}
		for i := 0; i < len(u); i++ {
			if utf16.IsSurrogate(rune(u[i])) {
				if i+1 >= len(u) || utf16.DecodeRune(rune(u[i]), rune(u[i+1])) == utf8.RuneError {
					return "", errors.New("invalid BMPString")
				}
				i++
			}
		}
		return string(utf16.Decode(u)), nil
	case tagUniversalString:
		if len(content)%4 != 0 {
			return "", errors.New("invalid UniversalString")
		}
		var sb strings.Builder
		for i := 0; i < len(content); i += 4 {
			r := rune(content[i])<<24 | rune(content[i+1])<<16 | rune(content[i+2])<<8 | rune(content[i+3])
			if !utf8.ValidRune(r) {
				return "", errors.New("invalid UniversalString")
			}
			sb.WriteRune(r)
		}
		return sb.String(), nil
	}
	return "", fmt.Errorf("unsupported string type (tag %d)", int(tag))
}

// nameBuilder fills a Name attribute by attribute: the first of each known
// attribute goes to its field, a repeat (or an empty value) to Extra.
type nameBuilder struct {
	n    Name
	seen [16]bool
}

func (nb *nameBuilder) add(oid asn1.ObjectIdentifier, value string, tag int) {
	if i := fieldByOID(oid); i >= 0 && !nb.seen[i] && value != "" {
		nb.seen[i] = true
		*nameFields[i].get(&nb.n) = value
		return
	}
	nb.n.Extra = append(nb.n.Extra, Attribute{Type: oidCopy(oid), Value: value, Tag: tag})
}

// ParseName parses a DER RDNSequence. Values may be of any string type
// (UTF8String, PrintableString, IA5String, NumericString, TeletexString read
// as Latin-1, BMPString, UniversalString) for any attribute; multi-valued
// RDNs are flattened; an attribute seen a second time goes to Extra.
func ParseName(der []byte) (*Name, error) {
	input := cryptobyte.String(der)
	var seq cryptobyte.String
	if !input.ReadASN1(&seq, cbasn1.SEQUENCE) || !input.Empty() {
		return nil, errors.New("cert: malformed name")
	}
	var nb nameBuilder
	for !seq.Empty() {
		var set cryptobyte.String
		if !seq.ReadASN1(&set, cbasn1.SET) {
			return nil, errors.New("cert: malformed relative distinguished name")
		}
		for !set.Empty() {
			var atv, value cryptobyte.String
			var oid asn1.ObjectIdentifier
			var tag cbasn1.Tag
			if !set.ReadASN1(&atv, cbasn1.SEQUENCE) || !atv.ReadASN1ObjectIdentifier(&oid) ||
				!atv.ReadAnyASN1(&value, &tag) || !atv.Empty() {
				return nil, errors.New("cert: malformed name attribute")
			}
			s, err := decodeString(tag, value)
			if err != nil {
				return nil, fmt.Errorf("cert: name attribute %s: %w", oid, err)
			}
			nb.add(oid, s, int(tag))
		}
	}
	return &nb.n, nil
}

// String returns n in the form of RFC 4514 with the short names CN, SN, GN,
// T, O, OU, STREET, L, ST, C, E, SNILS, INN, INNLE, OGRN, OGRNIP, and
// Extra attributes as dotted-OID=value; the most significant attribute comes
// last, so the order is the reverse of the encoding order.
func (n *Name) String() string {
	var parts []string
	for i := range nameFields {
		if v := *nameFields[i].get(n); v != "" {
			parts = append(parts, nameFields[i].short+"="+escapeDNValue(v))
		}
	}
	for _, a := range n.Extra {
		parts = append(parts, a.Type.String()+"="+escapeDNValue(a.Value))
	}
	var sb strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		sb.WriteString(parts[i])
		if i > 0 {
			sb.WriteByte(',')
		}
	}
	return sb.String()
}

func escapeDNValue(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1, r < 0x20, r == 0x7f:
			fmt.Fprintf(&sb, "\\%02X", s[i])
		case strings.ContainsRune(",+\"\\<>;", r),
			i == 0 && (r == ' ' || r == '#'),
			i+size == len(s) && r == ' ':
			sb.WriteByte('\\')
			sb.WriteRune(r)
		default:
			sb.WriteString(s[i : i+size])
		}
		i += size
	}
	return sb.String()
}

// dnAttribute is one type=value pair of a string DN.
type dnAttribute struct {
	oid   asn1.ObjectIdentifier
	value string
	tag   int
}

// ParseDN parses a distinguished name in the form String returns: the short
// names (case-insensitively, with a few long aliases such as emailAddress)
// or dotted OIDs, RFC 4514 escapes and #hex BER values, attributes in any
// order, separated by ',' or '+'. An unknown attribute name is an error. As
// the most significant attribute comes last, attributes are taken from right
// to left: of two CN, the rightmost fills CommonName, the other goes to
// Extra.
func ParseDN(s string) (*Name, error) {
	var attrs []dnAttribute
	p := dnParser{s: s}
	p.skipSpaces()
	for !p.done() {
		a, err := p.attribute()
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, a)
		p.skipSpaces()
		if p.done() {
			break
		}
		if c := p.s[p.i]; c != ',' && c != '+' && c != ';' {
			return nil, fmt.Errorf("cert: malformed DN %q: unexpected %q at offset %d", s, c, p.i)
		}
		p.i++
		p.skipSpaces()
		if p.done() {
			return nil, fmt.Errorf("cert: malformed DN %q: trailing separator", s)
		}
	}
	var nb nameBuilder
	for i := len(attrs) - 1; i >= 0; i-- {
		nb.add(attrs[i].oid, attrs[i].value, attrs[i].tag)
	}
	return &nb.n, nil
}

type dnParser struct {
	s string
	i int
}

func (p *dnParser) done() bool { return p.i >= len(p.s) }

func (p *dnParser) skipSpaces() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *dnParser) attribute() (dnAttribute, error) {
	var a dnAttribute
	eq := strings.IndexByte(p.s[p.i:], '=')
	if eq < 0 {
		return a, fmt.Errorf("cert: malformed DN %q: attribute without '='", p.s)
	}
	typ := strings.TrimSpace(p.s[p.i : p.i+eq])
	p.i += eq + 1
	switch {
	case typ == "":
		return a, fmt.Errorf("cert: malformed DN %q: empty attribute type", p.s)
	case typ[0] >= '0' && typ[0] <= '9':
		oid, err := parseDottedOID(typ)
		if err != nil {
			return a, fmt.Errorf("cert: malformed DN %q: %w", p.s, err)
		}
		a.oid = oid
	default:
		f := fieldByShort(typ)
		if f < 0 {
			return a, fmt.Errorf("cert: unknown attribute name %q in DN", typ)
		}
		a.oid = nameFields[f].oid
	}
	p.skipSpaces()
	if !p.done() && p.s[p.i] == '#' {
		return p.hexValue(a)
	}
	var buf []byte
	keep := 0 // length of buf up to the last escaped or non-space byte
	for !p.done() {
		c := p.s[p.i]
		if c == ',' || c == '+' || c == ';' {
			break
		}
		if c != '\\' {
			buf = append(buf, c)
			p.i++
			if c != ' ' {
				keep = len(buf)
			}
			continue
		}
		p.i++
		if p.done() {
			return a, fmt.Errorf("cert: malformed DN %q: dangling escape", p.s)
		}
		if p.i+1 < len(p.s) && isHexDigit(p.s[p.i]) && isHexDigit(p.s[p.i+1]) {
			v, _ := hex.DecodeString(p.s[p.i : p.i+2])
			buf = append(buf, v[0])
			p.i += 2
		} else {
			buf = append(buf, p.s[p.i])
			p.i++
		}
		keep = len(buf)
	}
	buf = buf[:keep]
	if !utf8.Valid(buf) {
		return a, fmt.Errorf("cert: malformed DN %q: value is not UTF-8", p.s)
	}
	a.value = string(buf)
	return a, nil
}

// hexValue reads a #hex value: the BER (here DER) of an ASN.1 string.
func (p *dnParser) hexValue(a dnAttribute) (dnAttribute, error) {
	start := p.i + 1
	end := start
	for end < len(p.s) && isHexDigit(p.s[end]) {
		end++
	}
	p.i = end
	raw, err := hex.DecodeString(p.s[start:end])
	if err != nil {
		return a, fmt.Errorf("cert: malformed DN %q: bad #hex value", p.s)
	}
	in := cryptobyte.String(raw)
	var content cryptobyte.String
	var tag cbasn1.Tag
	if !in.ReadAnyASN1(&content, &tag) || !in.Empty() {
		return a, fmt.Errorf("cert: malformed DN %q: #hex value is not one ASN.1 element", p.s)
	}
	v, err := decodeString(tag, content)
	if err != nil {
		return a, fmt.Errorf("cert: malformed DN %q: %w", p.s, err)
	}
	a.value, a.tag = v, int(tag)
	return a, nil
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func parseDottedOID(s string) (asn1.ObjectIdentifier, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return nil, fmt.Errorf("bad OID %q", s)
	}
	oid := make(asn1.ObjectIdentifier, len(parts))
	for i, part := range parts {
		if part == "" || len(part) > 9 || (len(part) > 1 && part[0] == '0') {
			return nil, fmt.Errorf("bad OID %q", s)
		}
		v := 0
		for _, c := range []byte(part) {
			if c < '0' || c > '9' {
				return nil, fmt.Errorf("bad OID %q", s)
			}
			v = v*10 + int(c-'0')
		}
		oid[i] = v
	}
	if oid[0] > 2 || (oid[0] < 2 && oid[1] > 39) {
		return nil, fmt.Errorf("bad OID %q", s)
	}
	return oid, nil
}
