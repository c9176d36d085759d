package status

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/store"
)

// LedgerOptions are the optional inputs of NewLedger and NewLedgerDB. The
// zero value, and nil, give the defaults.
type LedgerOptions struct {
	// Clock gives the time the ledger is read at (Result.ThisUpdate).
	// Default time.Now.
	Clock func() time.Time
	// Timeout is how long NewLedger's Check waits for a ledger that a
	// writer holds. Default 1 second.
	Timeout time.Duration
}

// Records is what a Ledger reads of an open ledger: *store.DB and
// *pgstore.DB have it.
type Records interface {
	Get(serial *big.Int) (*store.Record, error)
}

// Ledger answers from a CA's issuance ledger: the certificate's state in
// it when read. It is safe for concurrent use.
type Ledger struct {
	path    string // the file, or the name of the open ledger
	db      Records
	clock   func() time.Time
	timeout time.Duration
}

// NewLedger returns a Ledger over the ledger file at path. Each Check
// opens it read-only (a shared lock, waiting opts.Timeout for a writer to
// let it go), reads one record and closes it, so that the CA's commands
// are never kept waiting for longer than one read.
func NewLedger(path string, opts *LedgerOptions) *Ledger {
	l := newLedger(opts)
	l.path = path
	return l
}

// NewLedgerDB returns a Ledger over an open ledger, named name in
// Result.Source ("ledger " + name) and in errors, which the caller keeps
// open while the Ledger is used and closes afterwards. Each Check reads
// one record.
func NewLedgerDB(db Records, name string, opts *LedgerOptions) *Ledger {
	l := newLedger(opts)
	l.db, l.path = db, name
	return l
}

func newLedger(opts *LedgerOptions) *Ledger {
	l := &Ledger{clock: time.Now, timeout: time.Second}
	if opts != nil {
		if opts.Clock != nil {
			l.clock = opts.Clock
		}
		if opts.Timeout > 0 {
			l.timeout = opts.Timeout
		}
	}
	return l
}

// Check returns c's state in the ledger at the time of the read
// (ca.StatusOf): good, expired, revoked, held, or unknown when the
// ledger holds no certificate with c's serial number or another
// certificate under it. ThisUpdate is the time of the read; NextUpdate is
// zero. A ledger that is missing or stays locked fails with
// ErrUnavailable.
func (l *Ledger) Check(ctx context.Context, c, issuer *cert.Certificate) (*Result, error) {
	if err := checkIssued(c, issuer); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	rec, err := l.get(c)
	res := &Result{Source: "ledger " + l.path, ThisUpdate: l.clock()}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return res, nil
	case err != nil:
		return nil, err
	case !bytes.Equal(rec.DER, c.Raw):
		// Reserved, abandoned, or another certificate with this serial.
		return res, nil
	}
	if (rec.Status == store.StatusHeld || rec.Status == store.StatusRevoked) && rec.Revocation == nil {
		return nil, fmt.Errorf("status: ledger %s: serial %#x is %v without a revocation entry", l.path, c.SerialNumber, rec.Status)
	}
	st := ca.StatusOf(rec, res.ThisUpdate)
	res.State, res.RevokedAt, res.Reason, res.InvalidityDate = st.State, st.RevokedAt, st.Reason, st.InvalidityDate
	return res, nil
}

// get reads c's record, opening the ledger for the read when the Ledger
// was made by NewLedger.
func (l *Ledger) get(c *cert.Certificate) (*store.Record, error) {
	if l.db != nil {
		return l.db.Get(c.SerialNumber)
	}
	db, err := store.Open(l.path, &store.Options{ReadOnly: true, Timeout: l.timeout})
	if err != nil {
		return nil, fmt.Errorf("%w: opening the ledger %s: %w", ErrUnavailable, l.path, err)
	}
	defer db.Close()
	return db.Get(c.SerialNumber)
}
