package cert

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// The golden corpus: objects made by OpenSSL with the GOST engine and by
// GnuTLS certtool (testdata/x509, made by gen.sh there, values listed in its
// MANIFEST.md), and published examples (testdata/rfc9215, infotecs, tk26iok,
// tc26). This package must parse and verify every one of them.
var goldenDir = filepath.Join("..", "..", "testdata")

// goldenDER reads the first PEM block of a testdata file and checks its type.
func goldenDER(t *testing.T, rel string, types ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(goldenDir, rel))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil || !slices.Contains(types, block.Type) {
		t.Fatalf("%s: no PEM block of type %v", rel, types)
	}
	return block.Bytes
}

func goldenCert(t *testing.T, rel string) *Certificate {
	t.Helper()
	c, err := ParseCertificate(goldenDER(t, rel, "CERTIFICATE"))
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return c
}

func goldenTime(s string) time.Time {
	t, err := time.Parse("20060102150405Z", s)
	if err != nil {
		panic(err)
	}
	return t
}

func hexSerial(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic(s)
	}
	return n
}

// goldenSubject is the qualified-individual subject of gen.sh's VALUES block.
var goldenSubject = Name{
	CommonName: "Иванов Иван Иванович", Surname: "Иванов", GivenName: "Иван Иванович",
	Country: "RU", Province: "77 г. Москва", Locality: "Москва", StreetAddress: "ул. Тверская, д. 1",
	Organization: "ООО «Тест»", Title: "Инженер",
	SNILS: "11223344595", INN: "500100732259", OGRN: "1177746123455", Email: "ivanov@example.test",
}

// goldenNow lies inside every golden validity period (2025–2125).
var goldenNow = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)

