package store

import (
	"iter"
	"math/big"
	"sync"
	"time"
)

// Shared is a ledger that a long-running process shares with the gostca
// commands of other processes. bbolt lets one process at a time open a
// file for writing; a Shared therefore opens the ledger only while it has
// calls to serve and closes it as soon as they are done, so that a
// command run meanwhile waits for a moment, not for the life of the
// process. Calls that arrive while the ledger is open share that open,
// and bbolt's batching merges their writes into one commit.
//
// Under a steady stream of calls the ledger would never close: after
// MaxHold, a Shared stops taking new calls onto the open ledger, closes it
// when the calls in progress return, and waits Gap before opening it
// again, so that another process polling for the lock (bbolt retries every
// 50 ms) gets its turn. Calls then wait for the reopening: that is the
// price of sharing, and WaitStats says how much it is.
//
// A Shared has the methods of DB that the CA and the registration
// authority use; each is the DB method, run on the ledger opened for it.
// It is safe for concurrent use, but a function given to View must not
// call the Shared (it would wait for itself).
type Shared struct {
	path string
	opts Options
	// MaxHold and Gap: see the type's doc; 0 means 100 ms and 60 ms.
	maxHold, gap time.Duration

	mu       sync.Mutex
	cond     *sync.Cond
	db       *DB
	users    int
	opened   time.Time
	closed   time.Time
	draining bool
	opening  bool
	waits    WaitStats
}

// WaitStats are how long a Shared's calls waited to open the ledger (for
// another process's lock, or for its own reopening).
type WaitStats struct {
	Opens    int           // opens of the file
	Waited   int           // calls that waited for an open
	MaxWait  time.Duration // the longest wait
	WaitTime time.Duration // all waits together
}

// NewShared returns a Shared of the ledger at path, which it opens with
// opts (nil: defaults; opts.ReadOnly is not allowed). maxHold and gap of 0
// mean 100 ms and 60 ms.
func NewShared(path string, opts *Options, maxHold, gap time.Duration) *Shared {
	s := &Shared{path: path, maxHold: maxHold, gap: gap}
	if opts != nil {
		s.opts = *opts
	}
	s.opts.ReadOnly = false
	if s.maxHold <= 0 {
		s.maxHold = 100 * time.Millisecond
	}
	if s.gap <= 0 {
		s.gap = 60 * time.Millisecond
	}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// Path returns the ledger's path.
func (s *Shared) Path() string { return s.path }

// Waits returns the statistics of the waits so far.
func (s *Shared) Waits() WaitStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waits
}

// acquire returns the open ledger, opening it if need be.
func (s *Shared) acquire() (*DB, error) {
	start := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	waited := false
	for {
		switch {
		case s.db != nil && !s.draining && time.Since(s.opened) < s.maxHold:
			s.users++
			s.account(start, waited)
			return s.db, nil
		case s.db != nil && !s.draining:
			s.draining = true // held long enough: let others in
		case s.db == nil && !s.opening:
			if wait := s.gap - time.Since(s.closed); !s.closed.IsZero() && wait > 0 && s.draining {
				s.mu.Unlock()
				time.Sleep(wait)
				s.mu.Lock()
				waited = true
				continue
			}
			s.opening, s.draining = true, false
			s.mu.Unlock()
			db, err := Open(s.path, &s.opts)
			s.mu.Lock()
			s.opening = false
			s.cond.Broadcast()
			if err != nil {
				return nil, err
			}
			s.db, s.opened, s.users = db, time.Now(), 1
			s.waits.Opens++
			s.account(start, true)
			return db, nil
		}
		waited = true
		s.cond.Wait()
	}
}

// account records a call's wait; s.mu is held.
func (s *Shared) account(start time.Time, waited bool) {
	if !waited {
		return
	}
	d := time.Since(start)
	s.waits.Waited++
	s.waits.WaitTime += d
	s.waits.MaxWait = max(s.waits.MaxWait, d)
}

// release ends a call; the last one out closes the ledger.
func (s *Shared) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users--
	if s.users > 0 {
		return
	}
	db := s.db
	s.db = nil
	db.Close()
	s.closed = time.Now()
	s.cond.Broadcast()
}

// with runs fn on the open ledger.
func with[T any](s *Shared, fn func(db *DB) (T, error)) (T, error) {
	db, err := s.acquire()
	if err != nil {
		var zero T
		return zero, err
	}
	defer s.release()
	return fn(db)
}

// Do runs fn on the ledger, opened for it (or shared with the calls in
// progress). fn must not call the Shared, nor keep db.
func (s *Shared) Do(fn func(db *DB) error) error {
	_, err := with(s, func(db *DB) (struct{}, error) { return struct{}{}, fn(db) })
	return err
}

// Reserve is DB.Reserve.
func (s *Shared) Reserve(r *Record, at time.Time) error {
	return s.Do(func(db *DB) error { return db.Reserve(r, at) })
}

