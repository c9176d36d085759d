package ca

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/store"
)

// InitRoot makes the CA a root: it signs a self-signed certificate for its
// key (basicConstraints cA without a path length limit, keyCertSign and
// cRLSign) valid for validity from now, and records it in the ledger as
// issued by itself with the profile "root". After it, Certificate returns
// the new certificate. It fails with ErrAlreadyInitialized if the CA has a
// certificate.
func (c *CA) InitRoot(subject cert.Name, validity time.Duration) (*cert.Certificate, error) {
	c.initMu.Lock()
	defer c.initMu.Unlock()
	if c.state.Load() != nil {
		return nil, ErrAlreadyInitialized
	}
	if validity <= 0 {
		return nil, reqErr(ErrValidity, "Validity", "a root needs a positive validity, not %v", validity)
	}
	now := c.now()
	t := &cert.Certificate{
		Subject:               subject,
		NotBefore:             now,
		NotAfter:              now.Add(validity).Truncate(time.Second),
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            -1,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		SubjectKeyId:          c.keyID,
	}
	name := subject.String()
	rec := store.Record{
		IssuerKeyID:  c.keyID,
		Issuer:       name,
		Subject:      name,
		SubjectKeyID: c.keyID,
		Profile:      profileRoot,
		NotBefore:    t.NotBefore,
		NotAfter:     t.NotAfter,
	}
	root, err := c.signAndRecord(c.db, rec, t, nil, c.pub)
	if err != nil {
		return nil, err
	}
	c.state.Store(c.newState(root, nil))
	return root, nil
}

// InitIntermediate makes the CA an intermediate of parent: parent signs a
// certificate for this CA's key with the "subca" profile (which parent must
// be allowed to issue), the given subject and path length (negative: no
// limit of its own, but always below the parent's), valid for validity
// from now (0: the profile's default) clipped to the parent's notAfter. The
// certificate is recorded in parent's ledger as issued by parent; if this
// CA uses another ledger, it is recorded there too. The chain becomes the
// parent's certificate and chain.
func (c *CA) InitIntermediate(parent *CA, subject cert.Name, validity time.Duration, pathLen int) (*cert.Certificate, error) {
	if parent == nil || parent == c {
		return nil, errors.New("ca: InitIntermediate: the parent must be another CA")
	}
	c.initMu.Lock()
	defer c.initMu.Unlock()
	if c.state.Load() != nil {
		return nil, ErrAlreadyInitialized
	}
	pst, err := parent.issuer()
	if err != nil {
		return nil, fmt.Errorf("ca: parent: %w", err)
	}
	if validity < 0 {
		return nil, reqErr(ErrValidity, "Validity", "negative (%v)", validity)
	}
	pc := pst.cert
	switch {
	case pc.MaxPathLenZero && pc.MaxPathLen == 0:
		return nil, fmt.Errorf("ca: the parent's certificate allows no subordinate CA (pathLen 0)")
	case pc.MaxPathLen > 0 && (pathLen < 0 || pathLen >= pc.MaxPathLen):
		if pathLen >= pc.MaxPathLen {
			return nil, reqErr(ErrInvalidField, "pathLen", "%d; the parent's certificate allows at most %d", pathLen, pc.MaxPathLen-1)
		}
		pathLen = pc.MaxPathLen - 1
	}
	o := order{
		profile:  ProfileSubCA,
		pub:      c.pub,
		subject:  subject,
		validity: validity,
		pathLen:  &pathLen,
	}
	// explicit is false: prepare clips the validity to the parent's
	// notAfter instead of refusing it.
	p, err := parent.prepare(pst, &o)
	if err != nil {
		return nil, err
	}
	issued, err := parent.Issue(p)
	if err != nil {
		return nil, err
	}
	if c.db != parent.db {
		if err := c.recordForeign(issued, p.record); err != nil {
			return nil, err
		}
	}
	chain := append([]*cert.Certificate{pc}, pst.chain...)
	c.state.Store(c.newState(issued, chain))
	return issued, nil
}

