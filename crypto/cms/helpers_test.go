package cms_test

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"github.com/gostca/gostca/internal/testkit"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/crypto/gost3410"
)

// testNow is the reference time of the tests: the test PKIs are valid
// around it. It is the current time, because OpenSSL checks validity
// against the system clock.
var testNow = time.Now().UTC().Truncate(time.Second)

// testParams are the key parameter sets the tests sign with: CryptoPro-A
// and TC26 256 paramSetA (256-bit), TC26 512 paramSetA (512-bit).
func testParams() []*gost3410.Params {
	return []*gost3410.Params{gost3410.ParamsCryptoProA(), gost3410.ParamsTC26256A(), gost3410.ParamsTC26512A()}
}

// testPKI is a root and an intermediate CA, valid from two years before
// testNow to five years after.
type testPKI struct {
	root, inter       *cert.Certificate
	rootKey, interKey *gost3410.PrivateKey
}

func newTestKey(t testing.TB, params *gost3410.Params) *gost3410.PrivateKey {
	t.Helper()
	key, err := gost3410.GenerateKey(params, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func createCert(t testing.TB, tmpl, parent *cert.Certificate, pub *gost3410.PublicKey, signer *gost3410.PrivateKey) *cert.Certificate {
	t.Helper()
	serial, err := cert.NewSerialNumber(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = serial
	der, err := cert.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cert.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pkiCount numbers the test PKIs, to give each its own names.
var pkiCount atomic.Int64

// newTestPKI makes a root and an intermediate with keys on params, and
// names no other test PKI has.
func newTestPKI(t testing.TB, params *gost3410.Params) *testPKI {
	t.Helper()
	n := pkiCount.Add(1)
	return newTestPKINamed(t, params, fmt.Sprintf("cms test root %d %s", n, params.Name()), fmt.Sprintf("cms test intermediate %d %s", n, params.Name()))
}

// newTestPKINamed makes a root and an intermediate called rootCN and
// interCN.
func newTestPKINamed(t testing.TB, params *gost3410.Params, rootCN, interCN string) *testPKI {
	t.Helper()
	p := &testPKI{rootKey: newTestKey(t, params), interKey: newTestKey(t, params)}
	rootTmpl := &cert.Certificate{
		Subject:               cert.Name{Country: "RU", Organization: "Тестовый УЦ", CommonName: rootCN},
		NotBefore:             testNow.AddDate(-2, 0, 0),
		NotAfter:              testNow.AddDate(10, 0, 0),
		BasicConstraintsValid: true,
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	p.root = createCert(t, rootTmpl, rootTmpl, p.rootKey.PublicKey(), p.rootKey)
	p.inter = createCert(t, &cert.Certificate{
		Subject:               cert.Name{Country: "RU", Organization: "Тестовый УЦ", CommonName: interCN},
		NotBefore:             testNow.AddDate(-2, 0, 0),
		NotAfter:              testNow.AddDate(5, 0, 0),
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, p.root, p.interKey.PublicKey(), p.rootKey)
	return p
}

// leafOptions change a leaf certificate from its defaults: valid an hour
// before testNow to a year after, digitalSignature and nonRepudiation.
type leafOptions struct {
	notBefore, notAfter time.Time
	keyUsage            x509.KeyUsage
}

// issue makes a leaf certificate for a new key on params, issued by the
// intermediate.
func (p *testPKI) issue(t testing.TB, params *gost3410.Params, cn string, o *leafOptions) (*cert.Certificate, *gost3410.PrivateKey) {
	t.Helper()
	if o == nil {
		o = &leafOptions{}
	}
	tmpl := &cert.Certificate{
		Subject:   cert.Name{Country: "RU", CommonName: cn, Surname: "Иванов", GivenName: "Иван Иванович"},
		NotBefore: o.notBefore,
		NotAfter:  o.notAfter,
		KeyUsage:  o.keyUsage,
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = testNow.Add(-time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = testNow.AddDate(1, 0, 0)
	}
	if tmpl.KeyUsage == 0 {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	}
	key := newTestKey(t, params)
	return createCert(t, tmpl, p.inter, key.PublicKey(), p.interKey), key
}

// newSigner returns a Signer embedding the PKI's intermediate, signing at
// testNow unless clock says otherwise.
func (p *testPKI) newSigner(t testing.TB, c *cert.Certificate, key *gost3410.PrivateKey, clock func() time.Time) *cms.Signer {
	t.Helper()
	if clock == nil {
		clock = func() time.Time { return testNow }
	}
	s, err := cms.NewSigner(key, c, &cms.SignerOptions{Certificates: []*cert.Certificate{p.inter}, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signer is a test PKI with one signer.
type signer struct {
	pki  *testPKI
	cert *cert.Certificate
	key  *gost3410.PrivateKey
	s    *cms.Signer
}

func newTestSigner(t testing.TB, params *gost3410.Params, cn string) *signer {
	t.Helper()
	p := newTestPKI(t, params)
	c, key := p.issue(t, params, cn, nil)
	return &signer{pki: p, cert: c, key: key, s: p.newSigner(t, c, key, nil)}
}

func (s *signer) opts() cms.VerifyOptions {
	return cms.VerifyOptions{Roots: []*cert.Certificate{s.pki.root}, CurrentTime: testNow}
}

func signDetached(t testing.TB, s *cms.Signer, content []byte) []byte {
	t.Helper()
	der, err := s.SignDetached(bytes.NewReader(content))
	if err != nil {
		t.Fatalf("SignDetached: %v", err)
	}
	return der
}

func signAttached(t testing.TB, s *cms.Signer, content []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := s.SignAttached(&buf, bytes.NewReader(content), int64(len(content))); err != nil {
		t.Fatalf("SignAttached: %v", err)
	}
	return buf.Bytes()
}

func parse(t testing.TB, der []byte) *cms.SignedData {
	t.Helper()
	sd, err := cms.Parse(der)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return sd
}

// contentReader returns nil for an attached signature and content as a
// reader for a detached one, as Verify and CoSign want.
func contentReader(sd *cms.SignedData, content []byte) io.Reader {
	if sd.Detached {
		return bytes.NewReader(content)
	}
	return nil
}

// verify runs sd.Verify, passing content when sd is detached.
func verify(sd *cms.SignedData, content []byte, opts cms.VerifyOptions) ([]*cms.SignerResult, error) {
	return sd.Verify(contentReader(sd, content), opts)
}

// readCertPEM reads the first certificate of a PEM file.
func readCertPEM(t testing.TB, path string) *cert.Certificate {
	t.Helper()
	block, _ := pem.Decode(testkit.ReadFile(t, path))
	if block == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	c, err := cert.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c
}

// document returns n bytes of test content.
func document(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}
