package cli

import (
	"bytes"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testEnv returns an Env over buffers, with the given environment. Key
// files are written at minKDFIterations unless vars set
// $GOSTCA_KDF_ITERATIONS: every command that unlocks a key would take a
// second at the default, a minute under the race detector.
func testEnv(vars map[string]string) (Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return Env{
		Stdin:  strings.NewReader(""),
		Stdout: &out,
		Stderr: &errb,
		Getenv: func(k string) string {
			if v, ok := vars[k]; ok || k != envKDFIterations {
				return v
			}
			return strconv.Itoa(minKDFIterations)
		},
		Now:     time.Now,
		Version: "v0.0.0-test",
	}, &out, &errb
}

// execute runs args through NewRootCommand, SetArgs and Execute.
func execute(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	env, out, errb := testEnv(vars)
	root := NewRootCommand(env)
	root.SetArgs(args)
	code = Execute(root, env.Stderr)
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"GOSTCA_PASSPHRASE": "pass"}
	for _, tc := range []struct {
		name string
		args []string
		code int
		err  string // the first line of standard error
	}{
		{"help", []string{"--help"}, ExitOK, ""},
		{"version", []string{"version"}, ExitOK, ""},
		{"unknown command", []string{"frobnicate"}, ExitUsage, `gostca: unknown command "frobnicate" for "gostca"`},
		{"unknown flag", []string{"list", "--bogus"}, ExitUsage, "gostca: unknown flag: --bogus"},
		{"missing argument", []string{"show"}, ExitUsage, "gostca: accepts 1 arg(s), received 0"},
		{"required flag", []string{"issue"}, ExitUsage, `gostca: required flag(s) "csr" not set`},
		{"exclusive flags", []string{"init", "--subject", "CN=x", "--parent", "a", "--csr-out", "b"}, ExitUsage, ""},
		{"bad key type", []string{"key", "new", "--out", filepath.Join(dir, "k"), "--key", "rsa"}, ExitUsage, `gostca: unknown key type "rsa"`},
		{"bad serial", []string{"revoke", "xyz", "--reason", "superseded"}, ExitUsage, `gostca: "xyz" is not a serial number`},
		{"bad reason", []string{"revoke", "0A", "--reason", "nope"}, ExitUsage, `gostca: unknown --reason "nope"`},
		{"no CA", []string{"--dir", filepath.Join(dir, "none"), "list"}, ExitError, "gostca: no CA in "},
		{"missing csr", []string{"--dir", dir, "issue", "--csr", filepath.Join(dir, "x.csr")}, ExitError, "gostca: "},
		{"sign without flags", []string{"sign", "doc.txt"}, ExitUsage, `gostca: required flag(s) "key" not set`},
		{"sign without cert", []string{"sign", "--key", "k", "doc.txt"}, ExitUsage, `gostca: required flag(s) "cert" not set`},
		{"sign without file", []string{"sign", "--key", "k", "--cert", "c"}, ExitUsage, "gostca: no FILE to sign"},
		{"sign two files", []string{"sign", "--key", "k", "--cert", "c", "a", "b"}, ExitUsage, "gostca: accepts at most 1 arg(s), received 2"},
		{"sign cosign attached", []string{"sign", "--key", "k", "--cert", "c", "--cosign", "s", "--attached", "a"}, ExitUsage, "gostca: if any flags in the group [cosign attached] are set none of the others can be"},
		{"verify-signature without signature", []string{"verify-signature"}, ExitUsage, "gostca: accepts 1 arg(s), received 0"},
		{"verify-signature two sources", []string{"verify-signature", "s.sig", "--ledger", "--ocsp", "http://ocsp.test"}, ExitUsage, "gostca: if any flags in the group [ocsp crl ledger] are set none of the others can be"},
		{"verify-signature bad URL", []string{"verify-signature", "s.sig", "--ocsp", "ocsp.test"}, ExitUsage, `gostca: --ocsp: OCSP URL "ocsp.test" is not an absolute http or https URL`},
		{"verify-signature missing", []string{"verify-signature", filepath.Join(dir, "s.sig"), "--root", filepath.Join(dir, "root.pem")}, ExitError, "gostca: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := execute(t, vars, tc.args...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			first, _, _ := strings.Cut(stderr, "\n")
			if !strings.HasPrefix(first, tc.err) {
				t.Errorf("stderr %q, want it to start with %q", first, tc.err)
			}
			if strings.Count(stderr, "gostca: ") > 1 {
				t.Errorf("more than one error line:\n%s", stderr)
			}
		})
	}
}

