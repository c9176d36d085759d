//go:build cgo

package pkcs11

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gostca/gostca/internal/interop"
)

// SoftHSM is SoftHSM2 built with GOST by testdata/build-softhsm.sh ('make
// softhsm'), found through GOSTCA_SOFTHSM_MODULE or the script's cache.
type SoftHSM struct {
	Module string // libsofthsm2.so
	Util   string // softhsm2-util
}

// FindSoftHSM returns SoftHSM2 with GOST, or stops t through
// interop.Missing (a failure under CI=true).
func FindSoftHSM(t testing.TB) *SoftHSM {
	t.Helper()
	module := os.Getenv("GOSTCA_SOFTHSM_MODULE")
	if module == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			interop.Missing(t, "SoftHSM2 with GOST: no cache directory: %v", err)
		}
		module = filepath.Join(cache, "gostca", "softhsm-2.6.1-gost", "lib", "softhsm", "libsofthsm2.so")
	}
	if _, err := os.Stat(module); err != nil {
		interop.Missing(t, "SoftHSM2 with GOST (make softhsm, or set GOSTCA_SOFTHSM_MODULE): %v", err)
	}
	util := filepath.Join(filepath.Dir(module), "..", "..", "bin", "softhsm2-util")
	if _, err := os.Stat(util); err != nil {
		if util, err = exec.LookPath("softhsm2-util"); err != nil {
			interop.Missing(t, "softhsm2-util (beside %s or in PATH): %v", module, err)
		}
	}
	return &SoftHSM{Module: module, Util: util}
}

// SoftToken is a SoftHSM token made for one test, in its own token
// directory.
type SoftToken struct {
	Module string
	Label  string
	PIN    []byte
	SOPIN  string
}

// NewSoftToken makes an initialised token labelled label in a fresh
// directory and points SOFTHSM2_CONF at it for the rest of the test (so
// tests using it cannot be parallel).
func NewSoftToken(t testing.TB, label string) *SoftToken {
	t.Helper()
	hsm := FindSoftHSM(t)
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	text := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", tokens)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	tok := &SoftToken{Module: hsm.Module, Label: label, PIN: []byte("12345678"), SOPIN: "87654321"}
	out, err := exec.Command(hsm.Util, "--init-token", "--free", "--label", label,
		"--so-pin", tok.SOPIN, "--pin", string(tok.PIN)).CombinedOutput()
	if err != nil {
		t.Fatalf("softhsm2-util --init-token: %v: %s", err, out)
	}
	return tok
}

// URI returns a URI naming the token and, if object is not empty, a key.
func (tok *SoftToken) URI(object string) *URI {
	return &URI{Token: tok.Label, Object: object, ModulePath: tok.Module}
}

// Open opens the token's module, closed at the end of the test.
func (tok *SoftToken) Open(t testing.TB, opts *Options) *Module {
	t.Helper()
	m, err := Open(tok.Module, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}
