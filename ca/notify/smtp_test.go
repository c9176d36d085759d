package notify

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/internal/interop"
)

const (
	testUser     = "ca"
	testPassword = "пароль-для-теста"
)

// newClient returns a client of s that logs in as testUser, with edit
// applied to its configuration.
func newClient(t *testing.T, s *interop.SMTPServer, edit func(*SMTPConfig)) *SMTP {
	t.Helper()
	cfg := SMTPConfig{
		Addr: s.Addr(), From: "Удостоверяющий центр <ca@example.ru>",
		Username: testUser, Password: testPassword,
		RootCAs: s.RootCAs(), DialTimeout: time.Second, Timeout: 5 * time.Second,
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSMTPDelivers sends a message of every kind to a real server, over
// STARTTLS with AUTH PLAIN, and reads them as the server decoded them:
// readable Russian subjects and bodies, a Message-ID from the id.
func TestSMTPDelivers(t *testing.T) {
	s := interop.StartSMTP(t, interop.SMTPOptions{User: testUser, Password: testPassword})
	c := newClient(t, s, nil)
	var sent []Message
	for i, k := range Kinds() {
		m, err := Render("Иванов Иван Иванович <ivan@example.ru>", event(k))
		if err != nil {
			t.Fatal(err)
		}
		m.ID = uint64(100 + i)
		if err := c.Send(t.Context(), m); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		sent = append(sent, m)
	}
	got := s.WaitMessages(len(sent), 5*time.Second)
	if len(got) != len(sent) {
		t.Fatalf("%d messages arrived, want %d", len(got), len(sent))
	}
	for i, m := range sent {
		r := got[i]
		if r.Subject != m.Subject {
			t.Errorf("%d: subject %q, want %q", m.ID, r.Subject, m.Subject)
		}
		if r.Body != m.Body {
			t.Errorf("%d: body\n%s\nwant\n%s", m.ID, r.Body, m.Body)
		}
		if want := messageID(m.ID, "example.ru"); r.MessageID != want {
			t.Errorf("%d: Message-ID %q, want %q", m.ID, r.MessageID, want)
		}
		if !r.TLS || r.Login != testUser || r.MailFrom != "ca@example.ru" || len(r.RcptTo) != 1 || r.RcptTo[0] != "ivan@example.ru" {
			t.Errorf("%d: TLS %v, login %q, envelope %s → %v", m.ID, r.TLS, r.Login, r.MailFrom, r.RcptTo)
		}
		if r.To != "Иванов Иван Иванович <ivan@example.ru>" || r.From != "Удостоверяющий центр <ca@example.ru>" {
			t.Errorf("%d: From %q, To %q", m.ID, r.From, r.To)
		}
		if r.ContentType != "text/plain" || r.Charset != "utf-8" || r.MIME != "1.0" || r.Date == "" || len(r.Defects) != 0 {
			t.Errorf("%d: %s charset %s, MIME %q, Date %q, defects %v", m.ID, r.ContentType, r.Charset, r.MIME, r.Date, r.Defects)
		}
	}
	if !strings.Contains(got[0].Subject, "Заявка 2026-000123 принята") {
		t.Errorf("first subject %q", got[0].Subject)
	}
}

// TestSMTPRefusals: the client's refusals and the server's, each with
// nothing delivered and the error a caller can tell apart. Two servers
// serve the rows: one in clear, one with STARTTLS, a login and a refused
// recipient.
func TestSMTPRefusals(t *testing.T) {
	m := Message{ID: 1, To: "ivan@example.ru", Subject: "Заявка 2026-000123 принята", Body: "Здравствуйте!\n"}
	clear := interop.StartSMTP(t, interop.SMTPOptions{NoTLS: true, User: testUser, Password: testPassword})
	full := interop.StartSMTP(t, interop.SMTPOptions{User: testUser, Password: testPassword, Reject: []string{"nobody@example.ru"}})
	for _, tc := range []struct {
		name      string
		clear     bool // to the server in clear
		edit      func(*SMTPConfig)
		to        string
		check     func(error) bool
		permanent bool
	}{
		{"no STARTTLS", true, func(c *SMTPConfig) { c.Username, c.Password = "", "" }, "",
			func(err error) bool { return errors.Is(err, ErrNoSTARTTLS) }, false},
		{"no STARTTLS, with a login", true, nil, "",
			func(err error) bool { return errors.Is(err, ErrNoSTARTTLS) }, false},
		{"wrong password", false, func(c *SMTPConfig) { c.Password = "не тот" }, "",
			func(err error) bool {
				var se *SMTPError
				return errors.Is(err, ErrAuth) && errors.As(err, &se) && se.Command == "AUTH" && se.Code == 535 &&
					strings.Contains(err.Error(), "535 5.7.8") && !strings.Contains(err.Error(), "не тот")
			}, false},
		{"no login", false, func(c *SMTPConfig) { c.Username, c.Password = "", "" }, "",
			func(err error) bool {
				var se *SMTPError
				return errors.As(err, &se) && se.Command == "MAIL" && se.Code == 530
			}, false},
		{"untrusted certificate", false, func(c *SMTPConfig) { c.RootCAs, c.Username, c.Password = nil, "", "" }, "",
			func(err error) bool {
				return strings.Contains(err.Error(), "STARTTLS") && strings.Contains(err.Error(), "certificate")
			}, false},
		{"wrong server name", false, func(c *SMTPConfig) { c.ServerName, c.Username, c.Password = "mail.example.ru", "", "" }, "",
			func(err error) bool { return strings.Contains(err.Error(), "mail.example.ru") }, false},
		{"recipient refused", false, nil, "nobody@example.ru",
			func(err error) bool {
				var se *SMTPError
				return errors.As(err, &se) && se.Command == "RCPT" && se.Code == 550
			}, true},
		{"non-ASCII address, no SMTPUTF8", false, nil, "иван@почта.рф",
			func(err error) bool { return errors.Is(err, ErrSMTPUTF8) }, true},
		{"header injection", false, nil, "ivan@example.ru\r\nBcc: all@example.ru",
			func(err error) bool { return errors.Is(err, ErrMessage) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := full
			if tc.clear {
				s = clear
			}
			c := newClient(t, s, tc.edit)
			m := m
			if tc.to != "" {
				m.To = tc.to
			}
			err := c.Send(t.Context(), m)
			if err == nil || !tc.check(err) {
				t.Fatalf("Send: %v", err)
			}
			if Permanent(err) != tc.permanent {
				t.Errorf("Permanent(%v) = %v", err, !tc.permanent)
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Errorf("the error shows the password: %v", err)
			}
			if n := len(s.Messages()); n != 0 {
				t.Errorf("the server has %d messages", n)
			}
		})
	}
}

// TestSMTPInClear: "none" talks to a loopback server without TLS.
func TestSMTPInClear(t *testing.T) {
	s := interop.StartSMTP(t, interop.SMTPOptions{NoTLS: true})
	c := newClient(t, s, func(c *SMTPConfig) { c.StartTLS, c.Username, c.Password = StartTLSNone, "", "" })
	if err := c.Send(t.Context(), Message{ID: 3, To: "ivan@example.ru", Subject: "Сертификат отозван", Body: "текст\n"}); err != nil {
		t.Fatal(err)
	}
	if r := s.WaitMessages(1, 5*time.Second)[0]; r.TLS || r.Subject != "Сертификат отозван" || r.Body != "текст\n" {
		t.Errorf("received %+v", r)
	}
}

// TestSMTPUTF8: an address in Cyrillic goes to a server that offers
// SMTPUTF8.
func TestSMTPUTF8(t *testing.T) {
	s := interop.StartSMTP(t, interop.SMTPOptions{SMTPUTF8: true})
	c := newClient(t, s, func(c *SMTPConfig) { c.Username, c.Password = "", "" })
	if err := c.Send(t.Context(), Message{ID: 4, To: "иван@почта.рф", Subject: "Заявка 1 принята", Body: "текст\n"}); err != nil {
		t.Fatal(err)
	}
	if r := s.WaitMessages(1, 5*time.Second)[0]; len(r.RcptTo) != 1 || r.RcptTo[0] != "иван@почта.рф" || r.To != "иван@почта.рф" || len(r.Defects) != 0 {
		t.Errorf("received %+v", r)
	}
}

// TestSMTPDown: a stopped server is a failure that may pass, reported at
// once; a cancelled context stops a Send.
func TestSMTPDown(t *testing.T) {
	s := interop.StartSMTP(t, interop.SMTPOptions{})
	c := newClient(t, s, func(c *SMTPConfig) { c.Username, c.Password = "", "" })
	s.Stop()
	m := Message{ID: 5, To: "ivan@example.ru", Subject: "s", Body: "b"}
	err := c.Send(t.Context(), m)
	if err == nil || Permanent(err) {
		t.Fatalf("Send to a stopped server: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := c.Send(ctx, m); !errors.Is(err, context.Canceled) {
		t.Errorf("Send with a cancelled context: %v", err)
	}
}
