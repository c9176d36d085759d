package cms_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/internal/interop"
)

// testChain returns a leaf, its intermediate and the root.
func testChain(t *testing.T) []*cert.Certificate {
	t.Helper()
	p := newTestPKI(t, gost3410.ParamsTC26512A())
	leaf, _ := p.issue(t, gost3410.ParamsCryptoProA(), "Leaf", nil)
	return []*cert.Certificate{leaf, p.inter, p.root}
}

func TestCertificatesRoundTrip(t *testing.T) {
	certs := testChain(t)
	der, err := cms.EncodeCertificates(certs)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := cms.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if len(sd.SignerInfos) != 0 || len(sd.DigestAlgorithms) != 0 || !sd.Detached || sd.Version != 1 {
		t.Errorf("not a certificates-only SignedData: version %d, %d signers, %d digests, detached %v",
			sd.Version, len(sd.SignerInfos), len(sd.DigestAlgorithms), sd.Detached)
	}
	if len(sd.Certificates) != len(certs) {
		t.Fatalf("got %d certificates, want %d", len(sd.Certificates), len(certs))
	}
	for i := range certs {
		if !bytes.Equal(sd.Certificates[i].Raw, certs[i].Raw) {
			t.Errorf("certificate %d differs (order must be kept)", i)
		}
	}
}

func TestCertificatesErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		certs []*cert.Certificate
	}{
		{"none", nil},
		{"no DER", []*cert.Certificate{{}}},
		{"nil", []*cert.Certificate{nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := cms.EncodeCertificates(tc.certs); err == nil || !strings.HasPrefix(err.Error(), "cms: ") {
				t.Errorf("EncodeCertificates: err = %v, want a cms: error", err)
			}
		})
	}
}

// TestCertificatesOpenSSL checks that openssl pkcs7 lists our
// certificates, in order.
func TestCertificatesOpenSSL(t *testing.T) {
	ossl := interop.OpenSSL(t)
	certs := testChain(t)
	der, err := cms.EncodeCertificates(certs)
	if err != nil {
		t.Fatal(err)
	}
	out := string(ossl.Run(t, der, "pkcs7", "-inform", "DER", "-print_certs"))
	if n := strings.Count(out, "-----BEGIN CERTIFICATE-----"); n != len(certs) {
		t.Fatalf("openssl pkcs7 printed %d certificates, want %d:\n%s", n, len(certs), out)
	}
	last := -1
	for _, c := range certs {
		i := strings.Index(out, "CN = "+c.Subject.CommonName)
		if i < 0 || i < last {
			t.Errorf("openssl pkcs7 output lacks %q, or lists it out of order", c.Subject.CommonName)
		}
		last = i
	}
}
