// Package catest makes certificate authorities, ledgers, clocks and
// certificate requests for tests, as net/http/httptest does servers. It is
// for tests only: its keys are generated per call and its failures end the
// test (t.Fatal).
//
// A root from NewRoot has a 256-bit key on the CryptoPro-A parameters, a
// subject "CN=gostca test root", a ledger in t.TempDir() and a Clock fixed
// at the time it was made (pass WithClock to move it). NewIntermediate
// signs an intermediate under it in the same ledger, with the same clock.
// Every CA made here has CRL, OCSP and caIssuers URLs under
// http://ca.test/ and an issuerSignTool, so it can issue every profile.
//
// The helpers are safe to call from parallel tests; a Clock is safe for
// concurrent use.
package catest

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/store"
)

// NewLedger opens an empty ledger in t.TempDir(), closed by t.Cleanup.
func NewLedger(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "ledger.db"), nil)
	if err != nil {
		t.Fatalf("catest: opening a ledger: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("catest: closing the ledger: %v", err)
		}
	})
	return db
}

// Clock is a fixed clock that tests set and advance. Its Now is a
// ca.Config.Clock. It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set stops the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock by d (which may be negative) and returns the new
// time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// Option changes how NewRoot and NewIntermediate make a CA.
type Option func(*options)

type options struct {
	params   *gost3410.Params
	key      *gost3410.PrivateKey
	ledger   ca.Ledger
	clock    func() time.Time
	subject  *cert.Name
	validity time.Duration
	pathLen  int
	config   []func(*ca.Config)
}

// WithParams gives the CA a key on params (default
// gost3410.ParamsCryptoProA()).
func WithParams(params *gost3410.Params) Option { return func(o *options) { o.params = params } }

// WithKey gives the CA this key.
func WithKey(key *gost3410.PrivateKey) Option { return func(o *options) { o.key = key } }

// WithLedger puts the CA in this ledger (default: a new one for a root, the
// root's for an intermediate).
func WithLedger(db ca.Ledger) Option { return func(o *options) { o.ledger = db } }

// WithClock gives the CA this clock (default: a new Clock at the current
// time for a root, the root's clock for an intermediate).
func WithClock(c *Clock) Option { return func(o *options) { o.clock = c.Now } }

// WithSubject sets the CA's subject.
func WithSubject(n cert.Name) Option { return func(o *options) { o.subject = &n } }

// WithValidity sets the validity of the CA's certificate (default 10 years
// for a root, 5 for an intermediate, clipped to the root's).
func WithValidity(d time.Duration) Option { return func(o *options) { o.validity = d } }

// WithPathLen sets an intermediate's path length constraint (default 0).
func WithPathLen(n int) Option { return func(o *options) { o.pathLen = n } }

// WithConfig lets f change the ca.Config before ca.New (to restrict
// Profiles or AllowedKeyBits, change URLs, ...).
func WithConfig(f func(*ca.Config)) Option {
	return func(o *options) { o.config = append(o.config, f) }
}

const year = 365 * 24 * time.Hour

func build(t testing.TB, opts []Option, name string) (*ca.CA, *options) {
	t.Helper()
	o := &options{params: gost3410.ParamsCryptoProA()}
	for _, f := range opts {
		f(o)
	}
	key := o.key
	if key == nil {
		var err error
		if key, err = gost3410.GenerateKey(o.params, rand.Reader); err != nil {
			t.Fatalf("catest: generating a key: %v", err)
		}
	}
	slug := strings.ReplaceAll(name, " ", "-")
	cfg := ca.Config{
		Clock:        o.clock,
		Signer:       key,
		CRLURL:       "http://ca.test/" + slug + ".crl",
		OCSPURL:      "http://ca.test/ocsp",
		CAIssuersURL: "http://ca.test/" + slug + ".crt",
		IssuerSignTool: &cert.IssuerSignTool{
			SignTool:     "gostca test signature tool",
			CATool:       "gostca test CA",
			SignToolCert: "test conformity certificate 1",
			CAToolCert:   "test conformity certificate 2",
		},
	}
	for _, f := range o.config {
		f(&cfg)
	}
	c, err := ca.New(o.ledger, cfg)
	if err != nil {
		t.Fatalf("catest: making the %s: %v", name, err)
	}
	return c, o
}