// recordForeign records in this CA's ledger a certificate that another
// signed, under its own serial number; one already recorded with the same
// DER is left as it is.
func (c *CA) recordForeign(issued *cert.Certificate, rec store.Record) error {
	rec.Serial = issued.SerialNumber
	at := c.now()
	if err := c.db.Reserve(&rec, at); err != nil {
		if errors.Is(err, store.ErrExists) {
			if old, gerr := c.db.Get(rec.Serial); gerr == nil && bytes.Equal(old.DER, issued.Raw) {
				return nil
			}
		}
		return fmt.Errorf("ca: recording the CA certificate %#x: %w", rec.Serial, err)
	}
	if err := c.db.Complete(rec.Serial, issued.Raw, rec.SubjectKeyID, at); err != nil {
		return fmt.Errorf("ca: recording the CA certificate %#x: %w", rec.Serial, err)
	}
	return nil
}

// InitRequest returns a DER PKCS#10 request, signed with the CA's key, for
// an offline root to certify with subject (asking for keyCertSign and
// cRLSign). Its answer goes to Import.
func (c *CA) InitRequest(subject cert.Name) ([]byte, error) {
	der, err := cert.CreateCertificateRequest(c.rand, &cert.CertificateRequest{
		Subject:  subject,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, c.cfg.Signer)
	if err != nil {
		return nil, fmt.Errorf("ca: making the CA's request: %w", err)
	}
	return der, nil
}

// Import installs the CA's certificate from an offline root's answer to
// InitRequest. der must be a CA certificate (basicConstraints cA,
// keyCertSign if it has a keyUsage) for this CA's key that verifies, now,
// through chain (issuers nearest first, the root last; empty for a
// self-signed certificate). It is recorded in the ledger as issued by its
// issuer, with the profile "subca" ("root" if self-signed). Errors wrap
// ErrImport, ErrAlreadyInitialized, or the ledger's.
func (c *CA) Import(der []byte, chain []*cert.Certificate) (*cert.Certificate, error) {
	c.initMu.Lock()
	defer c.initMu.Unlock()
	if c.state.Load() != nil {
		return nil, ErrAlreadyInitialized
	}
	cc, err := cert.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrImport, err)
	}
	if err := c.checkOwnCertificate(cc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrImport, err)
	}
	rec := store.Record{
		Issuer:       cc.Issuer.String(),
		Subject:      cc.Subject.String(),
		SubjectKeyID: cc.SubjectKeyId,
		Profile:      ProfileSubCA,
		NotBefore:    cc.NotBefore,
		NotAfter:     cc.NotAfter,
	}
	if len(rec.SubjectKeyID) == 0 {
		rec.SubjectKeyID = c.keyID
	}
	if len(chain) == 0 {
		if err := cc.CheckSignatureFrom(cc); err != nil {
			return nil, fmt.Errorf("%w: no chain and not self-signed: %w", ErrImport, err)
		}
		rec.Profile = profileRoot
		rec.IssuerKeyID = rec.SubjectKeyID
	} else {
		if err := checkChain(cc, chain); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrImport, err)
		}
		if _, err := cc.Verify(cert.VerifyOptions{
			Roots:         chain[len(chain)-1:],
			Intermediates: chain[:len(chain)-1],
			CurrentTime:   c.now(),
		}); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrImport, err)
		}
		rec.IssuerKeyID = chain[0].SubjectKeyId
		if len(rec.IssuerKeyID) == 0 {
			if rec.IssuerKeyID, err = keyIdentifier(chain[0].PublicKey); err != nil {
				return nil, fmt.Errorf("%w: %w", ErrImport, err)
			}
		}
	}
	if err := c.recordForeign(cc, rec); err != nil {
		return nil, err
	}
	c.state.Store(c.newState(cc, chain))
	return cc, nil
}
