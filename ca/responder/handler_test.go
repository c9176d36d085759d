package responder

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/crypto/ocsp"
)

func TestStatuses(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct {
		name   string
		serial *big.Int
		hash   ocsp.HashAlgorithm
		status ocsp.Status
		reason cert.ReasonCode
	}{
		{"good", f.good.SerialNumber, ocsp.SHA1, ocsp.Good, cert.ReasonUnspecified},
		{"revoked", f.revoked.SerialNumber, ocsp.SHA1, ocsp.Revoked, cert.ReasonKeyCompromise},
		{"held", f.held.SerialNumber, ocsp.SHA1, ocsp.Revoked, cert.ReasonCertificateHold},
		{"unknown", big.NewInt(0x123456789), ocsp.SHA1, ocsp.Unknown, cert.ReasonUnspecified},
		{"good streebog-256", f.good.SerialNumber, ocsp.Streebog256, ocsp.Good, cert.ReasonUnspecified},
		{"revoked sha-256", f.revoked.SerialNumber, ocsp.SHA256, ocsp.Revoked, cert.ReasonKeyCompromise},
	} {
		t.Run(tc.name, func(t *testing.T) {
			der := request(t, tc.hash, f.cfg.Certificate, tc.serial, nil)
			for _, method := range []string{"POST", "GET"} {
				var resp *http.Response
				if method == "POST" {
					resp = f.post(t, der)
				} else {
					var err error
					if resp, err = http.Get(f.server.URL + "/ocsp/" + base64.StdEncoding.EncodeToString(der)); err != nil {
						t.Fatal(err)
					}
				}
				body := readBody(t, resp)
				if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != typeOCSPResponse {
					t.Fatalf("%s: HTTP %d %q", method, resp.StatusCode, resp.Header.Get("Content-Type"))
				}
				r := f.parse(t, body)
				sr := r.Responses[0]
				if sr.Status != tc.status || sr.Reason != tc.reason {
					t.Errorf("%s: status %v reason %v, want %v %v", method, sr.Status, sr.Reason, tc.status, tc.reason)
				}
				if sr.ID.SerialNumber.Cmp(tc.serial) != 0 || sr.ID.Hash != tc.hash {
					t.Errorf("%s: answered for %v %v", method, sr.ID.Hash, sr.ID.SerialNumber)
				}
				if got := sr.NextUpdate.Sub(sr.ThisUpdate); got != DefaultResponseValidity {
					t.Errorf("%s: nextUpdate − thisUpdate = %v", method, got)
				}
			}
		})
	}
}

// TestGETSlashes finds requests whose base64 holds '/' and "//" and sends
// them raw and escaped.
func TestGETSlashes(t *testing.T) {
	f := newFixture(t, nil)
	found := map[string]bool{}
	// A base64 with "//" has "/" too; one with "/" alone may not exist
	// when the CertID's fixed part already has "//".
	for i := 0; i < 20000 && !(found["double slash"] && (found["slash"] || i > 1000)); i++ {
		nonce := make([]byte, 16)
		rand.Read(nonce)
		der := request(t, ocsp.SHA1, f.cfg.Certificate, f.revoked.SerialNumber, nonce)
		b64 := base64.StdEncoding.EncodeToString(der)
		kind := ""
		switch {
		case strings.Contains(b64, "//"):
			kind = "double slash"
		case strings.Contains(b64, "/"):
			kind = "slash"
		default:
			continue
		}
		if found[kind] {
			continue
		}
		found[kind] = true
		for _, path := range []string{b64, strings.ReplaceAll(strings.ReplaceAll(b64, "/", "%2F"), "+", "%2B")} {
			t.Run(kind, func(t *testing.T) {
				resp, err := http.Get(f.server.URL + "/ocsp/" + path)
				if err != nil {
					t.Fatal(err)
				}
				r := f.parse(t, readBody(t, resp))
				if r.Responses[0].Status != ocsp.Revoked || !bytes.Equal(r.Nonce, nonce) {
					t.Errorf("GET %s: status %v nonce %x", path, r.Responses[0].Status, r.Nonce)
				}
			})
		}
	}
	if !found["double slash"] {
		t.Fatalf("found no base64 request with a double slash: %v", found)
	}
}

