package pkcs12

import (
	"bytes"
	"crypto/pbkdf2"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/internal/gostpbes2"
	"github.com/gostca/gostca/crypto/streebog"
	"golang.org/x/crypto/cryptobyte"
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

// rfc9548Example is one of the examples of RFC 9548 Appendix A
// (testdata/rfc9548-*.p12.pem): the PFX, the certificate and the
// PrivateKeyInfo it holds.
type rfc9548Example struct {
	pfx, cert, key []byte
}

func readRFC9548Example(t testing.TB, file string) rfc9548Example {
	t.Helper()
	data, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var ex rfc9548Example
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		switch b.Type {
		case "PKCS12":
			ex.pfx = b.Bytes
		case "CERTIFICATE":
			ex.cert = b.Bytes
		case "PRIVATE KEY":
			ex.key = b.Bytes
		}
	}
	if ex.pfx == nil || ex.cert == nil || ex.key == nil {
		t.Fatalf("testdata/%s: missing a PEM block", file)
	}
	return ex
}

// rfc9548Password is the examples' password.
var rfc9548Password = []byte("Пароль для PFX")

// TestRFC9548Examples opens the two examples of RFC 9548 Appendix A with
// their password: the one whose key bag is Kuznyechik CTR-ACPKM-OMAC (the
// certificate unencrypted), and the one whose certificates are Magma
// CTR-ACPKM-OMAC (the key bag Magma CTR-ACPKM). Each gives the published
// key (TC26 512-bit A, a version 1 PrivateKeyInfo with its public key) and
// certificate, with the bags' attributes.
func TestRFC9548Examples(t *testing.T) {
	for _, file := range []string{"rfc9548-kuznyechik.p12.pem", "rfc9548-magma.p12.pem"} {
		t.Run(file, func(t *testing.T) {
			ex := readRFC9548Example(t, file)
			want, err := gost3410.ParsePKCS8PrivateKey(ex.key)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Decode(ex.pfx, rfc9548Password)
			if err != nil {
				t.Fatal(err)
			}
			if c.Key.Params() != gost3410.ParamsTC26512A() || !c.Key.Equal(want) {
				t.Errorf("key on %v, equal to the published one: %v", c.Key.Params(), c.Key.Equal(want))
			}
			if !bytes.Equal(c.Certificate, ex.cert) || len(c.Chain) != 0 {
				t.Errorf("certificate equal to the published one: %v; chain of %d", bytes.Equal(c.Certificate, ex.cert), len(c.Chain))
			}
			if c.FriendlyName != "p12FriendlyName" {
				t.Errorf("friendly name %q", c.FriendlyName)
			}
			if hex.EncodeToString(c.LocalKeyID) != "795574f9d4b6e4c20224286998673ff00a14c04d" {
				t.Errorf("localKeyId %x", c.LocalKeyID)
			}
			for _, wrong := range []string{"", "пароль для PFX", "Пароль для PFX ", "Пароль"} {
				if _, err := Decode(ex.pfx, []byte(wrong)); !errors.Is(err, ErrIncorrectPassword) {
					t.Errorf("password %q: %v, want ErrIncorrectPassword", wrong, err)
				}
			}
		})
	}
}

// TestRFC9548Intermediate checks the examples step by step: the PBKDF2
// keys of each encrypted part and the MAC key (the values noted with the
// examples), and that encrypting each part's plaintext again under its
// own salt and ukm gives back the file's ciphertext and
// AlgorithmIdentifier byte for byte.
func TestRFC9548Intermediate(t *testing.T) {
	type part struct {
		what   string
		cipher gostpbes2.Cipher
		key    string // the PBKDF2 output
	}
	for _, tc := range []struct {
		file   string
		parts  []part // the EncryptedData contents, then the key bags
		macKey string
	}{
		{"rfc9548-kuznyechik.p12.pem", []part{
			{"key bag", gostpbes2.KuznyechikCTRACPKMOMAC, "4b7ae649ca31dd5fe3243a91a5188c03f1d7049bec8e0d241c0e1e8c39ea4c1f"},
		}, "a81d1bc91a4a5cf1fd7320f92dda7e5b285816c3b20826a382d7ed0cbf3a9bf4"},
		{"rfc9548-magma.p12.pem", []part{
			{"certificates", gostpbes2.MagmaCTRACPKMOMAC, "d066a96fb326ba896a2352d3f40240a4ded6e7e7bd5b4db6b5241d631c8c381c"},
			{"key bag", gostpbes2.MagmaCTRACPKM, "f840d001fd11441e0fb7ccf48f471915e5bf35275309dbe7ade9da4fe460ba7e"},
		}, "084f81782af1534ffd67e3c579c14cb45d7a6f659f46fdbb51a552e874e66fb2"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			ex := readRFC9548Example(t, tc.file)
			p, err := parsePFX(ex.pfx, MaxIterations)
			if err != nil {
				t.Fatal(err)
			}
			macKey, err := gostMACKey(p.macHash, rfc9548Password, p.macSalt, p.macIter)
			if err != nil || hex.EncodeToString(macKey) != tc.macKey {
				t.Errorf("MAC key %x, %v; want %s", macKey, err, tc.macKey)
			}
			encs := p.encData
			for _, sc := range p.plain {
				bags, err := parseSafeContents(sc, MaxIterations)
				if err != nil {
					t.Fatal(err)
				}
				for _, b := range bags {
					if b.key != nil {
						encs = append(encs, b.key)
					}
				}
			}
			if len(encs) != len(tc.parts) {
				t.Fatalf("%d encrypted parts, want %d", len(encs), len(tc.parts))
			}
			for i, want := range tc.parts {
				e := encs[i]
				if e.scheme.Cipher != want.cipher || e.scheme.PRF != gostpbes2.HMACStreebog512 || e.scheme.Iterations != 2048 || len(e.scheme.Salt) != 8 {
					t.Errorf("%s: %v, PRF %d, %d iterations, %d-byte salt", want.what, e.scheme.Cipher, e.scheme.PRF, e.scheme.Iterations, len(e.scheme.Salt))
				}
				key, err := pbkdf2.Key(streebog.New512, string(rfc9548Password), e.scheme.Salt, e.scheme.Iterations, 32)
				if err != nil || hex.EncodeToString(key) != want.key {
					t.Errorf("%s: PBKDF2 key %x, %v; want %s", want.what, key, err, want.key)
				}
				plain, err := e.scheme.Decrypt(rfc9548Password, e.ciphertext)
				if err != nil {
					t.Fatalf("%s: %v", want.what, err)
				}
				if len(plain) != len(e.ciphertext)-want.cipher.MACSize() {
					t.Errorf("%s: %d bytes from %d", want.what, len(plain), len(e.ciphertext))
				}
				if want.what == "key bag" && !bytes.Equal(plain, ex.key) {
					t.Errorf("key bag: decrypted to %x, not the published PrivateKeyInfo", plain)
				}
				again, err := e.scheme.Encrypt(rfc9548Password, plain)
				if err != nil || !bytes.Equal(again, e.ciphertext) {
					t.Errorf("%s: re-encrypted to different bytes (%v)", want.what, err)
				}
				var b cryptobyte.Builder
				e.scheme.AddAlgorithmIdentifier(&b)
				alg, err := b.Bytes()
				if err != nil || !bytes.Contains(ex.pfx, alg) {
					t.Errorf("%s: the AlgorithmIdentifier re-encodes to %x (%v), not in the file", want.what, alg, err)
				}
			}
		})
	}
}
