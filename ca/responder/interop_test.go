package responder

import (
	"bytes"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/internal/interop"
)

// TestOpenSSLClient asks the responder with "openssl ocsp -url" and checks
// OpenSSL's verdict, for responses signed by the CA and by a delegated
// responder.
func TestOpenSSLClient(t *testing.T) {
	o := interop.OpenSSL(t)
	t.Run("ca", func(t *testing.T) { testOpenSSLClient(t, o, nil) })
	t.Run("delegated", func(t *testing.T) {
		testOpenSSLClient(t, o, func(c *Config) { c.Delegate = &Delegation{} })
	})
}

func testOpenSSLClient(t *testing.T, o *interop.Tool, mod func(*Config)) {
	f := newFixture(t, mod)
	dir := t.TempDir()
	write := func(name string, c *cert.Certificate) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	root := write("root.pem", f.cfg.Certificate)
	for _, tc := range []struct {
		name   string
		leaf   *cert.Certificate
		status string // as OpenSSL prints it after "LEAF: "
		reason string
	}{
		{"good", f.good, "good", ""},
		{"revoked", f.revoked, "revoked", "keyCompromise"},
		{"held", f.held, "revoked", "certificateHold"},
	} {
		leaf := write(tc.name+".pem", tc.leaf)
		for _, nonce := range []bool{true, false} {
			name := tc.name + "/nonce"
			args := []string{"ocsp", "-issuer", root, "-cert", leaf, "-url", f.server.URL + "/ocsp", "-CAfile", root}
			if !nonce {
				name = tc.name + "/no_nonce"
				args = append(args, "-no_nonce")
			}
			t.Run(name, func(t *testing.T) {
				out, err := o.Combined(nil, args...)
				if err != nil {
					t.Fatalf("openssl: %v\n%s", err, out)
				}
				for _, want := range []string{"Response verify OK", leaf + ": " + tc.status + "\n"} {
					if !bytes.Contains(out, []byte(want)) {
						t.Errorf("OpenSSL did not print %q:\n%s", want, out)
					}
				}
				if tc.reason != "" && !bytes.Contains(out, []byte("Reason: "+tc.reason)) {
					t.Errorf("OpenSSL did not print the reason %s:\n%s", tc.reason, out)
				}
				for _, bad := range []string{"WARNING: no nonce in response", "Nonce Verify error"} {
					if nonce && bytes.Contains(out, []byte(bad)) {
						t.Errorf("OpenSSL printed %q:\n%s", bad, out)
					}
				}
			})
		}
	}
}
