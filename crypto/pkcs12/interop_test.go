package pkcs12

import (
	"bytes"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/internal/interop"
)

// interopParams are the parameter sets the OpenSSL tests run on: 256- and
// 512-bit, Weierstrass and twisted Edwards.
var interopParams = []*gost3410.Params{
	gost3410.ParamsCryptoProA(),
	gost3410.ParamsCryptoProB(),
	gost3410.ParamsTC26256A(),
	gost3410.ParamsTC26512A(),
	gost3410.ParamsTC26512B(),
	gost3410.ParamsTC26512C(),
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// pemBlocks returns the DER of the PEM blocks of type typ in out.
func pemBlocks(out []byte, typ string) [][]byte {
	var ders [][]byte
	for {
		var b *pem.Block
		b, out = pem.Decode(out)
		if b == nil {
			return ders
		}
		if b.Type == typ {
			ders = append(ders, b.Bytes)
		}
	}
}

// TestOpenSSLReadsOurs checks that "openssl pkcs12 -nodes" opens what
// Encode writes and gives back our key and certificates.
func TestOpenSSLReadsOurs(t *testing.T) {
	ossl := interop.OpenSSL(t)
	for _, params := range interopParams {
		t.Run(params.Name(), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			key, leaf, chain := testChain(t, params)
			pfx, err := Encode(rand.Reader, key, leaf, chain, []byte("пароль"), &Options{Iterations: 2048, FriendlyName: "my key"})
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "ours.p12")
			writeFile(t, file, pfx)
			writeFile(t, filepath.Join(dir, "pass"), []byte("пароль\n"))
			writeFile(t, filepath.Join(dir, "wrong"), []byte("Пароль\n"))
			out := ossl.Run(t, nil, "pkcs12", "-in", file, "-nodes", "-passin", "file:"+filepath.Join(dir, "pass"))
			keys := pemBlocks(out, "PRIVATE KEY")
			if len(keys) != 1 {
				t.Fatalf("openssl printed %d keys:\n%s", len(keys), out)
			}
			got, err := gost3410.ParsePKCS8PrivateKey(keys[0])
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(key) || !got.PublicKey().Equal(key.Public()) {
				t.Error("openssl gives back another key")
			}
			certs := pemBlocks(out, "CERTIFICATE")
			if len(certs) != 2 || !bytes.Equal(certs[0], leaf) || !bytes.Equal(certs[1], chain[0]) {
				t.Errorf("openssl gives back %d certificates, not ours", len(certs))
			}
			if !strings.Contains(string(out), "friendlyName: my key") {
				t.Errorf("no friendly name in openssl's output:\n%s", out)
			}
			if _, err := ossl.Try(nil, "pkcs12", "-in", file, "-nodes", "-passin", "file:"+filepath.Join(dir, "wrong")); err == nil {
				t.Error("openssl opened our PFX with a wrong password")
			}
		})
	}
}

