package ra

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/store"
)

// Errors of the certificate holder's operations.
var (
	// ErrSignedRequest: a renewal or revocation is not a valid CMS
	// signature by a certificate of this CA, or names another certificate.
	ErrSignedRequest = errors.New("ra: signed request refused")
	// ErrCertificateState: the certificate is not in a state that allows
	// the operation (revoked, on hold, expired).
	ErrCertificateState = errors.New("ra: not allowed in the certificate's state")
)

// DefaultSelfRenewal are the profiles whose holders renew without an
// operator, with a signature by the current key: not the qualified
// certificate (whose holder the law wants identified again) nor a CA's.
var DefaultSelfRenewal = []string{ca.ProfileSignature, ca.ProfileEncryption, ca.ProfileAuth, ca.ProfileTLSServer}

// ReportLost puts on hold, at once, the certificate issued for the
// application number when codeWord is the code word chosen at application:
// the holder lost the key and cannot sign. An operator then revokes it
// (or releases it). A wrong code word gives the same ErrNotFound as an
// unknown number.
func (r *Authority) ReportLost(number, codeWord string) (*big.Int, error) {
	if r.ca == nil {
		return nil, ErrNoCA
	}
	a, err := r.Get(number)
	if err != nil || len(a.CodeWordHash) == 0 || subtle.ConstantTimeCompare(HashCode(r.cfg.CodeKey, a.Number, codeWord), a.CodeWordHash) != 1 {
		return nil, ErrNotFound
	}
	if a.Serial == nil || a.State != Issued {
		return nil, fmt.Errorf("%w: %s", ErrNotIssued, number)
	}
	if err := r.ca.Hold(a.Serial); err != nil {
		if errors.Is(err, store.ErrState) {
			return nil, fmt.Errorf("%w: certificate %x is revoked or on hold already", ErrCertificateState, a.Serial)
		}
		return nil, err
	}
	return a.Serial, nil
}

// RevocationRequest is the content of a signed revocation: JSON
// {"serial": "hex", "reason": "keyCompromise"}.
type RevocationRequest struct {
	Serial string `json:"serial"`
	Reason string `json:"reason"`
}

// signer verifies a CMS SignedData with attached content made with the key
// of a certificate of this CA, and returns the content and the signer's
// ledger record.
func (r *Authority) signer(der []byte) ([]byte, *store.Record, error) {
	if b, _ := pem.Decode(der); b != nil {
		der = b.Bytes
	}
	sd, err := cms.Parse(der)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrSignedRequest, err)
	}
	if sd.Detached || len(sd.SignerInfos) != 1 {
		return nil, nil, fmt.Errorf("%w: one signature over attached content is expected", ErrSignedRequest)
	}
	roots := append([]*cert.Certificate{r.ca.Certificate()}, r.ca.Chain()...)
	now := r.cfg.Clock()
	res, err := sd.Verify(nil, cms.VerifyOptions{Roots: roots[len(roots)-1:], Certificates: roots, CurrentTime: now})
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrSignedRequest, strings.TrimPrefix(err.Error(), "cms: "))
	}
	c := res[0].Certificate
	rec, err := r.ledger.Get(c.SerialNumber)
	if err != nil || !bytes.Equal(rec.DER, c.Raw) {
		return nil, nil, fmt.Errorf("%w: the signer's certificate is not one this CA issued", ErrSignedRequest)
	}
	return sd.Content, rec, nil
}

