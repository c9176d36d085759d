package ra

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/gostca/gostca/ca"
)

// Applicant is who applies for a certificate, as the application form
// gives it: a natural person, an individual entrepreneur (with OGRNIP) or
// the representative of a legal entity (with Organization).
type Applicant struct {
	Surname    string `json:"surname"`
	GivenName  string `json:"given_name"`
	Patronymic string `json:"patronymic,omitempty"`
	// BirthDate is a calendar date, "2006-01-02" in JSON.
	BirthDate Date     `json:"birth_date"`
	SNILS     string   `json:"snils"`
	INN       string   `json:"inn,omitempty"`
	Passport  Passport `json:"passport"`
	Email     string   `json:"email"`
	Phone     string   `json:"phone,omitempty"`
	// OGRNIP makes the applicant an individual entrepreneur.
	OGRNIP string `json:"ogrnip,omitempty"`
	// Organization makes the applicant a legal entity's representative.
	Organization *Organization `json:"organization,omitempty"`
}

// Passport is a Russian internal passport.
type Passport struct {
	Series     string `json:"series"`      // 4 digits
	Number     string `json:"number"`      // 6 digits
	IssueDate  Date   `json:"issue_date"`  // not before the 14th birthday, not in the future
	Issuer     string `json:"issuer"`      // the issuing office, in words
	IssuerCode string `json:"issuer_code"` // the office's code, NNN-NNN
}

// Organization is the legal entity an applicant acts for.
type Organization struct {
	Name  string `json:"name"`
	OGRN  string `json:"ogrn"`
	INNLE string `json:"innle"`
	// Title is the applicant's position in it.
	Title string `json:"title"`
}

// Kind returns what the applicant is, as the qualified profile asks.
func (a *Applicant) Kind() ca.SubjectKind {
	switch {
	case a.Organization != nil:
		return ca.LegalEntity
	case a.OGRNIP != "":
		return ca.IndividualEntrepreneur
	}
	return ca.Individual
}

// FieldError is one field of an application that is wrong: Field names it
// as the JSON does ("passport.series", "organization.ogrn"), Problem says
// what is wrong, for people.
type FieldError struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

// FieldErrors are every wrong field of an application, in the order of the
// form. It is an error; errors.Is(err, ErrInvalid) holds.
type FieldErrors []FieldError

func (fe FieldErrors) Error() string {
	parts := make([]string, len(fe))
	for i, e := range fe {
		parts[i] = e.Field + ": " + e.Problem
	}
	return "ra: invalid application: " + strings.Join(parts, "; ")
}

// Unwrap returns ErrInvalid.
func (fe FieldErrors) Unwrap() error { return ErrInvalid }

// ErrInvalid is wrapped by every FieldErrors.
var ErrInvalid = errors.New("ra: invalid application")

