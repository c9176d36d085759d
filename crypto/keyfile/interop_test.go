package keyfile

import (
	"github.com/gostca/gostca/internal/testkit"
	"os"
	"path/filepath"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/internal/interop"
)

// TestOpenSSLInterop checks that OpenSSL with the GOST engine reads the
// encrypted key files Write makes (with DefaultIterations, except in -short
// and -race runs), and that Read reads the ones OpenSSL
// encrypts with the Streebog PRF, taking the passphrase from a file.
func TestOpenSSLInterop(t *testing.T) {
	ossl := interop.OpenSSL(t)
	for _, params := range []*gost3410.Params{gost3410.ParamsTC26256A(), gost3410.ParamsTC26512A()} {
		t.Run(params.String(), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := func(name string) string { return filepath.Join(dir, name) }
			if err := os.WriteFile(path("pass.txt"), []byte("correct horse\n"), 0o600); err != nil {
				t.Fatal(err)
			}

			// Ours, read by OpenSSL: it must derive our public key.
			key := newKey(t, params)
			if err := Write(path("ours.pem"), key, []byte("correct horse"), writeOptions()); err != nil {
				t.Fatal(err)
			}
			ossl.Run(t, nil, "pkey", "-in", path("ours.pem"), "-passin", "file:"+path("pass.txt"), "-pubout", "-out", path("ours-pub.pem"))
			derived, err := gost3410.ParsePKIXPublicKey(testkit.ReadPEM(t, path("ours-pub.pem"), "PUBLIC KEY"))
			if err != nil {
				t.Fatal(err)
			}
			if !derived.Equal(key.Public()) {
				t.Fatal("OpenSSL decrypts our key file to another key")
			}

			// OpenSSL's, read by ours.
			ossl.Run(t, nil, "pkey", "-in", path("ours.pem"), "-passin", "file:"+path("pass.txt"), "-out", path("plain.pem"))
			ossl.Run(t, nil, "pkcs8", "-topk8", "-in", path("plain.pem"), "-out", path("theirs.pem"),
				"-v2", "aes-256-cbc", "-v2prf", "HMAC GOST 34.11-2012 512 bit", "-passout", "file:"+path("pass.txt"))
			if err := os.Chmod(path("theirs.pem"), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := Read(path("theirs.pem"), FromFile(path("pass.txt")))
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(key) {
				t.Fatal("OpenSSL's key file reads as another key")
			}
		})
	}
}
