package notify

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"
)

// Config is the "mail" section of gostca.json:
//
//	"mail": {
//	  "smtp": "smtp.example.ru:587",
//	  "from": "ca@example.ru",
//	  "username": "ca",
//	  "password_file": "/etc/gostca/smtp-pass",
//	  "starttls": "required",
//	  "ca_file": "",
//	  "server_name": "",
//	  "timeout": "30s"
//	}
//
// The command line reads the password file; [Config.SMTPConfig] reads the
// CA file.
type Config struct {
	// SMTP is the server's host:port, required.
	SMTP string `json:"smtp"`
	// From is the sender's address, required; a display name is allowed:
	// "УЦ Пример <ca@example.ru>".
	From string `json:"from"`
	// Username logs in with AUTH PLAIN; PasswordFile, required with
	// it, holds the password, which the command line reads.
	Username     string `json:"username"`
	PasswordFile string `json:"password_file"`
	// StartTLS is "required" (the default, also when empty) or "none",
	// for a server on the loopback interface and without a username.
	StartTLS string `json:"starttls"`
	// CAFile is a PEM file of the certificates that verify the server's;
	// empty means the system's.
	CAFile string `json:"ca_file"`
	// ServerName is the name the server's certificate must carry;
	// empty means the host of SMTP.
	ServerName string `json:"server_name"`
	// Timeout bounds the conversation of one message, as Go writes
	// durations ("30s", "1m"); empty means 30 seconds.
	Timeout string `json:"timeout"`
	// Retry is the delay before the first retry of a message the server
	// did not take, doubling with each further failure up to an hour, as
	// Go writes durations; empty means 30 seconds.
	Retry string `json:"retry"`
}

// RetryDelay returns Retry as a duration, 0 for the default.
func (c *Config) RetryDelay() time.Duration {
	d, _ := time.ParseDuration(c.Retry)
	return d
}

// ErrConfig is wrapped by every ConfigError.
var ErrConfig = errors.New("notify: invalid mail configuration")

// ConfigError is a field of the mail configuration that is wrong; Field
// is its name in gostca.json, "mail.smtp".
type ConfigError struct {
	Field   string
	Problem string
}

func (e *ConfigError) Error() string { return "notify: " + e.Field + ": " + e.Problem }

// Unwrap returns ErrConfig.
func (e *ConfigError) Unwrap() error { return ErrConfig }

// ParseConfig decodes the mail section (the JSON object alone), refusing
// unknown fields, and validates it.
func ParseConfig(data []byte) (*Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, &ConfigError{Field: "mail", Problem: err.Error()}
	}
	if dec.More() {
		return nil, &ConfigError{Field: "mail", Problem: "data after the object"}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate returns a *ConfigError for the first wrong field, or nil.
func (c *Config) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &ConfigError{Field: "mail." + field, Problem: fmt.Sprintf(format, args...)}
	}
	if c.SMTP == "" {
		return bad("smtp", "required (host:port, smtp.example.ru:587)")
	}
	host, _, err := splitAddr(c.SMTP)
	if err != nil {
		return bad("smtp", "%v (smtp.example.ru:587)", err)
	}
	if c.From == "" {
		return bad("from", "required (ca@example.ru)")
	}
	if _, err := parseAddress(c.From); err != nil {
		return bad("from", "not an e-mail address: %s", strings.TrimPrefix(err.Error(), ErrMessage.Error()+": "))
	}
	switch {
	case c.Username != "" && c.PasswordFile == "":
		return bad("password_file", "required with a username")
	case c.Username == "" && c.PasswordFile != "":
		return bad("username", "required with a password_file")
	}
	switch StartTLS(c.StartTLS) {
	case "", StartTLSRequired:
	case StartTLSNone:
		if !loopback(host) {
			return bad("starttls", "%q only for a server on the loopback interface (127.0.0.1, ::1, localhost), not %s", StartTLSNone, host)
		}
		if c.Username != "" {
			return bad("starttls", "%q sends no password in clear: remove the username, or use %q", StartTLSNone, StartTLSRequired)
		}
	default:
		return bad("starttls", "%q, not %q or %q", c.StartTLS, StartTLSRequired, StartTLSNone)
	}
	if strings.ContainsAny(c.ServerName, " \t\r\n/") {
		return bad("server_name", "%q is not a host name", c.ServerName)
	}
	for _, d := range []struct{ field, v string }{{"timeout", c.Timeout}, {"retry", c.Retry}} {
		if d.v == "" {
			continue
		}
		if v, err := time.ParseDuration(d.v); err != nil || v <= 0 {
			return bad(d.field, "%q is not a positive duration (30s, 1m)", d.v)
		}
	}
	return nil
}

// LogValue logs the configuration; it holds no password, only the file's
// name.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("smtp", c.SMTP), slog.String("from", c.From),
		slog.String("username", c.Username), slog.String("starttls", c.StartTLS))
}

// SMTPConfig validates c and returns the client configuration with the
// password the caller read from PasswordFile (ignored without a
// username). It reads CAFile, if set.
func (c *Config) SMTPConfig(password string) (SMTPConfig, error) {
	if err := c.Validate(); err != nil {
		return SMTPConfig{}, err
	}
	if c.Username != "" && password == "" {
		return SMTPConfig{}, &ConfigError{Field: "mail.password_file", Problem: "the password is empty"}
	}
	cfg := SMTPConfig{
		Addr: c.SMTP, From: c.From, Username: c.Username,
		StartTLS: StartTLS(c.StartTLS), ServerName: c.ServerName,
	}
	if c.Username != "" {
		cfg.Password = password
	}
	if c.Timeout != "" {
		cfg.Timeout, _ = time.ParseDuration(c.Timeout) // checked by Validate
		cfg.DialTimeout = min(cfg.Timeout, 10*time.Second)
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return SMTPConfig{}, &ConfigError{Field: "mail.ca_file", Problem: err.Error()}
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return SMTPConfig{}, &ConfigError{Field: "mail.ca_file", Problem: c.CAFile + " has no PEM certificate"}
		}
	}
	return cfg, nil
}
