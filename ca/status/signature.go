package status

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gostca/gostca/crypto/cms"
)

// TimeLayout is how the texts of this package write times: DD.MM.YYYY
// HH:MM:SS UTC.
const TimeLayout = "02.01.2006 15:04:05 UTC"

func formatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// The kinds of problem a signature can have; each *Problem wraps one.
var (
	// ErrSignature: the signature itself does not hold (the cms error is
	// wrapped too: cms.ErrDigestMismatch, cms.ErrBadSignature, ...).
	ErrSignature = errors.New("status: the signature does not hold")
	// ErrChain: the signer's certificate chain does not verify now (a
	// *cert.CertificateInvalidError is wrapped too).
	ErrChain = errors.New("status: the certificate chain does not verify")
	// ErrChainAtSigning: the chain verifies now but did not at the signing
	// time.
	ErrChainAtSigning = errors.New("status: the certificate chain did not hold at the signing time")
	// ErrRevokedAtSigning: the certificate was revoked or on hold at the
	// signing time (or, with no signing time, is revoked at all).
	ErrRevokedAtSigning = errors.New("status: the certificate was revoked at the signing time")
	// ErrStatusUnknown: the status source failed (its error is wrapped
	// too) or does not know the certificate.
	ErrStatusUnknown = errors.New("status: the revocation status is unknown")
)

// Why a signature's status was not checked: SignatureReport.NotChecked.
var (
	// ErrNoSource: no status source was given.
	ErrNoSource = errors.New("status: no status source")
	// ErrNotHolding: the signature does not hold, or has no certificate.
	ErrNotHolding = errors.New("status: the signature does not hold")
	// ErrNoIssuer: no verified issuer of the signer's certificate.
	ErrNoIssuer = errors.New("status: no verified issuer")
)

// Problem is one reason a signature is not valid, in words for people.
// It wraps one of the kinds above (ErrSignature, ErrChain,
// ErrChainAtSigning, ErrRevokedAtSigning, ErrStatusUnknown) and the
// cause, if any.
type Problem struct {
	Kind  error
	Text  string
	Cause error
}

func (p *Problem) Error() string { return p.Text }

// Unwrap returns the kind and the cause.
func (p *Problem) Unwrap() []error {
	if p.Cause == nil {
		return []error{p.Kind}
	}
	return []error{p.Kind, p.Cause}
}

// SignatureReport is the judgement of one signature: the signature, its
// chain, and the revocation status of the signer's certificate at the
// signing time and now.
type SignatureReport struct {
	// Signer is what cms.SignedData.Verify found.
	Signer *cms.SignerResult
	// SigningTime is the signer's signingTime; zero when there is none.
	SigningTime time.Time
	// Status is what the source said; nil when the status was not checked
	// (NotChecked says why) or the source failed (StatusErr).
	Status    *Result
	StatusErr error
	// NotChecked is ErrNoSource, ErrNotHolding or ErrNoIssuer when the
	// status was not asked for; nil when it was.
	NotChecked error
	// Verdict is Status read against SigningTime (Result.Assess);
	// VerdictUnknown without a Status.
	Verdict Verdict
	// Problems say why the signature is not valid, in order of discovery;
	// none for a valid one. Warnings say what a valid one comes with.
	Problems []*Problem
	Warnings []string
}

// Valid reports a signature that holds, with a chain that verifies now
// and at the signing time, by a certificate not revoked then (as far as
// the status was checked).
func (r *SignatureReport) Valid() bool { return len(r.Problems) == 0 }

// NotVerified reports an invalid signature whose only problems are a
// status that could not be had: not shown invalid, but not verified.
func (r *SignatureReport) NotVerified() bool {
	for _, p := range r.Problems {
		if !errors.Is(p.Kind, ErrStatusUnknown) {
			return false
		}
	}
	return len(r.Problems) > 0
}

// Summary is the verdict in words: "valid", "valid when made; the
// certificate is revoked now" (or "on hold now"), "invalid", or "not
// verified: the revocation status is unknown".
func (r *SignatureReport) Summary() string {
	switch {
	case r.NotVerified():
		return "not verified: the revocation status is unknown"
	case !r.Valid():
		return "invalid"
	case r.Verdict == VerdictRevokedAfterSigning && r.Status.Held():
		return "valid when made; the certificate is on hold now"
	case r.Verdict == VerdictRevokedAfterSigning:
		return "valid when made; the certificate is revoked now"
	}
	return "valid"
}

