package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/gostca/gostca/crypto/keyfile"
	"github.com/gostca/gostca/crypto/pkcs8"
)

// Passphrase sources, in order: the --pass-file flag (first line of the
// file, which only its owner may read), the environment variable, a
// no-echo prompt on the terminal when standard input is one; else an error
// with a hint. Never a flag value.

// Environment variables of passphrases.
const (
	envPassphrase       = "GOSTCA_PASSPHRASE"        // the key the command uses
	envParentPassphrase = "GOSTCA_PARENT_PASSPHRASE" // init --parent: the parent CA's key
	envExportPassphrase = "GOSTCA_EXPORT_PASSPHRASE" // export --format p12
)

// passSpec says where one passphrase of a command comes from.
type passSpec struct {
	file   *string // the value of the --pass-file style flag
	flag   string  // its name, for hints
	env    string  // the environment variable
	what   string  // "CA key passphrase", for prompts and errors
	repeat bool    // a new passphrase: ask twice on a terminal
}

// addPassFlag adds a --pass-file style flag to cmd and returns the spec.
func addPassFlag(cmd *cobra.Command, flag, env, what string) *passSpec {
	s := &passSpec{file: new(string), flag: flag, env: env, what: what}
	cmd.Flags().StringVar(s.file, flag, "", "read the "+what+" from the first line of `FILE` (mode 0600; else $"+env+", else a prompt)")
	return s
}

// source returns the passphrase function for keyfile.Read: it is called
// only if the key is encrypted.
func (a *app) passSource(s *passSpec) func() ([]byte, error) {
	return func() ([]byte, error) { return a.readPass(s) }
}

// readPass gets the passphrase of s from its sources.
func (a *app) readPass(s *passSpec) ([]byte, error) {
	if *s.file != "" {
		p, err := keyfile.FromFile(*s.file)()
		if err != nil {
			return nil, failf("reading the %s: %v", s.what, trimPrefix(err)).withHint("the file must exist, be readable only by you (chmod 600) and hold the passphrase on its first line").because(err)
		}
		return p, nil
	}
	if v := a.env.Getenv(s.env); v != "" {
		return []byte(v), nil
	}
	in, ok := a.env.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return nil, failf("no %s: standard input is not a terminal", s.what).
			withHint("give --%s FILE or set %s", s.flag, s.env)
	}
	p, err := a.prompt(in, "Enter the "+s.what+": ")
	if err != nil {
		return nil, err
	}
	if s.repeat {
		again, err := a.prompt(in, "Repeat the "+s.what+": ")
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(p, again) {
			return nil, failf("the passphrases do not match")
		}
	}
	if len(p) == 0 {
		return nil, failf("empty %s", s.what)
	}
	return p, nil
}

// prompt reads a line from the terminal in without echo; the prompt goes
// to standard error.
func (a *app) prompt(in *os.File, prompt string) ([]byte, error) {
	fmt.Fprint(a.env.Stderr, prompt)
	p, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(a.env.Stderr)
	if err != nil {
		return nil, failf("reading the passphrase from the terminal: %v", err)
	}
	return p, nil
}

// keyError explains a failure to read the key file at path.
func keyError(path string, s *passSpec, err error) error {
	var ce *cliError
	switch {
	case errors.As(err, &ce):
		return err
	case errors.Is(err, pkcs8.ErrIncorrectPassphrase):
		return failf("wrong passphrase for %s", path).
			withHint("check the passphrase in --%s or $%s", s.flag, s.env).because(err)
	case errors.Is(err, keyfile.ErrInsecurePermissions):
		return failf("%s", trimPrefix(err)).because(err)
	case errors.Is(err, fs.ErrNotExist):
		return failf("the key %s is missing", path).because(err)
	}
	return failf("reading the key %s: %s", path, trimPrefix(err)).because(err)
}

// envKDFIterations sets the PBKDF2 iteration count of the key files the
// commands write (key new, init): the cost of each passphrase guess, and of
// each unlock. Unset: pkcs8.DefaultIterations.
const envKDFIterations = "GOSTCA_KDF_ITERATIONS"

// minKDFIterations is the fewest iterations envKDFIterations may ask for.
const minKDFIterations = 1000

// cipherHelp describes the --cipher flag of the commands that write keys.
const cipherHelp = "encrypt the key file with `CIPHER`: aes256 (AES-256-CBC), gost89 (GOST 28147-89, as openssl pkcs8 -v2 gost89), " +
	"kuznyechik or magma (CTR-ACPKM-OMAC of RFC 9337, which OpenSSL 3.0 and GnuTLS cannot read)"

// keyFileOptions returns the encryption options of the key files the
// commands write: cipher ("" or "aes256": AES-256-CBC; "gost89": GOST
// 28147-89 CFB; "kuznyechik", "magma": their CTR-ACPKM-OMAC), and the
// PBKDF2 iterations of $GOSTCA_KDF_ITERATIONS (unset: pkcs8's default).
// nil means every default.
func (a *app) keyFileOptions(cipher string) (*pkcs8.Options, error) {
	var opts pkcs8.Options
	switch cipher {
	case "", "aes256":
	case "gost89":
		opts.Cipher = pkcs8.CipherGOST28147
	case "kuznyechik":
		opts.Cipher = pkcs8.CipherKuznyechikCTRACPKMOMAC
	case "magma":
		opts.Cipher = pkcs8.CipherMagmaCTRACPKMOMAC
	default:
		return nil, usagef("--cipher %q: want aes256, gost89, kuznyechik or magma", cipher)
	}
	if v := a.env.Getenv(envKDFIterations); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < minKDFIterations || n > pkcs8.MaxIterations {
			return nil, usagef("$%s is %q: want a number of PBKDF2 iterations from %d to %d", envKDFIterations, v, minKDFIterations, pkcs8.MaxIterations).
				withHint("unset it for the default, %d", pkcs8.DefaultIterations)
		}
		opts.Iterations = n
	}
	if opts == (pkcs8.Options{}) {
		return nil, nil
	}
	return &opts, nil
}
