package status

import (
	"bytes"
	"context"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/crypto/cert"
)

// CRLOptions are the optional inputs of ParseCRL. The zero value, and
// nil, give the defaults.
type CRLOptions struct {
	// Clock gives the current time, to mark a CRL past its nextUpdate
	// Stale and refuse one dated in the future. Default time.Now.
	Clock func() time.Time
	// ClockSkew is how far in the future thisUpdate may be. Default 5
	// minutes.
	ClockSkew time.Duration
}

// CRL answers from one full CRL. Its signature is checked against the
// issuer given to each Check. It is read-only and safe for concurrent use.
type CRL struct {
	list    *cert.RevocationList
	revoked map[string]*cert.RevocationEntry // by serial magnitude
	clock   func() time.Time
	skew    time.Duration
}

// ParseCRL parses a full CRL, DER or PEM ("X509 CRL"). It fails with an
// error wrapping ErrMalformed for data that is not a CRL and ErrDeltaCRL
// for a delta CRL. The signature is checked by Check, which knows the
// issuer.
func ParseCRL(data []byte, opts *CRLOptions) (*CRL, error) {
	der := data
	if bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("-----BEGIN")) {
		b, _ := pem.Decode(data)
		if b == nil || b.Type != "X509 CRL" {
			return nil, fmt.Errorf("%w: no X509 CRL PEM block", ErrMalformed)
		}
		der = b.Bytes
	}
	rl, err := cert.ParseRevocationList(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if rl.BaseCRLNumber != nil {
		return nil, fmt.Errorf("%w: CRL number %v is a delta of CRL %v", ErrDeltaCRL, rl.Number, rl.BaseCRLNumber)
	}
	s := &CRL{list: rl, revoked: make(map[string]*cert.RevocationEntry, len(rl.Entries)), clock: time.Now, skew: defaultClockSkew}
	for i := range rl.Entries {
		e := &rl.Entries[i]
		if e.SerialNumber != nil && e.ReasonCode != cert.ReasonRemoveFromCRL {
			s.revoked[string(e.SerialNumber.Bytes())] = e
		}
	}
	if opts != nil {
		if opts.Clock != nil {
			s.clock = opts.Clock
		}
		if opts.ClockSkew > 0 {
			s.skew = opts.ClockSkew
		}
	}
	return s, nil
}

// List returns the parsed CRL.
func (s *CRL) List() *cert.RevocationList { return s.list }

// Source is how Results name the CRL: "CRL number N of ISSUER".
func (s *CRL) Source() string {
	return fmt.Sprintf("CRL number %v of %q", s.list.Number, s.list.Issuer.String())
}

// Check returns c's status in the CRL: revoked (or held, for reason
// certificateHold) when listed, else good.
// The CRL must be issued by issuer (name, and key identifier when both
// have one: else ErrWrongIssuer) and signed by its key (else
// ErrBadSignature); a thisUpdate in the future fails with ErrTime, and a
// CRL past its nextUpdate answers with Result.Stale set.
func (s *CRL) Check(ctx context.Context, c, issuer *cert.Certificate) (*Result, error) {
	if err := checkIssued(c, issuer); err != nil {
		return nil, err
	}
	if err := s.fromIssuer(issuer); err != nil {
		return nil, err
	}
	if err := s.list.CheckSignatureFrom(issuer); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadSignature, s.Source(), err)
	}
	now := s.clock()
	if s.list.ThisUpdate.After(now.Add(s.skew)) {
		return nil, fmt.Errorf("%w: %s has thisUpdate %v", ErrTime, s.Source(), s.list.ThisUpdate)
	}
	res := &Result{
		Source:     s.Source(),
		State:      ca.StateGood,
		ThisUpdate: s.list.ThisUpdate,
		NextUpdate: s.list.NextUpdate,
		Stale:      stale(s.list.NextUpdate, now),
	}
	if e := s.revoked[string(c.SerialNumber.Bytes())]; e != nil {
		res.setRevoked(e.RevocationTime, e.ReasonCode, e.InvalidityDate)
	}
	return res, nil
}

// fromIssuer checks that issuer issued the CRL by name and, when both
// carry one, key identifier.
func (s *CRL) fromIssuer(issuer *cert.Certificate) error {
	if !bytes.Equal(s.list.RawIssuer, issuer.RawSubject) {
		return fmt.Errorf("%w: %s, not of %q", ErrWrongIssuer, s.Source(), issuer.Subject.String())
	}
	if len(s.list.AuthorityKeyId) > 0 && len(issuer.SubjectKeyId) > 0 && !bytes.Equal(s.list.AuthorityKeyId, issuer.SubjectKeyId) {
		return fmt.Errorf("%w: %s is signed by another key of that name (key identifier %x, not %x)", ErrWrongIssuer, s.Source(), s.list.AuthorityKeyId, issuer.SubjectKeyId)
	}
	return nil
}

// CRLSet answers from the CRL of the certificate's issuer among several
// (for signers of several CAs): the newest by thisUpdate, then number,
// whose issuer name and key identifier are the issuer's. With none, Check
// fails with ErrWrongIssuer.
type CRLSet []*CRL

// Check checks c with the issuer's newest CRL in the set.
func (set CRLSet) Check(ctx context.Context, c, issuer *cert.Certificate) (*Result, error) {
	if err := checkIssued(c, issuer); err != nil {
		return nil, err
	}
	var best *CRL
	var names []string
	for _, s := range set {
		names = append(names, s.Source())
		if s.fromIssuer(issuer) != nil {
			continue
		}
		if best == nil || newer(s.list, best.list) {
			best = s
		}
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("%w: no CRL given", ErrWrongIssuer)
	}
	if best == nil {
		slices.Sort(names)
		return nil, fmt.Errorf("%w: no CRL of %q among %d (%s)", ErrWrongIssuer, issuer.Subject.String(), len(set), strings.Join(names, ", "))
	}
	return best.Check(ctx, c, issuer)
}

// newer reports whether a is newer than b.
func newer(a, b *cert.RevocationList) bool {
	if !a.ThisUpdate.Equal(b.ThisUpdate) {
		return a.ThisUpdate.After(b.ThisUpdate)
	}
	return a.Number != nil && b.Number != nil && a.Number.Cmp(b.Number) > 0
}
