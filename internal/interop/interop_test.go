package interop

import (
	"bytes"
	"path/filepath"
	"testing"
)

// TestTools runs both tools once: the finders must accept what make test
// installs, and Run must pass arguments and report failures.
func TestTools(t *testing.T) {
	ossl := OpenSSL(t)
	if out := ossl.Run(t, []byte("abc"), "dgst", "-md_gost12_256"); !bytes.Contains(out, []byte("4e2919cf137ed41ec4fb6270c61826cc4fffb660341e0af3688cd0626d23b481")) {
		t.Errorf("openssl dgst -md_gost12_256 of \"abc\" printed %q", out)
	}
	if _, err := ossl.Try(nil, "dgst", "-no-such-option"); err == nil {
		t.Error("Try reported no error for a bad option")
	}
	// Combined carries the verdicts OpenSSL prints on standard error.
	dir := t.TempDir()
	key, csr := filepath.Join(dir, "key.pem"), filepath.Join(dir, "req.pem")
	ossl.Run(t, nil, "genpkey", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A", "-out", key)
	ossl.Run(t, nil, "req", "-new", "-key", key, "-md_gost12_256", "-subj", "/CN=interop", "-out", csr)
	if out, err := ossl.Combined(nil, "req", "-verify", "-noout", "-in", csr); err != nil || !bytes.Contains(out, []byte("verify OK")) {
		t.Errorf("Combined(req -verify) = %q, %v", out, err)
	}
	ct := CertTool(t)
	if _, err := ct.Try(nil, "--no-such-option"); err == nil {
		t.Error("certtool accepted a bad option")
	}
}