func TestNonce(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct {
		name   string
		length int
		status ocsp.ResponseStatus
	}{
		{"1 octet", 1, ocsp.Successful},
		{"16 octets", 16, ocsp.Successful},
		{"32 octets", 32, ocsp.Successful},
		{"33 octets", 33, ocsp.MalformedRequest},
		{"64 octets", 64, ocsp.MalformedRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nonce := bytes.Repeat([]byte{0xa5}, tc.length)
			var der []byte
			if tc.length <= ocsp.MaxNonceLength {
				der = request(t, ocsp.SHA1, f.cfg.Certificate, f.good.SerialNumber, nonce)
			} else {
				der = longNonceRequest(t, f, nonce)
			}
			resp := f.post(t, der)
			body := readBody(t, resp)
			if tc.status != ocsp.Successful {
				if !bytes.Equal(body, ocsp.ErrorResponse(tc.status)) {
					t.Fatalf("answer %x, want %v", body, tc.status)
				}
				return
			}
			r := f.parse(t, body)
			if !bytes.Equal(r.Nonce, nonce) {
				t.Errorf("nonce %x, want %x", r.Nonce, nonce)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q for a nonce response", cc)
			}
		})
	}
}

// longNonceRequest builds a request with a nonce longer than CreateRequest
// allows, by growing a 32-octet one: the nonce is the last field.
func longNonceRequest(t *testing.T, f *fixture, nonce []byte) []byte {
	t.Helper()
	base := request(t, ocsp.SHA1, f.cfg.Certificate, f.good.SerialNumber, bytes.Repeat([]byte{0xa5}, 32))
	// Re-encode with the long nonce: replace the 32-octet OCTET STRING
	// inside its wrapping OCTET STRING and fix every length on the way.
	// Simplest: build the DER by hand from the pieces.
	i := bytes.Index(base, append([]byte{0x04, 0x22, 0x04, 0x20}, bytes.Repeat([]byte{0xa5}, 32)...))
	if i < 0 {
		t.Fatal("no nonce in the request")
	}
	grow := len(nonce) - 32
	inner := append([]byte{0x04, byte(len(nonce))}, nonce...)
	outer := append([]byte{0x04, byte(len(inner))}, inner...)
	out := append(append(append([]byte{}, base[:i]...), outer...), base[i+36:]...)
	// Every enclosing SEQUENCE / [2] of the nonce starts before i, with a
	// one- or two-octet length: increase the lengths of those that span i.
	fixLengths(t, out, 0, len(out), i, grow)
	if _, err := ocsp.ParseRequest(out); !errors.Is(err, ocsp.ErrNonceTooLong) {
		t.Fatalf("the long-nonce request parses with %v", err)
	}
	return out
}

// fixLengths adds grow to the length of each constructed element in
// der[start:end] whose content contains offset at.
func fixLengths(t *testing.T, der []byte, start, end, at, grow int) {
	for p := start; p < end; {
		tag := der[p]
		l, hdr := int(der[p+1]), 2
		if l&0x80 != 0 {
			n := l & 0x7f
			l = 0
			for k := 0; k < n; k++ {
				l = l<<8 | int(der[p+2+k])
			}
			hdr = 2 + n
		}
		contentEnd := p + hdr + l
		if tag&0x20 != 0 && p+hdr <= at && at < contentEnd {
			l += grow
			switch hdr {
			case 2:
				if l > 127 {
					t.Fatal("length grows out of its form")
				}
				der[p+1] = byte(l)
			case 3:
				der[p+2] = byte(l)
			case 4:
				der[p+2], der[p+3] = byte(l>>8), byte(l)
			}
			fixLengths(t, der, p+hdr, p+hdr+l, at, grow)
			return
		}
		p = contentEnd
	}
}

