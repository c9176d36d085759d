package responder

import (
	"crypto"
	"errors"
	"fmt"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/store"
)

// Delegation configures a Cache to sign its responses with a delegated
// responder key rather than the CA's (RFC 6960 §4.2.2.2): the Cache makes
// the key in memory (it is never written anywhere), has the CA issue it a
// short-lived certificate of the profile ca.ProfileOCSP (extended key usage
// id-kp-OCSPSigning, id-pkix-ocsp-nocheck), recorded in the ledger like any
// other, and replaces both before the certificate expires. The CA key then
// signs one certificate per rotation instead of every response, which
// matters when it is in a token.
type Delegation struct {
	// Params are the parameters of the responder keys; nil means
	// TC26 256-bit paramSetA (fast to sign with, and read by every
	// verifier).
	Params *gost3410.Params
	// Validity is the validity of each responder certificate; 0 means 7
	// days. The profile allows at most 90 days.
	Validity time.Duration
	// RenewBefore is how long before its notAfter a responder certificate
	// is replaced; 0 means a third of Validity. It must exceed the Cache's
	// ResponseValidity, so that every response expires before the
	// certificate that signed it.
	RenewBefore time.Duration
	// Subject is the subject of the responder certificates; nil means
	// the CA's organization and country with the CN "<CA's CN> OCSP
	// responder".
	Subject *cert.Name
}

// Defaults of Delegation.
const DefaultDelegateValidity = 7 * 24 * time.Hour

// responderKey is the key that signs responses and its certificate: the
// CA's own, or a delegated one (then delegated is true and the certificate
// goes into every response).
type responderKey struct {
	signer    crypto.Signer
	cert      *cert.Certificate
	delegated bool
}

// checkDelegation fills in d's defaults and checks it against the
// response validity.
func checkDelegation(d *Delegation, caCert *cert.Certificate, responseValidity time.Duration) (*Delegation, error) {
	c := *d
	if c.Params == nil {
		c.Params = gost3410.ParamsTC26256A()
	}
	if c.Validity <= 0 {
		c.Validity = DefaultDelegateValidity
	}
	if c.RenewBefore <= 0 {
		c.RenewBefore = c.Validity / 3
	}
	if c.RenewBefore <= responseValidity || c.RenewBefore >= c.Validity {
		return nil, fmt.Errorf("responder: Delegation.RenewBefore (%v) must be between the response validity (%v) and the certificate validity (%v)",
			c.RenewBefore, responseValidity, c.Validity)
	}
	if c.Subject == nil {
		s := cert.Name{
			Country:      caCert.Subject.Country,
			Organization: caCert.Subject.Organization,
			CommonName:   caCert.Subject.CommonName + " OCSP responder",
		}
		c.Subject = &s
	}
	return &c, nil
}

// renewDue reports whether the delegated certificate k should be replaced
// at now: RenewBefore its notAfter, unless the CA's own notAfter clipped it
// (a new one would end no later).
func (c *Cache) renewDue(k *responderKey, now time.Time) bool {
	return k.delegated && !now.Before(k.cert.NotAfter.Add(-c.delegation.RenewBefore)) &&
		k.cert.NotAfter.Before(c.issuer.NotAfter)
}

// delegate makes a responder key, has the CA certify it (opening the
// ledger for writing for as long as that takes) and makes it the signer of
// the responses that follow. Responses already signed stay valid: their
// nextUpdate comes before the old certificate's notAfter.
func (c *Cache) delegate(now time.Time, timeout time.Duration) error {
	d := c.delegation
	key, err := gost3410.GenerateKey(d.Params, c.rand)
	if err != nil {
		return fmt.Errorf("responder: making a responder key: %w", err)
	}
	csr, err := cert.CreateCertificateRequest(c.rand, &cert.CertificateRequest{Subject: *d.Subject}, key)
	if err != nil {
		return fmt.Errorf("responder: making the responder's request: %w", err)
	}
	var leaf *cert.Certificate
	err = c.withLedger(false, timeout, func(db Ledger) error {
		cfg := c.cfg.CA
		cfg.Clock = func() time.Time { return now }
		a, err := ca.New(db, cfg)
		if err != nil {
			return fmt.Errorf("responder: %w", err)
		}
		// Near the CA's own end, the certificate ends with the CA.
		validity := min(d.Validity, c.issuer.NotAfter.Sub(now).Truncate(time.Second))
		leaf, err = a.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileOCSP, Subject: d.Subject, Validity: validity})
		if err != nil {
			return fmt.Errorf("responder: certifying a responder key: %w", err)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			return fmt.Errorf("responder: opening the ledger to certify a responder key: %w", err)
		}
		return err
	}
	c.signer.Store(&responderKey{signer: key, cert: leaf, delegated: true})
	c.stats.delegations.Add(1)
	c.log.Info("responder certificate issued", "serial", leaf.SerialNumber.Text(16), "not_after", leaf.NotAfter)
	return nil
}
