package interop

import (
	"crypto/tls"
	"net"
	"net/smtp"
	"strings"
	"testing"
	"time"
)

// sendPlain sends one message with net/smtp: STARTTLS when the server
// has roots, AUTH PLAIN when user is set.
func sendPlain(t *testing.T, s *SMTPServer, user, password, to, msg string) error {
	t.Helper()
	conn, err := net.DialTimeout("tcp", s.Addr(), 2*time.Second)
	if err != nil {
		return err
	}
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	c, err := smtp.NewClient(conn, "127.0.0.1")
	if err != nil {
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: "127.0.0.1", RootCAs: s.RootCAs()}); err != nil {
			return err
		}
	}
	if user != "" {
		if err := c.Auth(smtp.PlainAuth("", user, password, "127.0.0.1")); err != nil {
			return err
		}
	}
	if err := c.Mail("ca@example.ru"); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(msg)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

const testMessage = "From: ca@example.ru\r\nTo: ivan@example.ru\r\n" +
	"Subject: =?UTF-8?B?0JfQsNGP0LLQutCwINC/0YDQuNC90Y/RgtCw?=\r\n" +
	"Message-ID: <notify.1@example.ru>\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
	"0JfQtNGA0LDQstGB0YLQstGD0LnRgtC1IQo=\r\n"

// TestSMTPServer runs the server once through its options: STARTTLS and
// AUTH PLAIN required, the message decoded on the server's side, a
// refused recipient, and a restart on the same port.
func TestSMTPServer(t *testing.T) {
	s := StartSMTP(t, SMTPOptions{User: "ca", Password: "секрет", Reject: []string{"nobody@example.ru"}})
	if err := sendPlain(t, s, "ca", "wrong", "ivan@example.ru", testMessage); err == nil || !strings.Contains(err.Error(), "535") {
		t.Errorf("a wrong password: %v, want 535", err)
	}
	if err := sendPlain(t, s, "ca", "секрет", "nobody@example.ru", testMessage); err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("a rejected recipient: %v, want 550", err)
	}
	if err := sendPlain(t, s, "ca", "секрет", "ivan@example.ru", testMessage); err != nil {
		t.Fatal(err)
	}
	m := s.WaitMessages(1, 5*time.Second)[0]
	if m.Subject != "Заявка принята" || m.Body != "Здравствуйте!\n" || m.MessageID != "<notify.1@example.ru>" ||
		!m.TLS || m.Login != "ca" || m.Charset != "utf-8" || len(m.Defects) != 0 ||
		m.MailFrom != "ca@example.ru" || len(m.RcptTo) != 1 || m.RcptTo[0] != "ivan@example.ru" {
		t.Errorf("received %+v", m)
	}

	addr := s.Addr()
	s.Stop()
	if err := sendPlain(t, s, "ca", "секрет", "ivan@example.ru", testMessage); err == nil {
		t.Error("a stopped server took a message")
	}
	s.Start()
	if s.Addr() != addr {
		t.Errorf("restarted on %s, not %s", s.Addr(), addr)
	}
	if err := sendPlain(t, s, "ca", "секрет", "ivan@example.ru", testMessage); err != nil {
		t.Fatal(err)
	}
	if n := len(s.WaitMessages(2, 5*time.Second)); n != 2 {
		t.Errorf("%d messages after the restart, want 2", n)
	}
}

// TestSMTPServerNoTLS: without TLS the server offers no STARTTLS and takes
// mail in clear.
func TestSMTPServerNoTLS(t *testing.T) {
	s := StartSMTP(t, SMTPOptions{NoTLS: true})
	if err := sendPlain(t, s, "", "", "ivan@example.ru", testMessage); err != nil {
		t.Fatal(err)
	}
	if m := s.WaitMessages(1, 5*time.Second)[0]; m.TLS || m.Subject != "Заявка принята" {
		t.Errorf("received %+v", m)
	}
}
