package ra_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/ra"
)

var now = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

func date(t *testing.T, s string) ra.Date {
	t.Helper()
	d, err := ra.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func goodApplicant(t *testing.T) *ra.Applicant {
	return &ra.Applicant{
		Surname: "Иванов", GivenName: "Иван", Patronymic: "Иванович",
		BirthDate: date(t, "1980-04-12"), SNILS: "11223344595", INN: "500100732259",
		Passport: ra.Passport{Series: "4510", Number: "123456", IssueDate: date(t, "2005-05-20"),
			Issuer: "ОВД района Хамовники г. Москвы", IssuerCode: "772-001"},
		Email: "ivanov@example.ru", Phone: "+7 495 123-45-67",
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mod    func(a *ra.Applicant)
		fields []string // the fields at fault, in order; none: valid
		kind   ca.SubjectKind
	}{
		{"individual", nil, nil, ca.Individual},
		{"entrepreneur", func(a *ra.Applicant) { a.OGRNIP = "304500116000157" }, nil, ca.IndividualEntrepreneur},
		{"legal entity", func(a *ra.Applicant) {
			a.Organization = &ra.Organization{Name: "ПАО Сбербанк", OGRN: "1027700132195", INNLE: "7707083893", Title: "директор"}
		}, nil, ca.LegalEntity},
		{"apostrophe and hyphen", func(a *ra.Applicant) {
			a.Surname = "Салтыков-Щедрин"
			a.GivenName = "Д'Артаньян"
		}, nil, ca.Individual},
		{"no surname", func(a *ra.Applicant) { a.Surname = "" }, []string{"surname"}, ca.Individual},
		{"script in a name", func(a *ra.Applicant) { a.GivenName = "<script>alert(1)</script>" }, []string{"given_name"}, ca.Individual},
		{"name too long", func(a *ra.Applicant) { a.Patronymic = strings.Repeat("я", 201) }, []string{"patronymic"}, ca.Individual},
		{"SNILS check digits", func(a *ra.Applicant) { a.SNILS = "11223344594" }, []string{"snils"}, ca.Individual},
		{"SNILS missing", func(a *ra.Applicant) { a.SNILS = "" }, []string{"snils"}, ca.Individual},
		{"INN check digits", func(a *ra.Applicant) { a.INN = "500100732258" }, []string{"inn"}, ca.Individual},
		{"too young", func(a *ra.Applicant) { a.BirthDate = date(t, "2015-01-01") }, []string{"birth_date", "passport.issue_date"}, ca.Individual},
		{"no birth date", func(a *ra.Applicant) { a.BirthDate = ra.Date{} }, []string{"birth_date"}, ca.Individual},
		{"passport series", func(a *ra.Applicant) { a.Passport.Series = "45 10" }, []string{"passport.series"}, ca.Individual},
		{"passport number", func(a *ra.Applicant) { a.Passport.Number = "12345" }, []string{"passport.number"}, ca.Individual},
		{"passport from the future", func(a *ra.Applicant) { a.Passport.IssueDate = date(t, "2027-01-01") }, []string{"passport.issue_date"}, ca.Individual},
		{"issuer code", func(a *ra.Applicant) { a.Passport.IssuerCode = "772001" }, []string{"passport.issuer_code"}, ca.Individual},
		{"no issuer", func(a *ra.Applicant) { a.Passport.Issuer = " " }, []string{"passport.issuer"}, ca.Individual},
		{"e-mail", func(a *ra.Applicant) { a.Email = "ivanov at example" }, []string{"email"}, ca.Individual},
		{"e-mail with a name", func(a *ra.Applicant) { a.Email = "Иван <ivanov@example.ru>" }, []string{"email"}, ca.Individual},
		{"e-mail without a domain", func(a *ra.Applicant) { a.Email = "ivanov@localhost" }, []string{"email"}, ca.Individual},
		{"phone", func(a *ra.Applicant) { a.Phone = "call me" }, []string{"phone"}, ca.Individual},
		{"OGRNIP", func(a *ra.Applicant) { a.OGRNIP = "304500116000158" }, []string{"ogrnip"}, ca.IndividualEntrepreneur},
		{"organisation incomplete", func(a *ra.Applicant) {
			a.Organization = &ra.Organization{OGRN: "1027700132196", INNLE: "77070838"}
		}, []string{"organization.name", "organization.ogrn", "organization.innle", "organization.title"}, ca.LegalEntity},
		{"everything at once", func(a *ra.Applicant) { *a = ra.Applicant{} }, []string{"surname", "given_name", "birth_date", "snils",
			"passport.series", "passport.number", "passport.issue_date", "passport.issuer", "passport.issuer_code", "email"}, ca.Individual},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := goodApplicant(t)
			if tc.mod != nil {
				tc.mod(a)
			}
			if a.Kind() != tc.kind {
				t.Errorf("Kind = %v, want %v", a.Kind(), tc.kind)
			}
			err := a.Validate(now)
			if len(tc.fields) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			var fe ra.FieldErrors
			if !errors.As(err, &fe) || !errors.Is(err, ra.ErrInvalid) {
				t.Fatalf("Validate = %v, want FieldErrors", err)
			}
			var got []string
			for _, e := range fe {
				got = append(got, e.Field)
				if e.Problem == "" {
					t.Errorf("%s: no problem given", e.Field)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
				t.Errorf("fields %v, want %v (%v)", got, tc.fields, err)
			}
		})
	}
}

