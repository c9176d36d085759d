package portal_test

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"io"
	"io/fs"
	"math/big"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/ca/portal"
	"github.com/gostca/gostca/ca/ra"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/store"
)

var now = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

type fixture struct {
	clock *catest.Clock
	db    *store.DB
	ca    *ca.CA
	ra    *ra.Authority
	srv   *httptest.Server
}

func newFixture(t testing.TB, mod func(*portal.Config)) *fixture {
	t.Helper()
	f := &fixture{clock: catest.NewClock(now), db: catest.NewLedger(t)}
	f.ca = catest.NewRoot(t, catest.WithClock(f.clock), catest.WithLedger(f.db))
	var err error
	if f.ra, err = ra.New(f.db, f.ca, ra.Config{Clock: f.clock.Now, CodeKey: bytes.Repeat([]byte{3}, 32), SignTool: "СКЗИ"}); err != nil {
		t.Fatal(err)
	}
	cfg := portal.Config{
		Authority: f.ra, Records: f.db.Get, CA: f.ca.Certificate(), Key: bytes.Repeat([]byte{9}, 32), Clock: f.clock.Now,
		CopyPDF: func(c *cert.Certificate, u string) ([]byte, error) { return []byte("%PDF-1.4 copy " + u), nil },
		FormPDF: func(a *ra.Application) ([]byte, error) { return []byte("%PDF-1.4 form " + a.Number), nil },
	}
	if mod != nil {
		mod(&cfg)
	}
	h, err := portal.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f
}

// browser is a client with cookies, as a browser is.
type browser struct {
	t *testing.T
	c *http.Client
	f *fixture
}

func (f *fixture) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, f: f, c: &http.Client{Jar: jar}}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) *page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return &page{resp.StatusCode, resp.Header, string(body)}
}

