package cert

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"github.com/gostca/gostca/internal/testkit"
	"io"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/crypto/gost3410"
)

// fullLeafTemplate sets every field CreateCertificate writes.
func fullLeafTemplate(t *testing.T) *Certificate {
	kind := IdentificationRemotePassport
	u, _ := url.Parse("https://ivanov.example.ru/профиль")
	return &Certificate{
		SerialNumber:          newTestSerial(t),
		Subject:               qualifiedName,
		NotBefore:             refNow.AddDate(0, -1, 0),
		NotAfter:              refNow.AddDate(1, 0, 0),
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment | x509.KeyUsageKeyAgreement,
		ExtKeyUsage:           []asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth(), OIDExtKeyUsageEmailProtection(), {1, 2, 643, 2, 2, 34, 6}},
		DNSNames:              []string{"ivanov.example.ru"},
		EmailAddresses:        []string{"ivanov@example.ru"},
		IPAddresses:           []net.IP{net.IPv4(192, 0, 2, 1).To4(), net.ParseIP("2001:db8::1")},
		URIs:                  []*url.URL{u},
		CRLDistributionPoints: []string{"http://ca.example.ru/a.crl", "http://ca2.example.ru/a.crl"},
		OCSPServer:            []string{"http://ocsp.example.ru"},
		IssuingCertificateURL: []string{"http://ca.example.ru/ca.cer"},
		PolicyIdentifiers:     []asn1.ObjectIdentifier{OIDPolicyKC1(), OIDPolicyKC2()},
		PrivateKeyUsagePeriod: &PrivateKeyUsagePeriod{NotBefore: refNow.AddDate(0, -1, 0), NotAfter: refNow.AddDate(0, 14, 0)},
		SubjectSignTool:       "СКЗИ «Рутокен ЭЦП 3.0»",
		IssuerSignTool: &IssuerSignTool{
			SignTool: "СКЗИ «КриптоПро CSP» версии 5.0", CATool: "ПАК «Удостоверяющий центр»",
			SignToolCert: "СФ/124-4060 от 20.01.2023", CAToolCert: "СФ/128-4280 от 01.02.2023",
		},
		IdentificationKind: &kind,
	}
}

