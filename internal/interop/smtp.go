package interop

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	_ "embed"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpdScript is the server StartSMTP runs: aiosmtpd's SMTP protocol with
// the options of SMTPOptions, saving each message it accepts.
//
//go:embed testdata/smtpd.py
var smtpdScript []byte

// SMTPOptions configures a test SMTP server. The zero value offers
// STARTTLS and requires it before any mail, without authentication.
type SMTPOptions struct {
	// NoTLS leaves STARTTLS out: the server takes mail in clear.
	NoTLS bool
	// User and Password, when User is set, are the only credentials the
	// server accepts, with AUTH PLAIN, required before MAIL and offered
	// only after STARTTLS (unless NoTLS).
	User, Password string
	// Reject are recipients the server answers 550 at RCPT TO.
	Reject []string
	// SMTPUTF8 offers the SMTPUTF8 extension (RFC 6531).
	SMTPUTF8 bool
}

// SMTPServer is a real SMTP server, Python's aiosmtpd (Debian's
// python3-aiosmtpd), listening on 127.0.0.1 for one test. Each message it
// accepts is decoded on the server's side by Python's email package, an
// implementation independent of Go's, and kept in a directory that
// [SMTPServer.Messages] reads. [SMTPServer.Stop] and [SMTPServer.Start]
// take the server down and up again on the same port, for tests of a
// mail server that goes away. Its methods are safe for concurrent use.
type SMTPServer struct {
	t      testing.TB
	python string
	conf   map[string]any // the script's configuration, port included
	dir    string         // the messages
	roots  *x509.CertPool
	mu     sync.Mutex
	cmd    *exec.Cmd
	stderr *lockedWriter // the running server's standard error
	port   int
	exited chan struct{}
}

// SMTPMessage is one message an SMTPServer accepted, as Python's email
// package decoded it.
type SMTPMessage struct {
	MailFrom  string   // the envelope sender (MAIL FROM)
	RcptTo    []string // the envelope recipients (RCPT TO)
	TLS       bool     // the message came over TLS (after STARTTLS)
	Login     string   // the user the client authenticated as, or ""
	From      string   // the decoded From header
	To        string   // the decoded To header
	Subject   string   // the decoded Subject (RFC 2047 words undone)
	MessageID string
	Date      string
	MIME      string // MIME-Version
	// ContentType and Charset are the body's media type and charset,
	// TransferEncoding its Content-Transfer-Encoding.
	ContentType, Charset, TransferEncoding string
	Body                                   string   // the body, decoded to text, its line ends "\n"
	Defects                                []string // what Python's parser found wrong; empty for a good message
	Raw                                    []byte   // the message as received
}

var pythonFinder finder

// smtpdPython is where Debian installs the python3 that has
// python3-aiosmtpd; another python3 in PATH (pyenv's, say) may lack it.
const smtpdPython = "/usr/bin/python3"

// findAiosmtpd returns a python3 that can import aiosmtpd.
func findAiosmtpd() (*Tool, error) {
	path := smtpdPython
	if _, err := os.Stat(path); err != nil {
		if path, err = exec.LookPath("python3"); err != nil {
			return nil, fmt.Errorf("python3 (for python3-aiosmtpd) not found: %w", err)
		}
	}
	out, err := exec.Command(path, "-c", "import aiosmtpd.smtp; print(aiosmtpd.__version__)").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%s cannot import aiosmtpd (python3-aiosmtpd): %v: %s", path, err, bytes.TrimSpace(out))
	}
	return &Tool{name: "python3", path: path}, nil
}

// StartSMTP starts an SMTP server for t on 127.0.0.1 and a free port, with
// a fresh self-signed TLS certificate (ECDSA P-256, for 127.0.0.1 and
// localhost) whose pool [SMTPServer.RootCAs] returns. Without
// python3-aiosmtpd it stops t through [Missing]: a failure under CI=true.
// The server stops when the test ends.
func StartSMTP(t testing.TB, opts SMTPOptions) *SMTPServer {
	t.Helper()
	python := pythonFinder.get(t, findAiosmtpd)
	dir := t.TempDir()
	script := filepath.Join(dir, "smtpd.py")
	msgs := filepath.Join(dir, "messages")
	if err := os.WriteFile(script, smtpdScript, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(msgs, 0o700); err != nil {
		t.Fatal(err)
	}
	s := &SMTPServer{t: t, python: python.path, dir: msgs, roots: x509.NewCertPool()}
	s.conf = map[string]any{
		"script": script, "port": 0, "dir": msgs,
		"user": opts.User, "password": opts.Password,
		"reject": opts.Reject, "smtputf8": opts.SMTPUTF8,
	}
	if !opts.NoTLS {
		cert, key, err := serverCertificate(dir)
		if err != nil {
			t.Fatal(err)
		}
		s.roots.AddCert(cert)
		s.conf["cert"], s.conf["key"] = filepath.Join(dir, "cert.pem"), key
	}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// serverCertificate makes a self-signed P-256 certificate for 127.0.0.1
// and localhost, valid for a day, and writes it and its key as dir/cert.pem
// and dir/key.pem.
func serverCertificate(dir string) (*x509.Certificate, string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, "", err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: "gostca interop SMTP"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, "", err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, "", err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, "", err
	}
	keyPath := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return nil, "", err
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600); err != nil {
		return nil, "", err
	}
	return cert, keyPath, nil
}

