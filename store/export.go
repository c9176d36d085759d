package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
)

// keyLoading, in the meta bucket, marks a ledger that Load has begun to
// fill and not finished.
var keyLoading = []byte("loading")

// errStopped ends an export whose consumer stopped early.
var errStopped = errors.New("store: export stopped by its consumer")

// Head returns the head of the audit chain: the last change number and the
// hash of its entry (zero for an empty ledger).
func (db *DB) Head() (Head, error) {
	var h Head
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		h.Seq, h.Hash, err = head(tx)
		return err
	})
	return h, err
}

// Export returns the ledger's whole contents as a stream of items in the
// order Load takes them (see Item), read from one snapshot: one read
// transaction, held for as long as the loop runs. Writes go on meanwhile
// and are not in the stream. The loop body must not write to this ledger
// (a write that must grow the file waits for every read transaction to
// end). The items own their memory. A ctx done stops the stream with its
// error.
func (db *DB) Export(ctx context.Context) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		e := &exporter{ctx: ctx, yield: yield}
		err := db.bolt.View(e.run)
		if err != nil && !errors.Is(err, errStopped) {
			yield(Item{}, fmt.Errorf("store: exporting %s: %w", db.path, err))
		}
	}
}

// exporter walks the buckets of one read transaction.
type exporter struct {
	ctx   context.Context
	yield func(Item, error) bool
	n     int
}

func (e *exporter) emit(it Item) error {
	e.n++
	if e.n%1024 == 0 {
		if err := e.ctx.Err(); err != nil {
			return err
		}
	}
	if !e.yield(it, nil) {
		return errStopped
	}
	return nil
}