func TestCertificateChainRoundTrip(t *testing.T) {
	testkit.ForEachParams(t, testParamSets(), func(t *testing.T, params *gost3410.Params) {
		root, rootKey := newTestCA(t, params)
		inter, interKey := newTestIntermediate(t, root, rootKey, params, "Промежуточный УЦ", func(c *Certificate) {
			c.MaxPathLen, c.MaxPathLenZero = 0, true
		})
		tmpl := fullLeafTemplate(t)
		leafKey := newTestKey(t, params)
		leaf := mustCreate(t, tmpl, inter, leafKey.PublicKey(), interKey)

		wantAlg := GOST256
		if params.Size() == 64 {
			wantAlg = GOST512
		}
		for _, c := range []*Certificate{root, inter, leaf} {
			if c.Version != 3 || c.SignatureAlgorithm != wantAlg {
				t.Errorf("%s: version %d, algorithm %v", c.Subject.CommonName, c.Version, c.SignatureAlgorithm)
			}
		}
		// Root: self-signed, AKI = SKI.
		if !bytes.Equal(root.RawIssuer, root.RawSubject) || !bytes.Equal(root.AuthorityKeyId, root.SubjectKeyId) || len(root.SubjectKeyId) != 20 {
			t.Errorf("root issuer/AKI/SKI wrong: AKI %x SKI %x", root.AuthorityKeyId, root.SubjectKeyId)
		}
		if !root.IsCA || !root.BasicConstraintsValid || root.MaxPathLen != -1 || root.MaxPathLenZero {
			t.Errorf("root basic constraints: %v %v %d %v", root.BasicConstraintsValid, root.IsCA, root.MaxPathLen, root.MaxPathLenZero)
		}
		if !inter.IsCA || inter.MaxPathLen != 0 || !inter.MaxPathLenZero {
			t.Errorf("intermediate pathlen: %d %v", inter.MaxPathLen, inter.MaxPathLenZero)
		}
		if !bytes.Equal(inter.AuthorityKeyId, root.SubjectKeyId) || !bytes.Equal(inter.RawIssuer, root.RawSubject) {
			t.Error("intermediate AKI or issuer is not the root's")
		}
		if err := inter.CheckSignatureFrom(root); err != nil {
			t.Errorf("intermediate CheckSignatureFrom(root): %v", err)
		}
		if err := leaf.CheckSignatureFrom(inter); err != nil {
			t.Errorf("leaf CheckSignatureFrom(intermediate): %v", err)
		}

		// Leaf: every field back.
		if !leaf.PublicKey.Equal(leafKey.PublicKey()) {
			t.Error("leaf public key differs")
		}
		if leaf.SerialNumber.Cmp(tmpl.SerialNumber) != 0 {
			t.Errorf("serial %v, want %v", leaf.SerialNumber, tmpl.SerialNumber)
		}
		if !reflect.DeepEqual(&leaf.Subject, &tmpl.Subject) {
			t.Errorf("subject %+v", leaf.Subject)
		}
		if !reflect.DeepEqual(&leaf.Issuer, &inter.Subject) {
			t.Errorf("issuer %+v", leaf.Issuer)
		}
		if !leaf.NotBefore.Equal(tmpl.NotBefore) || !leaf.NotAfter.Equal(tmpl.NotAfter) {
			t.Errorf("validity %v–%v", leaf.NotBefore, leaf.NotAfter)
		}
		if !leaf.BasicConstraintsValid || leaf.IsCA {
			t.Error("leaf basicConstraints")
		}
		if leaf.KeyUsage != tmpl.KeyUsage {
			t.Errorf("key usage %#x, want %#x", leaf.KeyUsage, tmpl.KeyUsage)
		}
		checkOIDs(t, "ExtKeyUsage", leaf.ExtKeyUsage, tmpl.ExtKeyUsage)
		checkOIDs(t, "PolicyIdentifiers", leaf.PolicyIdentifiers, tmpl.PolicyIdentifiers)
		if !bytes.Equal(leaf.AuthorityKeyId, inter.SubjectKeyId) {
			t.Error("leaf AKI is not the intermediate's SKI")
		}
		wantSKI, err := KeyIdentifier(leaf.RawSubjectPublicKeyInfo)
		if err != nil || !bytes.Equal(leaf.SubjectKeyId, wantSKI) {
			t.Errorf("SKI %x, want %x (%v)", leaf.SubjectKeyId, wantSKI, err)
		}
		for _, f := range []struct {
			name      string
			got, want any
		}{
			{"DNSNames", leaf.DNSNames, tmpl.DNSNames},
			{"EmailAddresses", leaf.EmailAddresses, tmpl.EmailAddresses},
			{"URIs", leaf.URIs[0].String(), tmpl.URIs[0].String()},
			{"CRLDistributionPoints", leaf.CRLDistributionPoints, tmpl.CRLDistributionPoints},
			{"OCSPServer", leaf.OCSPServer, tmpl.OCSPServer},
			{"IssuingCertificateURL", leaf.IssuingCertificateURL, tmpl.IssuingCertificateURL},
			{"SubjectSignTool", leaf.SubjectSignTool, tmpl.SubjectSignTool},
			{"IssuerSignTool", leaf.IssuerSignTool, tmpl.IssuerSignTool},
			{"IdentificationKind", leaf.IdentificationKind, tmpl.IdentificationKind},
		} {
			if !reflect.DeepEqual(f.got, f.want) {
				t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
			}
		}
		if len(leaf.IPAddresses) != 2 || !leaf.IPAddresses[0].Equal(tmpl.IPAddresses[0]) || !leaf.IPAddresses[1].Equal(tmpl.IPAddresses[1]) {
			t.Errorf("IPAddresses = %v", leaf.IPAddresses)
		}
		p := leaf.PrivateKeyUsagePeriod
		if p == nil || !p.NotBefore.Equal(tmpl.PrivateKeyUsagePeriod.NotBefore) || !p.NotAfter.Equal(tmpl.PrivateKeyUsagePeriod.NotAfter) {
			t.Errorf("PrivateKeyUsagePeriod = %+v", p)
		}
		if len(leaf.Extensions) != 13 {
			t.Errorf("%d extensions, want 13", len(leaf.Extensions))
		}
		// crypto/x509 reads our DER too.
		if _, err := x509.ParseCertificate(leaf.Raw); err != nil {
			t.Errorf("crypto/x509: %v", err)
		}
	})
}

