package store

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"github.com/gostca/gostca/crypto/cert"
)

// Status is the state of a certificate in the ledger.
//
//	Reserve ──► Reserved ──Complete──► Good ◄───Release── Held
//	                │                    │ └──Revoke(6)────►│
//	             Abandon                 │                  │
//	                ▼                    └─Revoke(≠6)─► Revoked ◄─Revoke(≠6)─┘
//	            Abandoned
type Status uint8

const (
	StatusReserved  Status = iota + 1 // serial recorded, certificate not signed yet
	StatusGood                        // signed, neither revoked nor held (whatever its validity: see ca.StatusOf)
	StatusHeld                        // revoked with certificateHold (reason 6); may be released
	StatusRevoked                     // permanently revoked
	StatusAbandoned                   // reserved, but signing failed; the serial stays used
)

// String returns the status in lower case: "reserved", "good", "held",
// "revoked" or "abandoned".
func (s Status) String() string {
	switch s {
	case StatusReserved:
		return "reserved"
	case StatusGood:
		return "good"
	case StatusHeld:
		return "held"
	case StatusRevoked:
		return "revoked"
	case StatusAbandoned:
		return "abandoned"
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

// Record is a certificate in the ledger. Records returned by the store are
// copies: changing one changes nothing in the ledger. Times come back in UTC.
type Record struct {
	Serial                 *big.Int
	IssuerKeyID            []byte // subjectKeyIdentifier of the issuing CA
	Issuer, Subject        string // DNs for display
	SubjectKeyID           []byte // of the certificate's key; indexed
	Profile, RequestID     string
	NotBefore, NotAfter    time.Time
	Status                 Status
	Predecessor, Successor *big.Int    // renewal links, nil if none
	DER                    []byte      // empty while reserved or abandoned
	Revocation             *Revocation // set while held or revoked
	CreatedAt, UpdatedAt   time.Time
	// Application is the number of the application the certificate was
	// issued for (see DB.SubmitApplication), empty if none. Reserve links
	// the two, once: an application has at most one certificate that is
	// not abandoned.
	Application string
}

// Revocation is a held or revoked certificate, as a CRL lists it.
type Revocation struct {
	Serial         *big.Int
	Time           time.Time       // revocation time
	Reason         cert.ReasonCode // cert.ReasonCertificateHold while on hold; 0 = unspecified
	InvalidityDate time.Time       // zero if none
	Seq            uint64          // ledger change number when recorded (set by the store)
}

// Removal is a hold that was released: the serial goes in the next delta
// CRL with reason removeFromCRL.
type Removal struct {
	Serial *big.Int
	Time   time.Time
	Seq    uint64
}

// The RFC 5280 CRLReason values the store treats specially.
const (
	reasonCertificateHold = cert.ReasonCertificateHold
	reasonUnused          = cert.ReasonCode(7)
	reasonRemoveFromCRL   = cert.ReasonRemoveFromCRL
	reasonMax             = cert.ReasonAACompromise
)

// validReason reports whether a revocation may be recorded with reason r:
// 0–10 except 7 (not assigned) and 8 (removeFromCRL, which is Release).
func validReason(r cert.ReasonCode) bool {
	return r >= 0 && r <= reasonMax && r != reasonUnused && r != reasonRemoveFromCRL
}

// encodeRecord returns the stored form of r.
func encodeRecord(r *Record) ([]byte, error) {
	var b cryptobyte.Builder
	version := uint8(recordVersion)
	if r.Application != "" {
		version = recordVersionApplication
	}
	b.AddUint8(version)
	b.AddUint8(uint8(r.Status))
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(r.Serial.Bytes()) })
	addBytes16(&b, r.IssuerKeyID)
	addBytes16(&b, []byte(r.Issuer))
	addBytes16(&b, []byte(r.Subject))
	addBytes16(&b, r.SubjectKeyID)
	addBytes16(&b, []byte(r.Profile))
	addBytes16(&b, []byte(r.RequestID))
	addTime(&b, r.NotBefore)
	addTime(&b, r.NotAfter)
	addOptInt(&b, r.Predecessor)
	addOptInt(&b, r.Successor)
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(r.DER) })
	addBool(&b, r.Revocation != nil)
	if rev := r.Revocation; rev != nil {
		b.AddUint8(uint8(rev.Reason))
		b.AddUint64(rev.Seq)
		addTime(&b, rev.Time)
		addBool(&b, !rev.InvalidityDate.IsZero())
		if !rev.InvalidityDate.IsZero() {
			addTime(&b, rev.InvalidityDate)
		}
	}
	addTime(&b, r.CreatedAt)
	addTime(&b, r.UpdatedAt)
	if version == recordVersionApplication {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(r.Application)) })
	}
	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("store: encoding record: a field is too long: %w", ErrInvalid)
	}
	return out, nil
}