// each calls fn for every key of bucket (which may be missing: the
// registration authority's buckets of a file opened read-only).
func each(b *bolt.Bucket, fn func(k, v []byte) error) error {
	if b == nil {
		return nil
	}
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

func (e *exporter) run(tx *bolt.Tx) error {
	if err := e.ctx.Err(); err != nil {
		return err
	}
	if err := each(tx.Bucket(bucketCerts), func(k, v []byte) error {
		r, err := decodeRecord(v)
		if err != nil {
			return fmt.Errorf("reading serial key %x: %w", k, err)
		}
		return e.emit(Item{Record: r})
	}); err != nil {
		return err
	}
	if err := e.issuers(tx, func(id []byte, ib issuerBuckets) error {
		return each(ib.removals, func(k, v []byte) error {
			m := &IssuerRemoval{IssuerKeyID: cloneBytes(id)}
			if _, err := decodeRemoval(k, v, &m.Removal); err != nil {
				return fmt.Errorf("reading removals of issuer %x: %w", id, err)
			}
			return e.emit(Item{Removal: m})
		})
	}); err != nil {
		return err
	}
	if err := e.issuers(tx, func(id []byte, ib issuerBuckets) error {
		v := ib.root.Get(keyCRL)
		if v == nil {
			return nil
		}
		st, err := decodeCRLState(v)
		if err != nil {
			return fmt.Errorf("reading CRL state of issuer %x: %w", id, err)
		}
		return e.emit(Item{CRL: &IssuerCRL{IssuerKeyID: cloneBytes(id), State: st}})
	}); err != nil {
		return err
	}
	if err := each(tx.Bucket(bucketBlobs), func(k, v []byte) error {
		b := &Blob{Content: append([]byte{}, v...)}
		if copy(b.Hash[:], k) != len(k) || len(k) != 32 {
			return fmt.Errorf("reading attachment %x: %w", k, errMalformed)
		}
		return e.emit(Item{Blob: b})
	}); err != nil {
		return err
	}
	if err := each(tx.Bucket(bucketApps), func(k, v []byte) error {
		a, err := decodeApplication(v)
		if err != nil {
			return fmt.Errorf("reading application %q: %w", k, err)
		}
		return e.emit(Item{Application: a})
	}); err != nil {
		return err
	}
	if err := each(tx.Bucket(bucketAppSeq), func(k, v []byte) error {
		if len(k) != 4 || len(v) != 8 {
			return fmt.Errorf("reading application numbering %x: %w", k, errMalformed)
		}
		return e.emit(Item{Numbering: &Numbering{Year: int(binary.BigEndian.Uint32(k)), Last: binary.BigEndian.Uint64(v)}})
	}); err != nil {
		return err
	}
	if err := each(tx.Bucket(bucketOutbox), func(k, v []byte) error {
		m, err := decodeMail(v)
		if err != nil {
			return fmt.Errorf("reading mail %x: %w", k, err)
		}
		return e.emit(Item{Mail: m})
	}); err != nil {
		return err
	}
	if err := each(tx.Bucket(bucketReminders), func(k, v []byte) error {
		serial, ok := parseSerialKey(k[:max(len(k)-2, 0)])
		if !ok || len(v) != 8 {
			return fmt.Errorf("reading reminder %x: %w", k, errMalformed)
		}
		days := int(binary.BigEndian.Uint16(k[len(k)-2:]))
		return e.emit(Item{Reminder: &Reminder{Serial: serial, Days: days, Seq: binary.BigEndian.Uint64(v)}})
	}); err != nil {
		return err
	}
	if err := each(tx.Bucket(bucketAudit), func(k, v []byte) error {
		if len(k) != 8 {
			return fmt.Errorf("reading audit entry %x: %w", k, errMalformed)
		}
		return e.emit(Item{Audit: &SealedAudit{Seq: binary.BigEndian.Uint64(k), Stored: append([]byte(nil), v...)}})
	}); err != nil {
		return err
	}
	seq, hash, err := head(tx)
	if err != nil {
		return err
	}
	return e.emit(Item{Head: &Head{Seq: seq, Hash: hash}})
}

// issuers calls fn for the buckets of every issuer, in the order of their
// key identifiers.
func (e *exporter) issuers(tx *bolt.Tx, fn func(id []byte, ib issuerBuckets) error) error {
	return each(tx.Bucket(bucketIssuers), func(id, v []byte) error {
		if v != nil {
			return fmt.Errorf("reading issuers: key %x is not a bucket: %w", id, errMalformed)
		}
		ib, ok := openIssuer(tx, id)
		if !ok {
			return fmt.Errorf("reading issuer %x: buckets missing: %w", id, errMalformed)
		}
		return fn(id, ib)
	})
}

// The bounds of one transaction of Load: a few thousand items, or a few
// megabytes of them, whichever comes first.
var (
	loadChunk = 4096
	loadBytes = 16 << 20
)

// Load fills an empty ledger with the items of another ledger's Export
// (this package's, or store/pgstore's), read through CheckItems: every
// record, revocation, release, CRL state, application with its
// attachments, numbering, message and reminder, and the audit log as it
// is stored, with its head. It rebuilds the indexes and counters from
// them. It writes no audit entry of its own and calls no Notifier, so
// that the copy's chain and head are the source's: VerifyAudit passes on
// the copy exactly when the stream's chain was whole, and then every read
// returns what it returns on the source.
//
// It refuses, with an error wrapping ErrExists and nothing written, a
// ledger that is not empty. It writes in transactions of a few thousand
// items, each committed before the next items are read: a million
// certificates do not have to fit in memory. The first of them marks the
// ledger as being loaded, and the last, which writes the head, removes the
// mark; a load that fails half-way (a malformed item, a broken chain, a
// ctx done) leaves the mark, and Open refuses the file (ErrSchema, "an
// interrupted load"). To make a new file that appears only once complete,
// Load into the ledger Create gives.
func (db *DB) Load(ctx context.Context, items iter.Seq2[Item, error]) error {
	if err := db.bolt.View(checkEmpty); err != nil {
		return fmt.Errorf("store: loading into %s: %w", db.path, err)
	}
	l := &loader{counts: make(map[string]int)}
	first := true
	flush := func() error {
		if len(l.chunk) == 0 {
			return nil
		}
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			if first {
				if err := checkEmpty(tx); err != nil {
					return err
				}
				if err := tx.Bucket(bucketMeta).Put(keyLoading, []byte{1}); err != nil {
					return err
				}
			}
			return l.write(tx)
		})
		if err != nil {
			return fmt.Errorf("store: loading into %s: %w", db.path, err)
		}
		first = false
		l.chunk, l.size = l.chunk[:0], 0
		return nil
	}
	for it, err := range CheckItems(items) {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("store: loading into %s: %w", db.path, err)
		}
		l.chunk = append(l.chunk, it)
		l.size += itemSize(&it)
		if len(l.chunk) >= loadChunk || l.size >= loadBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// checkEmpty returns an error wrapping ErrExists unless the ledger holds
