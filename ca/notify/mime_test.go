package notify

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"
)

// sentAt is the Date of the encoded golden messages.
var sentAt = time.Date(2026, time.April, 2, 10, 30, 0, 0, time.FixedZone("", 3*60*60))

func testFrom(t testing.TB) *mail.Address {
	t.Helper()
	a, err := parseAddress("Удостоверяющий центр <ca@example.ru>")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// decoded is an encoded message read back with Go's parsers.
type decoded struct {
	header  mail.Header
	subject string
	body    string
}

// decode parses an encoded message and checks its form: CRLF line ends,
// lines within 78 characters, and the MIME headers.
func decode(t testing.TB, data []byte) decoded {
	t.Helper()
	for i, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\r\n")), []byte("\r\n")) {
		if len(line) > lineMax {
			t.Errorf("line %d has %d characters: %q", i+1, len(line), line)
		}
		if bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, line)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("net/mail: %v\n%s", err, data)
	}
	h := msg.Header
	for name, want := range map[string]string{
		"MIME-Version": "1.0", "Content-Type": "text/plain; charset=utf-8",
		"Content-Transfer-Encoding": "base64", "Auto-Submitted": "auto-generated",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if _, err := h.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil {
		t.Errorf("Subject: %v", err)
	}
	body, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, msg.Body))
	if err != nil {
		t.Errorf("body: %v", err)
	}
	return decoded{header: h, subject: subject, body: string(body)}
}

// TestEncodeGolden keeps the encoded bytes of rendered messages, with a
// fixed date and id, as testdata/mime/NAME.eml.
func TestEncodeGolden(t *testing.T) {
	from := testFrom(t)
	for _, k := range []Kind{Submitted, Issued, Reminder} {
		t.Run(string(k), func(t *testing.T) {
			m, err := Render("Иванов Иван <ivan@example.ru>", event(k))
			if err != nil {
				t.Fatal(err)
			}
			m.ID = 42
			data, err := encode(from, m, sentAt)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "mime/"+string(k)+".eml", data)
			d := decode(t, data)
			if d.subject != m.Subject {
				t.Errorf("subject decodes to %q, want %q", d.subject, m.Subject)
			}
			if want := strings.ReplaceAll(m.Body, "\n", "\r\n"); d.body != want {
				t.Errorf("body decodes to %q, want %q", d.body, want)
			}
			if id := d.header.Get("Message-ID"); id != "<notify.42@example.ru>" {
				t.Errorf("Message-ID %q", id)
			}
			to, err := d.header.AddressList("To")
			if err != nil || len(to) != 1 || to[0].Address != "ivan@example.ru" || to[0].Name != "Иванов Иван" {
				t.Errorf("To: %v, %v", to, err)
			}
			fromList, err := d.header.AddressList("From")
			if err != nil || len(fromList) != 1 || fromList[0].Name != "Удостоверяющий центр" {
				t.Errorf("From: %v, %v", fromList, err)
			}
		})
	}
}

