package pkcs8

import (
	"bytes"
	"encoding/pem"
	"errors"
	"github.com/gostca/gostca/internal/testkit"
	"os"
	"path/filepath"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/internal/interop"
)

// interopKeys are the key sizes the interop tests run on.
var interopKeys = []struct {
	name      string
	params    *gost3410.Params
	algorithm string // the GOST engine's genpkey -algorithm
	paramset  string // and its -pkeyopt paramset:
}{
	{"256", gost3410.ParamsTC26256A(), "gost2012_256", "TCA"},
	{"512", gost3410.ParamsTC26512A(), "gost2012_512", "A"},
}

// TestOpenSSLDecryptsOurs checks that OpenSSL with the GOST engine decrypts
// what Encrypt writes, to the same key.
func TestOpenSSLDecryptsOurs(t *testing.T) {
	ossl := interop.OpenSSL(t)
	ciphers := []struct {
		name   string
		cipher Cipher
	}{
		{"aes256", CipherAES256CBC}, {"gost89", CipherGOST28147},
		{"kuznyechik-ctr-acpkm", CipherKuznyechikCTRACPKM}, {"magma-ctr-acpkm", CipherMagmaCTRACPKM},
	}
	for _, k := range interopKeys {
		for _, c := range ciphers {
			t.Run(k.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				info := keyInfoFor(t, k.params)
				enc, err := Encrypt(randReader(), info, []byte("correct horse"), &Options{Iterations: 2048, Cipher: c.cipher})
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, filepath.Join(dir, "ours.pem"), pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: enc}))
				writeFile(t, filepath.Join(dir, "pass.txt"), []byte("correct horse\n"))
				writeFile(t, filepath.Join(dir, "wrong.txt"), []byte("correct horse!\n"))

				// OpenSSL re-encodes the key it decrypts (adding digestParamSet to
				// 512-bit keys), so compare keys, not bytes.
				out := ossl.Run(t, nil, "pkey", "-in", filepath.Join(dir, "ours.pem"), "-passin", "file:"+filepath.Join(dir, "pass.txt"), "-outform", "DER")
				got, err := gost3410.ParsePKCS8PrivateKey(out)
				if err != nil {
					t.Fatalf("OpenSSL's output %x: %v", out, err)
				}
				want, _ := gost3410.ParsePKCS8PrivateKey(info)
				if !got.Equal(want) {
					t.Fatalf("OpenSSL decrypts our key to %x, want %x", out, info)
				}
				if out, err := ossl.Try(nil, "pkey", "-in", filepath.Join(dir, "ours.pem"), "-passin", "file:"+filepath.Join(dir, "wrong.txt")); err == nil {
					t.Fatalf("OpenSSL decrypted our key with a wrong passphrase: %s", out)
				}
			})
		}
	}
}

// TestDecryptOpenSSL decrypts what OpenSSL with the GOST engine encrypts,
// with the Streebog PRF and with OpenSSL's default PRF, hmacWithSHA256.
func TestDecryptOpenSSL(t *testing.T) {
	ossl := interop.OpenSSL(t)
	variants := []struct {
		name string
		args []string
	}{
		{"streebog-aes256", []string{"-v2", "aes-256-cbc", "-v2prf", "HMAC GOST 34.11-2012 512 bit"}},
		{"sha256-aes256", []string{"-v2", "aes-256-cbc"}},
		{"sha256-aes128", []string{"-v2", "aes-128-cbc"}},
		{"sha512-aes192", []string{"-v2", "aes-192-cbc", "-v2prf", "hmacWithSHA512"}},
		{"streebog256-aes256", []string{"-v2", "aes-256-cbc", "-v2prf", "HMAC GOST 34.11-2012 256 bit"}},
		{"gost89", []string{"-v2", "gost89"}},
		{"streebog-gost89", []string{"-v2", "gost89", "-v2prf", "HMAC GOST 34.11-2012 512 bit"}},
		{"streebog256-gost89", []string{"-v2", "gost89", "-v2prf", "HMAC GOST 34.11-2012 256 bit"}},
		{"sha256-kuznyechik-ctr-acpkm", []string{"-v2", "kuznyechik-ctr-acpkm"}},
		{"streebog-kuznyechik-ctr-acpkm", []string{"-v2", "kuznyechik-ctr-acpkm", "-v2prf", "HMAC GOST 34.11-2012 512 bit"}},
		{"streebog-magma-ctr-acpkm", []string{"-v2", "magma-ctr-acpkm", "-v2prf", "HMAC GOST 34.11-2012 512 bit"}},
	}
	for _, k := range interopKeys {
		for _, v := range variants {
			t.Run(k.name+"/"+v.name, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				key, enc := filepath.Join(dir, "key.pem"), filepath.Join(dir, "enc.pem")
				writeFile(t, filepath.Join(dir, "pass.txt"), []byte("correct horse\n"))
				ossl.Run(t, nil, "genpkey", "-algorithm", k.algorithm, "-pkeyopt", "paramset:"+k.paramset, "-out", key)
				args := append([]string{"pkcs8", "-topk8", "-in", key, "-out", enc, "-passout", "file:" + filepath.Join(dir, "pass.txt")}, v.args...)
				ossl.Run(t, nil, args...)

				want := testkit.ReadPEM(t, key, "PRIVATE KEY")
				der := testkit.ReadPEM(t, enc, "ENCRYPTED PRIVATE KEY")
				if !IsEncrypted(der) {
					t.Error("IsEncrypted = false for OpenSSL's encrypted key")
				}
				got, err := Decrypt(der, []byte("correct horse"))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("Decrypt = %x, want %x", got, want)
				}
				priv, err := gost3410.ParsePKCS8PrivateKey(got)
				if err != nil {
					t.Fatal(err)
				}
				if priv.Params() != k.params {
					t.Fatalf("decrypted key is on %v, want %v", priv.Params(), k.params)
				}
				if _, err := Decrypt(der, []byte("correct horse!")); !errors.Is(err, ErrIncorrectPassphrase) {
					t.Fatalf("wrong passphrase: %v, want ErrIncorrectPassphrase", err)
				}
			})
		}
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
