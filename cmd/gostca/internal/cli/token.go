package cli

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/keyfile"
	"github.com/gostca/gostca/crypto/pkcs11"
)

// Keys in PKCS#11 tokens (crypto/pkcs11). A key is named by a PKCS#11 URI
// (RFC 7512); the module (the token's PKCS#11 library) and the PIN come
// from, in order:
//
//   - module: --module, else the URI's module-path, else
//     $GOSTCA_PKCS11_MODULE (for a CA: pkcs11_module of gostca.json first);
//   - PIN: the URI's pin-source (file:PATH or env:NAME), else --pin-file,
//     else $GOSTCA_PIN, else a no-echo prompt on a terminal. Never a flag
//     value, never the URI (pin-value is refused), never written anywhere.
//
// A PIN is tried once: a wrong one fails the command, so that gostca never
// uses up the token's attempts.

// Environment variables of the token commands.
const (
	envModule    = "GOSTCA_PKCS11_MODULE" // the PKCS#11 library
	envPIN       = "GOSTCA_PIN"           // the PIN of the token of the key the command uses
	envParentPIN = "GOSTCA_PARENT_PIN"    // init --parent: the PIN of the parent CA's token
)

// moduleExamples are module paths of common tokens, for hints and help.
const moduleExamples = "/usr/lib/librtpkcs11ecp.so (Rutoken), /usr/lib/libjcPKCS11-2.so (JaCarta), /usr/lib/softhsm/libsofthsm2.so (SoftHSM2)"

// keyModuleHelp is the help of --module beside a --key that may be a URI.
const keyModuleHelp = "with --key URI: the token's PKCS#11 library `PATH` (default the URI's module-path, else $" + envModule + ")"

// isTokenURI reports whether s names a key in a token rather than a key
// type or a file.
func isTokenURI(s string) bool {
	return len(s) >= 7 && strings.EqualFold(s[:7], "pkcs11:")
}

// parseTokenURI parses a PKCS#11 URI given in flag (or as an argument).
func parseTokenURI(s, flag string) (*pkcs11.URI, error) {
	u, err := pkcs11.ParseURI(s)
	if err != nil {
		return nil, usagef("%s: %s", flag, trimPrefix(err)).
			withHint(`write it like "pkcs11:token=LABEL;object=KEY-LABEL;id=%%01?pin-source=file:/etc/gostca/pin" (RFC 7512; a space is %%20)`)
	}
	return u, nil
}

// addPINFlag adds a --pin-file style flag to cmd and returns its spec.
func addPINFlag(cmd *cobra.Command, flag, env, what string) *passSpec {
	s := &passSpec{file: new(string), flag: flag, env: env, what: what}
	cmd.Flags().StringVar(s.file, flag, "", "read the "+what+" from the first line of `FILE` (mode 0600) when the key URI has no pin-source; else $"+env+", else a prompt")
	return s
}

// modulePath is a module and where it was named, for messages.
type modulePath struct {
	path, from string
}

// resolveModule picks the module: flag (--module or gostca.json), else
// the URI's module-path, else $GOSTCA_PKCS11_MODULE.
func (a *app) resolveModule(flag, flagFrom string, u *pkcs11.URI) (modulePath, error) {
	switch {
	case flag != "":
		return modulePath{flag, flagFrom}, nil
	case u != nil && u.ModulePath != "":
		return modulePath{u.ModulePath, "the URI's module-path"}, nil
	case a.env.Getenv(envModule) != "":
		return modulePath{a.env.Getenv(envModule), "$" + envModule}, nil
	}
	if !pkcs11Built {
		return modulePath{}, failf("%s", trimPrefix(pkcs11.ErrNotBuilt)).because(pkcs11.ErrNotBuilt)
	}
	return modulePath{}, failf("no PKCS#11 module given").
		withHint("give --module PATH (or module-path in the URI, or set %s), e.g. %s", envModule, moduleExamples)
}

