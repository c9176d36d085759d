package ca

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"io"
	"math/big"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/store"
)

// Config is what a CA is made of, apart from its ledger (see New). Clock
// and Signer are required; every other field has a documented default.
type Config struct {
	// Clock gives the current time; the CA never reads the system clock.
	Clock func() time.Time
	// Rand is the source of serial numbers and signature nonces; nil means
	// crypto/rand.Reader. Reads are serialised by the CA.
	Rand io.Reader
	// Signer holds the CA's key: a *gost3410.PrivateKey or a token key
	// whose Public() is a *gost3410.PublicKey. It must be safe for
	// concurrent use.
	Signer crypto.Signer
	// Certificate is the CA's certificate for Signer's key; nil until
	// InitRoot, InitIntermediate or Import makes it.
	Certificate *cert.Certificate
	// Chain lists the issuers above Certificate, up to the root, nearest
	// first. Each must have signed the one below it.
	Chain []*cert.Certificate
	// CRLURL, OCSPURL and CAIssuersURL go into every certificate issued:
	// the CRL distribution point and the authorityInfoAccess id-ad-ocsp and
	// id-ad-caIssuers locations. Empty leaves the extension (or access
	// method) out.
	CRLURL, OCSPURL, CAIssuersURL string
	// Profiles are the names of the profiles this CA may issue; nil means
	// every built-in profile.
	Profiles []string
	// AllowedKeyBits are the subscriber key sizes accepted (256, 512); nil
	// means both.
	AllowedKeyBits []int
	// CRLValidity is nextUpdate − thisUpdate of a full CRL; 0 means 7 days.
	CRLValidity time.Duration
	// DeltaCRLValidity is nextUpdate − thisUpdate of a delta CRL; 0 means
	// 1 day.
	DeltaCRLValidity time.Duration
	// IssuerSignTool is the issuerSignTool extension of qualified
	// certificates; the qualified profile cannot be issued without it.
	IssuerSignTool *cert.IssuerSignTool
}

// Ledger is what a CA needs from its issuance ledger: the bbolt
// *store.DB, or any other backend that keeps the same records. Each write
// is one transaction that either happens whole or not at all, with its
// audit entry; errors wrap the store package's (store.ErrNotFound,
// store.ErrExists, store.ErrState, store.ErrLocked, ...). Several CAs (a
// root and its intermediates) may share one ledger; each sees only what it
// issued. Implementations are safe for concurrent use.
type Ledger interface {
	// Reserve records a serial before its certificate is signed.
	Reserve(r *store.Record, at time.Time) error
	// Complete records the signed certificate of a reserved serial.
	Complete(serial *big.Int, der, subjectKeyID []byte, at time.Time) error
	// Abandon gives up a reserved serial whose signing failed.
	Abandon(serial *big.Int, why string, at time.Time) error
	// Revoke revokes, or puts on hold, an issued certificate.
	Revoke(rev store.Revocation, at time.Time) error
	// Release takes a certificate off hold.
	Release(serial *big.Int, at time.Time) error
	// RecordCRL records the number of a CRL made.
	RecordCRL(issuerKeyID []byte, info store.CRLInfo, at time.Time) error
	// Get returns the record of a serial.
	Get(serial *big.Int) (*store.Record, error)
	// View runs fn in a read transaction: one consistent snapshot.
	View(fn func(tx store.Tx) error) error
}

var _ Ledger = (*store.DB)(nil)

// CA is a certificate authority: one key, its certificate and a ledger.
// All methods are safe for concurrent use.
type CA struct {
	cfg     Config // as given; Certificate and Chain live in state
	db      Ledger
	clock   func() time.Time
	rand    io.Reader
	pub     *gost3410.PublicKey
	keyID   []byte          // SHA-1 key identifier of pub (RFC 5280 method 1)
	allowed map[string]bool // nil = every profile
	keyBits []int

	initMu sync.Mutex // serialises InitRoot, InitIntermediate and Import
	crlMu  sync.Mutex // serialises CRL, so that it races only other processes
	state  atomic.Pointer[issuerState]
}