// nothing: no change, no record, no application, no mail.
func checkEmpty(tx *bolt.Tx) error {
	seq, _, err := head(tx)
	if err != nil {
		return err
	}
	empty := seq == 0 && tx.Bucket(bucketMeta).Get(keyLoading) == nil
	for _, name := range append([][]byte{bucketCerts, bucketExpiry, bucketSKI, bucketAudit, bucketIssuers}, raBuckets...) {
		if b := tx.Bucket(name); b != nil {
			if k, _ := b.Cursor().First(); k != nil {
				empty = false
			}
		}
	}
	if !empty {
		return fmt.Errorf("the ledger is not empty: %w", ErrExists)
	}
	return nil
}

// itemSize is about what an item adds to a transaction.
func itemSize(it *Item) int {
	switch {
	case it.Record != nil:
		return 200 + len(it.Record.DER)
	case it.Blob != nil:
		return 64 + len(it.Blob.Content)
	case it.Application != nil:
		return 200 + len(it.Application.Data)
	case it.Mail != nil:
		return 200 + len(it.Mail.Body)
	case it.Audit != nil:
		return 16 + len(it.Audit.Stored)
	}
	return 64
}

// loader is the state of one Load: the items of the next transaction, and
// the revocations counted per issuer in it.
type loader struct {
	chunk  []Item
	size   int
	counts map[string]int
}

// write stores the chunk's items in tx, as the writes that made them
// stored them.
func (l *loader) write(tx *bolt.Tx) error {
	certs := tx.Bucket(bucketCerts)
	certs.FillPercent = 1 // items come in key order
	audit := tx.Bucket(bucketAudit)
	audit.FillPercent = 1
	for i := range l.chunk {
		if err := l.put(tx, &l.chunk[i]); err != nil {
			return err
		}
	}
	for id, n := range l.counts {
		ib, err := createIssuer(tx, []byte(id))
		if err != nil {
			return err
		}
		if err := ib.addCount(n); err != nil {
			return fmt.Errorf("counting the revocations of issuer %x: %w", id, err)
		}
		delete(l.counts, id)
	}
	return nil
}