// openModule loads the module.
func openModule(mp modulePath) (*pkcs11.Module, error) {
	m, err := pkcs11.Open(mp.path, nil)
	if err != nil {
		return nil, tokenError(err, nil, mp, "")
	}
	return m, nil
}

// openToken resolves and opens the module for the token u names (module is
// the --module flag) and reads its PIN: what token keys and token keygen
// both start with. The caller closes the module and clears the PIN.
func (a *app) openToken(module string, u *pkcs11.URI, pinSpec *passSpec) (*pkcs11.Module, modulePath, []byte, string, error) {
	mp, err := a.resolveModule(module, "--module", u)
	if err != nil {
		return nil, mp, nil, "", err
	}
	m, err := openModule(mp)
	if err != nil {
		return nil, mp, nil, "", err
	}
	pin, from, err := a.readPIN(u, pinSpec)
	if err != nil {
		m.Close()
		return nil, mp, nil, "", err
	}
	return m, mp, pin, from, nil
}

// tokenName is how messages name the token a URI selects.
func tokenName(u *pkcs11.URI) string {
	if u == nil {
		return "?"
	}
	if u.Token != "" {
		return u.Token
	}
	t := &pkcs11.URI{Serial: u.Serial, Manufacturer: u.Manufacturer, Model: u.Model, SlotID: u.SlotID, SlotDescription: u.SlotDescription}
	return t.String()
}

// readPIN gets the PIN of the token u names: the URI's pin-source, else
// the sources of s. It returns the PIN and where it came from.
func (a *app) readPIN(u *pkcs11.URI, s *passSpec) ([]byte, string, error) {
	if src := u.PINSource; src != "" {
		from := "pin-source " + src
		if name, ok := strings.CutPrefix(src, "env:"); ok {
			if v := a.env.Getenv(name); v != "" {
				return []byte(v), from, nil
			}
			return nil, from, failf("no PIN: the URI's pin-source is %s, and %s is not set", src, name).
				withHint("set %s, or change the pin-source of the key URI", name)
		}
		pin, err := u.PIN()
		if err != nil {
			return nil, from, failf("%s", trimPrefix(err)).
				withHint("the URI's pin-source %s must name a readable file holding the PIN", src).because(err)
		}
		return pin, from, nil
	}
	if *s.file != "" {
		pin, err := keyfile.FromFile(*s.file)()
		if err != nil {
			return nil, "", failf("reading the %s: %v", s.what, trimPrefix(err)).
				withHint("the file must exist, be readable only by you (chmod 600) and hold the PIN on its first line").because(err)
		}
		return pin, "--" + s.flag + " " + *s.file, nil
	}
	if v := a.env.Getenv(s.env); v != "" {
		return []byte(v), "$" + s.env, nil
	}
	in, ok := a.env.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return nil, "", failf("no PIN for token %q: standard input is not a terminal", tokenName(u)).
			withHint("give --%s FILE, set %s, or add pin-source=file:PATH to the key URI", s.flag, s.env)
	}
	fmt.Fprintf(a.env.Stderr, "Enter the PIN of token %q: ", tokenName(u))
	pin, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(a.env.Stderr)
	if err != nil {
		return nil, "", failf("reading the PIN from the terminal: %v", err)
	}
	if len(pin) == 0 {
		return nil, "", failf("empty PIN")
	}
	return pin, "the terminal", nil
}

