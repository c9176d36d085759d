package store

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"math/big"

	"github.com/gostca/gostca/crypto/streebog"
)

// Item is one piece of a ledger's whole contents, as DB.Export yields them
// and DB.Load takes them (and pgstore's methods of the same names): exactly
// one of its fields is set. The stream of items of a ledger is
// backend-neutral, so that a ledger moves from bbolt to PostgreSQL and
// back with its audit chain intact (package store/ledgercopy).
//
// Items come in the order of their kinds (ItemRecord first, ItemHead
// last), and within a kind in the order of their keys, as the ledger
// indexes them:
//
//   - ItemRecord: every certificate in any state, by serial, with its
//     renewal links, its application, its DER, its times and, while held or
//     revoked, its revocation entry (Record.Revocation, with the Seq it was
//     recorded at): the issuer's revocation list is made of these;
//   - ItemRemoval: each issuer's releases from hold, by issuer and Seq (the
//     latest of each serial, those held or revoked again since included);
//   - ItemCRL: each issuer's CRL state, by issuer;
//   - ItemBlob: the attachments' contents, by hash;
//   - ItemApplication: every application, by number;
//   - ItemNumbering: the last application number given in each year;
//   - ItemMail: the outbox, every message in every state of delivery, by ID;
//   - ItemReminder: the expiry reminders queued, by serial and days;
//   - ItemAudit: the audit log, every entry in its stored (sealed) form;
//   - ItemHead: the head of the audit chain, once, last: a stream that ends
//     without it is incomplete.
//
// Indexes (expiry, subject key identifier, open applications' keys, due
// mail, revocations by Seq) and counters are not items: a loader derives
// them from the items.
type Item struct {
	Record      *Record
	Removal     *IssuerRemoval
	CRL         *IssuerCRL
	Blob        *Blob
	Application *Application
	Numbering   *Numbering
	Mail        *Mail
	Reminder    *Reminder
	Audit       *SealedAudit
	Head        *Head
}

// ItemKind says which field of an Item is set; the kinds are numbered in
// the order of a stream.
type ItemKind uint8

// The kinds of items, in stream order.
const (
	ItemRecord ItemKind = iota + 1
	ItemRemoval
	ItemCRL
	ItemBlob
	ItemApplication
	ItemNumbering
	ItemMail
	ItemReminder
	ItemAudit
	ItemHead
)

var itemKindNames = [...]string{"", "record", "removal", "CRL state", "attachment", "application", "application numbering", "mail", "reminder", "audit entry", "head"}

// String returns the kind's name, e.g. "record".
func (k ItemKind) String() string {
	if int(k) < len(itemKindNames) && k != 0 {
		return itemKindNames[k]
	}
	return fmt.Sprintf("item kind %d", uint8(k))
}

// Kind returns the kind of the item, or 0 unless exactly one field is
// set.
func (it *Item) Kind() ItemKind {
	var kind ItemKind
	for k, set := range [...]bool{
		it.Record != nil, it.Removal != nil, it.CRL != nil, it.Blob != nil, it.Application != nil,
		it.Numbering != nil, it.Mail != nil, it.Reminder != nil, it.Audit != nil, it.Head != nil,
	} {
		if set {
			if kind != 0 {
				return 0
			}
			kind = ItemKind(k + 1)
		}
	}
	return kind
}

// IssuerRemoval is a release from hold of the issuer's certificate: an
// entry of Tx.RemovalsSince.
type IssuerRemoval struct {
	IssuerKeyID []byte
	Removal
}

// IssuerCRL is what the ledger knows of the issuer's CRLs (Tx.CRLState).
type IssuerCRL struct {
	IssuerKeyID []byte
	State       CRLState
}

// Blob is the content of attachments, kept once under its Streebog-256
// hash (DB.Attachment).
type Blob struct {
	Hash    [32]byte
	Content []byte
}

// Numbering is the last sequence number of applications given in a year
// (what DB.SubmitApplication numbers the next one from).
type Numbering struct {
	Year int
	Last uint64
}

// Reminder is an expiry reminder queued by DB.Remind: the certificate, the
// days before its expiry, and the change that queued it.
type Reminder struct {
	Serial *big.Int
	Days   int
	Seq    uint64
}

// SealedAudit is an audit entry in its stored form: its canonical encoding
// followed by its hash (see SealAudit), byte for byte as the ledger keeps
// it.
type SealedAudit struct {
	Seq    uint64
	Stored []byte
}

// Head is the head of a ledger's audit chain: the last change number and
// the hash of its entry (zero for an empty ledger). Two ledgers with the
// same head and a chain that verifies hold the same history.
type Head struct {
	Seq  uint64
	Hash [32]byte
}