func checkOIDs(t *testing.T, what string, got, want []asn1.ObjectIdentifier) {
	t.Helper()
	if !slices.EqualFunc(got, want, asn1.ObjectIdentifier.Equal) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestNewSerialNumber(t *testing.T) {
	for range 200 {
		n := newTestSerial(t)
		der, err := build(func(b *cryptobyte.Builder) { b.AddASN1BigInt(n) })
		if err != nil {
			t.Fatal(err)
		}
		if n.Sign() <= 0 || len(der) != 22 || der[1] != 20 {
			t.Fatalf("serial %x: DER %x, want 20 content octets", n, der)
		}
	}
	if _, err := NewSerialNumber(bytes.NewReader(make([]byte, 10))); err == nil {
		t.Error("NewSerialNumber with a short reader succeeded")
	}
}

// tbsFields splits a certificate's TBS into its elements.
func tbsFields(t *testing.T, c *Certificate) []cryptobyte.String {
	t.Helper()
	s := cryptobyte.String(c.RawTBSCertificate)
	var tbs cryptobyte.String
	if !s.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		t.Fatal("bad TBS")
	}
	var out []cryptobyte.String
	for !tbs.Empty() {
		var e cryptobyte.String
		if !tbs.ReadAnyASN1Element(&e, nil) {
			t.Fatal("bad TBS element")
		}
		out = append(out, e)
	}
	return out
}

