package notify

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Message is one e-mail: plain text, UTF-8.
type Message struct {
	// ID is the outbox's id of the message. It makes the Message-ID
	// header, the same for every attempt, so that a retry of a message
	// the server had accepted is recognisable as a duplicate.
	ID      uint64
	To      string // the recipient's address, name@example.ru
	Subject string // one line
	Body    string // lines end in "\n"
}

// Kind is what happened: to an application, or to a certificate.
type Kind string

// The kinds of event an applicant is told of.
const (
	// Of an application (Event.Number required).
	Submitted Kind = "submitted" // received and checked
	InReview  Kind = "in_review" // an operator took it up
	Approved  Kind = "approved"  // approved; the certificate follows
	Rejected  Kind = "rejected"  // refused, Event.Reason required
	Cancelled Kind = "cancelled" // withdrawn by the applicant
	Expired   Kind = "expired"   // closed: no decision in the time allowed

	// Of a certificate (Event.Serial required).
	Issued   Kind = "issued"   // issued for an application (NotAfter required; Downloads)
	Renewed  Kind = "renewed"  // a successor issued at once on a self-renewal (NotAfter required)
	Held     Kind = "held"     // put on hold (certificateHold), e.g. on a lost-key report
	Released Kind = "released" // taken off hold
	Revoked  Kind = "revoked"  // revoked (Reason: why, in words)
	Reminder Kind = "reminder" // expires in Event.DaysLeft days (NotAfter required)
)

// Kinds lists every Kind, in the order above.
func Kinds() []Kind {
	return []Kind{Submitted, InReview, Approved, Rejected, Cancelled, Expired,
		Issued, Renewed, Held, Released, Revoked, Reminder}
}

// Event is what happened to an application or certificate.
type Event struct {
	Kind      Kind
	Number    string    // application number, e.g. "2026-000123"
	Name      string    // the applicant's full name, "Иванов Иван Иванович"
	Reason    string    // rejection reason / revocation reason text; may have several lines
	Serial    string    // certificate serial (hex), once issued
	NotAfter  time.Time // certificate expiry (issued, renewed, reminders)
	DaysLeft  int       // reminders: 30, 7, 1
	StatusURL string    // optional: where the applicant follows the application
	Downloads []string  // optional: URLs/formats to download (issued, renewed)
}

// ErrEvent is wrapped by Render's errors for an event it cannot tell: an
// unknown kind, a field the kind needs left empty, a field with control
// characters or invalid UTF-8.
var ErrEvent = errors.New("notify: invalid event")

// moscow is the time zone of the dates in messages: Moscow time, UTC+3
// without summer time since 2014, as Russian official notices give it.
var moscow = time.FixedZone("МСК", 3*60*60)

// months are the Russian month names in the genitive: "15 марта".
var months = [...]string{"января", "февраля", "марта", "апреля", "мая", "июня",
	"июля", "августа", "сентября", "октября", "ноября", "декабря"}

