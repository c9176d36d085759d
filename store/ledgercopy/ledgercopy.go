// Package ledgercopy copies a whole issuance ledger from one backend to
// another — a bbolt file into PostgreSQL, PostgreSQL into a new bbolt
// file (a backup), or either into its own kind — with its audit chain
// intact: the copy has the source's records, revocations, CRL state,
// applications with their attachments, outbox and reminders, and the
// source's audit log byte for byte, so its head (change number and hash)
// is the source's and VerifyAudit passes on it.
//
// # Design
//
// A ledger writes its contents as a backend-neutral stream of store.Item
// (Export, from one snapshot) and an empty ledger reads one (Load), both
// in each backend's package; store.CheckItems holds every loader to the
// same checks, the audit chain included, so a stream that was tampered
// with on its way is refused. Copy adds what a copy needs around them:
// the source's chain is verified before anything is written, and the
// destination's after, against the head of the snapshot copied.
//
// The package sits beside the backends rather than in store because it is
// the one place above both: it speaks to them through the small
// interfaces Source and Destination (which *store.DB and *pgstore.DB
// have), imports neither backend's internals, and is where a command that
// moves ledgers finds everything it needs (gostca ledger copy, gostca
// backup of a PostgreSQL ledger).
//
// # Atomicity
//
// Loading into PostgreSQL is one transaction: a copy that fails leaves
// the database's ledger empty. Loading into a bbolt file is a series of
// transactions of a few thousand items; ToFile therefore loads into a
// temporary file and moves it into place only once it is complete and
// verified, so that a failed copy leaves no file behind.
//
// # Times
//
// PostgreSQL keeps times to the microsecond, bbolt to the nanosecond: a
// copy from bbolt to PostgreSQL truncates the times of records,
// revocations, CRLs, applications and mail to the microsecond (audit
// entries keep theirs, being copied as stored). A copy that went through
// PostgreSQL once copies back unchanged.
package ledgercopy

import (
	"context"
	"fmt"
	"iter"

	"github.com/gostca/gostca/store"
)

// Source is a ledger to copy: *store.DB or *pgstore.DB.
type Source interface {
	// Export returns the ledger's contents from one snapshot.
	Export(ctx context.Context) iter.Seq2[store.Item, error]
	// VerifyAudit checks the whole audit chain.
	VerifyAudit() error
}

// Destination is an empty ledger to copy into: *store.DB or *pgstore.DB.
type Destination interface {
	// Load fills the empty ledger with a stream of items.
	Load(ctx context.Context, items iter.Seq2[store.Item, error]) error
	// VerifyAudit checks the whole audit chain.
	VerifyAudit() error
	// Head returns the head of the audit chain.
	Head() (store.Head, error)
}

// Summary is what a copy copied.
type Summary struct {
	Records      int // certificates in every state
	Revocations  int // of them, held or revoked
	Removals     int // releases from hold
	CRLStates    int // issuers with CRLs
	Attachments  int // attachments' contents (each stored once)
	Applications int
	Mail         int // messages of the outbox, in every state
	Reminders    int
	AuditEntries int
	Head         store.Head // of the source's snapshot, and of the copy
}

// Copy copies the ledger src into the empty ledger dst: it verifies src's
// audit chain, streams src's contents from one snapshot into dst, verifies
// dst's chain and checks that dst's head is the snapshot's. It fails, and
// writes nothing, if src's chain does not verify (the error wraps a
// *store.AuditError) or dst is not empty (it wraps store.ErrExists). A
// copy that fails half-way leaves dst as dst's Load leaves it: empty for
// PostgreSQL, marked as an interrupted load for bbolt (use ToFile for a
// new file). src may stay in use meanwhile; what changes after the
// snapshot is not copied. dst must not be src.
func Copy(ctx context.Context, dst Destination, src Source) (Summary, error) {
	var s Summary
	if err := src.VerifyAudit(); err != nil {
		return s, fmt.Errorf("ledgercopy: the source's audit log does not verify, nothing copied: %w", err)
	}
	if err := dst.Load(ctx, s.count(src.Export(ctx))); err != nil {
		return s, fmt.Errorf("ledgercopy: copying: %w", err)
	}
	if err := dst.VerifyAudit(); err != nil {
		return s, fmt.Errorf("ledgercopy: the copy's audit log does not verify: %w", err)
	}
	h, err := dst.Head()
	if err != nil {
		return s, fmt.Errorf("ledgercopy: reading the copy's audit head: %w", err)
	}
	if h != s.Head {
		return s, fmt.Errorf("ledgercopy: the copy's audit head is %d/%x, the source's %d/%x", h.Seq, h.Hash[:8], s.Head.Seq, s.Head.Hash[:8])
	}
	return s, nil
}

// count passes items on, counting them into s.
func (s *Summary) count(items iter.Seq2[store.Item, error]) iter.Seq2[store.Item, error] {
	return func(yield func(store.Item, error) bool) {
		for it, err := range items {
			if err == nil {
				switch it.Kind() {
				case store.ItemRecord:
					s.Records++
					if it.Record.Revocation != nil {
						s.Revocations++
					}
				case store.ItemRemoval:
					s.Removals++
				case store.ItemCRL:
					s.CRLStates++
				case store.ItemBlob:
					s.Attachments++
				case store.ItemApplication:
					s.Applications++
				case store.ItemMail:
					s.Mail++
				case store.ItemReminder:
					s.Reminders++
				case store.ItemAudit:
					s.AuditEntries++
				case store.ItemHead:
					s.Head = *it.Head
				}
			}
			if !yield(it, err) {
				return
			}
		}
	}
}

// ToFile copies the ledger src into a new bbolt ledger file at path, as
// Copy does, through store.Create: the file appears at path only once the
// copy is complete and verified, and a copy that fails leaves nothing
// behind. It refuses an existing path (the error wraps fs.ErrExist).
func ToFile(ctx context.Context, path string, src Source) (Summary, error) {
	var s Summary
	err := store.Create(path, func(db *store.DB) error {
		var err error
		s, err = Copy(ctx, db, src)
		return err
	})
	return s, err
}
