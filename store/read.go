package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"iter"
	"math/big"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Get returns the record of a serial, or an error wrapping ErrNotFound.
func (db *DB) Get(serial *big.Int) (*Record, error) {
	var r *Record
	err := db.View(func(tx Tx) error {
		var err error
		r, err = tx.Get(serial)
		return err
	})
	return r, err
}

// BySubjectKeyID returns the certificates (completed, in any state since)
// whose key has the subject key identifier ski, in serial order, through
// the index. No match is an empty result, not an error.
func (db *DB) BySubjectKeyID(ski []byte) ([]*Record, error) {
	if len(ski) == 0 || len(ski) > maxKeyIDLen {
		return nil, nil
	}
	var out []*Record
	err := db.bolt.View(func(tx *bolt.Tx) error {
		prefix := skiPrefix(ski)
		c := tx.Bucket(bucketSKI).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			key := k[len(prefix):]
			serial, ok := parseSerialKey(key)
			if !ok {
				return fmt.Errorf("store: reading subject key index: %w", errMalformed)
			}
			r, err := loadRecord(tx, key, serial)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// Expiring returns the valid and held certificates with NotAfter in
// [from, to), by NotAfter ascending (then serial), through the expiry
// index. Like All, it reads a page at a time.
func (db *DB) Expiring(from, to time.Time) iter.Seq2[*Record, error] {
	start := sortableTime(nil, from)
	end := sortableTime(nil, to)
	return scan(db, bucketExpiry, start, end, func(tx *bolt.Tx, k, _ []byte) (*Record, bool, error) {
		if len(k) <= timeLen {
			return nil, false, fmt.Errorf("store: reading expiry index: %w", errMalformed)
		}
		key := k[timeLen:]
		serial, ok := parseSerialKey(key)
		if !ok {
			return nil, false, fmt.Errorf("store: reading expiry index: %w", errMalformed)
		}
		r, err := loadRecord(tx, key, serial)
		if err != nil {
			return nil, false, err
		}
		return r, r.Status == StatusGood || r.Status == StatusHeld, nil
	})
}

// All returns every record in serial order. It reads in short
// transactions, a page of records at a time, so the loop body may write to
// the ledger; it is not a snapshot (use View for one).
func (db *DB) All() iter.Seq2[*Record, error] {
	return pages(db, bucketCerts, func(tx *bolt.Tx, k, v []byte) (*Record, bool, error) {
		r, err := decodeRecord(v)
		if err != nil {
			return nil, false, fmt.Errorf("store: reading serial key %x: %w", k, err)
		}
		return r, true, nil
	})
}

// pageLen is how many keys a paged iterator reads per transaction.
const pageLen = 256

func pages[T any](db *DB, bucket []byte, decode func(tx *bolt.Tx, k, v []byte) (T, bool, error)) iter.Seq2[T, error] {
	return scan(db, bucket, nil, nil, decode)
}

// scan iterates over the keys of a top-level bucket in [start, end) (nil:
// unbounded), decoding pageLen keys per read transaction and yielding them
// after the transaction ends. decode says whether to yield a key's value.
func scan[T any](db *DB, bucket, start, end []byte, decode func(tx *bolt.Tx, k, v []byte) (T, bool, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var (
			after []byte // the last key read; nil before the first page
			page  []T
		)
		for {
			page = page[:0]
			done := false
			err := db.bolt.View(func(tx *bolt.Tx) error {
				c := tx.Bucket(bucket).Cursor()
				var k, v []byte
				switch {
				case after != nil:
					if k, v = c.Seek(after); bytes.Equal(k, after) {
						k, v = c.Next()
					}
				case start != nil:
					k, v = c.Seek(start)
				default:
					k, v = c.First()
				}
				for n := 0; ; n++ {
					if k == nil || (end != nil && bytes.Compare(k, end) >= 0) {
						done = true
						return nil
					}
					if n == pageLen {
						return nil
					}
					t, ok, err := decode(tx, k, v)
					if err != nil {
						return err
					}
					if ok {
						page = append(page, t)
					}
					after = append(after[:0], k...)
					k, v = c.Next()
				}
			})
			for _, t := range page {
				if !yield(t, nil) {
					return
				}
			}
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			if done {
				return
			}
		}
	}
}

// View runs fn in a read transaction: a consistent snapshot of the ledger,
// for making a CRL. Writes go on meanwhile and are not seen. The Tx and the
// iterators it returns must not be used after fn returns; fn should not
// write to the ledger (a write that must grow the file waits for every read
// transaction to end).
func (db *DB) View(fn func(tx Tx) error) error {
	return db.bolt.View(func(btx *bolt.Tx) error { return fn(&boltTx{tx: btx}) })
}

// boltTx is the Tx of a bbolt read transaction.
type boltTx struct {
	tx *bolt.Tx
}

// Seq returns the ledger's change number in this snapshot: the number of
// writes ever committed, and the Seq of the last audit entry.
func (tx *boltTx) Seq() uint64 {
	seq, _, _ := head(tx.tx)
	return seq
}

// Get returns the record of a serial in this snapshot, or an error wrapping
// ErrNotFound.
func (tx *boltTx) Get(serial *big.Int) (*Record, error) {
	key, err := serialKey(serial)
	if err != nil {
		return nil, err
	}
	return loadRecord(tx.tx, key, serial)
}

// AuditSince returns the audit entries with Seq > seq, in order: every
// change of the ledger since the snapshot whose Seq was seq, with the
// serial it concerned (nil for a CRL). It is the change feed of a reader
// that follows the ledger: a range read of the audit log, which is keyed by
// Seq. It does not check the hash chain (DB.VerifyAudit does).
func (tx *boltTx) AuditSince(seq uint64) iter.Seq2[AuditEntry, error] {
	return func(yield func(AuditEntry, error) bool) {
		if seq == ^uint64(0) {
			return
		}
		c := tx.tx.Bucket(bucketAudit).Cursor()
		for k, v := c.Seek(seqKey(seq + 1)); k != nil; k, v = c.Next() {
			e, _, err := decodeAudit(v)
			if err != nil {
				yield(AuditEntry{}, fmt.Errorf("store: reading audit entry %x: %w", k, err))
				return
			}
			if !yield(e, nil) {
				return
			}
		}
	}
}

// CRLState returns what the ledger knows of the issuer's CRLs: the zero
// value (nil numbers) if it has recorded none.
func (tx *boltTx) CRLState(issuerKeyID []byte) (CRLState, error) {
	ib, ok := openIssuer(tx.tx, issuerKeyID)
	if !ok {
		return CRLState{}, nil
	}
	st, err := decodeCRLState(ib.root.Get(keyCRL))
	if err != nil {
		return CRLState{}, fmt.Errorf("store: reading CRL state of issuer %x: %w", issuerKeyID, err)
	}
	return st, nil
}

// Revocations returns the issuer's held and revoked certificates in serial
// order, from a cursor: a full CRL streams from it without loading the
// list. Each entry allocates only its serial.
func (tx *boltTx) Revocations(issuerKeyID []byte) iter.Seq2[Revocation, error] {
	return func(yield func(Revocation, error) bool) {
		ib, ok := openIssuer(tx.tx, issuerKeyID)
		if !ok {
			return
		}
		c := ib.revoked.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var r Revocation // a new serial for every entry: callers keep them
			if err := decodeRevocation(k, v, &r); err != nil {
				yield(Revocation{}, fmt.Errorf("store: reading revocations of issuer %x: %w", issuerKeyID, err))
				return
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}

// ScanRevocations is Revocations for streaming, as into a CRL of a million
// entries: it yields one Revocation, overwritten at every step, serial
// included, so that the scan allocates nothing per entry. The yielded value
// is valid only until the next step; copy what must be kept.
func (tx *boltTx) ScanRevocations(issuerKeyID []byte) iter.Seq2[*Revocation, error] {
	return func(yield func(*Revocation, error) bool) {
		ib, ok := openIssuer(tx.tx, issuerKeyID)
		if !ok {
			return
		}
		c := ib.revoked.Cursor()
		r := &Revocation{Serial: new(big.Int)}
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if err := decodeRevocation(k, v, r); err != nil {
				yield(nil, fmt.Errorf("store: reading revocations of issuer %x: %w", issuerKeyID, err))
				return
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}

// RevocationsSince returns the issuer's held and revoked certificates whose
// entry was recorded with Seq > seq, in Seq order, from the index by Seq:
// the content of a delta CRL over a base made at seq. A hold made permanent
// since is there once, with its new reason and Seq.
func (tx *boltTx) RevocationsSince(issuerKeyID []byte, seq uint64) iter.Seq2[Revocation, error] {
	return func(yield func(Revocation, error) bool) {
		ib, ok := openIssuer(tx.tx, issuerKeyID)
		if !ok || seq == ^uint64(0) {
			return
		}
		c := ib.revseq.Cursor()
		for k, key := c.Seek(seqKey(seq + 1)); k != nil; k, key = c.Next() {
			var r Revocation // a new serial for every entry: callers keep them
			v := ib.revoked.Get(key)
			if v == nil {
				yield(Revocation{}, fmt.Errorf("store: reading revocations of issuer %x: index entry %x without revocation: %w", issuerKeyID, k, errMalformed))
				return
			}
			if err := decodeRevocation(key, v, &r); err != nil {
				yield(Revocation{}, fmt.Errorf("store: reading revocations of issuer %x: %w", issuerKeyID, err))
				return
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}

// RemovalsSince returns the issuer's holds released with Seq > seq, in Seq
// order: the removeFromCRL entries of a delta CRL over a base made at seq.
// Each serial appears once, with its latest release; a serial that is held
// or revoked again in this snapshot is left out (it is in RevocationsSince,
// with its current state). A hold both made and released after seq is
// listed too, though the base CRL does not have it.
func (tx *boltTx) RemovalsSince(issuerKeyID []byte, seq uint64) iter.Seq2[Removal, error] {
	return func(yield func(Removal, error) bool) {
		ib, ok := openIssuer(tx.tx, issuerKeyID)
		if !ok || seq == ^uint64(0) {
			return
		}
		c := ib.removals.Cursor()
		var r Removal
		for k, v := c.Seek(seqKey(seq + 1)); k != nil; k, v = c.Next() {
			key, err := decodeRemoval(k, v, &r)
			if err != nil {
				yield(Removal{}, fmt.Errorf("store: reading removals of issuer %x: %w", issuerKeyID, err))
				return
			}
			if ib.revoked.Get(key) != nil {
				continue
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}

// Count returns the number of the issuer's revocation entries (held and
// revoked certificates), from a counter: it does not scan.
func (tx *boltTx) Count(issuerKeyID []byte) (revoked int, err error) {
	ib, ok := openIssuer(tx.tx, issuerKeyID)
	if !ok {
		return 0, nil
	}
	v := ib.root.Get(keyCount)
	switch len(v) {
	case 0:
		return 0, nil
	case 8:
		return int(binary.BigEndian.Uint64(v)), nil
	}
	return 0, fmt.Errorf("store: reading revocation count of issuer %x: %w", issuerKeyID, errMalformed)
}
