package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/responder"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/keyfile"
)

// signer is a CA made in-process in dir/ca (its key unencrypted) and a
// subscriber's key with its certificate.
type signer struct {
	run            func(args ...string) string
	vars           map[string]string
	key, csr, cert string
	serial         string
}

func newSigner(t *testing.T, dir, caKeyType, keyType string) *signer {
	t.Helper()
	s := &signer{
		vars: map[string]string{"GOSTCA_DIR": filepath.Join(dir, "ca")},
		key:  filepath.Join(dir, "signer.key"), csr: filepath.Join(dir, "signer.csr"), cert: filepath.Join(dir, "signer.pem"),
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s.run = mustRun(t, s.vars)
	plainCA(t, s.vars["GOSTCA_DIR"], caKeyType, "CN=Signing CA,O=Test,C=RU")
	s.run("key", "new", "--out", s.key, "--no-passphrase", "--key", keyType)
	s.run("csr", "--key", s.key, "--subject", "CN=Иванов Иван Иванович,C=RU", "--snils", "11223344595", "--out", s.csr)
	s.serial = strings.TrimSpace(s.run("issue", "--csr", s.csr, "--out", s.cert))
	return s
}

// plainCA makes a root CA in dir as 'gostca init' does, but with its key
// unencrypted: every command that reads an encrypted CA key runs
// PBKDF2-Streebog (200,000 iterations), which takes over a minute under
// the race detector.
func plainCA(t *testing.T, dir, keyType, subject string) {
	t.Helper()
	params, err := parseKeyType(keyType)
	if err != nil {
		t.Fatal(err)
	}
	key, err := gost3410.GenerateKey(params, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	name, err := cert.ParseDN(subject)
	if err != nil {
		t.Fatal(err)
	}
	env, _, errb := testEnv(nil)
	a := &app{env: env, dir: dir}
	cfg := config{KeyFile: keyName, Subject: subject, DefaultProfile: ca.ProfileSignature, CRLDays: 7, DeltaCRLHours: 24}
	if err := a.create(&cfg, name, newCAKey{signer: key, soft: key}, nil, "", 0, 0); err != nil {
		t.Fatalf("making the CA in %s: %v\n%s", dir, err, errb)
	}
}

// writeDoc writes a document of n bytes to dir/name.
func writeDoc(t *testing.T, dir, name string, n int) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, bytes.Repeat([]byte("Договор № 1. "), n/len("Договор № 1. ")+1)[:n], 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// startResponder serves OCSP for the CA in caDir with ca/responder over
// httptest, following its ledger every 50 ms, as 'gostca serve' does.
func startResponder(t *testing.T, caDir string) string {
	t.Helper()
	key, err := keyfile.Read(filepath.Join(caDir, keyName), nil)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := readCerts(filepath.Join(caDir, certName))
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cache, err := responder.New(responder.Config{
		Ledger:       filepath.Join(caDir, ledgerName),
		CA:           ca.Config{Signer: key, Certificate: certs[0], Clock: time.Now},
		PollInterval: 50 * time.Millisecond,
		Logger:       quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := responder.NewHandler(responder.HandlerOptions{OCSP: cache, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); cache.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait(); srv.Close() })
	return srv.URL + "/ocsp"
}

// TestSignVerifyOCSP signs with 'gostca sign' and verifies with 'gostca
// verify-signature --ocsp' against the CA's responder: good, then revoked
// after the signing time (valid when made), and a signature made after
// the revocation (invalid).
func TestSignVerifyOCSP(t *testing.T) {
	dir := t.TempDir()
	s := newSigner(t, dir, "gost2012-256:A", "gost2012-256:A")
	doc := writeDoc(t, dir, "doc.txt", 1000)
	s.run("sign", "--key", s.key, "--cert", s.cert, doc)
	url := startResponder(t, s.vars["GOSTCA_DIR"])
	verify := func(sig string, extra ...string) (int, string, string) {
		return execute(t, s.vars, append([]string{"verify-signature", sig, "--content", doc, "--ocsp", url}, extra...)...)
	}

	code, out, errs := verify(doc + ".sig")
	if code != ExitOK || !strings.Contains(out, "signature 1: valid\n") || !strings.Contains(out, "  at signing:   not revoked\n") ||
		!strings.Contains(out, "  source:       OCSP "+url+", as of ") {
		t.Fatalf("good: exit %d\n%s%s", code, out, errs)
	}

	// A second certificate for the key, revoked before it signs.
	late := strings.TrimSpace(s.run("issue", "--csr", s.csr, "--out", filepath.Join(dir, "late.pem")))
	s.run("revoke", late, "--reason", "keyCompromise")
	lateSig := filepath.Join(dir, "late.sig")
	s.run("sign", "--key", s.key, "--cert", filepath.Join(dir, "late.pem"), "--out", lateSig, doc)

	// The first certificate, revoked after it signed (signing times have
	// whole seconds); the responder follows the ledger.
	time.Sleep(1100 * time.Millisecond)
	s.run("revoke", s.serial, "--reason", "superseded")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		code, out, errs = verify(doc + ".sig")
		if strings.Contains(out, "signature 1: valid when made; the certificate is revoked now\n") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the responder did not answer revoked: exit %d\n%s%s", code, out, errs)
		}
	}
	if code != ExitOK || !strings.Contains(out, "  now:          revoked since ") || !strings.Contains(out, "(superseded)") {
		t.Errorf("revoked after signing: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = verify(doc+".sig", "--json")
	var rep sigReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if code != ExitOK || !rep.Valid || len(rep.Signers) != 1 || rep.Signers[0].Status.AtSigningTime != stGood ||
		rep.Signers[0].Status.Now != stRevoked || rep.Signers[0].Status.Reason != "superseded" || rep.Signers[0].SNILS != "11223344595" {
		t.Errorf("--json: exit %d\n%s", code, out)
	}

	code, out, errs = verify(lateSig)
	if code != ExitError || !strings.Contains(out, "signature 1: invalid\n") ||
		!strings.HasPrefix(errs, "gostca: "+lateSig+": the signature is invalid: the certificate was revoked at the signing time (since ") {
		t.Errorf("revoked before signing: exit %d\n%s%s", code, out, errs)
	}
}

// TestOutFile checks that an output file appears whole or not at all, and
// that a file created meanwhile is replaced only when allowed.
func TestOutFile(t *testing.T) {
	for _, tc := range []struct {
		name    string
		replace bool
		exists  bool // the file appears while the output is written
		abort   bool
		want    string // the file's content afterwards; "" for none
		fail    bool
	}{
		{name: "new", want: "new"},
		{name: "appeared meanwhile", exists: true, want: "old", fail: true},
		{name: "appeared meanwhile, replace", replace: true, exists: true, want: "new"},
		{name: "aborted", abort: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "out.sig")
			o, err := createOut(p, 0o644, tc.replace)
			if err != nil {
				t.Fatal(err)
			}
			o.Write([]byte("new"))
			if tc.exists {
				os.WriteFile(p, []byte("old"), 0o644)
			}
			if tc.abort {
				o.abort()
			} else if err := o.commit(); (err != nil) != tc.fail {
				t.Fatalf("commit: %v", err)
			}
			got, err := os.ReadFile(p)
			if string(got) != tc.want || (tc.want == "") != os.IsNotExist(err) {
				t.Errorf("file holds %q (%v), want %q", got, err, tc.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 1 || len(entries) == 1 && entries[0].Name() != "out.sig" {
				t.Errorf("left behind: %v", entries)
			}
		})
	}
}
