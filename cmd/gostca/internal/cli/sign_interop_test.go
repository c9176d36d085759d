package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/internal/interop"
)

// The verdicts of OpenSSL 3.0's "cms -verify", on standard error.
const (
	opensslVerified = "Verification successful"
	opensslFailed   = "Verification failure"
)

// signKeyTypes are the key types the interop tests sign with: 256-bit
// CryptoPro-A (the only one SoftHSM2 tokens make) and TC26-A, and 512-bit.
var signKeyTypes = []string{"gost2012-256:A", "gost2012-256:TCA", "gost2012-512:A", "gost2012-512:C"}

// TestOpenSSLVerifiesSign has OpenSSL's GOST engine verify what 'gostca
// sign' writes: detached and attached, DER and PEM, and a co-signature,
// on 256- and 512-bit keys; and refuse a changed document.
func TestOpenSSLVerifiesSign(t *testing.T) {
	o := interop.OpenSSL(t)
	for _, keyType := range signKeyTypes {
		t.Run(keyType, func(t *testing.T) {
			dir := t.TempDir()
			s := newSigner(t, dir, keyType, keyType)
			root := filepath.Join(s.vars["GOSTCA_DIR"], certName)
			doc := writeDoc(t, dir, "doc.bin", 100000)
			changed := writeDoc(t, dir, "changed.bin", 99999)
			cosigner := newSigner(t, filepath.Join(dir, "co"), "gost2012-256:A", "gost2012-256:B")
			for _, tc := range []struct {
				name     string
				args     []string
				inform   string
				detached bool
			}{
				{"detached DER", nil, "DER", true},
				{"detached PEM", []string{"--pem"}, "PEM", true},
				{"attached DER", []string{"--attached"}, "DER", false},
				{"attached PEM", []string{"--attached", "--pem"}, "PEM", false},
			} {
				t.Run(tc.name, func(t *testing.T) {
					sig := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".sig")
					s.run(append([]string{"sign", "--key", s.key, "--cert", s.cert, "--out", sig, doc}, tc.args...)...)
					content := ""
					if tc.detached {
						content = doc
					}
					if ok, text := opensslCMSVerify(t, o, sig, tc.inform, root, content, doc); !ok {
						t.Fatalf("OpenSSL refused gostca's signature:\n%s", text)
					}
					if tc.detached {
						if ok, _ := opensslCMSVerify(t, o, sig, tc.inform, root, changed, doc); ok {
							t.Fatal("OpenSSL accepted a changed document")
						}
					}
					// A co-signature by a signer of another CA: OpenSSL
					// checks both, with both roots.
					both := sig + ".both"
					args := []string{"sign", "--key", cosigner.key, "--cert", cosigner.cert, "--cosign", sig, "--out", both}
					if tc.detached {
						args = append(args, doc)
					}
					cosigner.run(args...)
					roots := filepath.Join(dir, "roots.pem")
					writeRoots(t, roots, root, filepath.Join(cosigner.vars["GOSTCA_DIR"], certName))
					if ok, text := opensslCMSVerify(t, o, both, tc.inform, roots, content, doc); !ok {
						t.Fatalf("OpenSSL refused the co-signed signature:\n%s", text)
					}
				})
			}
		})
	}
}

// TestVerifySignatureOfOpenSSL has OpenSSL's GOST engine sign with a key
// and certificate gostca made, and 'gostca verify-signature' verify the
// result: detached, attached, streamed (BER), PEM, CAdES.
func TestVerifySignatureOfOpenSSL(t *testing.T) {
	o := interop.OpenSSL(t)
	for _, keyType := range signKeyTypes {
		t.Run(keyType, func(t *testing.T) {
			dir := t.TempDir()
			s := newSigner(t, dir, "gost2012-256:A", keyType)
			doc := writeDoc(t, dir, "doc.bin", 10000)
			changed := writeDoc(t, dir, "changed.bin", 9999)
			for _, tc := range []struct {
				name     string
				args     []string
				detached bool
			}{
				{"detached", []string{"-outform", "DER"}, true},
				{"detached cades", []string{"-outform", "DER", "-cades"}, true},
				{"attached", []string{"-outform", "DER", "-nodetach"}, false},
				{"attached stream", []string{"-outform", "DER", "-nodetach", "-stream"}, false},
				{"attached PEM", []string{"-outform", "PEM", "-nodetach"}, false},
			} {
				t.Run(tc.name, func(t *testing.T) {
					sig := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".sig")
					o.Run(t, nil, append([]string{"cms", "-sign", "-engine", "gost", "-binary", "-in", doc,
						"-signer", s.cert, "-inkey", s.key, "-out", sig}, tc.args...)...)
					args := []string{"verify-signature", sig, "--ledger"}
					if tc.detached {
						args = append(args, "--content", doc)
					}
					code, out, errs := execute(t, s.vars, args...)
					if code != ExitOK || !strings.Contains(out, "signature 1: valid\n") || !strings.Contains(out, "  signer:       Иванов Иван Иванович, SNILS 112-233-445 95\n") ||
						!strings.Contains(out, "  at signing:   not revoked\n") || errs != "" {
						t.Fatalf("exit %d\n%s%s", code, out, errs)
					}
					if !tc.detached {
						return
					}
					code, out, errs = execute(t, s.vars, "verify-signature", sig, "--ledger", "--content", changed)
					if code != ExitError || !strings.Contains(out, "signature 1: invalid\n") || !strings.Contains(errs, "the document was changed after it was signed") {
						t.Fatalf("changed document: exit %d\n%s%s", code, out, errs)
					}
				})
			}
		})
	}
}

// opensslCMSVerify runs "openssl cms -verify" on sig (DER or PEM, by
// inform) with the roots in caFile and the detached content if not empty,
// and reports whether OpenSSL printed its success verdict, exited 0 and
// extracted want; and what it printed.
func opensslCMSVerify(t *testing.T, o *interop.Tool, sig, inform, caFile, content, want string) (bool, string) {
	t.Helper()
	out := sig + ".out"
	args := []string{"cms", "-verify", "-binary", "-inform", inform, "-in", sig, "-CAfile", caFile, "-out", out}
	if content != "" {
		args = append(args, "-content", content)
	}
	text, err := o.Combined(nil, args...)
	if err != nil || !bytes.Contains(text, []byte(opensslVerified)) || bytes.Contains(text, []byte(opensslFailed)) {
		return false, string(text)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	wantData, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(got, wantData), string(text)
}

// writeRoots concatenates PEM certificate files into path.
func writeRoots(t *testing.T, path string, files ...string) {
	t.Helper()
	var all []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if err := os.WriteFile(path, all, 0o644); err != nil {
		t.Fatal(err)
	}
}
