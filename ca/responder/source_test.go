package responder

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gostca/gostca/crypto/ocsp"
)

// TestSourceFailures checks what the Handler makes of a Source's errors
// and panics, through the Logged decorator: an OCSP status, never HTTP 500.
func TestSourceFailures(t *testing.T) {
	f := newFixture(t, nil)
	der := request(t, ocsp.SHA1, f.cfg.Certificate, f.good.SerialNumber, nil)
	for _, tc := range []struct {
		name   string
		src    SourceFunc
		status ocsp.ResponseStatus
	}{
		{"unauthorized", func(context.Context, *ocsp.Request) (*Response, error) { return nil, ErrUnauthorized }, ocsp.Unauthorized},
		{"try later", func(context.Context, *ocsp.Request) (*Response, error) { return nil, ErrTryLater }, ocsp.TryLater},
		{"other error", func(context.Context, *ocsp.Request) (*Response, error) { return nil, errors.New("boom") }, ocsp.InternalError},
		{"nil response", func(context.Context, *ocsp.Request) (*Response, error) { return nil, nil }, ocsp.InternalError},
		{"panic", func(context.Context, *ocsp.Request) (*Response, error) { panic("boom") }, ocsp.InternalError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := NewHandler(HandlerOptions{OCSP: Logged(tc.src, quietLogger()), Logger: quietLogger()})
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", "/ocsp", bytes.NewReader(der)))
			if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), ocsp.ErrorResponse(tc.status)) {
				t.Errorf("HTTP %d, body %x; want 200 and %v", rec.Code, rec.Body.Bytes(), tc.status)
			}
		})
	}
}

func BenchmarkPresigned(b *testing.B) {
	f := newFixture(b, nil)
	req, err := ocsp.ParseRequest(request(b, ocsp.SHA1, f.cfg.Certificate, f.good.SerialNumber, nil))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.cache.Response(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLiveNonce(b *testing.B) {
	f := newFixture(b, nil)
	req, err := ocsp.ParseRequest(request(b, ocsp.SHA1, f.cfg.Certificate, f.good.SerialNumber, []byte("0123456789abcdef")))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.cache.Response(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}
