package certpdf

import (
	"bytes"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math"
	"math/big"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/ca/ra"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/internal/interop"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
)

// TestGolden compares the copy and the application form of the fixtures
// with testdata/: their outlines (what each says, reviewable as text) and
// the PDFs, byte for byte. go test -update makes the fixtures and the
// files anew.
func TestGolden(t *testing.T) {
	if *update {
		makeFixture(t)
	}
	leaf, issuer := fixture(t)
	opts := CopyOptions{CheckURL: checkBase + ra.FormatSerial(leaf.SerialNumber), Printed: printed, Issuer: issuer}
	copyDoc, err := copyDocument(leaf, opts)
	if err != nil {
		t.Fatal(err)
	}
	copyPDF, err := Copy(leaf, opts)
	if err != nil {
		t.Fatal(err)
	}
	formDoc, err := formDocument(application(t))
	if err != nil {
		t.Fatal(err)
	}
	formPDF, err := ApplicationForm(application(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct {
		name string
		got  []byte
	}{
		{"copy.golden", []byte(copyDoc.outline())},
		{"copy.golden.pdf", copyPDF},
		{"form.golden", []byte(formDoc.outline())},
		{"form.golden.pdf", formPDF},
	} {
		path := filepath.Join("testdata", g.name)
		if *update {
			if err := os.WriteFile(path, g.got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test -update makes it)", err)
		}
		if !bytes.Equal(g.got, want) {
			t.Errorf("%s differs from what is made now (go test -update rewrites it)", path)
		}
	}
	// The same input, the same bytes, however often; and the fonts of
	// package gofont, which fpdf writes into, are left as they were.
	fonts := [][]byte{bytes.Clone(goregular.TTF), bytes.Clone(gobold.TTF), bytes.Clone(gomono.TTF)}
	for range 3 {
		if again, err := Copy(leaf, opts); err != nil || !bytes.Equal(again, copyPDF) {
			t.Fatalf("a second Copy gave other bytes (%v)", err)
		}
	}
	for i, f := range [][]byte{goregular.TTF, gobold.TTF, gomono.TTF} {
		if !bytes.Equal(f, fonts[i]) {
			t.Errorf("font %d of gofont changed", i)
		}
	}
}

// contains checks that text has each of want, whitespace runs counting as
// one space (pdftotext breaks lines where the layout does).
func contains(t *testing.T, what, text string, want ...string) {
	t.Helper()
	norm := strings.Join(strings.Fields(text), " ")
	for _, w := range want {
		if !strings.Contains(norm, w) {
			t.Errorf("%s: no %q in the text pdftotext reads:\n%s", what, w, text)
		}
	}
}

// checkA4 checks with pdfinfo that pdf has at least one page and only A4
// pages (595.28 × 841.89 points).
func checkA4(t *testing.T, pdf []byte) interop.PDFDocument {
	t.Helper()
	info := interop.PDFInfoOf(t, pdf)
	if info.Pages < 1 {
		t.Errorf("pdfinfo: %d pages", info.Pages)
	}
	for i, s := range info.Sizes {
		if math.Abs(s[0]-595.28) > 0.5 || math.Abs(s[1]-841.89) > 0.5 {
			t.Errorf("pdfinfo: page %d is %.2f × %.2f pt, not A4", i+1, s[0], s[1])
		}
	}
	return info
}

// checkMargins checks with pdftotext -bbox that every word lies inside the
// page's margins: long values wrap rather than run off the sheet.
func checkMargins(t *testing.T, pdf []byte) []interop.PDFWord {
	t.Helper()
	const mm = 72 / 25.4
	words := interop.PDFWords(t, pdf)
	for _, w := range words {
		if w.XMin < marginLeft*mm-1 || w.XMax > (pageW-marginRight)*mm+1 || w.YMin < 0 || w.YMax > pageH*mm {
			t.Errorf("page %d: %q at x %.1f–%.1f, y %.1f–%.1f pt, outside the margins", w.Page, w.Text, w.XMin, w.XMax, w.YMin, w.YMax)
		}
	}
	return words
}

// TestCopyTools reads copies with Poppler and ZBar: pdftotext finds the
// fields in Cyrillic and hex, pdfinfo A4 pages, and zbarimg, from a
// 150 dpi rendering of the first page, exactly the check URL in the QR
// code.
func TestCopyTools(t *testing.T) {
	leaf, issuer := fixture(t)
	clock := catest.NewClock(epoch)
	root := catest.NewRoot(t, catest.WithClock(clock), catest.WithParams(gost3410.ParamsTC26512A()))
	tlsCSR, _ := catest.NewCSR(t, gost3410.ParamsTC26512C(), cert.Name{CommonName: "www.example.ru", Country: "RU"})
	tls, err := root.IssueRequest(ca.Request{CSR: tlsCSR, Profile: ca.ProfileTLSServer, DNSNames: []string{"www.example.ru"}})
	if err != nil {
		t.Fatal(err)
	}
	serial := ra.FormatSerial(leaf.SerialNumber)
	for _, tc := range []struct {
		name   string
		c      *cert.Certificate
		opts   CopyOptions
		want   []string
		absent []string
	}{
		{
			name: "qualified",
			c:    leaf,
			opts: CopyOptions{CheckURL: checkBase + serial, Printed: printed, Issuer: issuer},
			want: []string{
				"Квалифицированный сертификат ключа проверки электронной подписи",
				"Серийный номер " + serial, "Дата печати: 05.03.2026",
				"Владелец сертификата", "Общее имя (CN) Иванов Иван Иванович", "Фамилия (SN) Иванов",
				"Имя и отчество (G) Иван Иванович", "СНИЛС 11223344595", "ИНН 500100732259",
				"Населённый пункт (L) Москва", "Адрес электронной почты (E) ivanov@example.ru",
				"Издатель сертификата", "Тестовый УЦ ООО «Ромашка»", "ОГРН 1027700132195",
				"ИНН юридического лица 7707083893",
				"Действителен с 02.03.2026 09:30:00 UTC", "Действителен по 02.03.2027 09:30:00 UTC",
				"ГОСТ Р 34.10-2012, 256 бит, параметры id-tc26-gost-3410-2012-256-paramSetA",
				"цифровая подпись (digitalSignature)", "неотрекаемость (nonRepudiation)",
				"класс средства ЭП КС1 (1.2.643.100.113.1)", "класс средства ЭП КС2 (1.2.643.100.113.2)",
				"Средство ЭП владельца СКЗИ «Тест-CSP» версия 5.0",
				"Средство ЭП издателя gostca test signature tool", "gostca test CA",
				"test conformity certificate 1", "test conformity certificate 2",
				"при личном присутствии",
				"Подпись удостоверяющего центра", "Отпечаток сертификата (Стрибог-256)",
				"Владелец сертификата", "Иванов И. И.", "Уполномоченное лицо удостоверяющего центра", "М.П.",
				"страница 1 из",
			},
			absent: []string{"Прочие расширения", "\\u"},
		},
		{
			name: "TLS server, 512-bit, no issuer given",
			c:    tls,
			opts: CopyOptions{CheckURL: "http://ca.test/check?serial=" + ra.FormatSerial(tls.SerialNumber) + "&lang=ru"},
			want: []string{
				"Сертификат ключа проверки электронной подписи", "Общее имя (CN) www.example.ru",
				"DNS-имя www.example.ru",
				"ГОСТ Р 34.10-2012, 512 бит, параметры id-tc26-gost-3410-2012-512-paramSetC",
				"проверка подлинности сервера (serverAuth)", "Стрибог-512",
				"Издатель сертификата", "gostca test root",
			},
			absent: []string{"Квалифицированный", "СНИЛС", "Дата печати", "Политики сертификата", "Средство ЭП владельца"},
		},
		{
			name: "the longest check URL",
			c:    leaf,
			opts: CopyOptions{CheckURL: "https://ca.example.ru/check/" + serial + "?" + strings.Repeat("x", MaxCheckURL-len(checkBase)-len(serial)-1)},
			want: []string{serial},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pdf, err := Copy(tc.c, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			text := interop.PDFText(t, pdf, true)
			contains(t, "copy", text, tc.want...)
			for _, a := range tc.absent {
				if strings.Contains(text, a) {
					t.Errorf("the copy has %q", a)
				}
			}
			checkA4(t, pdf)
			checkMargins(t, pdf)
			if got := interop.ScanQR(t, pdf, 1, 150); len(got) != 1 || got[0] != tc.opts.CheckURL {
				t.Errorf("zbarimg reads %q from the first page, want [%q]", got, tc.opts.CheckURL)
			}
		})
	}
}

// TestApplicationFormTools reads application forms with Poppler.
func TestApplicationFormTools(t *testing.T) {
	org := application(t)
	org.Applicant.Organization = &ra.Organization{Name: "ООО «Ромашка»", OGRN: "1027700132195", INNLE: "7707083893", Title: "генеральный директор"}
	org.Profile = ca.ProfileSignature
	for _, tc := range []struct {
		name   string
		a      *ra.Application
		want   []string
		absent []string
	}{
		{
			name: "individual",
			a:    application(t),
			want: []string{
				"Заявление на создание и выдачу квалифицированного сертификата ключа проверки электронной подписи",
				"№ 2026-000123 от 02.03.2026", "Фамилия Иванов", "Имя Иван", "Отчество Иванович",
				"Дата рождения 12.04.1980", "СНИЛС 11223344595", "ИНН 500100732259",
				"Серия 4510", "Номер 123456", "Дата выдачи 20.05.2005", "Кем выдан ОВД района Хамовники г. Москвы",
				"Код подразделения 772-001", "ivanov@example.ru", "+7 495 123-45-67",
				"квалифицированный сертификат ключа проверки электронной подписи (qualified)",
				"id-tc26-gost-3410-2012-256-paramSetA", "Отпечаток ключа (Стрибог-256)", "Отпечаток запроса (Стрибог-256)",
				"СКЗИ «Тест-CSP» версия 5.0",
				"Федеральным законом от 27.07.2006 № 152-ФЗ «О персональных данных»", "даю согласие",
				"Заявитель", "Иванов И. И.", "(подпись)", "20____ г.", "Заявление № 2026-000123 · страница 1 из",
			},
			absent: []string{"ОГРН", "Должность"},
		},
		{
			name: "a legal entity's representative",
			a:    org,
			want: []string{
				"Заявление на создание и выдачу сертификата ключа проверки электронной подписи",
				"Наименование ООО «Ромашка»", "ОГРН 1027700132195", "ИНН юридического лица 7707083893",
				"Должность заявителя генеральный директор", "Владелец в сертификате (CN) ООО «Ромашка»",
			},
			absent: []string{"квалифицированного"},
		},
		{
			name:   "no request, no number",
			a:      &ra.Application{Document: ra.Document{Applicant: ra.Applicant{Surname: "Петров", GivenName: "Пётр"}}},
			want:   []string{"Фамилия Петров", "Имя Пётр", "Петров П.", "152-ФЗ"},
			absent: []string{"№ 2026", "Отпечаток", "Отчество", "СНИЛС"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pdf, err := ApplicationForm(tc.a)
			if err != nil {
				t.Fatal(err)
			}
			text := interop.PDFText(t, pdf, true)
			contains(t, "form", text, tc.want...)
			for _, a := range tc.absent {
				if strings.Contains(text, a) {
					t.Errorf("the form has %q", a)
				}
			}
			checkA4(t, pdf)
			checkMargins(t, pdf)
			if got := interop.ScanQR(t, pdf, 1, 150); len(got) != 0 {
				t.Errorf("the form has QR codes: %q", got)
			}
		})
	}
}

func TestCopyRefusals(t *testing.T) {
	leaf, issuer := fixture(t)
	other := catest.NewRoot(t).Certificate()
	good := checkBase + ra.FormatSerial(leaf.SerialNumber)
	for _, tc := range []struct {
		name     string
		c        *cert.Certificate
		opts     CopyOptions
		checkURL bool // the error wraps ErrCheckURL
	}{
		{"nil certificate", nil, CopyOptions{CheckURL: good}, false},
		{"unparsed certificate", &cert.Certificate{SerialNumber: big.NewInt(1)}, CopyOptions{CheckURL: good}, false},
		{"no check URL", leaf, CopyOptions{}, true},
		{"ftp", leaf, CopyOptions{CheckURL: "ftp://ca.example.ru/check/01"}, true},
		{"javascript", leaf, CopyOptions{CheckURL: "javascript:alert(1)"}, true},
		{"relative", leaf, CopyOptions{CheckURL: "/check/01"}, true},
		{"no host", leaf, CopyOptions{CheckURL: "https:///check/01"}, true},
		{"only a port", leaf, CopyOptions{CheckURL: "https://:443/check/01"}, true},
		{"a space", leaf, CopyOptions{CheckURL: "https://ca.example.ru/check/ 01"}, true},
		{"a newline", leaf, CopyOptions{CheckURL: "https://ca.example.ru/check/01\n"}, true},
		{"not ASCII", leaf, CopyOptions{CheckURL: "https://уц.рф/check/01"}, true},
		{"a password", leaf, CopyOptions{CheckURL: "https://user:secret@ca.example.ru/check/01"}, true},
		{"too long", leaf, CopyOptions{CheckURL: good + "?" + strings.Repeat("x", MaxCheckURL)}, true},
		{"another CA's certificate", leaf, CopyOptions{CheckURL: good, Issuer: other}, false},
		{"the certificate as its own issuer", leaf, CopyOptions{CheckURL: good, Issuer: leaf}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pdf, err := Copy(tc.c, tc.opts)
			if err == nil {
				t.Fatalf("Copy made %d bytes", len(pdf))
			}
			if errors.Is(err, ErrCheckURL) != tc.checkURL {
				t.Errorf("Copy: %v; errors.Is(err, ErrCheckURL) = %v", err, !tc.checkURL)
			}
			if !strings.HasPrefix(err.Error(), "certpdf: ") {
				t.Errorf("Copy: %q lacks the package prefix", err)
			}
		})
	}
	if _, err := Copy(leaf, CopyOptions{CheckURL: good, Issuer: issuer}); err != nil {
		t.Errorf("Copy with the right issuer: %v", err)
	}
	if _, err := ApplicationForm(nil); err == nil {
		t.Error("ApplicationForm(nil) succeeded")
	}
	bad := application(t)
	bad.CSR = []byte("not a request")
	if _, err := ApplicationForm(bad); err == nil {
		t.Error("ApplicationForm succeeded with a CSR that is not one")
	}
}

// selfSigned makes a certificate of tmpl signed by a fresh key.
func selfSigned(t *testing.T, tmpl *cert.Certificate) *cert.Certificate {
	t.Helper()
	key, err := gost3410.GenerateKey(gost3410.ParamsCryptoProA(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := cert.CreateCertificate(rand.Reader, tmpl, tmpl, key.PublicKey(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cert.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCopyMinimal prints a certificate with nothing optional: the copy
// leaves the fields out, and its sections with them.
func TestCopyMinimal(t *testing.T) {
	c := selfSigned(t, &cert.Certificate{
		SerialNumber: big.NewInt(0x0ABC), Subject: cert.Name{CommonName: "minimal"},
		NotBefore: epoch, NotAfter: epoch.Add(24 * time.Hour),
	})
	d, err := copyDocument(c, CopyOptions{CheckURL: "https://ca.test/check/0ABC"})
	if err != nil {
		t.Fatal(err)
	}
	outline := d.outline()
	for _, absent := range []string{
		"СНИЛС", "Дата печати", "Использование ключа", "Политики", "Средства электронной подписи",
		"Прочие расширения", "Список отзыва", "Служба OCSP", "Способ идентификации", "Тип сертификата",
	} {
		if strings.Contains(outline, absent) {
			t.Errorf("the outline has %q:\n%s", absent, outline)
		}
	}
	pdf, err := Copy(c, CopyOptions{CheckURL: "https://ca.test/check/0ABC"})
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "minimal copy", interop.PDFText(t, pdf, true), "Серийный номер 0ABC", "Общее имя (CN) minimal", "М.П.")
	checkA4(t, pdf)
}

// TestLongValuesWrap prints values longer than a line, a word longer than
// a line, and an unknown extension of many bytes: everything stays inside
// the margins, over pages, and nothing is lost.
func TestLongValuesWrap(t *testing.T) {
	word := strings.Repeat("Длинноеслово", 30) // 360 letters, no space
	street := strings.TrimSpace(strings.Repeat("улица Большая Дмитровка, дом 32, строение 1, ", 25))
	c := selfSigned(t, &cert.Certificate{
		SerialNumber: new(big.Int).Lsh(big.NewInt(1), 150),
		Subject:      cert.Name{CommonName: "long", Organization: word, StreetAddress: street},
		NotBefore:    epoch, NotAfter: epoch.Add(24 * time.Hour),
		SubjectSignTool: strings.Repeat("средство ", 22),
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Critical: false, Value: bytes.Repeat([]byte{0xAB}, 4000)}},
	})
	pdf, err := Copy(c, CopyOptions{CheckURL: "https://ca.test/check/" + ra.FormatSerial(c.SerialNumber)})
	if err != nil {
		t.Fatal(err)
	}
	info := checkA4(t, pdf)
	if info.Pages < 2 {
		t.Errorf("%d pages for long values", info.Pages)
	}
	words := checkMargins(t, pdf)
	var all strings.Builder
	for _, w := range words {
		all.WriteString(w.Text)
	}
	joined := all.String()
	for _, want := range []string{word, strings.ReplaceAll(street, " ", ""), "всего4000байт", "Расширение1.2.3.4"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the copy lost %.40q…", want)
		}
	}
}

// nasty are values a certificate or an application may hold that a
// printer must survive.
var nasty = []string{
	"",
	"\x00\x01\x07\x1b[31m",
	"\xff\xfe invalid UTF-8 \xc3",
	"right-to-left \u202Eevil\u202C override",
	"zero\u200Bwidth",
	"emoji 😀 and 𝔘",
	"tab\tnewline\ncarriage\r",
	"{nb} {nb} page alias",
	"( ) \\ % parentheses and escapes of PDF strings",
	"<script>alert(1)</script>",
	"中文 العربية עברית ไทย",
	"é ç ñ ü combining é",
	"\u00a0non-breaking\u2009thin space",
	strings.Repeat("Ы", 2000),
}

// TestArbitraryText feeds control characters, invalid UTF-8, characters
// the font lacks and very long strings to every text field: no panic, no
// error, and the copy shows escapes in their place.
func TestArbitraryText(t *testing.T) {
	leaf, _ := fixture(t)
	rng := mrand.New(mrand.NewPCG(1, 2))
	random := func() string {
		b := make([]byte, rng.IntN(300))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return string(b)
	}
	values := append([]string(nil), nasty...)
	for range 20 {
		values = append(values, random())
	}
	for i, v := range values {
		c := *leaf
		c.Subject = cert.Name{CommonName: v, Surname: v, GivenName: v, Organization: v, Title: v, SNILS: v, Locality: v,
			Extra: []cert.Attribute{{Type: asn1.ObjectIdentifier{2, 5, 4, 5}, Value: v}}}
		c.Issuer = c.Subject
		c.SubjectSignTool = v
		c.IssuerSignTool = &cert.IssuerSignTool{SignTool: v, CATool: v, SignToolCert: v, CAToolCert: v}
		c.DNSNames, c.EmailAddresses = []string{v}, []string{v}
		if _, err := Copy(&c, CopyOptions{CheckURL: "https://ca.test/check/01"}); err != nil {
			t.Errorf("value %d (%.40q): Copy: %v", i, v, err)
		}
		a := application(t)
		p := &a.Applicant
		p.Surname, p.GivenName, p.Patronymic, p.SNILS, p.INN, p.Email, p.Phone = v, v, v, v, v, v, v
		p.Passport.Issuer, p.Passport.Series = v, v
		p.Organization = &ra.Organization{Name: v, OGRN: v, INNLE: v, Title: v}
		a.Number, a.Profile, a.Renews = v, v, v
		if _, err := ApplicationForm(a); err != nil {
			t.Errorf("value %d (%.40q): ApplicationForm: %v", i, v, err)
		}
	}
	c := *leaf
	c.Subject = cert.Name{CommonName: nasty[3], Locality: nasty[2], Title: nasty[7]}
	pdf, err := Copy(&c, CopyOptions{CheckURL: "https://ca.test/check/01"})
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "copy", interop.PDFText(t, pdf, true),
		`right-to-left \u202Eevil\u202C override`, `\xFF\xFE invalid UTF-8 \xC3`, "{nb} {nb} page alias")
}

func TestClean(t *testing.T) {
	g, err := newGlyphs()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, want string }{
		{"plain ASCII", "plain ASCII"},
		{"Иванов Иван Иванович", "Иванов Иван Иванович"},
		{"«Ромашка» № 5 — ёЁ …", "«Ромашка» № 5 — ёЁ …"},
		{"a\x00b\x07c", `a\u0000b\u0007c`},
		{"tab\tline\n", `tab\u0009line\u000A`},
		{"\xff\xc3", `\xFF\xC3`},
		{"a\u202Eb", `a\u202Eb`},
		{"a\u200Bb", `a\u200Bb`},
		{"😀", `\U0001F600`},
		{"中", `\u4E2D`},
		{"\u00a0\u2009", "  "},
		{"\ufffd", "\ufffd"}, // a character of its own; invalid bytes are \xHH
	} {
		if got := g.clean(tc.in); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// Every word the documents print themselves is drawn as it is.
	for _, d := range []*document{mustCopy(t), mustForm(t)} {
		for _, s := range d.sections {
			for _, r := range s.rows {
				if g.clean(r.label) != r.label {
					t.Errorf("the font cannot draw the label %q", r.label)
				}
			}
			for _, p := range s.prose {
				if g.clean(p) != p {
					t.Errorf("the font cannot draw %q", p)
				}
			}
		}
	}
	for _, s := range []string{"(подпись)", "(фамилия и инициалы)", "«____» ________________ 20____ г.", "М.П.", " · страница 1 из 2"} {
		if g.clean(s) != s {
			t.Errorf("the font cannot draw %q", s)
		}
	}
}

func mustCopy(t *testing.T) *document {
	leaf, issuer := fixture(t)
	d, err := copyDocument(leaf, CopyOptions{CheckURL: "https://ca.test/check/01", Printed: printed, Issuer: issuer})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustForm(t *testing.T) *document {
	d, err := formDocument(application(t))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestWords(t *testing.T) {
	for n, want := range map[int]string{1: "1 байт", 2: "2 байта", 4: "4 байта", 5: "5 байт", 11: "11 байт",
		12: "12 байт", 21: "21 байт", 22: "22 байта", 64: "64 байта", 128: "128 байт", 112: "112 байт"} {
		if got := bytesWords(n); got != want {
			t.Errorf("bytesWords(%d) = %q, want %q", n, got, want)
		}
	}
	for _, tc := range []struct{ surname, given, want string }{
		{"Иванов", "Иван Иванович", "Иванов И. И."},
		{"Петров", "Пётр", "Петров П."},
		{"Ли", "", "Ли"},
		{"", "Иван", ""},
	} {
		if got := initials(tc.surname, tc.given); got != tc.want {
			t.Errorf("initials(%q, %q) = %q, want %q", tc.surname, tc.given, got, tc.want)
		}
	}
	for _, p := range gost3410.AllParams() {
		if w := keyWords(p); !strings.Contains(w, p.ASN1Name()) || !strings.HasPrefix(w, "ГОСТ Р 34.10-2012, ") {
			t.Errorf("keyWords(%v) = %q", p, w)
		}
	}
}
