package ca

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap one of these (or an
// error of the store package: store.ErrNotFound, store.ErrState,
// store.ErrExists) so that callers can branch with errors.Is; the messages
// add the specifics.
var (
	// ErrInvalidConfig: New was given a Config with a missing or invalid
	// field; the message names the field.
	ErrInvalidConfig = errors.New("ca: invalid config")
	// ErrNotInitialized: the CA has no certificate yet (call InitRoot,
	// InitIntermediate or Import first).
	ErrNotInitialized = errors.New("ca: the CA has no certificate yet")
	// ErrAlreadyInitialized: InitRoot, InitIntermediate or Import was called
	// on a CA that already has a certificate.
	ErrAlreadyInitialized = errors.New("ca: the CA already has a certificate")

	// ErrUnknownProfile: no profile has that name.
	ErrUnknownProfile = errors.New("ca: unknown profile")
	// ErrProfileNotAllowed: the profile exists but Config.Profiles does not
	// list it.
	ErrProfileNotAllowed = errors.New("ca: profile not allowed for this CA")
	// ErrMalformedRequest: the CSR does not parse.
	ErrMalformedRequest = errors.New("ca: malformed certificate request")
	// ErrBadRequestSignature: the CSR's signature does not verify with its
	// own key (no proof of possession).
	ErrBadRequestSignature = errors.New("ca: certificate request signature does not verify")
	// ErrKeySize: the subscriber's key size is not in Config.AllowedKeyBits.
	ErrKeySize = errors.New("ca: key size not allowed")
	// ErrValidity: the requested validity is negative, longer than the
	// profile allows, or would end after the CA's certificate.
	ErrValidity = errors.New("ca: invalid validity")
	// ErrMissingField: a required field of the request (or of the CA's
	// Config, for the qualified profile) is absent.
	ErrMissingField = errors.New("ca: missing field")
	// ErrInvalidField: a field of the request has the wrong form or length.
	ErrInvalidField = errors.New("ca: invalid field")
	// ErrCheckDigit: a SNILS, INN, INNLE, OGRN or OGRNIP has a wrong check
	// digit.
	ErrCheckDigit = errors.New("ca: wrong check digit")

	// ErrPreparedUsed: Issue was called a second time with the same
	// Prepared.
	ErrPreparedUsed = errors.New("ca: prepared request already used")
	// ErrForeignPrepared: Issue was given a Prepared made by another CA.
	ErrForeignPrepared = errors.New("ca: prepared request belongs to another CA")
	// ErrWrongIssuer: the serial belongs to a certificate that another CA
	// issued.
	ErrWrongIssuer = errors.New("ca: certificate issued by another CA")
	// ErrReason: a revocation reason that Revoke does not take
	// (certificateHold and removeFromCRL have their own methods).
	ErrReason = errors.New("ca: invalid revocation reason")
	// ErrNoBaseCRL: a delta CRL was asked for before any full CRL.
	ErrNoBaseCRL = errors.New("ca: no full CRL to base a delta CRL on")
	// ErrImport: the certificate given to Import is not a CA certificate
	// for this CA's key, or does not verify against its chain.
	ErrImport = errors.New("ca: certificate cannot be imported")
)

// RequestError is a request that Prepare (or Renew) refused. Err is one of
// the sentinels ErrMissingField, ErrInvalidField, ErrCheckDigit,
// ErrValidity, ErrKeySize, ErrMalformedRequest, ErrBadRequestSignature,
// ErrUnknownProfile or ErrProfileNotAllowed.
type RequestError struct {
	Field   string // the request field at fault, e.g. "CSR", "Subject.SNILS", "Validity"
	Problem string // what is wrong with it, for people
	Err     error  // the sentinel
}

func (e *RequestError) Error() string {
	msg := "ca: request"
	if e.Field != "" {
		msg += ": " + e.Field
	}
	if e.Problem != "" {
		msg += ": " + e.Problem
	}
	return msg
}

func (e *RequestError) Unwrap() error { return e.Err }

// reqErr returns a *RequestError for field with a formatted problem.
func reqErr(sentinel error, field, format string, args ...any) error {
	return &RequestError{Field: field, Problem: fmt.Sprintf(format, args...), Err: sentinel}
}
