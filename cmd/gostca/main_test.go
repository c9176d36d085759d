package main

import (
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"github.com/gostca/gostca/internal/testkit"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/internal/interop"
	"github.com/gostca/gostca/store"
)

// TestMain registers the program as the command "gostca" of the scripts:
// they run the real binary (this test binary under that name), end to end.
// Under the race detector the scripts run a plain build instead (see
// testkit.Race and plainBinary): the CLI runs one goroutine, and the cli
// package's own tests run under the detector.
func TestMain(m *testing.M) {
	commands := map[string]func(){"gostca": func() { os.Exit(run()) }}
	if testkit.Race {
		commands = nil
	}
	testscript.Main(stopping{m}, commands)
}

// stopping runs the tests, then stops the PostgreSQL server they started.
type stopping struct{ m *testing.M }

func (s stopping) Run() int {
	defer interop.StopPostgres()
	return s.m.Run()
}

// plainBinary builds this package without the race detector into dir.
func plainBinary(dir string) error {
	// go test puts its own go command first on PATH.
	gobin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("building gostca without -race: %w", err)
	}
	out, err := exec.Command(gobin, "build", "-o", filepath.Join(dir, "gostca"), ".").CombinedOutput()
	if err != nil {
		return fmt.Errorf("building gostca without -race: %v\n%s", err, out)
	}
	return nil
}

// TestScripts runs testdata/script/*.txtar. Besides the built-in commands,
// the scripts have:
//
//	setenv-stdout NAME [RE] set NAME to the last command's standard output, trimmed,
//	                       or to the first group of the regular expression RE in it
//	lock-ledger FILE       hold the ledger FILE open (locked) until the script ends,
//	                       from this process: another process than gostca's
//	bad-signature IN OUT   copy the PEM request IN to OUT with its signature corrupted
//	raw-csr DN OUT         make a request for DN without gostca's checks (a new key)
//
// and the conditions:
//
//	[openssl]  OpenSSL with the GOST engine is usable, with OPENSSL_CONF set
//	           to load it;
//	[softhsm]  SoftHSM2 built with GOST is there ('make softhsm', or
//	           GOSTCA_SOFTHSM_MODULE): $SOFTHSM_MODULE is its library,
//	           $SOFTHSM_UTIL its softhsm2-util, and SOFTHSM2_CONF points at
//	           a configuration whose token directory is in $WORK (empty);
//	[cgo]      the binary can load PKCS#11 modules;
//	[pdftools] Poppler's pdftotext, pdfinfo and pdftoppm and ZBar's zbarimg
//	           are in PATH (Debian's poppler-utils and zbar-tools).
//
// When CI=true and OpenSSL, SoftHSM2 or the PDF tools are missing,
// [openssl], [softhsm] or [pdftools] fails the script instead of skipping
// its steps.
func TestScripts(t *testing.T) {
	var bin string
	if testkit.Race {
		bin = t.TempDir()
		if err := plainBinary(bin); err != nil {
			t.Fatal(err)
		}
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			if bin != "" {
				e.Setenv("PATH", bin+string(os.PathListSeparator)+e.Getenv("PATH"))
			}
			e.Setenv("NO_COLOR", "")
			e.Setenv("GOSTCA_DIR", "")
			e.Setenv("GOSTCA_PASSPHRASE", "")
			// Key files at few PBKDF2 iterations: every command unlocks the CA
			// key, a second each at the default (which key-kdf.txtar covers).
			e.Setenv("GOSTCA_KDF_ITERATIONS", "1000")
			e.Setenv("GOSTCA_PIN", "")
			e.Setenv("GOSTCA_PARENT_PIN", "")
			e.Setenv("GOSTCA_PKCS11_MODULE", "")
			if err := setupSoftHSM(e); err != nil {
				return err
			}
			if ossl, err := findOpenSSL(); err == nil {
				for _, kv := range ossl.Env() {
					name, value, _ := strings.Cut(kv, "=")
					e.Setenv(name, value)
				}
			}
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "openssl":
				return haveOpenSSL()
			case "softhsm":
				return haveSoftHSM()
			case "cgo":
				return cgoEnabled, nil
			case "pdftools":
				return havePDFTools()
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"setenv-stdout": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 1 || len(args) > 2 {
					ts.Fatalf("usage: setenv-stdout NAME [RE]")
				}
				out := strings.TrimSpace(ts.ReadFile("stdout"))
				if len(args) == 2 {
					m := regexp.MustCompile(args[1]).FindStringSubmatch(out)
					if len(m) < 2 {
						ts.Fatalf("no match for %q in %q", args[1], out)
					}
					out = m[1]
				}
				ts.Setenv(args[0], out)
			},
			"postgres": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: postgres NAME (sets $NAME to the URL of a new, empty database)")
				}
				ts.Setenv(args[0], interop.StartPostgres(t))
			},
			"lock-ledger": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: lock-ledger FILE")
				}
				db, err := store.Open(ts.MkAbs(args[0]), nil)
				ts.Check(err)
				ts.Defer(func() { db.Close() })
			},
			"bad-signature": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: bad-signature IN OUT")
				}
				b, _ := pem.Decode([]byte(ts.ReadFile(args[0])))
				if b == nil {
					ts.Fatalf("%s: no PEM", args[0])
				}
				b.Bytes[len(b.Bytes)-1] ^= 0x01 // the last byte of the signature
				ts.Check(os.WriteFile(ts.MkAbs(args[1]), pem.EncodeToMemory(b), 0o644))
			},
			"raw-csr": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: raw-csr DN OUT")
				}
				name, err := cert.ParseDN(args[0])
				ts.Check(err)
				key, err := gost3410.GenerateKey(gost3410.ParamsCryptoProA(), rand.Reader)
				ts.Check(err)
				der, err := cert.CreateCertificateRequest(rand.Reader, &cert.CertificateRequest{Subject: *name}, key)
				ts.Check(err)
				ts.Check(os.WriteFile(ts.MkAbs(args[1]), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 0o644))
			},
		},
	})
}

