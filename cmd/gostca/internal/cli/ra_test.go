package cli

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/keyfile"
	"github.com/gostca/gostca/internal/interop"
	"github.com/gostca/gostca/internal/testkit"
)

const raApplicant = `{"surname": "Иванов", "given_name": "Иван", "patronymic": "Иванович",
  "birth_date": "1980-04-12", "snils": "11223344595", "inn": "500100732259",
  "passport": {"series": "4510", "number": "123456", "issue_date": "2005-05-20",
    "issuer": "ОВД района Хамовники г. Москвы", "issuer_code": "772-001"},
  "email": "ivanov@example.ru"}`

// raCA makes a CA directory whose gostca.json sends mail through smtp,
// and returns it with its run function.
func raCA(t *testing.T, smtp *interop.SMTPServer) (dir string, vars map[string]string, run func(args ...string) string) {
	t.Helper()
	dir = t.TempDir()
	caDir := filepath.Join(dir, "ca")
	vars = map[string]string{"GOSTCA_PASSPHRASE": "pass", "GOSTCA_DIR": caDir, "USER": "clerk"}
	run = mustRun(t, vars)
	run("init", "--subject", "CN=RA Test CA,O=Test,C=RU", "--issuer-sign-tool", "СКЗИ «Тест»", "--issuer-ca-tool", "gostca",
		"--issuer-sign-tool-cert", "СФ/124-0001", "--issuer-ca-tool-cert", "СФ/128-0002")
	pass := filepath.Join(dir, "smtp-pass")
	if err := os.WriteFile(pass, []byte("smtp-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	data, err := os.ReadFile(filepath.Join(caDir, configName))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["mail"] = map[string]any{"smtp": smtp.Addr(), "from": "УЦ Тест <ca@example.ru>", "username": "gostca",
		"password_file": pass, "starttls": "required", "ca_file": smtp.CAFile(), "retry": "1s"}
	cfg["ra"] = map[string]any{"public_url": "https://ca.example.ru", "submissions_per_minute": 6000, "submission_burst": 1000}
	data, _ = json.MarshalIndent(cfg, "", "  ")
	if err := os.WriteFile(filepath.Join(caDir, configName), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, vars, run
}

// raClient talks to the API of a serve --ra.
type raClient struct {
	t    *testing.T
	base string
}

func (c *raClient) do(method, path, ctype, code string, body []byte) (int, []byte) {
	c.t.Helper()
	r := testkit.HTTP(c.t, method, c.base+path, ctype, code, body)
	return r.Status, r.Body
}

func (c *raClient) json(method, path, ctype, code string, body []byte, want int) map[string]any {
	c.t.Helper()
	status, b := c.do(method, path, ctype, code, body)
	if status != want {
		c.t.Fatalf("%s %s: HTTP %d %s, want %d", method, path, status, b, want)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		c.t.Fatalf("%s %s: %v: %s", method, path, err, b)
	}
	return m
}

// submit posts an application for the request csr and returns its number
// and access code.
func (c *raClient) submit(csr []byte, profile string, scan []byte) (string, string) {
	c.t.Helper()
	app := fmt.Sprintf(`{"applicant": %s, "profile": %q, "csr": %q, "code_word": "кодовое слово"}`, raApplicant, profile, csr)
	var m map[string]any
	if scan == nil {
		m = c.json("POST", "/ra/v1/applications", "application/json", "", []byte(app), http.StatusCreated)
	} else {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="application"`)
		h.Set("Content-Type", "application/json")
		pw, _ := mw.CreatePart(h)
		pw.Write([]byte(app))
		fw, _ := mw.CreateFormFile("attachment", "паспорт.pdf")
		fw.Write(scan)
		mw.Close()
		m = c.json("POST", "/ra/v1/applications", mw.FormDataContentType(), "", b.Bytes(), http.StatusCreated)
	}
	return m["number"].(string), m["access_code"].(string)
}

// TestRegistrationAuthority is the end-to-end test of issue 13 over real
// HTTP: serve --ra with a real SMTP server, operators deciding with
// gostca request while it runs, downloads checked by OpenSSL, a renewal
// signed by the current key, a lost-key report seen by openssl ocsp as
// certificateHold, and the mail that arrives (also after the mail server
// was down).
func TestRegistrationAuthority(t *testing.T) {
	o := interop.OpenSSL(t)
	smtp := interop.StartSMTP(t, interop.SMTPOptions{User: "gostca", Password: "smtp-secret"})
	dir, vars, run := raCA(t, smtp)
	srv := startServe(t, vars, "--listen", "127.0.0.1:0", "--poll", "100ms", "--ra")
	c := &raClient{t: t, base: srv.base}
	caPEM := filepath.Join(vars["GOSTCA_DIR"], certName)
	// The API beside the responder leaves OCSP GETs alone, "//" and all.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, err := noRedirect.Get(srv.base + "/ocsp/MEIwQDA+//AAAA"); err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/ocsp-response" {
		t.Fatalf("an OCSP GET with // beside the API: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	newCSR := func(name, subject string) ([]byte, string) {
		key := filepath.Join(dir, name+".key")
		csr := filepath.Join(dir, name+".csr")
		run("key", "new", "--out", key, "--no-passphrase")
		run("csr", "--key", key, "--subject", subject, "--sign-tool", "СКЗИ «КриптоПро CSP»", "--out", csr)
		b, err := os.ReadFile(csr)
		if err != nil {
			t.Fatal(err)
		}
		return b, key
	}

	// 1. Submit: JSON, and multipart with a PDF scan (qualified).
	csr1, key1 := newCSR("one", "CN=ignored")
	n1, code1 := c.submit(csr1, "signature", nil)
	csr2, _ := newCSR("two", "CN=ignored")
	n2, code2 := c.submit(csr2, "qualified", []byte("%PDF-1.7\nскан паспорта\n"))
	csr3, _ := newCSR("three", "CN=ignored")
	n3, code3 := c.submit(csr3, "signature", nil)
	if st := c.json("GET", "/ra/v1/applications/"+n2, "", code2, nil, 200); st["status"] != "submitted" || len(st["attachments"].([]any)) != 1 {
		t.Fatalf("status of %s: %v", n2, st)
	}

	// 2. The operators decide while serve runs.
	serial1 := strings.TrimSpace(run("request", "approve", n1, "--operator", "petrov"))
	if out := run("request", "approve", n2, "--operator", "petrov"); strings.TrimSpace(out) != "" {
		t.Fatalf("first approval of a qualified application printed a serial: %q", out)
	}
	if st := c.json("GET", "/ra/v1/applications/"+n2, "", code2, nil, 200); st["status"] != "in_review" || st["approvals"] != float64(1) {
		t.Fatalf("after one approval: %v", st)
	}
	serial2 := strings.TrimSpace(run("request", "approve", n2, "--operator", "sidorova"))
	run("request", "reject", n3, "--reason", "скан паспорта нечитаем", "--operator", "petrov")
	if st := c.json("GET", "/ra/v1/applications/"+n3, "", code3, nil, 200); st["status"] != "rejected" || st["reason"] != "скан паспорта нечитаем" {
		t.Fatalf("rejected: %v", st)
	}

	// 3. Downloads, the chain checked by OpenSSL.
	st := c.json("GET", "/ra/v1/applications/"+n1, "", code1, nil, 200)
	if st["status"] != "issued" || st["serial"] != serial1 {
		t.Fatalf("issued: %v (serial %s)", st, serial1)
	}
	files := map[string]string{}
	for _, f := range []string{"der", "pem", "p7b"} {
		status, body := c.do("GET", "/ra/v1/applications/"+n1+"/certificate?format="+f, "", code1, nil)
		if status != 200 {
			t.Fatalf("download %s: %d %s", f, status, body)
		}
		files[f] = filepath.Join(dir, "one."+f)
		if err := os.WriteFile(files[f], body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := o.Combined(nil, "verify", "-CAfile", caPEM, files["pem"]); err != nil || !strings.Contains(string(out), ": OK") {
		t.Fatalf("openssl verify: %v\n%s", err, out)
	}
	if out, err := o.Combined(nil, "x509", "-inform", "DER", "-in", files["der"], "-noout", "-serial"); err != nil || !strings.Contains(string(out), "serial="+serial1) {
		t.Fatalf("openssl x509 DER: %v\n%s", err, out)
	}
	if out, err := o.Combined(nil, "pkcs7", "-inform", "DER", "-in", files["p7b"], "-print_certs", "-noout"); err != nil || !strings.Contains(string(out), "RA Test CA") {
		t.Fatalf("openssl pkcs7: %v\n%s", err, out)
	}

	// 4. A self-renewal signed by the current key: issued at once, linked.
	curPEM := files["pem"]
	cur := readCert(t, curPEM)
	newKey := filepath.Join(dir, "renewed.key")
	run("key", "new", "--out", newKey, "--no-passphrase")
	renewCSR := csrWithSubject(t, newKey, cur.RawSubject, filepath.Join(dir, "renewed.csr"))
	newPEM := filepath.Join(dir, "renewed.pem")
	serial4 := strings.TrimSpace(run("request", "renew", "--url", srv.base, "--key", key1, "--cert", curPEM, "--csr", renewCSR, "--out", newPEM))
	if out := run("show", serial4); !strings.Contains(out, serial1) {
		t.Errorf("the successor does not name its predecessor:\n%s", out)
	}
	if out, err := o.Combined(nil, "verify", "-CAfile", caPEM, newPEM); err != nil || !strings.Contains(string(out), ": OK") {
		t.Fatalf("openssl verify of the renewal: %v\n%s", err, out)
	}
	// A renewal for a revoked certificate is refused.
	run("revoke", serial1, "--reason", "superseded")
	again := filepath.Join(dir, "again.key")
	run("key", "new", "--out", again, "--no-passphrase")
	againCSR := csrWithSubject(t, again, cur.RawSubject, filepath.Join(dir, "again.csr"))
	code, _, stderr := execute(t, vars, "request", "renew", "--url", srv.base, "--key", key1, "--cert", curPEM, "--csr", againCSR)
	if code != ExitError || !strings.Contains(stderr, "renewal refused (HTTP 409)") {
		t.Fatalf("renewal of a revoked certificate: exit %d: %s", code, stderr)
	}

	// 5. The lost key: on hold at once, "certificateHold" in openssl ocsp
	// within a second.
	status, body := c.do("GET", "/ra/v1/applications/"+n2+"/certificate?format=pem", "", code2, nil)
	if status != 200 {
		t.Fatalf("download %s: %d", n2, status)
	}
	pem2 := filepath.Join(dir, "two.pem")
	os.WriteFile(pem2, body, 0o644)
	c.json("POST", "/ra/v1/revocations", "application/json", "", []byte(fmt.Sprintf(`{"number": %q, "code_word": "кодовое слово"}`, n2)), 200)
	reported := time.Now()
	for {
		out, err := o.Combined(nil, "ocsp", "-issuer", caPEM, "-cert", pem2, "-url", srv.base+"/ocsp", "-CAfile", caPEM, "-no_nonce")
		if err == nil && strings.Contains(string(out), "certificateHold") {
			break
		}
		if time.Since(reported) > time.Second {
			t.Fatalf("no certificateHold from openssl ocsp 1 s after the report: %v\n%s", err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("lost-key report to certificateHold in openssl ocsp: %v", time.Since(reported))
	if out := run("show", serial2); !strings.Contains(out, "held") {
		t.Errorf("the qualified certificate is not held:\n%s", out)
	}

	// 6. The mail: every change the applicants hear of arrived.
	wantSubjects := []string{"принята", "принята", "принята", "рассмотрени", "одобрена", "выпущен",
		"рассмотрени", "одобрена", "выпущен", "отклонена", "отозван", "приостановлен"}
	msgs := smtp.WaitMessages(len(wantSubjects), 30*time.Second)
	checkSubjects(t, msgs, wantSubjects)
	for _, m := range msgs {
		if !m.TLS || m.Login != "gostca" || m.Charset != "utf-8" || len(m.Defects) > 0 {
			t.Errorf("message %q: TLS %v, login %q, charset %q, defects %v", m.Subject, m.TLS, m.Login, m.Charset, m.Defects)
		}
	}

	// 7. With the mail server down, a change still succeeds; its message
	// arrives once the server is back.
	smtp.Stop()
	csr5, _ := newCSR("five", "CN=ignored")
	n5, _ := c.submit(csr5, "signature", nil)
	run("request", "reject", n5, "--reason", "нет скана паспорта")
	time.Sleep(3 * time.Second) // at least one failed delivery round
	smtp.Start()
	msgs = smtp.WaitMessages(len(wantSubjects)+2, 60*time.Second)
	checkSubjects(t, msgs[len(wantSubjects):], []string{"принята", "отклонена"})
	srv.stop()
	if !strings.Contains(srv.stderr.String(), "msg=\"ledger sharing\"") {
		t.Errorf("no ledger sharing figures:\n%s", srv.stderr)
	}
	run("audit", "verify")
}

// checkSubjects checks that the subjects of msgs say, in order, what want
// says (each message's subject contains its word), whatever the order of
// messages from different applications.
func checkSubjects(t *testing.T, msgs []interop.SMTPMessage, want []string) {
	t.Helper()
	var got []string
	for _, m := range msgs {
		got = append(got, strings.ToLower(m.Subject))
	}
	used := make([]bool, len(got))
	for _, w := range want {
		found := false
		for i, g := range got {
			if !used[i] && strings.Contains(g, w) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("no message saying %q among:\n%s", w, strings.Join(got, "\n"))
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d messages, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
}

func readCert(t *testing.T, path string) *cert.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	c, err := cert.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// csrWithSubject writes a request for the key file key with the exact
// subject raw, as a renewal keeps it.
func csrWithSubject(t *testing.T, key string, raw []byte, out string) string {
	t.Helper()
	k, err := keyfile.Read(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	der, err := cert.CreateCertificateRequest(rand.Reader, &cert.CertificateRequest{RawSubject: raw}, k)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestServeRAListen: with --ra-listen the API is served there, and not on
// --listen; --ra-listen alone is a usage error.
func TestServeRAListen(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"GOSTCA_PASSPHRASE": "pass", "GOSTCA_DIR": filepath.Join(dir, "ca")}
	mustRun(t, vars)("init", "--subject", "CN=RA Listen CA,C=RU")
	if code, _, stderr := execute(t, vars, "serve", "--listen", "127.0.0.1:0", "--ra-listen", "127.0.0.1:0"); code != ExitUsage || !strings.Contains(stderr, "--ra-listen goes with --ra") {
		t.Fatalf("--ra-listen without --ra: %d %s", code, stderr)
	}
	srv := startServe(t, vars, "--listen", "127.0.0.1:0", "--ra", "--ra-listen", "127.0.0.1:0")
	var raBase string
	for deadline := time.Now().Add(10 * time.Second); raBase == ""; time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`msg="serving the registration authority" addr=(\S+)`).FindStringSubmatch(srv.stderr.String()); m != nil {
			raBase = "http://" + m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no registration authority address:\n%s", srv.stderr)
		}
	}
	r := testkit.HTTP(t, "GET", raBase+"/ra/v1/applications/2026-000001", "", "0000-0000-0000-0000", nil)
	if r.Status != http.StatusNotFound || r.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("API on --ra-listen: %d %s", r.Status, r.Body)
	}
	if r := testkit.HTTP(t, "GET", srv.base+"/ra/v1/applications/2026-000001", "", "0000-0000-0000-0000", nil); r.Header.Get("Content-Type") == "application/problem+json" {
		t.Fatalf("the API is served on --listen too: %d %s", r.Status, r.Body)
	}
	if r := testkit.HTTP(t, "GET", srv.base+"/healthz", "", "", nil); r.Status != 200 {
		t.Fatalf("/healthz on --listen: %d", r.Status)
	}
	srv.stop()
}

// TestServeCheckPage: serve without --ra has the check page (and not the
// applicant's pages), over HTTPS with --tls-cert.
func TestServeCheckPage(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"GOSTCA_PASSPHRASE": "pass", "GOSTCA_DIR": filepath.Join(dir, "ca")}
	run := mustRun(t, vars)
	run("init", "--subject", "CN=Check CA,C=RU")
	key, csr := filepath.Join(dir, "k.key"), filepath.Join(dir, "k.csr")
	run("key", "new", "--out", key, "--no-passphrase")
	run("csr", "--key", key, "--subject", "CN=Петров Пётр,C=RU", "--out", csr)
	serial := strings.TrimSpace(run("issue", "--csr", csr, "--out", filepath.Join(dir, "k.pem")))

	certFile, keyFile, pool := tlsPair(t, dir)
	if code, _, stderr := execute(t, vars, "serve", "--listen", "127.0.0.1:0", "--tls-cert", certFile); code != ExitUsage || !strings.Contains(stderr, "go together") {
		t.Fatalf("--tls-cert alone: %d %s", code, stderr)
	}
	srv := startServe(t, vars, "--listen", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile)
	base := strings.Replace(srv.base, "http://", "https://", 1)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	get := func(path string) (int, string, http.Header) {
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	if code, body, h := get("/check/" + serial); code != 200 || !strings.Contains(body, "Сертификат действителен") || !strings.Contains(body, "Петров Пётр") || h.Get("Strict-Transport-Security") == "" {
		t.Fatalf("check page: %d %v\n%s", code, h, body)
	}
	if code, _, _ := get("/apply"); code != http.StatusNotFound {
		t.Fatalf("/apply without --ra: %d", code)
	}
	if code, _, _ := get("/ca.crt"); code != 200 {
		t.Fatalf("/ca.crt beside the pages: %d", code)
	}
	srv.stop()
}

// tlsPair writes a self-signed ECDSA certificate for 127.0.0.1 and its key.
func tlsPair(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	p8, _ := x509.MarshalPKCS8PrivateKey(k)
	certFile, keyFile = filepath.Join(dir, "tls.pem"), filepath.Join(dir, "tls.key")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}), 0o600)
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return certFile, keyFile, pool
}