func TestCertificateDER(t *testing.T) {
	params := gost3410.ParamsTC26256A()
	root, rootKey := newTestCA(t, params)

	t.Run("version, algorithm, serial", func(t *testing.T) {
		f := tbsFields(t, root)
		if !bytes.Equal(f[0], []byte{0xa0, 0x03, 0x02, 0x01, 0x02}) {
			t.Errorf("version = %x, want explicit [0] 2", []byte(f[0]))
		}
		if len(f[1]) != 22 || f[1][1] != 20 || f[1][2]&0x80 != 0 {
			t.Errorf("serial = %x, want 20 positive octets", []byte(f[1]))
		}
		alg := []byte{0x30, 0x0a, 0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x03, 0x02}
		if !bytes.Equal(f[2], alg) || !bytes.Contains(root.Raw[len(root.RawTBSCertificate)+4:], alg) {
			t.Errorf("signature algorithm = %x, want %x (parameters absent)", []byte(f[2]), alg)
		}
		if len(root.Signature) != 64 {
			t.Errorf("signature of %d bytes", len(root.Signature))
		}
	})

	t.Run("validity time types", func(t *testing.T) {
		tests := []struct {
			name   string
			at     time.Time
			tag    byte
			encode string
		}{
			{"1949 is GeneralizedTime", time.Date(1949, 12, 31, 23, 59, 59, 0, time.UTC), 0x18, "19491231235959Z"},
			{"1950 is UTCTime", time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC), 0x17, "500101000000Z"},
			{"2049 is UTCTime", time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC), 0x17, "491231235959Z"},
			{"2050 is GeneralizedTime", time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC), 0x18, "20500101000000Z"},
			{"local time and nanoseconds", time.Date(2030, 1, 1, 3, 0, 0, 999, time.FixedZone("MSK", 3*3600)), 0x17, "300101000000Z"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := mustCreate(t, &Certificate{
					SerialNumber: big.NewInt(1), Subject: Name{CommonName: "t"},
					NotBefore: tt.at, NotAfter: tt.at,
				}, root, newTestKey(t, params).PublicKey(), rootKey)
				validity := cryptobyte.String(tbsFields(t, c)[4])
				var seq, notBefore cryptobyte.String
				var tag cbasn1.Tag
				if !validity.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadAnyASN1(&notBefore, &tag) {
					t.Fatal("bad validity")
				}
				if byte(tag) != tt.tag || string(notBefore) != tt.encode {
					t.Errorf("notBefore = tag %#x %q, want %#x %q", byte(tag), notBefore, tt.tag, tt.encode)
				}
				if !c.NotBefore.Equal(tt.at.Truncate(time.Second)) {
					t.Errorf("parsed NotBefore %v", c.NotBefore)
				}
			})
		}
	})

	t.Run("no encoded defaults", func(t *testing.T) {
		leaf := mustCreate(t, fullLeafTemplate(t), root, newTestKey(t, params).PublicKey(), rootKey)
		for _, c := range []*Certificate{root, leaf} {
			for _, e := range extensionElements(t, c) {
				var id asn1.ObjectIdentifier
				if !e.ReadASN1ObjectIdentifier(&id) {
					t.Fatal("bad extension")
				}
				if e.PeekASN1Tag(cbasn1.BOOLEAN) {
					var critical bool
					if !e.ReadASN1Boolean(&critical) || !critical {
						t.Errorf("%s: extension %s encodes critical FALSE", c.Subject.CommonName, id)
					}
					if !id.Equal(oidExtBasicConstraints) && !id.Equal(oidExtKeyUsage) {
						t.Errorf("extension %s is critical", id)
					}
				}
			}
		}
		bc := findExtension(leaf.Extensions, oidExtBasicConstraints)
		if bc == nil || !bytes.Equal(bc.Value, []byte{0x30, 0x00}) || !bc.Critical {
			t.Errorf("leaf basicConstraints = %+v, want critical 30 00", bc)
		}
		bc = findExtension(root.Extensions, oidExtBasicConstraints)
		if bc == nil || !bytes.Equal(bc.Value, []byte{0x30, 0x03, 0x01, 0x01, 0xff}) {
			t.Errorf("root basicConstraints = %x, want 30 03 01 01 ff", bc.Value)
		}
	})

	t.Run("basicConstraints pathLen", func(t *testing.T) {
		tests := []struct {
			name string
			max  int
			zero bool
			want []byte
		}{
			{"-1 is no limit", -1, false, []byte{0x30, 0x03, 0x01, 0x01, 0xff}},
			{"0 without MaxPathLenZero is no limit", 0, false, []byte{0x30, 0x03, 0x01, 0x01, 0xff}},
			{"MaxPathLenZero", 0, true, []byte{0x30, 0x06, 0x01, 0x01, 0xff, 0x02, 0x01, 0x00}},
			{"3", 3, false, []byte{0x30, 0x06, 0x01, 0x01, 0xff, 0x02, 0x01, 0x03}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c, _ := newTestIntermediate(t, root, rootKey, params, "ca", func(c *Certificate) {
					c.MaxPathLen, c.MaxPathLenZero = tt.max, tt.zero
				})
				if bc := findExtension(c.Extensions, oidExtBasicConstraints); !bytes.Equal(bc.Value, tt.want) {
					t.Errorf("basicConstraints = %x, want %x", bc.Value, tt.want)
				}
			})
		}
	})

	t.Run("keyUsage bits", func(t *testing.T) {
		tests := []struct {
			name string
			ku   x509.KeyUsage
			want []byte
		}{
			{"digitalSignature", x509.KeyUsageDigitalSignature, []byte{0x03, 0x02, 0x07, 0x80}},
			{"keyCertSign cRLSign", x509.KeyUsageCertSign | x509.KeyUsageCRLSign, []byte{0x03, 0x02, 0x01, 0x06}},
			{"decipherOnly", x509.KeyUsageDecipherOnly | x509.KeyUsageKeyAgreement, []byte{0x03, 0x03, 0x07, 0x08, 0x80}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c, _ := newTestLeaf(t, root, rootKey, params, func(c *Certificate) { c.KeyUsage = tt.ku })
				if e := findExtension(c.Extensions, oidExtKeyUsage); !bytes.Equal(e.Value, tt.want) || !e.Critical {
					t.Errorf("keyUsage = %x, want critical %x", e.Value, tt.want)
				}
				if c.KeyUsage != tt.ku {
					t.Errorf("parsed key usage %#x", c.KeyUsage)
				}
			})
		}
	})

	t.Run("only set extensions", func(t *testing.T) {
		c := mustCreate(t, &Certificate{SerialNumber: big.NewInt(7), Subject: Name{CommonName: "bare"},
			NotBefore: refNow, NotAfter: refNow.Add(time.Hour)}, root, newTestKey(t, params).PublicKey(), rootKey)
		var ids []string
		for _, e := range c.Extensions {
			ids = append(ids, e.Id.String())
		}
		if !slices.Equal(ids, []string{"2.5.29.14", "2.5.29.35"}) {
			t.Errorf("extensions %v, want only SKI and AKI", ids)
		}
	})

	t.Run("ExtraExtensions override", func(t *testing.T) {
		private := pkix.Extension{Id: asn1.ObjectIdentifier{1, 2, 643, 3, 999}, Value: []byte{0x05, 0x00}}
		override := pkix.Extension{Id: oidExtKeyUsage, Critical: false, Value: []byte{0x03, 0x02, 0x07, 0x80}}
		ski := pkix.Extension{Id: oidExtSubjectKeyID, Value: []byte{0x04, 0x02, 0xab, 0xcd}}
		c, _ := newTestLeaf(t, root, rootKey, params, func(c *Certificate) {
			c.ExtraExtensions = []pkix.Extension{private, override, ski}
		})
		var ids []string
		for _, e := range c.Extensions {
			ids = append(ids, e.Id.String())
		}
		if want := []string{"2.5.29.15", "2.5.29.14", "2.5.29.35", "1.2.643.3.999"}; !slices.Equal(ids, want) {
			t.Errorf("extensions %v, want %v", ids, want)
		}
		if e := findExtension(c.Extensions, oidExtKeyUsage); e.Critical || !bytes.Equal(e.Value, override.Value) {
			t.Errorf("keyUsage not overridden: %+v", e)
		}
		if !bytes.Equal(c.SubjectKeyId, []byte{0xab, 0xcd}) {
			t.Errorf("SKI = %x", c.SubjectKeyId)
		}
	})

	t.Run("template SubjectKeyId and RawSubject", func(t *testing.T) {
		c, _ := newTestLeaf(t, root, rootKey, params, func(c *Certificate) {
			c.SubjectKeyId = []byte{1, 2, 3}
			c.RawSubject = []byte{0x30, 0x0b, 0x31, 0x09, 0x30, 0x07, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x00}
		})
		if !bytes.Equal(c.SubjectKeyId, []byte{1, 2, 3}) || len(c.Subject.Extra) != 1 || c.Subject.Extra[0].Tag != asn1.TagPrintableString {
			t.Errorf("SKI %x, subject %+v", c.SubjectKeyId, c.Subject)
		}
	})

	t.Run("empty subject makes SAN critical", func(t *testing.T) {
		c, _ := newTestLeaf(t, root, rootKey, params, func(c *Certificate) {
			c.Subject = Name{}
			c.DNSNames = []string{"x.example"}
		})
		if e := findExtension(c.Extensions, oidExtSubjectAltName); e == nil || !e.Critical {
			t.Errorf("SAN = %+v, want critical", e)
		}
	})
}

