package notify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	good := `{"smtp": "smtp.example.ru:587", "from": "ca@example.ru", "username": "ca",
		"password_file": "/etc/gostca/smtp-pass", "starttls": "required", "ca_file": "",
		"server_name": "mail.example.ru", "timeout": "20s"}`
	c, err := ParseConfig([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTP != "smtp.example.ru:587" || c.Username != "ca" || c.PasswordFile != "/etc/gostca/smtp-pass" || c.ServerName != "mail.example.ru" {
		t.Errorf("decoded %+v", c)
	}
	for _, tc := range []struct {
		name, json string
		field      string // "" for a good configuration
	}{
		{"minimal", `{"smtp": "smtp.example.ru:587", "from": "ca@example.ru"}`, ""},
		{"display name", `{"smtp": "smtp.example.ru:587", "from": "УЦ Пример <ca@example.ru>"}`, ""},
		{"none on loopback", `{"smtp": "127.0.0.1:25", "from": "ca@example.ru", "starttls": "none"}`, ""},
		{"none on localhost", `{"smtp": "localhost:25", "from": "ca@example.ru", "starttls": "none"}`, ""},
		{"none on ::1", `{"smtp": "[::1]:25", "from": "ca@example.ru", "starttls": "none"}`, ""},
		{"not JSON", `{"smtp": `, "mail"},
		{"unknown field", `{"smtp": "smtp.example.ru:587", "from": "ca@example.ru", "password": "x"}`, "mail"},
		{"two objects", `{"smtp": "smtp.example.ru:587", "from": "ca@example.ru"} {}`, "mail"},
		{"no smtp", `{"from": "ca@example.ru"}`, "mail.smtp"},
		{"smtp without port", `{"smtp": "smtp.example.ru", "from": "ca@example.ru"}`, "mail.smtp"},
		{"smtp port not a number", `{"smtp": "smtp.example.ru:smtp", "from": "ca@example.ru"}`, "mail.smtp"},
		{"smtp port 0", `{"smtp": "smtp.example.ru:0", "from": "ca@example.ru"}`, "mail.smtp"},
		{"smtp without host", `{"smtp": ":587", "from": "ca@example.ru"}`, "mail.smtp"},
		{"no from", `{"smtp": "smtp.example.ru:587"}`, "mail.from"},
		{"from not an address", `{"smtp": "smtp.example.ru:587", "from": "ca"}`, "mail.from"},
		{"from with a line break", `{"smtp": "smtp.example.ru:587", "from": "ca@example.ru\r\nBcc: x@y.ru"}`, "mail.from"},
		{"username without password", `{"smtp": "smtp.example.ru:587", "from": "ca@example.ru", "username": "ca"}`, "mail.password_file"},
		{"password without username", `{"smtp": "smtp.example.ru:587", "from": "ca@example.ru", "password_file": "/p"}`, "mail.username"},
		{"starttls unknown", `{"smtp": "smtp.example.ru:587", "from": "ca@example.ru", "starttls": "optional"}`, "mail.starttls"},
		{"none on a remote server", `{"smtp": "smtp.example.ru:25", "from": "ca@example.ru", "starttls": "none"}`, "mail.starttls"},
		{"none with a password", `{"smtp": "127.0.0.1:25", "from": "ca@example.ru", "starttls": "none", "username": "ca", "password_file": "/p"}`, "mail.starttls"},
		{"server name with a space", `{"smtp": "smtp.example.ru:587", "from": "ca@example.ru", "server_name": "a b"}`, "mail.server_name"},
		{"timeout not a duration", `{"smtp": "smtp.example.ru:587", "from": "ca@example.ru", "timeout": "30"}`, "mail.timeout"},
		{"timeout negative", `{"smtp": "smtp.example.ru:587", "from": "ca@example.ru", "timeout": "-1s"}`, "mail.timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.json))
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field || !errors.Is(err, ErrConfig) {
				t.Fatalf("%v, want a ConfigError for %s", err, tc.field)
			}
			if !strings.HasPrefix(err.Error(), "notify: "+tc.field+": ") {
				t.Errorf("error %q does not name %s", err, tc.field)
			}
		})
	}
}