// RevokeSigned revokes at once, with reason keyCompromise, the certificate
// whose key signed req (a CMS SignedData, DER or PEM, of a
// RevocationRequest naming the certificate): who holds the key may always
// say it is compromised. A certificate on hold may be revoked so.
func (r *Authority) RevokeSigned(req []byte) (*big.Int, error) {
	if r.ca == nil {
		return nil, ErrNoCA
	}
	content, rec, err := r.signer(req)
	if err != nil {
		return nil, err
	}
	var rr RevocationRequest
	if err := json.Unmarshal(content, &rr); err != nil {
		return nil, fmt.Errorf("%w: the content is not a revocation request: %v", ErrSignedRequest, err)
	}
	serial, ok := new(big.Int).SetString(strings.TrimPrefix(strings.ToLower(rr.Serial), "0x"), 16)
	if !ok || serial.Cmp(rec.Serial) != 0 {
		return nil, fmt.Errorf("%w: the request names serial %q, not the signer's certificate %x", ErrSignedRequest, rr.Serial, rec.Serial)
	}
	if rr.Reason != "" && !strings.EqualFold(rr.Reason, "keyCompromise") {
		return nil, fmt.Errorf("%w: a signed report revokes for keyCompromise only, not %q", ErrSignedRequest, rr.Reason)
	}
	if err := r.ca.Revoke(serial, cert.ReasonKeyCompromise, r.cfg.Clock()); err != nil {
		if errors.Is(err, store.ErrState) {
			return nil, fmt.Errorf("%w: certificate %x is revoked already", ErrCertificateState, serial)
		}
		return nil, err
	}
	return serial, nil
}

// Renewal is the outcome of a renewal: a certificate issued at once, or an
// application an operator decides.
type Renewal struct {
	Certificate *cert.Certificate
	Receipt     *Receipt
}

// Renew takes a renewal: req is a CMS SignedData (DER or PEM) whose
// content is the PKCS#10 request for the new key, signed with the key of
// the current certificate. When the current certificate is good (issued,
// not revoked or held, not expired), its profile allows self-renewal and
// the request's subject is the certificate's (the same attributes and
// values, whatever their string types), the successor is issued at
// once, linked to it as its renewal. Otherwise, if the certificate was
// issued for an application, the renewal becomes an application for an
// operator with that applicant's data. A revoked, held or expired
// certificate cannot renew itself (ErrCertificateState).
func (r *Authority) Renew(req []byte, selfRenewal []string) (*Renewal, error) {
	if r.ca == nil {
		return nil, ErrNoCA
	}
	content, rec, err := r.signer(req)
	if err != nil {
		return nil, err
	}
	csr := content
	if b, _ := pem.Decode(csr); b != nil {
		csr = b.Bytes
	}
	creq, err := cert.ParseCertificateRequest(csr)
	if err == nil {
		err = creq.CheckSignature()
	}
	if err != nil {
		return nil, FieldErrors{{"csr", err.Error()}}
	}
	if st := ca.StatusOf(rec, r.cfg.Clock()); st.State != ca.StateGood {
		return nil, fmt.Errorf("%w: certificate %x is %v: apply anew", ErrCertificateState, rec.Serial, st.State)
	}
	old, err := cert.ParseCertificate(rec.DER)
	if err != nil {
		return nil, err
	}
	if selfRenewal == nil {
		selfRenewal = DefaultSelfRenewal
	}
	sameSubject := bytes.Equal(creq.RawSubject, old.RawSubject) || creq.Subject.String() == old.Subject.String()
	if slices.Contains(selfRenewal, rec.Profile) && sameSubject {
		keyID, err := cert.KeyIdentifier(creq.RawSubjectPublicKeyInfo)
		if err != nil {
			return nil, FieldErrors{{"csr", err.Error()}}
		}
		if certified, err := r.ledger.BySubjectKeyID(keyID); err != nil {
			return nil, err
		} else if len(certified) > 0 {
			return nil, FieldErrors{{"csr", "this key is certified already: make a new key for a new certificate"}}
		}
		c, err := r.ca.Renew(rec.Serial, csr)
		if err != nil {
			return nil, err
		}
		return &Renewal{Certificate: c}, nil
	}
	if rec.Application == "" {
		return nil, fmt.Errorf("%w: certificate %x was not issued for an application: renew it in the office", ErrCertificateState, rec.Serial)
	}
	prev, err := r.Get(rec.Application)
	if err != nil {
		return nil, err
	}
	rc, err := r.Submit(Submission{Applicant: prev.Applicant, Profile: rec.Profile, CSR: csr, Renews: rec.Serial, By: "holder of " + fmt.Sprintf("%x", rec.Serial)})
	if err != nil {
		return nil, err
	}
	return &Renewal{Receipt: rc}, nil
}