func addBytes16(b *cryptobyte.Builder, v []byte) {
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(v) })
}

// decodeRecord parses a stored record. It accepts only what encodeRecord
// produces, and checks the invariants between status, DER and revocation.
// The record owns its memory (nothing aliases v).
func decodeRecord(v []byte) (*Record, error) {
	r, ok := parseRecord(cryptobyte.String(v))
	if !ok {
		return nil, fmt.Errorf("decoding record: %w", errMalformed)
	}
	return r, nil
}

func parseRecord(s cryptobyte.String) (*Record, bool) {
	var (
		r                                    Record
		version, status                      uint8
		serial, issuerKeyID, issuer, subject cryptobyte.String
		ski, profile, requestID, der         cryptobyte.String
		hasRev                               bool
	)
	if !s.ReadUint8(&version) || (version != recordVersion && version != recordVersionApplication) ||
		!s.ReadUint8(&status) || status < uint8(StatusReserved) || status > uint8(StatusAbandoned) ||
		!s.ReadUint8LengthPrefixed(&serial) || len(serial) == 0 || serial[0] == 0 ||
		!s.ReadUint16LengthPrefixed(&issuerKeyID) ||
		!s.ReadUint16LengthPrefixed(&issuer) ||
		!s.ReadUint16LengthPrefixed(&subject) ||
		!s.ReadUint16LengthPrefixed(&ski) ||
		!s.ReadUint16LengthPrefixed(&profile) ||
		!s.ReadUint16LengthPrefixed(&requestID) ||
		!readTime(&s, &r.NotBefore) ||
		!readTime(&s, &r.NotAfter) ||
		!readOptInt(&s, &r.Predecessor) || (r.Predecessor != nil && r.Predecessor.Sign() == 0) ||
		!readOptInt(&s, &r.Successor) || (r.Successor != nil && r.Successor.Sign() == 0) ||
		!s.ReadUint24LengthPrefixed(&der) ||
		!readBool(&s, &hasRev) {
		return nil, false
	}
	r.Status = Status(status)
	r.Serial = new(big.Int).SetBytes(serial)
	r.IssuerKeyID = cloneBytes(issuerKeyID)
	r.Issuer = string(issuer)
	r.Subject = string(subject)
	r.SubjectKeyID = cloneBytes(ski)
	r.Profile = string(profile)
	r.RequestID = string(requestID)
	r.DER = cloneBytes(der)
	if hasRev {
		var (
			reason uint8
			hasInv bool
		)
		rev := &Revocation{Serial: r.Serial}
		if !s.ReadUint8(&reason) || !validReason(cert.ReasonCode(reason)) ||
			!s.ReadUint64(&rev.Seq) ||
			!readTime(&s, &rev.Time) ||
			!readBool(&s, &hasInv) ||
			(hasInv && (!readTime(&s, &rev.InvalidityDate) || rev.InvalidityDate.IsZero())) {
			return nil, false
		}
		rev.Reason = cert.ReasonCode(reason)
		r.Revocation = rev
	}
	if !readTime(&s, &r.CreatedAt) || !readTime(&s, &r.UpdatedAt) {
		return nil, false
	}
	if version == recordVersionApplication {
		var app cryptobyte.String
		if !s.ReadUint8LengthPrefixed(&app) || len(app) == 0 {
			return nil, false
		}
		r.Application = string(app)
	}
	if !s.Empty() {
		return nil, false
	}
	if !consistent(&r) {
		return nil, false
	}
	return &r, true
}

