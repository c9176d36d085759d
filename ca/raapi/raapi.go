// Package raapi is the registration authority's HTTP API: applicants
// submit applications (JSON, or multipart with scans), follow them with
// the access code, download the certificate, cancel, renew with a
// signature by their current key, and report a lost or compromised key.
//
// The API speaks JSON; errors are RFC 9457 problem details naming the
// field. A wrong or missing access code gets the same answer as an
// unknown number. Every client (by its address) has rate limits on
// submissions and on code checks; bodies and attachments are bounded;
// bad input never gets a 500.
//
//	POST /ra/v1/applications                       → 201 number, access_code, status
//	GET  /ra/v1/applications/{number}               → status, history, reason, serial (Bearer code)
//	GET  /ra/v1/applications/{number}/certificate   → ?format=der|pem|p7b (Bearer code)
//	POST /ra/v1/applications/{number}/cancel        → the application, cancelled (Bearer code)
//	POST /ra/v1/renewals                            → 201 the certificate, or 202 an application
//	POST /ra/v1/revocations                         → held (code word) or revoked (signed)
package raapi

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/gostca/gostca/ca/ra"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/store"
)

// Prefix is where the API lives.
const Prefix = "/ra/v1/"

// Config configures the API's handler. Authority is required.
type Config struct {
	Authority *ra.Authority
	// Chain is the CA's certificate and its issuers, nearest first: what a
	// p7b download carries after the certificate.
	Chain []*cert.Certificate
	// SelfRenewal are the profiles whose holders renew without an
	// operator; nil means ra.DefaultSelfRenewal.
	SelfRenewal []string
	// Limits are the per-client rate limits, which the portal's forms may
	// share; nil means limits of SubmitRate, SubmitBurst, CodeRate and
	// CodeBurst (see LimitConfig).
	Limits *Limits
	// SubmitRate and SubmitBurst limit each client's submissions and
	// renewals; 0 means 1 a second with a burst of 20.
	SubmitRate  rate.Limit
	SubmitBurst int
	// CodeRate and CodeBurst limit each client's failed code checks (access
	// codes and code words); 0 means 1 every 10 seconds with a burst of 10.
	CodeRate  rate.Limit
	CodeBurst int
	// MaxBody bounds a JSON body; 0 means 256 KiB. MaxUpload bounds a
	// multipart body; 0 means 5 scans of MaxAttachmentSize (10 MiB) and
	// 256 KiB more.
	MaxBody, MaxUpload int64
	// MaxAttachmentSize is the Authority's bound on one scan, for
	// MaxUpload's default; 0 means ra.DefaultMaxAttachmentSize.
	MaxAttachmentSize int64
	// Logger receives the errors that are the server's; nil means
	// slog.Default().
	Logger *slog.Logger
}

// Handler serves the API. It is safe for concurrent use.
type Handler struct {
	cfg    Config
	mux    *http.ServeMux
	limits *Limits
}

// NewHandler returns the API's handler.
func NewHandler(cfg Config) (*Handler, error) {
	if cfg.Authority == nil {
		return nil, errors.New("raapi: no Authority")
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 256 << 10
	}
	if cfg.MaxAttachmentSize <= 0 {
		cfg.MaxAttachmentSize = ra.DefaultMaxAttachmentSize
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = ra.MaxAttachments*cfg.MaxAttachmentSize + cfg.MaxBody
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux(), limits: cfg.Limits}
	if h.limits == nil {
		h.limits = NewLimits(LimitConfig{SubmitRate: cfg.SubmitRate, SubmitBurst: cfg.SubmitBurst, CodeRate: cfg.CodeRate, CodeBurst: cfg.CodeBurst})
	}
	h.route("applications", http.MethodPost, h.submit)
	h.route("applications/{number}", http.MethodGet, h.status)
	h.route("applications/{number}/certificate", http.MethodGet, h.certificate)
	h.route("applications/{number}/cancel", http.MethodPost, h.cancel)
	h.route("renewals", http.MethodPost, h.renew)
	h.route("revocations", http.MethodPost, h.revoke)
	h.mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		h.problem(w, r, &problem{Status: http.StatusNotFound, Type: "not-found", Title: "no such resource"})
	})
	return h, nil
}