// SignatureProblem says in words why a signature does not hold (err is a
// cms.SignerResult's Err).
func SignatureProblem(err error) string {
	switch {
	case errors.Is(err, cms.ErrDigestMismatch):
		return "the document was changed after it was signed, or is not the signed document"
	case errors.Is(err, cms.ErrBadSignature):
		return "the signature value does not verify: the signature was altered, or another key made it"
	case errors.Is(err, cms.ErrNoSignerCertificate):
		return "the signer's certificate is neither in the signature nor given"
	case errors.Is(err, cms.ErrKeyUsage):
		return "the signer's certificate does not allow signatures (key usage)"
	}
	return err.Error()
}

// CheckSignature judges one signature that cms.SignedData.Verify checked:
// the signature, the chain now and at the signing time, then, with a
// checker (nil: none), the status of the signer's certificate from the
// checker, read against the signing time. A certificate revoked after the
// signing time leaves the signature valid, as made before the revocation,
// with a warning; one revoked or on hold at the signing time (or, without
// a signing time, at all) makes it invalid; a status the source cannot
// give makes it not verified.
func CheckSignature(ctx context.Context, res *cms.SignerResult, checker Checker) *SignatureReport {
	r := &SignatureReport{Signer: res}
	problem := func(kind, cause error, format string, args ...any) {
		r.Problems = append(r.Problems, &Problem{Kind: kind, Text: fmt.Sprintf(format, args...), Cause: cause})
	}
	signingTime, hasTime := res.SigningTime()
	r.SigningTime = signingTime
	if res.Err != nil {
		problem(ErrSignature, res.Err, "%s", SignatureProblem(res.Err))
	}
	if res.ChainErr != nil {
		problem(ErrChain, res.ChainErr, "the certificate chain does not verify: %v", res.ChainErr)
	}
	if err := res.SigningTimeChainErr; err != nil && !errors.Is(err, cms.ErrNoSigningTime) && res.ChainErr == nil {
		problem(ErrChainAtSigning, err, "the certificate chain did not hold at the signing time: %v", err)
	}
	if !hasTime {
		r.Warnings = append(r.Warnings, "no signing time: a revocation at any time counts as before the signature")
	}
	issuer := res.Issuer()
	switch {
	case res.Err != nil || res.Certificate == nil:
		r.NotChecked = ErrNotHolding
		return r
	case checker == nil:
		r.NotChecked = ErrNoSource
		return r
	case issuer == nil:
		r.NotChecked = ErrNoIssuer
		return r
	}
	st, err := checker.Check(ctx, res.Certificate, issuer)
	if err != nil {
		r.StatusErr = err
		problem(ErrStatusUnknown, err, "the revocation status could not be checked: %v", err)
		return r
	}
	r.Status = st
	made, state := "revoked", "revoked"
	if st.Held() {
		made, state = "put on hold", "on hold"
	}
	switch r.Verdict = st.Assess(signingTime); r.Verdict {
	case VerdictRevokedAfterSigning:
		r.Warnings = append(r.Warnings, fmt.Sprintf("the certificate was %s after the signing time (%s): the signature was valid when made", made, DescribeRevocation(st)))
	case VerdictRevokedAtSigning:
		problem(ErrRevokedAtSigning, nil, "the certificate was %s at the signing time (%s)", state, DescribeRevocation(st))
	case VerdictUnknown:
		problem(ErrStatusUnknown, nil, "the certificate is unknown to the %s", st.Source)
	}
	if st.Stale {
		r.Warnings = append(r.Warnings, fmt.Sprintf("the status source is out of date (next update %s): the status may have changed since", formatTime(st.NextUpdate)))
	}
	return r
}

// DescribeRevocation says since when, and why, a certificate is revoked
// or on hold: "since T, keyCompromise", with the invalidity date if any.
func DescribeRevocation(r *Result) string {
	s := "since " + formatTime(r.RevokedAt)
	if !r.Held() {
		s += ", " + r.Reason.String()
	}
	if !r.InvalidityDate.IsZero() {
		s += ", key invalid since " + formatTime(r.InvalidityDate)
	}
	return s
}
