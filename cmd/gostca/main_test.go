package main

import (
	"bytes"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gostca/gostca/ca/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/store"
)

// TestMain registers the program as the command "gostca" of the scripts:
// they run the real binary (this test binary under that name), end to end.
// Under the race detector the scripts run a plain build instead (see
// raceEnabled and plainBinary): the CLI runs one goroutine, and the cli
// package's own tests run under the detector.
func TestMain(m *testing.M) {
	commands := map[string]func(){"gostca": func() { os.Exit(run()) }}
	if raceEnabled {
		commands = nil
	}
	testscript.Main(m, commands)
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
// and the condition [openssl]: OpenSSL with the GOST engine is usable, with
// OPENSSL_CONF set to load it. When CI=true and OpenSSL is missing, the
// condition fails the script instead of skipping its OpenSSL steps.
func TestScripts(t *testing.T) {
	var bin string
	if raceEnabled {
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
			conf := filepath.Join(e.WorkDir, ".openssl-gost.cnf")
			e.Setenv("OPENSSL_CONF", conf)
			return os.WriteFile(conf, []byte(opensslConf), 0o644)
		},
		Condition: func(cond string) (bool, error) {
			if cond != "openssl" {
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			return haveOpenSSL()
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

// opensslConf loads OpenSSL's GOST engine for every command, as
// crypto/interop does (OpenSSL 3.0's crl has no -engine flag).
const opensslConf = `openssl_conf = openssl_init
[openssl_init]
engines = engines
[engines]
gost = gost
[gost]
engine_id = gost
default_algorithms = ALL
`

var (
	opensslOnce sync.Once
	opensslOK   bool
	opensslErr  error
)

// haveOpenSSL reports whether openssl with the GOST engine runs; in CI a
// missing one is an error.
func haveOpenSSL() (bool, error) {
	opensslOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gostca-openssl")
		if err == nil {
			defer os.RemoveAll(dir)
			conf := filepath.Join(dir, "gost.cnf")
			if err = os.WriteFile(conf, []byte(opensslConf), 0o644); err == nil {
				cmd := exec.Command("openssl", "engine", "gost", "-c")
				cmd.Env = append(os.Environ(), "OPENSSL_CONF="+conf)
				var out []byte
				out, err = cmd.CombinedOutput()
				if err == nil && !bytes.Contains(out, []byte("gost2012_256")) {
					err = fmt.Errorf("no gost engine: %s", out)
				}
			}
		}
		opensslOK = err == nil
		if err != nil && os.Getenv("CI") == "true" {
			opensslErr = fmt.Errorf("CI=true and OpenSSL with the GOST engine is unusable (run 'make deps'): %v", err)
		}
	})
	return opensslOK, opensslErr
}
