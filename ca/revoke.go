package ca

import (
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/store"
)

// Revoke revokes the certificate serial for good, with an RFC 5280 reason
// (any but certificateHold and removeFromCRL: see Hold and Release) and an
// optional invalidity date (zero: none; not in the future). A certificate
// on hold may be revoked. Nothing changes on error; errors wrap
// store.ErrNotFound (unknown serial), store.ErrState (already revoked),
// ErrWrongIssuer or ErrReason.
func (c *CA) Revoke(serial *big.Int, reason cert.ReasonCode, invalidity time.Time) error {
	switch reason {
	case cert.ReasonUnspecified, cert.ReasonKeyCompromise, cert.ReasonCACompromise,
		cert.ReasonAffiliationChanged, cert.ReasonSuperseded, cert.ReasonCessationOfOperation,
		cert.ReasonPrivilegeWithdrawn, cert.ReasonAACompromise:
	case cert.ReasonCertificateHold:
		return fmt.Errorf("%w: %v: use Hold", ErrReason, reason)
	case cert.ReasonRemoveFromCRL:
		return fmt.Errorf("%w: %v: use Release", ErrReason, reason)
	default:
		return fmt.Errorf("%w: %v", ErrReason, reason)
	}
	return c.revoke(serial, reason, invalidity)
}

// Hold suspends the certificate serial (certificateHold): it is listed on
// CRLs until Release or Revoke. Errors as for Revoke; holding a
// certificate that is on hold or revoked wraps store.ErrState.
func (c *CA) Hold(serial *big.Int) error {
	return c.revoke(serial, cert.ReasonCertificateHold, time.Time{})
}

func (c *CA) revoke(serial *big.Int, reason cert.ReasonCode, invalidity time.Time) error {
	st, err := c.issuer()
	if err != nil {
		return err
	}
	now := c.now()
	if !invalidity.IsZero() && invalidity.After(now) {
		return reqErr(ErrInvalidField, "invalidity", "%v is in the future", invalidity)
	}
	if err := c.issued(st, serial, "revoking"); err != nil {
		return err
	}
	err = c.db.Revoke(store.Revocation{
		Serial:         serial,
		Time:           now,
		Reason:         reason,
		InvalidityDate: invalidity,
	}, now)
	if err != nil {
		return fmt.Errorf("ca: revoking %#x (%v): %w", serial, reason, err)
	}
	return nil
}

// Release takes the certificate serial off hold; the next delta CRL lists
// it as removeFromCRL. Releasing a certificate that is not on hold wraps
// store.ErrState; an unknown one store.ErrNotFound.
func (c *CA) Release(serial *big.Int) error {
	st, err := c.issuer()
	if err != nil {
		return err
	}
	if err := c.issued(st, serial, "releasing"); err != nil {
		return err
	}
	if err := c.db.Release(serial, c.now()); err != nil {
		return fmt.Errorf("ca: releasing %#x: %w", serial, err)
	}
	return nil
}

// issued checks that this CA issued the certificate serial (not merely
// reserved the serial).
func (c *CA) issued(st *issuerState, serial *big.Int, doing string) error {
	rec, err := c.record(st, serial)
	if err != nil {
		return err
	}
	if rec.Status == store.StatusReserved || rec.Status == store.StatusAbandoned {
		return fmt.Errorf("ca: %s %#x: no certificate was issued under this serial: %w", doing, serial, store.ErrNotFound)
	}
	return nil
}

// State is a certificate's status: the one vocabulary of the ca layer
// (ca/status, ca/responder and the command line speak it too). The zero
// value is StateUnknown.
type State int

const (
	// StateUnknown: this CA never issued a certificate with this serial
	// (or only reserved the serial).
	StateUnknown State = iota
	// StateGood: issued, within its validity, not revoked.
	StateGood
	// StateRevoked: revoked for good.
	StateRevoked
	// StateHeld: on hold (certificateHold).
	StateHeld
	// StateExpired: past its notAfter, not revoked or held.
	StateExpired
)

// String returns "unknown", "good", "revoked", "held" or "expired".
func (s State) String() string {
	switch s {
	case StateUnknown:
		return "unknown"
	case StateGood:
		return "good"
	case StateRevoked:
		return "revoked"
	case StateHeld:
		return "held"
	case StateExpired:
		return "expired"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Status is the state of one certificate.
type Status struct {
	State  State
	Serial *big.Int
	// RevokedAt, Reason and InvalidityDate describe a revoked or held
	// certificate (Reason is cert.ReasonCertificateHold for a held one).
	RevokedAt      time.Time
	Reason         cert.ReasonCode
	InvalidityDate time.Time
	// Record is the ledger's record; nil for StateUnknown when the serial
	// was never seen, or belongs to another CA.
	Record *store.Record
}

// StatusOf returns the status of the certificate a ledger record holds at
// now: revoked or held (whatever its validity), expired (notAfter before
// now), good, or unknown for a serial only reserved or abandoned (no
// certificate was issued under it). A held certificate's Reason is always
// certificateHold. It is the one mapping from records to statuses: the
// CA, the status checkers, the responder and the command line use it.
func StatusOf(rec *store.Record, now time.Time) Status {
	s := Status{State: StateUnknown, Serial: rec.Serial, Record: rec}
	switch rec.Status {
	case store.StatusGood:
		s.State = StateGood
		if rec.NotAfter.Before(now) {
			s.State = StateExpired
		}
	case store.StatusHeld, store.StatusRevoked:
		s.State = StateRevoked
		if r := rec.Revocation; r != nil {
			s.RevokedAt, s.Reason, s.InvalidityDate = r.Time, r.Reason, r.InvalidityDate
		}
		if rec.Status == store.StatusHeld {
			s.State, s.Reason = StateHeld, cert.ReasonCertificateHold
		}
	}
	return s
}

// Status returns the state of the certificate serial at the CA's Clock
// (see StatusOf). A serial this CA never issued is StateUnknown, not an
// error.
func (c *CA) Status(serial *big.Int) (Status, error) {
	st, err := c.issuer()
	if err != nil {
		return Status{}, err
	}
	rec, err := c.record(st, serial)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, ErrWrongIssuer):
		return Status{State: StateUnknown, Serial: serial}, nil
	case err != nil:
		return Status{}, err
	}
	return StatusOf(rec, c.clock()), nil
}
