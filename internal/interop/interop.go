// Package interop runs the independent GOST implementations that gostca's
// tests check themselves against: OpenSSL with the GOST engine (Debian's
// libengine-gost-openssl) and GnuTLS certtool (Debian's gnutls-bin); and
// the other programs the tests talk to: SoftHSM2 built with GOST
// ([FindSoftHSM]) and a real SMTP server, Python's aiosmtpd (Debian's
// python3-aiosmtpd, [StartSMTP]); and the readers of the PDFs gostca
// prints: Poppler's pdftotext, pdftoppm and pdfinfo (Debian's
// poppler-utils) and ZBar's zbarimg (zbar-tools), which reads QR codes
// ([PDFText], [PDFWords], [PDFInfoOf], [ScanQR]); and a PostgreSQL server
// (Debian's postgresql) for the ledger's tests ([StartPostgres]), or one
// of a test's own that it stops and starts again ([StartPostgresServer]).
//
// A test asks for a tool with [OpenSSL], [CertTool] or the others. When it is
// missing the test is skipped on a developer's machine, but fails when the
// environment variable CI is "true": CI must never pass by skipping an
// interop test.
//
// GnuTLS, as Debian builds it (on nettle), knows only two GOST curves:
// CryptoPro-A (also named XchA and TC26 256 paramSetB) and TC26 512
// paramSetA; [CertToolCurves] lists their parameter set names.
//
// The package is for tests, gostca's and its users'; it is safe for
// concurrent use by parallel tests.
package interop

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// InCI reports whether the tests run in CI (CI=true), where a missing
// external tool is a failure rather than a reason to skip.
func InCI() bool { return os.Getenv("CI") == "true" }

// Missing stops t because an external tool is unavailable: t.Fatal in CI,
// t.Skip elsewhere.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...) + " (run 'make test', which installs it)"
	if InCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Tool is an external command-line program checked to be usable.
type Tool struct {
	name string
	path string
	env  []string // added to the environment
}

// finder looks a tool up once and remembers the tool or why it is missing.
type finder struct {
	once sync.Once
	tool *Tool
	err  error
}

func (f *finder) get(t testing.TB, find func() (*Tool, error)) *Tool {
	t.Helper()
	f.once.Do(func() { f.tool, f.err = find() })
	if f.err != nil {
		Missing(t, "%v", f.err)
	}
	return f.tool
}

var opensslFinder, certtoolFinder finder

// opensslConf loads the GOST engine for every algorithm. OpenSSL reads it
// through OPENSSL_CONF, which works for every subcommand, where the
// "-engine gost" flag does not (OpenSSL 3.0's "crl" has none).
const opensslConf = `openssl_conf = openssl_init
[openssl_init]
engines = engines
[engines]
gost = gost
[gost]
engine_id = gost
default_algorithms = ALL
`

// OpenSSL returns the openssl binary with the GOST engine loaded for every
// command, or stops t through [Missing].
func OpenSSL(t testing.TB) *Tool {
	t.Helper()
	return opensslFinder.get(t, FindOpenSSL)
}

// FindOpenSSL is [OpenSSL] without a test: for test harnesses that decide
// themselves what a missing tool means (testscript conditions, say). It
// looks the tool up every time it is called.
func FindOpenSSL() (*Tool, error) {
	path, err := exec.LookPath("openssl")
	if err != nil {
		return nil, fmt.Errorf("openssl not found: %w", err)
	}
	conf, err := writeConf()
	if err != nil {
		return nil, err
	}
	tool := &Tool{name: "openssl", path: path, env: []string{"OPENSSL_CONF=" + conf}}
	out, err := tool.Combined(nil, "engine", "gost", "-c")
	if err != nil || !bytes.Contains(out, []byte("gost2012_256")) {
		return nil, fmt.Errorf("openssl has no usable gost engine (libengine-gost-openssl): %v: %s", err, bytes.TrimSpace(out))
	}
	return tool, nil
}

// Env returns the environment variables the tool needs on top of the
// process's own, as NAME=value: for OpenSSL, the OPENSSL_CONF that loads the
// GOST engine.
func (o *Tool) Env() []string { return append([]string(nil), o.env...) }