// CheckItems returns items as a loader must take them: it checks each item
// as it passes and stops, yielding an error, at the first that is
// malformed (wrapping ErrInvalid: not exactly one field set, out of order,
// a record whose state and revocation disagree, an application whose
// attachment content did not come before it, a blob that does not match
// its hash, ...), at an audit entry that breaks the chain (an
// *AuditError), at a head that is not the last entry's, or at the end of a
// stream without a head. Both ledgers' Load read through it, so that they
// refuse the same streams with the same errors.
func CheckItems(items iter.Seq2[Item, error]) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		var c itemChecker
		c.blobs = make(map[[32]byte]bool)
		for it, err := range items {
			if err == nil {
				err = c.check(&it)
			}
			if err != nil {
				yield(Item{}, err)
				return
			}
			if !yield(it, nil) {
				return
			}
		}
		if c.last != ItemHead {
			yield(Item{}, fmt.Errorf("store: loading: the stream ends without the audit head (after %d items): %w", c.n, ErrInvalid))
		}
	}
}

// itemChecker is the state of CheckItems: the last kind and key, the audit
// chain so far, the blobs seen.
type itemChecker struct {
	n       int
	last    ItemKind
	lastKey []byte
	chain   ChainVerifier
	blobs   map[[32]byte]bool
	maxSeq  uint64 // the highest change number an item refers to
}

func (c *itemChecker) check(it *Item) error {
	c.n++
	kind := it.Kind()
	bad := func(format string, args ...any) error {
		return fmt.Errorf("store: loading: item %d (%s): %s: %w", c.n, kind, fmt.Sprintf(format, args...), ErrInvalid)
	}
	switch {
	case kind == 0:
		return bad("not exactly one field set")
	case c.last == ItemHead:
		return bad("after the head")
	case kind < c.last:
		return bad("after the items of kind %s", c.last)
	case kind > c.last:
		c.lastKey = c.lastKey[:0]
	}
	c.last = kind
	key, err := c.validate(it)
	var ae *AuditError
	switch {
	case errors.As(err, &ae):
		return fmt.Errorf("store: loading: %w", err)
	case errors.Is(err, ErrInvalid):
		return fmt.Errorf("store: loading: item %d (%s): %w", c.n, kind, err)
	case err != nil:
		return bad("%v", err)
	}
	if key != nil {
		if len(c.lastKey) > 0 && bytes.Compare(key, c.lastKey) <= 0 {
			return bad("out of order")
		}
		c.lastKey = append(c.lastKey[:0], key...)
	}
	return nil
}

// validate checks one item and returns its key (nil for audit entries and
// the head, which the chain orders): the bytes whose order is the
// stream's.
func (c *itemChecker) validate(it *Item) (key []byte, err error) {
	seen := func(seq uint64) { c.maxSeq = max(c.maxSeq, seq) }
	switch {
	case it.Record != nil:
		r := it.Record
		k, err := serialKey(r.Serial)
		if err != nil {
			return nil, err
		}
		if err := checkRecord(r); err != nil {
			return nil, err
		}
		if r.Revocation != nil {
			if r.Revocation.Seq == 0 {
				return nil, fmt.Errorf("serial 0x%x: revocation without its change number", r.Serial)
			}
			seen(r.Revocation.Seq)
		}
		return k, nil
	case it.Removal != nil:
		m := it.Removal
		if err := checkKeyID("issuer key identifier", m.IssuerKeyID, true); err != nil {
			return nil, err
		}
		if _, err := serialKey(m.Serial); err != nil {
			return nil, err
		}
		if m.Seq == 0 || m.Time.IsZero() {
			return nil, fmt.Errorf("serial 0x%x: release without its time or change number", m.Serial)
		}
		seen(m.Seq)
		return append(orderedBytes(m.IssuerKeyID), seqKey(m.Seq)...), nil
	case it.CRL != nil:
		if err := checkCRLState(it.CRL); err != nil {
			return nil, err
		}
		for _, info := range []*CRLInfo{it.CRL.State.LastFull, it.CRL.State.LastDelta} {
			if info != nil {
				seen(info.Seq)
			}
		}
		return orderedBytes(it.CRL.IssuerKeyID), nil
	case it.Blob != nil:
		b := it.Blob
		if len(b.Content) > maxApplicationLen {
			return nil, fmt.Errorf("attachment of %d bytes", len(b.Content))
		}
		if streebog.Sum256(b.Content) != b.Hash {
			return nil, fmt.Errorf("attachment %x: content does not match its hash", b.Hash[:8])
		}
		c.blobs[b.Hash] = true
		return b.Hash[:], nil
	case it.Application != nil:
		a := it.Application
		if err := checkApplication(a); err != nil {
			return nil, err
		}
		if a.Version == 0 || a.CreatedAt.IsZero() || (a.Serial != nil && a.Serial.Sign() <= 0) {
			return nil, fmt.Errorf("application %q: no version, creation time or a bad serial", a.Number)
		}
		for _, at := range a.Attachments {
			if !c.blobs[at.Hash] {
				return nil, fmt.Errorf("application %q: the content of attachment %x is missing", a.Number, at.Hash[:8])
			}
		}
		if _, err := encodeApplication(a); err != nil {
			return nil, err
		}
		return []byte(a.Number), nil
	case it.Numbering != nil:
		n := it.Numbering
		if n.Year < 0 || n.Year > 1<<31-1 || n.Last == 0 {
			return nil, fmt.Errorf("numbering of year %d at %d", n.Year, n.Last)
		}
		return seqKey(uint64(n.Year)), nil
	case it.Mail != nil:
		m := it.Mail
		if m.ID == 0 || m.Attempts < 0 || m.Seq == 0 {
			return nil, fmt.Errorf("mail %d: no ID or change number, or negative attempts", m.ID)
		}
		if _, err := encodeMail(m); err != nil {
			return nil, err
		}
		seen(m.Seq)
		return seqKey(m.ID), nil
	case it.Reminder != nil:
		r := it.Reminder
		k, err := serialKey(r.Serial)
		if err != nil {
			return nil, err
		}
		if r.Days < 0 || r.Days > 0xffff || r.Seq == 0 {
			return nil, fmt.Errorf("reminder of serial 0x%x: %d days, change %d", r.Serial, r.Days, r.Seq)
		}
		seen(r.Seq)
		return reminderKey(k, r.Days), nil
	case it.Audit != nil:
		return nil, c.chain.Entry(it.Audit.Seq, it.Audit.Stored)
	default: // it.Head
		if err := c.chain.Head(it.Head.Seq, it.Head.Hash); err != nil {
			return nil, err
		}
		if c.maxSeq > it.Head.Seq {
			return nil, fmt.Errorf("an item refers to change %d, after the head (%d)", c.maxSeq, it.Head.Seq)
		}
		return nil, nil
	}
}

