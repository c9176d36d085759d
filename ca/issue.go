package ca

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/store"
)

// serialTries bounds the attempts at a fresh serial number when the ledger
// says one was already used (which, at 159 random bits, means a broken
// random source).
const serialTries = 3

// Issue signs p, once: a second call with the same Prepared fails with
// ErrPreparedUsed, even if the first failed. It draws a random serial
// number and reserves it in the ledger (durably, before signing), signs the
// certificate with the profile's extensions, the CA's CRL distribution
// point and authorityInfoAccess URLs and the subject and authority key
// identifiers, then marks the serial issued with the certificate. If
// signing fails after the reservation, the serial is abandoned. It returns
// the parsed certificate.
//
// Issue is safe to call from many goroutines at once; concurrent calls
// share the ledger's commits.
func (c *CA) Issue(p *Prepared) (*cert.Certificate, error) {
	switch {
	case p == nil:
		return nil, errors.New("ca: Issue: nil Prepared")
	case p.ca != c:
		return nil, ErrForeignPrepared
	case !p.used.CompareAndSwap(false, true):
		return nil, ErrPreparedUsed
	}
	t := *p.template
	return c.signAndRecord(c.db, p.record, &t, p.st.cert, p.pub)
}

// IssueRequest is Prepare followed by Issue.
func (c *CA) IssueRequest(req Request) (*cert.Certificate, error) {
	p, err := c.Prepare(req)
	if err != nil {
		return nil, err
	}
	return c.Issue(p)
}

// signAndRecord reserves a serial in db for rec, signs t (parent is the
// issuer's certificate, or t itself for a self-signed one) with the CA's
// key for pub, and completes the record.
func (c *CA) signAndRecord(db Ledger, rec store.Record, t, parent *cert.Certificate, pub *gost3410.PublicKey) (*cert.Certificate, error) {
	serial, err := c.reserve(db, rec)
	if err != nil {
		return nil, err
	}
	t.SerialNumber = serial
	if parent == nil {
		parent = t
	}
	der, err := cert.CreateCertificate(c.rand, t, parent, pub, c.cfg.Signer)
	var issued *cert.Certificate
	if err == nil {
		issued, err = cert.ParseCertificate(der)
	}
	if err != nil {
		err = fmt.Errorf("ca: signing certificate %#x: %w", serial, err)
		if aerr := db.Abandon(serial, err.Error(), c.now()); aerr != nil {
			err = errors.Join(err, fmt.Errorf("ca: abandoning serial %#x: %w", serial, aerr))
		}
		return nil, err
	}
	if err := db.Complete(serial, der, rec.SubjectKeyID, c.now()); err != nil {
		// The certificate is signed but the ledger still says reserved:
		// it is not handed out.
		return nil, fmt.Errorf("ca: recording certificate %#x: %w", serial, err)
	}
	return issued, nil
}

// reserve records rec under a fresh random serial number and returns it.
func (c *CA) reserve(db Ledger, rec store.Record) (*big.Int, error) {
	for try := 1; ; try++ {
		serial, err := cert.NewSerialNumber(c.rand)
		if err != nil {
			return nil, fmt.Errorf("ca: %w", err)
		}
		r := rec
		r.Serial = serial
		err = db.Reserve(&r, c.now())
		if err == nil {
			return serial, nil
		}
		if !errors.Is(err, store.ErrExists) || try == serialTries {
			return nil, fmt.Errorf("ca: reserving serial number: %w", err)
		}
	}
}

// record looks serial up and checks that this CA issued it.
func (c *CA) record(st *issuerState, serial *big.Int) (*store.Record, error) {
	if serial == nil || serial.Sign() <= 0 {
		return nil, fmt.Errorf("ca: serial number %v: %w", serial, store.ErrNotFound)
	}
	rec, err := c.db.Get(serial)
	if err != nil {
		return nil, fmt.Errorf("ca: looking up serial %#x: %w", serial, err)
	}
	if !bytes.Equal(rec.IssuerKeyID, st.keyID) {
		return nil, fmt.Errorf("%w: serial %#x (issuer %s)", ErrWrongIssuer, serial, rec.Issuer)
	}
	return rec, nil
}

// Renew issues a successor to the certificate serial, which this CA issued
// and which is neither revoked nor on hold: same profile, same approved
// subject and subject alternative names, validity the profile's default
// from now (clipped to the CA's notAfter). With csr nil the successor
// certifies the same key; otherwise csr is the request for the new key
// (rekey): its proof of possession is verified, its subject and names are
// ignored in favour of the predecessor's. A qualified successor keeps the
// predecessor's key class, identification kind and subjectSignTool (the
// CSR's subjectSignTool, if it asks for one, replaces the latter on
// rekey). The ledger links the two certificates.
//
// Errors wrap store.ErrNotFound (unknown serial), store.ErrState (revoked
// or on hold), ErrWrongIssuer, or a *RequestError when the successor no
// longer passes the profile's checks.
func (c *CA) Renew(serial *big.Int, csr []byte) (*cert.Certificate, error) {
	st, err := c.issuer()
	if err != nil {
		return nil, err
	}
	rec, err := c.record(st, serial)
	if err != nil {
		return nil, err
	}
	switch rec.Status {
	case store.StatusGood:
	case store.StatusHeld, store.StatusRevoked:
		return nil, fmt.Errorf("ca: renewing %#x: the certificate is revoked or on hold: %w", serial, store.ErrState)
	default:
		return nil, fmt.Errorf("ca: renewing %#x: no certificate was issued under this serial: %w", serial, store.ErrNotFound)
	}
	old, err := cert.ParseCertificate(rec.DER)
	if err != nil {
		return nil, fmt.Errorf("ca: renewing %#x: parsing the ledger's certificate: %w", serial, err)
	}
	o := order{
		profile:     rec.Profile,
		pub:         old.PublicKey,
		subject:     old.Subject,
		rawSubject:  old.RawSubject,
		dns:         old.DNSNames,
		emails:      old.EmailAddresses,
		requestID:   rec.RequestID,
		predecessor: serial,
		kind:        kindOf(&old.Subject),
		keyClass:    classOf(old.PolicyIdentifiers),
		signTool:    old.SubjectSignTool,
		identKind:   old.IdentificationKind,
	}
	if old.IsCA {
		pathLen := old.MaxPathLen
		if pathLen == 0 && !old.MaxPathLenZero {
			pathLen = -1
		}
		o.pathLen = &pathLen
	}
	if csr != nil {
		req, err := parseCSR(csr)
		if err != nil {
			return nil, err
		}
		o.pub = req.PublicKey
		if req.SubjectSignTool != "" {
			o.signTool = req.SubjectSignTool
		}
	}
	p, err := c.prepare(st, &o)
	if err != nil {
		return nil, err
	}
	return c.Issue(p)
}

// kindOf guesses the SubjectKind of a qualified subject from the
// registration numbers it carries.
func kindOf(n *cert.Name) SubjectKind {
	switch {
	case n.OGRN != "" && n.INNLE != "":
		return LegalEntity
	case n.OGRNIP != "":
		return IndividualEntrepreneur
	default:
		return Individual
	}
}