func (l *loader) put(tx *bolt.Tx, it *Item) error {
	switch {
	case it.Record != nil:
		return l.putRecord(tx, it.Record)
	case it.Removal != nil:
		m := it.Removal
		ib, err := createIssuer(tx, m.IssuerKeyID)
		if err != nil {
			return err
		}
		key, _ := serialKey(m.Serial)
		if err := ib.removals.Put(seqKey(m.Seq), encodeRemoval(key, m.Time)); err != nil {
			return fmt.Errorf("writing a release of serial 0x%x: %w", m.Serial, err)
		}
		return ib.released.Put(key, seqKey(m.Seq))
	case it.CRL != nil:
		ib, err := createIssuer(tx, it.CRL.IssuerKeyID)
		if err != nil {
			return err
		}
		v, err := encodeCRLState(&it.CRL.State)
		if err != nil {
			return err
		}
		return ib.root.Put(keyCRL, v)
	case it.Blob != nil:
		return tx.Bucket(bucketBlobs).Put(it.Blob.Hash[:], it.Blob.Content)
	case it.Application != nil:
		a := it.Application
		if err := putApplication(tx, a); err != nil {
			return err
		}
		if a.Open {
			return tx.Bucket(bucketAppKey).Put(appKeyIndex(a.KeyID), []byte(a.Number))
		}
		return nil
	case it.Numbering != nil:
		n := it.Numbering
		return tx.Bucket(bucketAppSeq).Put(binary.BigEndian.AppendUint32(nil, uint32(n.Year)), binary.BigEndian.AppendUint64(nil, n.Last))
	case it.Mail != nil:
		m := it.Mail
		if err := putMail(tx, m, time.Time{}); err != nil {
			return err
		}
		// The outbox numbers the next message after the last one.
		if ob := tx.Bucket(bucketOutbox); ob.Sequence() < m.ID {
			return ob.SetSequence(m.ID)
		}
		return nil
	case it.Reminder != nil:
		r := it.Reminder
		key, _ := serialKey(r.Serial)
		return tx.Bucket(bucketReminders).Put(reminderKey(key, r.Days), seqKey(r.Seq))
	case it.Audit != nil:
		return tx.Bucket(bucketAudit).Put(seqKey(it.Audit.Seq), it.Audit.Stored)
	default: // it.Head
		h := it.Head
		meta := tx.Bucket(bucketMeta)
		if h.Seq > 0 {
			if err := meta.Put(keyHead, append(binary.BigEndian.AppendUint64(make([]byte, 0, 40), h.Seq), h.Hash[:]...)); err != nil {
				return fmt.Errorf("writing the audit head: %w", err)
			}
		}
		return meta.Delete(keyLoading)
	}
}

// putRecord stores a record with its indexes and its revocation entry, as
// Complete, Revoke and Release leave them.
func (l *loader) putRecord(tx *bolt.Tx, r *Record) error {
	key, _ := serialKey(r.Serial)
	if err := putRecord(tx, key, r); err != nil {
		return err
	}
	if r.Status == StatusGood || r.Status == StatusHeld {
		if err := tx.Bucket(bucketExpiry).Put(expiryKey(r.NotAfter, key), nil); err != nil {
			return fmt.Errorf("indexing serial 0x%x: %w", r.Serial, err)
		}
	}
	if r.Status != StatusReserved && r.Status != StatusAbandoned && len(r.SubjectKeyID) > 0 {
		if err := tx.Bucket(bucketSKI).Put(append(skiPrefix(r.SubjectKeyID), key...), nil); err != nil {
			return fmt.Errorf("indexing serial 0x%x: %w", r.Serial, err)
		}
	}
	rev := r.Revocation
	if rev == nil {
		return nil
	}
	ib, err := createIssuer(tx, r.IssuerKeyID)
	if err != nil {
		return err
	}
	ib.revoked.FillPercent = 1
	if err := ib.revoked.Put(key, encodeRevocation(rev)); err != nil {
		return fmt.Errorf("writing the revocation of serial 0x%x: %w", r.Serial, err)
	}
	if err := ib.revseq.Put(seqKey(rev.Seq), key); err != nil {
		return fmt.Errorf("writing the revocation of serial 0x%x: %w", r.Serial, err)
	}
	l.counts[string(r.IssuerKeyID)]++
	return nil
}

// Create makes a new ledger at path and has fill write into it, so that a
// ledger appears at path only complete: fill gets the ledger open in a
// temporary file beside path (mode 0600), which is closed and moved into
// place — with a hard link, which never replaces a file — once fill has
// returned nil, and removed otherwise. It refuses an existing path (the
// error wraps fs.ErrExist). It is how a copy of another ledger becomes a
// file (package store/ledgercopy): fill is a Load.
func Create(path string, fill func(db *DB) error) error {
	return createFile(path, "creating", ".create-*", func(f *os.File) error {
		if err := f.Close(); err != nil {
			return err
		}
		db, err := Open(f.Name(), &Options{Timeout: -1})
		if err != nil {
			return fmt.Errorf("store: creating %s: %w", path, err)
		}
		err = fill(db)
		if cerr := db.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("store: creating %s: %w", path, cerr)
		}
		return err
	})
}
