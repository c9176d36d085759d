package notify

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or writes it there with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to make it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// notAfter is the expiry of the test certificate: 12:00 in Moscow.
var notAfter = time.Date(2027, time.March, 15, 9, 0, 0, 0, time.UTC)

// event returns an event of kind k with every field its kind may use.
func event(k Kind) Event {
	e := Event{Kind: k, Number: "2026-000123", Name: "Иванов Иван Иванович",
		StatusURL: "https://ca.example.ru/ra/applications/2026-000123"}
	switch k {
	case Rejected:
		e.Reason = "Скан паспорта нечитаем."
	case Revoked:
		e.Reason = "Компрометация ключа (сообщение владельца)."
	case Held:
		e.Reason = "Владелец сообщил об утрате ключа."
	case Reminder:
		e.DaysLeft = 7
	}
	switch k {
	case Issued, Renewed, Held, Released, Revoked, Reminder:
		e.Serial = "5f3a9c0e71d2b4a8"
		e.NotAfter = notAfter
		e.Downloads = []string{
			"https://ca.example.ru/ra/v1/applications/2026-000123/certificate?format=der",
			"https://ca.example.ru/ra/v1/applications/2026-000123/certificate?format=pem",
			"https://ca.example.ru/ra/v1/applications/2026-000123/certificate?format=p7b",
		}
	}
	return e
}

// renderRow is a rendered message kept as a golden file.
type renderRow struct {
	name string
	e    Event
}

// renderRows are every kind, and the variants that change the text.
func renderRows() []renderRow {
	var rows []renderRow
	for _, k := range Kinds() {
		rows = append(rows, renderRow{string(k), event(k)})
	}
	add := func(name string, k Kind, f func(e *Event)) {
		e := event(k)
		f(&e)
		rows = append(rows, renderRow{name, e})
	}
	add("reminder-1", Reminder, func(e *Event) { e.DaysLeft = 1 })
	add("reminder-30", Reminder, func(e *Event) { e.DaysLeft = 30 })
	add("issued-bare", Issued, func(e *Event) { e.Number, e.StatusURL, e.Downloads, e.Name = "", "", nil, "" })
	add("rejected-lines", Rejected, func(e *Event) {
		e.Reason = "Не совпадает СНИЛС.\nНе приложен паспорт."
	})
	add("submitted-two-names", Submitted, func(e *Event) { e.Name, e.StatusURL = "Иванов Иван", "" })
	return rows
}

// TestRender keeps each rendered message as testdata/render/NAME.txt: the
// subject and body as an applicant reads them.
func TestRender(t *testing.T) {
	for _, row := range renderRows() {
		t.Run(row.name, func(t *testing.T) {
			m, err := Render("ivan@example.ru", row.e)
			if err != nil {
				t.Fatal(err)
			}
			if m.To != "ivan@example.ru" || m.ID != 0 {
				t.Errorf("To %q, ID %d", m.To, m.ID)
			}
			if !strings.HasSuffix(m.Body, "\n") || strings.Contains(m.Body, "\r") {
				t.Errorf("body does not end in one LF per line: %q", m.Body)
			}
			golden(t, "render/"+row.name+".txt", []byte("Subject: "+m.Subject+"\n\n"+m.Body))
		})
	}
}

// TestRenderSubjects checks the subjects the brief names, word for word.
func TestRenderSubjects(t *testing.T) {
	for _, tc := range []struct {
		name string
		e    Event
		want string
	}{
		{"submitted", event(Submitted), "Заявка 2026-000123 принята"},
		{"rejected", event(Rejected), "Заявка 2026-000123 отклонена"},
		{"issued", event(Issued), "Сертификат выпущен по заявке 2026-000123"},
		{"issued without a number", Event{Kind: Issued, Serial: "01", NotAfter: notAfter}, "Сертификат выпущен"},
		{"revoked", event(Revoked), "Сертификат отозван"},
		{"held", event(Held), "Действие сертификата приостановлено"},
		{"1 day", Event{Kind: Reminder, Serial: "01", NotAfter: notAfter, DaysLeft: 1}, "Срок действия сертификата истекает через 1 день"},
		{"7 days", Event{Kind: Reminder, Serial: "01", NotAfter: notAfter, DaysLeft: 7}, "Срок действия сертификата истекает через 7 дней"},
		{"30 days", Event{Kind: Reminder, Serial: "01", NotAfter: notAfter, DaysLeft: 30}, "Срок действия сертификата истекает через 30 дней"},
		{"3 days", Event{Kind: Reminder, Serial: "01", NotAfter: notAfter, DaysLeft: 3}, "Срок действия сертификата истекает через 3 дня"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Render("ivan@example.ru", tc.e)
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tc.want {
				t.Errorf("subject %q, want %q", m.Subject, tc.want)
			}
		})
	}
}

