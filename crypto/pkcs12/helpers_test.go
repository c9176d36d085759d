package pkcs12

import (
	"crypto/rand"
	"crypto/x509"
	"testing"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
)

// fast are Options cheap enough for tests.
var fast = &Options{Iterations: 10, FriendlyName: "Тестовый ключ"}

// testChain makes a key on params with its certificate, issued by a
// self-signed CA whose certificate is the chain.
func testChain(t testing.TB, params *gost3410.Params) (*gost3410.PrivateKey, []byte, [][]byte) {
	t.Helper()
	caKey, err := gost3410.GenerateKey(gost3410.ParamsTC26256A(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	serial, _ := cert.NewSerialNumber(rand.Reader)
	caTemplate := &cert.Certificate{
		SerialNumber:          serial,
		Subject:               cert.Name{CommonName: "Test CA", Country: "RU"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		BasicConstraintsValid: true,
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := cert.CreateCertificate(rand.Reader, caTemplate, caTemplate, caKey.PublicKey(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := cert.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := gost3410.GenerateKey(params, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ = cert.NewSerialNumber(rand.Reader)
	leaf, err := cert.CreateCertificate(rand.Reader, &cert.Certificate{
		SerialNumber: serial,
		Subject:      cert.Name{CommonName: "Иванов Иван", Country: "RU"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}, ca, key.PublicKey(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	return key, leaf, [][]byte{caDER}
}
