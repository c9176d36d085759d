package portal_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/ca/ra"
	"github.com/gostca/gostca/crypto/cert"
)

// BenchmarkCheckPage renders the check page of a certificate, in process
// (no network): the server's own cost of a check.
func BenchmarkCheckPage(b *testing.B) {
	f := newFixture(b, nil)
	csr, _ := catest.NewCSR(b, nil, cert.Name{CommonName: "Иванов Иван", SNILS: "11223344595", Country: "RU"})
	c, err := f.ca.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileSignature})
	if err != nil {
		b.Fatal(err)
	}
	h := f.srv.Config.Handler
	path := "/check/" + ra.FormatSerial(c.SerialNumber)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