// TestGoldenOpenSSL parses and verifies the OpenSSL-made PKIs: the chain,
// every field of the qualified leaf, the request (read back field by field,
// SNILS/INN/OGRN included), and the CRL with its three kinds of entries.
func TestGoldenOpenSSL(t *testing.T) {
	for _, set := range []struct {
		name string
		alg  SignatureAlgorithm
	}{{"cryptopro-a", GOST256}, {"tc26-256-a", GOST256}, {"tc26-512-a", GOST512}, {"tc26-512-c", GOST512}} {
		t.Run(set.name, func(t *testing.T) {
			dir := filepath.Join("x509", set.name)
			root := goldenCert(t, filepath.Join(dir, "root.pem"))
			inter := goldenCert(t, filepath.Join(dir, "intermediate.pem"))
			leaf := goldenCert(t, filepath.Join(dir, "leaf.pem"))

			chain, err := leaf.Verify(VerifyOptions{Roots: []*Certificate{root}, Intermediates: []*Certificate{inter}, CurrentTime: goldenNow})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if len(chain) != 3 || chain[1] != inter || chain[2] != root {
				t.Errorf("chain of %d certificates, want leaf, intermediate, root", len(chain))
			}
			for _, c := range []*Certificate{root, inter, leaf} {
				if c.SignatureAlgorithm != set.alg {
					t.Errorf("%s: signature algorithm %v, want %v", c.Subject.CommonName, c.SignatureAlgorithm, set.alg)
				}
				if c.PublicKey.Params().Name() != set.name {
					t.Errorf("%s: key on %s, want %s", c.Subject.CommonName, c.PublicKey.Params(), set.name)
				}
				if !c.NotBefore.Equal(goldenTime("20250101000000Z")) || !c.NotAfter.Equal(goldenTime("21250101000000Z")) {
					t.Errorf("%s: validity %v – %v", c.Subject.CommonName, c.NotBefore, c.NotAfter)
				}
			}
			if !root.IsCA || !inter.IsCA || inter.MaxPathLen != 0 || !inter.MaxPathLenZero || leaf.IsCA {
				t.Errorf("basic constraints: root %v, intermediate %v/%d/%v, leaf %v", root.IsCA, inter.IsCA, inter.MaxPathLen, inter.MaxPathLenZero, leaf.IsCA)
			}

			// The leaf, field by field.
			if leaf.SerialNumber.Cmp(hexSerial("C0FFEE0123456789ABCDEF")) != 0 {
				t.Errorf("leaf serial %x", leaf.SerialNumber)
			}
			checkName(t, "leaf subject", &leaf.Subject, &goldenSubject)
			if leaf.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment {
				t.Errorf("leaf key usage %b", leaf.KeyUsage)
			}
			if !oidsEqual(leaf.ExtKeyUsage, []asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth(), OIDExtKeyUsageEmailProtection()}) {
				t.Errorf("leaf EKU %v", leaf.ExtKeyUsage)
			}
			if !oidsEqual(leaf.PolicyIdentifiers, []asn1.ObjectIdentifier{OIDPolicyKC1(), OIDPolicyKC2()}) {
				t.Errorf("leaf policies %v", leaf.PolicyIdentifiers)
			}
			if !slices.Equal(leaf.EmailAddresses, []string{"ivanov@example.test"}) || !slices.Equal(leaf.DNSNames, []string{"ivanov.example.test"}) {
				t.Errorf("leaf SAN: %v %v", leaf.EmailAddresses, leaf.DNSNames)
			}
			base := "http://ca.gostca.test/" + set.name
			if !slices.Equal(leaf.CRLDistributionPoints, []string{base + "/intermediate.crl"}) ||
				!slices.Equal(leaf.OCSPServer, []string{"http://ocsp.gostca.test/" + set.name}) ||
				!slices.Equal(leaf.IssuingCertificateURL, []string{base + "/intermediate.crt"}) {
				t.Errorf("leaf URLs: %v %v %v", leaf.CRLDistributionPoints, leaf.OCSPServer, leaf.IssuingCertificateURL)
			}
			if leaf.SubjectSignTool != "СКЗИ «Тест-CSP» (версия 1.0)" {
				t.Errorf("subjectSignTool %q", leaf.SubjectSignTool)
			}
			wantIST := IssuerSignTool{
				SignTool: "СКЗИ «Тест-CSP» (версия 1.0)", CATool: "ПАК «gostca УЦ» версии 0.1",
				SignToolCert: "Сертификат соответствия № СФ/000-0001 от 01.01.2025",
				CAToolCert:   "Сертификат соответствия № СФ/000-0002 от 01.01.2025",
			}
			if leaf.IssuerSignTool == nil || *leaf.IssuerSignTool != wantIST {
				t.Errorf("issuerSignTool %+v", leaf.IssuerSignTool)
			}
			if p := leaf.PrivateKeyUsagePeriod; p == nil || !p.NotBefore.Equal(goldenTime("20250101000000Z")) || !p.NotAfter.Equal(goldenTime("20260401000000Z")) {
				t.Errorf("privateKeyUsagePeriod %+v", p)
			}
			if len(leaf.AuthorityKeyId) == 0 || string(leaf.AuthorityKeyId) != string(inter.SubjectKeyId) {
				t.Errorf("leaf AKI %x, intermediate SKI %x", leaf.AuthorityKeyId, inter.SubjectKeyId)
			}

			// The request.
			csr, err := ParseCertificateRequest(goldenDER(t, filepath.Join(dir, "leaf.csr"), "CERTIFICATE REQUEST"))
			if err != nil {
				t.Fatal(err)
			}
			if err := csr.CheckSignature(); err != nil {
				t.Errorf("request signature: %v", err)
			}
			checkName(t, "request subject", &csr.Subject, &goldenSubject)
			if !csr.PublicKey.Equal(leaf.PublicKey) {
				t.Error("request key differs from the leaf's")
			}
			if csr.KeyUsage&x509.KeyUsageDigitalSignature == 0 || len(csr.ExtKeyUsage) == 0 || !slices.Contains(csr.EmailAddresses, "ivanov@example.test") {
				t.Errorf("requested extensions: KU %b, EKU %v, emails %v", csr.KeyUsage, csr.ExtKeyUsage, csr.EmailAddresses)
			}

			// The CRL.
			crl, err := ParseRevocationList(goldenDER(t, filepath.Join(dir, "crl.pem"), "X509 CRL"))
			if err != nil {
				t.Fatal(err)
			}
			if err := crl.CheckSignatureFrom(inter); err != nil {
				t.Errorf("CRL signature: %v", err)
			}
			if err := crl.CheckSignatureFrom(root); err == nil {
				t.Error("the CRL verified against the root")
			}
			if crl.Number.Int64() != 0x2A || crl.BaseCRLNumber != nil ||
				!crl.ThisUpdate.Equal(goldenTime("20250601000000Z")) || !crl.NextUpdate.Equal(goldenTime("21250101000000Z")) {
				t.Errorf("CRL number %v base %v, %v – %v", crl.Number, crl.BaseCRLNumber, crl.ThisUpdate, crl.NextUpdate)
			}
			checkEntries(t, crl.Entries, []RevocationEntry{
				{SerialNumber: hexSerial("C0FFEE0123456789ABCDEF"), RevocationTime: goldenTime("20250301120000Z"), ReasonCode: ReasonKeyCompromise, InvalidityDate: goldenTime("20250215000000Z")},
				{SerialNumber: hexSerial("3002"), RevocationTime: goldenTime("20250302120000Z"), ReasonCode: ReasonCertificateHold},
				{SerialNumber: hexSerial("3003"), RevocationTime: goldenTime("20250303120000Z")},
			})
		})
	}
}

