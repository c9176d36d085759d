package responder

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gostca/gostca/crypto/ocsp"
)

// HandlerOptions configures a Handler. OCSP is required; every other field
// has a documented default. A nil CRLs, CACert or Health leaves its
// endpoint out (404).
type HandlerOptions struct {
	// Fallback, if set, serves the requests that are none of the
	// responder's (the web pages beside it); nil answers them 404. With
	// OCSPPath "/", a GET is an OCSP request only if its path starts with
	// "M" (the base64 of a DER SEQUENCE).
	Fallback http.Handler
	// OCSP answers OCSP requests (a Cache, maybe decorated).
	OCSP Source
	// CRLs gives the CRLs (a Cache).
	CRLs CRLSource
	// CACert is the DER of the CA certificate.
	CACert []byte
	// Health reports whether the responder is fit to serve (Cache.Healthy).
	Health func() error
	// OCSPPath is where OCSP requests are POSTed, and the prefix of GET
	// requests; "" means "/ocsp". POSTs to "/" are answered too.
	OCSPPath string
	// CRLPath and DeltaCRLPath serve the full and delta CRLs; "" means
	// "/crl" and "/crl/delta".
	CRLPath, DeltaCRLPath string
	// CACertPath serves CACert; "" means "/ca.crt".
	CACertPath string
	// CAChain is the DER of a certs-only PKCS#7 (cms.EncodeCertificates) of
	// the CA certificate and the issuers above it, for clients that build
	// the whole chain; nil leaves its endpoint out.
	CAChain []byte
	// CAChainPath serves CAChain; "" means CACertPath with its extension
	// replaced by ".p7c" ("/ca.p7c").
	CAChainPath string
	// HealthPath serves Health; "" means "/healthz".
	HealthPath string
	// Metrics writes metrics in the Prometheus text format after the
	// Handler's own (Cache.WriteMetrics).
	Metrics func(w io.Writer)
	// MetricsPath serves the metrics; "" means "/metrics".
	MetricsPath string
	// MaxRequestBytes bounds an OCSP request; 0 means 10 KiB.
	MaxRequestBytes int64
	// CRLMaxAge is the Cache-Control max-age of the CRLs (they change
	// after revocations, before their nextUpdate); 0 means one minute.
	CRLMaxAge time.Duration
	// Clock gives the time for the caching headers; nil means time.Now.
	Clock func() time.Time
	// Logger receives a line per failed request; nil means slog.Default().
	Logger *slog.Logger
}

// DefaultMaxRequestBytes is the default bound of an OCSP request.
const DefaultMaxRequestBytes = 10 << 10

// Media types.
const (
	typeOCSPRequest  = "application/ocsp-request"
	typeOCSPResponse = "application/ocsp-response"
	typeCRL          = "application/pkix-crl"
	typeCert         = "application/pkix-cert"
	typePKCS7        = "application/pkcs7-mime"
)

type handler struct {
	o     HandlerOptions
	stats handlerStats
}

// NewHandler returns the http.Handler of a responder. It never answers 500:
// failures are OCSP error responses (or 503 for a CRL not made yet).
func NewHandler(o HandlerOptions) (http.Handler, error) {
	if o.OCSP == nil {
		return nil, errors.New("responder: HandlerOptions.OCSP is required")
	}
	setDefault := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	setDefault(&o.OCSPPath, "/ocsp")
	setDefault(&o.CRLPath, "/crl")
	setDefault(&o.DeltaCRLPath, "/crl/delta")
	setDefault(&o.CACertPath, "/ca.crt")
	setDefault(&o.HealthPath, "/healthz")
	setDefault(&o.MetricsPath, "/metrics")
	if o.CAChainPath == "" {
		o.CAChainPath = strings.TrimSuffix(o.CACertPath, path.Ext(o.CACertPath)) + ".p7c"
	}
	o.OCSPPath = strings.TrimSuffix(o.OCSPPath, "/")
	if o.MaxRequestBytes <= 0 {
		o.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if o.CRLMaxAge <= 0 {
		o.CRLMaxAge = time.Minute
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &handler{o: o}, nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
	start := time.Now()
	defer func() { h.stats.observe(sw.code, time.Since(start)) }()
	h.route(sw, r)
}

// statusWriter remembers the status code written, for the metrics.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (h *handler) route(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.o.Logger.Error("panic serving a request", "path", r.URL.Path, "panic", fmt.Sprint(v))
			h.writeOCSPError(w, ocsp.InternalError)
		}
	}()
	raw := r.URL.EscapedPath()
	// The fixed paths first: with OCSPPath "/" every other path is an
	// OCSP GET (whose base64 always starts with "M", a DER SEQUENCE).
	switch {
	case raw == h.o.CRLPath && h.o.CRLs != nil:
		if allowGet(w, r) {
			h.serveCRL(w, r, false)
		}
	case raw == h.o.DeltaCRLPath && h.o.CRLs != nil:
		if allowGet(w, r) {
			h.serveCRL(w, r, true)
		}
	case raw == h.o.CACertPath && h.o.CACert != nil:
		if allowGet(w, r) {
			writeStatic(w, typeCert, h.o.CACert)
		}
	case raw == h.o.CAChainPath && h.o.CAChain != nil:
		if allowGet(w, r) {
			writeStatic(w, typePKCS7, h.o.CAChain)
		}
	case raw == h.o.HealthPath && h.o.Health != nil:
		if !allowGet(w, r) {
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if err := h.o.Health(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok\n")
	case raw == h.o.MetricsPath:
		if allowGet(w, r) {
			w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
			h.writeMetrics(w)
		}
	case r.Method == http.MethodPost && (raw == h.o.OCSPPath || raw == h.o.OCSPPath+"/" || raw == "/"):
		h.servePOST(w, r)
	case strings.HasPrefix(raw, h.o.OCSPPath+"/") && len(raw) > len(h.o.OCSPPath)+1 &&
		(h.o.Fallback == nil || h.o.OCSPPath != "" || raw[1] == 'M'):
		if !allowGet(w, r) {
			return
		}
		h.serveGET(w, r, raw[len(h.o.OCSPPath)+1:])
	case raw == h.o.OCSPPath:
		w.Header().Set("Allow", "POST")
		http.Error(w, "OCSP requests are POSTed here, or sent with GET under "+h.o.OCSPPath+"/", http.StatusMethodNotAllowed)
	case h.o.Fallback != nil:
		h.o.Fallback.ServeHTTP(w, r)
	default:
		http.NotFound(w, r)
	}
}

// writeStatic writes a document that changes only with the CA.
func writeStatic(w http.ResponseWriter, ctype string, der []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(der)))
	w.Write(der)
}

