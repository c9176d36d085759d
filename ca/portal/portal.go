// Package portal is the web front of the registration authority, for
// people: a start page, the application form, the confirmation with the
// number and the access code, "my application" (status, history, the
// downloads, the lost-key report) and the public check page of a
// certificate. Pages are in Russian, and in English with ?lang=en or the
// browser's Accept-Language.
//
// The pages are rendered on the server with html/template and work without
// JavaScript; the one style sheet is embedded and served from the binary.
// Every response carries a Content-Security-Policy without inline script,
// frame-ancestors 'none' and nosniff; every form carries a CSRF token (a
// keyed hash of a random cookie, SameSite=Strict, HttpOnly); the
// applicant's session is a signed cookie naming the application, never the
// access code, which is compared in constant time and never logged. The
// forms share the API's per-client rate limits (raapi.Limits).
package portal

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/ra"
	"github.com/gostca/gostca/ca/raapi"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/streebog"
	"github.com/gostca/gostca/store"
)

//go:embed templates/*.html static/*
var files embed.FS

// Config configures the portal. Records, CA, Key and Clock are required.
type Config struct {
	// Authority serves the applicant's pages; nil serves the check page
	// (and the start page) only.
	Authority *ra.Authority
	// Records returns the ledger's record of a serial, or an error
	// wrapping store.ErrNotFound: what the check page shows.
	Records func(serial *big.Int) (*store.Record, error)
	// Status, if set, returns the status as the responder's cache last
	// read it (see responder.Cache.Status), fresher than a cached record.
	Status func(serial *big.Int) (ca.Status, time.Time, bool)
	// CA is the CA's certificate, Chain its issuers (nearest first).
	CA    *cert.Certificate
	Chain []*cert.Certificate
	// Key is the secret of the CSRF tokens and the session cookies, at
	// least 32 bytes.
	Key []byte
	// Clock gives the time.
	Clock func() time.Time
	// Limits are the per-client rate limits shared with the API, and the
	// reverse proxies trusted: from those, X-Forwarded-Proto: https makes a
	// request count as secure. nil means raapi's defaults, no proxy.
	Limits *raapi.Limits
	// Profiles are those offered in the form; nil means signature,
	// qualified, encryption and auth.
	Profiles []string
	// PublicURL is the portal's address (https://ca.example.ru) for the
	// check links of the printable copies; empty means the request's host.
	PublicURL string
	// Secure marks the cookies Secure: the portal is served over TLS (or
	// behind a proxy that terminates it).
	Secure bool
	// CopyPDF renders the printable copy of a certificate with the check
	// URL in its QR code; FormPDF the application form. nil leaves the
	// downloads out.
	CopyPDF func(c *cert.Certificate, checkURL string) ([]byte, error)
	FormPDF func(a *ra.Application) ([]byte, error)
	// MaxUpload bounds a form's body; 0 means 5 scans of 10 MiB and 1 MiB.
	MaxUpload int64
	// Logger receives the server's own errors; nil means slog.Default().
	Logger *slog.Logger
}

// Handler serves the portal. It is safe for concurrent use.
type Handler struct {
	cfg     Config
	mux     *http.ServeMux
	pages   map[string]*template.Template
	static  http.Handler
	keyID   []byte
	cache   *recordCache
	pagesMu sync.Mutex
	checks  map[string][]byte // rendered check pages, by what they show
}

// New returns the portal's handler.
func New(cfg Config) (*Handler, error) {
	switch {
	case cfg.Records == nil || cfg.CA == nil || cfg.Clock == nil:
		return nil, errors.New("portal: Config needs Records, CA and Clock")
	case len(cfg.Key) < 32:
		return nil, errors.New("portal: Config.Key must be at least 32 bytes")
	}
	if cfg.Limits == nil {
		cfg.Limits = raapi.NewLimits(raapi.LimitConfig{})
	}
	if cfg.Profiles == nil {
		cfg.Profiles = []string{ca.ProfileSignature, ca.ProfileQualified, ca.ProfileEncryption, ca.ProfileAuth}
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = ra.MaxAttachments*ra.DefaultMaxAttachmentSize + 1<<20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	keyID, err := ca.IssuerKeyID(cfg.CA)
	if err != nil {
		return nil, fmt.Errorf("portal: the CA certificate: %w", err)
	}
	static, _ := fs.Sub(files, "static")
	h := &Handler{cfg: cfg, mux: http.NewServeMux(), pages: map[string]*template.Template{},
		static: http.FileServerFS(static), keyID: keyID, cache: newRecordCache(4096, 10*time.Second), checks: map[string][]byte{}}
	for _, p := range []string{"start", "apply", "confirm", "login", "my", "check", "checkform", "error"} {
		t, err := template.New(p).Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("portal: template %s: %w", p, err)
		}
		h.pages[p] = t
	}
	h.routes()
	return h, nil
}