// TestConfigSMTPConfig: the client configuration carries the password and
// the CA file's pool, and NewSMTP takes it.
func TestConfigSMTPConfig(t *testing.T) {
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, testCertPEM(t), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &Config{SMTP: "smtp.example.ru:587", From: "ca@example.ru", Username: "ca", PasswordFile: "/p", CAFile: caFile, Timeout: "5s"}
	cfg, err := c.SMTPConfig("секрет")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Password != "секрет" || cfg.RootCAs == nil || cfg.Timeout != 5*time.Second || cfg.DialTimeout != 5*time.Second {
		t.Errorf("SMTPConfig %+v", cfg)
	}
	if _, err := NewSMTP(cfg); err != nil {
		t.Error(err)
	}
	if _, err := c.SMTPConfig(""); err == nil || !strings.Contains(err.Error(), "mail.password_file") {
		t.Errorf("an empty password: %v", err)
	}
	c.CAFile = filepath.Join(dir, "missing.pem")
	if _, err := c.SMTPConfig("p"); err == nil || !strings.Contains(err.Error(), "mail.ca_file") {
		t.Errorf("a missing CA file: %v", err)
	}
	os.WriteFile(c.CAFile, []byte("not PEM"), 0o600)
	if _, err := c.SMTPConfig("p"); err == nil || !strings.Contains(err.Error(), "mail.ca_file") {
		t.Errorf("a CA file without certificates: %v", err)
	}
}

// TestLogNoPassword: neither configuration logs the password.
func TestLogNoPassword(t *testing.T) {
	var b strings.Builder
	log := slog.New(slog.NewTextHandler(&b, nil))
	log.Info("mail", "smtp", SMTPConfig{Addr: "smtp.example.ru:587", Username: "ca", Password: "секрет-пароль"},
		"config", Config{SMTP: "smtp.example.ru:587", Username: "ca", PasswordFile: "/p"})
	if strings.Contains(b.String(), "секрет-пароль") || !strings.Contains(b.String(), "smtp.example.ru:587") {
		t.Errorf("logged %s", b.String())
	}
}

func TestNewSMTPInvalid(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   SMTPConfig
		field string
	}{
		{"no addr", SMTPConfig{From: "ca@example.ru"}, "Addr"},
		{"no from", SMTPConfig{Addr: "smtp.example.ru:587"}, "From"},
		{"password alone", SMTPConfig{Addr: "smtp.example.ru:587", From: "ca@example.ru", Password: "p"}, "Password"},
		{"none remote", SMTPConfig{Addr: "smtp.example.ru:25", From: "ca@example.ru", StartTLS: StartTLSNone}, "StartTLS"},
		{"none with a login", SMTPConfig{Addr: "127.0.0.1:25", From: "ca@example.ru", StartTLS: StartTLSNone, Username: "ca", Password: "p"}, "StartTLS"},
		{"unknown mode", SMTPConfig{Addr: "smtp.example.ru:25", From: "ca@example.ru", StartTLS: "opportunistic"}, "StartTLS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewSMTP(tc.cfg); err == nil || !strings.Contains(err.Error(), "SMTPConfig."+tc.field+":") {
				t.Errorf("%v, want an error naming %s", err, tc.field)
			}
		})
	}
}

// testCertPEM returns a throwaway self-signed certificate.
func testCertPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// FuzzParseConfig: any input is either a configuration that validates
// and converts, or a ConfigError.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"smtp": "smtp.example.ru:587", "from": "ca@example.ru"}`))
	f.Add([]byte(`{"smtp": "127.0.0.1:25", "from": "ca@example.ru", "starttls": "none"}`))
	f.Add([]byte(`{"smtp": "[::1]:25", "from": "УЦ <ca@example.ru>", "username": "u", "password_file": "/p", "timeout": "1m"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("%v is not a ConfigError", err)
			}
			return
		}
		c.CAFile = "" // never read a file the fuzzer names
		cfg, err := c.SMTPConfig("password")
		if err != nil {
			t.Fatalf("valid configuration %+v: %v", c, err)
		}
		if _, err := NewSMTP(cfg); err != nil {
			t.Fatalf("valid configuration %+v refused by NewSMTP: %v", c, err)
		}
	})
}
