package cert

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/internal/interop"
)

// interopPKI is a root → intermediate → leaf PKI made by this package, with
// a request for the leaf and a CRL of the intermediate, written as PEM files
// for the external tools.
type interopPKI struct {
	dir                        string
	leafSerial, holdSerial     *big.Int
	rootPEM, interPEM, leafPEM string // file paths
	chainPEM, csrPEM, crlPEM   string
}

// The qualified-profile subject of the interop leaf; the tools must print
// these values back.
var interopSubject = Name{
	Country: "RU", Province: "77 г. Москва", Locality: "Москва",
	StreetAddress: "ул. Тверская, д. 1", Organization: "ООО «Ромашка»", Title: "Директор",
	Surname: "Иванов", GivenName: "Иван Иванович", CommonName: "Иванов Иван Иванович",
	Email: "ivanov@example.ru", SNILS: "11223344595", INN: "500100732259", OGRN: "1027700132195",
}

// buildInteropPKI makes the PKI on one parameter set and writes its files.
func buildInteropPKI(t *testing.T, params *gost3410.Params) *interopPKI {
	t.Helper()
	now := time.Now().Truncate(time.Second)
	key := func() *gost3410.PrivateKey {
		k, err := gost3410.GenerateKey(params, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	serial := func() *big.Int {
		s, err := NewSerialNumber(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	create := func(tmpl, parent *Certificate, pub *gost3410.PublicKey, signer *gost3410.PrivateKey) (*Certificate, []byte) {
		der, err := CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
		if err != nil {
			t.Fatalf("CreateCertificate(%s): %v", tmpl.Subject.CommonName, err)
		}
		c, err := ParseCertificate(der)
		if err != nil {
			t.Fatalf("ParseCertificate(%s): %v", tmpl.Subject.CommonName, err)
		}
		return c, der
	}

	rootKey, interKey, leafKey := key(), key(), key()
	// The root outlives 2049, so its notAfter is a GeneralizedTime.
	rootTmpl := &Certificate{
		SerialNumber: serial(), Subject: Name{CommonName: "gostca interop root " + params.Name(), Organization: "gostca", Country: "RU"},
		NotBefore: now.Add(-time.Hour), NotAfter: time.Date(2060, 1, 1, 0, 0, 0, 0, time.UTC),
		BasicConstraintsValid: true, IsCA: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	root, rootDER := create(rootTmpl, rootTmpl, rootKey.PublicKey(), rootKey)
	inter, interDER := create(&Certificate{
		SerialNumber: serial(), Subject: Name{CommonName: "gostca interop intermediate " + params.Name(), Organization: "gostca", Country: "RU"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(5, 0, 0),
		BasicConstraintsValid: true, IsCA: true, MaxPathLenZero: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		CRLDistributionPoints: []string{"http://ca.example.ru/root.crl"},
	}, root, interKey.PublicKey(), rootKey)
	kind := IdentificationPersonal
	leafSerial := serial()
	_, leafDER := create(&Certificate{
		SerialNumber: leafSerial, Subject: interopSubject,
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:           []asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth(), OIDExtKeyUsageEmailProtection()},
		EmailAddresses:        []string{"ivanov@example.ru"},
		DNSNames:              []string{"ivanov.example.ru"},
		CRLDistributionPoints: []string{"http://ca.example.ru/intermediate.crl"},
		OCSPServer:            []string{"http://ocsp.example.ru"},
		IssuingCertificateURL: []string{"http://ca.example.ru/intermediate.cer"},
		PolicyIdentifiers:     []asn1.ObjectIdentifier{OIDPolicyKC1(), OIDPolicyKC2()},
		PrivateKeyUsagePeriod: &PrivateKeyUsagePeriod{NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(0, 15, 0)},
		SubjectSignTool:       "СКЗИ «Рутокен ЭЦП 3.0»",
		IssuerSignTool: &IssuerSignTool{
			SignTool: "СКЗИ «КриптоПро CSP» версии 5.0", CATool: "gostca",
			SignToolCert: "СФ/124-4060 от 20.01.2023", CAToolCert: "СФ/128-4280 от 01.02.2023",
		},
		IdentificationKind: &kind,
	}, inter, leafKey.PublicKey(), interKey)

	csrDER, err := CreateCertificateRequest(rand.Reader, &CertificateRequest{
		Subject: interopSubject, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth()}, EmailAddresses: []string{"ivanov@example.ru"},
		SubjectSignTool: "СКЗИ «Рутокен ЭЦП 3.0»",
	}, leafKey)
	if err != nil {
		t.Fatalf("CreateCertificateRequest: %v", err)
	}
	holdSerial := serial()
	entries := []RevocationEntry{
		{SerialNumber: leafSerial, RevocationTime: now.Add(-time.Minute), ReasonCode: ReasonKeyCompromise, InvalidityDate: now.Add(-2 * time.Hour)},
		{SerialNumber: holdSerial, RevocationTime: now.Add(-time.Minute), ReasonCode: ReasonCertificateHold},
		{SerialNumber: serial(), RevocationTime: now.Add(-time.Minute)},
	}
	crlDER, err := CreateRevocationList(rand.Reader, &RevocationList{
		Number: big.NewInt(7), ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(24 * time.Hour),
	}, slices.Values(entries), inter, interKey)
	if err != nil {
		t.Fatalf("CreateRevocationList: %v", err)
	}

	p := &interopPKI{dir: t.TempDir(), leafSerial: leafSerial, holdSerial: holdSerial}
	write := func(name, typ string, ders ...[]byte) string {
		var buf bytes.Buffer
		for _, der := range ders {
			pem.Encode(&buf, &pem.Block{Type: typ, Bytes: der})
		}
		path := filepath.Join(p.dir, name)
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	p.rootPEM = write("root.pem", "CERTIFICATE", rootDER)
	p.interPEM = write("intermediate.pem", "CERTIFICATE", interDER)
	p.leafPEM = write("leaf.pem", "CERTIFICATE", leafDER)
	p.chainPEM = write("chain.pem", "CERTIFICATE", leafDER, interDER)
	p.csrPEM = write("leaf.csr", "CERTIFICATE REQUEST", csrDER)
	p.crlPEM = write("intermediate.crl", "X509 CRL", crlDER)
	return p
}

// tamperedCopy writes a copy of a one-block PEM file with the last byte of
// its DER (inside the signature) flipped.
func tamperedCopy(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	block.Bytes[len(block.Bytes)-1] ^= 0x01
	out := strings.TrimSuffix(path, filepath.Ext(path)) + "-tampered" + filepath.Ext(path)
	if err := os.WriteFile(out, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

// opensslSets are the parameter sets whose PKIs OpenSSL checks: both sizes,
// both twisted Edwards sets and two CryptoPro curves.
var opensslSets = []string{"cryptopro-a", "cryptopro-c", "tc26-256-a", "tc26-512-a", "tc26-512-c"}

// TestOpenSSLVerifiesOurs has OpenSSL with the GOST engine check what this
// package makes: the chain (openssl verify), the request's self-signature
// (req -verify), the CRL's signature (crl -CAfile), and that it reads the
// qualified-profile fields back. Tampered copies must fail each check.
func TestOpenSSLVerifiesOurs(t *testing.T) {
	ossl := interop.OpenSSL(t)
	for _, name := range opensslSets {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			params, err := gost3410.ParamsByName(name)
			if err != nil {
				t.Fatal(err)
			}
			p := buildInteropPKI(t, params)

			out := ossl.Run(t, nil, "verify", "-CAfile", p.rootPEM, "-untrusted", p.interPEM, p.leafPEM)
			if !bytes.Contains(out, []byte(p.leafPEM+": OK")) {
				t.Errorf("openssl verify: %s", out)
			}
			if out, err := ossl.Try(nil, "verify", "-CAfile", p.rootPEM, "-untrusted", p.interPEM, tamperedCopy(t, p.leafPEM)); err == nil {
				t.Errorf("openssl verify accepted a tampered leaf: %s", out)
			}

			if out, _ := ossl.Combined(nil, "req", "-verify", "-noout", "-in", p.csrPEM); !bytes.Contains(out, []byte("verify OK")) {
				t.Errorf("openssl req -verify: %s", out)
			}
			if out, _ := ossl.Combined(nil, "req", "-verify", "-noout", "-in", tamperedCopy(t, p.csrPEM)); bytes.Contains(out, []byte("verify OK")) {
				t.Errorf("openssl req -verify accepted a tampered request: %s", out)
			}

			if out, _ := ossl.Combined(nil, "crl", "-noout", "-in", p.crlPEM, "-CAfile", p.interPEM); !bytes.Contains(out, []byte("verify OK")) {
				t.Errorf("openssl crl verify: %s", out)
			}
			if out, _ := ossl.Combined(nil, "crl", "-noout", "-in", tamperedCopy(t, p.crlPEM), "-CAfile", p.interPEM); bytes.Contains(out, []byte("verify OK")) {
				t.Errorf("openssl crl accepted a tampered CRL: %s", out)
			}

			// OpenSSL reads the fields back.
			text := string(ossl.Run(t, nil, "x509", "-in", p.leafPEM, "-noout", "-text", "-nameopt", "utf8,sep_comma_plus_space,space_eq"))
			for _, want := range []string{
				"SNILS = 11223344595", "INN = 500100732259", "OGRN = 1027700132195",
				"CN = Иванов Иван Иванович", "Signing Tool of Subject", "Signing Tool of Issuer",
				"Class of Signing Tool KC1", "Class of Signing Tool KC2",
				"TLS Web Client Authentication", "OCSP - URI:http://ocsp.example.ru",
				"URI:http://ca.example.ru/intermediate.crl", "Digital Signature, Non Repudiation",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("openssl x509 -text lacks %q", want)
				}
			}
			crlText := string(ossl.Run(t, nil, "crl", "-in", p.crlPEM, "-noout", "-text"))
			for _, want := range []string{
				"Key Compromise", "Invalidity Date", "Certificate Hold", "X509v3 CRL Number",
				fmt.Sprintf("Serial Number: %X", p.leafSerial.Bytes()), fmt.Sprintf("Serial Number: %X", p.holdSerial.Bytes()),
			} {
				if !strings.Contains(crlText, want) {
					t.Errorf("openssl crl -text lacks %q", want)
				}
			}
		})
	}
}

// TestCertToolVerifiesOurs has GnuTLS certtool check the chain, the CRL and
// the request on the curves GnuTLS knows, 256 and 512 bit.
func TestCertToolVerifiesOurs(t *testing.T) {
	ct := interop.CertTool(t)
	for _, name := range []string{"cryptopro-a", "tc26-256-b", "tc26-512-a"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			params, err := gost3410.ParamsByName(name)
			if err != nil {
				t.Fatal(err)
			}
			p := buildInteropPKI(t, params)

			out := ct.Run(t, nil, "--verify", "--load-ca-certificate", p.rootPEM, "--infile", p.chainPEM)
			if !bytes.Contains(out, []byte("Chain verification output: Verified")) {
				t.Errorf("certtool --verify: %s", out)
			}
			if out, err := ct.Try(nil, "--verify", "--load-ca-certificate", p.rootPEM, "--infile", tamperedCopy(t, p.leafPEM)); err == nil {
				t.Errorf("certtool --verify accepted a tampered leaf: %s", out)
			}

			out = ct.Run(t, nil, "--verify-crl", "--load-ca-certificate", p.interPEM, "--infile", p.crlPEM)
			if !bytes.Contains(out, []byte("Verification output: Verified")) {
				t.Errorf("certtool --verify-crl: %s", out)
			}
			if out, err := ct.Try(nil, "--verify-crl", "--load-ca-certificate", p.interPEM, "--infile", tamperedCopy(t, p.crlPEM)); err == nil {
				t.Errorf("certtool --verify-crl accepted a tampered CRL: %s", out)
			}

			out = ct.Run(t, nil, "--crq-info", "--infile", p.csrPEM)
			if !bytes.Contains(out, []byte("Self signature: verified")) {
				t.Errorf("certtool --crq-info: %s", out)
			}
		})
	}
}