// TestGoldenGnuTLS parses and verifies what certtool made.
func TestGoldenGnuTLS(t *testing.T) {
	for _, set := range []string{"cryptopro-a", "tc26-512-a"} {
		t.Run(set, func(t *testing.T) {
			dir := filepath.Join("x509", "gnutls", set)
			ca := goldenCert(t, filepath.Join(dir, "ca.pem"))
			leaf := goldenCert(t, filepath.Join(dir, "leaf.pem"))
			if _, err := leaf.Verify(VerifyOptions{Roots: []*Certificate{ca}, CurrentTime: goldenNow}); err != nil {
				t.Errorf("Verify: %v", err)
			}
			if ca.SerialNumber.Cmp(hexSerial("4754")) != 0 || leaf.SerialNumber.Cmp(hexSerial("47540001")) != 0 {
				t.Errorf("serials %x %x", ca.SerialNumber, leaf.SerialNumber)
			}
			checkName(t, "leaf subject", &leaf.Subject, &goldenSubject)
			csr, err := ParseCertificateRequest(goldenDER(t, filepath.Join(dir, "leaf.csr"), "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"))
			if err != nil {
				t.Fatal(err)
			}
			if err := csr.CheckSignature(); err != nil {
				t.Errorf("request signature: %v", err)
			}
			checkName(t, "request subject", &csr.Subject, &goldenSubject)
			crl, err := ParseRevocationList(goldenDER(t, filepath.Join(dir, "crl.pem"), "X509 CRL"))
			if err != nil {
				t.Fatal(err)
			}
			if err := crl.CheckSignatureFrom(ca); err != nil {
				t.Errorf("CRL signature: %v", err)
			}
			if crl.Number.Int64() != 7 {
				t.Errorf("CRL number %v", crl.Number)
			}
			checkEntries(t, crl.Entries, []RevocationEntry{
				{SerialNumber: hexSerial("47540001"), RevocationTime: goldenTime("20250301120000Z")},
			})
		})
	}
}