// tokenError explains an error of crypto/pkcs11: one line naming what was
// looked for, and a hint. pinFrom says where the PIN came from.
func tokenError(err error, u *pkcs11.URI, mp modulePath, pinFrom string) error {
	var ce *cliError
	if errors.As(err, &ce) {
		return err
	}
	msg := trimPrefix(err)
	e := failf("%s", msg).because(err)
	switch {
	case errors.Is(err, pkcs11.ErrNotBuilt):
	case errors.Is(err, pkcs11.ErrModule) && errors.Is(err, fs.ErrNotExist):
		e.msg = fmt.Sprintf("PKCS#11 module %s not found", mp.path)
		e.withHint("the module (from %s) must be the token's PKCS#11 library, e.g. %s", mp.from, moduleExamples)
	case errors.Is(err, pkcs11.ErrModule):
		e.msg = "unusable PKCS#11 module: " + strings.TrimPrefix(msg, "unusable module: ")
		e.withHint("the module (from %s) must be the token's PKCS#11 library, e.g. %s", mp.from, moduleExamples)
	case errors.Is(err, pkcs11.ErrPINIncorrect):
		e.msg = fmt.Sprintf("token %q: incorrect PIN", tokenName(u))
		e.withHint("the PIN from %s was refused; gostca tried it once and will not retry, so as not to lock the token", pinFrom)
	case errors.Is(err, pkcs11.ErrPINLocked):
		e.msg = fmt.Sprintf("token %q: the user PIN is locked", tokenName(u))
		e.withHint("the token's security officer must unlock it (with the vendor's tool, or softhsm2-util for SoftHSM2)")
	case errors.Is(err, pkcs11.ErrTokenNotFound):
		e.withHint("'gostca token list' shows the tokens of the module %s", mp.path)
	case errors.Is(err, pkcs11.ErrKeyNotFound):
		e.withHint("'gostca token keys \"pkcs11:token=%s\"' lists its keys; 'gostca token keygen' makes one", tokenName(u))
	case errors.Is(err, pkcs11.ErrAmbiguous):
		e.withHint("add serial= or slot-id= (token) or id= (key) to the URI; 'gostca token list' and 'gostca token keys' show them")
	case errors.Is(err, pkcs11.ErrKeyExists):
		e.withHint("choose another object= and id=, or use the existing key ('gostca token keys' lists them)")
	case errors.Is(err, pkcs11.ErrMechanism):
		e.withHint("'gostca token list' shows the token's GOST mechanisms; use a key type the token supports (gost2012-256:A)")
	case errors.Is(err, pkcs11.ErrPINRequired):
		e.withHint("give --pin-file FILE, set %s, or add pin-source=file:PATH to the key URI", envPIN)
	case errors.Is(err, pkcs11.ErrSessionLost):
		e.withHint("check that the token is plugged in and its reader works, then run the command again")
	case errors.Is(err, pkcs11.ErrNotGOST):
		e.withHint("gostca uses GOST R 34.10-2012 keys only; make one with 'gostca token keygen'")
	}
	return e
}

// tokenKey is a key opened in a token, with its module.
type tokenKey struct {
	*pkcs11.Key
	module *pkcs11.Module
	mp     modulePath
}

// Close closes the key and the module.
func (k *tokenKey) Close() error {
	k.Key.Close()
	return k.module.Close()
}

// openTokenKey opens the key u names with the module mp, the PIN from u's
// pin-source or s.
func (a *app) openTokenKey(u *pkcs11.URI, mp modulePath, s *passSpec) (*tokenKey, error) {
	m, err := openModule(mp)
	if err != nil {
		return nil, err
	}
	pin, from, err := a.readPIN(u, s)
	if err != nil {
		m.Close()
		return nil, err
	}
	defer clear(pin)
	k, err := m.FindKey(u, pin)
	if err != nil {
		m.Close()
		return nil, tokenError(err, u, mp, from)
	}
	return &tokenKey{Key: k, module: m, mp: mp}, nil
}

// keyFingerprint is the Streebog-256 fingerprint of a public key's
// SubjectPublicKeyInfo.
func keyFingerprint(pub *gost3410.PublicKey) string {
	der, err := gost3410.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "?"
	}
	return fingerprint(der)
}