// Complete is DB.Complete.
func (s *Shared) Complete(serial *big.Int, der, subjectKeyID []byte, at time.Time) error {
	return s.Do(func(db *DB) error { return db.Complete(serial, der, subjectKeyID, at) })
}

// Abandon is DB.Abandon.
func (s *Shared) Abandon(serial *big.Int, why string, at time.Time) error {
	return s.Do(func(db *DB) error { return db.Abandon(serial, why, at) })
}

// Revoke is DB.Revoke.
func (s *Shared) Revoke(rev Revocation, at time.Time) error {
	return s.Do(func(db *DB) error { return db.Revoke(rev, at) })
}

// Release is DB.Release.
func (s *Shared) Release(serial *big.Int, at time.Time) error {
	return s.Do(func(db *DB) error { return db.Release(serial, at) })
}

// RecordCRL is DB.RecordCRL.
func (s *Shared) RecordCRL(issuerKeyID []byte, info CRLInfo, at time.Time) error {
	return s.Do(func(db *DB) error { return db.RecordCRL(issuerKeyID, info, at) })
}

// Get is DB.Get.
func (s *Shared) Get(serial *big.Int) (*Record, error) {
	return with(s, func(db *DB) (*Record, error) { return db.Get(serial) })
}

// BySubjectKeyID is DB.BySubjectKeyID.
func (s *Shared) BySubjectKeyID(ski []byte) ([]*Record, error) {
	return with(s, func(db *DB) ([]*Record, error) { return db.BySubjectKeyID(ski) })
}

// View is DB.View.
func (s *Shared) View(fn func(tx Tx) error) error {
	return s.Do(func(db *DB) error { return db.View(fn) })
}

// SubmitApplication is DB.SubmitApplication.
func (s *Shared) SubmitApplication(at time.Time, blobs [][]byte, build func(seq uint64) (*Application, error)) (*Application, error) {
	return with(s, func(db *DB) (*Application, error) { return db.SubmitApplication(at, blobs, build) })
}

// UpdateApplication is DB.UpdateApplication.
func (s *Shared) UpdateApplication(number string, at time.Time, fn func(a *Application) (*Update, error)) (*Application, error) {
	return with(s, func(db *DB) (*Application, error) { return db.UpdateApplication(number, at, fn) })
}

// Application is DB.Application.
func (s *Shared) Application(number string) (*Application, error) {
	return with(s, func(db *DB) (*Application, error) { return db.Application(number) })
}

// Applications is DB.Applications, read whole before the loop starts (so
// that the loop body may call the Shared).
func (s *Shared) Applications() iter.Seq2[*Application, error] {
	return collected(s, func(db *DB) iter.Seq2[*Application, error] { return db.Applications() })
}

// collected reads the whole sequence seq of the open ledger, releases it,
// and then yields what it read.
func collected[T any](s *Shared, seq func(db *DB) iter.Seq2[T, error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		all, err := with(s, func(db *DB) ([]T, error) {
			var all []T
			for v, err := range seq(db) {
				if err != nil {
					return all, err
				}
				all = append(all, v)
			}
			return all, nil
		})
		for _, v := range all {
			if !yield(v, nil) {
				return
			}
		}
		if err != nil {
			var zero T
			yield(zero, err)
		}
	}
}

// Attachment is DB.Attachment.
func (s *Shared) Attachment(sum [32]byte) ([]byte, error) {
	return with(s, func(db *DB) ([]byte, error) { return db.Attachment(sum) })
}

// DueMail is DB.DueMail.
func (s *Shared) DueMail(now time.Time, limit int) ([]Mail, error) {
	return with(s, func(db *DB) ([]Mail, error) { return db.DueMail(now, limit) })
}

// MailSent is DB.MailSent.
func (s *Shared) MailSent(id uint64, at time.Time) error {
	return s.Do(func(db *DB) error { return db.MailSent(id, at) })
}

// MailFailed is DB.MailFailed.
func (s *Shared) MailFailed(id uint64, next time.Time, reason string, at time.Time) error {
	return s.Do(func(db *DB) error { return db.MailFailed(id, next, reason, at) })
}

// MailGaveUp is DB.MailGaveUp.
func (s *Shared) MailGaveUp(id uint64, reason string, at time.Time) error {
	return s.Do(func(db *DB) error { return db.MailGaveUp(id, reason, at) })
}

// Remind is DB.Remind.
func (s *Shared) Remind(serial *big.Int, days int, at time.Time) (bool, error) {
	return with(s, func(db *DB) (bool, error) { return db.Remind(serial, days, at) })
}

// All is DB.All, read whole before the loop starts.
func (s *Shared) All() iter.Seq2[*Record, error] {
	return collected(s, func(db *DB) iter.Seq2[*Record, error] { return db.All() })
}

// Expiring is DB.Expiring, read whole before the loop starts.
func (s *Shared) Expiring(from, to time.Time) iter.Seq2[*Record, error] {
	return collected(s, func(db *DB) iter.Seq2[*Record, error] { return db.Expiring(from, to) })
}