// route registers fn for path under Prefix, answering other methods 405.
func (h *Handler) route(path, method string, fn func(w http.ResponseWriter, r *http.Request) error) {
	h.mux.HandleFunc(Prefix+path, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method {
			w.Header().Set("Allow", method)
			h.problem(w, r, &problem{Status: http.StatusMethodNotAllowed, Type: "method-not-allowed", Title: method + " only"})
			return
		}
		if err := fn(w, r); err != nil {
			h.problem(w, r, h.problemOf(err))
		}
	})
}

// ServeHTTP serves the API.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	h.mux.ServeHTTP(w, r)
}

// problem is an RFC 9457 problem details object.
type problem struct {
	Type     string          `json:"type"`
	Title    string          `json:"title"`
	Status   int             `json:"status"`
	Detail   string          `json:"detail,omitempty"`
	Instance string          `json:"instance,omitempty"`
	Errors   []ra.FieldError `json:"errors,omitempty"`
	// retryAfter sets Retry-After (seconds) on 429 and 503 answers.
	retryAfter int
}

func (p *problem) Error() string { return p.Title + ": " + p.Detail }

// problemType is the URI of a problem type.
func problemType(name string) string { return "urn:gostca:problem:" + name }

func (h *Handler) problem(w http.ResponseWriter, r *http.Request, p *problem) {
	if !strings.HasPrefix(p.Type, "urn:") {
		p.Type = problemType(p.Type)
	}
	p.Instance = r.URL.Path
	if p.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(p.retryAfter))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

// errNoApplication is the one answer to an unknown number, a missing
// access code and a wrong one.
var errNoApplication = &problem{Status: http.StatusNotFound, Type: "not-found",
	Title: "no application with this number and access code"}

// problemOf maps an error to its problem; an error that is not the
// client's is logged and answered without its detail.
func (h *Handler) problemOf(err error) *problem {
	var p *problem
	var rl *RateError
	var fe ra.FieldErrors
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &rl):
		return &problem{Status: http.StatusTooManyRequests, Type: "rate-limited", Title: "too many " + rl.What + "; try again later", retryAfter: rl.RetryAfter}
	case errors.As(err, &fe):
		return &problem{Status: http.StatusUnprocessableEntity, Type: "invalid-application",
			Title: "the application has invalid fields", Detail: "nothing was recorded; correct the fields named", Errors: fe}
	case errors.As(err, &mbe):
		return &problem{Status: http.StatusRequestEntityTooLarge, Type: "too-large",
			Title: "the request body is too large", Detail: fmt.Sprintf("at most %d bytes", mbe.Limit)}
	case errors.Is(err, ra.ErrNotFound):
		return errNoApplication
	case errors.Is(err, ra.ErrTransition):
		return &problem{Status: http.StatusConflict, Type: "not-allowed", Title: "not allowed in the application's state", Detail: trim(err)}
	case errors.Is(err, ra.ErrNotIssued):
		return &problem{Status: http.StatusConflict, Type: "not-issued", Title: "no certificate issued for the application (yet)"}
	case errors.Is(err, ra.ErrSignedRequest):
		return &problem{Status: http.StatusUnprocessableEntity, Type: "bad-signature", Title: "the signed request is refused", Detail: trim(err)}
	case errors.Is(err, ra.ErrCertificateState):
		return &problem{Status: http.StatusConflict, Type: "certificate-state", Title: "not allowed in the certificate's state", Detail: trim(err)}
	case errors.Is(err, store.ErrLocked):
		return &problem{Status: http.StatusServiceUnavailable, Type: "busy", Title: "the ledger is busy; try again", retryAfter: 1}
	}
	h.cfg.Logger.Error("registration authority", "error", err.Error())
	return &problem{Status: http.StatusInternalServerError, Type: "internal", Title: "internal error; the request may not have been recorded"}
}

func trim(err error) string {
	s := err.Error()
	for _, p := range []string{"ra: ", "ca: ", "store: "} {
		s = strings.ReplaceAll(s, p, "")
	}
	return s
}