// keyTypeName names a parameter set as --key does: "gost2012-256:A
// (cryptopro-a)".
func keyTypeName(p *gost3410.Params) string {
	for k, v := range keyTypes {
		if v == p.Name() {
			alg, set, _ := strings.Cut(k, ":")
			return fmt.Sprintf("%s:%s (%s)", alg, strings.ToUpper(set), p.Name())
		}
	}
	return fmt.Sprintf("%s, %d bits", p.Name(), p.Bits())
}

// recordedKeyURI is the URI gostca.json keeps for a token key: the key's
// own URI (token label and serial, object, id) and the pin-source the
// operator gave, a relative file made absolute. Never a PIN; the module
// goes to pkcs11_module.
func recordedKeyURI(k *pkcs11.Key, given *pkcs11.URI) string {
	u := k.URI()
	u.ModulePath = ""
	u.PINSource = given.PINSource
	if name, ok := strings.CutPrefix(u.PINSource, "file:"); ok && !strings.HasPrefix(name, "/") {
		if abs, err := filepath.Abs(name); err == nil {
			u.PINSource = "file:" + abs
		}
	}
	return u.String()
}

// recordedModule is the module path gostca.json keeps: absolute when it
// is a path, as given when it is a bare library name for the loader.
func recordedModule(p string) string {
	if strings.ContainsRune(p, '/') {
		if abs, err := filepath.Abs(p); err == nil {
			return abs
		}
	}
	return p
}

func (a *app) tokenCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "PKCS#11 tokens: list them and their keys, make a CA key in one",
		Long: `Token works with PKCS#11 tokens and HSMs that hold GOST R 34.10-2012 keys
(Rutoken, JaCarta, SoftHSM2 built with GOST, ...). A token and a key are
named by a PKCS#11 URI (RFC 7512):

  pkcs11:token=LABEL;object=KEY-LABEL;id=%01?pin-source=file:/etc/gostca/pin

The module (the token's PKCS#11 library) is --module, else the URI's
module-path, else $GOSTCA_PKCS11_MODULE. The PIN comes from the URI's
pin-source (file:PATH or env:NAME), else --pin-file, else $GOSTCA_PIN,
else a prompt on the terminal; never from a flag value or the URI itself.
A wrong PIN is tried once and never retried, so as not to lock the token.

To keep a CA's key in a token: make it with 'gostca token keygen', then
give its URI to 'gostca init --key'.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(a.tokenListCommand(), a.tokenKeysCommand(), a.tokenKeygenCommand())
	return cmd
}

func (a *app) tokenListCommand() *cobra.Command {
	var module string
	cmd := &cobra.Command{
		Use:   "list [--module PATH]",
		Short: "List the tokens of a module, their flags and GOST mechanisms",
		Long: `List shows the tokens present in the module's slots: label, serial,
