package store

import (
	"fmt"
	"iter"
	"time"

	bolt "go.etcd.io/bbolt"
)

// importChunk is the number of records Import writes per transaction: big
// enough that a million records take a few hundred commits, small enough
// that a transaction's dirty pages stay a few megabytes.
const importChunk = 4096

// OpImport is the audit operation of an imported certificate (DB.Import).
const OpImport = "import"

// Import adds certificates issued elsewhere to the ledger: the migration
// path from another CA (OpenSSL's index.txt, another ledger), and the fast
// way to fill a ledger for tests and benchmarks. It reads records in order
// and writes them in transactions of a few thousand records, each
// committed durably before the next is read.
//
// A record needs Serial (positive, never used in this ledger), IssuerKeyID,
// DER (not parsed: the caller vouches for it, as the ca package does for
// what it signs) and Status StatusGood, StatusHeld or StatusRevoked. A held
// or revoked record needs Revocation, with a non-zero Time and a reason
// that matches its status (6, certificateHold, exactly when held); a valid
// one must have none. Renewal links (Predecessor, Successor) are not
// imported: they must be nil. CreatedAt is kept if set, else it is at;
// UpdatedAt is at.
//
// Each record gets its own change number and audit entry ("import"); the
// revocation entry of a held or revoked record carries that number as its
// Seq. The indexes and revocation buckets are written as Complete and
// Revoke write them, so CRLs, delta CRLs and status answers treat an
// imported certificate like one issued here: an imported revocation is in
// the next delta CRL as well as in every full CRL.
//
// Import stops at the first record it cannot import, or the first error
// from records, and returns it with the number of records imported: the
// records before it, all durably recorded. A serial already in the ledger
// (or earlier in records) fails with an error wrapping ErrExists, a
// malformed record with one wrapping ErrInvalid. Import keeps no reference
// to the records it reads (the iterator may reuse one Record).
func (db *DB) Import(records iter.Seq2[*Record, error], at time.Time) (int, error) {
	return importLoop(records, at, importChunk, func(first int, recs []*Record) (written int, refused, err error) {
		err = db.bolt.Update(func(tx *bolt.Tx) error {
			var err error
			written, refused, err = importRecords(tx, recs, at)
			return err
		})
		if err != nil {
			return 0, nil, fmt.Errorf("store: importing record %d: %w", first+written, err)
		}
		return written, refused, nil
	})
}