func TestApplicantJSON(t *testing.T) {
	a := goodApplicant(t)
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"birth_date":"1980-04-12"`)) {
		t.Errorf("JSON %s lacks the birth date as YYYY-MM-DD", b)
	}
	var back ra.Applicant
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back.BirthDate.Equal(a.BirthDate.Time) || back.Passport != a.Passport || back.Validate(now) != nil {
		t.Errorf("round trip: %+v", back)
	}
	for _, bad := range []string{`{"birth_date":"12.04.1980"}`, `{"birth_date":19800412}`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestTransitions(t *testing.T) {
	all := []ra.State{ra.Submitted, ra.InReview, ra.Approved, ra.Issued, ra.Rejected, ra.Cancelled, ra.Expired, ra.Failed}
	allowed := map[[2]ra.State]bool{
		{ra.Submitted, ra.InReview}: true, {ra.Submitted, ra.Rejected}: true, {ra.Submitted, ra.Cancelled}: true, {ra.Submitted, ra.Expired}: true,
		{ra.InReview, ra.Approved}: true, {ra.InReview, ra.Rejected}: true, {ra.InReview, ra.Cancelled}: true, {ra.InReview, ra.Expired}: true,
		{ra.Approved, ra.Issued}: true, {ra.Approved, ra.Failed}: true,
		{ra.Failed, ra.Issued}: true, {ra.Failed, ra.Failed}: true,
	}
	for _, from := range all {
		for _, to := range all {
			err := from.Check(to, "reason")
			if allowed[[2]ra.State{from, to}] != (err == nil) {
				t.Errorf("%s → %s: %v", from, to, err)
			}
			if err != nil && !errors.Is(err, ra.ErrTransition) {
				t.Errorf("%s → %s: %v does not wrap ErrTransition", from, to, err)
			}
		}
	}
	if err := ra.InReview.Check(ra.Rejected, ""); !errors.Is(err, ra.ErrReasonRequired) {
		t.Errorf("rejection without a reason: %v", err)
	}
	for _, s := range []ra.State{ra.Issued, ra.Rejected, ra.Cancelled, ra.Expired} {
		if !s.Final() {
			t.Errorf("%s is not final", s)
		}
	}
	if ra.Failed.Final() || ra.Submitted.Final() {
		t.Error("failed or submitted counted final")
	}
}

func TestAccessCode(t *testing.T) {
	key := []byte("ledger secret key, 32 bytes long")
	seen := map[string]bool{}
	for range 100 {
		code, err := ra.NewAccessCode(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if len(code) != 19 || strings.Count(code, "-") != 3 || strings.ContainsAny(code, "ILOU") || seen[code] {
			t.Fatalf("code %q: not 4 groups of 4 of the alphabet, or seen before", code)
		}
		seen[code] = true
		sum := ra.HashCode(key, "2026-000123", code)
		typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
		if !ra.CheckCode(key, "2026-000123", typed, sum) {
			t.Fatalf("%q as typed (%q) does not check", code, typed)
		}
		if ra.CheckCode(key, "2026-000124", code, sum) || ra.CheckCode([]byte("other key"), "2026-000123", code, sum) {
			t.Fatal("the hash checks for another number or key")
		}
	}
	if _, err := ra.NewAccessCode(bytes.NewReader(make([]byte, 3))); err == nil {
		t.Error("a short random source gave a code")
	}
}

func TestNumbers(t *testing.T) {
	if got := ra.FormatNumber(2026, 123); got != "2026-000123" {
		t.Errorf("FormatNumber = %q", got)
	}
	for _, tc := range []struct {
		in   string
		year int
		seq  uint64
		ok   bool
	}{
		{"2026-000123", 2026, 123, true},
		{" 2026-1234567 ", 2026, 1234567, true},
		{"2026-000000", 0, 0, false},
		{"2026-123", 0, 0, false},
		{"26-000123", 0, 0, false},
		{"2026000123", 0, 0, false},
		{"2026-00012x", 0, 0, false},
		{"-001-000001", 0, 0, false},
		{"2026-+00012", 0, 0, false},
	} {
		year, seq, err := ra.ParseNumber(tc.in)
		if (err == nil) != tc.ok || year != tc.year || seq != tc.seq {
			t.Errorf("ParseNumber(%q) = %d, %d, %v", tc.in, year, seq, err)
		}
	}
}

func TestSniffAttachment(t *testing.T) {
	for _, tc := range []struct {
		name  string
		data  []byte
		limit int
		want  ra.MediaType
	}{
		{"PDF", []byte("%PDF-1.7\n%âãÏÓ\n"), 0, ra.PDF},
		{"JPEG", []byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F'}, 0, ra.JPEG},
		{"PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 0, ra.PNG},
		{"an ELF executable named .pdf", []byte("\x7fELF\x02\x01\x01\x00"), 0, ""},
		{"a Windows executable", []byte("MZ\x90\x00\x03\x00"), 0, ""},
		{"HTML", []byte("<html><script>"), 0, ""},
		{"empty", nil, 0, ""},
		{"too large", append([]byte("%PDF-1.4"), make([]byte, 100)...), 64, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ra.SniffAttachment(tc.data, tc.limit)
			if got != tc.want || (err == nil) != (tc.want != "") {
				t.Fatalf("SniffAttachment = %q, %v; want %q", got, err, tc.want)
			}
			if err != nil && !errors.Is(err, ra.ErrAttachment) {
				t.Errorf("%v does not wrap ErrAttachment", err)
			}
		})
	}
}
