package bundle_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/bundle"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/internal/interop"
)

// chain returns a leaf, its intermediate and the root.
func chain(t *testing.T) []*cert.Certificate {
	t.Helper()
	root := catest.NewRoot(t, catest.WithParams(gost3410.ParamsTC26512A()))
	inter := catest.NewIntermediate(t, root)
	csr, _ := catest.NewCSR(t, gost3410.ParamsCryptoProA(), cert.Name{CommonName: "Leaf", Country: "RU", SNILS: "11223344595"})
	leaf, err := inter.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileSignature})
	if err != nil {
		t.Fatal(err)
	}
	return []*cert.Certificate{leaf, inter.Certificate(), root.Certificate()}
}

func TestP7BRoundTrip(t *testing.T) {
	certs := chain(t)
	der, err := bundle.EncodeP7B(certs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := bundle.ParseP7B(der)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(certs) {
		t.Fatalf("got %d certificates, want %d", len(got), len(certs))
	}
	for i := range certs {
		if !bytes.Equal(got[i].Raw, certs[i].Raw) {
			t.Errorf("certificate %d differs (order must be kept)", i)
		}
	}
}

func TestP7BErrors(t *testing.T) {
	if _, err := bundle.EncodeP7B(nil); err == nil {
		t.Error("EncodeP7B(nil): no error")
	}
	if _, err := bundle.EncodeP7B([]*cert.Certificate{{}}); err == nil {
		t.Error("EncodeP7B of a certificate without DER: no error")
	}
	der, err := bundle.EncodeP7B(chain(t)[:1])
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		der  []byte
	}{
		{"empty", nil},
		{"truncated", der[:len(der)-1]},
		{"trailing data", append(append([]byte{}, der...), 0)},
		{"not signedData", []byte{0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := bundle.ParseP7B(tc.der); err == nil || !strings.HasPrefix(err.Error(), "bundle: ") {
				t.Errorf("ParseP7B: err = %v, want a bundle: error", err)
			}
		})
	}
}

// TestP7BOpenSSL checks that openssl pkcs7 lists our certificates.
func TestP7BOpenSSL(t *testing.T) {
	ossl := interop.OpenSSL(t)
	certs := chain(t)
	der, err := bundle.EncodeP7B(certs)
	if err != nil {
		t.Fatal(err)
	}
	out := string(ossl.Run(t, der, "pkcs7", "-inform", "DER", "-print_certs"))
	if n := strings.Count(out, "-----BEGIN CERTIFICATE-----"); n != len(certs) {
		t.Fatalf("openssl pkcs7 printed %d certificates, want %d:\n%s", n, len(certs), out)
	}
	for _, c := range certs {
		if !strings.Contains(out, "CN = "+c.Subject.CommonName) {
			t.Errorf("openssl pkcs7 output lacks %q", c.Subject.CommonName)
		}
	}
}

func TestTrustStore(t *testing.T) {
	certs := chain(t)
	p12, err := bundle.EncodeTrustStore(certs, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	got, err := pkcs12.DecodeTrustStore(p12, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(certs) {
		t.Fatalf("got %d certificates, want %d", len(got), len(certs))
	}
	for i := range certs {
		if !bytes.Equal(got[i].Raw, certs[i].Raw) {
			t.Errorf("certificate %d differs", i)
		}
	}
	if _, err := pkcs12.DecodeTrustStore(p12, "wrong"); err == nil {
		t.Error("wrong password accepted")
	}
	if _, err := bundle.EncodeTrustStore(nil, "x"); err == nil {
		t.Error("EncodeTrustStore(nil): no error")
	}
}

// TestTrustStoreOpenSSL checks that openssl pkcs12 reads the trust store.
func TestTrustStoreOpenSSL(t *testing.T) {
	ossl := interop.OpenSSL(t)
	certs := chain(t)
	p12, err := bundle.EncodeTrustStore(certs, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pass := filepath.Join(dir, "pass")
	if err := os.WriteFile(pass, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := ossl.Combined(p12, "pkcs12", "-info", "-nokeys", "-passin", "file:"+pass)
	if err != nil {
		t.Fatalf("openssl pkcs12: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), "-----BEGIN CERTIFICATE-----"); n != len(certs) {
		t.Fatalf("openssl pkcs12 printed %d certificates, want %d:\n%s", n, len(certs), out)
	}
	if !strings.Contains(string(out), "MAC: sha256") {
		t.Errorf("openssl pkcs12: no SHA-256 MAC:\n%s", out)
	}
}
