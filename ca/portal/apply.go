package portal

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"

	"github.com/gostca/gostca/ca/ra"
)

// formFields are the inputs of the application form, in its order; their
// names are the API's JSON fields with "." turned into "_".
var formFields = []string{
	"surname", "given_name", "patronymic", "birth_date", "snils", "inn",
	"passport_series", "passport_number", "passport_issue_date", "passport_issuer", "passport_issuer_code",
	"email", "phone", "kind", "ogrnip",
	"organization_name", "organization_ogrn", "organization_innle", "organization_title",
	"profile", "csr_pem", "code_word",
}

// applyView is the form: the values as typed, and the problems by input.
type applyView struct {
	Values   map[string]string
	Errors   map[string]string
	Profiles []string
	Summary  bool // the form has errors
}

func (v *applyView) V(name string) string { return v.Values[name] }
func (v *applyView) E(name string) string { return v.Errors[name] }

func (h *Handler) applyForm(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "apply", &applyView{Values: map[string]string{"kind": "individual", "profile": h.cfg.Profiles[0]}, Profiles: h.cfg.Profiles})
}

// submission reads the form into a submission; the problems of its own
// (a date that does not parse, an unreadable file) come back by input.
func (h *Handler) submission(r *http.Request, v *applyView) (ra.Submission, map[string]string) {
	bad := map[string]string{}
	val := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	for _, f := range formFields {
		v.Values[f] = r.PostFormValue(f)
	}
	date := func(name string) ra.Date {
		s := val(name)
		if s == "" {
			return ra.Date{}
		}
		d, err := ra.ParseDate(s)
		if err != nil {
			bad[name] = "date"
		}
		return d
	}
	a := ra.Applicant{
		Surname: val("surname"), GivenName: val("given_name"), Patronymic: val("patronymic"),
		BirthDate: date("birth_date"), SNILS: digits(val("snils")), INN: val("inn"),
		Passport: ra.Passport{Series: strings.ReplaceAll(val("passport_series"), " ", ""), Number: val("passport_number"),
			IssueDate: date("passport_issue_date"), Issuer: val("passport_issuer"), IssuerCode: val("passport_issuer_code")},
		Email: val("email"), Phone: val("phone"),
	}
	switch val("kind") {
	case "entrepreneur":
		a.OGRNIP = val("ogrnip")
	case "legal":
		a.Organization = &ra.Organization{Name: val("organization_name"), OGRN: val("organization_ogrn"),
			INNLE: val("organization_innle"), Title: val("organization_title")}
	}
	s := ra.Submission{Applicant: a, Profile: val("profile"), CodeWord: r.PostFormValue("code_word"), Channel: "api"}
	if r.MultipartForm != nil {
		if fh := r.MultipartForm.File["csr_file"]; len(fh) > 0 && fh[0].Size > 0 {
			data, err := readPart(fh[0], 64<<10)
			if err != nil {
				bad["csr"] = "file"
			}
			s.CSR = data
		}
		for _, fh := range r.MultipartForm.File["scans"] {
			if fh.Size == 0 && fh.Filename == "" {
				continue // the empty input of a form sent without scans
			}
			data, err := readPart(fh, ra.DefaultMaxAttachmentSize+1)
			if err != nil {
				bad["scans"] = "file"
				continue
			}
			s.Attachments = append(s.Attachments, ra.File{Name: fh.Filename, Data: data})
		}
	}
	if s.CSR == nil && val("csr_pem") != "" {
		s.CSR = []byte(val("csr_pem"))
	}
	return s, bad
}

func readPart(fh *multipart.FileHeader, limit int64) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}

// digits keeps the digits of s: a SNILS typed as 112-233-445 95.
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// inputOf names the form input a field error of the RA concerns.
func inputOf(field string) string {
	switch {
	case strings.HasPrefix(field, "attachments"):
		return "scans"
	case field == "csr":
		return "csr"
	}
	return strings.ReplaceAll(field, ".", "_")
}

