package store

import (
	"encoding/binary"
	"fmt"
	"iter"
	"math/big"
	"time"

	"github.com/gostca/gostca/crypto/streebog"
	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/cryptobyte"
)

// AuditEntry is one change of the ledger. Entries form a hash chain: Prev is
// the Hash of the entry before (zero for the first) and Hash is Streebog-256
// over the entry's canonical encoding, Prev included.
type AuditEntry struct {
	Seq    uint64
	Time   time.Time
	Op     string   // OpReserve, OpComplete, ..., OpImport
	Serial *big.Int // nil for "crl"
	Detail string   // e.g. profile and subject, reason, CRL number
	Prev   [32]byte
	Hash   [32]byte
}

// The operations of audit entries (AuditEntry.Op).
const (
	OpReserve  = "reserve"  // a serial reserved before signing
	OpComplete = "complete" // the certificate of a reserved serial recorded
	OpAbandon  = "abandon"  // a reserved serial given up (signing failed)
	OpRevoke   = "revoke"   // revoked, or a hold made permanent
	OpHold     = "hold"     // put on hold (certificateHold)
	OpRelease  = "release"  // a hold released
	OpCRL      = "crl"      // a CRL number recorded; no serial
)

// AuditError is a broken audit chain: the first bad entry and what is wrong
// with it. Problem is one of
//
//   - "changed": the entry does not hash to its Hash (or does not parse);
//   - "removed": entries are missing before Seq (a gap in the numbers, or an
//     entry whose Prev is not the Hash of the entry before it);
//   - "reordered": the entry stored under Seq carries another number;
//   - "head mismatch": the head kept in the meta bucket does not name the
//     last entry: entries were cut from the end (Seq is the first missing
//     one) or added without it.
type AuditError struct {
	Seq     uint64
	Problem string
}

func (e *AuditError) Error() string {
	return fmt.Sprintf("store: audit log entry %d: %s", e.Seq, e.Problem)
}

// The stored form of an entry is its canonical encoding, which is what the
// hash covers, followed by the hash:
//
//	version(1) ‖ seq(8) ‖ time(12) ‖ len(1) op ‖ len(1) serial ‖ len(3) detail ‖ prev(32) ‖ hash(32)
//
// Every variable field is length-prefixed, so no two entries share an
// encoding.

func canonicalAudit(e *AuditEntry) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint8(auditVersion)
	b.AddUint64(e.Seq)
	addTime(&b, e.Time)
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(e.Op)) })
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
		if e.Serial != nil {
			b.AddBytes(e.Serial.Bytes())
		}
	})
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(e.Detail)) })
	b.AddBytes(e.Prev[:])
	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("store: encoding audit entry: a field is too long: %w", ErrInvalid)
	}
	return out, nil
}

// encodeAudit returns the stored form of e, with the Hash e carries.
func encodeAudit(e *AuditEntry) ([]byte, error) {
	c, err := canonicalAudit(e)
	if err != nil {
		return nil, err
	}
	return append(c, e.Hash[:]...), nil
}

// decodeAudit parses a stored entry and returns it with the hash its
// content has (which a tampered entry does not carry).
func decodeAudit(v []byte) (e AuditEntry, computed [32]byte, err error) {
	if len(v) < 32 {
		return e, computed, fmt.Errorf("decoding audit entry: %w", errMalformed)
	}
	canon := v[:len(v)-32]
	s := cryptobyte.String(canon)
	var (
		version            uint8
		op, serial, detail cryptobyte.String
		prev               []byte
	)
	if !s.ReadUint8(&version) || version != auditVersion ||
		!s.ReadUint64(&e.Seq) ||
		!readTime(&s, &e.Time) ||
		!s.ReadUint8LengthPrefixed(&op) ||
		!s.ReadUint8LengthPrefixed(&serial) || (len(serial) > 0 && serial[0] == 0) ||
		!s.ReadUint24LengthPrefixed(&detail) ||
		!s.ReadBytes(&prev, 32) || !s.Empty() {
		return e, computed, fmt.Errorf("decoding audit entry: %w", errMalformed)
	}
	e.Op = string(op)
	if len(serial) > 0 {
		e.Serial = new(big.Int).SetBytes(serial)
	}
	e.Detail = string(detail)
	copy(e.Prev[:], prev)
	copy(e.Hash[:], v[len(canon):])
	return e, streebog.Sum256(canon), nil
}