// writeConf writes opensslConf to a fixed name in the temporary directory,
// atomically, so that parallel test processes share one file and leave no
// others behind.
func writeConf() (string, error) {
	path := filepath.Join(os.TempDir(), "gostca-interop-openssl-gost.cnf")
	tmp, err := os.CreateTemp(os.TempDir(), "gostca-interop-*.cnf")
	if err != nil {
		return "", fmt.Errorf("writing the OpenSSL configuration: %w", err)
	}
	_, err = tmp.WriteString(opensslConf)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("writing the OpenSSL configuration: %w", err)
	}
	return path, nil
}

// CertToolCurves are the gost3410 parameter set names whose keys GnuTLS
// certtool can verify signatures with.
var CertToolCurves = []string{"cryptopro-a", "cryptopro-xcha", "tc26-256-b", "tc26-512-a"}

// CertTool returns GnuTLS certtool with GOST support, or stops t through
// [Missing]. [Tool.Run] passes its arguments unchanged.
func CertTool(t testing.TB) *Tool {
	t.Helper()
	return certtoolFinder.get(t, func() (*Tool, error) {
		path, err := exec.LookPath("certtool")
		if err != nil {
			return nil, fmt.Errorf("certtool (GnuTLS, gnutls-bin) not found: %w", err)
		}
		// Generating a throwaway key proves GOST support; --help does not
		// mention it.
		out, err := exec.Command(path, "--generate-privkey", "--key-type", "gost12-256", "--outfile", os.DevNull).CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("GOST R 34.10-2012")) {
			return nil, fmt.Errorf("certtool has no GOST support: %v: %s", err, bytes.TrimSpace(out))
		}
		return &Tool{name: "certtool", path: path}, nil
	})
}

// Run runs the tool with args and stdin as its standard input, and returns
// its standard output. A non-zero exit fails t with the command and its
// output.
func (o *Tool) Run(t testing.TB, stdin []byte, args ...string) []byte {
	t.Helper()
	out, err := o.Try(stdin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Try is [Tool.Run] that returns the failure instead of failing the test, for
// tests that expect the tool to reject its input.
func (o *Tool) Try(stdin []byte, args ...string) ([]byte, error) {
	stdout, stderr, err := o.exec(stdin, args)
	if err != nil {
		return stdout, fmt.Errorf("%w: %s%s", err, bytes.TrimSpace(stderr), tail(stdout))
	}
	return stdout, nil
}

// Combined runs the tool like [Tool.Try] and returns its standard output and
// standard error together, for the tools that print their verdict on
// standard error and exit 0 whatever it is: OpenSSL 3.0's "req -verify"
// and "crl -CAfile" print "verify failure" and exit 0. Callers must check
// the verdict text.
func (o *Tool) Combined(stdin []byte, args ...string) ([]byte, error) {
	stdout, stderr, err := o.exec(stdin, args)
	return append(stdout, stderr...), err
}

// Command returns the tool ready to run with args, its environment set
// (OpenSSL's GOST engine configuration), for callers that need the process
// itself: to time it, or to read its resource usage from
// cmd.ProcessState.SysUsage() once it has run.
func (o *Tool) Command(args ...string) *exec.Cmd {
	cmd := exec.Command(o.path, args...)
	cmd.Env = append(os.Environ(), o.env...)
	return cmd
}

func (o *Tool) exec(stdin []byte, args []string) (stdout, stderr []byte, err error) {
	cmd := o.Command(args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var outBuf, errBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outBuf, &errBuf
	if err := cmd.Run(); err != nil {
		return outBuf.Bytes(), errBuf.Bytes(), fmt.Errorf("%s %s: %w", o.name, strings.Join(args, " "), err)
	}
	return outBuf.Bytes(), errBuf.Bytes(), nil
}

// tail returns the end of a failed command's standard output, where
// certtool writes its verdicts, for the error message.
func tail(out []byte) string {
	out = bytes.TrimSpace(out)
	if len(out) == 0 {
		return ""
	}
	if len(out) > 2000 {
		out = out[len(out)-2000:]
	}
	return "\n" + string(out)
}