// TestOpenSSLCTRACPKM checks the Kuznyechik and Magma CTR-ACPKM schemes
// both ways with "openssl pkcs12", with a chain long enough that the
// certificates span several ACPKM sections.
func TestOpenSSLCTRACPKM(t *testing.T) {
	ossl := interop.OpenSSL(t)
	key, leaf, chain := testChain(t, gost3410.ParamsTC26256A())
	for len(chain) < 12 {
		_, c, _ := testChain(t, gost3410.ParamsTC26256A())
		chain = append(chain, c)
	}
	for _, tc := range []struct {
		name   string
		cipher Cipher
	}{{"kuznyechik-ctr-acpkm", CipherKuznyechikCTRACPKM}, {"magma-ctr-acpkm", CipherMagmaCTRACPKM}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "pass"), []byte("пароль\n"))
			pass := "file:" + filepath.Join(dir, "pass")

			// Ours, read by OpenSSL.
			pfx, err := Encode(rand.Reader, key, leaf, chain, []byte("пароль"), &Options{Iterations: 2048, Cipher: tc.cipher})
			if err != nil {
				t.Fatal(err)
			}
			ours := filepath.Join(dir, "ours.p12")
			writeFile(t, ours, pfx)
			out := ossl.Run(t, nil, "pkcs12", "-in", ours, "-nodes", "-passin", pass)
			keys, certs := pemBlocks(out, "PRIVATE KEY"), pemBlocks(out, "CERTIFICATE")
			if len(keys) != 1 || len(certs) != 1+len(chain) {
				t.Fatalf("openssl gives back %d keys and %d certificates", len(keys), len(certs))
			}
			if got, err := gost3410.ParsePKCS8PrivateKey(keys[0]); err != nil || !got.Equal(key) {
				t.Errorf("openssl gives back another key: %v", err)
			}
			for i, c := range append([][]byte{leaf}, chain...) {
				if !bytes.Equal(certs[i], c) {
					t.Errorf("certificate %d differs", i)
				}
			}

			// OpenSSL's, read by ours: the same key and certificates.
			keyFile, certFile, chainFile, theirs := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "chain.pem"), filepath.Join(dir, "theirs.p12")
			writeFile(t, keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keys[0]}))
			writeFile(t, certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf}))
			var chainPEM []byte
			for _, c := range chain {
				chainPEM = append(chainPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c})...)
			}
			writeFile(t, chainFile, chainPEM)
			ossl.Run(t, nil, "pkcs12", "-export", "-inkey", keyFile, "-in", certFile, "-certfile", chainFile,
				"-keypbe", tc.name, "-certpbe", tc.name, "-macalg", "md_gost12_512", "-passout", pass, "-out", theirs)
			der, err := os.ReadFile(theirs)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Decode(der, []byte("пароль"))
			if err != nil {
				t.Fatal(err)
			}
			if !c.Key.Equal(key) || !bytes.Equal(c.Certificate, leaf) || len(c.Chain) != len(chain) {
				t.Fatalf("key %v, certificate %v, chain of %d", c.Key.Equal(key), bytes.Equal(c.Certificate, leaf), len(c.Chain))
			}
		})
	}
}

// engineParamset names our parameter sets for the GOST engine's genpkey.
var engineParamset = map[string][2]string{
	"cryptopro-a": {"gost2012_256", "A"},
	"cryptopro-b": {"gost2012_256", "B"},
	"tc26-256-a":  {"gost2012_256", "TCA"},
	"tc26-512-a":  {"gost2012_512", "A"},
	"tc26-512-b":  {"gost2012_512", "B"},
	"tc26-512-c":  {"gost2012_512", "C"},
}

// TestDecodeOpenSSL opens what "openssl pkcs12 -export -keypbe gost89
// -certpbe gost89" writes, with both MAC digests, and with the MAC keyed
// the RFC 7292 way (OpenSSL does that when LEGACY_GOST_PKCS12 is set).
func TestDecodeOpenSSL(t *testing.T) {
	ossl := interop.OpenSSL(t)
	for _, params := range interopParams {
		for _, mac := range []string{"md_gost12_512", "md_gost12_256", "md_gost12_512/legacy"} {
			t.Run(params.Name()+"/"+mac, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				alg := engineParamset[params.Name()]
				keyFile, certFile, pfxFile := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "o.p12")
				ossl.Run(t, nil, "genpkey", "-algorithm", alg[0], "-pkeyopt", "paramset:"+alg[1], "-out", keyFile)
				ossl.Run(t, nil, "req", "-new", "-x509", "-key", keyFile, "-subj", "/CN=openssl", "-days", "10", "-out", certFile)
				writeFile(t, filepath.Join(dir, "pass"), []byte("пароль\n"))
				digest, legacy := strings.CutSuffix(mac, "/legacy")
				export := ossl.Command("pkcs12", "-export", "-inkey", keyFile, "-in", certFile, "-name", "имя",
					"-keypbe", "gost89", "-certpbe", "gost89", "-macalg", digest, "-passout", "file:"+filepath.Join(dir, "pass"), "-out", pfxFile)
				if legacy {
					export.Env = append(export.Env, "LEGACY_GOST_PKCS12=1")
				}
				if out, err := export.CombinedOutput(); err != nil {
					t.Fatalf("openssl pkcs12 -export: %v: %s", err, out)
				}
				pfx, err := os.ReadFile(pfxFile)
				if err != nil {
					t.Fatal(err)
				}
				c, err := Decode(pfx, []byte("пароль"))
				if err != nil {
					t.Fatal(err)
				}
				wantKey, err := gost3410.ParsePKCS8PrivateKey(ossl.Run(t, nil, "pkey", "-in", keyFile, "-outform", "DER"))
				if err != nil {
					t.Fatal(err)
				}
				wantCert := pemBlocks(ossl.Run(t, nil, "x509", "-in", certFile), "CERTIFICATE")[0]
				checkContents(t, c, wantKey, wantCert, nil, "имя")
				if _, err := Decode(pfx, []byte("Пароль")); !errors.Is(err, ErrIncorrectPassword) {
					t.Errorf("wrong password: %v, want ErrIncorrectPassword", err)
				}
			})
		}
	}
}

