package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"time"
)

// Sender sends one message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// StartTLS says whether the SMTP client insists on STARTTLS (RFC 3207).
type StartTLS string

// The StartTLS modes.
const (
	// StartTLSRequired refuses a server that does not offer STARTTLS,
	// and a certificate that does not verify: nothing is sent in clear.
	// It is the default.
	StartTLSRequired StartTLS = "required"
	// StartTLSNone talks in clear. Only a server on the loopback
	// interface (a local relay, a test) may be configured so, and
	// without credentials.
	StartTLSNone StartTLS = "none"
)

// SMTPConfig configures an SMTP client. Addr and From are required; every
// other field has a default.
type SMTPConfig struct {
	// Addr is the server's host:port, the submission port 587 as a rule.
	Addr string
	// From is the sender, "ca@example.ru" or "УЦ Пример <ca@example.ru>":
	// the From header and the envelope's MAIL FROM. Its domain is that
	// of the Message-ID.
	From string
	// Username and Password, when Username is set, log in with AUTH
	// PLAIN (RFC 4616), inside TLS only.
	Username, Password string
	// StartTLS is StartTLSRequired (the default, also for "") or
	// StartTLSNone.
	StartTLS StartTLS
	// RootCAs verify the server's certificate; nil means the system's
	// pool.
	RootCAs *x509.CertPool
	// ServerName is the name the server's certificate must carry;
	// default the host of Addr.
	ServerName string
	// Hello is the client's name in EHLO; default "localhost".
	Hello string
	// DialTimeout bounds the connection, default 10 seconds; Timeout
	// the whole conversation of one message, default 30 seconds. A
	// context's deadline, if sooner, wins.
	DialTimeout, Timeout time.Duration
	// Now is the clock of the Date header; default time.Now.
	Now func() time.Time
}

// LogValue logs the configuration without the password.
func (c SMTPConfig) LogValue() slog.Value {
	mode := c.StartTLS
	if mode == "" {
		mode = StartTLSRequired
	}
	return slog.GroupValue(slog.String("addr", c.Addr), slog.String("from", c.From),
		slog.String("username", c.Username), slog.String("starttls", string(mode)),
		slog.String("server_name", c.ServerName))
}

// SMTP sends messages to one mail server, a connection per message. It is
// safe for concurrent use.
type SMTP struct {
	addr       string
	from       *mail.Address
	username   string
	password   string
	tls        *tls.Config // nil for StartTLSNone
	serverName string
	hello      string
	dial       time.Duration
	timeout    time.Duration
	now        func() time.Time
}

var _ Sender = (*SMTP)(nil)

// NewSMTP checks cfg and returns a client; it does not connect.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("notify: SMTPConfig.%s: %s", field, fmt.Sprintf(format, args...))
	}
	host, _, err := splitAddr(cfg.Addr)
	if err != nil {
		return nil, bad("Addr", "%v", err)
	}
	from, err := parseAddress(cfg.From)
	if err != nil {
		return nil, bad("From", "%v", err)
	}
	s := &SMTP{
		addr: cfg.Addr, from: from, username: cfg.Username, password: cfg.Password,
		serverName: cfg.ServerName, hello: cfg.Hello, dial: cfg.DialTimeout, timeout: cfg.Timeout, now: cfg.Now,
	}
	if s.serverName == "" {
		s.serverName = host
	}
	if s.hello == "" {
		s.hello = "localhost"
	}
	if s.dial <= 0 {
		s.dial = 10 * time.Second
	}
	if s.timeout <= 0 {
		s.timeout = 30 * time.Second
	}
	if s.now == nil {
		s.now = time.Now
	}
	if cfg.Username == "" && cfg.Password != "" {
		return nil, bad("Password", "set without a Username")
	}
	switch cfg.StartTLS {
	case "", StartTLSRequired:
		s.tls = &tls.Config{ServerName: s.serverName, RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12}
	case StartTLSNone:
		if !loopback(host) {
			return nil, bad("StartTLS", "%q is for a server on the loopback interface, not %s", StartTLSNone, host)
		}
		if cfg.Username != "" {
			return nil, bad("StartTLS", "%q sends no credentials: a Username needs TLS", StartTLSNone)
		}
	default:
		return nil, bad("StartTLS", "%q is neither %q nor %q", cfg.StartTLS, StartTLSRequired, StartTLSNone)
	}
	return s, nil
}

// splitAddr splits host:port, both required, the port a number.
func splitAddr(addr string) (host string, port int, err error) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("%q is not host:port", addr)
	}
	n, err := strconv.Atoi(p)
	if h == "" || err != nil || n <= 0 || n > 65535 {
		return "", 0, fmt.Errorf("%q is not host:port", addr)
	}
	return h, n, nil
}

// loopback reports whether host names the loopback interface.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ErrNoSTARTTLS is wrapped when the server does not offer STARTTLS and
// the client requires it: nothing was sent.
var ErrNoSTARTTLS = errors.New("notify: the server does not offer STARTTLS; nothing sent in clear")

