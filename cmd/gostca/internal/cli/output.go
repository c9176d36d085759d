package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/store"
)

// Output rules. Every command follows them; this file is the only place
// that writes errors, and the only place that decides about colour.
//
//   - Data goes to standard output: certificates, CRLs, bundles, listings,
//     serial numbers, JSON. Nothing else does, so that output can be
//     piped and redirected.
//   - Messages go to standard error: progress ("wrote ca.pem"), warnings
//     ("warning: ..."), prompts (only when standard input is a terminal).
//   - An error is one line on standard error, "gostca: <message>", the
//     message in lower case, then, where the user can act, one line
//     "hint: <what to do>". No stack traces, no usage dump.
//   - Exit codes: 0 success; 1 an error (the operation failed or was
//     refused, and changed nothing); 2 a usage error (unknown command or
//     flag, wrong number of arguments, a bad flag value).
//   - Binary data (DER, PKCS#12) is never written to a terminal: give --out.
//   - A command that writes a file prints what it wrote to standard error;
//     when it also has a result worth scripting (the serial number of
//     "issue" with --out), that goes to standard output.
//   - Colour (status in "show" and "list": valid green, expired yellow,
//     revoked and held red) only when standard output is a terminal and
//     NO_COLOR is unset or empty (https://no-color.org).
//   - Passphrases are never echoed, never printed, never taken from a flag.

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// cliError is an error with a user-facing message, an optional hint and an
// exit code. Commands return it (through failf, usagef) when they know
// what to tell the user; other errors are explained by explain.
type cliError struct {
	msg  string
	hint string
	code int
	err  error // the cause, for errors.Is in tests
}

func (e *cliError) Error() string { return e.msg }
func (e *cliError) Unwrap() error { return e.err }

// failf returns an error (exit 1) with a message and no hint.
func failf(format string, args ...any) *cliError {
	return &cliError{msg: fmt.Sprintf(format, args...), code: ExitError}
}

// usagef returns a usage error (exit 2).
func usagef(format string, args ...any) *cliError {
	return &cliError{msg: fmt.Sprintf(format, args...), code: ExitUsage}
}

// withHint sets the hint of e and returns it.
func (e *cliError) withHint(format string, args ...any) *cliError {
	e.hint = fmt.Sprintf(format, args...)
	return e
}

// because sets the cause of e and returns it.
func (e *cliError) because(err error) *cliError {
	e.err = err
	return e
}

// printError writes err under the rules above and returns the exit code.
func printError(w io.Writer, err error) int {
	var ce *cliError
	if !errors.As(err, &ce) {
		ce = explain(err)
	}
	fmt.Fprintf(w, "gostca: %s\n", oneLine(ce.msg))
	if ce.hint != "" {
		fmt.Fprintf(w, "hint: %s\n", oneLine(ce.hint))
	}
	if ce.code == 0 {
		return ExitError
	}
	return ce.code
}

// oneLine folds a multi-line message into one line and lower-cases its
// first letter.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
	if s != "" && s[0] >= 'A' && s[0] <= 'Z' && (len(s) == 1 || s[1] < 'A' || s[1] > 'Z') {
		s = strings.ToLower(s[:1]) + s[1:]
	}
	return s
}

// messagef writes a message (not data) to standard error.
func messagef(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, format+"\n", args...)
}

// warnf writes a warning to standard error.
func warnf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "warning: "+format+"\n", args...)
}

// isTerminal reports whether f is an *os.File on a terminal.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// colour is the ANSI colour of a status word.
type colour string

const (
	green  colour = "32"
	yellow colour = "33"
	red    colour = "31"
)

// painter colours words, or not (see the rules above).
type painter struct{ on bool }

func newPainter(stdout io.Writer, getenv func(string) string) painter {
	return painter{on: isTerminal(stdout) && getenv("NO_COLOR") == ""}
}

func (p painter) paint(c colour, s string) string {
	if !p.on || c == "" {
		return s
	}
	return "\x1b[" + string(c) + "m" + s + "\x1b[0m"
}

