package cli

import (
	"bytes"
	"crypto"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/notify"
	"github.com/gostca/gostca/crypto/cert"
)

// The files of a CA directory.
const (
	configName = "gostca.json" // config, below
	ledgerName = "ledger.db"   // the issuance ledger (store)
	keyName    = "ca.key"      // the CA key, encrypted PKCS#8 PEM (keyfile)
	certName   = "ca.pem"      // the CA certificate
	chainName  = "chain.pem"   // an intermediate's issuers, nearest first
	csrName    = "ca.csr"      // an offline root's request (init --csr-out)
)

// ledgerTimeout is how long a command waits for a ledger that another
// process holds.
const ledgerTimeout = time.Second

// config is gostca.json. Every field is written, so that an operator sees
// what can be set; docs/operator-guide.md documents them.
type config struct {
	// KeyFile is the CA key, relative to the directory; empty when the
	// key is in a token.
	KeyFile string `json:"key_file"`
	// KeyURI names the CA key in a PKCS#11 token (token label and serial,
	// object, id, and where the PIN comes from: pin-source, never the
	// PIN); empty for a key file.
	KeyURI string `json:"key_uri"`
	// PKCS11Module is the PKCS#11 library of the token of KeyURI.
	PKCS11Module string `json:"pkcs11_module"`
	// Subject is the CA's distinguished name, as init was given it.
	Subject string `json:"subject"`
	// CRLURL, OCSPURL and CAIssuersURL go into every certificate issued.
	CRLURL       string `json:"crl_url"`
	OCSPURL      string `json:"ocsp_url"`
	CAIssuersURL string `json:"ca_issuers_url"`
	// DefaultProfile is what issue uses without --profile.
	DefaultProfile string `json:"default_profile"`
	// DefaultDays is the validity issue uses without --days; 0 means the
	// profile's default.
	DefaultDays int `json:"default_days"`
	// Profiles are those the CA may issue; empty means all.
	Profiles []string `json:"profiles"`
	// CRLDays and DeltaCRLHours are the validity of full and delta CRLs.
	CRLDays       int `json:"crl_days"`
	DeltaCRLHours int `json:"delta_crl_hours"`
	// IssuerSignTool is the issuerSignTool of qualified certificates.
	IssuerSignTool *signToolConfig `json:"issuer_sign_tool"`
	// RA configures the registration authority (request, serve --ra).
	RA raConfig `json:"ra"`
	// Mail is the SMTP server that tells applicants of their applications
	// and certificates; null sends no mail.
	Mail *notify.Config `json:"mail"`
	// Ledger is where the issuance ledger is: "" for ledger.db in the
	// directory, or a postgres:// URL (without a password).
	Ledger string `json:"ledger"`
}

type signToolConfig struct {
	SignTool     string `json:"sign_tool"`
	CATool       string `json:"ca_tool"`
	SignToolCert string `json:"sign_tool_cert"`
	CAToolCert   string `json:"ca_tool_cert"`
}

func (a *app) path(name string) string { return filepath.Join(a.dir, name) }

// noCA is the error for a directory without a CA.
func (a *app) noCA(what string) error {
	return failf("no CA in %s: %s", a.dir, what).
		withHint("create one with 'gostca init', or point --dir or GOSTCA_DIR at an existing one")
}

// loadConfig reads gostca.json.
func (a *app) loadConfig() (*config, error) {
	data, err := os.ReadFile(a.path(configName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, a.noCA(configName + " not found")
	}
	if err != nil {
		return nil, failf("reading %s: %v", a.path(configName), err)
	}
	var c config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, failf("%s: %v", a.path(configName), err).withHint("fix the file; docs/operator-guide.md lists its fields")
	}
	if c.Mail != nil {
		if err := c.Mail.Validate(); err != nil {
			return nil, failf("%s: %s", a.path(configName), strings.TrimPrefix(err.Error(), "notify: ")).
				withHint("fix the \"mail\" section; docs/operator-guide.md describes it").because(err)
		}
	}
	switch {
	case c.KeyURI != "" && c.KeyFile != "":
		return nil, failf("%s: key_file and key_uri are both set", a.path(configName)).
			withHint("keep one: key_file for a key file, key_uri for a key in a token")
	case c.KeyURI == "" && c.KeyFile == "":
		c.KeyFile = keyName
	}
	return &c, nil
}

// writeConfig writes gostca.json, which must not exist.
func (a *app) writeConfig(c *config) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return writeNewFile(a.path(configName), append(data, '\n'), 0o644)
}

// caCerts reads ca.pem and chain.pem (absent for a root).
func (a *app) caCerts() (*cert.Certificate, []*cert.Certificate, error) {
	certs, err := readCerts(a.path(certName))
	if errors.Is(err, fs.ErrNotExist) {
		if _, e := os.Stat(a.path(csrName)); e == nil {
			return nil, nil, failf("the CA in %s has no certificate yet", a.dir).
				withHint("have the offline root sign %s, then run 'gostca import-ca CERT --chain ROOT'", a.path(csrName))
		}
		return nil, nil, a.noCA(certName + " not found")
	}
	if err != nil {
		return nil, nil, err
	}
	chain, err := readCerts(a.path(chainName))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, err
	}
	return certs[0], chain, nil
}