// NewRoot makes a root CA in a new ledger (see the package documentation
// for the defaults and Option for the changes).
func NewRoot(t testing.TB, opts ...Option) *ca.CA {
	t.Helper()
	opts = append([]Option{func(o *options) {
		o.validity = 10 * year
		o.subject = &cert.Name{CommonName: "gostca test root", Organization: "gostca", Country: "RU"}
	}}, opts...)
	opts = append(opts, func(o *options) {
		if o.ledger == nil {
			o.ledger = NewLedger(t)
		}
		if o.clock == nil {
			o.clock = NewClock(time.Now().UTC().Truncate(time.Second)).Now
		}
	})
	c, o := build(t, opts, "test root")
	if _, err := c.InitRoot(*o.subject, o.validity); err != nil {
		t.Fatalf("catest: making the root certificate: %v", err)
	}
	return c
}

// NewIntermediate makes an intermediate CA signed by root, in root's ledger
// and with its clock unless the options say otherwise.
func NewIntermediate(t testing.TB, root *ca.CA, opts ...Option) *ca.CA {
	t.Helper()
	rc := root.Config()
	opts = append([]Option{func(o *options) {
		o.validity = 5 * year
		o.subject = &cert.Name{CommonName: "gostca test intermediate", Organization: "gostca", Country: "RU"}
	}}, opts...)
	opts = append(opts, func(o *options) {
		if o.ledger == nil {
			o.ledger = root.Ledger()
		}
		if o.clock == nil {
			o.clock = rc.Clock
		}
	})
	c, o := build(t, opts, "test intermediate")
	if _, err := c.InitIntermediate(root, *o.subject, o.validity, o.pathLen); err != nil {
		t.Fatalf("catest: making the intermediate certificate: %v", err)
	}
	return c
}

// NewCSR generates a key on params (nil: gost3410.ParamsCryptoProA()) and
// returns a DER certificate request for subject signed with it, and the
// key.
func NewCSR(t testing.TB, params *gost3410.Params, subject cert.Name) ([]byte, *gost3410.PrivateKey) {
	t.Helper()
	return NewCSRTemplate(t, params, &cert.CertificateRequest{Subject: subject})
}

// NewCSRTemplate is NewCSR for a full request template (to ask for
// subject alternative names or a subjectSignTool).
func NewCSRTemplate(t testing.TB, params *gost3410.Params, tmpl *cert.CertificateRequest) ([]byte, *gost3410.PrivateKey) {
	t.Helper()
	if params == nil {
		params = gost3410.ParamsCryptoProA()
	}
	key, err := gost3410.GenerateKey(params, rand.Reader)
	if err != nil {
		t.Fatalf("catest: generating a key: %v", err)
	}
	der, err := cert.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		t.Fatalf("catest: making a request: %v", err)
	}
	return der, key
}

// SignAttached returns content in an attached CMS signature (CAdES-BES)
// by key and its certificate c, signed at clock's time: what a holder sends
// to renew or revoke with its key.
func SignAttached(t testing.TB, key crypto.Signer, c *cert.Certificate, clock *Clock, content []byte) []byte {
	t.Helper()
	s, err := cms.NewSigner(key, c, &cms.SignerOptions{Clock: clock.Now})
	if err != nil {
		t.Fatalf("catest: %v", err)
	}
	var b bytes.Buffer
	if err := s.SignAttached(&b, bytes.NewReader(content), int64(len(content))); err != nil {
		t.Fatalf("catest: signing: %v", err)
	}
	return b.Bytes()
}