func (b *browser) get(path string) *page {
	req, _ := http.NewRequest("GET", b.f.srv.URL+path, nil)
	return b.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// token is the CSRF token of the form on path.
func (b *browser) token(path string) string {
	b.t.Helper()
	m := csrfRE.FindStringSubmatch(b.get(path).body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s", path)
	}
	return m[1]
}

func (b *browser) post(path string, form url.Values) *page {
	req, _ := http.NewRequest("POST", b.f.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) postMultipart(path string, fields map[string]string, files map[string][]byte) *page {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for name, data := range files {
		field, file, _ := strings.Cut(name, ":")
		fw, _ := mw.CreateFormFile(field, file)
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.f.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func applicationFields(csrf string) map[string]string {
	return map[string]string{
		"csrf": csrf, "surname": "Иванов", "given_name": "Иван", "patronymic": "Иванович", "birth_date": "1980-04-12",
		"snils": "112-233-445 95", "inn": "500100732259", "passport_series": "4510", "passport_number": "123456",
		"passport_issue_date": "2005-05-20", "passport_issuer": "ОВД района Хамовники", "passport_issuer_code": "772-001",
		"email": "ivanov@example.ru", "kind": "individual", "profile": "signature", "code_word": "кодовое слово",
	}
}

var numberRE = regexp.MustCompile(`id="number">([0-9-]+)<`)
var codeRE = regexp.MustCompile(`id="access-code" class="code">([0-9A-Z-]+)<`)

func csrPEM(t testing.TB) []byte {
	der, _ := catest.NewCSR(t, gost3410.ParamsCryptoProA(), cert.Name{CommonName: "x"})
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

func TestApplyFollowCheck(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser(t)
	start := b.get("/")
	if start.status != 200 || !strings.Contains(start.body, "gostca csr") || !strings.Contains(start.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("start page: %d %v", start.status, start.header)
	}
	if strings.Contains(start.header.Get("Content-Security-Policy"), "unsafe-inline") || strings.Contains(start.body, "<script") {
		t.Fatal("inline script allowed or used")
	}

	// A wrong SNILS: the error at the field, the other values kept.
	fields := applicationFields(b.token("/apply"))
	fields["snils"] = "11223344596"
	p := b.postMultipart("/apply", fields, map[string][]byte{"csr_file:my.csr": csrPEM(t), "scans:passport.pdf": []byte("%PDF-1.7 scan")})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "неверное контрольное число") || !strings.Contains(p.body, `value="Иванович"`) {
		t.Fatalf("wrong SNILS: %d\n%s", p.status, p.body)
	}
	if strings.Contains(p.body, "кодовое слово") {
		t.Fatal("the code word was sent back")
	}

	// The application.
	fields = applicationFields(b.token("/apply"))
	p = b.postMultipart("/apply", fields, map[string][]byte{"csr_file:my.csr": csrPEM(t), "scans:passport.pdf": []byte("%PDF-1.7 scan")})
	if p.status != http.StatusCreated {
		t.Fatalf("apply: %d\n%s", p.status, p.body)
	}
	number, code := numberRE.FindStringSubmatch(p.body)[1], codeRE.FindStringSubmatch(p.body)[1]
	if form := b.get("/my/application.pdf"); form.status != 200 || !strings.Contains(form.body, number) {
		t.Fatalf("the application form: %d %s", form.status, form.body)
	}

	// Another browser logs in with the number and the code.
	other := f.browser(t)
	if p := other.post("/my", url.Values{"csrf": {other.token("/my")}, "number": {number}, "code": {"AAAA-AAAA-AAAA-AAAA"}}); p.status != 404 || !strings.Contains(p.body, "нет") {
		t.Fatalf("wrong code: %d", p.status)
	}
	unknown := other.post("/my", url.Values{"csrf": {other.token("/my")}, "number": {"2026-000999"}, "code": {code}})
	wrong := other.post("/my", url.Values{"csrf": {other.token("/my")}, "number": {number}, "code": {"BBBB-BBBB-BBBB-BBBB"}})
	if unknown.status != wrong.status || strings.ReplaceAll(unknown.body, "2026-000999", number) != wrong.body {
		t.Fatalf("an unknown number and a wrong code differ:\n%s\n---\n%s", unknown.body, wrong.body)
	}
	my := other.post("/my", url.Values{"csrf": {other.token("/my")}, "number": {number}, "code": {code}})
	if my.status != 200 || !strings.Contains(my.body, "Подано") {
		t.Fatalf("my application: %d\n%s", my.status, my.body)
	}

	// Approved; issued; the downloads.
	d, err := f.ra.Approve(number, "petrov", ra.ApproveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	my = other.get("/my/application")
	if !strings.Contains(my.body, "Сертификат выпущен") || strings.Contains(my.body, "petrov") {
		t.Fatalf("issued: %s", my.body)
	}
	serial := ra.FormatSerial(d.Certificate.SerialNumber)
	for ext, check := range map[string]func([]byte) bool{
		"cer": func(b []byte) bool { return bytes.Equal(b, d.Certificate.Raw) },
		"pem": func(b []byte) bool { return bytes.Contains(b, []byte("BEGIN CERTIFICATE")) },
		"p7b": func(b []byte) bool { sd, err := cms.Parse(b); return err == nil && len(sd.Certificates) == 2 },
		"pdf": func(b []byte) bool { return bytes.Contains(b, []byte("/check/"+serial)) },
	} {
		dl := other.get("/my/certificate." + ext)
		if dl.status != 200 || !check([]byte(dl.body)) {
			t.Errorf("download .%s: %d %q", ext, dl.status, dl.body[:min(len(dl.body), 80)])
		}
	}

	// The check page, then a revocation.
	c := b.get("/check/" + serial)
	if c.status != 200 || !strings.Contains(c.body, "Сертификат действителен") || !strings.Contains(c.body, "***-***-445 95") || strings.Contains(c.body, "11223344595") {
		t.Fatalf("check: %d\n%s", c.status, c.body)
	}
	req, _ := http.NewRequest("GET", f.srv.URL+"/check/"+serial, nil)
	req.Header.Set("Accept", "application/json")
	var js map[string]any
	if err := json.Unmarshal([]byte(b.do(req).body), &js); err != nil || js["status"] != "valid" || js["snils"] != "***-***-445 95" {
		t.Fatalf("check JSON: %v %v", js, err)
	}
	if err := f.ca.Revoke(d.Certificate.SerialNumber, cert.ReasonKeyCompromise, time.Time{}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(11 * time.Second) // the page's record cache
	if c := b.get("/check/" + serial); !strings.Contains(c.body, "Сертификат отозван") || !strings.Contains(c.body, "компрометация ключа") {
		t.Fatalf("after revocation:\n%s", c.body)
	}
	if c := b.get("/check/" + serial + "?lang=en"); !strings.Contains(c.body, "The certificate is revoked") || !strings.Contains(c.body, `lang="en"`) {
		t.Fatalf("English: %s", c.body)
	}
}

func TestNegative(t *testing.T) {
	f := newFixture(t, func(c *portal.Config) { c.MaxUpload = 256 << 10 })
	b := f.browser(t)
	// No CSRF token, or a wrong one.
	fields := applicationFields("")
	if p := b.postMultipart("/apply", fields, nil); p.status != http.StatusForbidden {
		t.Fatalf("without a CSRF token: %d", p.status)
	}
	fields["csrf"] = "forged"
	if p := b.postMultipart("/apply", fields, nil); p.status != http.StatusForbidden {
		t.Fatalf("forged CSRF token: %d", p.status)
	}
	// A script in every text field: escaped, the page intact.
	fields = applicationFields(b.token("/apply"))
	for k := range fields {
		if k != "csrf" && k != "kind" && k != "profile" {
			fields[k] = `<script>alert(1)</script>"><img src=x>`
		}
	}
	p := b.postMultipart("/apply", fields, map[string][]byte{"csr_file:x.csr": []byte("<script>alert(2)</script>")})
	if p.status != http.StatusUnprocessableEntity || strings.Contains(p.body, "<script>") || strings.Contains(p.body, "<img src=x>") ||
		!strings.Contains(p.body, "&lt;script&gt;") || !strings.HasSuffix(strings.TrimSpace(p.body), "</html>") {
		t.Fatalf("scripts: %d\n%s", p.status, p.body)
	}
	// An oversized upload.
	p = b.postMultipart("/apply", applicationFields(b.token("/apply")), map[string][]byte{"scans:big.pdf": append([]byte("%PDF-"), make([]byte, 300<<10)...)})
	if p.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized: %d", p.status)
	}
	// An executable renamed .pdf.
	p = b.postMultipart("/apply", applicationFields(b.token("/apply")), map[string][]byte{"csr_file:my.csr": csrPEM(t), "scans:scan.pdf": []byte("MZ\x90\x00 program")})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "не является PDF") {
		t.Fatalf("executable: %d\n%s", p.status, p.body)
	}
	if all, _ := f.ra.List(""); len(all) != 0 {
		t.Fatalf("%d applications recorded", len(all))
	}
	// Another CA's serial, a garbage serial, my pages without a session.
	otherCA := catest.NewRoot(t)
	csr, _ := catest.NewCSR(t, nil, cert.Name{CommonName: "other"})
	foreign, err := otherCA.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileSignature})
	if err != nil {
		t.Fatal(err)
	}
	if p := b.get("/check/" + ra.FormatSerial(foreign.SerialNumber)); p.status != 404 || !strings.Contains(p.body, "не выпускался") {
		t.Fatalf("another CA's serial: %d", p.status)
	}
	if p := b.postMultipart("/check", map[string]string{"csrf": b.token("/check")}, map[string][]byte{"cert:other.cer": foreign.Raw}); p.status != 404 {
		t.Fatalf("another CA's certificate uploaded: %d", p.status)
	}
	if p := b.get("/check/zzz"); p.status != 400 {
		t.Fatalf("garbage serial: %d", p.status)
	}
	if p := b.get("/check/" + new(big.Int).Lsh(big.NewInt(1), 200).Text(16)); p.status != 400 {
		t.Fatalf("overlong serial: %d", p.status)
	}
	for _, path := range []string{"/my/application", "/my/certificate.cer"} {
		req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/my" {
			t.Fatalf("%s without a session: %d %s", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

func TestCookies(t *testing.T) {
	f := newFixture(t, func(c *portal.Config) { c.Secure = true })
	resp, err := http.Get(f.srv.URL + "/apply")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode {
			t.Errorf("cookie %s: HttpOnly %v Secure %v SameSite %v", c.Name, c.HttpOnly, c.Secure, c.SameSite)
		}
	}
	if len(resp.Cookies()) == 0 {
		t.Fatal("no CSRF cookie")
	}
}

// TestTexts: every text the templates use exists in both languages.
func TestTexts(t *testing.T) {
	keyRE := regexp.MustCompile(`\.T "([a-z_.-]+)"`)
	err := fs.WalkDir(os.DirFS("templates"), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(filepath.Join("templates", path))
		if err != nil {
			return err
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(data), -1) {
			if portal.Text("ru", m[1]) == m[1] || portal.Text("en", m[1]) == m[1] {
				t.Errorf("%s: no text for %q", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func FuzzForms(f *testing.F) {
	fx := newFixture(f, nil)
	h := fx.srv.Config.Handler
	f.Add("POST", "/apply", "application/x-www-form-urlencoded", "csrf=x&surname=%3Cb%3E")
	f.Add("POST", "/check", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"serial\"\r\n\r\n0A\r\n--x--\r\n")
	f.Add("GET", "/check/0A?lang=en", "", "")
	f.Fuzz(func(t *testing.T, method, path, ctype, body string) {
		req, err := http.NewRequest(method, "http://portal.test"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", ctype)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %s: %d", method, path, w.Code)
		}
	})
}