var (
	digitsRE     = regexp.MustCompile(`^[0-9]+$`)
	issuerCodeRE = regexp.MustCompile(`^[0-9]{3}-[0-9]{3}$`)
	phoneRE      = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{6,20}$`)
)

// maxText is the longest a name or an issuer may be, in characters.
const maxText = 200

// Validate checks every field of a, at now (the dates), and returns all
// the wrong ones as FieldErrors, or nil. The registration numbers' check
// digits are ca.CheckRegistrationNumbers's.
func (a *Applicant) Validate(now time.Time) error {
	var fe FieldErrors
	add := func(field, format string, args ...any) {
		fe = append(fe, FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	name := func(field, v string, required bool) {
		switch {
		case v == "" && required:
			add(field, "required")
		case len([]rune(v)) > maxText:
			add(field, "longer than %d characters", maxText)
		case v != "" && !isName(v):
			add(field, "only letters, spaces, hyphens and apostrophes")
		}
	}
	name("surname", a.Surname, true)
	name("given_name", a.GivenName, true)
	name("patronymic", a.Patronymic, false)

	today := dateOf(now)
	switch {
	case a.BirthDate.IsZero():
		add("birth_date", "required")
	case a.BirthDate.After(today.AddDate(-14, 0, 0)):
		add("birth_date", "the applicant must be 14 or older")
	case a.BirthDate.Before(today.AddDate(-130, 0, 0)):
		add("birth_date", "more than 130 years ago")
	}
	number := func(field, v string, check func(string) error, required bool) {
		if v == "" {
			if required {
				add(field, "required")
			}
			return
		}
		if err := check(v); err != nil {
			var re *ca.RequestError
			if errors.As(err, &re) {
				add(field, "%s", re.Problem)
			} else {
				add(field, "%v", err)
			}
		}
	}
	number("snils", a.SNILS, ca.CheckSNILS, true)
	number("inn", a.INN, ca.CheckINN, false)

	p := &a.Passport
	switch {
	case p.Series == "":
		add("passport.series", "required")
	case len(p.Series) != 4 || !digitsRE.MatchString(p.Series):
		add("passport.series", "4 digits")
	}
	switch {
	case p.Number == "":
		add("passport.number", "required")
	case len(p.Number) != 6 || !digitsRE.MatchString(p.Number):
		add("passport.number", "6 digits")
	}
	switch {
	case p.IssueDate.IsZero():
		add("passport.issue_date", "required")
	case p.IssueDate.After(today):
		add("passport.issue_date", "in the future")
	case !a.BirthDate.IsZero() && p.IssueDate.Before(a.BirthDate.AddDate(14, 0, 0)):
		add("passport.issue_date", "before the applicant's 14th birthday")
	}
	switch {
	case strings.TrimSpace(p.Issuer) == "":
		add("passport.issuer", "required")
	case len([]rune(p.Issuer)) > maxText:
		add("passport.issuer", "longer than %d characters", maxText)
	}
	switch {
	case p.IssuerCode == "":
		add("passport.issuer_code", "required")
	case !issuerCodeRE.MatchString(p.IssuerCode):
		add("passport.issuer_code", "NNN-NNN, six digits")
	}

	switch addr, err := mail.ParseAddress(a.Email); {
	case a.Email == "":
		add("email", "required")
	case err != nil || addr.Address != a.Email || !strings.Contains(addr.Address[strings.LastIndexByte(addr.Address, '@')+1:], "."):
		add("email", "not an e-mail address (name@example.ru)")
	}
	if a.Phone != "" && !phoneRE.MatchString(a.Phone) {
		add("phone", "not a phone number (+7 495 123-45-67)")
	}

	number("ogrnip", a.OGRNIP, ca.CheckOGRNIP, false)
	if o := a.Organization; o != nil {
		if a.OGRNIP != "" {
			add("ogrnip", "an entrepreneur's number, not for an organisation's representative")
		}
		if strings.TrimSpace(o.Name) == "" {
			add("organization.name", "required")
		} else if len([]rune(o.Name)) > maxText {
			add("organization.name", "longer than %d characters", maxText)
		}
		number("organization.ogrn", o.OGRN, ca.CheckOGRN, true)
		number("organization.innle", o.INNLE, ca.CheckINNLE, true)
		if strings.TrimSpace(o.Title) == "" {
			add("organization.title", "required")
		}
	}
	if fe != nil {
		return fe
	}
	return nil
}

// isName reports whether s is made of letters, spaces, hyphens and
// apostrophes, starting with a letter.
func isName(s string) bool {
	for i, r := range s {
		switch {
		case unicode.IsLetter(r):
		case i > 0 && (r == ' ' || r == '-' || r == '\'' || r == '’'):
		default:
			return false
		}
	}
	return true
}

// Date is a calendar date, midnight UTC; JSON "2006-01-02".
type Date struct{ time.Time }

// dateLayout is how a Date is written.
const dateLayout = "2006-01-02"

func dateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// ParseDate reads "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("ra: %q is not a date (YYYY-MM-DD)", s)
	}
	return Date{t}, nil
}

// AddDate is time.Time's, as a Date.
func (d Date) AddDate(years, months, days int) Date {
	return Date{d.Time.AddDate(years, months, days)}
}

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.Time.After(e.Time) }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.Time.Before(e.Time) }

// String returns "2006-01-02", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(dateLayout)
}

// MarshalJSON writes "2006-01-02" (null for the zero Date).
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads "2006-01-02" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*d = Date{}
		return nil
	}
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return fmt.Errorf("ra: %s is not a date (\"YYYY-MM-DD\")", s)
	}
	v, err := ParseDate(s[1 : len(s)-1])
	if err != nil {
		return err
	}
	*d = v
	return nil
}
