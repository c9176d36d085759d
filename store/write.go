package store

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"time"

	bolt "go.etcd.io/bbolt"
)

// batch runs fn in a batched write transaction: concurrent calls share one
// commit (one fsync), and each returns once its commit is durable. bbolt
// may run fn more than once (after a rollback caused by another call of the
// batch), so fn reads everything it decides on from tx and changes nothing
// outside it. An error of fn's own is returned as it is; a failure of the
// transaction itself is wrapped with the gerund context.
func (db *DB) batch(context string, serial *big.Int, fn func(tx *bolt.Tx) error) error {
	var last error
	err := db.bolt.Batch(func(tx *bolt.Tx) error {
		last = fn(tx)
		return last
	})
	if err == nil || err == last {
		return err
	}
	if serial != nil {
		return fmt.Errorf("store: %s serial 0x%x: %w", context, serial, err)
	}
	return fmt.Errorf("store: %s: %w", context, err)
}

// loadRecord returns the record stored under key, or an error wrapping
// ErrNotFound.
func loadRecord(tx *bolt.Tx, key []byte, serial *big.Int) (*Record, error) {
	v := tx.Bucket(bucketCerts).Get(key)
	if v == nil {
		return nil, fmt.Errorf("store: serial 0x%x: %w", serial, ErrNotFound)
	}
	r, err := decodeRecord(v)
	if err != nil {
		return nil, fmt.Errorf("store: reading serial 0x%x: %w", serial, err)
	}
	return r, nil
}

func putRecord(tx *bolt.Tx, key []byte, r *Record) error {
	v, err := encodeRecord(r)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketCerts).Put(key, v); err != nil {
		return fmt.Errorf("store: writing serial 0x%x: %w", r.Serial, err)
	}
	return nil
}

func stateError(serial *big.Int, what string) error {
	return fmt.Errorf("store: serial 0x%x: %s: %w", serial, what, ErrState)
}

func checkKeyID(what string, id []byte, required bool) error {
	if required && len(id) == 0 {
		return fmt.Errorf("store: %s missing: %w", what, ErrInvalid)
	}
	if len(id) > maxKeyIDLen {
		return fmt.Errorf("store: %s of %d octets, at most %d allowed: %w", what, len(id), maxKeyIDLen, ErrInvalid)
	}
	return nil
}

// expiryKey is the key of a certificate in the expiry index.
func expiryKey(notAfter time.Time, key []byte) []byte {
	return append(sortableTime(make([]byte, 0, timeLen+len(key)), notAfter), key...)
}

// skiPrefix is the part of a subject key index key before the serial key.
func skiPrefix(ski []byte) []byte {
	return append(append(make([]byte, 0, 1+len(ski)+22), byte(len(ski))), ski...)
}

// Reserve records a serial before its certificate is signed. It needs
// r.Serial (positive) and r.IssuerKeyID, stores a copy of r with Status
// StatusReserved, and ignores r.Status, r.DER, r.Revocation and r.Successor;
// r.Predecessor, if set, must name an issued certificate. CreatedAt and
// UpdatedAt are at. It fails with an error wrapping ErrExists if the serial
// was ever used, abandoned serials included.
func (db *DB) Reserve(r *Record, at time.Time) error {
	rec, val, err := prepareReserve(r, at)
	if err != nil {
		return err
	}
	key, _ := serialKey(rec.Serial)
	var predKey []byte
	if rec.Predecessor != nil {
		predKey, _ = serialKey(rec.Predecessor)
	}
	detail := fmt.Sprintf("issuer=%x profile=%q subject=%q request=%q", rec.IssuerKeyID, rec.Profile, rec.Subject, rec.RequestID)
	if rec.Predecessor != nil {
		detail += fmt.Sprintf(" predecessor=0x%x", rec.Predecessor)
	}
	if rec.Application != "" {
		detail += " application=" + rec.Application
	}
	return db.batch("reserving", rec.Serial, func(tx *bolt.Tx) error {
		certs := tx.Bucket(bucketCerts)
		if certs.Get(key) != nil {
			return fmt.Errorf("store: serial 0x%x: %w", rec.Serial, ErrExists)
		}
		if predKey != nil {
			pred, err := loadRecord(tx, predKey, rec.Predecessor)
			if err != nil {
				return fmt.Errorf("store: predecessor of serial 0x%x: %w", rec.Serial, err)
			}
			if pred.Status == StatusReserved || pred.Status == StatusAbandoned {
				return stateError(rec.Serial, fmt.Sprintf("predecessor 0x%x is %s", rec.Predecessor, pred.Status))
			}
		}
		if rec.Application != "" {
			if err := linkApplication(tx, rec, at); err != nil {
				return err
			}
		}
		if _, err := db.certChanged(tx, at, OpReserve, rec, detail); err != nil {
			return err
		}
		if err := certs.Put(key, val); err != nil {
			return fmt.Errorf("store: writing serial 0x%x: %w", rec.Serial, err)
		}
		return nil
	})
}