// Render returns the Russian message for e, to the address to. Its ID is
// zero: the outbox sets it.
func Render(to string, e Event) (Message, error) {
	if _, err := parseAddress(to); err != nil {
		return Message{}, err
	}
	if err := e.check(); err != nil {
		return Message{}, err
	}
	var subject string
	var b strings.Builder
	if f := strings.Fields(e.Name); len(f) >= 3 {
		// Surname, given name, patronymic: the polite address is the
		// last two, whatever the applicant's sex.
		fmt.Fprintf(&b, "Здравствуйте, %s!\n\n", strings.Join(f[1:], " "))
	} else if len(f) > 0 {
		fmt.Fprintf(&b, "Здравствуйте, %s!\n\n", strings.Join(f, " "))
	} else {
		b.WriteString("Здравствуйте!\n\n")
	}
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	status := func() {
		if e.StatusURL != "" {
			line("\nСледить за заявкой: %s", e.StatusURL)
			line("Для входа нужен код доступа, выданный при подаче заявки.")
		}
	}
	reason := func() {
		if e.Reason != "" {
			line("\nПричина: %s", strings.TrimSpace(e.Reason))
		}
	}
	certificate := func() {
		line("\nСерийный номер: %s", e.Serial)
		if !e.NotAfter.IsZero() {
			line("Действителен до: %s", date(e.NotAfter))
		}
	}
	downloads := func() {
		if len(e.Downloads) > 0 {
			line("\nСкачать сертификат:")
			for _, d := range e.Downloads {
				line("  %s", d)
			}
		}
		line("\nЗакрытый ключ остался у вас: удостоверяющий центр его не получал")
		line("и не хранит.")
	}

	switch e.Kind {
	case Submitted:
		subject = "Заявка " + e.Number + " принята"
		line("Ваша заявка на сертификат ключа проверки электронной подписи")
		line("принята и ждёт рассмотрения.")
		line("\nНомер заявки: %s", e.Number)
		status()
		line("\nМы сообщим по электронной почте, когда заявка будет рассмотрена.")
	case InReview:
		subject = "Заявка " + e.Number + " на рассмотрении"
		line("Оператор удостоверяющего центра приступил к рассмотрению")
		line("вашей заявки %s.", e.Number)
		status()
	case Approved:
		subject = "Заявка " + e.Number + " одобрена"
		line("Ваша заявка %s одобрена. Сертификат будет выпущен", e.Number)
		line("в ближайшее время; мы сообщим об этом отдельным письмом.")
		status()
	case Rejected:
		subject = "Заявка " + e.Number + " отклонена"
		line("Ваша заявка %s отклонена.", e.Number)
		reason()
		line("\nВы можете подать новую заявку, исправив указанное.")
		status()
	case Cancelled:
		subject = "Заявка " + e.Number + " отменена"
		line("Ваша заявка %s отменена по вашему запросу.", e.Number)
		line("\nЕсли вы её не отменяли, свяжитесь с удостоверяющим центром.")
	case Expired:
		subject = "Срок рассмотрения заявки " + e.Number + " истёк"
		line("Заявка %s не была рассмотрена в установленный срок", e.Number)
		line("и закрыта. При необходимости подайте новую заявку.")
	case Issued:
		subject = "Сертификат выпущен"
		if e.Number != "" {
			subject += " по заявке " + e.Number
			line("По вашей заявке %s выпущен сертификат.", e.Number)
		} else {
			line("Для вас выпущен сертификат.")
		}
		certificate()
		downloads()
		status()
	case Renewed:
		subject = "Сертификат обновлён"
		line("Взамен прежнего сертификата для вас выпущен новый.")
		certificate()
		downloads()
	case Held:
		subject = "Действие сертификата приостановлено"
		line("Действие сертификата с серийным номером %s приостановлено.", e.Serial)
		reason()
		line("\nПока действие приостановлено, подписи этим ключом не признаются")
		line("действительными. Если вы не сообщали об утрате ключа, немедленно")
		line("свяжитесь с удостоверяющим центром.")
	case Released:
		subject = "Действие сертификата возобновлено"
		line("Действие сертификата с серийным номером %s возобновлено.", e.Serial)
	case Revoked:
		subject = "Сертификат отозван"
		line("Сертификат с серийным номером %s отозван.", e.Serial)
		reason()
		line("\nПодписи, созданные этим ключом после отзыва, недействительны.")
		line("Для новой подписи нужен новый сертификат: подайте заявку.")
	case Reminder:
		in := "через " + Days(e.DaysLeft)
		subject = "Срок действия сертификата истекает " + in
		line("Срок действия вашего сертификата с серийным номером %s", e.Serial)
		line("истекает %s: %s.", in, date(e.NotAfter))
		line("\nЧтобы продолжать пользоваться электронной подписью, получите")
		line("новый сертификат заранее. Пока текущий действует, запрос")
		line("на новый можно подписать им, без личного визита.")
	}
	line("\n-- ")
	line("Удостоверяющий центр")
	line("Это письмо отправлено автоматически; отвечать на него не нужно.")
	return Message{To: to, Subject: subject, Body: b.String()}, nil
}

// check returns an error wrapping ErrEvent if e cannot be told.
func (e *Event) check() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrEvent, field, fmt.Sprintf(format, args...))
	}
	var needNumber, needSerial, needExpiry bool
	switch e.Kind {
	case Submitted, InReview, Approved, Rejected, Cancelled, Expired:
		needNumber = true
	case Issued, Renewed, Reminder:
		needSerial, needExpiry = true, true
	case Held, Released, Revoked:
		needSerial = true
	default:
		return bad("kind", "unknown kind %q", e.Kind)
	}
	switch {
	case needNumber && e.Number == "":
		return bad("number", "required for %s", e.Kind)
	case needSerial && e.Serial == "":
		return bad("serial", "required for %s", e.Kind)
	case needExpiry && e.NotAfter.IsZero():
		return bad("not_after", "required for %s", e.Kind)
	case e.Kind == Rejected && strings.TrimSpace(e.Reason) == "":
		return bad("reason", "required for %s", e.Kind)
	case e.Kind == Reminder && e.DaysLeft <= 0:
		return bad("days_left", "must be positive for %s, not %d", e.Kind, e.DaysLeft)
	}
	type text struct {
		name, value string
		lines       bool // several lines allowed
	}
	fields := []text{{"number", e.Number, false}, {"name", e.Name, false}, {"reason", e.Reason, true},
		{"serial", e.Serial, false}, {"status_url", e.StatusURL, false}}
	for _, d := range e.Downloads {
		fields = append(fields, text{"downloads", d, false})
	}
	for _, f := range fields {
		if err := checkText(f.value, f.lines); err != nil {
			return bad(f.name, "%v", err)
		}
	}
	return nil
}

// checkText returns an error if s is not UTF-8 or has control characters
// (line feeds and tabs allowed when lines is set).
func checkText(s string, lines bool) error {
	if !utf8.ValidString(s) {
		return errors.New("not UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(lines && (r == '\n' || r == '\t')) {
			return fmt.Errorf("control character %U", r)
		}
	}
	return nil
}

// Days returns n with the Russian word for days in its right form:
// "1 день", "3 дня", "7 дней", "21 день", "30 дней", "111 дней".
func Days(n int) string {
	m := n
	if m < 0 {
		m = -m
	}
	word := "дней"
	switch {
	case m%100 >= 11 && m%100 <= 14:
	case m%10 == 1:
		word = "день"
	case m%10 >= 2 && m%10 <= 4:
		word = "дня"
	}
	return fmt.Sprintf("%d %s", n, word)
}

// date returns t as Russian notices write it, in Moscow time:
// "15 марта 2027 г., 12:00 (МСК)".
func date(t time.Time) string {
	t = t.In(moscow)
	return fmt.Sprintf("%d %s %d г., %02d:%02d (МСК)", t.Day(), months[t.Month()-1], t.Year(), t.Hour(), t.Minute())
}