// ErrAuth is wrapped when the server refuses the username and password.
var ErrAuth = errors.New("notify: the server refused the login")

// ErrSMTPUTF8 is wrapped when an address is not ASCII and the server does
// not offer SMTPUTF8 (RFC 6531), without which it cannot be sent. It is
// permanent.
var ErrSMTPUTF8 = errors.New("notify: a non-ASCII address needs SMTPUTF8, which the server does not offer")

// SMTPError is a server's refusal of a command.
type SMTPError struct {
	Server  string // host:port
	Command string // EHLO, STARTTLS, AUTH, MAIL, RCPT or DATA (its end)
	Code    int    // the reply code, 421, 535, 550, ...
	Text    string // the reply's text
	err     error  // a sentinel to wrap: ErrAuth
}

func (e *SMTPError) Error() string {
	return fmt.Sprintf("notify: %s answered %s with %d %s", e.Server, e.Command, e.Code, e.Text)
}

// Unwrap returns ErrAuth for a refused login.
func (e *SMTPError) Unwrap() error { return e.err }

// Permanent reports whether the server refused this message for good: a
// 5xx answer to RCPT TO or to the message's data. A 5xx to an earlier
// command is about the sender's configuration, which an operator fixes,
// not about the message, so it is not.
func (e *SMTPError) Permanent() bool {
	return e.Code >= 500 && (e.Command == "RCPT" || e.Command == "DATA")
}

// Permanent reports whether err, from a Sender, says the message will
// never go as it is: it wraps ErrMessage or ErrSMTPUTF8, or an error with
// a Permanent() bool method that says so (an [SMTPError], or any
// Sender's own).
func Permanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.Is(err, ErrMessage) || errors.Is(err, ErrSMTPUTF8) || errors.As(err, &p) && p.Permanent()
}

// Send sends m: a connection, EHLO, STARTTLS (unless configured none),
// AUTH PLAIN (with a Username), MAIL, RCPT, DATA, QUIT. The message was
// accepted when Send returns nil. Errors are [SMTPError] for a server's
// refusal, wrap [ErrMessage], [ErrNoSTARTTLS], [ErrAuth] or [ErrSMTPUTF8],
// or are the network's.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	data, err := encode(s.from, m, s.now())
	if err != nil {
		return err
	}
	to, _ := parseAddress(m.To) // checked by encode
	if err := ctx.Err(); err != nil {
		return err
	}
	d := net.Dialer{Timeout: s.dial}
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return fmt.Errorf("notify: connecting to the mail server: %w", err)
	}
	defer conn.Close()
	deadline := time.Now().Add(s.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	err = s.converse(conn, to, data)
	if cerr := ctx.Err(); cerr != nil && err != nil {
		return fmt.Errorf("notify: sending to %s: %w", s.addr, cerr)
	}
	return err
}

// converse speaks SMTP on conn.
func (s *SMTP) converse(conn net.Conn, to *mail.Address, data []byte) error {
	refused := func(cmd string, err error, sentinel error) error {
		var tp *textproto.Error
		if errors.As(err, &tp) {
			return &SMTPError{Server: s.addr, Command: cmd, Code: tp.Code, Text: tp.Msg, err: sentinel}
		}
		if sentinel != nil {
			return fmt.Errorf("%w: %s: %w", sentinel, s.addr, err)
		}
		return fmt.Errorf("notify: %s: %s: %w", s.addr, cmd, err)
	}
	c, err := smtp.NewClient(conn, s.serverName)
	if err != nil {
		return refused("greeting", err, nil)
	}
	defer c.Close()
	if err := c.Hello(s.hello); err != nil {
		return refused("EHLO", err, nil)
	}
	// net/smtp sends EHLO lazily: Extension does it now (and keeps an
	// error for the next command).
	offered, _ := c.Extension("STARTTLS")
	if s.tls != nil {
		if !offered {
			return fmt.Errorf("%w (%s)", ErrNoSTARTTLS, s.addr)
		}
		if err := c.StartTLS(s.tls); err != nil {
			return refused("STARTTLS", err, nil)
		}
	}
	if s.username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.username, s.password, s.serverName)); err != nil {
			return refused("AUTH", err, ErrAuth)
		}
	}
	if !ascii(s.from.Address) || !ascii(to.Address) {
		if ok, _ := c.Extension("SMTPUTF8"); !ok {
			return fmt.Errorf("%w (%s)", ErrSMTPUTF8, s.addr)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return refused("MAIL", err, nil)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return refused("RCPT", err, nil)
	}
	w, err := c.Data()
	if err != nil {
		return refused("DATA", err, nil)
	}
	if _, err := w.Write(data); err != nil {
		return refused("DATA", err, nil)
	}
	if err := w.Close(); err != nil {
		return refused("DATA", err, nil)
	}
	c.Quit() // the message is accepted; a lost QUIT changes nothing
	return nil
}