// issuerState is the CA's certificate and what is derived from it; it is
// replaced as a whole, never modified.
type issuerState struct {
	cert  *cert.Certificate
	chain []*cert.Certificate
	keyID []byte // the certificate's subjectKeyIdentifier, else the computed one
	name  string // the certificate's subject, as a string
}

// lockedReader serialises reads of a reader that may not be safe for
// concurrent use.
type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

func configErr(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidConfig, field, fmt.Sprintf(format, args...))
}

// New checks cfg and returns a CA over the ledger l. Errors wrap
// ErrInvalidConfig and name the field at fault: a missing ledger, Clock or
// Signer; a Signer whose
// public key is not GOST R 34.10-2012; a Certificate that is not a CA
// certificate for Signer's key; a Chain that does not chain; an unknown
// profile; a key size other than 256 or 512; a negative CRL validity; a URL
// that is not absolute; an incomplete IssuerSignTool.
func New(l Ledger, cfg Config) (*CA, error) {
	if l == nil {
		return nil, configErr("ledger", "required")
	}
	if cfg.Clock == nil {
		return nil, configErr("Clock", "required")
	}
	if cfg.Signer == nil {
		return nil, configErr("Signer", "required")
	}
	pub, ok := cfg.Signer.Public().(*gost3410.PublicKey)
	if !ok || pub == nil {
		return nil, configErr("Signer", "public key is %T, not a GOST R 34.10-2012 key", cfg.Signer.Public())
	}
	keyID, err := keyIdentifier(pub)
	if err != nil {
		return nil, configErr("Signer", "%v", err)
	}
	c := &CA{
		cfg:   cfg,
		db:    l,
		clock: cfg.Clock,
		rand:  rand.Reader,
		pub:   pub,
		keyID: keyID,
	}
	if cfg.Rand != nil {
		c.rand = &lockedReader{r: cfg.Rand}
	}
	if cfg.Certificate != nil {
		if err := c.checkOwnCertificate(cfg.Certificate); err != nil {
			return nil, configErr("Certificate", "%v", err)
		}
		if err := checkChain(cfg.Certificate, cfg.Chain); err != nil {
			return nil, configErr("Chain", "%v", err)
		}
		c.state.Store(c.newState(cfg.Certificate, cfg.Chain))
	} else if len(cfg.Chain) > 0 {
		return nil, configErr("Chain", "given without a Certificate")
	}
	if err := checkProfileNames(cfg.Profiles); err != nil {
		return nil, err
	}
	if cfg.Profiles != nil {
		c.allowed = make(map[string]bool, len(cfg.Profiles))
		for _, p := range cfg.Profiles {
			c.allowed[p] = true
		}
	}
	c.keyBits = []int{256, 512}
	if cfg.AllowedKeyBits != nil {
		for _, b := range cfg.AllowedKeyBits {
			if b != 256 && b != 512 {
				return nil, configErr("AllowedKeyBits", "%d is not 256 or 512", b)
			}
		}
		c.keyBits = slices.Clone(cfg.AllowedKeyBits)
	}
	if cfg.CRLValidity < 0 {
		return nil, configErr("CRLValidity", "negative")
	}
	if cfg.DeltaCRLValidity < 0 {
		return nil, configErr("DeltaCRLValidity", "negative")
	}
	for _, u := range []struct{ field, value string }{
		{"CRLURL", cfg.CRLURL}, {"OCSPURL", cfg.OCSPURL}, {"CAIssuersURL", cfg.CAIssuersURL},
	} {
		if err := checkURL(u.value); err != nil {
			return nil, configErr(u.field, "%v", err)
		}
	}
	if t := cfg.IssuerSignTool; t != nil && (t.SignTool == "" || t.CATool == "" || t.SignToolCert == "" || t.CAToolCert == "") {
		return nil, configErr("IssuerSignTool", "all four fields are required")
	}
	return c, nil
}

func checkURL(s string) error {
	if s == "" {
		return nil
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return fmt.Errorf("%q is not printable ASCII (IA5String)", s)
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", s)
	}
	return nil
}