func (h *Handler) applyPost(w http.ResponseWriter, r *http.Request) error {
	if err := h.cfg.Limits.Submit(r); err != nil {
		return err
	}
	lang := h.lang(w, r)
	v := &applyView{Values: map[string]string{}, Errors: map[string]string{}, Profiles: h.cfg.Profiles}
	s, bad := h.submission(r, v)
	for in, key := range bad {
		v.Errors[in] = text(lang, "problem."+key)
	}
	var rc *ra.Receipt
	var err error
	if len(bad) == 0 {
		rc, err = h.cfg.Authority.Submit(s)
	}
	var fe ra.FieldErrors
	switch {
	case len(bad) > 0:
	case errors.As(err, &fe):
		for _, e := range fe {
			in := inputOf(e.Field)
			if _, seen := v.Errors[in]; !seen {
				v.Errors[in] = problem(lang, e.Problem)
			}
		}
	case err != nil:
		return err
	}
	if len(v.Errors) > 0 {
		v.Summary = true
		v.Values["code_word"] = "" // never sent back
		h.render(w, r, http.StatusUnprocessableEntity, "apply", v)
		return nil
	}
	h.startSession(w, r, rc.Number)
	h.render(w, r, http.StatusCreated, "confirm", rc)
	return nil
}

// problems are the RA's problems of a field (English, for programs), in
// Russian for the form; a problem not listed shows as it is.
var problems = []struct {
	re *regexp.Regexp
	ru string
}{
	{regexp.MustCompile(`^required`), "обязательное поле"},
	{regexp.MustCompile(`^longer than (\d+) characters`), "не длиннее $1 символов"},
	{regexp.MustCompile(`^only letters`), "только буквы, пробелы, дефисы и апострофы"},
	{regexp.MustCompile(`^the applicant must be 14 or older`), "заявителю должно быть не менее 14 лет"},
	{regexp.MustCompile(`^more than 130 years ago`), "более 130 лет назад"},
	{regexp.MustCompile(`check digits? should be`), "неверное контрольное число"},
	{regexp.MustCompile(`is not (\d+) digits`), "должно состоять из $1 цифр"},
	{regexp.MustCompile(`^4 digits`), "4 цифры"},
	{regexp.MustCompile(`^6 digits`), "6 цифр"},
	{regexp.MustCompile(`^in the future`), "дата в будущем"},
	{regexp.MustCompile(`^before the applicant's 14th birthday`), "раньше 14-летия заявителя"},
	{regexp.MustCompile(`^NNN-NNN`), "код подразделения в виде 123-456"},
	{regexp.MustCompile(`^not an e-mail address`), "неверный адрес электронной почты (name@example.ru)"},
	{regexp.MustCompile(`^not a phone number`), "неверный номер телефона (+7 495 123-45-67)"},
	{regexp.MustCompile(`^an entrepreneur's number`), "ОГРНИП — для индивидуального предпринимателя, не для представителя организации"},
	{regexp.MustCompile(`certified already`), "этот ключ уже сертифицирован: создайте новый ключ"},
	{regexp.MustCompile(`another open application`), "этот ключ уже указан в другой открытой заявке"},
	{regexp.MustCompile(`not a PDF, JPEG or PNG`), "файл не является PDF, JPEG или PNG (проверяется содержимое, а не имя)"},
	{regexp.MustCompile(`bytes, more than`), "файл слишком большой"},
	{regexp.MustCompile(`files, at most`), "не более 5 файлов"},
	{regexp.MustCompile(`^6 to 100 characters`), "от 6 до 100 символов"},
	{regexp.MustCompile(`signature does not verify|signature`), "подпись запроса не проверяется (запрос повреждён или сделан другим ключом)"},
	{regexp.MustCompile(`unknown profile|not allowed`), "этот вид сертификата недоступен"},
	{regexp.MustCompile(`key size|parameter`), "тип или длина ключа не подходят для этого вида сертификата"},
	{regexp.MustCompile(`(?i)malformed|parse|asn1|not PEM`), "не удалось прочитать запрос на сертификат (PKCS#10, PEM или DER)"},
}

// problem returns the RA's problem p in lang.
func problem(lang, p string) string {
	if lang != "ru" {
		return p
	}
	for _, m := range problems {
		if m.re.MatchString(p) {
			return m.re.ReplaceAllString(m.re.FindString(p), m.ru)
		}
	}
	return p
}
