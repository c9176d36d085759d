package cert

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/crypto/gost3410"
)

// refNow is the reference time of the tests: every test certificate is
// valid around it, and Verify is run at it.
var refNow = time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)

// testParamSets are the parameter sets the certificate tests run on: one
// 256-bit and one 512-bit set.
func testParamSets() []*gost3410.Params {
	return []*gost3410.Params{gost3410.ParamsTC26256A(), gost3410.ParamsTC26512A()}
}

func newTestKey(t testing.TB, params *gost3410.Params) *gost3410.PrivateKey {
	t.Helper()
	key, err := gost3410.GenerateKey(params, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func newTestSerial(t testing.TB) *big.Int {
	t.Helper()
	serial, err := NewSerialNumber(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return serial
}

// newTestCA makes a self-signed root CA (keyCertSign and cRLSign) on params,
// valid from a year before refNow to ten years after.
func newTestCA(t testing.TB, params *gost3410.Params) (*Certificate, *gost3410.PrivateKey) {
	t.Helper()
	key := newTestKey(t, params)
	tmpl := &Certificate{
		SerialNumber:          newTestSerial(t),
		Subject:               Name{Country: "RU", Organization: "Тестовый УЦ", CommonName: "Test Root " + params.Name()},
		NotBefore:             refNow.AddDate(-1, 0, 0),
		NotAfter:              refNow.AddDate(10, 0, 0),
		BasicConstraintsValid: true,
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	return mustCreate(t, tmpl, tmpl, key.PublicKey(), key), key
}

// newTestIntermediate makes a CA certificate for a new key on params, issued
// by parent; edit, if not nil, adjusts the template first.
func newTestIntermediate(t testing.TB, parent *Certificate, parentKey *gost3410.PrivateKey, params *gost3410.Params, name string, edit func(*Certificate)) (*Certificate, *gost3410.PrivateKey) {
	t.Helper()
	key := newTestKey(t, params)
	tmpl := &Certificate{
		SerialNumber:          newTestSerial(t),
		Subject:               Name{Country: "RU", Organization: "Тестовый УЦ", CommonName: name},
		NotBefore:             refNow.AddDate(-1, 0, 0),
		NotAfter:              refNow.AddDate(5, 0, 0),
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            -1,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	if edit != nil {
		edit(tmpl)
	}
	return mustCreate(t, tmpl, parent, key.PublicKey(), parentKey), key
}

// newTestLeaf makes an end-entity certificate for a new key on params.
func newTestLeaf(t testing.TB, parent *Certificate, parentKey *gost3410.PrivateKey, params *gost3410.Params, edit func(*Certificate)) (*Certificate, *gost3410.PrivateKey) {
	t.Helper()
	key := newTestKey(t, params)
	tmpl := &Certificate{
		SerialNumber: newTestSerial(t),
		Subject:      Name{Country: "RU", CommonName: "Иванов Иван Иванович", SNILS: "11223344595"},
		NotBefore:    refNow.AddDate(0, -1, 0),
		NotAfter:     refNow.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	if edit != nil {
		edit(tmpl)
	}
	return mustCreate(t, tmpl, parent, key.PublicKey(), parentKey), key
}

// mustCreate creates and parses a certificate.
func mustCreate(t testing.TB, tmpl, parent *Certificate, pub *gost3410.PublicKey, signer *gost3410.PrivateKey) *Certificate {
	t.Helper()
	der, err := CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatalf("CreateCertificate(%s): %v", tmpl.Subject.String(), err)
	}
	c, err := ParseCertificate(der)
	if err != nil {
		t.Fatalf("ParseCertificate(%s): %v", tmpl.Subject.String(), err)
	}
	return c
}

// Short names for the test files.
type (
	asnOID    = asn1.ObjectIdentifier
	cbBuilder = cryptobyte.Builder
)

const cbSEQUENCE = cbasn1.SEQUENCE
