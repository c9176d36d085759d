package status

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/crypto/cert"
)

// Checker answers for the revocation status of a certificate.
type Checker interface {
	// Check returns what the source says of c, which issuer issued. It
	// fails with an error wrapping ErrWrongIssuer when issuer did not
	// issue c (or, for a CRL, when the CRL is another issuer's); an
	// unknown certificate is a Result of State ca.StateUnknown, not an
	// error.
	Check(ctx context.Context, c, issuer *cert.Certificate) (*Result, error)
}

// Errors callers branch on with errors.Is.
var (
	// ErrWrongIssuer: the certificate was not issued by the issuer given
	// (name or signature), or the CRL is another issuer's.
	ErrWrongIssuer = errors.New("status: not the certificate's issuer")
	// ErrMalformed: the CRL or the OCSP response does not parse.
	ErrMalformed = errors.New("status: malformed CRL or OCSP response")
	// ErrBadSignature: the CRL's or the OCSP response's signature does not
	// verify with the issuer's key, or the OCSP responder is not one the
	// issuer authorised (ocsp.ErrUnauthorizedResponder is wrapped too).
	ErrBadSignature = errors.New("status: signature of the CRL or OCSP response does not verify")
	// ErrDeltaCRL: a delta CRL was given; it lists only changes and cannot
	// answer alone.
	ErrDeltaCRL = errors.New("status: a delta CRL cannot be used alone")
	// ErrNonceMismatch: the OCSP response does not echo the request's
	// nonce (a replayed or cached answer).
	ErrNonceMismatch = errors.New("status: OCSP response nonce does not match the request")
	// ErrCertIDMismatch: the OCSP response has no answer for the
	// certificate asked about.
	ErrCertIDMismatch = errors.New("status: OCSP response does not answer for the certificate")
	// ErrTooLarge: the OCSP response is larger than the limit.
	ErrTooLarge = errors.New("status: OCSP response too large")
	// ErrTime: the CRL or the OCSP response is dated in the future
	// (thisUpdate later than now plus the clock skew allowed).
	ErrTime = errors.New("status: CRL or OCSP response dated in the future")
	// ErrUnavailable: the source could not answer: the ledger is missing
	// or locked, the responder is unreachable, timed out, answered an
	// HTTP error or an unsuccessful OCSP status (tryLater, ...).
	ErrUnavailable = errors.New("status: source unavailable")
)

// HTTPError is an OCSP responder's answer with an HTTP status other than
// 200. It wraps ErrUnavailable.
type HTTPError struct {
	URL        string
	StatusCode int
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("status: %s answered HTTP %d", e.URL, e.StatusCode)
}

// Unwrap returns ErrUnavailable.
func (e *HTTPError) Unwrap() error { return ErrUnavailable }

// Result is what a source says of one certificate.
type Result struct {
	// Source names the source for people: "ledger PATH", "CRL number N
	// of ISSUER", "OCSP URL".
	Source string
	// State is ca.StateGood, ca.StateRevoked, ca.StateHeld (revoked with
	// reason certificateHold), ca.StateUnknown, or, from the ledger only,
	// ca.StateExpired (past its notAfter and never revoked).
	State ca.State
	// RevokedAt, Reason and InvalidityDate describe a revoked or held
	// certificate (Reason is cert.ReasonCertificateHold for one on hold).
	// InvalidityDate is zero when the source gives none (OCSP never does).
	RevokedAt      time.Time
	Reason         cert.ReasonCode
	InvalidityDate time.Time
	// ThisUpdate is when the answer was known to be correct: the CRL's or
	// the OCSP response's thisUpdate, the time the ledger was read.
	// NextUpdate is when newer information is due: zero when the source
	// gives none (the ledger, an OCSP response without nextUpdate).
	ThisUpdate, NextUpdate time.Time
	// Stale reports that NextUpdate had passed when the answer was read:
	// the state may have changed since (a revocation listed still
	// happened).
	Stale bool
}

