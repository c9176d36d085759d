package pkcs12

import (
	"bytes"
	"encoding/pem"
	"errors"
	"os"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
)

// readExample returns the standard's example container and certificate.
func readExample(t testing.TB) (pfx, cert []byte) {
	t.Helper()
	data, err := os.ReadFile("testdata/rfc9548-example.p12.pem")
	if err != nil {
		t.Fatal(err)
	}
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		switch b.Type {
		case "PKCS12":
			pfx = b.Bytes
		case "CERTIFICATE":
			cert = b.Bytes
		}
	}
	if pfx == nil || cert == nil {
		t.Fatal("testdata/rfc9548-example.p12.pem: missing a PEM block")
	}
	return pfx, cert
}

// TestStandardExample opens the example container of R 50.1.112-2016
// (RFC 9548) Appendix A with its password: the MAC verifies, and the key is
// the published certificate's (CryptoPro-A, 1.2.643.2.2.35.1).
func TestStandardExample(t *testing.T) {
	pfx, cert := readExample(t)
	c, err := Decode(pfx, []byte("Пароль для PFX"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Key.Params() != gost3410.ParamsCryptoProA() {
		t.Errorf("key on %v, want cryptopro-a", c.Key.Params())
	}
	if !bytes.Equal(c.Certificate, cert) {
		t.Error("the certificate is not the published one (or not paired with the key)")
	}
	if !bytes.Equal(c.LocalKeyID, []byte{1, 0, 0, 0}) {
		t.Errorf("localKeyId %x, want 01000000", c.LocalKeyID)
	}
	if len(c.Chain) != 0 {
		t.Errorf("chain of %d", len(c.Chain))
	}
	for _, wrong := range []string{"", "пароль для PFX", "Пароль для PFX ", "Пароль"} {
		if _, err := Decode(pfx, []byte(wrong)); !errors.Is(err, ErrIncorrectPassword) {
			t.Errorf("password %q: %v, want ErrIncorrectPassword", wrong, err)
		}
	}
}

// TestGolden opens the PFX files that OpenSSL's GOST engine and GnuTLS
// certtool wrote (testdata/make.sh), offline: each gives back the key whose
// public key the tool printed, its certificate and its friendly name.
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		file, pub string
		params    *gost3410.Params
		name      string
		slow      bool // 600,000 iterations: about 5 s to open
	}{
		{"openssl-256-gost89.p12", "openssl-256.pub.pem", gost3410.ParamsCryptoProA(), "openssl 256", false},
		{"openssl-256-kuznyechik.p12", "openssl-256.pub.pem", gost3410.ParamsCryptoProA(), "openssl 256", false},
		{"openssl-512-gost89.p12", "openssl-512.pub.pem", gost3410.ParamsTC26512A(), "openssl 512", false},
		{"openssl-512-kuznyechik.p12", "openssl-512.pub.pem", gost3410.ParamsTC26512A(), "openssl 512", false},
		{"certtool-512.p12", "certtool-512.pub.pem", gost3410.ParamsTC26512A(), "certtool", true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			if tc.slow && testing.Short() {
				t.Skip("slow: certtool's iteration count")
			}
			der, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			pubPEM, err := os.ReadFile("testdata/" + tc.pub)
			if err != nil {
				t.Fatal(err)
			}
			spki := pemBlocks(pubPEM, "PUBLIC KEY")
			if len(spki) != 1 {
				t.Fatalf("%s: no PUBLIC KEY", tc.pub)
			}
			pub, err := gost3410.ParsePKIXPublicKey(spki[0])
			if err != nil {
				t.Fatal(err)
			}
			c, err := Decode(der, []byte("пароль"))
			if err != nil {
				t.Fatal(err)
			}
			if c.Key.Params() != tc.params || !c.Key.PublicKey().Equal(pub) {
				t.Errorf("key on %v, public key match %v", c.Key.Params(), c.Key.PublicKey().Equal(pub))
			}
			if c.Certificate == nil || len(c.Chain) != 0 || c.FriendlyName != tc.name {
				t.Errorf("certificate %v, chain of %d, name %q", c.Certificate != nil, len(c.Chain), c.FriendlyName)
			}
			if tc.slow {
				return
			}
			if _, err := Decode(der, []byte("Пароль")); !errors.Is(err, ErrIncorrectPassword) {
				t.Errorf("wrong password: %v", err)
			}
		})
	}
}
