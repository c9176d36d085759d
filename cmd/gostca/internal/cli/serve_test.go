package cli

import (
	"bytes"
	"context"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/crypto/ocsp"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServe runs "gostca serve --delegate" in-process, on the paths of the
// CA's URLs, revokes with "gostca revoke" while it runs, and stops it by
// cancelling its context (as SIGTERM does).
func TestServe(t *testing.T) {
	dir := t.TempDir()
	caDir := filepath.Join(dir, "ca")
	vars := map[string]string{"GOSTCA_PASSPHRASE": "pass", "GOSTCA_DIR": caDir}
	run := mustRun(t, vars)
	run("init", "--subject", "CN=Serve CA,C=RU", "--ocsp-url", "http://ocsp.test/status", "--crl-url", "http://ocsp.test/serve.crl")
	key, csr := filepath.Join(dir, "k.key"), filepath.Join(dir, "k.csr")
	run("key", "new", "--out", key, "--no-passphrase")
	run("csr", "--key", key, "--subject", "CN=Subscriber,C=RU", "--out", csr)
	serial := strings.TrimSpace(run("issue", "--csr", csr, "--out", filepath.Join(dir, "a.pem")))

	srv := startServe(t, vars, "--listen", "127.0.0.1:0", "--poll", "100ms", "--delegate")
	base := srv.base

	caPEM, err := os.ReadFile(filepath.Join(caDir, certName))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(caPEM)
	caCert, err := cert.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) []byte {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: HTTP %d %s", path, resp.StatusCode, body)
		}
		return body
	}
	if !bytes.Equal(get("/ca.crt"), caCert.Raw) {
		t.Error("/ca.crt is not the CA certificate")
	}
	if sd, err := cms.Parse(get("/ca.p7c")); err != nil || len(sd.Certificates) != 1 || !bytes.Equal(sd.Certificates[0].Raw, caCert.Raw) {
		t.Errorf("/ca.p7c: not the CA certificate alone: %v", err)
	}
	get("/healthz")
	for _, p := range []string{"/serve.crl", "/serve-delta.crl"} {
		if _, err := cert.ParseRevocationList(get(p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}

	n, _ := new(big.Int).SetString(serial, 16)
	id, err := ocsp.NewCertID(ocsp.SHA1, caCert, n)
	if err != nil {
		t.Fatal(err)
	}
	reqDER, _ := ocsp.CreateRequest([]ocsp.CertID{*id}, nil)
	status := func() ocsp.Status {
		t.Helper()
		resp, err := http.Post(base+"/status", "application/ocsp-request", bytes.NewReader(reqDER))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		r, err := ocsp.ParseResponse(body)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.CheckSignatureFrom(caCert); err != nil {
			t.Fatal(err)
		}
		if len(r.Certificates) != 1 || bytes.Equal(r.Certificates[0].Raw, caCert.Raw) {
			t.Fatal("the response is not signed by a delegated responder")
		}
		return r.Responses[0].Status
	}
	if s := status(); s != ocsp.Good {
		t.Fatalf("before revoke: %v", s)
	}
	// revoke works while serve runs.
	run("revoke", serial, "--reason", "keyCompromise")
	revoked := time.Now()
	for status() != ocsp.Revoked {
		if time.Since(revoked) > 5*time.Second {
			t.Fatal("not revoked 5 s after gostca revoke")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("gostca revoke to revoked response: %v", time.Since(revoked))
	// The responder's certificate is in the ledger.
	if out := run("list"); !strings.Contains(out, "ocsp") || !strings.Contains(out, "Serve CA OCSP responder") {
		t.Errorf("the responder certificate is not listed:\n%s", out)
	}

	srv.stop()
}

// served is a "gostca serve" running in-process.
type served struct {
	t      *testing.T
	base   string // http://127.0.0.1:PORT
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan int
}

// startServe runs "gostca serve ARGS" in-process with the variables vars
// until stop (or the test's end), once it listens.
func startServe(t *testing.T, vars map[string]string, args ...string) *served {
	t.Helper()
	env, _, _ := testEnv(vars)
	s := &served{t: t, stderr: &syncBuffer{}, done: make(chan int, 1)}
	env.Stderr = s.stderr
	root := NewRootCommand(env)
	root.SetArgs(append([]string{"serve"}, args...))
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	root.SetContext(ctx)
	go func() { s.done <- Execute(root, s.stderr) }()
	t.Cleanup(cancel)
	addrRE := regexp.MustCompile(`msg=serving addr=(\S+)`)
	for deadline := time.Now().Add(2 * time.Minute); s.base == ""; time.Sleep(20 * time.Millisecond) {
		if m := addrRE.FindStringSubmatch(s.stderr.String()); m != nil {
			s.base = "http://" + m[1]
		}
		select {
		case code := <-s.done:
			t.Fatalf("serve exited %d:\n%s", code, s.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", s.stderr)
		}
	}
	return s
}

// stop stops serve as SIGTERM does and checks that it ended well.
func (s *served) stop() {
	s.t.Helper()
	s.cancel()
	select {
	case code := <-s.done:
		if code != 0 {
			s.t.Errorf("serve exited %d:\n%s", code, s.stderr)
		}
	case <-time.After(15 * time.Second):
		s.t.Fatal("serve did not stop")
	}
	if !strings.Contains(s.stderr.String(), "msg=stopped") {
		s.t.Errorf("no stop message:\n%s", s.stderr)
	}
}

func TestServePaths(t *testing.T) {
	for _, tc := range []struct{ flag, url, def, want, delta string }{
		{"", "", "/crl", "/crl", "/crl/delta"},
		{"", "http://ca.example/sub.crl", "/crl", "/sub.crl", "/sub-delta.crl"},
		{"", "http://ca.example/crl/", "/crl", "/crl/", "/crl/delta"},
		{"", "http://ocsp.example", "/ocsp", "/", "/delta"},
		{"/x", "http://ca.example/sub.crl", "/crl", "/x", "/x/delta"},
		{"", "http://ca.example/a%20b.crl", "/crl", "/a%20b.crl", "/a%20b-delta.crl"},
	} {
		got := servePath(tc.flag, tc.url, tc.def)
		if got != tc.want || deltaPath(got) != tc.delta {
			t.Errorf("servePath(%q, %q, %q) = %q (delta %q), want %q (delta %q)", tc.flag, tc.url, tc.def, got, deltaPath(got), tc.want, tc.delta)
		}
	}
}