manufacturer and model, the URI naming the token, its flags (initialized,
login required, PIN count low, final try, locked), and whether it has the
mechanisms gostca needs for 256-bit keys (CKM_GOSTR3410_KEY_PAIR_GEN,
CKM_GOSTR3410) and 512-bit keys (the TC26 CKM_GOSTR3410_512_KEY_PAIR_GEN,
CKM_GOSTR3410_512), naming those missing.`,
		Example: `  gostca token list --module /usr/lib/librtpkcs11ecp.so
  GOSTCA_PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so gostca token list`,
		Args: usageArgs(cobra.NoArgs),
	}
	cmd.Flags().StringVar(&module, "module", "", "the PKCS#11 library `PATH` (default $"+envModule+")")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		mp, err := a.resolveModule(module, "--module", nil)
		if err != nil {
			return err
		}
		m, err := openModule(mp)
		if err != nil {
			return err
		}
		defer m.Close()
		tokens, err := m.Tokens()
		if err != nil {
			return tokenError(err, nil, mp, "")
		}
		if len(tokens) == 0 {
			messagef(a.env.Stderr, "no token present in the slots of %s", mp.path)
			return nil
		}
		var sb strings.Builder
		for i, t := range tokens {
			if i > 0 {
				sb.WriteByte('\n')
			}
			writeToken(&sb, &t)
		}
		_, err = fmt.Fprint(a.env.Stdout, sb.String())
		return err
	}
	return cmd
}

// writeToken writes what token list shows of a token.
func writeToken(sb *strings.Builder, t *pkcs11.Token) {
	line := func(label, format string, args ...any) {
		fmt.Fprintf(sb, "  %-13s %s\n", label, fmt.Sprintf(format, args...))
	}
	fmt.Fprintf(sb, "slot %d: token %q\n", t.SlotID, t.Label)
	if t.Flags&pkcs11.FlagTokenInitialized != 0 {
		line("uri", "%s", t.URI())
		line("serial", "%s", t.Serial)
	}
	line("model", "%s", strings.TrimSpace(t.Manufacturer+" "+t.Model))
	var flags []string
	flag := func(bit uint, yes, no string) {
		switch {
		case t.Flags&bit != 0 && yes != "":
			flags = append(flags, yes)
		case t.Flags&bit == 0 && no != "":
			flags = append(flags, no)
		}
	}
	flag(pkcs11.FlagTokenInitialized, "initialized", "NOT INITIALIZED")
	flag(pkcs11.FlagUserPINInitialized, "user PIN initialized", "user PIN NOT INITIALIZED")
	flag(pkcs11.FlagLoginRequired, "login required", "no login required")
	flag(pkcs11.FlagUserPINCountLow, "PIN COUNT LOW (a wrong PIN was given)", "")
	flag(pkcs11.FlagUserPINFinalTry, "PIN FINAL TRY (one more wrong PIN locks it)", "")
	flag(pkcs11.FlagUserPINLocked, "PIN LOCKED", "")
	line("flags", "%s", strings.Join(flags, ", "))
	for _, bits := range []int{256, 512} {
		gen, sign := uint(pkcs11.CKM_GOSTR3410_KEY_PAIR_GEN), uint(pkcs11.CKM_GOSTR3410)
		if bits == 512 {
			gen, sign = pkcs11.CKM_GOSTR3410_512_KEY_PAIR_GEN, pkcs11.CKM_GOSTR3410_512
		}
		var have, missing []string
		for _, m := range []uint{gen, sign} {
			if t.HasMechanism(m) {
				have = append(have, pkcs11.MechanismName(m))
			} else {
				missing = append(missing, pkcs11.MechanismName(m))
			}
		}
		label := fmt.Sprintf("%d-bit keys", bits)
		switch {
		case len(missing) == 0:
			line(label, "yes (%s)", strings.Join(have, ", "))
		case len(have) == 0:
			line(label, "no: missing %s", strings.Join(missing, ", "))
		default:
			line(label, "no: missing %s (has %s)", strings.Join(missing, ", "), strings.Join(have, ", "))
		}
	}
}

func (a *app) tokenKeysCommand() *cobra.Command {
	var module string
	cmd := &cobra.Command{
		Use:   "keys URI [--module PATH]",
		Short: "List the GOST keys in a token",
		Long: `Keys logs in to the token the URI names and lists its GOST R 34.10-2012