// importLoop is Import's reading: it checks each record of records
// (importable) and hands the copies to write in chunks of at most chunk,
// with the number, from 1, of the chunk's first record. write writes a
// chunk in one transaction and returns how many of it it wrote and, if it
// stopped at a serial already used, the refusal (the records before it
// written), or an error (none written). importLoop stops at the first
// refusal, error or bad record and returns it with the number written.
func importLoop(records iter.Seq2[*Record, error], at time.Time, chunk int,
	write func(first int, recs []*Record) (written int, refused, err error)) (int, error) {
	var (
		n    int
		recs = make([]*Record, 0, chunk)
	)
	// flush writes the chunk; the records before a refused one are kept.
	flush := func() error {
		if len(recs) == 0 {
			return nil
		}
		written, refused, err := write(n+1, recs)
		recs = recs[:0]
		if err != nil {
			return err
		}
		n += written
		return refused
	}
	for r, err := range records {
		if err != nil {
			if ferr := flush(); ferr != nil {
				return n, ferr
			}
			return n, fmt.Errorf("store: importing record %d: %w", n+1, err)
		}
		c, err := importable(r, at)
		if err != nil {
			if ferr := flush(); ferr != nil {
				return n, ferr
			}
			return n, err
		}
		recs = append(recs, c)
		if len(recs) == chunk {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}

// importable checks r and returns the copy of it Import writes.
func importable(r *Record, at time.Time) (*Record, error) {
	if r == nil {
		return nil, fmt.Errorf("store: importing: no record: %w", ErrInvalid)
	}
	if _, err := serialKey(r.Serial); err != nil {
		return nil, err
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("store: importing serial 0x%x: %s: %w", r.Serial, fmt.Sprintf(format, args...), ErrInvalid)
	}
	if err := checkKeyID("issuer key identifier", r.IssuerKeyID, true); err != nil {
		return nil, err
	}
	if err := checkKeyID("subject key identifier", r.SubjectKeyID, false); err != nil {
		return nil, err
	}
	switch {
	case len(r.DER) == 0:
		return nil, fail("no certificate")
	case len(r.DER) >= 1<<24:
		return nil, fail("certificate of %d bytes", len(r.DER))
	case r.Predecessor != nil || r.Successor != nil:
		return nil, fail("renewal links are not imported")
	}
	rev := r.Revocation
	switch r.Status {
	case StatusGood:
		if rev != nil {
			return nil, fail("a valid certificate with a revocation")
		}
	case StatusHeld, StatusRevoked:
		switch {
		case rev == nil:
			return nil, fail("%s without a revocation", r.Status)
		case rev.Serial != nil && rev.Serial.Cmp(r.Serial) != 0:
			return nil, fail("revocation of serial 0x%x", rev.Serial)
		case rev.Time.IsZero():
			return nil, fail("no revocation time")
		case !validReason(rev.Reason):
			return nil, fail("reason %d cannot be recorded", rev.Reason)
		case (rev.Reason == reasonCertificateHold) != (r.Status == StatusHeld):
			return nil, fail("%s with reason %d", r.Status, rev.Reason)
		}
	default:
		return nil, fail("status %s cannot be imported", r.Status)
	}
	c := cloneIdentity(r)
	c.Status = r.Status
	c.DER = cloneBytes(r.DER)
	c.CreatedAt, c.UpdatedAt = r.CreatedAt, at
	if c.CreatedAt.IsZero() {
		c.CreatedAt = at
	}
	if rev != nil {
		c.Revocation = &Revocation{Serial: c.Serial, Time: rev.Time, Reason: rev.Reason, InvalidityDate: rev.InvalidityDate}
	}
	if _, err := encodeRecord(c); err != nil {
		return nil, fmt.Errorf("store: importing serial 0x%x: %w", r.Serial, err)
	}
	return c, nil
}

// importRecords writes checked records in tx, in order. It returns how many
// it wrote and, if it stopped at a serial already in use, the refusal: tx
// then holds the records before it and is good to commit. Any other error
// leaves tx half-written, to be rolled back.
func importRecords(tx *bolt.Tx, recs []*Record, at time.Time) (written int, refused, err error) {
	certs := tx.Bucket(bucketCerts)
	// Imports usually come in serial order (an index.txt is in issuance
	// order): pack the pages they fill, as bbolt advises for appends, so
	// that a CRL reads half as many pages as at the default fill.
	fill := bolt.DefaultFillPercent
	if sortedSerials(recs) {
		fill = 1
	}
	certs.FillPercent = fill
	for i, r := range recs {
		key, err := serialKey(r.Serial)
		if err != nil {
			return i, nil, err
		}
		if certs.Get(key) != nil {
			return i, fmt.Errorf("store: importing serial 0x%x: %w", r.Serial, ErrExists), nil
		}
		if err := importRecord(tx, key, r, fill, at); err != nil {
			return i, nil, err
		}
	}
	return len(recs), nil, nil
}

// importDetail is the detail of the audit entry of an imported record.
func importDetail(r *Record) string {
	detail := fmt.Sprintf("issuer=%x status=%s subject=%q ski=%x notAfter=%s", r.IssuerKeyID, r.Status, r.Subject, r.SubjectKeyID, r.NotAfter.UTC().Format(time.RFC3339))
	if rev := r.Revocation; rev != nil {
		detail += fmt.Sprintf(" reason=%d time=%s", rev.Reason, rev.Time.UTC().Format(time.RFC3339Nano))
		if !rev.InvalidityDate.IsZero() {
			detail += " invalidity=" + rev.InvalidityDate.UTC().Format(time.RFC3339Nano)
		}
	}
	return detail
}

// sortedSerials reports whether the serials of recs increase.
func sortedSerials(recs []*Record) bool {
	for i := 1; i < len(recs); i++ {
		if recs[i-1].Serial.Cmp(recs[i].Serial) >= 0 {
			return false
		}
	}
	return true
}

// importRecord writes one record, its indexes, its revocation entry and its
// audit entry, as Reserve, Complete and Revoke together would; fill is the
// fill percent of the pages of the records and revocations.
func importRecord(tx *bolt.Tx, key []byte, r *Record, fill float64, at time.Time) error {
	seq, err := appendAudit(tx, at, OpImport, r.Serial, importDetail(r))
	if err != nil {
		return err
	}
	if r.Status != StatusRevoked {
		if err := tx.Bucket(bucketExpiry).Put(expiryKey(r.NotAfter, key), nil); err != nil {
			return fmt.Errorf("store: indexing serial 0x%x: %w", r.Serial, err)
		}
	}
	if len(r.SubjectKeyID) > 0 {
		if err := tx.Bucket(bucketSKI).Put(append(skiPrefix(r.SubjectKeyID), key...), nil); err != nil {
			return fmt.Errorf("store: indexing serial 0x%x: %w", r.Serial, err)
		}
	}
	if rev := r.Revocation; rev != nil {
		rev.Seq = seq
		ib, err := createIssuer(tx, r.IssuerKeyID)
		if err != nil {
			return err
		}
		ib.revoked.FillPercent = fill
		ib.revseq.FillPercent = 1 // keyed by increasing seq
		if err := ib.revoked.Put(key, encodeRevocation(rev)); err != nil {
			return fmt.Errorf("store: importing serial 0x%x: %w", r.Serial, err)
		}
		if err := ib.revseq.Put(seqKey(seq), key); err != nil {
			return fmt.Errorf("store: importing serial 0x%x: %w", r.Serial, err)
		}
		if err := ib.addCount(1); err != nil {
			return fmt.Errorf("store: importing serial 0x%x: %w", r.Serial, err)
		}
	}
	return putRecord(tx, key, r)
}