// TestEncodeSubject: subjects go plain or as encoded-words, folded, and
// always decode to themselves.
func TestEncodeSubject(t *testing.T) {
	for _, tc := range []struct {
		name, subject string
		plain         bool // sent as it is
	}{
		{"ascii", "Certificate issued", true},
		{"cyrillic", "Заявка 2026-000123 принята", false},
		{"long cyrillic", strings.Repeat("Срок действия сертификата истекает ", 8), false},
		{"looks encoded", "=?UTF-8?B?0JA=?=", false},
		{"double space", "a  b", false},
		{"leading space", " a", false},
		{"long ascii", strings.Repeat("word ", 20) + "end", false},
		{"emoji", "Сертификат 📜 выпущен", false},
		{"tab", "a\tb", false}, // refused below: a control character
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := encode(testFrom(t), Message{ID: 1, To: "ivan@example.ru", Subject: tc.subject, Body: "x"}, sentAt)
			if strings.ContainsRune(tc.subject, '\t') {
				if !errors.Is(err, ErrMessage) {
					t.Errorf("a tab in the subject: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			d := decode(t, data)
			if d.subject != tc.subject {
				t.Errorf("decodes to %q", d.subject)
			}
			if plain := bytes.Contains(data, []byte("Subject: "+tc.subject+"\r\n")); plain != tc.plain {
				t.Errorf("plain %v, want %v:\n%s", plain, tc.plain, data)
			}
		})
	}
}

// TestEncodeInjection: no recipient or subject can add a header line.
func TestEncodeInjection(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    Message
	}{
		{"CRLF in To", Message{To: "ivan@example.ru\r\nBcc: all@example.ru", Subject: "s", Body: "b"}},
		{"LF in To", Message{To: "ivan@example.ru\nBcc: all@example.ru", Subject: "s", Body: "b"}},
		{"CR in To", Message{To: "ivan@example.ru\rBcc: all@example.ru", Subject: "s", Body: "b"}},
		{"CRLF in Subject", Message{To: "ivan@example.ru", Subject: "s\r\nBcc: all@example.ru", Body: "b"}},
		{"LF in Subject", Message{To: "ivan@example.ru", Subject: "s\nBcc: all@example.ru", Body: "b"}},
		{"NUL in Subject", Message{To: "ivan@example.ru", Subject: "s\x00", Body: "b"}},
		{"two recipients", Message{To: "ivan@example.ru, all@example.ru", Subject: "s", Body: "b"}},
		{"a group", Message{To: "all: ivan@example.ru, petr@example.ru;", Subject: "s", Body: "b"}},
		{"no address", Message{To: "", Subject: "s", Body: "b"}},
		{"no domain", Message{To: "ivan@", Subject: "s", Body: "b"}},
		{"empty subject", Message{To: "ivan@example.ru", Subject: "", Body: "b"}},
		{"subject not UTF-8", Message{To: "ivan@example.ru", Subject: "\xc3", Body: "b"}},
		{"body not UTF-8", Message{To: "ivan@example.ru", Subject: "s", Body: "\xff"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := encode(testFrom(t), tc.m, sentAt)
			if !errors.Is(err, ErrMessage) || !Permanent(err) {
				t.Fatalf("encoded (%v):\n%s", err, data)
			}
		})
	}
}

// TestEncodeBodyLineEnds: LF, CRLF and CR all become CRLF.
func TestEncodeBodyLineEnds(t *testing.T) {
	data, err := encode(testFrom(t), Message{To: "ivan@example.ru", Subject: "s", Body: "a\nb\r\nc\rd\n"}, sentAt)
	if err != nil {
		t.Fatal(err)
	}
	if d := decode(t, data); d.body != "a\r\nb\r\nc\r\nd\r\n" {
		t.Errorf("body %q", d.body)
	}
}

// FuzzEncode: whatever the recipient, subject and body, a message either
// is refused with ErrMessage or parses back to exactly one recipient, its
// subject and its body, under the fixed set of headers.
func FuzzEncode(f *testing.F) {
	f.Add("ivan@example.ru", "Заявка 2026-000123 принята", "Здравствуйте!\n")
	f.Add("Иванов <ivan@example.ru>", "=?UTF-8?B?0JA=?=", "a\r\nb")
	f.Add("ivan@example.ru\r\nBcc: x@y", "s\r\nBcc: x@y", "")
	f.Add(`"a\"b" <x@y.ru>`, strings.Repeat("ё", 100), strings.Repeat("long line ", 50))
	from := testFrom(f)
	f.Fuzz(func(t *testing.T, to, subject, body string) {
		data, err := encode(from, Message{ID: 7, To: to, Subject: subject, Body: body}, sentAt)
		if err != nil {
			if !errors.Is(err, ErrMessage) {
				t.Fatalf("error %v does not wrap ErrMessage", err)
			}
			return
		}
		msg, err := mail.ReadMessage(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("net/mail: %v\n%q", err, data)
		}
		if len(msg.Header) != 9 {
			t.Fatalf("%d headers, want 9: %q", len(msg.Header), data)
		}
		want, _ := mail.ParseAddress(to)
		list, err := msg.Header.AddressList("To")
		if err != nil || len(list) != 1 || list[0].Address != want.Address {
			t.Fatalf("To %q parses to %v, %v", to, list, err)
		}
		got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil || got != subject {
			t.Fatalf("subject %q decodes to %q, %v", subject, got, err)
		}
		text, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, msg.Body))
		crlf := strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n"), "\n", "\r\n")
		if err != nil || string(text) != crlf {
			t.Fatalf("body %q decodes to %q, %v", body, text, err)
		}
	})
}