key pairs: label (object), id, parameter set, attributes (always-
authenticate, extractable), the key's URI and the Streebog-256 fingerprint
of its public key (SubjectPublicKeyInfo). With object= or id= in the URI,
only the keys that match.`,
		Example: `  gostca token keys "pkcs11:token=gostca?pin-source=file:/etc/gostca/pin" --module /usr/lib/librtpkcs11ecp.so
  GOSTCA_PIN=... gostca token keys "pkcs11:token=gostca;object=root-2026"`,
		Args: usageArgs(cobra.ExactArgs(1)),
	}
	cmd.Flags().StringVar(&module, "module", "", "the PKCS#11 library `PATH` (default the URI's module-path, else $"+envModule+")")
	pinSpec := addPINFlag(cmd, "pin-file", envPIN, "token PIN")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		u, err := parseTokenURI(args[0], "URI")
		if err != nil {
			return err
		}
		m, mp, pin, from, err := a.openToken(module, u, pinSpec)
		if err != nil {
			return err
		}
		defer m.Close()
		defer clear(pin)
		keys, err := m.Keys(u, pin)
		if err != nil {
			return tokenError(err, u, mp, from)
		}
		var sb strings.Builder
		n := 0
		for _, k := range keys {
			if u.Object != "" && k.Label != u.Object || len(u.ID) > 0 && !bytes.Equal(k.ID, u.ID) {
				continue
			}
			if n > 0 {
				sb.WriteByte('\n')
			}
			n++
			writeKeyInfo(&sb, &k)
		}
		if n == 0 {
			messagef(a.env.Stderr, "no GOST key matches %s in token %q", u, tokenName(u))
			return nil
		}
		_, err = fmt.Fprint(a.env.Stdout, sb.String())
		return err
	}
	return cmd
}

// writeKeyInfo writes what token keys shows of a key.
func writeKeyInfo(sb *strings.Builder, k *pkcs11.KeyInfo) {
	line := func(label, format string, args ...any) {
		fmt.Fprintf(sb, "  %-13s %s\n", label, fmt.Sprintf(format, args...))
	}
	fmt.Fprintf(sb, "key %q id %s\n", k.Label, hex.EncodeToString(k.ID))
	line("uri", "%s", k.URI)
	line("key", "%s", keyTypeName(k.Params))
	yesNo := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	line("attributes", "always-authenticate %s, sensitive %s, extractable %s, sign %s",
		yesNo(k.AlwaysAuthenticate), yesNo(k.Sensitive), yesNo(k.Extractable), yesNo(k.Sign))
	if k.Public != nil {
		line("public key", "%s", keyFingerprint(k.Public))
	} else {
		line("public key", "none in the token (gostca cannot use this key)")
	}
}

func (a *app) tokenKeygenCommand() *cobra.Command {
	var module, keyType string
	var alwaysAuth bool
	cmd := &cobra.Command{
		Use:   "keygen URI --key TYPE [--module PATH]",
		Short: "Generate a GOST key pair in a token",
		Long: `Keygen generates a GOST R 34.10-2012 key pair in the token the URI names,
labelled with the URI's object and identified by its id (raw bytes,
percent-encoded: id=%01; 16 random bytes without id). The private key is
sensitive and not extractable: it never leaves the token. Keygen refuses a
label or id the token already has. The new key signs once as a
self-test.