// certtoolParams are the curves GnuTLS knows, by certtool's name.
var certtoolParams = []struct {
	params          *gost3410.Params
	keyType, curves string
}{
	{gost3410.ParamsCryptoProA(), "gost12-256", "CryptoPro-A"},
	{gost3410.ParamsTC26512A(), "gost12-512", "TC26-512-A"},
}

// TestCertToolReadsOurs checks that "certtool --p12-info" verifies the MAC
// of what Encode writes and decrypts its bags, and that it refuses a wrong
// password.
func TestCertToolReadsOurs(t *testing.T) {
	ct := interop.CertTool(t)
	for _, tc := range certtoolParams {
		t.Run(tc.params.Name(), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			key, leaf, chain := testChain(t, tc.params)
			pfx, err := Encode(rand.Reader, key, leaf, chain, []byte("secret"), &Options{Iterations: 2048, FriendlyName: "name"})
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "ours.p12")
			writeFile(t, file, pfx)
			out := ct.Run(t, nil, "--p12-info", "--inder", "--infile", file, "--password", "secret")
			s := string(out)
			for _, want := range []string{"MAC: STREEBOG-512", "GOST28147-TC26Z-CFB", "Type: PKCS #8 Encrypted key", "Friendly name: name"} {
				if !strings.Contains(s, want) {
					t.Errorf("certtool's output lacks %q:\n%s", want, s)
				}
			}
			if n := strings.Count(s, "BEGIN CERTIFICATE"); n != 2 {
				t.Errorf("certtool printed %d certificates", n)
			}
			if _, err := ct.Try(nil, "--p12-info", "--inder", "--infile", file, "--password", "wrong"); err == nil {
				t.Error("certtool opened our PFX with a wrong password")
			}
		})
	}
}

// TestDecodeCertTool opens what "certtool --to-p12 --pkcs-cipher
// gost28147-tc26z --hash STREEBOG-512" writes.
func TestDecodeCertTool(t *testing.T) {
	if testing.Short() {
		t.Skip("certtool's PFX files take 600,000 PBKDF2 iterations to open, tens of seconds; make test runs this")
	}
	ct := interop.CertTool(t)
	for _, tc := range certtoolParams {
		t.Run(tc.params.Name(), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			keyFile, certFile, tmpl, pfxFile := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "tmpl"), filepath.Join(dir, "g.p12")
			writeFile(t, tmpl, []byte("cn = certtool\nexpiration_days = 10\n"))
			ct.Run(t, nil, "--generate-privkey", "--key-type", tc.keyType, "--curve", tc.curves, "--outfile", keyFile)
			ct.Run(t, nil, "--generate-self-signed", "--load-privkey", keyFile, "--template", tmpl, "--outfile", certFile)
			ct.Run(t, nil, "--to-p12", "--load-privkey", keyFile, "--load-certificate", certFile, "--pkcs-cipher", "gost28147-tc26z",
				"--hash", "STREEBOG-512", "--password", "secret", "--p12-name", "gnutls", "--outder", "--outfile", pfxFile)
			pfx, err := os.ReadFile(pfxFile)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Decode(pfx, []byte("secret"))
			if err != nil {
				t.Fatal(err)
			}
			if c.Key.Params() != tc.params {
				t.Errorf("key on %v, want %v", c.Key.Params(), tc.params)
			}
			certPEM, _ := os.ReadFile(certFile)
			wantCert := pemBlocks(certPEM, "CERTIFICATE")[0]
			if !bytes.Equal(c.Certificate, wantCert) || len(c.Chain) != 0 || c.FriendlyName != "gnutls" {
				t.Errorf("certificate match %v, chain %d, name %q", bytes.Equal(c.Certificate, wantCert), len(c.Chain), c.FriendlyName)
			}
			if _, err := Decode(pfx, []byte("Secret")); !errors.Is(err, ErrIncorrectPassword) {
				t.Errorf("wrong password: %v, want ErrIncorrectPassword", err)
			}
		})
	}
}
