package store

import (
	"fmt"
	"iter"
	"math/big"
	"time"

	"github.com/gostca/gostca/crypto/streebog"
)

// The functions of this file are for the other implementations of the
// ledger (package store/pgstore). They check arguments as DB's methods do,
// and make and check the audit chain with the same canonical encoding and
// hash, so that every backend refuses the same calls with the same errors
// and keeps a chain that VerifyAudit's rules apply to.

// CheckSerial returns an error wrapping ErrInvalid unless serial can be
// recorded: positive, and at most 255 octets.
func CheckSerial(serial *big.Int) error {
	_, err := serialKey(serial)
	return err
}

// PrepareReserve checks the argument of Reserve and returns the record
// Reserve stores: a deep copy of r's identity, predecessor and application,
// with Status StatusReserved and CreatedAt and UpdatedAt at. Its errors
// wrap ErrInvalid and are Reserve's.
func PrepareReserve(r *Record, at time.Time) (*Record, error) {
	rec, _, err := prepareReserve(r, at)
	return rec, err
}

// ImportRecords is the reading half of Import, for other backends: it
// checks the records in order as Import does (its errors wrap ErrInvalid
// and are Import's), and hands deep copies of them, as Import writes them
// (CreatedAt kept or at, UpdatedAt at, the revocation's Serial set), to
// write, in chunks of at most chunk records with the number, from 1, of
// the chunk's first record. write writes a chunk in one transaction and
// returns how many of it it wrote and, if it stopped at a serial already
// used (in the ledger or earlier in the chunk), the refusal, the records
// before it written; or an error, none written. ImportRecords stops at the
// first refusal, error, bad record or error from records, and returns it
// with the number of records written, as Import does.
func ImportRecords(records iter.Seq2[*Record, error], at time.Time, chunk int,
	write func(first int, recs []*Record) (written int, refused, err error)) (int, error) {
	return importLoop(records, at, max(1, chunk), write)
}

// ImportDetail returns the detail of the audit entry (operation OpImport)
// of a record that ImportRecords handed out.
func ImportDetail(r *Record) string { return importDetail(r) }

// CheckComplete checks the arguments of Complete, as Complete does.
func CheckComplete(serial *big.Int, der, subjectKeyID []byte) error {
	if _, err := serialKey(serial); err != nil {
		return err
	}
	return checkComplete(serial, der, subjectKeyID)
}

// CheckRevocation checks the argument of Revoke, as Revoke does.
func CheckRevocation(rev Revocation) error {
	if _, err := serialKey(rev.Serial); err != nil {
		return err
	}
	return checkRevocation(rev)
}

// CheckCRLInfo checks the arguments of RecordCRL, as RecordCRL does.
func CheckCRLInfo(issuerKeyID []byte, info CRLInfo) error {
	return checkCRLInfo(issuerKeyID, info)
}

// CheckApplication checks what the ledger relies on in an application
// written by SubmitApplication or UpdateApplication.
func CheckApplication(a *Application) error { return checkApplication(a) }

// HashAttachments checks the attachments' contents given to
// SubmitApplication and returns their Streebog-256 hashes.
func HashAttachments(blobs [][]byte) ([][32]byte, error) { return hashAttachments(blobs) }

// CloneApplication returns a deep copy of a.
func CloneApplication(a *Application) *Application { return cloneApplication(a) }

// SealAudit sets e.Hash to the Streebog-256 hash of e's canonical encoding
// (e.Prev included) and returns the entry's stored form: the canonical
// encoding followed by the hash, which ParseAudit reads back.
func SealAudit(e *AuditEntry) ([]byte, error) {
	c, err := canonicalAudit(e)
	if err != nil {
		return nil, err
	}
	e.Hash = streebog.Sum256(c)
	return append(c, e.Hash[:]...), nil
}

// ParseAudit parses the stored form of an audit entry made by SealAudit.
// It does not check the hash (ChainVerifier does).
func ParseAudit(stored []byte) (AuditEntry, error) {
	e, _, err := decodeAudit(stored)
	return e, err
}

// ChainVerifier checks an audit chain as VerifyAudit does, given the
// stored entries in the order of their keys and then the head. The zero
// value is ready to use, for the first entry.
type ChainVerifier struct {
	next uint64 // the number the next entry must have, less one
	prev [32]byte
}

// Entry checks the entry stored under seq, whose stored form is stored. It
// returns nil or an *AuditError; after an error the verifier must not be
// used further.
func (v *ChainVerifier) Entry(seq uint64, stored []byte) error {
	next := v.next + 1
	e, computed, err := decodeAudit(stored)
	switch {
	case err != nil:
		return &AuditError{Seq: seq, Problem: "changed"}
	case e.Seq != seq:
		return &AuditError{Seq: seq, Problem: "reordered"}
	case computed != e.Hash:
		return &AuditError{Seq: seq, Problem: "changed"}
	case seq != next:
		return &AuditError{Seq: next, Problem: "removed"}
	case e.Prev != v.prev:
		return &AuditError{Seq: seq, Problem: "removed"}
	}
	v.prev = e.Hash
	v.next = next
	return nil
}

// Head checks the ledger's head (the last change number and the hash of
// its entry) against the entries checked; it returns nil or an
// *AuditError.
func (v *ChainVerifier) Head(seq uint64, hash [32]byte) error {
	last := v.next
	switch {
	case seq > last:
		return &AuditError{Seq: last + 1, Problem: "head mismatch"}
	case seq < last:
		return &AuditError{Seq: seq + 1, Problem: "head mismatch"}
	case hash != v.prev:
		return &AuditError{Seq: seq, Problem: "head mismatch"}
	}
	return nil
}

// Last returns the number of the last entry checked (0 before the first).
func (v *ChainVerifier) Last() uint64 { return v.next }

func hashAttachments(blobs [][]byte) ([][32]byte, error) {
	hashes := make([][32]byte, len(blobs))
	for i, b := range blobs {
		if len(b) > maxApplicationLen {
			return nil, fmt.Errorf("store: attachment %d of %d bytes, at most %d: %w", i+1, len(b), maxApplicationLen, ErrInvalid)
		}
		hashes[i] = streebog.Sum256(b)
	}
	return hashes, nil
}
