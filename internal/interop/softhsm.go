package interop

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// SoftHSM is SoftHSM2 built with GOST by crypto/pkcs11/testdata/build-softhsm.sh
// ('make softhsm'), found through GOSTCA_SOFTHSM_MODULE or the script's
// cache.
type SoftHSM struct {
	Module string // libsofthsm2.so
	Util   string // softhsm2-util
}

var softhsm struct {
	once sync.Once
	hsm  *SoftHSM
	err  error
}

// LookSoftHSM finds SoftHSM2 with GOST: $GOSTCA_SOFTHSM_MODULE, else the
// cache of 'make softhsm'; softhsm2-util beside it, else in PATH. It
// looks once and remembers the answer.
func LookSoftHSM() (*SoftHSM, error) {
	softhsm.once.Do(func() { softhsm.hsm, softhsm.err = lookSoftHSM() })
	return softhsm.hsm, softhsm.err
}

func lookSoftHSM() (*SoftHSM, error) {
	module := os.Getenv("GOSTCA_SOFTHSM_MODULE")
	if module == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("SoftHSM2 with GOST: no cache directory: %w", err)
		}
		module = filepath.Join(cache, "gostca", "softhsm-2.6.1-gost", "lib", "softhsm", "libsofthsm2.so")
	}
	if _, err := os.Stat(module); err != nil {
		return nil, fmt.Errorf("SoftHSM2 with GOST (make softhsm, or set GOSTCA_SOFTHSM_MODULE): %w", err)
	}
	util := filepath.Join(filepath.Dir(module), "..", "..", "bin", "softhsm2-util")
	if _, err := os.Stat(util); err != nil {
		if util, err = exec.LookPath("softhsm2-util"); err != nil {
			return nil, fmt.Errorf("softhsm2-util (beside %s or in PATH): %w", module, err)
		}
	}
	return &SoftHSM{Module: module, Util: util}, nil
}

// FindSoftHSM returns SoftHSM2 with GOST, or stops t through Missing (a
// failure under CI=true).
func FindSoftHSM(t testing.TB) *SoftHSM {
	t.Helper()
	hsm, err := LookSoftHSM()
	if err != nil {
		Missing(t, "%v", err)
	}
	return hsm
}

// SoftHSMConfig writes a SoftHSM2 configuration file in dir whose tokens
// live in dir/tokens, and returns its path (for SOFTHSM2_CONF).
func SoftHSMConfig(dir string) (string, error) {
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		return "", err
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	text := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", tokens)
	return conf, os.WriteFile(conf, []byte(text), 0o600)
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
	conf, err := SoftHSMConfig(t.TempDir())
	if err != nil {
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
