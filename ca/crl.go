package ca

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/store"
)

// crlTries bounds the attempts at a CRL when another one takes its number
// first.
const crlTries = 5

// CRLLocker is what a ledger shared by several processes may offer so
// that the CAs of one key make their CRLs one at a time (see CA.CRL): a
// lock per issuer held across processes, which outlives no process that
// dies holding it. *pgstore.DB is one (a PostgreSQL advisory lock); the
// bbolt *store.DB needs none, being written by one process at a time.
type CRLLocker interface {
	// LockCRL waits for the lock of the CRLs of the issuer whose key
	// identifier is issuerKeyID, and returns the function that releases
	// it; it fails if the lock is not had within the ledger's own bound.
	LockCRL(issuerKeyID []byte) (unlock func(), err error)
}

// CRL makes, signs, records and returns the CA's next CRL (DER), from one
// snapshot of the ledger. Full and delta CRLs share one sequence of
// numbers. thisUpdate is the Clock's time; nextUpdate is CRLValidity (7
// days) later for a full CRL, DeltaCRLValidity (1 day) for a delta.
//
// A full CRL lists every certificate of this CA that is revoked or on
// hold. A delta CRL (deltaCRLIndicator = the last full CRL's number; it
// fails with ErrNoBaseCRL before the first full CRL) lists the certificates
// revoked or put on hold since that full CRL, and as removeFromCRL those
// released from hold since then and not held or revoked again.
//
// Entries are streamed from the ledger into the signer's input: a CRL of a
// million entries costs the memory of its DER, not of a slice of entries.
//
// Calls on one CA are serialised. When the ledger is a CRLLocker (a
// ledger that several processes share, such as PostgreSQL's), CRL holds
// its lock for the issuer from before the snapshot until the CRL is
// recorded, so that CAs of the same key in every process make one CRL at
// a time: each from a snapshot that has the CRL before it, with the next
// number, never signed for a number that is then refused. Without the
// lock, if another CA value for the same key records a CRL first, CRL
// starts again from a new snapshot, up to crlTries times in all; then it
// fails with an error wrapping store.ErrState.
func (c *CA) CRL(delta bool) ([]byte, error) {
	st, err := c.issuer()
	if err != nil {
		return nil, err
	}
	c.crlMu.Lock()
	defer c.crlMu.Unlock()
	if l, ok := c.db.(CRLLocker); ok {
		unlock, err := l.LockCRL(st.keyID)
		if err != nil {
			return nil, fmt.Errorf("ca: waiting for the CRLs of other processes: %w", err)
		}
		defer unlock()
	}
	var lastErr error
	for range crlTries {
		der, info, err := c.makeCRL(st, delta)
		if err != nil {
			return nil, err
		}
		err = c.db.RecordCRL(st.keyID, info, c.now())
		if err == nil {
			return der, nil
		}
		if !errors.Is(err, store.ErrState) {
			return nil, fmt.Errorf("ca: recording CRL %v: %w", info.Number, err)
		}
		lastErr = err
	}
	return nil, fmt.Errorf("ca: CRL number taken by concurrent CRLs %d times: %w", crlTries, lastErr)
}

// makeCRL signs the next CRL from one ledger snapshot and returns it with
// what to record of it.
func (c *CA) makeCRL(st *issuerState, delta bool) (der []byte, info store.CRLInfo, err error) {
	err = c.db.View(func(tx store.Tx) error {
		state, err := tx.CRLState(st.keyID)
		if err != nil {
			return fmt.Errorf("ca: reading CRL state: %w", err)
		}
		number := big.NewInt(1)
		if state.LastNumber != nil {
			number.Add(state.LastNumber, number)
		}
		now := c.now()
		validity := c.cfg.CRLValidity
		if validity == 0 {
			validity = 7 * day
		}
		if delta {
			validity = c.cfg.DeltaCRLValidity
			if validity == 0 {
				validity = day
			}
		}
		tmpl := &cert.RevocationList{
			ThisUpdate: now,
			NextUpdate: now.Add(validity),
			Number:     number,
		}
		info = store.CRLInfo{Number: number, ThisUpdate: now, Seq: tx.Seq(), Delta: delta}

		var iterErr error
		var entries func(yield func(cert.RevocationEntry) bool)
		if !delta {
			entries = func(yield func(cert.RevocationEntry) bool) {
				// The scan lends one reused value: writeCRL encodes each
				// entry before the next, allocating nothing per entry.
				for rev, err := range tx.ScanRevocations(st.keyID) {
					if err != nil {
						iterErr = err
						return
					}
					if !yield(entryOf(*rev)) {
						return
					}
				}
			}
		} else {
			if state.LastFull == nil {
				return ErrNoBaseCRL
			}
			tmpl.BaseCRLNumber = state.LastFull.Number
			info.BaseNumber = state.LastFull.Number
			since := state.LastFull.Seq
			entries = func(yield func(cert.RevocationEntry) bool) {
				for rev, err := range tx.RevocationsSince(st.keyID, since) {
					if err != nil {
						iterErr = err
						return
					}
					if !yield(entryOf(rev)) {
						return
					}
				}
				// The ledger leaves out releases of serials held or
				// revoked again (they are above, as they are now). A
				// serial released twice is listed once: listed holds as
				// many serials as releases since the base CRL, not as
				// many as entries.
				listed := make(map[string]bool)
				for rm, err := range tx.RemovalsSince(st.keyID, since) {
					if err != nil {
						iterErr = err
						return
					}
					key := string(rm.Serial.Bytes())
					if listed[key] {
						continue
					}
					listed[key] = true
					if !yield(cert.RevocationEntry{
						SerialNumber:   rm.Serial,
						RevocationTime: rm.Time,
						ReasonCode:     cert.ReasonRemoveFromCRL,
					}) {
						return
					}
				}
			}
		}
		der, err = cert.CreateRevocationList(c.rand, tmpl, entries, st.cert, c.cfg.Signer)
		if iterErr != nil {
			return fmt.Errorf("ca: reading revocations: %w", iterErr)
		}
		if err != nil {
			return fmt.Errorf("ca: signing CRL %v: %w", number, err)
		}
		return nil
	})
	return der, info, err
}

// entryOf converts a ledger revocation to a CRL entry.
func entryOf(r store.Revocation) cert.RevocationEntry {
	return cert.RevocationEntry{
		SerialNumber:   r.Serial,
		RevocationTime: r.Time,
		ReasonCode:     cert.ReasonCode(r.Reason),
		InvalidityDate: r.InvalidityDate,
	}
}