// authority is an open CA: the ledger and the ca.CA over it.
type authority struct {
	*ca.CA
	db  ledger
	cfg *config
	// location is where db is.
	location ledgerLocation
	// closeKey releases the CA key (a token key and its module).
	closeKey func()
}

func (au *authority) Close() error {
	err := au.db.Close()
	au.closeKey()
	return err
}

// openCA opens the CA of the directory for signing: the configuration,
// the ledger, the certificates, then the key (asking for its passphrase
// or its token's PIN only once the ledger is known to be free).
func (a *app) openCA(keys caKeySecrets) (*authority, error) {
	return a.openCAWith(func(cfg *config, _ *cert.Certificate) (crypto.Signer, func(), error) {
		return a.loadCAKey(cfg, keys)
	})
}

// openCAWith is openCA with the signer that key gives (and its closer).
func (a *app) openCAWith(key func(cfg *config, caCert *cert.Certificate) (crypto.Signer, func(), error)) (*authority, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	caCert, chain, err := a.caCerts()
	if err != nil {
		return nil, err
	}
	loc, err := a.ledgerOf(cfg)
	if err != nil {
		return nil, err
	}
	db, err := a.openLedgerOf(cfg, false)
	if err != nil {
		return nil, err
	}
	signer, closeKey, err := key(cfg, caCert)
	if err != nil {
		db.Close()
		return nil, err
	}
	c, err := a.caOf(cfg, db, signer, caCert, chain)
	if err != nil {
		closeKey()
		db.Close()
		return nil, err
	}
	return &authority{CA: c, db: db, cfg: cfg, location: loc, closeKey: closeKey}, nil
}

// newCA opens the key (a key file or a key in a token) and makes the
// ca.CA; the caller calls closeKey when done with it.
func (a *app) newCA(cfg *config, db ledger, keys caKeySecrets, caCert *cert.Certificate, chain []*cert.Certificate) (c *ca.CA, closeKey func(), err error) {
	key, closeKey, err := a.loadCAKey(cfg, keys)
	if err != nil {
		return nil, nil, err
	}
	if c, err = a.caOf(cfg, db, key, caCert, chain); err != nil {
		closeKey()
		return nil, nil, err
	}
	return c, closeKey, nil
}

// newCAWithKey makes the ca.CA of a new directory, before its certificate.
func (a *app) newCAWithKey(cfg *config, db ledger, key crypto.Signer) (*ca.CA, error) {
	return a.caOf(cfg, db, key, nil, nil)
}

func (a *app) caOf(cfg *config, db ca.Ledger, key crypto.Signer, caCert *cert.Certificate, chain []*cert.Certificate) (*ca.CA, error) {
	caCfg := ca.Config{
		Clock:            a.env.Now,
		Signer:           key,
		Certificate:      caCert,
		Chain:            chain,
		CRLURL:           cfg.CRLURL,
		OCSPURL:          cfg.OCSPURL,
		CAIssuersURL:     cfg.CAIssuersURL,
		CRLValidity:      time.Duration(cfg.CRLDays) * 24 * time.Hour,
		DeltaCRLValidity: time.Duration(cfg.DeltaCRLHours) * time.Hour,
	}
	if len(cfg.Profiles) > 0 {
		caCfg.Profiles = cfg.Profiles
	}
	if t := cfg.IssuerSignTool; t != nil {
		caCfg.IssuerSignTool = &cert.IssuerSignTool{SignTool: t.SignTool, CATool: t.CATool, SignToolCert: t.SignToolCert, CAToolCert: t.CAToolCert}
	}
	c, err := ca.New(db, caCfg)
	if err != nil {
		return nil, failf("%s: %v", a.path(configName), trimPrefix(err)).because(err)
	}
	return c, nil
}

// readCerts reads one or more certificates, PEM or DER.
func readCerts(path string) ([]*cert.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ders, err := decodeAll(data, "CERTIFICATE")
	if err != nil {
		return nil, failf("%s: %v", path, err)
	}
	var out []*cert.Certificate
	for _, der := range ders {
		c, err := cert.ParseCertificate(der)
		if err != nil {
			return nil, failf("%s: %v", path, trimPrefix(err)).because(err)
		}
		out = append(out, c)
	}
	return out, nil
}

// decodeAll returns the DER of every PEM block of type typ in data, or
// data itself if it is not PEM.
func decodeAll(data []byte, typ string) ([][]byte, error) {
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		if len(data) == 0 {
			return nil, errors.New("empty file")
		}
		return [][]byte{data}, nil
	}
	var out [][]byte
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == typ || typ == "CERTIFICATE REQUEST" && b.Type == "NEW CERTIFICATE REQUEST" {
			out = append(out, b.Bytes)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no %s PEM block", typ)
	}
	return out, nil
}

// writeNewFile writes data to a new file (never replacing one) and syncs
// it.
func writeNewFile(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return failf("%s exists", path).withHint("choose another file name, or remove it first")
		}
		return failf("%v", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return failf("writing %s: %v", path, err)
	}
	return nil
}

func pemBytes(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// replaceFile writes data to path through a temporary file and a rename,
// so that a reader sees the old or the new content, never a mix.
func replaceFile(path string, data []byte, mode os.FileMode) error {
	o, err := createOut(path, mode, true)
	if err != nil {
		return err
	}
	if _, err := o.Write(data); err != nil {
		o.abort()
		return failf("writing %s: %v", path, err)
	}
	return o.commit()
}