// badRequest is a body the API cannot read.
func badRequest(format string, args ...any) *problem {
	return &problem{Status: http.StatusBadRequest, Type: "bad-request", Title: "the request cannot be read", Detail: fmt.Sprintf(format, args...)}
}

// allowSubmit takes a submission token of the client.
func (h *Handler) allowSubmit(r *http.Request) error { return h.limits.Submit(r) }

// checkCode runs a code check, counting its failures against the client.
func (h *Handler) checkCode(r *http.Request, check func() error) error {
	return h.limits.CheckCode(r, check)
}

// bearer returns the access code of the Authorization header.
func bearer(r *http.Request) string {
	scheme, code, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(code)
}

// application is the applicant's view of one.
func (h *Handler) application(r *http.Request) (*ra.Application, error) {
	number := r.PathValue("number")
	code := bearer(r)
	if _, _, err := ra.ParseNumber(number); err != nil || code == "" {
		return nil, h.checkCode(r, func() error { return ra.ErrNotFound })
	}
	var a *ra.Application
	err := h.checkCode(r, func() error {
		var err error
		a, err = h.cfg.Authority.Check(number, code)
		return err
	})
	return a, err
}

// submission is the JSON form of an application.
type submission struct {
	Applicant *ra.Applicant `json:"applicant"`
	Profile   string        `json:"profile"`
	// CSR is the PKCS#10 request, PEM or base64 DER.
	CSR      string `json:"csr"`
	CodeWord string `json:"code_word"`
}

func (h *Handler) submit(w http.ResponseWriter, r *http.Request) error {
	if err := h.allowSubmit(r); err != nil {
		return err
	}
	var s ra.Submission
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxBody)
		var js submission
		if err := decodeJSON(r.Body, &js); err != nil {
			return err
		}
		if err := js.into(&s); err != nil {
			return err
		}
	case "multipart/form-data":
		r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxUpload)
		if err := h.readMultipart(r, params["boundary"], &s); err != nil {
			return err
		}
	default:
		return &problem{Status: http.StatusUnsupportedMediaType, Type: "unsupported-media-type",
			Title: "send application/json, or multipart/form-data with the scans"}
	}
	rc, err := h.cfg.Authority.Submit(s)
	if err != nil {
		return err
	}
	loc := Prefix + "applications/" + rc.Number
	w.Header().Set("Location", loc)
	return writeJSON(w, http.StatusCreated, map[string]string{
		"number": rc.Number, "access_code": rc.AccessCode, "status": string(rc.State), "status_url": loc,
	})
}

// into fills s from the JSON form.
func (js *submission) into(s *ra.Submission) error {
	var fe ra.FieldErrors
	if js.Applicant == nil {
		fe = append(fe, ra.FieldError{Field: "applicant", Problem: "required"})
	} else {
		s.Applicant = *js.Applicant
	}
	s.Profile, s.CodeWord = js.Profile, js.CodeWord
	if js.CSR != "" {
		csr, err := decodeCSR(js.CSR)
		if err != nil {
			fe = append(fe, ra.FieldError{Field: "csr", Problem: err.Error()})
		}
		s.CSR = csr
	}
	if fe != nil {
		return fe
	}
	return nil
}

// decodeCSR reads a request given as PEM or base64 DER.
func decodeCSR(s string) ([]byte, error) {
	if b, _ := pem.Decode([]byte(s)); b != nil {
		return b.Bytes, nil
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		return nil, errors.New("not PEM or base64 DER")
	}
	return der, nil
}

// decodeJSON reads one JSON object into v, refusing unknown fields and
// trailing data, with the field at fault named.
func decodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("data after the JSON object")
	}
	var mbe *http.MaxBytesError
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &mbe):
		return err
	case errors.As(err, &te):
		return ra.FieldErrors{{Field: te.Field, Problem: "must be a " + te.Type.String()}}
	case errors.As(err, &se):
		return badRequest("malformed JSON at byte %d", se.Offset)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return ra.FieldErrors{{Field: strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), Problem: "unknown field"}}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("empty or truncated JSON")
	}
	var fe ra.FieldErrors
	if errors.As(err, &fe) {
		return fe
	}
	return badRequest("%s", strings.TrimPrefix(err.Error(), "json: "))
}