// TestGoldenPublished verifies the published example objects: the nine of
// RFC 9215 App. D, the ten Infotecs certificates on every production
// parameter set, the two TK26IOK CA certificates (all self-signed), and the
// TC26 CMS PKI, whose root has no basicConstraints: its signatures hold, but
// RFC 5280 does not let it act as a CA.
func TestGoldenPublished(t *testing.T) {
	selfSigned, err := filepath.Glob(filepath.Join(goldenDir, "*", "*.pem"))
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, path := range selfSigned {
		rel, _ := filepath.Rel(goldenDir, path)
		switch filepath.Dir(rel) {
		case "rfc9215", "infotecs", "tk26iok":
		default:
			continue
		}
		n++
		t.Run(rel, func(t *testing.T) {
			der := goldenDER(t, rel, "CERTIFICATE", "CERTIFICATE REQUEST", "X509 CRL")
			switch {
			case strings.Contains(filepath.Base(rel), "csr"):
				csr, err := ParseCertificateRequest(der)
				if err != nil {
					t.Fatal(err)
				}
				if err := csr.CheckSignature(); err != nil {
					t.Error(err)
				}
			case strings.Contains(filepath.Base(rel), "crl"):
				crl, err := ParseRevocationList(der)
				if err != nil {
					t.Fatal(err)
				}
				issuer := goldenCert(t, rel[:len(rel)-len("crl.pem")]+"cert.pem")
				if err := crl.CheckSignatureFrom(issuer); err != nil {
					t.Error(err)
				}
			default:
				c, err := ParseCertificate(der)
				if err != nil {
					t.Fatal(err)
				}
				if err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
					t.Errorf("self-signature: %v", err)
				}
				if c.IsCA {
					if _, err := c.Verify(VerifyOptions{Roots: []*Certificate{c}, CurrentTime: c.NotBefore.Add(time.Hour)}); err != nil {
						t.Errorf("Verify as its own root: %v", err)
					}
				}
			}
		})
	}
	if n != 21 {
		t.Errorf("%d published objects, want 21 (9 RFC 9215, 10 Infotecs, 2 TK26IOK)", n)
	}

	t.Run("tc26", func(t *testing.T) {
		root := goldenCert(t, "tc26/root256_cert.pem")
		for _, name := range []string{"sender256", "recipient256", "sender512", "recipient512"} {
			c := goldenCert(t, "tc26/"+name+"_cert.pem")
			if err := root.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
				t.Errorf("%s: signature by the root: %v", name, err)
			}
			if len(c.AuthorityKeyId) == 0 || string(c.AuthorityKeyId) != string(root.SubjectKeyId) {
				t.Errorf("%s: AKI from the obsolete 2.5.29.1 extension = %x, want the root's SKI %x", name, c.AuthorityKeyId, root.SubjectKeyId)
			}
			_, err := c.Verify(VerifyOptions{Roots: []*Certificate{root}, CurrentTime: goldenNow})
			var invalid *CertificateInvalidError
			if !errors.As(err, &invalid) || invalid.Reason != NotAuthorizedToSign {
				t.Errorf("%s: Verify = %v, want NotAuthorizedToSign (the root has no basicConstraints)", name, err)
			}
		}
	})
}

func checkName(t *testing.T, what string, got, want *Name) {
	t.Helper()
	g, w := *got, *want
	g.Extra, w.Extra = nil, nil
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, g, w)
	}
	if len(got.Extra) != 0 {
		t.Errorf("%s: unexpected extra attributes %+v", what, got.Extra)
	}
}

func oidsEqual(a, b []asn1.ObjectIdentifier) bool {
	return slices.EqualFunc(a, b, asn1.ObjectIdentifier.Equal)
}

// checkEntries compares CRL entries, matched by serial: issuers order them
// as they like (OpenSSL sorts by serial).
func checkEntries(t *testing.T, got, want []RevocationEntry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d CRL entries, want %d", len(got), len(want))
	}
	for _, w := range want {
		i := slices.IndexFunc(got, func(g RevocationEntry) bool { return g.SerialNumber.Cmp(w.SerialNumber) == 0 })
		if i < 0 {
			t.Errorf("no entry for serial %x", w.SerialNumber)
			continue
		}
		g := got[i]
		if !g.RevocationTime.Equal(w.RevocationTime) || g.ReasonCode != w.ReasonCode || !g.InvalidityDate.Equal(w.InvalidityDate) {
			t.Errorf("serial %x: revoked %v reason %v invalidity %v; want %v, %v, %v",
				w.SerialNumber, g.RevocationTime, g.ReasonCode, g.InvalidityDate, w.RevocationTime, w.ReasonCode, w.InvalidityDate)
		}
	}
}