// extensionElements returns the contents of each Extension SEQUENCE of c.
func extensionElements(t *testing.T, c *Certificate) []cryptobyte.String {
	t.Helper()
	f := tbsFields(t, c)
	last := f[len(f)-1]
	var wrapper, seq cryptobyte.String
	if !last.ReadASN1(&wrapper, cbasn1.Tag(3).ContextSpecific().Constructed()) || !wrapper.ReadASN1(&seq, cbasn1.SEQUENCE) {
		t.Fatal("no extensions")
	}
	var out []cryptobyte.String
	for !seq.Empty() {
		var e cryptobyte.String
		if !seq.ReadASN1(&e, cbasn1.SEQUENCE) {
			t.Fatal("bad extension")
		}
		out = append(out, e)
	}
	return out
}

// faultySigner signs with a key but corrupts the signature.
type faultySigner struct{ *gost3410.PrivateKey }

func (s faultySigner) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	sig, err := s.PrivateKey.Sign(rand, digest, opts)
	if err == nil {
		sig[len(sig)-1] ^= 1
	}
	return sig, err
}

// wrongKeySigner claims one key and signs with another.
type wrongKeySigner struct {
	pub  *gost3410.PublicKey
	sign *gost3410.PrivateKey
}

func (s wrongKeySigner) Public() crypto.PublicKey { return s.pub }
func (s wrongKeySigner) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return s.sign.Sign(rand, digest, opts)
}

