package truststore_test

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/truststore"
	"github.com/gostca/gostca/internal/interop"
)

// roots returns two self-signed CA certificates, 256- and 512-bit.
func roots(t *testing.T) []*cert.Certificate {
	t.Helper()
	var out []*cert.Certificate
	for i, params := range []*gost3410.Params{gost3410.ParamsCryptoProA(), gost3410.ParamsTC26512A()} {
		key, err := gost3410.GenerateKey(params, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		serial, err := cert.NewSerialNumber(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		tmpl := &cert.Certificate{
			SerialNumber:          serial,
			Subject:               cert.Name{Country: "RU", CommonName: []string{"Корневой УЦ 1", "Корневой УЦ 2"}[i]},
			NotBefore:             now.Add(-time.Hour),
			NotAfter:              now.AddDate(1, 0, 0),
			BasicConstraintsValid: true,
			IsCA:                  true,
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}
		der, err := cert.CreateCertificate(rand.Reader, tmpl, tmpl, key.PublicKey(), key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := cert.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func TestEncode(t *testing.T) {
	certs := roots(t)
	p12, err := truststore.Encode(certs, "s3cret")
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
}

func TestEncodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		certs []*cert.Certificate
	}{
		{"none", nil},
		{"no DER", []*cert.Certificate{{}}},
		{"not a certificate", []*cert.Certificate{{Raw: []byte{0x30, 0x00}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := truststore.Encode(tc.certs, "x"); err == nil || !strings.HasPrefix(err.Error(), "truststore: ") {
				t.Errorf("Encode: err = %v, want a truststore: error", err)
			}
		})
	}
}

// TestOpenSSL checks that openssl pkcs12 reads the trust store.
func TestOpenSSL(t *testing.T) {
	ossl := interop.OpenSSL(t)
	certs := roots(t)
	p12, err := truststore.Encode(certs, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	pass := filepath.Join(t.TempDir(), "pass")
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