// prepareReserve checks Reserve's argument and returns the record to
// store and its encoding.
func prepareReserve(r *Record, at time.Time) (*Record, []byte, error) {
	if r == nil {
		return nil, nil, fmt.Errorf("store: reserving: no record: %w", ErrInvalid)
	}
	if _, err := serialKey(r.Serial); err != nil {
		return nil, nil, err
	}
	if err := checkKeyID("issuer key identifier", r.IssuerKeyID, true); err != nil {
		return nil, nil, err
	}
	if err := checkKeyID("subject key identifier", r.SubjectKeyID, false); err != nil {
		return nil, nil, err
	}
	if r.Predecessor != nil {
		if _, err := serialKey(r.Predecessor); err != nil {
			return nil, nil, fmt.Errorf("store: predecessor of serial 0x%x: %w", r.Serial, err)
		}
	}
	if len(r.Application) > maxAppText {
		return nil, nil, fmt.Errorf("store: reserving serial 0x%x: application number too long: %w", r.Serial, ErrInvalid)
	}
	rec := cloneIdentity(r)
	rec.Application = r.Application
	rec.Status = StatusReserved
	rec.CreatedAt, rec.UpdatedAt = at, at
	if r.Predecessor != nil {
		rec.Predecessor = new(big.Int).Set(r.Predecessor)
	}
	// The value depends only on the arguments: encode it once, outside the
	// transaction.
	val, err := encodeRecord(rec)
	if err != nil {
		return nil, nil, err
	}
	return rec, val, nil
}

// Complete records the signed certificate of a reserved serial: Reserved →
// Valid. It stores der, sets the subject key identifier if subjectKeyID is
// not empty, indexes the certificate by NotAfter and subject key identifier,
// and links a predecessor to it (the predecessor's Successor becomes this
// serial, replacing an earlier successor).
func (db *DB) Complete(serial *big.Int, der, subjectKeyID []byte, at time.Time) error {
	key, err := serialKey(serial)
	if err != nil {
		return err
	}
	if err := checkComplete(serial, der, subjectKeyID); err != nil {
		return err
	}
	serial = new(big.Int).Set(serial)
	der, subjectKeyID = cloneBytes(der), cloneBytes(subjectKeyID)
	return db.batch("completing", serial, func(tx *bolt.Tx) error {
		rec, err := loadRecord(tx, key, serial)
		if err != nil {
			return err
		}
		switch rec.Status {
		case StatusReserved:
		case StatusAbandoned:
			return stateError(serial, "abandoned")
		default:
			return stateError(serial, "already completed ("+rec.Status.String()+")")
		}
		rec.Status = StatusGood
		rec.DER = der
		if len(subjectKeyID) > 0 {
			rec.SubjectKeyID = subjectKeyID
		}
		rec.UpdatedAt = at
		if rec.Predecessor != nil {
			pk, err := serialKey(rec.Predecessor)
			if err != nil {
				return err
			}
			pred, err := loadRecord(tx, pk, rec.Predecessor)
			if err != nil {
				return fmt.Errorf("store: predecessor of serial 0x%x: %w", serial, err)
			}
			pred.Successor = serial
			pred.UpdatedAt = at
			if err := putRecord(tx, pk, pred); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketExpiry).Put(expiryKey(rec.NotAfter, key), nil); err != nil {
			return fmt.Errorf("store: indexing serial 0x%x: %w", serial, err)
		}
		if len(rec.SubjectKeyID) > 0 {
			if err := tx.Bucket(bucketSKI).Put(append(skiPrefix(rec.SubjectKeyID), key...), nil); err != nil {
				return fmt.Errorf("store: indexing serial 0x%x: %w", serial, err)
			}
		}
		detail := fmt.Sprintf("ski=%x notAfter=%s", rec.SubjectKeyID, rec.NotAfter.UTC().Format(time.RFC3339))
		if _, err := db.certChanged(tx, at, OpComplete, rec, detail); err != nil {
			return err
		}
		return putRecord(tx, key, rec)
	})
}

