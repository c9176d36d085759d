package status_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/ca/status"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
)

// fixedChecker answers every Check with its result or error.
type fixedChecker struct {
	res *status.Result
	err error
}

func (c fixedChecker) Check(context.Context, *cert.Certificate, *cert.Certificate) (*status.Result, error) {
	return c.res, c.err
}

func TestCheckSignature(t *testing.T) {
	root := catest.NewRoot(t)
	leaf, _ := issueLeaf(t, root, "signer", ca.ProfileSignature)
	signed := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	result := func(mod func(*cms.SignerResult)) *cms.SignerResult {
		r := &cms.SignerResult{
			SignerInfo:       &cms.SignerInfo{SigningTime: signed},
			Certificate:      leaf,
			Chain:            []*cert.Certificate{leaf, root.Certificate()},
			SigningTimeChain: []*cert.Certificate{leaf, root.Certificate()},
		}
		if mod != nil {
			mod(r)
		}
		return r
	}
	revoked := func(at time.Time, reason cert.ReasonCode) fixedChecker {
		res := &status.Result{Source: "test", State: ca.StateRevoked, RevokedAt: at, Reason: reason}
		if reason == cert.ReasonCertificateHold {
			res.State = ca.StateHeld
		}
		return fixedChecker{res: res}
	}
	good := fixedChecker{res: &status.Result{Source: "test", State: ca.StateGood}}
	chainErr := &cert.CertificateInvalidError{Cert: leaf, Reason: cert.UnknownAuthority}
	for _, tc := range []struct {
		name       string
		res        *cms.SignerResult
		checker    status.Checker
		summary    string
		kinds      []error // of the problems, in order
		notChecked error
		warning    string // a warning that must be there
	}{
		{"valid, good", result(nil), good, "valid", nil, nil, ""},
		{"valid, not checked", result(nil), nil, "valid", nil, status.ErrNoSource, ""},
		{"valid, expired now", result(nil), fixedChecker{res: &status.Result{Source: "ledger", State: ca.StateExpired}}, "valid", nil, nil, ""},
		{"revoked after signing", result(nil), revoked(signed.Add(time.Hour), cert.ReasonKeyCompromise), "valid when made; the certificate is revoked now", nil, nil, "the certificate was revoked after the signing time (since 01.05.2026 13:00:00 UTC, keyCompromise): the signature was valid when made"},
		{"held after signing", result(nil), revoked(signed.Add(time.Hour), cert.ReasonCertificateHold), "valid when made; the certificate is on hold now", nil, nil, "put on hold after the signing time"},
		{"revoked before signing", result(nil), revoked(signed.Add(-time.Hour), cert.ReasonSuperseded), "invalid", []error{status.ErrRevokedAtSigning}, nil, ""},
		{"revoked, no signing time", result(func(r *cms.SignerResult) { r.SignerInfo = &cms.SignerInfo{} }), revoked(signed.Add(time.Hour), cert.ReasonKeyCompromise), "invalid", []error{status.ErrRevokedAtSigning}, nil, "no signing time"},
		{"unknown to the source", result(nil), fixedChecker{res: &status.Result{Source: "ledger x"}}, "not verified: the revocation status is unknown", []error{status.ErrStatusUnknown}, nil, ""},
		{"source unavailable", result(nil), fixedChecker{err: fmt.Errorf("%w: down", status.ErrUnavailable)}, "not verified: the revocation status is unknown", []error{status.ErrUnavailable}, nil, ""},
		{"changed document", result(func(r *cms.SignerResult) { r.Err = cms.ErrDigestMismatch }), good, "invalid", []error{cms.ErrDigestMismatch}, status.ErrNotHolding, ""},
		{"no certificate", result(func(r *cms.SignerResult) { r.Certificate, r.Err = nil, cms.ErrNoSignerCertificate }), good, "invalid", []error{status.ErrSignature}, status.ErrNotHolding, ""},
		{"unknown root", result(func(r *cms.SignerResult) { r.Chain, r.ChainErr = nil, chainErr }), good, "invalid", []error{status.ErrChain}, nil, ""},
		{"no issuer", result(func(r *cms.SignerResult) { r.Chain, r.SigningTimeChain, r.ChainErr = nil, nil, chainErr }), good, "invalid", []error{status.ErrChain}, status.ErrNoIssuer, ""},
		{"chain broken at signing", result(func(r *cms.SignerResult) { r.SigningTimeChainErr = chainErr }), good, "invalid", []error{status.ErrChainAtSigning}, nil, ""},
		{"stale source", result(nil), fixedChecker{res: &status.Result{Source: "CRL", State: ca.StateGood, Stale: true, NextUpdate: signed}}, "valid", nil, nil, "the status source is out of date (next update 01.05.2026 12:00:00 UTC)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := status.CheckSignature(context.Background(), tc.res, tc.checker)
			if got := rep.Summary(); got != tc.summary {
				t.Errorf("Summary = %q, want %q", got, tc.summary)
			}
			if rep.Valid() != (len(tc.kinds) == 0) {
				t.Errorf("Valid = %v with problems %v", rep.Valid(), rep.Problems)
			}
			if len(rep.Problems) != len(tc.kinds) {
				t.Fatalf("problems %v, want %d", rep.Problems, len(tc.kinds))
			}
			for i, k := range tc.kinds {
				if !errors.Is(rep.Problems[i], k) {
					t.Errorf("problem %d %q is not %v", i, rep.Problems[i], k)
				}
			}
			if !errors.Is(rep.NotChecked, tc.notChecked) || (rep.NotChecked == nil) != (tc.notChecked == nil) {
				t.Errorf("NotChecked = %v, want %v", rep.NotChecked, tc.notChecked)
			}
			if tc.warning != "" && !strings.Contains(strings.Join(rep.Warnings, "\n"), tc.warning) {
				t.Errorf("warnings %q lack %q", rep.Warnings, tc.warning)
			}
		})
	}
}
