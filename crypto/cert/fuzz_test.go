package cert

import (
	"bytes"
	"crypto/rand"
	"math/big"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/gostca/gostca/crypto/gost3410"
)

// testdataDir holds the foreign objects: testdata/tc26, testdata/x509 and
// the rest, as PEM.
var testdataDir = filepath.Join("..", "..", "testdata")

// ownObjects makes one certificate, request and CRL of this package.
func ownObjects(t testing.TB) (certDER, csrDER, crlDER []byte) {
	params := gost3410.ParamsTC26256A()
	ca, caKey := newTestCA(t, params)
	leafKey := newTestKey(t, params)
	tmpl := &Certificate{SerialNumber: big.NewInt(3), Subject: qualifiedName, NotBefore: refNow, NotAfter: refNow.Add(time.Hour),
		EmailAddresses: []string{"a@b"}, SubjectSignTool: "tool", PolicyIdentifiers: []asnOID{OIDPolicyKC1()}}
	certDER, err := CreateCertificate(rand.Reader, tmpl, ca, leafKey.PublicKey(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	csrDER, err = CreateCertificateRequest(rand.Reader, &CertificateRequest{Subject: qualifiedName, DNSNames: []string{"x"}}, leafKey)
	if err != nil {
		t.Fatal(err)
	}
	crlDER, err = CreateRevocationList(rand.Reader, &RevocationList{Number: big.NewInt(1), ThisUpdate: refNow, NextUpdate: refNow.Add(time.Hour)},
		slices.Values([]RevocationEntry{{SerialNumber: big.NewInt(3), RevocationTime: refNow, ReasonCode: ReasonKeyCompromise, InvalidityDate: refNow}}), ca, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return certDER, csrDER, crlDER
}

func FuzzParseCertificate(f *testing.F) {
	for _, der := range readPEMs(f, testdataDir, "CERTIFICATE") {
		f.Add(der)
	}
	own, _, _ := ownObjects(f)
	f.Add(own)
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := ParseCertificate(der)
		if err != nil {
			return
		}
		if !bytes.Equal(c.Raw, der) || c.PublicKey == nil {
			t.Fatal("accepted certificate: Raw differs from the input or no key")
		}
		_ = c.Subject.String()
		_ = c.CheckSignatureFrom(c)
		_, _ = c.Verify(VerifyOptions{Roots: []*Certificate{c}, CurrentTime: refNow})
	})
}

func FuzzParseCertificateRequest(f *testing.F) {
	for _, der := range readPEMs(f, testdataDir, "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST") {
		f.Add(der)
	}
	_, own, _ := ownObjects(f)
	f.Add(own)
	f.Fuzz(func(t *testing.T, der []byte) {
		r, err := ParseCertificateRequest(der)
		if err != nil {
			return
		}
		if !bytes.Equal(r.Raw, der) || r.PublicKey == nil {
			t.Fatal("accepted request: Raw differs from the input or no key")
		}
		_ = r.CheckSignature()
	})
}

func FuzzParseRevocationList(f *testing.F) {
	for _, der := range readPEMs(f, testdataDir, "X509 CRL") {
		f.Add(der)
	}
	_, _, own := ownObjects(f)
	f.Add(own)
	f.Fuzz(func(t *testing.T, der []byte) {
		rl, err := ParseRevocationList(der)
		if err != nil {
			return
		}
		if !bytes.Equal(rl.Raw, der) {
			t.Fatal("accepted CRL: Raw differs from the input")
		}
		_ = rl.Issuer.String()
	})
}

// nameSeeds returns the subjects and issuers of the certificates, requests
// and CRLs in testdata, and a few of this package's names.
func nameSeeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, der := range readPEMs(t, testdataDir, "CERTIFICATE") {
		if c, err := ParseCertificate(der); err == nil {
			out = append(out, c.RawSubject, c.RawIssuer)
		}
	}
	for _, der := range readPEMs(t, testdataDir, "CERTIFICATE REQUEST") {
		if r, err := ParseCertificateRequest(der); err == nil {
			out = append(out, r.RawSubject)
		}
	}
	for _, der := range readPEMs(t, testdataDir, "X509 CRL") {
		if rl, err := ParseRevocationList(der); err == nil {
			out = append(out, rl.RawIssuer)
		}
	}
	for _, n := range []Name{{}, qualifiedName, {CommonName: "Иванов, Иван", Extra: []Attribute{{Type: asnOID{1, 2, 3}, Value: "#x", Tag: 30}}}} {
		der, err := n.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, der)
	}
	return out
}

