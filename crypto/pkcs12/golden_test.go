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
