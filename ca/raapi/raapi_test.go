package raapi_test

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/ca/ra"
	"github.com/gostca/gostca/ca/raapi"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/internal/testkit"
	"github.com/gostca/gostca/store"
	"golang.org/x/time/rate"
)

var now = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

type fixture struct {
	clock  *catest.Clock
	db     *store.DB
	ca     *ca.CA
	ra     *ra.Authority
	srv    *httptest.Server
	params *gost3410.Params
}

func newFixture(t testing.TB, cfg raapi.Config) *fixture {
	t.Helper()
	f := &fixture{clock: catest.NewClock(now), db: catest.NewLedger(t), params: gost3410.ParamsCryptoProA()}
	f.ca = catest.NewRoot(t, catest.WithClock(f.clock), catest.WithLedger(f.db))
	var err error
	f.ra, err = ra.New(f.db, f.ca, ra.Config{Clock: f.clock.Now, CodeKey: bytes.Repeat([]byte{1}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Authority = f.ra
	cfg.Chain = []*cert.Certificate{f.ca.Certificate()}
	h, err := raapi.NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f
}

const applicant = `{"surname": "Иванов", "given_name": "Иван", "patronymic": "Иванович",
  "birth_date": "1980-04-12", "snils": "11223344595", "inn": "500100732259",
  "passport": {"series": "4510", "number": "123456", "issue_date": "2005-05-20",
    "issuer": "ОВД района Хамовники г. Москвы", "issuer_code": "772-001"},
  "email": "ivanov@example.ru"}`

func (f *fixture) csr(t *testing.T) ([]byte, *gost3410.PrivateKey) {
	return catest.NewCSR(t, f.params, cert.Name{CommonName: "x"})
}

func jsonApplication(csr []byte, profile, extra string) string {
	return fmt.Sprintf(`{"applicant": %s, "profile": %q, "csr": %q, "code_word": "кодовое слово"%s}`,
		applicant, profile, string(pemCSR(csr)), extra)
}

func pemCSR(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

type response struct{ *testkit.Response }

func (r *response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("%d %s: %v", r.Status, r.Body, err)
	}
	return m
}

func (f *fixture) do(t *testing.T, method, path, ctype, code string, body io.Reader) *response {
	t.Helper()
	var b []byte
	if body != nil {
		b, _ = io.ReadAll(body)
	}
	return &response{testkit.HTTP(t, method, f.srv.URL+path, ctype, code, b)}
}

func (f *fixture) submitJSON(t *testing.T, body string) *response {
	return f.do(t, "POST", "/ra/v1/applications", "application/json", "", strings.NewReader(body))
}

func multipartBody(t *testing.T, app string, files map[string][]byte) (string, *bytes.Buffer) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="application"`)
	h.Set("Content-Type", "application/json")
	pw, _ := mw.CreatePart(h)
	pw.Write([]byte(app))
	for name, data := range files {
		fw, err := mw.CreateFormFile("attachment", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	return mw.FormDataContentType(), &b
}

func TestSubmitAndFollow(t *testing.T) {
	f := newFixture(t, raapi.Config{})
	csr, _ := f.csr(t)
	ctype, body := multipartBody(t, jsonApplication(csr, "signature", ""), map[string][]byte{"паспорт.pdf": []byte("%PDF-1.7 scan")})
	r := f.do(t, "POST", "/ra/v1/applications", ctype, "", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	m := r.json(t)
	number, code := m["number"].(string), m["access_code"].(string)
	if number != "2026-000001" || m["status"] != "submitted" || r.Header.Get("Location") != "/ra/v1/applications/"+number {
		t.Fatalf("receipt %v", m)
	}
	st := f.do(t, "GET", "/ra/v1/applications/"+number, "", code, nil)
	if st.Status != 200 || st.json(t)["status"] != "submitted" || !strings.Contains(string(st.Body), "паспорт.pdf") {
		t.Fatalf("status: %d %s", st.Status, st.Body)
	}
	// Wrong code, no code, unknown number: one answer.
	var bodies []string
	for _, c := range []struct{ path, code string }{
		{"/ra/v1/applications/" + number, "AAAA-BBBB-CCCC-DDDD"},
		{"/ra/v1/applications/" + number, ""},
		{"/ra/v1/applications/2026-000999", code},
		{"/ra/v1/applications/garbage", code},
	} {
		r := f.do(t, "GET", c.path, "", c.code, nil)
		if r.Status != 404 || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%s with %q: %d %s", c.path, c.code, r.Status, r.Body)
		}
		m := r.json(t)
		delete(m, "instance")
		b, _ := json.Marshal(m)
		bodies = append(bodies, string(b))
	}
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			t.Fatalf("answers differ: %s vs %s", b, bodies[0])
		}
	}
	if c := f.do(t, "GET", "/ra/v1/applications/"+number+"/certificate", "", code, nil); c.Status != 409 {
		t.Fatalf("certificate before issuance: %d %s", c.Status, c.Body)
	}
	// The operator approves; the applicant downloads.
	d, err := f.ra.Approve(number, "petrov", ra.ApproveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st = f.do(t, "GET", "/ra/v1/applications/"+number, "", code, nil)
	if m := st.json(t); m["status"] != "issued" || m["serial"] != ra.FormatSerial(d.Certificate.SerialNumber) || strings.Contains(string(st.Body), "petrov") {
		t.Fatalf("status after issuance: %s", st.Body)
	}
	der := f.do(t, "GET", "/ra/v1/applications/"+number+"/certificate", "", code, nil)
	if der.Status != 200 || !bytes.Equal(der.Body, d.Certificate.Raw) || der.Header.Get("Content-Type") != "application/pkix-cert" {
		t.Fatalf("der: %d %s", der.Status, der.Header)
	}
	pemR := f.do(t, "GET", "/ra/v1/applications/"+number+"/certificate?format=pem", "", code, nil)
	if !bytes.HasPrefix(pemR.Body, []byte("-----BEGIN CERTIFICATE-----")) {
		t.Fatalf("pem: %s", pemR.Body)
	}
	p7 := f.do(t, "GET", "/ra/v1/applications/"+number+"/certificate?format=p7b", "", code, nil)
	sd, err := cms.Parse(p7.Body)
	if err != nil || len(sd.Certificates) != 2 {
		t.Fatalf("p7b: %v", err)
	}
	if r := f.do(t, "GET", "/ra/v1/applications/"+number+"/certificate?format=zip", "", code, nil); r.Status != 422 {
		t.Fatalf("bad format: %d", r.Status)
	}
	// Cancelling an issued application is not in the table.
	if r := f.do(t, "POST", "/ra/v1/applications/"+number+"/cancel", "", code, nil); r.Status != 409 {
		t.Fatalf("cancel issued: %d %s", r.Status, r.Body)
	}
	// The holder lost the key: on hold at once with the code word.
	lost := f.do(t, "POST", "/ra/v1/revocations", "application/json", "", strings.NewReader(fmt.Sprintf(`{"number": %q, "code_word": "кодовое слово"}`, number)))
	if lost.Status != 200 || lost.json(t)["status"] != "held" {
		t.Fatalf("lost key: %d %s", lost.Status, lost.Body)
	}
	if rec, _ := f.db.Get(d.Certificate.SerialNumber); rec.Status != store.StatusHeld {
		t.Fatalf("status %v", rec.Status)
	}
}

func TestBadInput(t *testing.T) {
	f := newFixture(t, raapi.Config{MaxBody: 64 << 10})
	csr, _ := f.csr(t)
	good := jsonApplication(csr, "signature", "")
	tests := []struct {
		name   string
		ctype  string
		body   func() io.Reader
		status int
		field  string
	}{
		{"garbage JSON", "application/json", func() io.Reader { return strings.NewReader("{not json") }, 400, ""},
		{"empty body", "application/json", func() io.Reader { return strings.NewReader("") }, 400, ""},
		{"unknown field", "application/json", func() io.Reader { return strings.NewReader(`{"applicant": {}, "nickname": "x"}`) }, 422, "nickname"},
		{"wrong type", "application/json", func() io.Reader { return strings.NewReader(`{"applicant": {"surname": 5}}`) }, 422, "applicant.surname"},
		{"no applicant", "application/json", func() io.Reader { return strings.NewReader(`{"profile": "signature"}`) }, 422, "applicant"},
		{"invalid SNILS", "application/json", func() io.Reader { return strings.NewReader(strings.Replace(good, "11223344595", "11223344596", 1)) }, 422, "snils"},
		{"CSR not base64", "application/json", func() io.Reader {
			return strings.NewReader(strings.Replace(good, "BEGIN CERTIFICATE REQUEST", "BEGIN", 1))
		}, 422, "csr"},
		{"oversized body", "application/json", func() io.Reader { return strings.NewReader(`{"profile": "` + strings.Repeat("x", 70<<10) + `"}`) }, 413, ""},
		{"text/plain", "text/plain", func() io.Reader { return strings.NewReader(good) }, 415, ""},
		{"executable renamed .pdf", "", nil, 422, "attachments[0]"},
		{"multipart without the application", "", nil, 422, "application"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctype, body := tt.ctype, io.Reader(nil)
			switch tt.name {
			case "executable renamed .pdf":
				var b *bytes.Buffer
				ctype, b = multipartBody(t, good, map[string][]byte{"scan.pdf": []byte("MZ\x90\x00 executable")})
				body = b
			case "multipart without the application":
				var b bytes.Buffer
				mw := multipart.NewWriter(&b)
				fw, _ := mw.CreateFormFile("attachment", "a.pdf")
				fw.Write([]byte("%PDF-1.4"))
				mw.Close()
				ctype, body = mw.FormDataContentType(), &b
			default:
				body = tt.body()
			}
			r := f.do(t, "POST", "/ra/v1/applications", ctype, "", body)
			if r.Status != tt.status || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("got %d %s, want %d", r.Status, r.Body, tt.status)
			}
			m := r.json(t)
			if m["status"] != float64(tt.status) || !strings.HasPrefix(m["type"].(string), "urn:gostca:problem:") {
				t.Fatalf("problem %v", m)
			}
			if tt.field != "" && !strings.Contains(string(r.Body), `"field": "`+tt.field+`"`) && !strings.Contains(string(r.Body), `"field":"`+tt.field+`"`) {
				t.Fatalf("no field %s in %s", tt.field, r.Body)
			}
			if all, _ := f.ra.List(""); len(all) != 0 {
				t.Fatalf("%d applications recorded", len(all))
			}
		})
	}
	for _, c := range []struct{ method, path string }{{"GET", "/ra/v1/applications"}, {"DELETE", "/ra/v1/applications/2026-000001"}, {"GET", "/ra/v1/nothing"}} {
		if r := f.do(t, c.method, c.path, "", "", nil); (r.Status != 405 && r.Status != 404) || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%s %s: %d", c.method, c.path, r.Status)
		}
	}
}

func TestRateLimits(t *testing.T) {
	f := newFixture(t, raapi.Config{CodeRate: rate.Every(time.Hour), CodeBurst: 3, SubmitRate: rate.Every(time.Hour), SubmitBurst: 2})
	for i := range 3 {
		if r := f.do(t, "GET", "/ra/v1/applications/2026-000001", "", "AAAA-AAAA-AAAA-AAAA", nil); r.Status != 404 {
			t.Fatalf("try %d: %d", i, r.Status)
		}
	}
	r := f.do(t, "GET", "/ra/v1/applications/2026-000001", "", "AAAA-AAAA-AAAA-AAAA", nil)
	if r.Status != 429 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("after 3 wrong codes: %d %v", r.Status, r.Header)
	}
	for i := range 2 {
		f.submitJSON(t, "{}")
		_ = i
	}
	if r := f.submitJSON(t, "{}"); r.Status != 429 {
		t.Fatalf("third submission: %d", r.Status)
	}
}

func TestRenewalAndSignedRevocation(t *testing.T) {
	f := newFixture(t, raapi.Config{})
	csr, key := f.csr(t)
	r := f.submitJSON(t, jsonApplication(csr, "signature", ""))
	number := r.json(t)["number"].(string)
	d, err := f.ra.Approve(number, "petrov", ra.ApproveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := d.Certificate
	sign := func(content []byte) []byte { return catest.SignAttached(t, key, c, f.clock, content) }
	newCSR, _ := catest.NewCSRTemplate(t, f.params, &cert.CertificateRequest{RawSubject: c.RawSubject})
	rn := f.do(t, "POST", "/ra/v1/renewals", "application/pkcs7-mime", "", bytes.NewReader(sign(newCSR)))
	if rn.Status != 201 || !strings.Contains(rn.json(t)["certificate"].(string), "BEGIN CERTIFICATE") {
		t.Fatalf("renewal: %d %s", rn.Status, rn.Body)
	}
	if r := f.do(t, "POST", "/ra/v1/renewals", "application/pkcs7-mime", "", strings.NewReader("garbage")); r.Status != 422 {
		t.Fatalf("garbage renewal: %d %s", r.Status, r.Body)
	}
	rv := f.do(t, "POST", "/ra/v1/revocations", "application/pkcs7-mime", "", bytes.NewReader(sign([]byte(fmt.Sprintf(`{"serial": "%X"}`, c.SerialNumber)))))
	if rv.Status != 200 || rv.json(t)["status"] != "revoked" {
		t.Fatalf("signed revocation: %d %s", rv.Status, rv.Body)
	}
	// A revoked certificate cannot renew.
	again, _ := catest.NewCSRTemplate(t, f.params, &cert.CertificateRequest{RawSubject: c.RawSubject})
	if r := f.do(t, "POST", "/ra/v1/renewals", "application/pkcs7-mime", "", bytes.NewReader(sign(again))); r.Status != 409 && r.Status != 422 {
		t.Fatalf("renewal of a revoked certificate: %d %s", r.Status, r.Body)
	}
}

func TestClientBehindProxy(t *testing.T) {
	l := raapi.NewLimits(raapi.LimitConfig{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	for _, c := range []struct{ peer, xff, want string }{
		{"192.0.2.1:5000", "", "192.0.2.1"},
		{"192.0.2.1:5000", "203.0.113.9", "192.0.2.1"}, // not a trusted proxy: its header is ignored
		{"10.1.2.3:5000", "198.51.100.7, 203.0.113.9", "203.0.113.9"},
		{"10.1.2.3:5000", "garbage", "10.1.2.3"},
		{"10.1.2.3:5000", "", "10.1.2.3"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := l.Client(r); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
}
