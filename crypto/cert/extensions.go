package cert

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// PrivateKeyUsagePeriod is the privateKeyUsagePeriod extension (2.5.29.16,
// RFC 3280 §4.2.1.4): when the private key may be used. Either time may be
// zero (absent), not both.
type PrivateKeyUsagePeriod struct{ NotBefore, NotAfter time.Time }

// IssuerSignTool is the issuerSignTool extension (1.2.643.100.112, RFC 9215
// §5.4): the issuer's signature and CA tools and their conformity
// certificates.
type IssuerSignTool struct {
	SignTool     string // the signature tool, 1..200 characters
	CATool       string // the CA tool, 1..200 characters
	SignToolCert string // conformity certificate of SignTool, 1..100 characters
	CAToolCert   string // conformity certificate of CATool, 1..100 characters
}

// IdentificationKind is the identificationKind extension (1.2.643.100.114):
// how the subject was identified when the certificate was issued.
type IdentificationKind int

const (
	// IdentificationPersonal: in person.
	IdentificationPersonal IdentificationKind = 0
	// IdentificationRemoteCert: remotely, with a valid qualified certificate.
	IdentificationRemoteCert IdentificationKind = 1
	// IdentificationRemotePassport: remotely, with a biometric passport.
	IdentificationRemotePassport IdentificationKind = 2
	// IdentificationRemoteSystem: remotely, through the unified
	// identification system.
	IdentificationRemoteSystem IdentificationKind = 3
)

// Context-specific tags of GeneralName (RFC 5280 §4.2.1.6).
var (
	tagRFC822Name = cbasn1.Tag(1).ContextSpecific()
	tagDNSName    = cbasn1.Tag(2).ContextSpecific()
	tagURI        = cbasn1.Tag(6).ContextSpecific()
	tagIPAddress  = cbasn1.Tag(7).ContextSpecific()
)

func isIA5(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// addRequestable adds the extensions that a request asks for and a
// certificate carries alike: keyUsage (critical), extKeyUsage,
// subjectAltName (critical when the subject is empty, RFC 5280 §4.2.1.6)
// and subjectSignTool, each only when set.
func (eb *extensionBuilder) addRequestable(ku x509.KeyUsage, eku []asn1.ObjectIdentifier,
	dns, emails []string, ips []net.IP, uris []*url.URL, sanCritical bool, signTool string) {
	if ku != 0 {
		v, err := marshalKeyUsage(ku)
		eb.add(oidExtKeyUsage, true, v, err)
	}
	if len(eku) > 0 {
		v, err := marshalOIDs(eku, false)
		eb.add(oidExtExtKeyUsage, false, v, err)
	}
	if len(dns)+len(emails)+len(ips)+len(uris) > 0 {
		v, err := marshalSAN(dns, emails, ips, uris)
		eb.add(oidExtSubjectAltName, sanCritical, v, err)
	}
	if signTool != "" {
		v, err := marshalSubjectSignTool(signTool)
		eb.add(oidExtSubjectSignTool, false, v, err)
	}
}

func marshalBasicConstraints(isCA bool, maxPathLen int, zero bool) ([]byte, error) {
	return build(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			if !isCA {
				return
			}
			b.AddASN1Boolean(true)
			switch {
			case maxPathLen > 0:
				b.AddASN1Int64(int64(maxPathLen))
			case maxPathLen == 0 && zero:
				b.AddASN1Int64(0)
			}
		})
	})
}

// marshalKeyUsage writes the keyUsage BIT STRING with its trailing zero bits
// removed, as DER requires of a named bit list.
func marshalKeyUsage(ku x509.KeyUsage) ([]byte, error) {
	if ku < 0 || ku >= 1<<9 {
		return nil, fmt.Errorf("cert: key usage %#x has unknown bits", int(ku))
	}
	n := 0 // number of significant bits
	for i := 0; i < 9; i++ {
		if ku&(1<<i) != 0 {
			n = i + 1
		}
	}
	octets := make([]byte, (n+7)/8)
	for i := 0; i < n; i++ {
		if ku&(1<<i) != 0 {
			octets[i/8] |= 0x80 >> (i % 8)
		}
	}
	return build(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
			b.AddUint8(uint8(len(octets)*8 - n))
			b.AddBytes(octets)
		})
	})
}

func parseKeyUsage(value []byte) (x509.KeyUsage, error) {
	s := cryptobyte.String(value)
	var bits asn1.BitString
	if !s.ReadASN1BitString(&bits) || !s.Empty() {
		return 0, errors.New("cert: malformed key usage")
	}
	var ku x509.KeyUsage
	for i := 0; i < 9; i++ {
		if bits.At(i) != 0 {
			ku |= 1 << i
		}
	}
	return ku, nil
}

func marshalOIDs(oids []asn1.ObjectIdentifier, wrap bool) ([]byte, error) {
	return build(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, oid := range oids {
				if len(oid) < 2 {
					b.SetError(fmt.Errorf("cert: invalid OID %v", oid))
					return
				}
				if wrap { // PolicyInformation ::= SEQUENCE { policyIdentifier, ... }
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid) })
				} else {
					b.AddASN1ObjectIdentifier(oid)
				}
			}
		})
	})
}

