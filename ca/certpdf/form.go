package certpdf

import (
	"errors"
	"fmt"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/ra"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/streebog"
)

// formEpoch dates the PDF of an application without a date of its own.
var formEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// ApplicationForm renders the application for a certificate, pre-filled
// from a, for the applicant to print and sign: an A4 PDF in Russian with
// the application's number and date, the applicant's data (name, date of
// birth, SNILS, INN, passport, contacts), the organisation and the
// applicant's position for a legal entity's representative, the profile
// asked for and what the request (a.CSR) holds: the key's algorithm and
// parameter set, the key in hex and its Streebog-256 fingerprint, the
// request's fingerprint. It ends with the request itself, the applicant's
// consent to the processing of personal data (Federal Law 152-FZ), and
// lines for the applicant's signature and date and for the officer who
// receives it.
//
// Fields that a does not have are left out. The output is the same bytes
// for the same a. It fails for a nil application and for a CSR that is
// not a PKCS#10 request.
func ApplicationForm(a *ra.Application) ([]byte, error) {
	d, err := formDocument(a)
	if err != nil {
		return nil, err
	}
	return render(d)
}

func formDocument(a *ra.Application) (*document, error) {
	if a == nil {
		return nil, errors.New("certpdf: nil application")
	}
	what := "сертификата ключа проверки электронной подписи"
	if a.Profile == ca.ProfileQualified {
		what = "квалифицированного " + what
	}
	d := &document{
		title:   "Заявление на создание и выдачу " + what,
		footer:  "Заявление",
		subject: "Заявление на сертификат",
		created: a.CreatedAt,
	}
	if d.created.IsZero() {
		d.created = formEpoch
	}
	if a.Number != "" {
		number := "№ " + a.Number
		if !a.CreatedAt.IsZero() {
			number += " от " + formatDate(a.CreatedAt.UTC())
		}
		d.lead = append(d.lead, number)
		d.footer += " № " + a.Number
		d.subject += " № " + a.Number
	}
	p := &a.Applicant

	applicant := section{title: "Сведения о заявителе"}
	applicant.add(
		textRow("Фамилия", p.Surname),
		textRow("Имя", p.GivenName),
		textRow("Отчество", p.Patronymic),
		textRow("Дата рождения", date(p.BirthDate)),
		textRow("СНИЛС", p.SNILS),
		textRow("ИНН", p.INN),
		textRow("ОГРНИП", p.OGRNIP),
		textRow("Адрес электронной почты", p.Email),
		textRow("Телефон", p.Phone),
	)

	passport := section{title: "Документ, удостоверяющий личность: паспорт гражданина Российской Федерации"}
	pp := &p.Passport
	passport.add(
		textRow("Серия", pp.Series),
		textRow("Номер", pp.Number),
		textRow("Дата выдачи", date(pp.IssueDate)),
		textRow("Кем выдан", pp.Issuer),
		textRow("Код подразделения", pp.IssuerCode),
	)

	org := section{title: "Организация, от имени которой действует заявитель"}
	if o := p.Organization; o != nil {
		org.add(
			textRow("Наименование", o.Name),
			textRow("ОГРН", o.OGRN),
			textRow("ИНН юридического лица", o.INNLE),
			textRow("Должность заявителя", o.Title),
		)
	}

	asked := section{title: "Запрашиваемый сертификат"}
	asked.add(textRow("Вид сертификата (профиль)", profileWords(a.Profile)))
	if a.Renews != "" {
		asked.add(textRow("Взамен сертификата", a.Renews))
	}
	subject := p.Subject()
	asked.add(textRow("Владелец в сертификате (CN)", subject.CommonName))

	request := section{title: "Запрос на сертификат (ключ проверки электронной подписи)"}
	if len(a.CSR) > 0 {
		csr, err := cert.ParseCertificateRequest(a.CSR)
		if err != nil {
			return nil, fmt.Errorf("certpdf: application %s: reading its request: %w", a.Number, err)
		}
		if pub := csr.PublicKey; pub != nil {
			params := pub.Params()
			request.add(
				textRow("Алгоритм и параметры", keyWords(params), fmt.Sprintf("OID ключа %s, параметров %s", keyAlgorithmOID(params.Bits()), params.OID())),
				monoRow("Ключ проверки ЭП ("+bytesWords(len(pub.Bytes()))+")", hexLines(pub.Bytes(), 16)...),
			)
			if spki, err := gost3410.MarshalPKIXPublicKey(pub); err == nil {
				sum := streebog.Sum256(spki)
				request.add(monoRow("Отпечаток ключа (Стрибог-256)", fingerprintLines(sum[:])...))
			}
		}
		sum := streebog.Sum256(a.CSR)
		request.add(
			monoRow("Отпечаток запроса (Стрибог-256)", fingerprintLines(sum[:])...),
			textRow("Средство ЭП заявителя", csr.SubjectSignTool),
		)
	}

	statement := section{title: "Заявление", withSignatures: true}
	statement.prose = []string{
		"Прошу создать и выдать " + certificateWords(a.Profile) + " на основании запроса и сведений, " +
			"указанных в настоящем заявлении.",
		"Подтверждаю достоверность сведений, указанных в настоящем заявлении. Ключ электронной подписи, " +
			"соответствующий ключу проверки электронной подписи, находится только у меня; обязуюсь обеспечивать " +
			"его конфиденциальность и немедленно сообщить в удостоверяющий центр о нарушении его конфиденциальности.",
		"В соответствии с Федеральным законом от 27.07.2006 № 152-ФЗ «О персональных данных» даю согласие " +
			"удостоверяющему центру на обработку (сбор, запись, систематизацию, накопление, хранение, уточнение, " +
			"использование, передачу, блокирование, удаление, уничтожение) моих персональных данных, указанных в " +
			"настоящем заявлении, в целях создания и выдачи сертификата, ведения реестра сертификатов и проверки их " +
			"действительности. Согласие действует в течение срока хранения сведений о сертификате и может быть " +
			"отозвано мной письменным заявлением.",
	}

	d.sections = []section{applicant, passport, org, asked, request, statement}
	d.signatures = []signature{
		{role: "Заявитель", name: initials(p.Surname, p.GivenName+" "+p.Patronymic)},
		{role: "Заявление принял (уполномоченное лицо удостоверяющего центра)"},
	}
	return d, nil
}

// certificateWords is what the statement asks for: the profile in words.
func certificateWords(profile string) string {
	if w, ok := profiles[profile]; ok {
		return w
	}
	return "сертификат"
}

func date(d ra.Date) string {
	if d.IsZero() {
		return ""
	}
	return formatDate(d.Time)
}
