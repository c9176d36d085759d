package cert

import (
	"encoding/asn1"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// qualifiedName has every field of Name set, in Russian where it can be.
var qualifiedName = Name{
	Country: "RU", Province: "77 г. Москва", Locality: "Москва", StreetAddress: "ул. Тверская, д. 1",
	Organization: "ООО «Ромашка»", OrganizationalUnit: "Отдел ИБ", Title: "Директор",
	CommonName: "Иванов Иван Иванович", Surname: "Иванов", GivenName: "Иван Иванович",
	Email: "ivanov@example.ru", SNILS: "11223344595", INN: "500100732259", INNLE: "7707083893",
	OGRN: "1027700132195", OGRNIP: "304500116000157",
}

// normalizeTags sets the default tag of Extra attributes explicitly, as
// ParseName reports it.
func normalizeTags(n *Name) *Name {
	out := *n
	out.Extra = nil
	for _, a := range n.Extra {
		if a.Tag == 0 {
			a.Tag = asn1.TagUTF8String
		}
		out.Extra = append(out.Extra, a)
	}
	return &out
}

// clearTags drops the tags of Extra attributes (String does not keep them).
func clearTags(n *Name) *Name {
	out := *n
	out.Extra = nil
	for _, a := range n.Extra {
		a.Tag = 0
		out.Extra = append(out.Extra, a)
	}
	return &out
}

func TestNameMarshalRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   Name
	}{
		{"empty", Name{}},
		{"latin CN", Name{CommonName: "Example"}},
		{"Cyrillic", Name{CommonName: "Иванов Иван", Organization: "ПАО «Сбербанк»", Locality: "Санкт-Петербург"}},
		{"qualified", qualifiedName},
		{"extra of every tag", Name{CommonName: "x", Extra: []Attribute{
			{Type: asn1.ObjectIdentifier{1, 2, 3, 4}, Value: "utf8 значение"},
			{Type: asn1.ObjectIdentifier{1, 2, 3, 5}, Value: "Printable (1)", Tag: asn1.TagPrintableString},
			{Type: asn1.ObjectIdentifier{1, 2, 3, 6}, Value: "ia5@x", Tag: asn1.TagIA5String},
			{Type: asn1.ObjectIdentifier{1, 2, 3, 7}, Value: "12 34", Tag: asn1.TagNumericString},
			{Type: asn1.ObjectIdentifier{1, 2, 3, 8}, Value: "Grüße", Tag: asn1.TagT61String},
			{Type: asn1.ObjectIdentifier{1, 2, 3, 9}, Value: "БМП", Tag: asn1.TagBMPString},
			{Type: asn1.ObjectIdentifier{1, 2, 3, 10}, Value: "универсал 🙂", Tag: tagUniversalString},
		}}},
		{"repeated attribute", Name{CommonName: "first", Extra: []Attribute{
			{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "second", Tag: asn1.TagUTF8String},
			{Type: asn1.ObjectIdentifier{2, 5, 4, 11}, Value: "unit", Tag: asn1.TagUTF8String},
		}}},
		{"empty extra value", Name{Extra: []Attribute{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "", Tag: asn1.TagUTF8String}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			der, err := tt.in.Marshal()
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			got, err := ParseName(der)
			if err != nil {
				t.Fatalf("ParseName: %v", err)
			}
			// A repeated known attribute of the second row goes back to
			// Extra; the unit is then a first OU and fills the field.
			want := normalizeTags(&tt.in)
			if tt.name == "repeated attribute" {
				want = &Name{CommonName: "first", OrganizationalUnit: "unit", Extra: want.Extra[:1]}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ParseName(Marshal()) =\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

// TestNameWireTypes checks the string type of each attribute on the wire,
// and the order of the RDNs.
func TestNameWireTypes(t *testing.T) {
	der, err := qualifiedName.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	wantOrder := []string{"C", "ST", "L", "STREET", "O", "OU", "T", "SN", "GN", "CN", "E", "SNILS", "INN", "INNLE", "OGRN", "OGRNIP"}
	wantTag := map[string]cbasn1.Tag{
		"C": cbasn1.PrintableString, "E": cbasn1.IA5String,
		"SNILS": cbasn1.Tag(asn1.TagNumericString), "INN": cbasn1.Tag(asn1.TagNumericString),
		"INNLE": cbasn1.Tag(asn1.TagNumericString), "OGRN": cbasn1.Tag(asn1.TagNumericString),
		"OGRNIP": cbasn1.Tag(asn1.TagNumericString),
	}
	s := cryptobyte.String(der)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		t.Fatal("not a SEQUENCE")
	}
	for i := 0; !seq.Empty(); i++ {
		var set, atv, value cryptobyte.String
		var oid asn1.ObjectIdentifier
		var tag cbasn1.Tag
		if !seq.ReadASN1(&set, cbasn1.SET) || !set.ReadASN1(&atv, cbasn1.SEQUENCE) || !set.Empty() ||
			!atv.ReadASN1ObjectIdentifier(&oid) || !atv.ReadAnyASN1(&value, &tag) {
			t.Fatalf("RDN %d malformed or multi-valued", i)
		}
		f := fieldByOID(oid)
		if f < 0 || i >= len(wantOrder) || nameFields[f].short != wantOrder[i] {
			t.Fatalf("RDN %d is %s, want %s", i, oid, wantOrder[i])
		}
		want, ok := wantTag[wantOrder[i]]
		if !ok {
			want = cbasn1.UTF8String
		}
		if tag != want {
			t.Errorf("%s has tag %d, want %d", wantOrder[i], tag, want)
		}
	}
	// The numbers' OIDs as gost.md §4.3 gives them, each followed by a
	// NumericString (tag 0x12).
	for name, prefix := range map[string]string{
		"SNILS": "\x06\x05\x2a\x85\x03\x64\x03\x12", "INN": "\x06\x08\x2a\x85\x03\x03\x81\x03\x01\x01\x12",
		"INNLE": "\x06\x05\x2a\x85\x03\x64\x04\x12", "OGRN": "\x06\x05\x2a\x85\x03\x64\x01\x12",
		"OGRNIP": "\x06\x05\x2a\x85\x03\x64\x05\x12",
	} {
		if !strings.Contains(string(der), prefix) {
			t.Errorf("%s: OID followed by NumericString not found in the DER", name)
		}
	}
}

func TestNameMarshalRejects(t *testing.T) {
	tests := []struct {
		name string
		in   Name
	}{
		{"SNILS with a dash", Name{SNILS: "112-233-445 95"}},
		{"INN with a letter", Name{INN: "50010073225X"}},
		{"OGRN in Cyrillic digits", Name{OGRN: "１０２７"}},
		{"three-letter country", Name{Country: "RUS"}},
		{"one-letter country", Name{Country: "R"}},
		{"country with a digit", Name{Country: "R1"}},
		{"Cyrillic country", Name{Country: "РФ"}},
		{"non-ASCII email", Name{Email: "иванов@пример.рф"}},
		{"invalid UTF-8", Name{CommonName: "\xff\xfe"}},
		{"extra without type", Name{Extra: []Attribute{{Value: "x"}}}},
		{"extra PrintableString with @", Name{Extra: []Attribute{{Type: asn1.ObjectIdentifier{1, 2, 3}, Value: "a@b", Tag: asn1.TagPrintableString}}}},
		{"extra unknown tag", Name{Extra: []Attribute{{Type: asn1.ObjectIdentifier{1, 2, 3}, Value: "x", Tag: asn1.TagInteger}}}},
		{"extra BMPString outside the BMP", Name{Extra: []Attribute{{Type: asn1.ObjectIdentifier{1, 2, 3}, Value: "🙂", Tag: asn1.TagBMPString}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if der, err := tt.in.Marshal(); err == nil {
				t.Errorf("Marshal = %x, want an error", der)
			}
		})
	}
}

func TestNameString(t *testing.T) {
	tests := []struct {
		name string
		in   Name
		want string
	}{
		{"empty", Name{}, ""},
		{"comma", Name{CommonName: "Иванов, Иван"}, `CN=Иванов\, Иван`},
		{"order", Name{Country: "RU", Organization: "Org", CommonName: "Name", SNILS: "11223344595"}, "SNILS=11223344595,CN=Name,O=Org,C=RU"},
		{"specials", Name{CommonName: `a+b"c\d<e>f;g`}, `CN=a\+b\"c\\d\<e\>f\;g`},
		{"leading and trailing space", Name{CommonName: " x "}, `CN=\ x\ `},
		{"leading hash", Name{CommonName: "#1"}, `CN=\#1`},
		{"inner hash and equals", Name{CommonName: "a#b=c"}, `CN=a#b=c`},
		{"control character", Name{CommonName: "a\nb"}, `CN=a\0Ab`},
		{"all short names", qualifiedName, "OGRNIP=304500116000157,OGRN=1027700132195,INNLE=7707083893,INN=500100732259," +
			"SNILS=11223344595,E=ivanov@example.ru,CN=Иванов Иван Иванович,GN=Иван Иванович,SN=Иванов,T=Директор," +
			`OU=Отдел ИБ,O=ООО «Ромашка»,STREET=ул. Тверская\, д. 1,L=Москва,ST=77 г. Москва,C=RU`},
		{"extra as dotted OID", Name{CommonName: "x", Extra: []Attribute{{Type: asn1.ObjectIdentifier{1, 2, 3, 4}, Value: "v"}}}, "1.2.3.4=v,CN=x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			back, err := ParseDN(tt.want)
			if err != nil {
				t.Fatalf("ParseDN(%q): %v", tt.want, err)
			}
			if want := clearTags(&tt.in); !reflect.DeepEqual(back, want) {
				t.Errorf("ParseDN(%q) =\n%+v\nwant\n%+v", tt.want, back, want)
			}
		})
	}
}

func TestParseDN(t *testing.T) {
	cn := func(s string) *Name { return &Name{CommonName: s} }
	tests := []struct {
		name string
		in   string
		want *Name
	}{
		{"escaped comma", `CN=Иванов\, Иван`, cn("Иванов, Иван")},
		{"lower case and spaces", ` cn = Example ,  o=Org`, &Name{CommonName: "Example", Organization: "Org"}},
		{"any order", "C=RU,CN=x", &Name{Country: "RU", CommonName: "x"}},
		{"hex escapes", `CN=\D0\98\D0\B2`, cn("Ив")},
		{"escaped trailing space kept", `CN=a\ `, cn("a ")},
		{"dotted OID of a field", "2.5.4.3=x", cn("x")},
		{"dotted OID extra", "1.2.3=v", &Name{Extra: []Attribute{{Type: asn1.ObjectIdentifier{1, 2, 3}, Value: "v"}}}},
		{"#hex value", "CN=#130645786d706c65", cn("Exmple")},
		{"odd-length #hex is an error", "1.2.3=#120331323", nil},
		{"multi-valued RDN", "CN=x+SN=y", &Name{CommonName: "x", Surname: "y"}},
		{"long aliases", "emailAddress=a@b,givenName=Иван,surname=Иванов", &Name{Email: "a@b", GivenName: "Иван", Surname: "Иванов"}},
		{"Russian short names", "OGRNIP=1,OGRN=2,INNLE=3,INN=4,snils=5", &Name{OGRNIP: "1", OGRN: "2", INNLE: "3", INN: "4", SNILS: "5"}},
		{"rightmost repeat fills the field", "CN=b,CN=a", &Name{CommonName: "a", Extra: []Attribute{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "b"}}}},
		{"empty", "", &Name{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDN(tt.in)
			if tt.want == nil {
				if err == nil {
					t.Errorf("ParseDN(%q) = %+v, want an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDN(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseDN(%q) =\n%+v\nwant\n%+v", tt.in, got, tt.want)
			}
		})
	}
	// A #hex extra keeps its wire tag.
	got, err := ParseDN("1.2.3=#1203313233")
	if err != nil || len(got.Extra) != 1 || got.Extra[0].Value != "123" || got.Extra[0].Tag != asn1.TagNumericString {
		t.Errorf("ParseDN(#hex NumericString) = %+v, %v", got, err)
	}
}

func TestParseDNRejects(t *testing.T) {
	for name, in := range map[string]string{
		"unknown short name":   "FOO=bar",
		"no equals sign":       "CN",
		"empty type":           "=x",
		"trailing separator":   "CN=x,",
		"dangling backslash":   `CN=x\`,
		"bad OID":              "1..2=x",
		"OID first arc 3":      "3.1=x",
		"escape not UTF-8":     `CN=\FF`,
		"bad #hex":             "CN=#zz",
		"#hex not a string":    "CN=#020101",
		"#hex trailing data":   "CN=#13017800",
		"garbage after #hex":   "CN=#130178 y",
		"unknown Cyrillic key": "ИМЯ=x",
	} {
		t.Run(name, func(t *testing.T) {
			if got, err := ParseDN(in); err == nil {
				t.Errorf("ParseDN(%q) = %+v, want an error", in, got)
			}
		})
	}
}

// rdn builds the DER of one RDN with the given attribute values.
func rdn(b *cryptobyte.Builder, atvs ...[2]any) {
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, atv := range atvs {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(atv[0].(asn1.ObjectIdentifier))
				b.AddBytes(atv[1].([]byte))
			})
		}
	})
}

func TestParseNameStringTypes(t *testing.T) {
	cnOID := asn1.ObjectIdentifier{2, 5, 4, 3}
	oOID := asn1.ObjectIdentifier{2, 5, 4, 10}
	snilsOID := asn1.ObjectIdentifier{1, 2, 643, 100, 3}
	tests := []struct {
		name  string
		value []byte // the DER of the CN value
		want  string
	}{
		{"UTF8String", []byte("\x0c\x04\xd0\x98\xd0\xb2"), "Ив"},
		{"PrintableString", []byte("\x13\x03abc"), "abc"},
		{"IA5String", []byte("\x16\x03a@b"), "a@b"},
		{"NumericString", []byte("\x12\x0312 "), "12 "},
		{"TeletexString as Latin-1", []byte("\x14\x02\xfc\xdf"), "üß"},
		{"BMPString", []byte("\x1e\x04\x04\x18\x04\x32"), "Ив"},
		{"BMPString with terminator", []byte("\x1e\x04\x00\x41\x00\x00"), "A"},
		{"BMPString surrogate pair", []byte("\x1e\x04\xd8\x3d\xde\x42"), "🙂"},
		{"UniversalString", []byte("\x1c\x08\x00\x00\x04\x18\x00\x01\xf6\x42"), "И🙂"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			der, err := build(func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { rdn(b, [2]any{cnOID, tt.value}) })
			})
			if err != nil {
				t.Fatal(err)
			}
			n, err := ParseName(der)
			if err != nil {
				t.Fatalf("ParseName: %v", err)
			}
			if n.CommonName != tt.want {
				t.Errorf("CommonName = %q, want %q", n.CommonName, tt.want)
			}
		})
	}
	t.Run("multi-valued RDN and repeats", func(t *testing.T) {
		der, err := build(func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				rdn(b, [2]any{cnOID, []byte("\x0c\x01a")}, [2]any{oOID, []byte("\x13\x01o")})
				rdn(b, [2]any{cnOID, []byte("\x13\x01b")})
				rdn(b, [2]any{snilsOID, []byte("\x0c\x0b11223344595")})
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		n, err := ParseName(der)
		if err != nil {
			t.Fatal(err)
		}
		want := &Name{CommonName: "a", Organization: "o", SNILS: "11223344595",
			Extra: []Attribute{{Type: cnOID, Value: "b", Tag: asn1.TagPrintableString}}}
		if !reflect.DeepEqual(n, want) {
			t.Errorf("ParseName =\n%+v\nwant\n%+v", n, want)
		}
	})
}

func TestParseNameMalformed(t *testing.T) {
	good, err := qualifiedName.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string][]byte{
		"empty input":             {},
		"truncated":               good[:len(good)-3],
		"trailing data":           append(append([]byte(nil), good...), 0),
		"garbage":                 []byte("not DER at all"),
		"not a SEQUENCE":          {0x31, 0x00},
		"RDN not a SET":           {0x30, 0x02, 0x30, 0x00},
		"attribute without value": {0x30, 0x09, 0x31, 0x07, 0x30, 0x05, 0x06, 0x03, 0x55, 0x04, 0x03},
		"value not a string":      {0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x02, 0x01, 0x01},
		"bad PrintableString":     {0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x01, '@'},
		"bad NumericString":       {0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x12, 0x01, 'a'},
		"bad UTF8String":          {0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 0xff},
		"odd BMPString":           {0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x1e, 0x01, 0x41},
		"lone surrogate":          {0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x03, 0x1e, 0x02, 0xd8, 0x3d},
		"bad UniversalString":     {0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x04, 0x03, 0x1c, 0x04, 0x00, 0x11, 0x00, 0x00},
		"trailing data in ATV":    {0x30, 0x0e, 0x31, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 'a', 0x05, 0x00},
	}
	for name, der := range tests {
		t.Run(name, func(t *testing.T) {
			if n, err := ParseName(der); err == nil {
				t.Errorf("ParseName(%x) = %+v, want an error", der, n)
			}
		})
	}
}