func checkComplete(serial *big.Int, der, subjectKeyID []byte) error {
	if len(der) == 0 {
		return fmt.Errorf("store: completing serial 0x%x: no certificate: %w", serial, ErrInvalid)
	}
	if len(der) >= 1<<24 {
		return fmt.Errorf("store: completing serial 0x%x: certificate of %d bytes: %w", serial, len(der), ErrInvalid)
	}
	return checkKeyID("subject key identifier", subjectKeyID, false)
}

// Abandon records that the certificate of a reserved serial was not
// signed: Reserved → Abandoned. The serial stays used; why goes to the
// audit log.
func (db *DB) Abandon(serial *big.Int, why string, at time.Time) error {
	key, err := serialKey(serial)
	if err != nil {
		return err
	}
	serial = new(big.Int).Set(serial)
	detail := fmt.Sprintf("why=%q", why)
	return db.batch("abandoning", serial, func(tx *bolt.Tx) error {
		rec, err := loadRecord(tx, key, serial)
		if err != nil {
			return err
		}
		switch rec.Status {
		case StatusReserved:
		case StatusAbandoned:
			return stateError(serial, "already abandoned")
		default:
			return stateError(serial, "already signed ("+rec.Status.String()+")")
		}
		rec.Status = StatusAbandoned
		rec.UpdatedAt = at
		if _, err := appendAudit(tx, at, OpAbandon, serial, detail); err != nil {
			return err
		}
		return putRecord(tx, key, rec)
	})
}

// issuerBuckets are the revocation buckets of one issuer.
type issuerBuckets struct {
	root, revoked, revseq, removals, released *bolt.Bucket
}

// openIssuer returns the buckets of an issuer, or ok false if it has none.
func openIssuer(tx *bolt.Tx, id []byte) (ib issuerBuckets, ok bool) {
	if len(id) == 0 {
		return ib, false
	}
	root := tx.Bucket(bucketIssuers).Bucket(id)
	if root == nil {
		return ib, false
	}
	ib = issuerBuckets{root, root.Bucket(bucketRevoked), root.Bucket(bucketRevSeq), root.Bucket(bucketRemovals), root.Bucket(bucketReleased)}
	return ib, ib.revoked != nil && ib.revseq != nil && ib.removals != nil && ib.released != nil
}

// createIssuer returns the buckets of an issuer, creating them if needed.
func createIssuer(tx *bolt.Tx, id []byte) (issuerBuckets, error) {
	if ib, ok := openIssuer(tx, id); ok {
		ib.revseq.FillPercent = 1 // keyed by increasing seq
		ib.removals.FillPercent = 1
		return ib, nil
	}
	root, err := tx.Bucket(bucketIssuers).CreateBucketIfNotExists(id)
	if err != nil {
		return issuerBuckets{}, fmt.Errorf("store: creating buckets of issuer %x: %w", id, err)
	}
	var ib issuerBuckets
	ib.root = root
	for _, b := range []struct {
		name []byte
		dst  **bolt.Bucket
	}{{bucketRevoked, &ib.revoked}, {bucketRevSeq, &ib.revseq}, {bucketRemovals, &ib.removals}, {bucketReleased, &ib.released}} {
		if *b.dst, err = root.CreateBucketIfNotExists(b.name); err != nil {
			return issuerBuckets{}, fmt.Errorf("store: creating buckets of issuer %x: %w", id, err)
		}
	}
	return ib, nil
}

