package portal

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/ra"
	"github.com/gostca/gostca/crypto/cert"
)

// checkView is what the check page shows of a certificate: its status and
// what the certificate itself says, nothing more.
type checkView struct {
	Serial       string    `json:"serial"`
	State        string    `json:"status"` // valid, held, revoked, expired, unknown
	RevokedAt    time.Time `json:"revoked_at,omitzero"`
	Reason       string    `json:"reason,omitempty"` // RFC 5280 name
	Owner        string    `json:"owner,omitempty"`
	Organization string    `json:"organization,omitempty"`
	SNILS        string    `json:"snils,omitempty"` // masked: ***-***-445 95
	Issuer       string    `json:"issuer,omitempty"`
	NotBefore    time.Time `json:"not_before,omitzero"`
	NotAfter     time.Time `json:"not_after,omitzero"`
	Fingerprint  string    `json:"fingerprint_streebog256,omitempty"`
	ReadAt       time.Time `json:"status_read_at"`
}

// MaskSNILS shows the last five digits of a SNILS: "***-***-445 95".
func MaskSNILS(s string) string {
	if len(s) != 11 {
		return ""
	}
	return "***-***-" + s[6:9] + " " + s[9:]
}

var serialSeparators = strings.NewReplacer(":", "", " ", "", "-", "")

// parseSerial reads a serial as people write it: hexadecimal, with or
// without colons, spaces or 0x.
func parseSerial(s string) (*big.Int, bool) {
	s = serialSeparators.Replace(strings.TrimSpace(s))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if s == "" || len(s) > 40 {
		return nil, false
	}
	n, ok := new(big.Int).SetString(s, 16)
	if !ok || n.Sign() <= 0 {
		return nil, false
	}
	return n, true
}

// view returns the check view of serial at now; expect, if set, must be
// the certificate's DER (an uploaded copy), else the view is unknown.
func (h *Handler) view(serial *big.Int, expect []byte) (*checkView, error) {
	now := h.cfg.Clock()
	v := &checkView{Serial: ra.FormatSerial(serial), State: "unknown", ReadAt: now}
	e, err := h.cache.get(serial, now, h.cfg.Records)
	if err != nil {
		return nil, err
	}
	rec, c := e.rec, e.cert
	v.ReadAt = e.at
	if c == nil || !bytes.Equal(rec.IssuerKeyID, h.keyID) || (expect != nil && !bytes.Equal(expect, rec.DER)) {
		return v, nil
	}
	st := ca.StatusOf(rec, now)
	if h.cfg.Status != nil {
		if s, at, ok := h.cfg.Status(serial); ok {
			st, v.ReadAt = s, at
		}
	}
	switch st.State {
	case ca.StateGood:
		v.State = "valid"
	case ca.StateHeld:
		v.State, v.RevokedAt = "held", st.RevokedAt
	case ca.StateRevoked:
		v.State, v.RevokedAt, v.Reason = "revoked", st.RevokedAt, st.Reason.String()
	case ca.StateExpired:
		v.State = "expired"
	default:
		return v, nil
	}
	v.Owner = c.Subject.CommonName
	if c.Subject.Surname != "" && c.Subject.Organization != "" {
		v.Owner = strings.TrimSpace(c.Subject.Surname + " " + c.Subject.GivenName)
	}
	v.Organization = c.Subject.Organization
	v.SNILS = MaskSNILS(c.Subject.SNILS)
	v.Issuer = c.Issuer.CommonName
	if v.Issuer == "" {
		v.Issuer = c.Issuer.String()
	}
	v.NotBefore, v.NotAfter = c.NotBefore, c.NotAfter
	v.Fingerprint = e.fingerprint
	return v, nil
}

// wantsJSON reports whether the client asked for JSON rather than a page.
func wantsJSON(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part))
		switch mt {
		case "application/json":
			return true
		case "text/html":
			return false
		}
	}
	return false
}

func (h *Handler) check(w http.ResponseWriter, r *http.Request) {
	serial, ok := parseSerial(r.PathValue("serial"))
	if !ok {
		if wantsJSON(r) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintln(w, `{"error": "not a certificate serial number (hexadecimal)"}`)
			return
		}
		h.render(w, r, http.StatusBadRequest, "checkform", map[string]any{"Error": "check.badserial", "Serial": r.PathValue("serial")})
		return
	}
	v, err := h.view(serial, nil)
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	h.writeCheck(w, r, v)
}

func (h *Handler) writeCheck(w http.ResponseWriter, r *http.Request, v *checkView) {
	status := http.StatusOK
	if v.State == "unknown" {
		status = http.StatusNotFound
	}
	w.Header().Set("Vary", "Accept, Accept-Language, Cookie")
	if wantsJSON(r) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
		return
	}
	// A popular page is rendered once for what it shows (the status is
	// read at most every poll, and shown to the second).
	lang := h.lang(w, r)
	key := fmt.Sprintf("%s|%s|%s|%s|%d|%d|%d", lang, r.URL.Path, v.Serial, v.State, v.RevokedAt.UnixNano(), v.ReadAt.Unix(), v.NotAfter.Unix())
	h.pagesMu.Lock()
	body, ok := h.checks[key]
	h.pagesMu.Unlock()
	if !ok {
		if body = h.html(w, r, "check", lang, v); body != nil {
			h.pagesMu.Lock()
			if len(h.checks) >= 4096 {
				clear(h.checks)
			}
			h.checks[key] = body
			h.pagesMu.Unlock()
		}
	}
	h.write(w, status, body)
}

func (h *Handler) checkForm(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "checkform", map[string]any{})
}

// checkPost takes a serial, or an uploaded certificate (DER or PEM), and
// shows its check page.
func (h *Handler) checkPost(w http.ResponseWriter, r *http.Request) error {
	if f, _, err := r.FormFile("cert"); err == nil {
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, 64<<10))
		if err != nil {
			return err
		}
		if b, _ := pem.Decode(data); b != nil {
			data = b.Bytes
		}
		c, err := cert.ParseCertificate(data)
		if err != nil {
			h.render(w, r, http.StatusUnprocessableEntity, "checkform", map[string]any{"Error": "check.badcert"})
			return nil
		}
		v, err := h.view(c.SerialNumber, c.Raw)
		if err != nil {
			return err
		}
		h.writeCheck(w, r, v)
		return nil
	}
	serial, ok := parseSerial(r.PostFormValue("serial"))
	if !ok {
		h.render(w, r, http.StatusUnprocessableEntity, "checkform", map[string]any{"Error": "check.badserial", "Serial": r.PostFormValue("serial")})
		return nil
	}
	http.Redirect(w, r, "/check/"+ra.FormatSerial(serial), http.StatusSeeOther)
	return nil
}

// checkURL is the address of the check page of serial, for a printable
// copy's QR code.
func (h *Handler) checkURL(r *http.Request, serial *big.Int) string {
	return h.publicBase(r) + "/check/" + ra.FormatSerial(serial)
}

// publicBase is the portal's address: Config.PublicURL, else the
// request's scheme and host.
func (h *Handler) publicBase(r *http.Request) string {
	if base := strings.TrimSuffix(h.cfg.PublicURL, "/"); base != "" {
		return base
	}
	scheme := "http"
	if h.secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