func (h *Handler) routes() {
	h.mux.Handle("GET /static/", http.StripPrefix("/static/", h.static))
	h.mux.HandleFunc("GET /{$}", h.start)
	h.mux.HandleFunc("GET /check", h.checkForm)
	h.mux.HandleFunc("POST /check", h.form(h.checkPost))
	h.mux.HandleFunc("GET /check/{serial}", h.check)
	if h.cfg.Authority != nil {
		h.mux.HandleFunc("GET /apply", h.applyForm)
		h.mux.HandleFunc("POST /apply", h.form(h.applyPost))
		h.mux.HandleFunc("GET /my", h.loginForm)
		h.mux.HandleFunc("POST /my", h.form(h.loginPost))
		h.mux.HandleFunc("GET /my/application", h.my)
		h.mux.HandleFunc("GET /my/{file}", h.download)
		h.mux.HandleFunc("GET /my/application.pdf", h.applicationPDF)
		h.mux.HandleFunc("POST /my/lost", h.form(h.lostPost))
		h.mux.HandleFunc("POST /my/cancel", h.form(h.cancelPost))
		h.mux.HandleFunc("POST /my/logout", h.form(h.logoutPost))
	}
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, http.StatusNotFound, "err.notfound")
	})
}

// ServeHTTP serves the portal, with its security headers.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	if h.secure(r) {
		hd.Set("Strict-Transport-Security", "max-age=31536000")
	}
	if !strings.HasPrefix(r.URL.Path, "/static/") {
		hd.Set("Cache-Control", "no-store")
	}
	h.mux.ServeHTTP(w, r)
}

// secure reports whether r came over TLS (directly, or through a trusted
// proxy that says so).
func (h *Handler) secure(r *http.Request) bool {
	return h.cfg.Secure || r.TLS != nil ||
		(r.Header.Get("X-Forwarded-Proto") == "https" && h.cfg.Limits.FromTrustedProxy(r))
}

// page is what every template gets.
type page struct {
	Lang    string // "ru" or "en"
	Path    string // the request's path, for the language switch
	Applied bool   // the applicant's pages exist (an Authority)
	Data    any

	h *Handler
	w http.ResponseWriter
	r *http.Request
}

// CSRF returns the browser's CSRF token for a form of the page, setting
// its cookie if need be: only pages with forms set one.
func (p *page) CSRF() string { return p.h.csrf(p.w, p.r) }

// T returns the text key in the page's language.
func (p *page) T(key string) string { return text(p.Lang, key) }

// Tf returns the text key in the page's language, formatted with args.
func (p *page) Tf(key string, args ...any) string { return fmt.Sprintf(text(p.Lang, key), args...) }

// Other is the other language, for the switch.
func (p *page) Other() string {
	if p.Lang == "en" {
		return "ru"
	}
	return "en"
}

var funcs = template.FuncMap{
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
	"list":   func(v ...string) []string { return v },
	"serial": ra.FormatSerial,
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("02.01.2006")
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("02.01.2006 15:04:05 UTC")
	},
}

// lang picks the page's language: ?lang=, then the lang cookie, then
// Accept-Language; Russian by default. A ?lang= is remembered in a cookie.
func (h *Handler) lang(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "ru" || l == "en" {
		http.SetCookie(w, h.cookie("lang", l, 365*24*time.Hour, r))
		return l
	}
	if c, err := r.Cookie("lang"); err == nil && (c.Value == "ru" || c.Value == "en") {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "ru"):
			return "ru"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "ru"
}

// cookie is a cookie of the portal: HttpOnly, SameSite=Strict, Secure over
// TLS, for the whole site.
func (h *Handler) cookie(name, value string, maxAge time.Duration, r *http.Request) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteStrictMode}
}

// render writes the page name with data.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	h.write(w, status, h.html(w, r, name, h.lang(w, r), data))
}

// html renders the page name with data in lang; nil if it fails (logged).
func (h *Handler) html(w http.ResponseWriter, r *http.Request, name, lang string, data any) []byte {
	p := &page{Lang: lang, Path: r.URL.Path, Applied: h.cfg.Authority != nil, Data: data, h: h, w: w, r: r}
	var b bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&b, "layout", p); err != nil {
		h.cfg.Logger.Error("portal: rendering", "page", name, "error", err.Error())
		return nil
	}
	return b.Bytes()
}

// write sends a rendered page (nil: an internal error).
func (h *Handler) write(w http.ResponseWriter, status int, body []byte) {
	if body == nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(body)
}

// fail renders the error page with the message key.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, key string) {
	h.render(w, r, status, "error", map[string]any{"Key": key, "Status": status})
}