// checkRecord checks that r can be stored and read back: its fields fit
// and its status, DER and revocation agree.
func checkRecord(r *Record) error {
	if err := checkKeyID("issuer key identifier", r.IssuerKeyID, true); err != nil {
		return err
	}
	if err := checkKeyID("subject key identifier", r.SubjectKeyID, false); err != nil {
		return err
	}
	if err := checkOptInt("predecessor", r.Predecessor); err != nil {
		return err
	}
	if err := checkOptInt("successor", r.Successor); err != nil {
		return err
	}
	if len(r.Application) > maxAppText {
		return fmt.Errorf("serial 0x%x: application number too long", r.Serial)
	}
	if r.CreatedAt.IsZero() {
		return fmt.Errorf("serial 0x%x: no creation time", r.Serial)
	}
	for _, f := range []string{r.Issuer, r.Subject, r.Profile, r.RequestID} {
		if len(f) > 0xffff {
			return fmt.Errorf("serial 0x%x: a name of %d bytes", r.Serial, len(f))
		}
	}
	if len(r.DER) >= 1<<24 {
		return fmt.Errorf("serial 0x%x: certificate of %d bytes", r.Serial, len(r.DER))
	}
	if (r.Predecessor != nil && r.Predecessor.Sign() == 0) || (r.Successor != nil && r.Successor.Sign() == 0) {
		return fmt.Errorf("serial 0x%x: renewal link to serial 0", r.Serial)
	}
	if r.Revocation != nil && (!validReason(r.Revocation.Reason) || r.Revocation.Time.IsZero()) {
		return fmt.Errorf("serial 0x%x: revocation with reason %d at %v", r.Serial, r.Revocation.Reason, r.Revocation.Time)
	}
	if !consistent(r) {
		return fmt.Errorf("serial 0x%x: status %s does not agree with its certificate or revocation", r.Serial, r.Status)
	}
	return nil
}

func checkCRLState(c *IssuerCRL) error {
	if err := checkKeyID("issuer key identifier", c.IssuerKeyID, true); err != nil {
		return err
	}
	st := c.State
	switch {
	case st.LastNumber == nil:
		return fmt.Errorf("CRL state of issuer %x without a last number", c.IssuerKeyID)
	case st.LastFull != nil && (st.LastFull.Delta || st.LastFull.Number == nil || st.LastFull.BaseNumber != nil):
		return fmt.Errorf("CRL state of issuer %x: malformed last full CRL", c.IssuerKeyID)
	case st.LastDelta != nil && (!st.LastDelta.Delta || st.LastDelta.Number == nil || st.LastDelta.BaseNumber == nil):
		return fmt.Errorf("CRL state of issuer %x: malformed last delta CRL", c.IssuerKeyID)
	}
	numbers := []*big.Int{st.LastNumber}
	if st.LastFull != nil {
		numbers = append(numbers, st.LastFull.Number)
	}
	if st.LastDelta != nil {
		numbers = append(numbers, st.LastDelta.Number, st.LastDelta.BaseNumber)
	}
	for _, n := range numbers {
		if err := checkOptInt("CRL number", n); err != nil {
			return err
		}
	}
	_, err := encodeCRLState(&st)
	return err
}

// orderedBytes encodes b so that the encodings of two byte strings sort as
// the strings do and none is a prefix of another: 0x00 becomes 0x00 0xff,
// and 0x00 0x00 ends it. A key of several parts in a row, the first of
// them variable in length, then sorts as the tuple.
func orderedBytes(b []byte) []byte {
	out := make([]byte, 0, len(b)+2)
	for _, c := range b {
		out = append(out, c)
		if c == 0 {
			out = append(out, 0xff)
		}
	}
	return append(out, 0, 0)
}