// parseExtKeyUsage reads SEQUENCE OF KeyPurposeId.
func parseExtKeyUsage(value []byte) ([]asn1.ObjectIdentifier, error) {
	s := cryptobyte.String(value)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, errors.New("cert: malformed extended key usage")
	}
	var out []asn1.ObjectIdentifier
	for !seq.Empty() {
		var oid asn1.ObjectIdentifier
		if !seq.ReadASN1ObjectIdentifier(&oid) {
			return nil, errors.New("cert: malformed extended key usage")
		}
		out = append(out, oid)
	}
	return out, nil
}

// parsePolicies reads the policy OIDs of certificatePolicies, skipping
// qualifiers.
func parsePolicies(value []byte) ([]asn1.ObjectIdentifier, error) {
	s := cryptobyte.String(value)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, errors.New("cert: malformed certificate policies")
	}
	var out []asn1.ObjectIdentifier
	for !seq.Empty() {
		var info cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !seq.ReadASN1(&info, cbasn1.SEQUENCE) || !info.ReadASN1ObjectIdentifier(&oid) {
			return nil, errors.New("cert: malformed certificate policies")
		}
		out = append(out, oid)
	}
	return out, nil
}

func marshalOctetString(v []byte) ([]byte, error) {
	return build(func(b *cryptobyte.Builder) { b.AddASN1OctetString(v) })
}

// marshalAuthorityKeyID writes AuthorityKeyIdentifier with keyIdentifier only.
func marshalAuthorityKeyID(id []byte) ([]byte, error) {
	return build(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(id) })
		})
	})
}

// parseAuthorityKeyID reads the keyIdentifier [0] of an
// AuthorityKeyIdentifier (2.5.29.35 or the obsolete 2.5.29.1, whose first
// field is the same), ignoring the other fields.
func parseAuthorityKeyID(value []byte) ([]byte, error) {
	s := cryptobyte.String(value)
	var seq, id cryptobyte.String
	var present bool
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() ||
		!seq.ReadOptionalASN1(&id, &present, cbasn1.Tag(0).ContextSpecific()) {
		return nil, errors.New("cert: malformed authority key identifier")
	}
	if !present {
		return nil, nil
	}
	return append([]byte(nil), id...), nil
}

func marshalSAN(dns, emails []string, ips []net.IP, uris []*url.URL) ([]byte, error) {
	return build(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, name := range dns {
				if !isIA5(name) || name == "" {
					b.SetError(fmt.Errorf("cert: DNS name %q is not a non-empty IA5String", name))
					return
				}
				b.AddASN1(tagDNSName, func(b *cryptobyte.Builder) { b.AddBytes([]byte(name)) })
			}
			for _, email := range emails {
				if !isIA5(email) || email == "" {
					b.SetError(fmt.Errorf("cert: email address %q is not a non-empty IA5String", email))
					return
				}
				b.AddASN1(tagRFC822Name, func(b *cryptobyte.Builder) { b.AddBytes([]byte(email)) })
			}
			for _, ip := range ips {
				raw := ip.To4()
				if raw == nil {
					raw = ip.To16()
				}
				if raw == nil {
					b.SetError(fmt.Errorf("cert: invalid IP address %v", ip))
					return
				}
				b.AddASN1(tagIPAddress, func(b *cryptobyte.Builder) { b.AddBytes(raw) })
			}
			for _, u := range uris {
				if u == nil {
					b.SetError(errors.New("cert: nil URI"))
					return
				}
				addURI(b, u.String())
			}
		})
	})
}

func addURI(b *cryptobyte.Builder, uri string) {
	if !isIA5(uri) || uri == "" {
		b.SetError(fmt.Errorf("cert: URI %q is not a non-empty IA5String", uri))
		return
	}
	b.AddASN1(tagURI, func(b *cryptobyte.Builder) { b.AddBytes([]byte(uri)) })
}

// marshalCRLDistributionPoints writes one DistributionPoint per URI, each
// with the URI as its fullName.
func marshalCRLDistributionPoints(uris []string) ([]byte, error) {
	return build(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, uri := range uris {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
							addURI(b, uri)
						})
					})
				})
			}
		})
	})
}

func marshalAuthorityInfoAccess(ocsp, issuers []string) ([]byte, error) {
	return build(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			add := func(method asn1.ObjectIdentifier, uris []string) {
				for _, uri := range uris {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(method)
						addURI(b, uri)
					})
				}
			}
			add(oidAccessOCSP, ocsp)
			add(oidAccessCAIssuers, issuers)
		})
	})
}