// statusColour is the colour of a status word in "show" and "list".
func statusColour(status string) colour {
	switch status {
	case statusValid:
		return green
	case statusExpired:
		return yellow
	case statusRevoked, statusHeld:
		return red
	}
	return ""
}

// refuseBinaryTerminal refuses to write binary data to a terminal.
func refuseBinaryTerminal(w io.Writer, format string) error {
	if isTerminal(w) {
		return usagef("will not write %s (binary) to a terminal", format).withHint("give --out FILE, or redirect standard output")
	}
	return nil
}

// writeOut writes data to the file out (replacing it atomically, mode
// 0644: certificates, CRLs and bundles are public) and says so on
// standard error, or to standard output when out is empty.
func (a *app) writeOut(out string, data []byte, binary bool, what string) error {
	if out == "" || out == "-" {
		if binary {
			if err := refuseBinaryTerminal(a.env.Stdout, what); err != nil {
				return err
			}
		}
		_, err := a.env.Stdout.Write(data)
		return err
	}
	if err := replaceFile(out, data, 0o644); err != nil {
		return err
	}
	messagef(a.env.Stderr, "wrote %s to %s", what, out)
	return nil
}

// explain turns an error of the library into a message and, where the
// user can act, a hint. The library's sentinels (errors.Is) decide; the
// message is the library's, its package prefix dropped.
func explain(err error) *cliError {
	ce := &cliError{msg: trimPrefix(err), code: ExitError, err: err}
	var re *ca.RequestError
	switch {
	case errors.As(err, &re):
		ce.msg = "request refused: " + re.Field + ": " + re.Problem
		switch {
		case errors.Is(err, ca.ErrUnknownProfile), errors.Is(err, ca.ErrProfileNotAllowed):
			ce.withHint("'gostca issue --help' lists the profiles; gostca.json's \"profiles\" limits them")
		case errors.Is(err, ca.ErrCheckDigit):
			ce.withHint("the check digits do not match: check the number against the document")
		case errors.Is(err, ca.ErrMalformedRequest):
			ce.msg = "request refused: the CSR does not parse: " + re.Problem
			ce.withHint("give a PKCS#10 request, PEM or DER, as 'gostca csr' makes")
		case errors.Is(err, ca.ErrBadRequestSignature):
			ce.msg = "request refused: the CSR's signature does not verify (no proof of possession)"
			ce.withHint("make the request again with the subscriber's key ('gostca csr')")
		case errors.Is(err, ca.ErrMissingField) && re.Field == "Config.IssuerSignTool":
			ce.withHint("set \"issuer_sign_tool\" in gostca.json (or give --issuer-sign-tool and friends to init)")
		}
	case errors.Is(err, store.ErrNotFound):
		ce.withHint("'gostca list' shows the serial numbers of this CA")
	case errors.Is(err, ca.ErrWrongIssuer):
		ce.withHint("run the command in the directory of the CA that issued it (--dir)")
	case errors.Is(err, ca.ErrNoBaseCRL):
		ce.withHint("make a full CRL first: 'gostca crl'")
	case errors.Is(err, store.ErrLocked):
		ce.withHint("wait for the other gostca command to finish, then retry")
	}
	return ce
}

// trimPrefix returns the message of err without the library's package
// prefixes ("ca: ", "store: ", ...), which mean nothing to an operator:
// at its start and at the start of each wrapped message (after ": ").
func trimPrefix(err error) string {
	s := err.Error()
	var sb strings.Builder
	for {
		s = trimPackages(s)
		i := strings.Index(s, ": ")
		if i < 0 {
			sb.WriteString(s)
			return sb.String()
		}
		sb.WriteString(s[:i+2])
		s = s[i+2:]
	}
}

// trimPackages strips the package prefixes at the start of s.
func trimPackages(s string) string {
	for {
		trimmed := false
		for _, p := range []string{"ca: ", "store: ", "cert: ", "pkcs11: ", "keyfile: ", "pkcs8: ", "gost3410: ", "truststore: ", "cms: ", "status: ", "ocsp: ", "ra: ", "pgstore: "} {
			if strings.HasPrefix(s, p) {
				s = s[len(p):]
				trimmed = true
			}
		}
		if !trimmed {
			return s
		}
	}
}