// head returns the last change number and the hash of its audit entry.
func head(tx *bolt.Tx) (seq uint64, hash [32]byte, err error) {
	v := tx.Bucket(bucketMeta).Get(keyHead)
	switch len(v) {
	case 0:
		return 0, hash, nil
	case 8 + 32:
		copy(hash[:], v[8:])
		return binary.BigEndian.Uint64(v), hash, nil
	}
	return 0, hash, fmt.Errorf("store: reading the audit head: %w", errMalformed)
}

// appendAudit takes the next change number, appends its audit entry and
// moves the head, in tx. It returns the change number.
func appendAudit(tx *bolt.Tx, at time.Time, op string, serial *big.Int, detail string) (uint64, error) {
	e, err := appendAuditEntry(tx, at, op, serial, detail)
	return e.Seq, err
}

// appendAuditEntry is appendAudit returning the entry.
func appendAuditEntry(tx *bolt.Tx, at time.Time, op string, serial *big.Int, detail string) (AuditEntry, error) {
	seq, prev, err := head(tx)
	if err != nil {
		return AuditEntry{}, err
	}
	e := AuditEntry{Seq: seq + 1, Time: at, Op: op, Serial: serial, Detail: detail, Prev: prev}
	c, err := canonicalAudit(&e)
	if err != nil {
		return AuditEntry{}, err
	}
	e.Hash = streebog.Sum256(c)
	audit := tx.Bucket(bucketAudit)
	audit.FillPercent = 1 // append-only: pack the pages
	if err := audit.Put(seqKey(e.Seq), append(c, e.Hash[:]...)); err != nil {
		return AuditEntry{}, fmt.Errorf("store: appending audit entry %d: %w", e.Seq, err)
	}
	h := binary.BigEndian.AppendUint64(make([]byte, 0, 40), e.Seq)
	if err := tx.Bucket(bucketMeta).Put(keyHead, append(h, e.Hash[:]...)); err != nil {
		return AuditEntry{}, fmt.Errorf("store: moving the audit head: %w", err)
	}
	return e, nil
}

// Audit returns the audit log in order. It reads in short transactions, a
// page of entries at a time, so the loop body may write to the ledger; the
// entries it yields are those committed when each page was read.
func (db *DB) Audit() iter.Seq2[AuditEntry, error] {
	return pages(db, bucketAudit, func(tx *bolt.Tx, k, v []byte) (AuditEntry, bool, error) {
		e, _, err := decodeAudit(v)
		if err != nil {
			return e, false, fmt.Errorf("store: reading audit entry %x: %w", k, err)
		}
		return e, true, nil
	})
}

// VerifyAudit checks the whole audit chain in one read transaction. It
// returns nil, an *AuditError naming the first bad entry, or an error
// reading the ledger.
func (db *DB) VerifyAudit() error {
	return db.bolt.View(verifyAudit)
}

func verifyAudit(tx *bolt.Tx) error {
	var v ChainVerifier
	c := tx.Bucket(bucketAudit).Cursor()
	for k, val := c.First(); k != nil; k, val = c.Next() {
		if len(k) != 8 {
			return &AuditError{Seq: v.Last() + 1, Problem: "changed"}
		}
		if err := v.Entry(binary.BigEndian.Uint64(k), val); err != nil {
			return err
		}
	}
	hseq, hhash, err := head(tx)
	if err != nil {
		return &AuditError{Seq: v.Last(), Problem: "head mismatch"}
	}
	return v.Head(hseq, hhash)
}