// haveOpenSSL reports whether openssl with the GOST engine runs; in CI a
// missing one is an error.
// findOpenSSL looks OpenSSL with the GOST engine up once per test process.
var findOpenSSL = sync.OnceValues(interop.FindOpenSSL)

func haveOpenSSL() (bool, error) {
	_, err := findOpenSSL()
	if err != nil && interop.InCI() {
		return false, fmt.Errorf("CI=true and OpenSSL with the GOST engine is unusable (run 'make deps'): %w", err)
	}
	return err == nil, nil
}

// findPDFTools looks the PDF and QR code readers up once per test process.
var findPDFTools = sync.OnceValue(func() error {
	for _, find := range []func() (*interop.Tool, error){
		interop.FindPDFToText, interop.FindPDFInfo, interop.FindPDFToPPM, interop.FindZBarImg,
	} {
		if _, err := find(); err != nil {
			return err
		}
	}
	return nil
})

// havePDFTools reports whether the PDF and QR code readers are there; in
// CI a missing one is an error.
func havePDFTools() (bool, error) {
	err := findPDFTools()
	if err != nil && interop.InCI() {
		return false, fmt.Errorf("CI=true and a PDF tool is missing (run 'make deps'): %w", err)
	}
	return err == nil, nil
}

// haveSoftHSM reports whether SoftHSM2 with GOST is there; in CI a
// missing one is an error.
func haveSoftHSM() (bool, error) {
	_, err := interop.LookSoftHSM()
	if err != nil && interop.InCI() {
		return false, fmt.Errorf("CI=true and SoftHSM2 with GOST is missing: %w", err)
	}
	return err == nil, nil
}

// setupSoftHSM gives each script its own SoftHSM2 token directory, in
// $WORK, and the paths of the module and its tool.
func setupSoftHSM(e *testscript.Env) error {
	if hsm, err := interop.LookSoftHSM(); err == nil {
		e.Setenv("SOFTHSM_MODULE", hsm.Module)
		e.Setenv("SOFTHSM_UTIL", hsm.Util)
	}
	dir := filepath.Join(e.WorkDir, ".softhsm")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	conf, err := interop.SoftHSMConfig(dir)
	e.Setenv("SOFTHSM2_CONF", conf)
	return err
}