func TestCreateCertificateRejects(t *testing.T) {
	params := gost3410.ParamsTC26256A()
	root, rootKey := newTestCA(t, params)
	leafCA, leafCAKey := newTestLeaf(t, root, rootKey, params, nil) // not a CA
	noCertSign, noCertSignKey := newTestIntermediate(t, root, rootKey, params, "no keyCertSign", func(c *Certificate) {
		c.KeyUsage = x509.KeyUsageCRLSign
	})
	otherKey := newTestKey(t, params)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub := newTestKey(t, params).PublicKey()
	good := func() *Certificate {
		return &Certificate{SerialNumber: big.NewInt(1), Subject: Name{CommonName: "x"}, NotBefore: refNow, NotAfter: refNow.Add(time.Hour)}
	}
	tests := []struct {
		name   string
		edit   func(*Certificate)
		parent *Certificate // nil: root
		pub    *gost3410.PublicKey
		signer crypto.Signer // nil: rootKey
	}{
		{name: "nil serial", edit: func(c *Certificate) { c.SerialNumber = nil }},
		{name: "zero serial", edit: func(c *Certificate) { c.SerialNumber = big.NewInt(0) }},
		{name: "negative serial", edit: func(c *Certificate) { c.SerialNumber = big.NewInt(-5) }},
		{name: "21-octet serial", edit: func(c *Certificate) { c.SerialNumber = new(big.Int).Lsh(big.NewInt(1), 159) }},
		{name: "NotAfter before NotBefore", edit: func(c *Certificate) { c.NotAfter = c.NotBefore.Add(-time.Second) }},
		{name: "zero NotBefore", edit: func(c *Certificate) { c.NotBefore = time.Time{} }},
		{name: "empty subject for a CA", edit: func(c *Certificate) {
			c.Subject, c.BasicConstraintsValid, c.IsCA = Name{}, true, true
		}},
		{name: "signer key not GOST", signer: ecKey},
		{name: "nil signer", signer: (*gost3410.PrivateKey)(nil)},
		{name: "signer key not the parent's", signer: otherKey},
		{name: "parent not a CA", parent: leafCA, signer: leafCAKey},
		{name: "parent without keyCertSign", parent: noCertSign, signer: noCertSignKey},
		{name: "MaxPathLen without IsCA", edit: func(c *Certificate) { c.BasicConstraintsValid, c.MaxPathLen = true, 2 }},
		{name: "MaxPathLenZero without IsCA", edit: func(c *Certificate) { c.BasicConstraintsValid, c.MaxPathLenZero = true, true }},
		{name: "NumericString SNILS with letters", edit: func(c *Certificate) { c.Subject.SNILS = "SNILS" }},
		{name: "three-letter country", edit: func(c *Certificate) { c.Subject.Country = "RUS" }},
		{name: "non-ASCII DNS name", edit: func(c *Certificate) { c.DNSNames = []string{"пример.рф"} }},
		{name: "non-ASCII email", edit: func(c *Certificate) { c.EmailAddresses = []string{"я@example.ru"} }},
		{name: "bad IP", edit: func(c *Certificate) { c.IPAddresses = []net.IP{{1, 2, 3}} }},
		{name: "empty subjectSignTool limits", edit: func(c *Certificate) { c.SubjectSignTool = string(make([]rune, 201)) }},
		{name: "issuerSignTool field empty", edit: func(c *Certificate) {
			c.IssuerSignTool = &IssuerSignTool{SignTool: "a", CATool: "b", SignToolCert: "c"}
		}},
		{name: "private key usage period empty", edit: func(c *Certificate) { c.PrivateKeyUsagePeriod = &PrivateKeyUsagePeriod{} }},
		{name: "negative identificationKind", edit: func(c *Certificate) { k := IdentificationKind(-1); c.IdentificationKind = &k }},
		{name: "key usage unknown bits", edit: func(c *Certificate) { c.KeyUsage = 1 << 10 }},
		{name: "extra extension without OID", edit: func(c *Certificate) { c.ExtraExtensions = []pkix.Extension{{Value: []byte{5, 0}}} }},
		{name: "nil public key", pub: (*gost3410.PublicKey)(nil)},
		{name: "faulty signer", signer: faultySigner{rootKey}},
		{name: "signer signs with another key", signer: wrongKeySigner{rootKey.PublicKey(), otherKey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := good()
			if tt.edit != nil {
				tt.edit(tmpl)
			}
			parent, signer, key := root, crypto.Signer(rootKey), pub
			if tt.parent != nil {
				parent = tt.parent
			}
			if tt.signer != nil {
				signer = tt.signer
				if s, ok := tt.signer.(*gost3410.PrivateKey); ok && s == nil {
					signer = nil
				}
			}
			if tt.name == "nil public key" {
				key = nil
			}
			if der, err := CreateCertificate(rand.Reader, tmpl, parent, key, signer); err == nil {
				t.Errorf("CreateCertificate succeeded (%d bytes), want an error", len(der))
			}
		})
	}
	t.Run("self-signed with a foreign key", func(t *testing.T) {
		tmpl := good()
		tmpl.BasicConstraintsValid, tmpl.IsCA = true, true
		if _, err := CreateCertificate(rand.Reader, tmpl, tmpl, pub, rootKey); err == nil {
			t.Error("self-signed certificate for a key the signer does not hold")
		}
	})
}

