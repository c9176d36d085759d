package raapi_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gostca/gostca/ca/raapi"
)

// FuzzHandler: whatever the body, the path and the content type, the API
// answers with a status and never a 500 (nor a panic).
func FuzzHandler(f *testing.F) {
	fx := newFixture(f, raapi.Config{SubmitBurst: 1 << 30, SubmitRate: 1 << 30, CodeBurst: 1 << 30, CodeRate: 1 << 30})
	h := fx.srv.Config.Handler
	f.Add("POST", "/ra/v1/applications", "application/json", []byte(`{"applicant": {"surname": "x"}, "profile": "signature"}`))
	f.Add("POST", "/ra/v1/applications", "multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"application\"\r\n\r\n{}\r\n--x--\r\n"))
	f.Add("POST", "/ra/v1/revocations", "application/json", []byte(`{"number": "2026-000001", "code_word": "abc"}`))
	f.Add("POST", "/ra/v1/revocations", "application/pkcs7-mime", []byte("0\x80"))
	f.Add("POST", "/ra/v1/renewals", "application/pkcs7-mime", []byte{0x30, 0x03, 0x02, 0x01, 0x01})
	f.Add("GET", "/ra/v1/applications/2026-000001/certificate?format=p7b", "", []byte(nil))
	f.Fuzz(func(t *testing.T, method, path, ctype string, body []byte) {
		req, err := http.NewRequest(method, "http://ra.test"+path, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Authorization", "Bearer 0000-0000-0000-0000")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %s (%s): %d %s", method, path, ctype, w.Code, w.Body)
		}
	})
}