// TestLifecycleInProcess runs the main flow in-process, as the testscripts
// do with the binary.
func TestLifecycleInProcess(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca")
	vars := map[string]string{"GOSTCA_PASSPHRASE": "pass", "GOSTCA_DIR": ca}
	run := mustRun(t, vars)
	run("init", "--subject", "CN=In-process CA,C=RU", "--key", "gost2012-256:TCA")
	key, csr := filepath.Join(dir, "k.key"), filepath.Join(dir, "k.csr")
	run("key", "new", "--out", key, "--no-passphrase", "--key", "gost2012-512:B")
	run("csr", "--key", key, "--subject", "CN=Subscriber,C=RU", "--out", csr)
	serial := strings.TrimSpace(run("issue", "--csr", csr, "--out", filepath.Join(dir, "a.pem")))
	if out := run("show", serial); !strings.Contains(out, "Status:       valid") || !strings.Contains(out, "512 bits, tc26-512-b") {
		t.Errorf("show:\n%s", out)
	}
	run("revoke", serial, "--reason", "superseded")
	code, _, errs := execute(t, vars, "revoke", serial, "--reason", "superseded")
	if code != ExitError || !strings.HasPrefix(errs, "gostca: cannot revoke "+serial+": the certificate is revoked since ") {
		t.Errorf("revoking twice: exit %d, %q", code, errs)
	}
	if out := run("list", "--status", "revoked"); !strings.Contains(out, serial) {
		t.Errorf("list --status revoked:\n%s", out)
	}
}

func TestParseKeyType(t *testing.T) {
	for in, want := range map[string]string{
		"gost2012-256:A": "cryptopro-a", "gost2012-256:B": "cryptopro-b", "gost2012-256:C": "cryptopro-c",
		"gost2012-256:XA": "cryptopro-xcha", "gost2012-256:XB": "cryptopro-xchb",
		"gost2012-256:TCA": "tc26-256-a", "gost2012-256:TCB": "tc26-256-b",
		"gost2012-256:TCC": "tc26-256-c", "gost2012-256:TCD": "tc26-256-d",
		"gost2012-512:A": "tc26-512-a", "gost2012-512:B": "tc26-512-b", "gost2012-512:C": "tc26-512-c",
		"gost2012_256:a": "cryptopro-a", "cryptopro-a": "cryptopro-a", "tc26-512-c": "tc26-512-c",
		"gost2012-512:tc26-512-a": "tc26-512-a",
	} {
		p, err := parseKeyType(in)
		if err != nil || p.Name() != want {
			t.Errorf("parseKeyType(%q) = %v, %v; want %s", in, p, err, want)
		}
	}
	for _, in := range []string{"", "rsa", "gost2012-256:Z", "gost2012-512:cryptopro-a", "gost2012-256:tc26-512-a", "test-256", "gost2001:A"} {
		if p, err := parseKeyType(in); err == nil {
			t.Errorf("parseKeyType(%q) = %v, want an error", in, p)
		}
	}
}

func TestColour(t *testing.T) {
	var buf bytes.Buffer
	// A buffer is not a terminal: never colour.
	if p := newPainter(&buf, func(string) string { return "" }); p.on {
		t.Error("colour on a non-terminal")
	}
	on := painter{on: true}
	for status, code := range map[string]string{statusValid: "32", statusExpired: "33", statusRevoked: "31", statusHeld: "31"} {
		if got := on.paint(statusColour(status), status); got != "\x1b["+code+"m"+status+"\x1b[0m" {
			t.Errorf("%s painted %q", status, got)
		}
	}
	if got := (painter{}).paint(green, "valid"); got != "valid" {
		t.Errorf("painter off: %q", got)
	}
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"Something failed":        "something failed",
		"a\nb":                    "a; b",
		"SNILS wrong":             "SNILS wrong",
		"  spaced   out  ":        "spaced out",
		"ledger in use\nby other": "ledger in use; by other",
	} {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	for in, want := range map[string]time.Duration{"30d": 30 * day, "2w": 14 * day, "12h": 12 * time.Hour, "0d": 0} {
		if got, err := parsePeriod(in); err != nil || got != want {
			t.Errorf("parsePeriod(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "d", "soon", "-3d", "3x"} {
		if _, err := parsePeriod(in); err == nil {
			t.Errorf("parsePeriod(%q): no error", in)
		}
	}
}

// mustRun returns a function that runs gostca in-process with the
// environment vars, fails t on a non-zero exit, and returns standard output.
func mustRun(t *testing.T, vars map[string]string) func(args ...string) string {
	return func(args ...string) string {
		t.Helper()
		code, out, errs := execute(t, vars, args...)
		if code != 0 {
			t.Fatalf("gostca %s: exit %d\n%s", strings.Join(args, " "), code, errs)
		}
		return out
	}
}

func TestKeyFileOptions(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  int // iterations; 0: the defaults (nil options)
		ok    bool
	}{
		{"", 0, true},
		{"1000", 1000, true},
		{"250000", 250000, true},
		{"999", 0, false},
		{"0", 0, false},
		{"-5", 0, false},
		{"lots", 0, false},
		{"10000001", 0, false},
	} {
		t.Run(tc.value, func(t *testing.T) {
			env, _, _ := testEnv(map[string]string{envKDFIterations: tc.value})
			a := &app{env: env}
			opts, err := a.keyFileOptions("")
			switch {
			case !tc.ok:
				var ce *cliError
				if !errors.As(err, &ce) || ce.code != ExitUsage || !strings.Contains(err.Error(), envKDFIterations) {
					t.Errorf("err = %v, want a usage error naming $%s", err, envKDFIterations)
				}
			case err != nil:
				t.Fatal(err)
			case tc.want == 0 && opts != nil, tc.want != 0 && (opts == nil || opts.Iterations != tc.want):
				t.Errorf("options = %+v, want %d iterations", opts, tc.want)
			}
		})
	}
}