// readPEMs returns the DER of every PEM block of the given types under dir.
func readPEMs(t testing.TB, dir string, types ...string) [][]byte {
	t.Helper()
	var out [][]byte
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".pem" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for {
			var block *pem.Block
			block, data = pem.Decode(data)
			if block == nil {
				break
			}
			if slices.Contains(types, block.Type) {
				out = append(out, block.Bytes)
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

// TestTC26Certificates reads the TC26 CMS example PKI: 256-bit root, 256-
// and 512-bit end entities, with the obsolete authorityKeyIdentifier.
func TestTC26Certificates(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "tc26")
	load := func(name string) *Certificate {
		ders := readPEMs(t, filepath.Join(dir, name), "CERTIFICATE")
		if len(ders) != 1 {
			t.Skipf("%s not found", name)
		}
		c, err := ParseCertificate(ders[0])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return c
	}
	root := load("root256_cert.pem")
	if root.SignatureAlgorithm != GOST256 || !bytes.Equal(root.AuthorityKeyId, root.SubjectKeyId) {
		t.Errorf("root: %v, AKI %x, SKI %x", root.SignatureAlgorithm, root.AuthorityKeyId, root.SubjectKeyId)
	}
	if root.Subject.CommonName != "CA TK26: GOST 34.10-12 256-bit" || root.Subject.Organization != "TK26" {
		t.Errorf("root subject %+v", root.Subject)
	}
	for _, name := range []string{"root256_cert.pem", "sender256_cert.pem", "recipient256_cert.pem", "sender512_cert.pem", "recipient512_cert.pem"} {
		c := load(name)
		if err := root.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
			t.Errorf("%s: signature: %v", name, err)
		}
		if !bytes.Equal(c.AuthorityKeyId, root.SubjectKeyId) {
			t.Errorf("%s: AKI %x", name, c.AuthorityKeyId)
		}
		// The root has no basicConstraints, so it may not sign.
		var invalid *CertificateInvalidError
		if err := c.CheckSignatureFrom(root); !errors.As(err, &invalid) || invalid.Reason != NotAuthorizedToSign {
			t.Errorf("%s: CheckSignatureFrom = %v, want NotAuthorizedToSign", name, err)
		}
	}
	if err := root.CheckSignature(GOST512, root.RawTBSCertificate, root.Signature); err == nil {
		t.Error("a 256-bit key verified a GOST512 signature")
	}
}
