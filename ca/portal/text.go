package portal

// texts are the portal's words, Russian then English, by key. A key
// without a text shows as itself (a test checks that every key the
// templates use has both).
var texts = map[string][2]string{
	"site":      {"Удостоверяющий центр", "Certificate authority"},
	"nav.apply": {"Подать заявление", "Apply"},
	"nav.my":    {"Моё заявление", "My application"},
	"nav.check": {"Проверить сертификат", "Check a certificate"},
	"nav.other": {"English", "Русский"},
	"footer":    {"Сертификаты ключей проверки электронной подписи по ГОСТ Р 34.10-2012.", "GOST R 34.10-2012 signature certificates."},

	"start.title":   {"Сертификат электронной подписи", "Electronic signature certificate"},
	"start.intro":   {"Здесь можно подать заявление на сертификат, следить за его рассмотрением, скачать выпущенный сертификат, продлить его и сообщить об утрате ключа, а также проверить любой сертификат этого удостоверяющего центра.", "Here you can apply for a certificate, follow your application, download the certificate once issued, renew it and report a lost key, and check any certificate of this certification authority."},
	"start.prepare": {"Что подготовить", "What to prepare"},
	"start.passport": {"паспорт гражданина РФ (серия, номер, дата выдачи, кем выдан, код подразделения);",
		"your Russian passport (series, number, date and office of issue, office code);"},
	"start.snils":   {"СНИЛС;", "your SNILS (insurance number);"},
	"start.inn":     {"ИНН (если есть), для индивидуального предпринимателя — ОГРНИП, для организации — ОГРН и ИНН организации;", "your INN (if any); an entrepreneur's OGRNIP; an organisation's OGRN and INN;"},
	"start.scans":   {"сканы документов (PDF, JPEG или PNG, до 5 файлов по 10 МБ);", "scans of the documents (PDF, JPEG or PNG, up to 5 files of 10 MB);"},
	"start.request": {"файл запроса на сертификат (PKCS#10), созданный вашим ключом.", "a certificate request file (PKCS#10) made with your key."},
	"start.howto":   {"Как создать ключ и запрос", "How to make the key and the request"},
	"start.gostca":  {"Программой gostca:", "With gostca:"},
	"start.openssl": {"Или OpenSSL с модулем GOST:", "Or with OpenSSL and its GOST engine:"},
	"start.keyown":  {"Ключ остаётся у вас: удостоверяющий центр получает только запрос.", "The key stays with you: the authority receives only the request."},

	"apply.title":       {"Заявление на сертификат", "Application for a certificate"},
	"apply.errors":      {"В заявлении есть ошибки: они отмечены у полей. Ничего не сохранено.", "The application has errors, marked at the fields. Nothing was recorded."},
	"apply.person":      {"Заявитель", "Applicant"},
	"apply.passport":    {"Паспорт", "Passport"},
	"apply.kind":        {"Кто получает сертификат", "Who the certificate is for"},
	"apply.certificate": {"Сертификат", "Certificate"},
	"apply.codeword":    {"Кодовое слово (от 6 символов) позволит приостановить сертификат без ключа, если ключ утерян. Запомните его.", "A code word (6 characters or more) lets you suspend the certificate without the key if the key is lost. Remember it."},
	"apply.consent":     {"Отправляя заявление, я подтверждаю достоверность сведений и даю согласие на обработку персональных данных (152-ФЗ).", "By submitting I confirm the data is true and consent to the processing of my personal data (Federal Law 152-FZ)."},
	"apply.submit":      {"Отправить заявление", "Submit the application"},

	"f.surname":              {"Фамилия", "Surname"},
	"f.given_name":           {"Имя", "Given name"},
	"f.patronymic":           {"Отчество", "Patronymic"},
	"f.birth_date":           {"Дата рождения", "Date of birth"},
	"f.snils":                {"СНИЛС", "SNILS"},
	"f.inn":                  {"ИНН", "INN"},
	"f.email":                {"Электронная почта", "E-mail"},
	"f.phone":                {"Телефон", "Phone"},
	"f.passport_series":      {"Серия паспорта", "Passport series"},
	"f.passport_number":      {"Номер паспорта", "Passport number"},
	"f.passport_issue_date":  {"Дата выдачи", "Date of issue"},
	"f.passport_issuer":      {"Кем выдан", "Issued by"},
	"f.passport_issuer_code": {"Код подразделения", "Office code"},
	"f.ogrnip":               {"ОГРНИП (индивидуальный предприниматель)", "OGRNIP (entrepreneur)"},
	"f.organization_name":    {"Наименование организации", "Organisation"},
	"f.organization_ogrn":    {"ОГРН", "OGRN"},
	"f.organization_innle":   {"ИНН организации", "Organisation's INN"},
	"f.organization_title":   {"Должность", "Title"},
	"f.profile":              {"Вид сертификата", "Kind of certificate"},
	"f.csr_file":             {"Файл запроса (.csr)", "Request file (.csr)"},
	"f.csr_pem":              {"или текст запроса (PEM)", "or the request's text (PEM)"},
	"f.scans":                {"Сканы документов", "Scans of the documents"},
	"f.code_word":            {"Кодовое слово", "Code word"},

	"kind.individual":   {"физическое лицо", "an individual"},
	"kind.entrepreneur": {"индивидуальный предприниматель", "an individual entrepreneur"},
	"kind.legal":        {"представитель организации", "an organisation's representative"},

	"profile.signature":  {"электронная подпись", "electronic signature"},
	"profile.qualified":  {"квалифицированная электронная подпись", "qualified electronic signature"},
	"profile.encryption": {"шифрование", "encryption"},
	"profile.auth":       {"аутентификация", "authentication"},
	"profile.tls-server": {"сервер TLS", "TLS server"},
	"profile.subca":      {"подчинённый удостоверяющий центр", "subordinate CA"},
	"profile.ocsp":       {"служба OCSP", "OCSP responder"},

	"confirm.title":  {"Заявление принято", "Application received"},
	"confirm.number": {"Номер заявления:", "Application number:"},
	"confirm.code":   {"Код доступа:", "Access code:"},
	"confirm.once":   {"Запишите код доступа: он показан один раз и больше нигде не хранится. С номером и кодом вы узнаете о решении и скачаете сертификат.", "Write the access code down: it is shown this once and kept nowhere. With the number and the code you follow the decision and download the certificate."},
	"confirm.form":   {"Заявление для печати и подписи (PDF)", "The application to print and sign (PDF)"},

	"login.failed": {"Заявления с таким номером и кодом доступа нет.", "There is no application with this number and access code."},
	"login.number": {"Номер заявления", "Application number"},
	"login.code":   {"Код доступа", "Access code"},
	"login.submit": {"Войти", "Open"},

	"my.title":         {"Заявление", "Application"},
	"my.reason":        {"Причина отказа:", "Reason:"},
	"my.submitted":     {"Подано", "Submitted"},
	"my.serial":        {"Серийный номер сертификата", "Certificate serial"},
	"my.notafter":      {"Действителен до", "Valid until"},
	"my.history":       {"История", "History"},
	"my.downloads":     {"Скачать сертификат", "Download the certificate"},
	"my.withchain":     {"(с цепочкой УЦ)", "(with the CA chain)"},
	"my.copy":          {"Копия на бумаге (PDF)", "Printable copy (PDF)"},
	"my.checklink":     {"Страница проверки сертификата", "The certificate's check page"},
	"my.renew":         {"Продление", "Renewal"},
	"my.renewhelp":     {"До окончания срока создайте новый ключ и запрос и отправьте его, подписав текущим ключом: сертификат будет выпущен сразу.", "Before it expires, make a new key and request and send it signed with the current key: the certificate is issued at once."},
	"my.lost":          {"Ключ утерян или скомпрометирован", "Key lost or compromised"},
	"my.lost.submit":   {"Приостановить сертификат", "Suspend the certificate"},
	"my.lost.done":     {"Сертификат приостановлен. Оператор свяжется с вами, чтобы отозвать его.", "The certificate is suspended. An operator will contact you to revoke it."},
	"my.lost.wrong":    {"Неверное кодовое слово.", "Wrong code word."},
	"my.lost.state":    {"Сертификат уже приостановлен или отозван.", "The certificate is suspended or revoked already."},
	"my.cancel":        {"Отозвать заявление", "Withdraw the application"},
	"my.cancel.submit": {"Отозвать заявление", "Withdraw"},
	"my.cancel.done":   {"Заявление отозвано.", "The application is withdrawn."},
	"my.cancel.wrong":  {"Неверный код доступа.", "Wrong access code."},
	"my.cancel.state":  {"Заявление уже нельзя отозвать.", "The application can no longer be withdrawn."},
	"my.logout":        {"Выйти", "Log out"},

	"state.submitted": {"Подано", "Submitted"},
	"state.in_review": {"На рассмотрении", "Under review"},
	"state.approved":  {"Одобрено, сертификат выпускается", "Approved, the certificate is being issued"},
	"state.issued":    {"Сертификат выпущен", "Certificate issued"},
	"state.rejected":  {"Отказано", "Rejected"},
	"state.cancelled": {"Отозвано заявителем", "Withdrawn"},
	"state.expired":   {"Закрыто: срок рассмотрения истёк", "Closed: not decided in time"},
	"state.failed":    {"Ошибка выпуска, оператор повторит", "Issuance failed; the operator will retry"},

	"by.applicant": {"заявитель", "applicant"},
	"by.operator":  {"оператор", "operator"},
	"by.system":    {"система", "system"},

	"check.title":        {"Проверка сертификата", "Certificate check"},
	"check.valid":        {"Сертификат действителен", "The certificate is valid"},
	"check.held":         {"Действие сертификата приостановлено", "The certificate is suspended"},
	"check.revoked":      {"Сертификат отозван", "The certificate is revoked"},
	"check.expired":      {"Срок действия сертификата истёк", "The certificate has expired"},
	"check.unknown":      {"Сертификат этим удостоверяющим центром не выпускался", "This authority did not issue this certificate"},
	"check.since":        {"с", "since"},
	"check.reason":       {"причина", "reason"},
	"check.serial":       {"Серийный номер", "Serial number"},
	"check.owner":        {"Владелец", "Owner"},
	"check.organization": {"Организация", "Organisation"},
	"check.issuer":       {"Издатель", "Issuer"},
	"check.validity":     {"Срок действия", "Validity"},
	"check.fingerprint":  {"Отпечаток (Стрибог-256)", "Fingerprint (Streebog-256)"},
	"check.readat":       {"Статус прочитан из реестра", "Status read from the ledger"},
	"check.another":      {"Проверить другой сертификат", "Check another certificate"},
	"check.upload":       {"или файл сертификата (.cer)", "or the certificate file (.cer)"},
	"check.submit":       {"Проверить", "Check"},
	"check.badserial":    {"Серийный номер — шестнадцатеричное число.", "A serial number is a hexadecimal number."},
	"check.badcert":      {"Файл не является сертификатом X.509.", "The file is not an X.509 certificate."},

	"reason.unspecified":          {"не указана", "unspecified"},
	"reason.keyCompromise":        {"компрометация ключа", "key compromise"},
	"reason.cACompromise":         {"компрометация ключа УЦ", "CA compromise"},
	"reason.affiliationChanged":   {"изменение сведений", "affiliation changed"},
	"reason.superseded":           {"замена сертификата", "superseded"},
	"reason.cessationOfOperation": {"прекращение деятельности", "cessation of operation"},
	"reason.certificateHold":      {"приостановление", "certificate hold"},
	"reason.privilegeWithdrawn":   {"отзыв полномочий", "privilege withdrawn"},
	"reason.aACompromise":         {"компрометация", "AA compromise"},

	"err.title":     {"Не получилось", "Something went wrong"},
	"err.back":      {"На главную", "Back to the start"},
	"err.notfound":  {"Такой страницы нет.", "There is no such page."},
	"err.rate":      {"Слишком много попыток. Попробуйте позже.", "Too many tries. Try again later."},
	"err.toolarge":  {"Слишком большие файлы: не более 5 файлов по 10 МБ.", "The files are too large: at most 5 files of 10 MB."},
	"err.busy":      {"Сервис занят, повторите через секунду.", "The service is busy; try again in a second."},
	"err.internal":  {"Внутренняя ошибка. Заявление могло не сохраниться.", "Internal error. The application may not have been recorded."},
	"err.badform":   {"Форма не прочитана.", "The form could not be read."},
	"err.csrf":      {"Форма устарела: откройте страницу заново и отправьте её ещё раз.", "The form is stale: open the page again and send it again."},
	"err.notissued": {"Сертификат ещё не выпущен.", "The certificate is not issued yet."},

	"problem.date": {"дата в виде ГГГГ-ММ-ДД", "a date, YYYY-MM-DD"},
	"problem.file": {"файл не прочитан", "the file could not be read"},
}

// text returns the text of key in lang ("ru" or "en").
func text(lang, key string) string {
	t, ok := texts[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return t[1]
	}
	return t[0]
}

// Text returns the portal's text of key in lang, key itself if it has
// none: for tests and for the pages of other packages.
func Text(lang, key string) string { return text(lang, key) }