// checkOwnCertificate checks that c0 is a CA certificate for the CA's key.
func (c *CA) checkOwnCertificate(c0 *cert.Certificate) error {
	if c0.PublicKey == nil || !c0.PublicKey.Equal(c.pub) {
		return fmt.Errorf("certificate %s is not for the Signer's key", c0.Subject.String())
	}
	if !c0.BasicConstraintsValid || !c0.IsCA {
		return fmt.Errorf("certificate %s is not a CA certificate", c0.Subject.String())
	}
	if c0.KeyUsage != 0 && c0.KeyUsage&x509.KeyUsageCertSign == 0 {
		return fmt.Errorf("certificate %s lacks keyCertSign", c0.Subject.String())
	}
	return nil
}

// checkChain checks that each certificate of chain signed the one before.
func checkChain(c0 *cert.Certificate, chain []*cert.Certificate) error {
	below := c0
	for i, p := range chain {
		if p == nil {
			return fmt.Errorf("entry %d is nil", i)
		}
		if err := below.CheckSignatureFrom(p); err != nil {
			return fmt.Errorf("entry %d (%s) did not sign %s: %w", i, p.Subject.String(), below.Subject.String(), err)
		}
		below = p
	}
	return nil
}

func (c *CA) newState(cc *cert.Certificate, chain []*cert.Certificate) *issuerState {
	s := &issuerState{cert: cc, chain: slices.Clone(chain), keyID: c.keyID, name: cc.Subject.String()}
	if len(cc.SubjectKeyId) > 0 {
		s.keyID = cc.SubjectKeyId
	}
	return s
}

// issuer returns the CA's current state, or ErrNotInitialized.
func (c *CA) issuer() (*issuerState, error) {
	s := c.state.Load()
	if s == nil {
		return nil, ErrNotInitialized
	}
	return s, nil
}

// Certificate returns the CA's certificate, or nil before InitRoot,
// InitIntermediate or Import.
func (c *CA) Certificate() *cert.Certificate {
	if s := c.state.Load(); s != nil {
		return s.cert
	}
	return nil
}

// Chain returns the certificates above the CA's, nearest first.
func (c *CA) Chain() []*cert.Certificate {
	if s := c.state.Load(); s != nil {
		return slices.Clone(s.chain)
	}
	return nil
}

// Config returns the CA's configuration, with Certificate and Chain as
// they are now.
func (c *CA) Config() Config {
	cfg := c.cfg
	cfg.Certificate = c.Certificate()
	cfg.Chain = c.Chain()
	cfg.Profiles = slices.Clone(cfg.Profiles)
	cfg.AllowedKeyBits = slices.Clone(cfg.AllowedKeyBits)
	return cfg
}

// IssuerKeyID returns the key identifier under which the ledger files the
// certificates that the CA whose certificate is c issues: c's
// subjectKeyIdentifier, else the identifier of its key (RFC 5280
// §4.2.1.2, method 1).
func IssuerKeyID(c *cert.Certificate) ([]byte, error) {
	if len(c.SubjectKeyId) > 0 {
		return slices.Clone(c.SubjectKeyId), nil
	}
	return cert.KeyIdentifier(c.RawSubjectPublicKeyInfo)
}

// Ledger returns the ledger the CA records in.
func (c *CA) Ledger() Ledger { return c.db }

// KeyID returns the CA's key identifier: the subjectKeyIdentifier of its
// certificate, or the SHA-1 of its public key before it has one. The
// ledger records it as the IssuerKeyID of what the CA issues.
func (c *CA) KeyID() []byte {
	if s := c.state.Load(); s != nil {
		return slices.Clone(s.keyID)
	}
	return slices.Clone(c.keyID)
}

// keyIdentifier returns the SHA-1 of the subjectPublicKey BIT STRING value
// of pub's SubjectPublicKeyInfo (RFC 5280 §4.2.1.2, method 1), as
// cert.CreateCertificate computes it.
func keyIdentifier(pub *gost3410.PublicKey) ([]byte, error) {
	spki, err := gost3410.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return cert.KeyIdentifier(spki)
}

// now returns the CA's time, in whole seconds (what certificates encode).
func (c *CA) now() time.Time {
	return c.clock().UTC().Truncate(time.Second)
}