func FuzzParseName(f *testing.F) {
	for _, der := range nameSeeds(f) {
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		n, err := ParseName(der)
		if err != nil {
			return
		}
		s := n.String()
		back, err := ParseDN(s)
		if err != nil {
			t.Fatalf("ParseDN(String()) of a parsed name: %v (%q)", err, s)
		}
		if !reflect.DeepEqual(back, clearTags(n)) {
			t.Fatalf("ParseDN(%q) =\n%+v\nwant\n%+v", s, back, clearTags(n))
		}
		if again, err := n.Marshal(); err == nil {
			if _, err := ParseName(again); err != nil {
				t.Fatalf("ParseName(Marshal()): %v", err)
			}
		}
	})
}

func FuzzParseDN(f *testing.F) {
	for _, der := range nameSeeds(f) {
		if n, err := ParseName(der); err == nil {
			f.Add(n.String())
		}
	}
	for _, s := range []string{"", `CN=Иванов\, Иван`, "cn = x + sn=y", "1.2.3=#1203313233", `CN=\D0\98`, "CN=a;O=b", `CN=\ x\ `} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseDN(s)
		if err != nil {
			return
		}
		again := n.String()
		back, err := ParseDN(again)
		if err != nil {
			t.Fatalf("ParseDN(String()) = %v (%q from %q)", err, again, s)
		}
		if !reflect.DeepEqual(back, clearTags(n)) {
			t.Fatalf("ParseDN(%q) =\n%+v\nwant\n%+v", again, back, clearTags(n))
		}
	})
}

// TestParseMalformed gives each parser broken DER: an error, never a panic.
func TestParseMalformed(t *testing.T) {
	certDER, csrDER, crlDER := ownObjects(t)
	parsers := map[string]struct {
		good  []byte
		parse func([]byte) error
	}{
		"certificate": {certDER, func(b []byte) error { _, err := ParseCertificate(b); return err }},
		"request":     {csrDER, func(b []byte) error { _, err := ParseCertificateRequest(b); return err }},
		"CRL":         {crlDER, func(b []byte) error { _, err := ParseRevocationList(b); return err }},
	}
	for name, p := range parsers {
		if err := p.parse(p.good); err != nil {
			t.Fatalf("%s: good input: %v", name, err)
		}
		wrongAlg := bytes.Clone(p.good)
		// The signature algorithm OID's last arc (…3.2) inside the outer
		// AlgorithmIdentifier, which must then differ from the inner one.
		i := bytes.LastIndex(wrongAlg, []byte{0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x03, 0x02})
		wrongAlg[i+7] = 0x03
		rows := map[string][]byte{
			"empty":                             {},
			"truncated":                         p.good[:len(p.good)-1],
			"truncated header":                  p.good[:3],
			"trailing data":                     append(bytes.Clone(p.good), 0x00),
			"trailing element":                  append(bytes.Clone(p.good), 0x05, 0x00),
			"garbage":                           []byte("-----BEGIN CERTIFICATE-----"),
			"wrong outer tag":                   append([]byte{0x31}, p.good[1:]...),
			"inner and outer algorithms differ": wrongAlg,
			"indefinite length":                 append([]byte{0x30, 0x80}, p.good[2:]...),
		}
		if name == "request" {
			// A request names its algorithm once: the 512-bit algorithm on
			// a 256-bit key parses, and fails to verify.
			delete(rows, "inner and outer algorithms differ")
			r, err := ParseCertificateRequest(wrongAlg)
			if err != nil || r.SignatureAlgorithm != GOST512 || r.CheckSignature() == nil {
				t.Errorf("request with GOST512 on a 256-bit key: %v", err)
			}
		}
		for row, der := range rows {
			t.Run(name+"/"+row, func(t *testing.T) {
				if err := p.parse(der); err == nil {
					t.Error("no error")
				}
			})
		}
		// Every truncation fails cleanly.
		for n := range len(p.good) {
			if err := p.parse(p.good[:n]); err == nil {
				t.Errorf("%s truncated to %d bytes: no error", name, n)
			}
		}
	}
	t.Run("certificate with NULL algorithm parameters", func(t *testing.T) {
		// Parameters NULL are accepted (ParseCertificate reads them; the
		// signature no longer matches, which is not its business).
		c, err := ParseCertificate(certDER)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := readSigned(withNullParams(t, c), "certificate"); err != nil {
			t.Errorf("NULL parameters: %v", err)
		}
	})
}

// withNullParams re-wraps c's TBS with the signature AlgorithmIdentifier
// carrying NULL parameters.
func withNullParams(t *testing.T, c *Certificate) []byte {
	der, err := build(func(b *cbBuilder) {
		b.AddASN1(cbSEQUENCE, func(b *cbBuilder) {
			b.AddBytes(c.RawTBSCertificate)
			b.AddASN1(cbSEQUENCE, func(b *cbBuilder) {
				b.AddASN1ObjectIdentifier(oidSignGOST256)
				b.AddASN1NULL()
			})
			b.AddASN1BitString(c.Signature)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return der
}
