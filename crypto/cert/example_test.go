package cert_test

import (
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
)

// Issue a self-signed root with a 512-bit key and a leaf with a 256-bit key,
// then verify the leaf's chain.
func Example() {
	rootKey, err := gost3410.GenerateKey(gost3410.ParamsTC26512A(), rand.Reader)
	if err != nil {
		panic(err)
	}
	now := time.Now()
	serial, err := cert.NewSerialNumber(rand.Reader)
	if err != nil {
		panic(err)
	}
	rootTemplate := &cert.Certificate{
		SerialNumber:          serial,
		Subject:               cert.Name{CommonName: "Example Root CA", Organization: "Example", Country: "RU"},
		NotBefore:             now,
		NotAfter:              now.AddDate(10, 0, 0),
		BasicConstraintsValid: true,
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	// parent == template: self-signed.
	rootDER, err := cert.CreateCertificate(rand.Reader, rootTemplate, rootTemplate, rootKey.PublicKey(), rootKey)
	if err != nil {
		panic(err)
	}
	root, err := cert.ParseCertificate(rootDER)
	if err != nil {
		panic(err)
	}

	leafKey, err := gost3410.GenerateKey(gost3410.ParamsCryptoProA(), rand.Reader)
	if err != nil {
		panic(err)
	}
	serial, err = cert.NewSerialNumber(rand.Reader)
	if err != nil {
		panic(err)
	}
	leafDER, err := cert.CreateCertificate(rand.Reader, &cert.Certificate{
		SerialNumber: serial,
		Subject:      cert.Name{CommonName: "Иванов Иван Иванович", SNILS: "11223344595", Country: "RU"},
		NotBefore:    now,
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}, root, leafKey.PublicKey(), rootKey)
	if err != nil {
		panic(err)
	}
	leaf, err := cert.ParseCertificate(leafDER)
	if err != nil {
		panic(err)
	}

	chain, err := leaf.Verify(cert.VerifyOptions{Roots: []*cert.Certificate{root}})
	if err != nil {
		panic(err)
	}
	fmt.Println(leaf.SignatureAlgorithm, len(chain), leaf.Subject.SNILS)
	fmt.Println(leaf.Issuer.String())
	// Output:
	// GOST512 2 11223344595
	// CN=Example Root CA,O=Example,C=RU
}