// readMultipart reads a multipart submission: the part "application" (the
// JSON form), optionally "csr" (a file), and the scans ("attachment", one
// part each).
func (h *Handler) readMultipart(r *http.Request, boundary string, s *ra.Submission) error {
	if boundary == "" {
		return badRequest("multipart without a boundary")
	}
	mr := multipart.NewReader(r.Body, boundary)
	var js *submission
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return err
			}
			return badRequest("malformed multipart body: %v", err)
		}
		limit := h.cfg.MaxBody
		if p.FormName() == "attachment" {
			limit = h.cfg.MaxAttachmentSize + 1
		}
		data, err := io.ReadAll(io.LimitReader(p, limit+1))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return err
			}
			return badRequest("reading part %q: %v", p.FormName(), err)
		}
		switch p.FormName() {
		case "application":
			if int64(len(data)) > limit {
				return &problem{Status: http.StatusRequestEntityTooLarge, Type: "too-large", Title: "the application part is too large"}
			}
			js = &submission{}
			if err := decodeJSON(strings.NewReader(string(data)), js); err != nil {
				return err
			}
		case "csr":
			if b, _ := pem.Decode(data); b != nil {
				data = b.Bytes
			}
			s.CSR = data
		case "attachment":
			if len(s.Attachments) >= ra.MaxAttachments {
				return ra.FieldErrors{{Field: "attachments", Problem: fmt.Sprintf("at most %d files", ra.MaxAttachments)}}
			}
			s.Attachments = append(s.Attachments, ra.File{Name: p.FileName(), Data: data})
		default:
			return ra.FieldErrors{{Field: p.FormName(), Problem: "unknown part"}}
		}
	}
	if js == nil {
		return ra.FieldErrors{{Field: "application", Problem: "required (the JSON part)"}}
	}
	csr := s.CSR
	if err := js.into(s); err != nil {
		return err
	}
	if csr != nil {
		s.CSR = csr
	}
	return nil
}

// statusView is the applicant's view of an application.
type statusView struct {
	Number      string     `json:"number"`
	Status      ra.State   `json:"status"`
	Profile     string     `json:"profile"`
	Submitted   time.Time  `json:"submitted"`
	Updated     time.Time  `json:"updated"`
	Deadline    time.Time  `json:"decide_by,omitzero"`
	Reason      string     `json:"reason,omitempty"`
	Serial      string     `json:"serial,omitempty"`
	Renews      string     `json:"renews,omitempty"`
	Approvals   int        `json:"approvals"`
	History     []ra.Event `json:"history"`
	Attachments []fileView `json:"attachments,omitempty"`
	Certificate string     `json:"certificate_url,omitempty"`
}

type fileView struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
}

// View returns what the applicant sees of a: operators are "operator".
func View(a *ra.Application) any { return view(a) }

func view(a *ra.Application) statusView {
	v := statusView{Number: a.Number, Status: a.State, Profile: a.Profile, Submitted: a.CreatedAt, Updated: a.UpdatedAt,
		Reason: a.Reason, Renews: a.Renews, Approvals: len(a.Approvals), History: a.ApplicantHistory()}
	if a.State == ra.Submitted || a.State == ra.InReview {
		v.Deadline = a.Deadline
	}
	if a.State != ra.Rejected && a.State != ra.Failed {
		v.Reason = ""
	}
	if a.State == ra.Failed {
		v.Reason = "the certificate could not be issued; the operator will try again"
	}
	if a.Serial != nil && a.State == ra.Issued {
		v.Serial = ra.FormatSerial(a.Serial)
		v.Certificate = Prefix + "applications/" + a.Number + "/certificate"
	}
	for _, f := range a.Attachments {
		v.Attachments = append(v.Attachments, fileView{Name: f.Name, Type: f.Type, Size: f.Size})
	}
	return v
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request) error {
	a, err := h.application(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, view(a))
}