// Start starts the server again after [SMTPServer.Stop], on the port it
// had; a server already running is left alone. It fails the test if the
// server is not listening within 10 seconds.
func (s *SMTPServer) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return
	}
	s.conf["port"] = s.port
	arg, err := json.Marshal(s.conf)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := exec.Command(s.python, s.conf["script"].(string), string(arg))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	stderr := new(lockedWriter)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("starting the SMTP server: %v", err)
	}
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ready <- line
	}()
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	var line string
	select {
	case line = <-ready:
	case <-time.After(10 * time.Second):
	}
	port, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "ready ")))
	if !strings.HasPrefix(line, "ready ") || err != nil {
		cmd.Process.Kill()
		<-exited
		s.t.Fatalf("the SMTP server did not start (said %q): %s", line, stderr.String())
	}
	s.cmd, s.stderr, s.port, s.exited = cmd, stderr, port, exited
}

// Stop kills the server, as a crash would; the messages it accepted stay
// readable and [SMTPServer.Start] brings it back. Stopping a stopped
// server does nothing.
func (s *SMTPServer) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exited
	if out := s.stderr.String(); s.t.Failed() && out != "" {
		s.t.Logf("SMTP server (aiosmtpd) said:\n%s", out)
	}
	s.cmd = nil
}

// Addr returns the server's address, 127.0.0.1:port; it stays the same
// across Stop and Start.
func (s *SMTPServer) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
}

// RootCAs returns a pool holding the server's certificate, for the
// client's tls.Config; it is empty for a server with NoTLS.
func (s *SMTPServer) RootCAs() *x509.CertPool { return s.roots }

// CAFile returns the PEM file of the server's certificate (what a
// client's "ca_file" names), or "" for a server without TLS.
func (s *SMTPServer) CAFile() string {
	f, _ := s.conf["cert"].(string)
	return f
}

// Messages returns the messages the server accepted, oldest first, across
// restarts.
func (s *SMTPServer) Messages() []SMTPMessage {
	s.t.Helper()
	msgs, err := s.read()
	if err != nil {
		s.t.Fatal(err)
	}
	return msgs
}

func (s *SMTPServer) read() ([]SMTPMessage, error) {
	names, err := filepath.Glob(filepath.Join(s.dir, "*.json"))
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var msgs []SMTPMessage
	for _, name := range names {
		if strings.HasPrefix(filepath.Base(name), ".") {
			continue // the server is still writing it (then renames it)
		}
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var rec struct {
			MailFrom         string   `json:"mail_from"`
			RcptTos          []string `json:"rcpt_tos"`
			TLS              bool     `json:"tls"`
			Login            string   `json:"login"`
			From             string   `json:"from"`
			To               string   `json:"to"`
			Subject          string   `json:"subject"`
			MessageID        string   `json:"message_id"`
			Date             string   `json:"date"`
			MIME             string   `json:"mime_version"`
			ContentType      string   `json:"content_type"`
			Charset          string   `json:"charset"`
			TransferEncoding string   `json:"transfer_encoding"`
			Body             string   `json:"body"`
			Defects          []string `json:"defects"`
		}
		if err := json.Unmarshal(data, &rec); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		raw, err := os.ReadFile(strings.TrimSuffix(name, ".json") + ".eml")
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, SMTPMessage{
			MailFrom: rec.MailFrom, RcptTo: rec.RcptTos, TLS: rec.TLS, Login: rec.Login,
			From: rec.From, To: rec.To, Subject: rec.Subject, MessageID: rec.MessageID,
			Date: rec.Date, MIME: rec.MIME, ContentType: rec.ContentType, Charset: rec.Charset,
			TransferEncoding: rec.TransferEncoding, Body: strings.ReplaceAll(rec.Body, "\r\n", "\n"), Defects: rec.Defects, Raw: raw,
		})
	}
	return msgs, nil
}

// WaitMessages waits until the server has accepted at least n messages and
// returns them all, or fails the test after timeout.
func (s *SMTPServer) WaitMessages(n int, timeout time.Duration) []SMTPMessage {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msgs, err := s.read()
		if err != nil {
			s.t.Fatal(err)
		}
		if len(msgs) >= n {
			return msgs
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the SMTP server has %d messages after %v, want %d", len(msgs), timeout, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lockedWriter lets the server's standard error be read while the process
// writes it.
type lockedWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