// Held reports a certificate on hold: revoked with reason
// certificateHold.
func (r *Result) Held() bool { return r.State == ca.StateHeld }

// Revoked reports a certificate revoked or on hold.
func (r *Result) Revoked() bool { return r.State == ca.StateRevoked || r.State == ca.StateHeld }

// setRevoked records a revocation (a hold for reason certificateHold).
func (r *Result) setRevoked(at time.Time, reason cert.ReasonCode, invalidity time.Time) {
	r.State, r.RevokedAt, r.Reason, r.InvalidityDate = ca.StateRevoked, at, reason, invalidity
	if reason == cert.ReasonCertificateHold {
		r.State = ca.StateHeld
	}
}

// RevokedFrom returns when the revocation takes effect for judging
// signatures: RevokedAt or, when earlier, InvalidityDate, at the start of
// its second. It is zero unless the certificate is revoked or held.
func (r *Result) RevokedFrom() time.Time {
	if !r.Revoked() {
		return time.Time{}
	}
	t := r.RevokedAt
	if !r.InvalidityDate.IsZero() && r.InvalidityDate.Before(t) {
		t = r.InvalidityDate
	}
	return t.Truncate(time.Second)
}

// RevokedAtTime reports whether the certificate was revoked (or on hold)
// at t, by RevokedFrom: a revocation in the same second as t counts.
func (r *Result) RevokedAtTime(t time.Time) bool {
	return r.Revoked() && !r.RevokedFrom().After(t)
}

// Verdict is a Result read against a signature's signing time.
type Verdict int

const (
	// VerdictUnknown: the source does not know the certificate.
	VerdictUnknown Verdict = iota
	// VerdictGood: not revoked at the signing time, nor now.
	VerdictGood
	// VerdictRevokedAfterSigning: revoked or put on hold after the signing
	// time: the signature was valid when made, but the certificate is
	// revoked (or suspended) now.
	VerdictRevokedAfterSigning
	// VerdictRevokedAtSigning: revoked or on hold at the signing time (or
	// revoked, with no signing time to compare): the signature is
	// invalid.
	VerdictRevokedAtSigning
)

// String returns "unknown", "good", "revoked after signing" or "revoked at
// signing".
func (v Verdict) String() string {
	switch v {
	case VerdictUnknown:
		return "unknown"
	case VerdictGood:
		return "good"
	case VerdictRevokedAfterSigning:
		return "revoked after signing"
	case VerdictRevokedAtSigning:
		return "revoked at signing"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// Assess reads r against signingTime; a zero signingTime means none is
// known, and any revocation then counts as made before the signature.
func (r *Result) Assess(signingTime time.Time) Verdict {
	switch {
	case r.State == ca.StateGood, r.State == ca.StateExpired:
		return VerdictGood
	case !r.Revoked():
		return VerdictUnknown
	case signingTime.IsZero() || r.RevokedAtTime(signingTime):
		return VerdictRevokedAtSigning
	}
	return VerdictRevokedAfterSigning
}

// checkIssued checks that issuer issued c: c's issuer name is issuer's
// subject and issuer's key verifies c's signature.
func checkIssued(c, issuer *cert.Certificate) error {
	switch {
	case c == nil || issuer == nil:
		return errors.New("status: no certificate or no issuer")
	case !bytes.Equal(c.RawIssuer, issuer.RawSubject):
		return fmt.Errorf("%w: %q is issued by %q, not %q", ErrWrongIssuer, c.Subject.String(), c.Issuer.String(), issuer.Subject.String())
	}
	if err := c.CheckSignatureFrom(issuer); err != nil {
		return fmt.Errorf("%w: %q did not sign %q: %w", ErrWrongIssuer, issuer.Subject.String(), c.Subject.String(), err)
	}
	return nil
}

// stale reports whether nextUpdate (zero: none) has passed at now.
func stale(nextUpdate, now time.Time) bool {
	return !nextUpdate.IsZero() && now.After(nextUpdate)
}

// defaultClockSkew is how far in the future a thisUpdate may be.
const defaultClockSkew = 5 * time.Minute
