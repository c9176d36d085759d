package portal

import (
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gostca/gostca/ca/ra"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
)

// loginView is the form of "my application": the number typed, and
// whether the last try failed.
type loginView struct {
	Number string
	Failed bool
}

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	if h.session(r) != "" {
		http.Redirect(w, r, "/my/application", http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, "login", &loginView{})
}

// loginPost checks the number and the access code (in constant time,
// counted against the client's limit of wrong codes); a wrong code and an
// unknown number get the same page.
func (h *Handler) loginPost(w http.ResponseWriter, r *http.Request) error {
	number := strings.TrimSpace(r.PostFormValue("number"))
	code := r.PostFormValue("code")
	var a *ra.Application
	err := h.cfg.Limits.CheckCode(r, func() error {
		if _, _, err := ra.ParseNumber(number); err != nil || strings.TrimSpace(code) == "" {
			return ra.ErrNotFound
		}
		var err error
		a, err = h.cfg.Authority.Check(number, code)
		return err
	})
	if errors.Is(err, ra.ErrNotFound) {
		h.render(w, r, http.StatusNotFound, "login", &loginView{Number: number, Failed: true})
		return nil
	}
	if err != nil {
		return err
	}
	h.startSession(w, r, a.Number)
	http.Redirect(w, r, "/my/application", http.StatusSeeOther)
	return nil
}

// myView is the applicant's view of the application.
type myView struct {
	A        *ra.Application
	History  []ra.Event
	NotAfter time.Time
	Issued   bool
	Open     bool // may be cancelled
	CodeWord bool // a lost key may be reported with the code word
	Held     bool
	Copy     bool // the printable copy can be made
	Form     bool // the application form can be printed
	Message  string
	Failed   string // the problem of the last form on the page
	URL      string // the registration authority's address, for renewals
}

// current returns the application of the browser's session, or sends the
// browser to the login form and returns nil.
func (h *Handler) current(w http.ResponseWriter, r *http.Request) *ra.Application {
	number := h.session(r)
	if number == "" {
		http.Redirect(w, r, "/my", http.StatusSeeOther)
		return nil
	}
	a, err := h.cfg.Authority.Get(number)
	if err != nil {
		http.SetCookie(w, h.cookie("session", "", -time.Second, r))
		http.Redirect(w, r, "/my", http.StatusSeeOther)
		return nil
	}
	return a
}

func (h *Handler) myView(a *ra.Application) *myView {
	v := &myView{A: a, Open: a.State == ra.Submitted || a.State == ra.InReview, CodeWord: len(a.CodeWordHash) > 0,
		Form: h.cfg.FormPDF != nil, History: a.ApplicantHistory()}
	if a.State == ra.Issued && a.Serial != nil {
		if c, err := h.cfg.Authority.IssuedCertificate(a.Number); err == nil {
			v.Issued, v.NotAfter, v.Copy = true, c.NotAfter, h.cfg.CopyPDF != nil
			if st, err := h.view(a.Serial, nil); err == nil {
				v.Held = st.State == "held"
			}
		}
	}
	return v
}

func (h *Handler) my(w http.ResponseWriter, r *http.Request) {
	a := h.current(w, r)
	if a == nil {
		return
	}
	v := h.myView(a)
	v.URL = h.publicBase(r)
	switch r.URL.Query().Get("done") {
	case "lost":
		v.Message = "my.lost.done"
	case "cancel":
		v.Message = "my.cancel.done"
	}
	h.render(w, r, http.StatusOK, "my", v)
}

// download sends the certificate: .cer (DER), .pem, .p7b (with the CA's
// chain) or .pdf (the printable copy).
func (h *Handler) download(w http.ResponseWriter, r *http.Request) {
	a := h.current(w, r)
	if a == nil {
		return
	}
	ext, ok := strings.CutPrefix(r.PathValue("file"), "certificate.")
	if !ok {
		h.fail(w, r, http.StatusNotFound, "err.notfound")
		return
	}
	c, err := h.cfg.Authority.IssuedCertificate(a.Number)
	if err != nil {
		h.fail(w, r, http.StatusNotFound, "err.notissued")
		return
	}
	var body []byte
	var typ string
	switch ext {
	case "cer":
		body, typ = c.Raw, "application/pkix-cert"
	case "pem":
		body, typ = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}), "application/x-pem-file"
	case "p7b":
		body, err = cms.EncodeCertificates(append([]*cert.Certificate{c, h.cfg.CA}, h.cfg.Chain...))
		typ = "application/x-pkcs7-certificates"
	case "pdf":
		if h.cfg.CopyPDF == nil {
			h.fail(w, r, http.StatusNotFound, "err.notfound")
			return
		}
		body, err = h.cfg.CopyPDF(c, h.checkURL(r, c.SerialNumber))
		typ = "application/pdf"
	default:
		h.fail(w, r, http.StatusNotFound, "err.notfound")
		return
	}
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	send(w, typ, fmt.Sprintf("%s.%s", ra.FormatSerial(c.SerialNumber), ext), body)
}

// applicationPDF sends the application form, pre-filled, to print and sign.
func (h *Handler) applicationPDF(w http.ResponseWriter, r *http.Request) {
	a := h.current(w, r)
	if a == nil {
		return
	}
	if h.cfg.FormPDF == nil {
		h.fail(w, r, http.StatusNotFound, "err.notfound")
		return
	}
	body, err := h.cfg.FormPDF(a)
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	send(w, "application/pdf", "application-"+a.Number+".pdf", body)
}

func send(w http.ResponseWriter, typ, name string, body []byte) {
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// lostPost is the lost-key report: the code word puts the certificate on
// hold at once.
func (h *Handler) lostPost(w http.ResponseWriter, r *http.Request) error {
	a := h.current(w, r)
	if a == nil {
		return nil
	}
	err := h.cfg.Limits.CheckCode(r, func() error {
		_, err := h.cfg.Authority.ReportLost(a.Number, r.PostFormValue("code_word"))
		return err
	})
	if err == nil {
		http.Redirect(w, r, "/my/application?done=lost", http.StatusSeeOther)
		return nil
	}
	v := h.myView(a)
	switch {
	case errors.Is(err, ra.ErrNotFound):
		v.Failed = "my.lost.wrong"
	case errors.Is(err, ra.ErrCertificateState), errors.Is(err, ra.ErrNotIssued):
		v.Failed = "my.lost.state"
	default:
		return err
	}
	h.render(w, r, http.StatusUnprocessableEntity, "my", v)
	return nil
}

// cancelPost withdraws the application; the access code is asked again.
func (h *Handler) cancelPost(w http.ResponseWriter, r *http.Request) error {
	a := h.current(w, r)
	if a == nil {
		return nil
	}
	err := h.cfg.Limits.CheckCode(r, func() error {
		_, err := h.cfg.Authority.Cancel(a.Number, r.PostFormValue("code"))
		return err
	})
	if err == nil {
		http.Redirect(w, r, "/my/application?done=cancel", http.StatusSeeOther)
		return nil
	}
	v := h.myView(a)
	switch {
	case errors.Is(err, ra.ErrNotFound):
		v.Failed = "my.cancel.wrong"
	case errors.Is(err, ra.ErrTransition):
		v.Failed = "my.cancel.state"
	default:
		return err
	}
	h.render(w, r, http.StatusUnprocessableEntity, "my", v)
	return nil
}

func (h *Handler) logoutPost(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, h.cookie("session", "", -time.Second, r))
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
