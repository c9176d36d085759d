// Package interop runs the independent GOST implementations that gostca's
// tests check themselves against: OpenSSL with the GOST engine (Debian's
// libengine-gost-openssl) and, in later packages, GnuTLS certtool.
//
// A test asks for a tool with [OpenSSL]. When the tool is missing the test
// is skipped on a developer's machine, but fails when the environment
// variable CI is "true": CI must never pass by skipping an interop test.
//
// The package is for tests only; it is safe for concurrent use by parallel
// tests.
package interop

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
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
	path string
	pre  []string // arguments placed right after the subcommand
}

var (
	opensslOnce sync.Once
	opensslTool *Tool
	opensslErr  error
)

// OpenSSL returns the openssl binary with the GOST engine available, or stops
// t through [Missing]. Arguments passed to [Tool.Run] get "-engine gost"
// inserted after the subcommand where the subcommand takes it.
func OpenSSL(t testing.TB) *Tool {
	t.Helper()
	opensslOnce.Do(func() {
		path, err := exec.LookPath("openssl")
		if err != nil {
			opensslErr = fmt.Errorf("openssl not found: %w", err)
			return
		}
		out, err := exec.Command(path, "engine", "gost", "-c").CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("gost2012_256")) {
			opensslErr = fmt.Errorf("openssl has no usable gost engine (libengine-gost-openssl): %v: %s", err, bytes.TrimSpace(out))
			return
		}
		opensslTool = &Tool{path: path, pre: []string{"-engine", "gost"}}
	})
	if opensslErr != nil {
		Missing(t, "%v", opensslErr)
	}
	return opensslTool
}

// Run runs "openssl SUBCOMMAND -engine gost ARGS..." with stdin as its
// standard input and returns its standard output. A non-zero exit fails t
// with the command and its standard error.
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
	full := args
	if len(args) > 0 {
		full = append(append([]string{args[0]}, o.pre...), args[1:]...)
	}
	cmd := exec.Command(o.path, full...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("openssl %s: %w: %s", strings.Join(full, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.Bytes(), nil
}