func TestDays(t *testing.T) {
	for n, want := range map[int]string{
		0: "0 дней", 1: "1 день", 2: "2 дня", 4: "4 дня", 5: "5 дней", 7: "7 дней",
		11: "11 дней", 12: "12 дней", 14: "14 дней", 21: "21 день", 22: "22 дня",
		25: "25 дней", 30: "30 дней", 31: "31 день", 101: "101 день", 111: "111 дней",
		112: "112 дней", 122: "122 дня", -1: "-1 день",
	} {
		if got := Days(n); got != want {
			t.Errorf("Days(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestRenderInvalid: events Render refuses, each with the field named.
func TestRenderInvalid(t *testing.T) {
	for _, tc := range []struct {
		name  string
		to    string
		e     Event
		field string // in the error; "" for an address error
	}{
		{"unknown kind", "ivan@example.ru", Event{Kind: "approved!", Number: "1"}, "kind"},
		{"no kind", "ivan@example.ru", Event{Number: "1"}, "kind"},
		{"submitted without a number", "ivan@example.ru", Event{Kind: Submitted}, "number"},
		{"rejected without a reason", "ivan@example.ru", Event{Kind: Rejected, Number: "1", Reason: " \n"}, "reason"},
		{"issued without a serial", "ivan@example.ru", Event{Kind: Issued, NotAfter: notAfter}, "serial"},
		{"issued without an expiry", "ivan@example.ru", Event{Kind: Issued, Serial: "01"}, "not_after"},
		{"revoked without a serial", "ivan@example.ru", Event{Kind: Revoked}, "serial"},
		{"reminder of 0 days", "ivan@example.ru", Event{Kind: Reminder, Serial: "01", NotAfter: notAfter}, "days_left"},
		{"number with a line break", "ivan@example.ru", Event{Kind: Submitted, Number: "1\r\nBcc: x@example.ru"}, "number"},
		{"name with a control", "ivan@example.ru", Event{Kind: Submitted, Number: "1", Name: "Иван\x00"}, "name"},
		{"name not UTF-8", "ivan@example.ru", Event{Kind: Submitted, Number: "1", Name: "\xff"}, "name"},
		{"reason with an escape", "ivan@example.ru", Event{Kind: Rejected, Number: "1", Reason: "нет\x1b[31m"}, "reason"},
		{"download with a line break", "ivan@example.ru", Event{Kind: Issued, Serial: "01", NotAfter: notAfter, Downloads: []string{"a\nb"}}, "downloads"},
		{"status URL with a line break", "ivan@example.ru", Event{Kind: Submitted, Number: "1", StatusURL: "a\nb"}, "status_url"},
		{"empty address", "", event(Submitted), ""},
		{"address with a header", "ivan@example.ru\r\nBcc: all@example.ru", event(Submitted), ""},
		{"two addresses", "ivan@example.ru, petr@example.ru", event(Submitted), ""},
		{"no domain", "ivan", event(Submitted), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Render(tc.to, tc.e)
			switch {
			case err == nil:
				t.Fatal("rendered")
			case tc.field == "" && !errors.Is(err, ErrMessage):
				t.Errorf("%v, want ErrMessage", err)
			case tc.field != "" && (!errors.Is(err, ErrEvent) || !strings.Contains(err.Error(), ": "+tc.field+": ")):
				t.Errorf("%v, want ErrEvent naming %s", err, tc.field)
			}
		})
	}
}
