//go:build cgo

package pkcs11_test

import (
	"bytes"
	"fmt"
	"github.com/gostca/gostca/internal/testkit"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/pkcs11"
	"github.com/gostca/gostca/crypto/streebog"
	"github.com/gostca/gostca/internal/interop"
)

// tokenKey makes a SoftHSM token holding a CryptoPro-A key, and opens the
// key through a URI as an operator would configure it.
func tokenKey(t *testing.T) *pkcs11.Key {
	t.Helper()
	tok := pkcs11.NewSoftToken(t, "gostca ca")
	pinFile := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(pinFile, tok.PIN, 0o600); err != nil {
		t.Fatal(err)
	}
	raw := fmt.Sprintf("pkcs11:token=gostca%%20ca;object=root%%20key;id=%%01%%02?module-path=%s&pin-source=file:%s", tok.Module, pinFile)
	u, err := pkcs11.ParseURI(raw)
	if err != nil {
		t.Fatal(err)
	}
	m, err := pkcs11.Open(raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if _, err := m.GenerateKey(u, gost3410.ParamsCryptoProA(), nil, nil); err != nil {
		t.Fatal(err)
	}
	k, err := m.FindKey(u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestOpenSSLVerifiesTokenSignature: OpenSSL's GOST engine verifies a
// signature made in the token over a message, with the public key as our
// gost3410 encodes it.
func TestOpenSSLVerifiesTokenSignature(t *testing.T) {
	ossl := interop.OpenSSL(t)
	k := tokenKey(t)
	dir := t.TempDir()
	msg := []byte("signed in a PKCS#11 token, verified by OpenSSL")
	h := streebog.New256()
	h.Write(msg)
	sig, err := k.Sign(nil, h.Sum(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := gost3410.MarshalPKIXPublicKey(k.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	pub := testkit.WritePEM(t, filepath.Join(dir, "pub.pem"), "PUBLIC KEY", spki)
	msgPath := filepath.Join(dir, "msg")
	sigPath := filepath.Join(dir, "sig")
	os.WriteFile(msgPath, msg, 0o600)
	os.WriteFile(sigPath, sig, 0o600)
	out, err := ossl.Combined(nil, "dgst", "-md_gost12_256", "-verify", pub, "-signature", sigPath, msgPath)
	if err != nil || !bytes.Contains(out, []byte("Verified OK")) {
		t.Fatalf("openssl dgst -verify: %v: %s", err, out)
	}
	// And refuses a signature of another message.
	os.WriteFile(msgPath, append(msg, '!'), 0o600)
	if out, _ := ossl.Combined(nil, "dgst", "-md_gost12_256", "-verify", pub, "-signature", sigPath, msgPath); bytes.Contains(out, []byte("Verified OK")) {
		t.Fatal("openssl verified the signature over another message")
	}
}

// TestCAWithTokenKey runs a CA whose key is in the token: it makes its
// root certificate, issues, revokes and signs a CRL; OpenSSL verifies the
// chain and the CRL and sees the revocation.
func TestCAWithTokenKey(t *testing.T) {
	ossl := interop.OpenSSL(t)
	k := tokenKey(t)
	root := catest.NewRoot(t, catest.WithConfig(func(c *ca.Config) { c.Signer = k }))
	if !root.Certificate().PublicKey.Equal(k.Public()) {
		t.Fatal("the root certificate does not certify the token's key")
	}
	var leaves []*cert.Certificate
	for i := range 2 {
		csr, _ := catest.NewCSR(t, gost3410.ParamsTC26256A(), cert.Name{CommonName: fmt.Sprintf("subscriber %d", i), Country: "RU"})
		c, err := root.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileSignature, RequestID: fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		leaves = append(leaves, c)
	}
	if err := root.Revoke(leaves[1].SerialNumber, cert.ReasonKeyCompromise, leaves[1].NotBefore); err != nil {
		t.Fatal(err)
	}
	crl, err := root.CRL(false)
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	rootPEM := testkit.WritePEM(t, filepath.Join(dir, "root.pem"), "CERTIFICATE", root.Certificate().Raw)
	crlPEM := testkit.WritePEM(t, filepath.Join(dir, "root.crl"), "X509 CRL", crl)
	good := testkit.WritePEM(t, filepath.Join(dir, "good.pem"), "CERTIFICATE", leaves[0].Raw)
	revoked := testkit.WritePEM(t, filepath.Join(dir, "revoked.pem"), "CERTIFICATE", leaves[1].Raw)

	ossl.Run(t, nil, "verify", "-CAfile", rootPEM, rootPEM)
	ossl.Run(t, nil, "verify", "-CAfile", rootPEM, good, revoked)
	if out, _ := ossl.Combined(nil, "crl", "-noout", "-in", crlPEM, "-CAfile", rootPEM); !bytes.Contains(out, []byte("verify OK")) {
		t.Fatalf("openssl crl: %s", out)
	}
	text := string(ossl.Run(t, nil, "crl", "-in", crlPEM, "-noout", "-text"))
	if serial := fmt.Sprintf("%X", leaves[1].SerialNumber.Bytes()); !strings.Contains(text, serial) || !strings.Contains(text, "Key Compromise") {
		t.Errorf("openssl crl -text does not list %s as key compromise:\n%s", serial, text)
	}
	ossl.Run(t, nil, "verify", "-crl_check", "-CAfile", rootPEM, "-CRLfile", crlPEM, good)
	if out, err := ossl.Try(nil, "verify", "-crl_check", "-CAfile", rootPEM, "-CRLfile", crlPEM, revoked); err == nil || !strings.Contains(err.Error(), "certificate revoked") {
		t.Errorf("openssl verify -crl_check of the revoked certificate: %s, %v", out, err)
	}
}