func (h *Handler) cancel(w http.ResponseWriter, r *http.Request) error {
	a, err := h.application(r)
	if err != nil {
		return err
	}
	a, err = h.cfg.Authority.Cancel(a.Number, bearer(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, view(a))
}

func (h *Handler) certificate(w http.ResponseWriter, r *http.Request) error {
	a, err := h.application(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "der"
	}
	if format != "der" && format != "pem" && format != "p7b" {
		return ra.FieldErrors{{Field: "format", Problem: "der, pem or p7b"}}
	}
	c, err := h.cfg.Authority.Certificate(a.Number, bearer(r))
	if err != nil {
		return err
	}
	return h.writeCertificate(w, c, format, a.Number)
}

// writeCertificate sends c as DER, PEM or a .p7b with the CA's chain.
func (h *Handler) writeCertificate(w http.ResponseWriter, c *cert.Certificate, format, name string) error {
	var body []byte
	var typ, ext string
	switch format {
	case "der":
		body, typ, ext = c.Raw, "application/pkix-cert", "cer"
	case "pem":
		body, typ, ext = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}), "application/x-pem-file", "pem"
	case "p7b":
		var err error
		if body, err = cms.EncodeCertificates(append([]*cert.Certificate{c}, h.cfg.Chain...)); err != nil {
			return err
		}
		typ, ext = "application/pkcs7-mime", "p7b"
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, ext))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body)
	return err
}

// readSigned reads a CMS body: DER (application/pkcs7-mime, application/cms)
// or PEM.
func (h *Handler) readSigned(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxBody)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	if len(body) == 0 {
		return nil, badRequest("empty body: send the CMS signature")
	}
	return body, nil
}

func isCMS(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/pkcs7-mime" || mt == "application/cms" || mt == "application/pkcs7-signature"
}

func (h *Handler) renew(w http.ResponseWriter, r *http.Request) error {
	if err := h.allowSubmit(r); err != nil {
		return err
	}
	if !isCMS(r) {
		return &problem{Status: http.StatusUnsupportedMediaType, Type: "unsupported-media-type",
			Title: "send the new request signed with the current key, as application/pkcs7-mime"}
	}
	body, err := h.readSigned(w, r)
	if err != nil {
		return err
	}
	rn, err := h.cfg.Authority.Renew(body, h.cfg.SelfRenewal)
	if err != nil {
		return err
	}
	if rn.Receipt != nil {
		loc := Prefix + "applications/" + rn.Receipt.Number
		w.Header().Set("Location", loc)
		return writeJSON(w, http.StatusAccepted, map[string]string{
			"number": rn.Receipt.Number, "access_code": rn.Receipt.AccessCode, "status": string(rn.Receipt.State), "status_url": loc,
		})
	}
	c := rn.Certificate
	return writeJSON(w, http.StatusCreated, map[string]string{
		"serial":      ra.FormatSerial(c.SerialNumber),
		"certificate": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})),
	})
}

// lostKey is the JSON form of a lost-key report.
type lostKey struct {
	Number   string `json:"number"`
	CodeWord string `json:"code_word"`
}

func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) error {
	if isCMS(r) {
		body, err := h.readSigned(w, r)
		if err != nil {
			return err
		}
		serial, err := h.cfg.Authority.RevokeSigned(body)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, revocationView(serial, "revoked", "keyCompromise"))
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return &problem{Status: http.StatusUnsupportedMediaType, Type: "unsupported-media-type",
			Title: "send application/json {number, code_word}, or a report signed with the key as application/pkcs7-mime"}
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxBody)
	var lk lostKey
	if err := decodeJSON(r.Body, &lk); err != nil {
		return err
	}
	var serial *big.Int
	err := h.checkCode(r, func() error {
		var err error
		serial, err = h.cfg.Authority.ReportLost(strings.TrimSpace(lk.Number), lk.CodeWord)
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, revocationView(serial, "held", "certificateHold"))
}

func revocationView(serial *big.Int, status, reason string) map[string]string {
	return map[string]string{"serial": ra.FormatSerial(serial), "status": status, "reason": reason}
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