func marshalPrivateKeyUsagePeriod(p *PrivateKeyUsagePeriod) ([]byte, error) {
	if p.NotBefore.IsZero() && p.NotAfter.IsZero() {
		return nil, errors.New("cert: private key usage period with neither notBefore nor notAfter")
	}
	if !p.NotBefore.IsZero() && !p.NotAfter.IsZero() && p.NotAfter.Before(p.NotBefore) {
		return nil, errors.New("cert: private key usage period ends before it starts")
	}
	return build(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			add := func(tag cbasn1.Tag, t time.Time) {
				if t.IsZero() {
					return
				}
				t = t.UTC().Truncate(time.Second)
				if t.Year() > 9999 {
					b.SetError(fmt.Errorf("cert: cannot encode %v", t))
					return
				}
				b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(t.Format("20060102150405Z"))) })
			}
			add(cbasn1.Tag(0).ContextSpecific(), p.NotBefore)
			add(cbasn1.Tag(1).ContextSpecific(), p.NotAfter)
		})
	})
}

func parsePrivateKeyUsagePeriod(value []byte) (*PrivateKeyUsagePeriod, error) {
	const malformed = "cert: malformed private key usage period"
	s := cryptobyte.String(value)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, errors.New(malformed)
	}
	p := new(PrivateKeyUsagePeriod)
	read := func(tag cbasn1.Tag, out *time.Time) bool {
		var raw cryptobyte.String
		var present bool
		if !seq.ReadOptionalASN1(&raw, &present, tag) {
			return false
		}
		if !present {
			return true
		}
		// Reuse cryptobyte's strict GeneralizedTime reader on a re-tagged copy.
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.GeneralizedTime, func(b *cryptobyte.Builder) { b.AddBytes(raw) })
		der, err := b.Bytes()
		if err != nil {
			return false
		}
		gt := cryptobyte.String(der)
		return gt.ReadASN1GeneralizedTime(out)
	}
	if !read(cbasn1.Tag(0).ContextSpecific(), &p.NotBefore) ||
		!read(cbasn1.Tag(1).ContextSpecific(), &p.NotAfter) || !seq.Empty() {
		return nil, errors.New(malformed)
	}
	return p, nil
}

// checkLength checks that s is valid UTF-8 of min..max characters.
func checkLength(what, s string, min, max int) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("cert: %s is not valid UTF-8", what)
	}
	if n := utf8.RuneCountInString(s); n < min || n > max {
		return fmt.Errorf("cert: %s is %d characters, want %d to %d", what, n, min, max)
	}
	return nil
}

func addUTF8String(b *cryptobyte.Builder, s string) {
	b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
}

func marshalSubjectSignTool(s string) ([]byte, error) {
	if err := checkLength("subjectSignTool", s, 1, 200); err != nil {
		return nil, err
	}
	return build(func(b *cryptobyte.Builder) { addUTF8String(b, s) })
}

// readString reads one ASN.1 string of any supported type.
func readString(s *cryptobyte.String, out *string) bool {
	var content cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&content, &tag) {
		return false
	}
	v, err := decodeString(tag, content)
	*out = v
	return err == nil
}

func parseSubjectSignTool(value []byte) (string, error) {
	s := cryptobyte.String(value)
	var out string
	if !readString(&s, &out) || !s.Empty() {
		return "", errors.New("cert: malformed subjectSignTool")
	}
	return out, nil
}

func marshalIssuerSignTool(t *IssuerSignTool) ([]byte, error) {
	for _, f := range []struct {
		what, s  string
		min, max int
	}{
		{"issuerSignTool signTool", t.SignTool, 1, 200},
		{"issuerSignTool cATool", t.CATool, 1, 200},
		{"issuerSignTool signToolCert", t.SignToolCert, 1, 100},
		{"issuerSignTool cAToolCert", t.CAToolCert, 1, 100},
	} {
		if err := checkLength(f.what, f.s, f.min, f.max); err != nil {
			return nil, err
		}
	}
	return build(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addUTF8String(b, t.SignTool)
			addUTF8String(b, t.CATool)
			addUTF8String(b, t.SignToolCert)
			addUTF8String(b, t.CAToolCert)
		})
	})
}

func parseIssuerSignTool(value []byte) (*IssuerSignTool, error) {
	s := cryptobyte.String(value)
	var seq cryptobyte.String
	t := new(IssuerSignTool)
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() ||
		!readString(&seq, &t.SignTool) || !readString(&seq, &t.CATool) ||
		!readString(&seq, &t.SignToolCert) || !readString(&seq, &t.CAToolCert) || !seq.Empty() {
		return nil, errors.New("cert: malformed issuerSignTool")
	}
	return t, nil
}

func marshalIdentificationKind(k IdentificationKind) ([]byte, error) {
	if k < 0 {
		return nil, fmt.Errorf("cert: identificationKind %d is negative", int(k))
	}
	return build(func(b *cryptobyte.Builder) { b.AddASN1Int64(int64(k)) })
}

func parseIdentificationKind(value []byte) (*IdentificationKind, error) {
	s := cryptobyte.String(value)
	var v int
	if !s.ReadASN1Integer(&v) || !s.Empty() || v < 0 {
		return nil, errors.New("cert: malformed identificationKind")
	}
	k := IdentificationKind(v)
	return &k, nil
}