func TestRefused(t *testing.T) {
	f := newFixture(t, nil)
	good := request(t, ocsp.SHA1, f.cfg.Certificate, f.good.SerialNumber, nil)
	for _, tc := range []struct {
		name   string
		body   []byte
		http   int
		status ocsp.ResponseStatus
	}{
		{"foreign issuer", request(t, ocsp.SHA1, f.foreign.Certificate(), f.good.SerialNumber, nil), 200, ocsp.Unauthorized},
		{"garbage", []byte("this is not DER"), 200, ocsp.MalformedRequest},
		{"empty", nil, 200, ocsp.MalformedRequest},
		{"truncated", good[:len(good)-3], 200, ocsp.MalformedRequest},
		{"trailing data", append(append([]byte{}, good...), 0), 200, ocsp.MalformedRequest},
		{"oversized", bytes.Repeat([]byte{0x30}, DefaultMaxRequestBytes+1), http.StatusRequestEntityTooLarge, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := f.post(t, tc.body)
			body := readBody(t, resp)
			if resp.StatusCode != tc.http {
				t.Fatalf("HTTP %d, want %d", resp.StatusCode, tc.http)
			}
			if tc.http == 200 && !bytes.Equal(body, ocsp.ErrorResponse(tc.status)) {
				t.Errorf("answer %x, want %v", body, tc.status)
			}
			// The server keeps serving.
			r := f.parse(t, readBody(t, f.post(t, good)))
			if r.Responses[0].Status != ocsp.Good {
				t.Errorf("after %s: %v", tc.name, r.Responses[0].Status)
			}
		})
	}
	t.Run("bad base64", func(t *testing.T) {
		resp, err := http.Get(f.server.URL + "/ocsp/not*base64!")
		if err != nil {
			t.Fatal(err)
		}
		if body := readBody(t, resp); !bytes.Equal(body, ocsp.ErrorResponse(ocsp.MalformedRequest)) {
			t.Errorf("answer %x", body)
		}
	})
	t.Run("oversized chunked", func(t *testing.T) {
		req, _ := http.NewRequest("POST", f.server.URL+"/ocsp", struct{ *bytes.Reader }{bytes.NewReader(make([]byte, 1<<20))})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("HTTP %d", resp.StatusCode)
		}
	})
	t.Run("wrong method", func(t *testing.T) {
		req, _ := http.NewRequest("DELETE", f.server.URL+"/ocsp", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("HTTP %d", resp.StatusCode)
		}
	})
}

func TestCachingHeaders(t *testing.T) {
	f := newFixture(t, nil)
	der := request(t, ocsp.SHA1, f.cfg.Certificate, f.good.SerialNumber, nil)
	url := f.server.URL + "/ocsp/" + base64.StdEncoding.EncodeToString(der)
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	r := f.parse(t, readBody(t, resp))
	h := resp.Header
	cc := h.Get("Cache-Control")
	if !strings.HasPrefix(cc, "max-age=") || !strings.HasSuffix(cc, ", public, no-transform, must-revalidate") {
		t.Errorf("Cache-Control %q", cc)
	}
	age, _ := strconv.Atoi(strings.TrimPrefix(strings.Split(cc, ",")[0], "max-age="))
	if want := int(time.Until(r.Responses[0].NextUpdate).Seconds()); age < want-2 || age > want+1 {
		t.Errorf("max-age %d, want about %d", age, want)
	}
	if got := h.Get("Last-Modified"); got != r.Responses[0].ThisUpdate.Format(http.TimeFormat) {
		t.Errorf("Last-Modified %q", got)
	}
	if got := h.Get("Expires"); got != r.Responses[0].NextUpdate.Format(http.TimeFormat) {
		t.Errorf("Expires %q", got)
	}
	etag := h.Get("ETag")
	if len(etag) < 10 {
		t.Fatalf("ETag %q", etag)
	}
	for _, tc := range []struct {
		name, inm string
		code      int
	}{
		{"match", etag, http.StatusNotModified},
		{"in a list", `"x", ` + etag, http.StatusNotModified},
		{"weak", "W/" + etag, http.StatusNotModified},
		{"other", `"other"`, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("If-None-Match", tc.inm)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			readBody(t, resp)
			if resp.StatusCode != tc.code {
				t.Errorf("HTTP %d, want %d", resp.StatusCode, tc.code)
			}
		})
	}
}

