package store

import (
	"iter"
	"math/big"
)

// Tx is a read snapshot of a ledger, valid during the View call that made
// it: what a CA reads to make a CRL and a responder to follow the ledger.
// It speaks only in the ledger's own types (records, revocations, audit
// entries) and iterators, so that every ledger backend can give one; DB's
// is a bbolt read transaction. Neither a Tx nor the iterators it returns
// may be used after View returns.
type Tx interface {
	// Seq returns the ledger's change number in this snapshot: the number
	// of writes ever committed, and the Seq of the last audit entry.
	Seq() uint64
	// Get returns the record of a serial in this snapshot, or an error
	// wrapping ErrNotFound.
	Get(serial *big.Int) (*Record, error)
	// AuditSince returns the audit entries with Seq > seq, in order: every
	// change of the ledger since the snapshot whose Seq was seq. It is the
	// change feed of a reader that follows the ledger; it does not check
	// the hash chain.
	AuditSince(seq uint64) iter.Seq2[AuditEntry, error]
	// CRLState returns the CRL state of the CA whose key identifier is
	// issuerKeyID; the zero CRLState if it never recorded a CRL.
	CRLState(issuerKeyID []byte) (CRLState, error)
	// Revocations returns the CA's revocations (held and revoked
	// certificates), in serial order.
	Revocations(issuerKeyID []byte) iter.Seq2[Revocation, error]
	// ScanRevocations is Revocations lending one reused entry, valid until
	// the next: for a scan that copies what it keeps, as a CRL writer does.
	ScanRevocations(issuerKeyID []byte) iter.Seq2[*Revocation, error]
	// RevocationsSince returns the CA's revocations recorded after the
	// change number seq: what a delta CRL on a full CRL of seq lists.
	RevocationsSince(issuerKeyID []byte, seq uint64) iter.Seq2[Revocation, error]
	// RemovalsSince returns the CA's holds released after seq.
	RemovalsSince(issuerKeyID []byte, seq uint64) iter.Seq2[Removal, error]
	// Count returns the number of the CA's revocations.
	Count(issuerKeyID []byte) (revoked int, err error)
	// Application returns an application, or an error wrapping
	// ErrNotFound.
	Application(number string) (*Application, error)
}

var _ Tx = (*boltTx)(nil)
