package certpdf

import (
	"encoding/pem"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/ca/ra"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
)

var update = flag.Bool("update", false, "make the test certificates anew and rewrite the golden files in testdata/")

// epoch is the clock of the test CA, and printed is the copy's date.
var (
	epoch   = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	printed = time.Date(2026, 3, 5, 14, 0, 0, 0, time.UTC)
)

const checkBase = "https://ca.example.ru/check/"

// owner is the subject of the qualified test certificate: an individual
// with valid SNILS and INN.
var owner = cert.Name{
	CommonName: "Иванов Иван Иванович", Surname: "Иванов", GivenName: "Иван Иванович",
	Country: "RU", Province: "77 г. Москва", Locality: "Москва", StreetAddress: "ул. Тверская, д. 1, кв. 2",
	Email: "ivanov@example.ru", SNILS: "11223344595", INN: "500100732259",
}

// makeFixture issues the qualified test certificate under a CA with a
// Russian name (root and intermediate), and a request for the
// application form, and writes them to testdata/: the files the tests
// read, so that the golden files stay put. Only -update calls it.
func makeFixture(t *testing.T) {
	clock := catest.NewClock(epoch)
	root := catest.NewRoot(t, catest.WithClock(clock))
	sub := catest.NewIntermediate(t, root, catest.WithSubject(cert.Name{
		CommonName: "Тестовый УЦ ООО «Ромашка»", Organization: "ООО «Ромашка»", Country: "RU",
		Locality: "Москва", OGRN: "1027700132195", INNLE: "7707083893", Email: "ca@example.ru",
	}))
	csr, _ := catest.NewCSRTemplate(t, gost3410.ParamsTC26256A(), &cert.CertificateRequest{
		Subject: owner, SubjectSignTool: "СКЗИ «Тест-CSP» версия 5.0",
	})
	kind := cert.IdentificationPersonal
	c, err := sub.IssueRequest(ca.Request{
		CSR: csr, Profile: ca.ProfileQualified, SubjectKind: ca.Individual, KeyClass: "KC2",
		IdentificationKind: &kind, RequestID: "2026-000123",
	})
	if err != nil {
		t.Fatal(err)
	}
	form, _ := catest.NewCSRTemplate(t, gost3410.ParamsTC26256A(), &cert.CertificateRequest{
		Subject: owner, SubjectSignTool: "СКЗИ «Тест-CSP» версия 5.0",
	})
	writePEM(t, "qualified.pem", "CERTIFICATE", c.Raw)
	writePEM(t, "issuer.pem", "CERTIFICATE", sub.Certificate().Raw)
	writePEM(t, "request.pem", "CERTIFICATE REQUEST", form)
}

func writePEM(t *testing.T, name, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join("testdata", name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readPEM(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("%v (go test -update makes it)", err)
	}
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatalf("testdata/%s: no PEM", name)
	}
	return b.Bytes
}

// fixture returns the qualified test certificate and its issuer's.
func fixture(t testing.TB) (leaf, issuer *cert.Certificate) {
	t.Helper()
	var err error
	if leaf, err = cert.ParseCertificate(readPEM(t, "qualified.pem")); err != nil {
		t.Fatal(err)
	}
	if issuer, err = cert.ParseCertificate(readPEM(t, "issuer.pem")); err != nil {
		t.Fatal(err)
	}
	return leaf, issuer
}

// application is the test application: the owner of the fixture, with the
// fixture's request.
func application(t testing.TB) *ra.Application {
	t.Helper()
	date := func(s string) ra.Date {
		d, err := ra.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	return &ra.Application{
		Number: "2026-000123",
		State:  ra.Submitted,
		Document: ra.Document{
			Applicant: ra.Applicant{
				Surname: "Иванов", GivenName: "Иван", Patronymic: "Иванович",
				BirthDate: date("1980-04-12"), SNILS: "11223344595", INN: "500100732259",
				Passport: ra.Passport{Series: "4510", Number: "123456", IssueDate: date("2005-05-20"),
					Issuer: "ОВД района Хамовники г. Москвы", IssuerCode: "772-001"},
				Email: "ivanov@example.ru", Phone: "+7 495 123-45-67",
			},
			Profile: ca.ProfileQualified,
			CSR:     readPEM(t, "request.pem"),
			Channel: "api",
		},
		CreatedAt: epoch,
		UpdatedAt: epoch,
	}
}