func (h *handler) tooLarge(w http.ResponseWriter) {
	h.stats.tooLarge.Add(1)
	http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
}

// allowGet answers 405 to methods other than GET and HEAD.
func allowGet(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

func (h *handler) servePOST(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > h.o.MaxRequestBytes {
		h.tooLarge(w)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.o.MaxRequestBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		h.tooLarge(w)
		return
	case err != nil:
		http.Error(w, "reading the request: "+err.Error(), http.StatusBadRequest)
		return
	}
	h.answer(w, r, body)
}

func (h *handler) serveGET(w http.ResponseWriter, r *http.Request, escaped string) {
	if int64(len(escaped)) > 3*(h.o.MaxRequestBytes*4/3+4) {
		h.tooLarge(w)
		return
	}
	b64, err := url.PathUnescape(escaped)
	if err != nil {
		h.writeOCSPError(w, ocsp.MalformedRequest)
		return
	}
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		// Some clients leave the padding out.
		if der, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(b64, "=")); err != nil {
			h.writeOCSPError(w, ocsp.MalformedRequest)
			return
		}
	}
	if int64(len(der)) > h.o.MaxRequestBytes {
		h.tooLarge(w)
		return
	}
	h.answer(w, r, der)
}

// answer parses der and writes the Source's answer.
func (h *handler) answer(w http.ResponseWriter, r *http.Request, der []byte) {
	req, err := ocsp.ParseRequest(der)
	switch {
	case errors.Is(err, ocsp.ErrUnknownHash):
		h.writeOCSPError(w, ocsp.Unauthorized)
		return
	case err != nil:
		h.writeOCSPError(w, ocsp.MalformedRequest)
		return
	}
	resp, err := h.o.OCSP.Response(r.Context(), req)
	switch {
	case errors.Is(err, ErrUnauthorized):
		h.writeOCSPError(w, ocsp.Unauthorized)
		return
	case errors.Is(err, ErrTryLater):
		h.writeOCSPError(w, ocsp.TryLater)
		return
	case err != nil || resp == nil:
		h.o.Logger.LogAttrs(r.Context(), slog.LevelError, "answering an OCSP request", slog.Any("error", err))
		h.writeOCSPError(w, ocsp.InternalError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", typeOCSPResponse)
	if resp.Nonce {
		hd.Set("Cache-Control", "no-store")
	} else if h.cacheHeaders(w, r, &resp.Document, "must-revalidate") {
		return
	}
	h.stats.status[ocsp.Successful].Add(1)
	hd.Set("Content-Length", strconv.Itoa(len(resp.DER)))
	if r.Method != http.MethodHead {
		w.Write(resp.DER)
	}
}

// cacheHeaders sets the RFC 5019 §6.2 caching headers of d, and answers
// 304 (returning true) when the request's If-None-Match has d's ETag.
func (h *handler) cacheHeaders(w http.ResponseWriter, r *http.Request, d *Document, extra string) bool {
	now := h.o.Clock()
	maxAge := int64(d.NextUpdate.Sub(now) / time.Second)
	if maxAge < 0 {
		maxAge = 0
	}
	if extra == "" {
		if m := int64(h.o.CRLMaxAge / time.Second); maxAge > m {
			maxAge = m
		}
	}
	hd := w.Header()
	cc := "max-age=" + strconv.FormatInt(maxAge, 10) + ", public, no-transform"
	if extra != "" {
		cc += ", " + extra
	}
	hd.Set("Cache-Control", cc)
	hd.Set("Last-Modified", d.ThisUpdate.UTC().Format(http.TimeFormat))
	hd.Set("Expires", d.NextUpdate.UTC().Format(http.TimeFormat))
	hd.Set("ETag", d.ETag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, d.ETag) {
		hd.Del("Content-Type")
		h.stats.notMod.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return true
	}
	return false
}

// etagMatch reports whether the If-None-Match list header names etag.
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

func (h *handler) serveCRL(w http.ResponseWriter, r *http.Request, delta bool) {
	d, err := h.o.CRLs.CRL(delta)
	if err != nil || d == nil {
		w.Header().Set("Retry-After", "10")
		http.Error(w, "no CRL yet", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", typeCRL)
	if h.cacheHeaders(w, r, d, "") {
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(d.DER)))
	if r.Method != http.MethodHead {
		w.Write(d.DER)
	}
}

// writeOCSPError writes an unsigned OCSP error response, HTTP 200 as RFC
// 5019 §5 has it.
func (h *handler) writeOCSPError(w http.ResponseWriter, status ocsp.ResponseStatus) {
	body := ocsp.ErrorResponse(status)
	if int(status) < len(h.stats.status) {
		h.stats.status[status].Add(1)
	}
	hd := w.Header()
	hd.Set("Content-Type", typeOCSPResponse)
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