// consistent reports whether a record's status, DER and revocation agree:
// DER once signed; a revocation exactly while held or revoked; holds are
// reason 6 and permanent revocations are not.
func consistent(r *Record) bool {
	switch r.Status {
	case StatusReserved, StatusAbandoned:
		return len(r.DER) == 0 && r.Revocation == nil
	case StatusGood:
		return len(r.DER) != 0 && r.Revocation == nil
	case StatusHeld:
		return len(r.DER) != 0 && r.Revocation != nil && r.Revocation.Reason == reasonCertificateHold
	case StatusRevoked:
		return len(r.DER) != 0 && r.Revocation != nil && r.Revocation.Reason != reasonCertificateHold
	}
	return false
}

// The value of a revocation entry, keyed by serial in the issuer's
// revocation bucket, has a fixed layout so that a CRL of a million entries
// decodes without allocating beyond the serial's big.Int:
//
//	[0]      version
//	[1]      reason
//	[2]      flags: bit 0 = invalidity date present
//	[3:11]   seq, big-endian
//	[11:23]  revocation time
//	[23:35]  invalidity date, if flagged
const (
	revShortLen = 3 + 8 + timeLen
	revLongLen  = revShortLen + timeLen
	revFlagInv  = 1
)

func encodeRevocation(rev *Revocation) []byte {
	b := make([]byte, 0, revLongLen)
	var flags byte
	if !rev.InvalidityDate.IsZero() {
		flags |= revFlagInv
	}
	b = append(b, revocationVersion, byte(rev.Reason), flags)
	b = binary.BigEndian.AppendUint64(b, rev.Seq)
	b = appendTime(b, rev.Time)
	if flags&revFlagInv != 0 {
		b = appendTime(b, rev.InvalidityDate)
	}
	return b
}

// decodeRevocation fills out from an entry's key and value. It allocates
// only the serial, and not even that when out.Serial is given to reuse.
func decodeRevocation(k, v []byte, out *Revocation) error {
	if !validSerialKey(k) || len(v) < revShortLen || v[0] != revocationVersion || !validReason(cert.ReasonCode(v[1])) {
		return fmt.Errorf("decoding revocation: %w", errMalformed)
	}
	switch {
	case v[2] == 0 && len(v) == revShortLen:
		out.InvalidityDate = time.Time{}
	case v[2] == revFlagInv && len(v) == revLongLen:
		t, ok := makeTime(binary.BigEndian.Uint64(v[23:]), binary.BigEndian.Uint32(v[31:]))
		if !ok {
			return fmt.Errorf("decoding revocation: %w", errMalformed)
		}
		out.InvalidityDate = t
	default:
		return fmt.Errorf("decoding revocation: %w", errMalformed)
	}
	t, ok := makeTime(binary.BigEndian.Uint64(v[11:]), binary.BigEndian.Uint32(v[19:]))
	if !ok {
		return fmt.Errorf("decoding revocation: %w", errMalformed)
	}
	if out.Serial == nil {
		out.Serial = new(big.Int)
	}
	out.Serial.SetBytes(k[1:])
	out.Reason = cert.ReasonCode(v[1])
	out.Seq = binary.BigEndian.Uint64(v[3:])
	out.Time = t
	return nil
}

// A removal entry is keyed by seq; its value is the serial key, then the
// release time.

func encodeRemoval(key []byte, at time.Time) []byte {
	return appendTime(append(make([]byte, 0, len(key)+timeLen), key...), at)
}

func decodeRemoval(k, v []byte, out *Removal) (serialKey []byte, err error) {
	if len(k) != 8 || len(v) < timeLen+2 || !validSerialKey(v[:len(v)-timeLen]) {
		return nil, fmt.Errorf("decoding removal: %w", errMalformed)
	}
	sk := v[:len(v)-timeLen]
	t, ok := makeTime(binary.BigEndian.Uint64(v[len(sk):]), binary.BigEndian.Uint32(v[len(sk)+8:]))
	if !ok {
		return nil, fmt.Errorf("decoding removal: %w", errMalformed)
	}
	out.Serial = new(big.Int).SetBytes(sk[1:])
	out.Time = t
	out.Seq = binary.BigEndian.Uint64(k)
	return sk, nil
}