It prints the key's URI on standard output (give it to 'gostca init
--key') and the Streebog-256 fingerprint of its public key on standard
error. 512-bit keys need the TC26 mechanisms, which not every token has
(SoftHSM2 has none): 'gostca token list' shows them.`,
		Example: `  gostca token keygen "pkcs11:token=gostca;object=root-2026;id=%01?pin-source=file:/etc/gostca/pin" \
      --key gost2012-512:A --module /usr/lib/librtpkcs11ecp.so
  GOSTCA_PIN=... gostca token keygen "pkcs11:token=gostca;object=sub-2026" --key gost2012-256:A`,
		Args: usageArgs(cobra.ExactArgs(1)),
	}
	cmd.Flags().StringVar(&module, "module", "", "the PKCS#11 library `PATH` (default the URI's module-path, else $"+envModule+")")
	cmd.Flags().StringVar(&keyType, "key", defaultKeyType, keyTypeHelp)
	cmd.Flags().BoolVar(&alwaysAuth, "always-authenticate", false, "mark the key CKA_ALWAYS_AUTHENTICATE (the token wants the PIN for every signature)")
	pinSpec := addPINFlag(cmd, "pin-file", envPIN, "token PIN")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		u, err := parseTokenURI(args[0], "URI")
		if err != nil {
			return err
		}
		if u.Object == "" {
			return usagef("URI %s names no object: the new key's label", args[0]).
				withHint(`add ";object=LABEL" to the URI, e.g. "pkcs11:token=%s;object=root-2026"`, tokenName(u))
		}
		params, err := parseKeyType(keyType)
		if err != nil {
			return err
		}
		m, mp, pin, from, err := a.openToken(module, u, pinSpec)
		if err != nil {
			return err
		}
		defer m.Close()
		defer clear(pin)
		k, err := m.GenerateKey(u, params, pin, &pkcs11.KeyOptions{AlwaysAuthenticate: alwaysAuth})
		if err != nil {
			err = tokenError(err, u, mp, from)
			if ce := (*cliError)(nil); errors.As(err, &ce) && ce.hint == "" {
				ce.withHint("the token refused to make a key on %s; tokens support only some parameter sets (SoftHSM2: gost2012-256:A only)", params.Name())
			}
			return err
		}
		defer k.Close()
		fmt.Fprintln(a.env.Stdout, k.URI())
		messagef(a.env.Stderr, "generated a %d-bit %s key in token %q; public key fingerprint (Streebog-256) %s",
			params.Bits(), params.Name(), tokenName(u), keyFingerprint(k.PublicKey()))
		return nil
	}
	return cmd
}

// caKeyURI is the key URI of a token CA's config, parsed.
func (a *app) caKeyURI(cfg *config) (*pkcs11.URI, error) {
	u, err := pkcs11.ParseURI(cfg.KeyURI)
	if err != nil {
		return nil, failf("%s: key_uri: %s", a.path(configName), trimPrefix(err)).
			withHint("fix the file; docs/operator-guide.md describes key_uri")
	}
	return u, nil
}

// loadCAKey opens the CA key of cfg: a key file (passphrase from pass) or
// a key in a token (PIN from the URI's pin-source or pin). The closer
// releases a token key and its module.
func (a *app) loadCAKey(cfg *config, keys caKeySecrets) (crypto.Signer, func(), error) {
	if cfg.KeyURI == "" {
		keyPath := cfg.KeyFile
		if !filepath.IsAbs(keyPath) {
			keyPath = a.path(keyPath)
		}
		key, err := keyfile.Read(keyPath, a.passSource(keys.pass))
		if err != nil {
			return nil, nil, keyError(keyPath, keys.pass, err)
		}
		return key, func() {}, nil
	}
	u, err := a.caKeyURI(cfg)
	if err != nil {
		return nil, nil, err
	}
	mp, err := a.resolveModule(cfg.PKCS11Module, "pkcs11_module of "+a.path(configName), u)
	if err != nil {
		return nil, nil, err
	}
	k, err := a.openTokenKey(u, mp, keys.pin)
	if err != nil {
		return nil, nil, err
	}
	return k.Key, func() { k.Close() }, nil
}

// caKeySecrets say where a command gets the secret of a CA key: the
// passphrase of a key file, or the PIN of a token.
type caKeySecrets struct {
	pass, pin *passSpec
}

// addKeyFlags adds --pass-file and --pin-file, for a subscriber's key: a
// key file or a key in a token.
func addKeyFlags(cmd *cobra.Command) caKeySecrets {
	return caKeySecrets{
		pass: addPassFlag(cmd, "pass-file", envPassphrase, "key passphrase"),
		pin:  addPINFlag(cmd, "pin-file", envPIN, "token PIN"),
	}
}

// addCAKeyFlags adds --pass-file and --pin-file, for the CA key.
func addCAKeyFlags(cmd *cobra.Command) caKeySecrets {
	return caKeySecrets{
		pass: addPassFlag(cmd, "pass-file", envPassphrase, "CA key passphrase"),
		pin:  addPINFlag(cmd, "pin-file", envPIN, "CA token PIN"),
	}
}
