package cms_test

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/crypto/gost3410"
)

// examplePKI returns a root certificate, and a signer certificate it
// issued with the signer's key: what a real caller reads from files or a
// token.
func examplePKI() (root, signer *cert.Certificate, key *gost3410.PrivateKey) {
	rootKey, err := gost3410.GenerateKey(gost3410.ParamsTC26256A(), rand.Reader)
	if err != nil {
		panic(err)
	}
	key, err = gost3410.GenerateKey(gost3410.ParamsTC26256A(), rand.Reader)
	if err != nil {
		panic(err)
	}
	now := time.Now()
	create := func(tmpl, parent *cert.Certificate, pub *gost3410.PublicKey) *cert.Certificate {
		serial, err := cert.NewSerialNumber(rand.Reader)
		if err != nil {
			panic(err)
		}
		tmpl.SerialNumber, tmpl.NotBefore, tmpl.NotAfter = serial, now.Add(-time.Hour), now.AddDate(1, 0, 0)
		der, err := cert.CreateCertificate(rand.Reader, tmpl, parent, pub, rootKey)
		if err != nil {
			panic(err)
		}
		c, err := cert.ParseCertificate(der)
		if err != nil {
			panic(err)
		}
		return c
	}
	rootTmpl := &cert.Certificate{Subject: cert.Name{CommonName: "Example CA", Country: "RU"},
		BasicConstraintsValid: true, IsCA: true, KeyUsage: x509.KeyUsageCertSign}
	root = create(rootTmpl, rootTmpl, rootKey.PublicKey())
	signer = create(&cert.Certificate{Subject: cert.Name{CommonName: "Иванов Иван Иванович", Country: "RU"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}, root, key.PublicKey())
	return root, signer, key
}

// Sign a document detached, as a ".sig" file, and verify it.
func Example() {
	root, certificate, key := examplePKI()
	signer, err := cms.NewSigner(key, certificate, nil)
	if err != nil {
		panic(err)
	}
	document := "Договор № 1" // any io.Reader: an *os.File is read in pieces
	sig, err := signer.SignDetached(strings.NewReader(document))
	if err != nil {
		panic(err)
	}

	sd, err := cms.Parse(sig)
	if err != nil {
		panic(err)
	}
	results, err := sd.Verify(strings.NewReader(document), cms.VerifyOptions{Roots: []*cert.Certificate{root}})
	if err != nil {
		panic(err)
	}
	for _, r := range results {
		fmt.Println("signed by", r.Certificate.Subject.CommonName, "issued by", r.Issuer().Subject.CommonName)
	}

	// A changed document no longer verifies.
	_, err = sd.Verify(strings.NewReader("Договор № 2"), cms.VerifyOptions{Roots: []*cert.Certificate{root}})
	fmt.Println(errors.Is(err, cms.ErrDigestMismatch))
	// Output:
	// signed by Иванов Иван Иванович issued by Example CA
	// true
}

// Sign attached, streaming the content into a PEM ".p7s", then add a
// second signature.
func ExampleSigner_SignAttached() {
	root, certificate, key := examplePKI()
	signer, err := cms.NewSigner(key, certificate, nil)
	if err != nil {
		panic(err)
	}
	document := []byte("Акт приёмки")
	var p7s bytes.Buffer // an *os.File in real use
	pw := cms.NewPEMWriter(&p7s)
	if err := signer.SignAttached(pw, bytes.NewReader(document), int64(len(document))); err != nil {
		panic(err)
	}
	if err := pw.Close(); err != nil {
		panic(err)
	}

	sd, err := cms.ParsePEM(p7s.Bytes())
	if err != nil {
		panic(err)
	}
	// The content is embedded: CoSign and Verify take no other.
	cosigned, err := signer.CoSign(sd, nil)
	if err != nil {
		panic(err)
	}
	sd, err = cms.Parse(cosigned)
	if err != nil {
		panic(err)
	}
	results, err := sd.Verify(nil, cms.VerifyOptions{Roots: []*cert.Certificate{root}})
	fmt.Printf("%s: %d signatures, error %v\n", sd.Content, len(results), err)
	// Output:
	// Акт приёмки: 2 signatures, error <nil>
}