func (ib issuerBuckets) count() uint64 {
	v := ib.root.Get(keyCount)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func (ib issuerBuckets) addCount(delta int) error {
	n := ib.count() + uint64(delta)
	return ib.root.Put(keyCount, binary.BigEndian.AppendUint64(nil, n))
}

// Revoke records a revocation. Reason 6 (certificateHold) puts a valid
// certificate on hold: Valid → Held. Any other reason revokes it for good:
// Valid or Held → Revoked, a revocation replacing the hold's entry (and its
// Seq). A revoked certificate leaves the expiry index. The store sets the
// stored entry's Seq to the change number of this write; rev is a value, so
// the caller's copy is unchanged: read it back with Get or a Tx.
//
// Errors wrap ErrNotFound for an unknown serial, ErrState for a certificate
// that is already revoked, already on hold (with reason 6), or not issued
// (reserved or abandoned), and ErrInvalid for reasons 7 (unassigned) and 8
// (removeFromCRL: use Release), a reason outside 0–10, or a zero Time.
func (db *DB) Revoke(rev Revocation, at time.Time) error {
	key, err := serialKey(rev.Serial)
	if err != nil {
		return err
	}
	if err := checkRevocation(rev); err != nil {
		return err
	}
	serial := new(big.Int).Set(rev.Serial)
	hold := rev.Reason == reasonCertificateHold
	op := OpRevoke
	if hold {
		op = OpHold
	}
	return db.batch("revoking", serial, func(tx *bolt.Tx) error {
		rec, err := loadRecord(tx, key, serial)
		if err != nil {
			return err
		}
		switch {
		case rec.Status == StatusRevoked:
			return stateError(serial, "already revoked")
		case rec.Status == StatusHeld && hold:
			return stateError(serial, "already on hold")
		case rec.Status == StatusReserved || rec.Status == StatusAbandoned:
			return stateError(serial, "not issued ("+rec.Status.String()+")")
		}
		ib, err := createIssuer(tx, rec.IssuerKeyID)
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("issuer=%x reason=%d time=%s", rec.IssuerKeyID, rev.Reason, rev.Time.UTC().Format(time.RFC3339Nano))
		if !rev.InvalidityDate.IsZero() {
			detail += " invalidity=" + rev.InvalidityDate.UTC().Format(time.RFC3339Nano)
		}
		if rec.Status == StatusHeld {
			detail += fmt.Sprintf(" replaces=hold@%d", rec.Revocation.Seq)
		}
		seq, err := db.certChanged(tx, at, op, rec, detail)
		if err != nil {
			return err
		}
		entry := &Revocation{Serial: serial, Time: rev.Time, Reason: rev.Reason, InvalidityDate: rev.InvalidityDate, Seq: seq}
		if rec.Status == StatusHeld {
			if err := ib.revseq.Delete(seqKey(rec.Revocation.Seq)); err != nil {
				return fmt.Errorf("store: revoking serial 0x%x: %w", serial, err)
			}
		} else if err := ib.addCount(1); err != nil {
			return fmt.Errorf("store: revoking serial 0x%x: %w", serial, err)
		}
		if err := ib.revoked.Put(key, encodeRevocation(entry)); err != nil {
			return fmt.Errorf("store: revoking serial 0x%x: %w", serial, err)
		}
		if err := ib.revseq.Put(seqKey(seq), key); err != nil {
			return fmt.Errorf("store: revoking serial 0x%x: %w", serial, err)
		}
		if hold {
			rec.Status = StatusHeld
		} else {
			rec.Status = StatusRevoked
			if err := tx.Bucket(bucketExpiry).Delete(expiryKey(rec.NotAfter, key)); err != nil {
				return fmt.Errorf("store: revoking serial 0x%x: %w", serial, err)
			}
		}
		rec.Revocation = entry
		rec.UpdatedAt = at
		return putRecord(tx, key, rec)
	})
}

func checkRevocation(rev Revocation) error {
	if !validReason(rev.Reason) {
		return fmt.Errorf("store: revoking serial 0x%x: reason %d cannot be recorded: %w", rev.Serial, rev.Reason, ErrInvalid)
	}
	if rev.Time.IsZero() {
		return fmt.Errorf("store: revoking serial 0x%x: no revocation time: %w", rev.Serial, ErrInvalid)
	}
	return nil
}

// Release takes a certificate off hold: Held → Valid. It deletes the
// revocation entry and records a Removal for the next delta CRL. Errors wrap
// ErrNotFound, or ErrState for a certificate not on hold.
func (db *DB) Release(serial *big.Int, at time.Time) error {
	key, err := serialKey(serial)
	if err != nil {
		return err
	}
	serial = new(big.Int).Set(serial)
	return db.batch("releasing", serial, func(tx *bolt.Tx) error {
		rec, err := loadRecord(tx, key, serial)
		if err != nil {
			return err
		}
		if rec.Status != StatusHeld {
			return stateError(serial, "not on hold ("+rec.Status.String()+")")
		}
		ib, err := createIssuer(tx, rec.IssuerKeyID)
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("issuer=%x hold@%d", rec.IssuerKeyID, rec.Revocation.Seq)
		seq, err := db.certChanged(tx, at, OpRelease, rec, detail)
		if err != nil {
			return err
		}
		if err := ib.revoked.Delete(key); err != nil {
			return fmt.Errorf("store: releasing serial 0x%x: %w", serial, err)
		}
		if err := ib.revseq.Delete(seqKey(rec.Revocation.Seq)); err != nil {
			return fmt.Errorf("store: releasing serial 0x%x: %w", serial, err)
		}
		if err := ib.addCount(-1); err != nil {
			return fmt.Errorf("store: releasing serial 0x%x: %w", serial, err)
		}
		// One removal per serial, its latest: a delta CRL lists it once.
		if prev := ib.released.Get(key); prev != nil {
			if err := ib.removals.Delete(prev); err != nil {
				return fmt.Errorf("store: releasing serial 0x%x: %w", serial, err)
			}
		}
		if err := ib.removals.Put(seqKey(seq), encodeRemoval(key, at)); err != nil {
			return fmt.Errorf("store: releasing serial 0x%x: %w", serial, err)
		}
		if err := ib.released.Put(key, seqKey(seq)); err != nil {
			return fmt.Errorf("store: releasing serial 0x%x: %w", serial, err)
		}
		rec.Status = StatusGood
		rec.Revocation = nil
		rec.UpdatedAt = at
		return putRecord(tx, key, rec)
	})
}

// RecordCRL records a CRL the issuer has signed, as a compare-and-set on
// its CRL state: info.Number must be greater than CRLState.LastNumber (full
// and delta CRLs share the numbers), else the error wraps ErrState. A delta
// CRL must be based on the last full CRL (info.BaseNumber equal to
// LastFull.Number) and made from a snapshot no older than it. info.Seq
// cannot be ahead of the ledger.
func (db *DB) RecordCRL(issuerKeyID []byte, info CRLInfo, at time.Time) error {
	if err := checkCRLInfo(issuerKeyID, info); err != nil {
		return err
	}
	id := cloneBytes(issuerKeyID)
	info = info.clone()
	kind := "full"
	if info.Delta {
		kind = fmt.Sprintf("delta base=%v", info.BaseNumber)
	}
	detail := fmt.Sprintf("issuer=%x number=%v %s seq=%d thisUpdate=%s", id, info.Number, kind, info.Seq, info.ThisUpdate.UTC().Format(time.RFC3339))
	return db.batch(fmt.Sprintf("recording CRL %v of issuer %x", info.Number, id), nil, func(tx *bolt.Tx) error {
		ib, err := createIssuer(tx, id)
		if err != nil {
			return err
		}
		st, err := decodeCRLState(ib.root.Get(keyCRL))
		if err != nil {
			return fmt.Errorf("store: reading CRL state of issuer %x: %w", id, err)
		}
		if st.LastNumber != nil && info.Number.Cmp(st.LastNumber) <= 0 {
			return fmt.Errorf("store: CRL number %v of issuer %x not above the last, %v: %w", info.Number, id, st.LastNumber, ErrState)
		}
		cur, _, err := head(tx)
		if err != nil {
			return err
		}
		if info.Seq > cur {
			return fmt.Errorf("store: CRL %v of issuer %x made from change %d, the ledger is at %d: %w", info.Number, id, info.Seq, cur, ErrInvalid)
		}
		if info.Delta {
			switch {
			case st.LastFull == nil:
				return fmt.Errorf("store: delta CRL %v of issuer %x: no full CRL recorded: %w", info.Number, id, ErrState)
			case info.BaseNumber.Cmp(st.LastFull.Number) != 0:
				return fmt.Errorf("store: delta CRL %v of issuer %x based on %v, the last full CRL is %v: %w", info.Number, id, info.BaseNumber, st.LastFull.Number, ErrState)
			case info.Seq < st.LastFull.Seq:
				return fmt.Errorf("store: delta CRL %v of issuer %x made from change %d, before its base (%d): %w", info.Number, id, info.Seq, st.LastFull.Seq, ErrState)
			}
		}
		st.LastNumber = info.Number
		rec := info
		if info.Delta {
			st.LastDelta = &rec
		} else {
			st.LastFull = &rec
		}
		v, err := encodeCRLState(&st)
		if err != nil {
			return err
		}
		if _, err := appendAudit(tx, at, OpCRL, nil, detail); err != nil {
			return err
		}
		if err := ib.root.Put(keyCRL, v); err != nil {
			return fmt.Errorf("store: writing CRL state of issuer %x: %w", id, err)
		}
		return nil
	})
}

func checkCRLInfo(issuerKeyID []byte, info CRLInfo) error {
	if err := checkKeyID("issuer key identifier", issuerKeyID, true); err != nil {
		return err
	}
	if info.Number == nil {
		return fmt.Errorf("store: recording CRL of issuer %x: no number: %w", issuerKeyID, ErrInvalid)
	}
	if err := checkOptInt("CRL number", info.Number); err != nil {
		return err
	}
	if err := checkOptInt("base CRL number", info.BaseNumber); err != nil {
		return err
	}
	switch {
	case info.ThisUpdate.IsZero():
		return fmt.Errorf("store: recording CRL %v of issuer %x: no thisUpdate: %w", info.Number, issuerKeyID, ErrInvalid)
	case info.Delta && info.BaseNumber == nil:
		return fmt.Errorf("store: recording delta CRL %v of issuer %x: no base CRL number: %w", info.Number, issuerKeyID, ErrInvalid)
	case !info.Delta && info.BaseNumber != nil:
		return fmt.Errorf("store: recording CRL %v of issuer %x: a full CRL has no base: %w", info.Number, issuerKeyID, ErrInvalid)
	}
	return nil
}

// cloneIdentity returns a new Record holding deep copies of what identifies
// r's certificate (serial, issuer, subject, keys, profile, request,
// validity) and nothing else, so that a caller may reuse r: what Reserve and
// Import both take from their argument.
func cloneIdentity(r *Record) *Record {
	return &Record{
		Serial:       new(big.Int).Set(r.Serial),
		IssuerKeyID:  cloneBytes(r.IssuerKeyID),
		Issuer:       r.Issuer,
		Subject:      r.Subject,
		SubjectKeyID: cloneBytes(r.SubjectKeyID),
		Profile:      r.Profile,
		RequestID:    r.RequestID,
		NotBefore:    r.NotBefore,
		NotAfter:     r.NotAfter,
	}
}