// failErr renders the page for an error of a form's handling.
func (h *Handler) failErr(w http.ResponseWriter, r *http.Request, err error) {
	var rl *raapi.RateError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &rl):
		w.Header().Set("Retry-After", strconv.Itoa(rl.RetryAfter))
		h.fail(w, r, http.StatusTooManyRequests, "err.rate")
	case errors.As(err, &mbe):
		h.fail(w, r, http.StatusRequestEntityTooLarge, "err.toolarge")
	case errors.Is(err, store.ErrLocked):
		w.Header().Set("Retry-After", "1")
		h.fail(w, r, http.StatusServiceUnavailable, "err.busy")
	default:
		h.cfg.Logger.Error("portal", "path", r.URL.Path, "error", err.Error())
		h.fail(w, r, http.StatusInternalServerError, "err.internal")
	}
}

// The CSRF token of a browser is the keyed hash of its random csrf cookie;
// a form posts it back (double submit, the cookie SameSite=Strict).

func (h *Handler) mac(parts ...string) string {
	m := hmac.New(streebog.New256, h.cfg.Key)
	for _, p := range parts {
		fmt.Fprintf(m, "%d:%s", len(p), p)
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrf returns the browser's CSRF token, setting its cookie if need be.
func (h *Handler) csrf(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie("csrf"); err == nil && len(c.Value) == 32 {
		return h.mac("csrf", c.Value)
	}
	b := make([]byte, 16)
	rand.Read(b)
	c := h.cookie("csrf", hex.EncodeToString(b), 24*time.Hour, r)
	http.SetCookie(w, c)
	r.AddCookie(c) // for the rest of this request
	return h.mac("csrf", c.Value)
}

// form wraps the handler of a form: the body bounded, the CSRF token
// checked (403 without it).
func (h *Handler) form(fn func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxUpload)
		var err error
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			err = r.ParseMultipartForm(1 << 20)
			if r.MultipartForm != nil {
				defer r.MultipartForm.RemoveAll() // the parts kept on disk
			}
		} else {
			err = r.ParseForm()
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				h.failErr(w, r, err)
				return
			}
			h.fail(w, r, http.StatusBadRequest, "err.badform")
			return
		}
		c, cerr := r.Cookie("csrf")
		token := r.PostFormValue("csrf")
		if cerr != nil || token == "" || !hmac.Equal([]byte(token), []byte(h.mac("csrf", c.Value))) {
			h.fail(w, r, http.StatusForbidden, "err.csrf")
			return
		}
		if err := fn(w, r); err != nil {
			h.failErr(w, r, err)
		}
	}
}

// The applicant's session: a cookie "number.expiry.mac", proof that the
// browser gave the access code of the application number; never the code.

const sessionTime = 30 * time.Minute

func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, number string) {
	exp := strconv.FormatInt(h.cfg.Clock().Add(sessionTime).Unix(), 10)
	http.SetCookie(w, h.cookie("session", number+"."+exp+"."+h.mac("session", number, exp), sessionTime, r))
}

// session returns the application number of the browser's session, or ""
// for none (or an expired or forged one).
func (h *Handler) session(r *http.Request) string {
	c, err := r.Cookie("session")
	if err != nil {
		return ""
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 || !hmac.Equal([]byte(parts[2]), []byte(h.mac("session", parts[0], parts[1]))) {
		return ""
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || h.cfg.Clock().Unix() > exp {
		return ""
	}
	return parts[0]
}

func (h *Handler) start(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "start", nil)
}

// recordCache keeps recent ledger records (and misses) for a while, so
// that a popular check page does not read the ledger on every request.
type recordCache struct {
	mu   sync.Mutex
	max  int
	ttl  time.Duration
	recs map[string]cachedRecord
}

type cachedRecord struct {
	rec  *store.Record     // nil for a serial not in the ledger
	cert *cert.Certificate // rec's, parsed; nil if none or unparsable
	// fingerprint is the Streebog-256 of the certificate, in hex.
	fingerprint string
	at          time.Time
}

func newRecordCache(max int, ttl time.Duration) *recordCache {
	return &recordCache{max: max, ttl: ttl, recs: map[string]cachedRecord{}}
}

// get returns the record of serial with its certificate parsed, from the
// cache or read, and when it was read.
func (c *recordCache) get(serial *big.Int, now time.Time, read func(*big.Int) (*store.Record, error)) (cachedRecord, error) {
	key := string(serial.Bytes())
	c.mu.Lock()
	e, ok := c.recs[key]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl {
		return e, nil
	}
	rec, err := read(serial)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return cachedRecord{}, err
	}
	e = cachedRecord{rec: rec, at: now}
	if rec != nil && len(rec.DER) > 0 {
		e.cert, _ = cert.ParseCertificate(rec.DER)
		sum := streebog.Sum256(rec.DER)
		e.fingerprint = fmt.Sprintf("%X", sum[:])
	}
	c.mu.Lock()
	if len(c.recs) >= c.max {
		clear(c.recs)
	}
	c.recs[key] = e
	c.mu.Unlock()
	return e, nil
}