func TestCRLAndCACert(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct {
		name, path, ctype string
		check             func(t *testing.T, body []byte)
	}{
		{"full CRL", "/crl", typeCRL, func(t *testing.T, body []byte) {
			rl, err := cert.ParseRevocationList(body)
			if err != nil {
				t.Fatal(err)
			}
			if err := rl.CheckSignatureFrom(f.cfg.Certificate); err != nil {
				t.Fatal(err)
			}
			if len(rl.Entries) != 2 {
				t.Errorf("%d entries, want 2", len(rl.Entries))
			}
		}},
		{"delta CRL", "/crl/delta", typeCRL, func(t *testing.T, body []byte) {
			if _, err := cert.ParseRevocationList(body); err != nil {
				t.Fatal(err)
			}
		}},
		{"CA certificate", "/ca.crt", typeCert, func(t *testing.T, body []byte) {
			if !bytes.Equal(body, f.cfg.Certificate.Raw) {
				t.Error("not the CA certificate")
			}
		}},
		{"CA chain", "/ca.p7c", typePKCS7, func(t *testing.T, body []byte) {
			sd, err := cms.Parse(body)
			if err != nil || len(sd.Certificates) != 1 || !bytes.Equal(sd.Certificates[0].Raw, f.cfg.Certificate.Raw) {
				t.Errorf("not the CA chain: %v", err)
			}
		}},
		{"metrics", "/metrics", "text/plain; version=0.0.4; charset=utf-8", func(t *testing.T, body []byte) {
			for _, want := range []string{"\ngostca_ocsp_cached_certificates 4\n" /* the root's own and 3 leaves */, "\ngostca_crl_builds_total 1\n", `gostca_ocsp_responses_total{status="malformedRequest"} 0`,
				// The four requests above, each under 2.5 s.
				`gostca_http_requests_total{code="200"} 4`, `gostca_http_request_duration_seconds_bucket{le="2.5"} 4`,
				"\ngostca_http_request_duration_seconds_count 4\n", "\ngostca_ocsp_signing_errors_total 0\n",
				"\ngostca_ocsp_signer_expiry_seconds ", "\ngostca_ocsp_oldest_response_age_seconds "} {
				if !bytes.Contains(body, []byte(want)) {
					t.Errorf("no %q in\n%s", want, body)
				}
			}
		}},
		{"health", "/healthz", "text/plain; charset=utf-8", func(t *testing.T, body []byte) {
			if string(body) != "ok\n" {
				t.Errorf("%q", body)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Get(f.server.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(t, resp)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tc.ctype {
				t.Fatalf("HTTP %d %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			tc.check(t, body)
		})
	}
	resp, err := http.Get(f.server.URL + "/nothing")
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if resp.StatusCode != 404 {
		t.Errorf("/nothing: HTTP %d", resp.StatusCode)
	}
}

// TestNonIssued: a serial the CA never issued is never "good": "unknown"
// by default, "revoked" (1970, certificateHold, extended revoke) with
// NonIssuedRevoked, which still answers "unknown" for an expired
// certificate and the real status for the others.
func TestNonIssued(t *testing.T) {
	never := big.NewInt(0x5eed)
	for _, tc := range []struct {
		mode NonIssued
		want ocsp.Status
	}{{NonIssuedUnknown, ocsp.Unknown}, {NonIssuedRevoked, ocsp.Revoked}} {
		clock := catest.NewClock(time.Now().Add(time.Minute))
		f := newFixture(t, func(c *Config) {
			c.NonIssued = tc.mode
			c.CA.Clock = clock.Now
		})
		for _, serial := range []*big.Int{never, big.NewInt(0)} {
			for _, nonce := range [][]byte{nil, []byte("nonce")} {
				r := f.parse(t, readBody(t, f.post(t, request(t, ocsp.SHA1, f.cfg.Certificate, serial, nonce))))
				got := r.Responses[0]
				if got.Status != tc.want {
					t.Fatalf("mode %d, serial %x: %v, want %v", tc.mode, serial, got.Status, tc.want)
				}
				if tc.mode == NonIssuedRevoked && (!got.RevokedAt.Equal(time.Unix(0, 0)) || got.Reason != cert.ReasonCertificateHold || !r.ExtendedRevoke) {
					t.Errorf("non-issued: revoked at %v, reason %v, extended revoke %v", got.RevokedAt, got.Reason, r.ExtendedRevoke)
				}
			}
		}
		good := f.parse(t, readBody(t, f.post(t, request(t, ocsp.SHA1, f.cfg.Certificate, f.good.SerialNumber, nil))))
		if good.Responses[0].Status != ocsp.Good || good.ExtendedRevoke != (tc.mode == NonIssuedRevoked) {
			t.Errorf("mode %d: the good certificate: %v, extended revoke %v", tc.mode, good.Responses[0].Status, good.ExtendedRevoke)
		}

		// A certificate that expires while the cache runs, and one
		// expired before a cache starts, are "unknown" in both modes.
		var short *cert.Certificate
		withCA(t, f, func(c *ca.CA) error {
			csr, _ := catest.NewCSR(t, nil, cert.Name{CommonName: "short", Country: "RU"})
			var err error
			short, err = c.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileSignature, Validity: time.Hour})
			return err
		})
		clock.Set(short.NotAfter.Add(time.Minute))
		if _, err := f.cache.poll(context.Background(), time.Second); err != nil {
			t.Fatal(err)
		}
		restarted, err := New(Config{Ledger: f.ledger, CA: f.cache.cfg.CA, NonIssued: tc.mode, Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		for i, src := range []Source{f.cache, restarted} {
			req, err := ocsp.ParseRequest(request(t, ocsp.SHA1, f.cfg.Certificate, short.SerialNumber, nil))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := src.Response(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if st := f.parse(t, resp.DER).Responses[0].Status; st != ocsp.Unknown {
				t.Errorf("mode %d, cache %d: the expired certificate is %v, want unknown", tc.mode, i, st)
			}
		}
	}
}

// TestFallback: with a Fallback, the responder's paths stay its own
// (OCSP at "/" included) and every other request goes to the Fallback.
func TestFallback(t *testing.T) {
	f := newFixture(t, nil)
	pages := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, "page "+r.URL.Path)
	})
	h, err := NewHandler(HandlerOptions{OCSP: f.cache, CRLs: f.cache, CACert: f.cfg.Certificate.Raw, OCSPPath: "/", Fallback: pages, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	der := request(t, ocsp.SHA1, f.cfg.Certificate, f.good.SerialNumber, nil)
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/", http.StatusTeapot},
		{"GET", "/check/0A", http.StatusTeapot},
		{"GET", "/my", http.StatusTeapot},
		{"GET", "/crl", http.StatusOK},
		{"GET", "/ca.crt", http.StatusOK},
		{"GET", "/" + base64.StdEncoding.EncodeToString(der), http.StatusOK},
		{"POST", "/", http.StatusOK},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, bytes.NewReader(der))
		req.Header.Set("Content-Type", "application/ocsp-request")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, resp.StatusCode, c.want)
		}
	}
}
