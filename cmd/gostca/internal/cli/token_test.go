package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/crypto/pkcs11"
)

func TestResolveModule(t *testing.T) {
	uri := &pkcs11.URI{Token: "t", ModulePath: "/from/uri.so"}
	for _, tc := range []struct {
		name, flag string
		u          *pkcs11.URI
		env        string
		want, from string
	}{
		{"flag wins", "/from/flag.so", uri, "/from/env.so", "/from/flag.so", "--module"},
		{"then the URI", "", uri, "/from/env.so", "/from/uri.so", "the URI's module-path"},
		{"then the environment", "", &pkcs11.URI{Token: "t"}, "/from/env.so", "/from/env.so", "$" + envModule},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, _, _ := testEnv(map[string]string{envModule: tc.env})
			a := &app{env: env}
			mp, err := a.resolveModule(tc.flag, "--module", tc.u)
			if err != nil || mp.path != tc.want || mp.from != tc.from {
				t.Errorf("got %+v, %v; want %s from %s", mp, err, tc.want, tc.from)
			}
		})
	}
	env, _, _ := testEnv(nil)
	a := &app{env: env}
	_, err := a.resolveModule("", "--module", &pkcs11.URI{Token: "t"})
	var ce *cliError
	if !errors.As(err, &ce) || ce.code != ExitError {
		t.Fatalf("no module: %v", err)
	}
	if pkcs11Built {
		if ce.msg != "no PKCS#11 module given" || !strings.Contains(ce.hint, envModule) {
			t.Errorf("no module: %q, hint %q", ce.msg, ce.hint)
		}
	} else if !errors.Is(err, pkcs11.ErrNotBuilt) {
		t.Errorf("no module, no cgo: %v, want ErrNotBuilt", err)
	}
}

func TestReadPIN(t *testing.T) {
	dir := t.TempDir()
	uriFile := filepath.Join(dir, "uri.pin")
	flagFile := filepath.Join(dir, "flag.pin")
	os.WriteFile(uriFile, []byte("from-uri-file\n"), 0o600)
	os.WriteFile(flagFile, []byte("from-flag-file\nsecond line\n"), 0o600)
	for _, tc := range []struct {
		name      string
		pinSource string
		flag      string
		vars      map[string]string
		want      string
		from      string
	}{
		{"uri file wins", "file:" + uriFile, flagFile, map[string]string{envPIN: "env"}, "from-uri-file", "pin-source file:" + uriFile},
		{"uri env through Env", "env:MY_PIN", flagFile, map[string]string{"MY_PIN": "from-my-pin", envPIN: "env"}, "from-my-pin", "pin-source env:MY_PIN"},
		{"then --pin-file", "", flagFile, map[string]string{envPIN: "env"}, "from-flag-file", "--pin-file " + flagFile},
		{"then GOSTCA_PIN", "", "", map[string]string{envPIN: "env"}, "env", "$" + envPIN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, _, _ := testEnv(tc.vars)
			a := &app{env: env}
			s := &passSpec{file: &tc.flag, flag: "pin-file", env: envPIN, what: "token PIN"}
			pin, from, err := a.readPIN(&pkcs11.URI{Token: "t", PINSource: tc.pinSource}, s)
			if err != nil || string(pin) != tc.want || from != tc.from {
				t.Errorf("got %q from %q, %v; want %q from %q", pin, from, err, tc.want, tc.from)
			}
		})
	}
	// No source, standard input not a terminal: an error with a hint.
	env, _, _ := testEnv(nil)
	a := &app{env: env}
	empty := ""
	_, _, err := a.readPIN(&pkcs11.URI{Token: "t"}, &passSpec{file: &empty, flag: "pin-file", env: envPIN})
	var ce *cliError
	if !errors.As(err, &ce) || ce.msg != `no PIN for token "t": standard input is not a terminal` || !strings.Contains(ce.hint, "--pin-file") {
		t.Errorf("no PIN: %v", err)
	}
	// A pin-source variable that is not set.
	_, _, err = a.readPIN(&pkcs11.URI{Token: "t", PINSource: "env:NOPE"}, &passSpec{file: &empty, flag: "pin-file", env: envPIN})
	if err == nil || !strings.Contains(err.Error(), "NOPE is not set") {
		t.Errorf("unset pin-source variable: %v", err)
	}
}

func TestTokenError(t *testing.T) {
	u := &pkcs11.URI{Token: "ca"}
	mp := modulePath{"/lib/x.so", "--module"}
	for _, tc := range []struct {
		err       error
		msg, hint string
	}{
		{fmt.Errorf("%w: token %q refused the PIN (not retried): CKR_PIN_INCORRECT", pkcs11.ErrPINIncorrect, "ca"),
			`token "ca": incorrect PIN`, "the PIN from $GOSTCA_PIN was refused"},
		{fmt.Errorf("%w: token %q: locked", pkcs11.ErrPINLocked, "ca"), `token "ca": the user PIN is locked`, "security officer"},
		{fmt.Errorf("%w: no token matches pkcs11:token=ca; tokens present: none", pkcs11.ErrTokenNotFound),
			"token not found: no token matches pkcs11:token=ca; tokens present: none", "gostca token list"},
		{fmt.Errorf("%w: token %q has no private key object=k", pkcs11.ErrKeyNotFound, "ca"),
			`key not found: token "ca" has no private key object=k`, "gostca token keys"},
		{fmt.Errorf("%w: /lib/x.so is not a PKCS#11 module (no C_GetFunctionList)", pkcs11.ErrModule),
			"unusable PKCS#11 module: /lib/x.so is not a PKCS#11 module (no C_GetFunctionList)", "from --module"},
		{pkcs11.ErrNotBuilt, "this binary was built without PKCS#11 support (cgo disabled); rebuild with CGO_ENABLED=1", ""},
	} {
		err := tokenError(tc.err, u, mp, "$GOSTCA_PIN")
		var ce *cliError
		if !errors.As(err, &ce) || ce.msg != tc.msg || !strings.Contains(ce.hint, tc.hint) || (tc.hint == "") != (ce.hint == "") {
			t.Errorf("%v:\n got %q, hint %q\nwant %q, hint with %q", tc.err, ce.msg, ce.hint, tc.msg, tc.hint)
		}
		if !errors.Is(err, tc.err) {
			t.Errorf("%v: the cause is lost", tc.err)
		}
	}
}

func TestConfigKeyFileAndURI(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, configName), []byte(`{"key_file": "ca.key", "key_uri": "pkcs11:token=t;object=k"}`), 0o644)
	code, _, stderr := execute(t, nil, "--dir", dir, "crl")
	if code != ExitError || !strings.Contains(stderr, "key_file and key_uri are both set") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
