package responder

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"math/big"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/ocsp"
	"github.com/gostca/gostca/store"
)

// Config configures a Cache. CA and one of Ledger and DB are required;
// every other field has a documented default.
type Config struct {
	// Ledger is the path of the CA's issuance ledger, a bbolt file. The
	// Cache opens it only for short reads (and, to make a CRL, a short
	// write).
	Ledger string
	// DB, instead of Ledger, is a ledger held open: a *pgstore.DB, or the
	// *store.Shared of a process that shares its bbolt file (gostca serve
	// --ra). The Cache reads and writes through it and never closes it.
	// A *pgstore.DB is best opened with a short Options.Timeout (a few
	// seconds): it bounds each read, and so how long a database that
	// stopped answering holds the follower back.
	DB Ledger
	// Wake, if set, makes the follower read the ledger at each value
	// received, besides every PollInterval: pgstore's DB.Changes, which
	// wakes it at every commit. A closed Wake is ignored from then on.
	Wake <-chan struct{}
	// CA is the CA's configuration: Signer, Certificate and Chain are
	// required; Clock (nil: time.Now), Rand, CRLValidity and
	// DeltaCRLValidity are used. The Cache makes a ca.CA of it over the
	// ledger for the moments it writes (CRLs, delegated certificates).
	CA ca.Config
	// PollInterval is how often the follower reads the ledger; 0 means
	// 250 ms, or 5 s with a Wake, where it is only a safety net: the
	// changes come with their wakes, and a Wake missed (the listener
	// reconnecting) is made good by the wake after the reconnection.
	PollInterval time.Duration
	// OpenTimeout is how long a poll waits for a bbolt ledger (Ledger)
	// held by a writer before it gives up until the next tick; 0 means 50
	// ms.
	OpenTimeout time.Duration
	// ResponseValidity is nextUpdate − thisUpdate of every response; 0
	// means 1 hour. Pre-signed responses are re-signed when half of it
	// has passed.
	ResponseValidity time.Duration
	// MaxLiveSigns bounds the responses signed at once on request (nonce,
	// unknown serial, ...); 0 means 4 × GOMAXPROCS.
	MaxLiveSigns int
	// CRLMinInterval is the shortest time between two CRLs made after
	// revocations; 0 means 10 seconds.
	CRLMinInterval time.Duration
	// CRLRefresh is how often the CRLs are made without revocations; 0
	// means 1 hour.
	CRLRefresh time.Duration
	// NonIssued is how a serial number the CA never issued is answered:
	// NonIssuedUnknown (the default) or, as RFC 6960 §2.2 allows,
	// NonIssuedRevoked.
	NonIssued NonIssued
	// Delegate, when not nil, has responses signed by a delegated
	// responder key that the Cache makes, has the CA certify and rotates
	// (see Delegation); nil means the CA's own key signs them.
	Delegate *Delegation
	// Logger receives the follower's logs; nil means slog.Default().
	Logger *slog.Logger
}

// NonIssued says how a responder answers for a serial number its CA never
// issued. It never answers "good".
type NonIssued int

const (
	// NonIssuedUnknown answers "unknown" (RFC 6960 §2.2): the responder
	// cannot say.
	// It is also the answer for an expired certificate.
	NonIssuedUnknown NonIssued = iota
	// NonIssuedRevoked answers "revoked" at 1970-01-01T00:00:00Z with the reason
	// certificateHold, and puts the extended revoked definition extension
	// into every response (RFC 6960 §2.2, §4.4.8), so that a client that
	// does not know "unknown" still refuses a forged certificate. The
	// Cache then keeps the serial numbers of the CA's expired
	// certificates, to go on answering "unknown" for them.
	NonIssuedRevoked
)

// nonIssued is the status of a serial number never issued, with NonIssuedRevoked.
var nonIssued = &entry{status: ocsp.Revoked, revokedAt: time.Unix(0, 0).UTC(), reason: cert.ReasonCertificateHold}

// Defaults of Config.
const (
	DefaultPollInterval     = 250 * time.Millisecond
	DefaultWakePollInterval = 5 * time.Second // with Config.Wake
	DefaultOpenTimeout      = 50 * time.Millisecond
	DefaultResponseValidity = time.Hour
	DefaultCRLMinInterval   = 10 * time.Second
	DefaultCRLRefresh       = time.Hour
)

// staleAfter is how long the cache may go without reading the ledger
// before Healthy reports it.
const staleAfter = time.Minute

// Ledger is a ledger the Cache holds open (Config.DB): the ca.Ledger
// through which it records its CRLs and delegated certificates, and the
// scans of its first read. *pgstore.DB, *store.Shared and *store.DB have
// it.
type Ledger interface {
	ca.Ledger
	// Expiring returns the valid and held certificates with NotAfter in
	// [from, to).
	Expiring(from, to time.Time) iter.Seq2[*store.Record, error]
	// All returns every record.
	All() iter.Seq2[*store.Record, error]
}

var (
	_ Ledger = (*store.DB)(nil)
	_ Ledger = (*store.Shared)(nil)
)

// maxTime bounds the expiry scan.
var maxTime = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// entry is what the cache knows of one certificate, with its pre-signed
// response; replaced as a whole, never modified.
type entry struct {
	serial    *big.Int
	status    ocsp.Status
	revokedAt time.Time
	reason    cert.ReasonCode
	notAfter  time.Time
	resp      *Response // SHA-1 CertID, no nonce
}

func (e *entry) sameState(o *entry) bool {
	return e.status == o.status && e.revokedAt.Equal(o.revokedAt) && e.reason == o.reason && e.notAfter.Equal(o.notAfter)
}

// Cache is a Source and a CRLSource over the ledger of one CA, kept up to
// date by its follower (Run). It is safe for concurrent use.
type Cache struct {
	cfg    Config
	clock  func() time.Time
	rand   io.Reader
	log    *slog.Logger
	issuer *cert.Certificate
	keyID  []byte
	hashes *ocsp.IssuerHashes
	live   chan struct{} // semaphore of live signatures
	// delegation is Config.Delegate with its defaults, or nil.
	delegation *Delegation
	// signer is the key that signs responses, swapped whole on rotation.
	signer atomic.Pointer[responderKey]

	mu      sync.RWMutex
	entries map[string]*entry // by serial magnitude
	// expired holds the serial numbers of the CA's expired certificates,
	// with NonIssuedRevoked only.
	expired  map[string]struct{}
	full     *Document
	delta    *Document
	lastRead time.Time // last successful poll
	stats    cacheStats

	// Owned by the follower (New, then Run).
	seq      uint64
	crlDirty bool
	lastCRL  time.Time
	// downSince is when the reads of the ledger started failing; zero
	// while they succeed.
	downSince time.Time
	runningMu sync.Mutex
}

// New checks cfg, loads the ledger (failing if it cannot be read) and
// returns a Cache ready to answer. Call Run to keep it up to date.
func New(cfg Config) (*Cache, error) {
	if (cfg.Ledger == "") == (cfg.DB == nil) {
		return nil, errors.New("responder: Config needs one of Ledger and DB")
	}
	if cfg.CA.Signer == nil || cfg.CA.Certificate == nil {
		return nil, errors.New("responder: Config.CA needs Signer and Certificate")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if cfg.Wake != nil {
		def(&cfg.PollInterval, DefaultWakePollInterval)
	}
	def(&cfg.PollInterval, DefaultPollInterval)
	def(&cfg.OpenTimeout, DefaultOpenTimeout)
	def(&cfg.ResponseValidity, DefaultResponseValidity)
	def(&cfg.CRLMinInterval, DefaultCRLMinInterval)
	def(&cfg.CRLRefresh, DefaultCRLRefresh)
	if cfg.MaxLiveSigns <= 0 {
		cfg.MaxLiveSigns = 4 * runtime.GOMAXPROCS(0)
	}
	c := &Cache{
		cfg:     cfg,
		clock:   cfg.CA.Clock,
		rand:    cfg.CA.Rand,
		log:     cfg.Logger,
		issuer:  cfg.CA.Certificate,
		live:    make(chan struct{}, cfg.MaxLiveSigns),
		entries: make(map[string]*entry),
	}
	switch cfg.NonIssued {
	case NonIssuedUnknown:
	case NonIssuedRevoked:
		c.expired = make(map[string]struct{})
	default:
		return nil, fmt.Errorf("responder: unknown Config.NonIssued %d", cfg.NonIssued)
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	if c.rand == nil {
		c.rand = rand.Reader
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	// The key identifier the ledger files this CA's certificates under.
	var err error
	if c.keyID, err = ca.IssuerKeyID(c.issuer); err != nil {
		return nil, fmt.Errorf("responder: the CA certificate: %w", err)
	}
	if c.hashes, err = ocsp.NewIssuerHashes(c.issuer); err != nil {
		return nil, fmt.Errorf("responder: %w", err)
	}
	c.signer.Store(&responderKey{signer: cfg.CA.Signer, cert: c.issuer})
	if cfg.Delegate != nil {
		if c.delegation, err = checkDelegation(cfg.Delegate, c.issuer, cfg.ResponseValidity); err != nil {
			return nil, err
		}
		if err := c.delegate(c.clock(), time.Second); err != nil {
			return nil, err
		}
	}
	c.crlDirty = true
	if _, err := c.poll(context.Background(), time.Second); err != nil {
		return nil, err
	}
	return c, nil
}

// Run is the follower: it polls the ledger every PollInterval and at
// every Wake until ctx is done, and returns ctx's error. Run at most one
// at a time.
func (c *Cache) Run(ctx context.Context) error {
	if !c.runningMu.TryLock() {
		return errors.New("responder: Run called twice")
	}
	defer c.runningMu.Unlock()
	t := time.NewTicker(c.cfg.PollInterval)
	defer t.Stop()
	// Between reads further apart than refreshEvery (a Wake's safety net),
	// what is due is re-signed from the cache on a tick of its own, so
	// that as many responses are kept fresh as at a 250 ms poll.
	var refresh <-chan time.Time
	if c.cfg.PollInterval > refreshEvery {
		r := time.NewTicker(refreshEvery)
		defer r.Stop()
		refresh = r.C
	}
	wake := c.cfg.Wake
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-refresh:
			if err := c.update(nil, c.clock()); err != nil {
				c.log.LogAttrs(ctx, slog.LevelWarn, "re-signing responses", slog.String("error", err.Error()))
			}
			continue
		case <-t.C:
		case _, ok := <-wake:
			if !ok {
				wake = nil
				continue
			}
		}
		read, err := c.poll(ctx, c.cfg.OpenTimeout)
		c.noteRead(ctx, read, err)
	}
}

// noteRead logs a poll's outcome. A read that fails starts an outage,
// logged at warn once; the failures that follow are at debug, and the
// read that ends it at info. A bbolt ledger held by a writer is busy, not
// out of reach: debug, the next tick tries again (Healthy reports it if
// that lasts). Other errors (signing) are at warn.
func (c *Cache) noteRead(ctx context.Context, read bool, err error) {
	now := c.clock()
	switch {
	case read && !c.downSince.IsZero():
		c.log.LogAttrs(ctx, slog.LevelInfo, "reading the ledger again", slog.Duration("outage", now.Sub(c.downSince)))
		c.downSince = time.Time{}
	case !read && errors.Is(err, store.ErrLocked), !read && !c.downSince.IsZero():
		c.log.LogAttrs(ctx, slog.LevelDebug, "reading the ledger", slog.String("error", err.Error()))
		return
	case !read:
		c.downSince = now
		c.log.LogAttrs(ctx, slog.LevelWarn, "reading the ledger failed: answering from the cache, re-signing what is due, until it can be read",
			slog.String("error", err.Error()))
		return
	}
	if err != nil {
		c.log.LogAttrs(ctx, slog.LevelWarn, "updating the cache", slog.String("error", err.Error()))
	}
}

// busyLevel is the level to log a follower's failure at: debug when a
// writer held the ledger (the next tick tries again), else warn.
func busyLevel(err error) slog.Level {
	if errors.Is(err, store.ErrLocked) {
		return slog.LevelDebug
	}
	return slog.LevelWarn
}

// poll reads what changed in the ledger, then signs what needs it and
// makes the CRLs when due; read reports whether the ledger was read. When
// it cannot be, the responses due for re-signing are re-signed all the
// same, from the statuses cached (the key is here, the ledger is not
// needed for that), so that a responder whose ledger is out of reach goes
// on answering with responses that are not expired; the read's error is
// returned. A failure to make the CRLs is logged, and they are tried
// again at the next poll.
func (c *Cache) poll(ctx context.Context, timeout time.Duration) (read bool, err error) {
	now := c.clock()
	recs, changed, err := c.read(now, timeout)
	if err != nil {
		c.stats.pollErrors.Add(1)
		if uerr := c.update(nil, now); uerr != nil {
			c.log.LogAttrs(ctx, slog.LevelWarn, "re-signing responses", slog.String("error", uerr.Error()))
		}
		return false, err
	}
	c.stats.polls.Add(1)
	c.stats.seq.Store(c.seq)
	c.mu.Lock()
	c.lastRead = now
	c.mu.Unlock()
	if changed {
		c.crlDirty = true
	}
	// A responder key due for renewal is replaced before anything is
	// signed with it.
	if k := c.signer.Load(); c.renewDue(k, now) {
		if err := c.delegate(now, c.cfg.OpenTimeout); err != nil {
			// The old certificate still has RenewBefore to go: next poll.
			c.stats.delegateErrs.Add(1)
			c.log.LogAttrs(ctx, busyLevel(err), "renewing the responder certificate", slog.String("error", err.Error()))
		}
	}
	if err := c.update(recs, now); err != nil {
		return true, err
	}
	if c.crlDirty && now.Sub(c.lastCRL) >= c.cfg.CRLMinInterval || now.Sub(c.lastCRL) >= c.cfg.CRLRefresh {
		if err := c.makeCRLs(); err != nil {
			c.log.LogAttrs(ctx, busyLevel(err), "making CRLs", slog.String("error", err.Error()))
			c.stats.crlErrs.Add(1)
		} else {
			c.stats.crls.Add(1)
			c.crlDirty = false
			c.lastCRL = now
		}
	}
	return true, nil
}

// read opens the ledger read-only and returns the records that may have
// changed since the last poll, and whether revocations changed. The first
// read returns every unexpired certificate of the CA and every revoked
// one; later ones follow the audit log from the last change number seen
// (store.Tx.AuditSince), so a poll costs what changed, not the ledger's
// size.
func (c *Cache) read(now time.Time, timeout time.Duration) (recs []*store.Record, revChanged bool, err error) {
	err = c.withLedger(true, timeout, func(db Ledger) error {
		var err error
		recs, revChanged, err = c.readFrom(db, now)
		return err
	})
	return recs, revChanged, err
}

// withLedger runs fn on the ledger: Config.DB, or the bbolt file opened
// for the moment (read-only if readOnly), waiting at most timeout for it.
func (c *Cache) withLedger(readOnly bool, timeout time.Duration, fn func(db Ledger) error) error {
	if c.cfg.DB != nil {
		return fn(c.cfg.DB)
	}
	db, err := store.Open(c.cfg.Ledger, &store.Options{ReadOnly: readOnly, Timeout: timeout})
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db)
}

// readFrom is read on the open ledger.
func (c *Cache) readFrom(db Ledger, now time.Time) (recs []*store.Record, revChanged bool, err error) {
	first := c.lastRead.IsZero()
	var seq uint64
	err = db.View(func(tx store.Tx) error {
		seq = tx.Seq()
		if !first && seq == c.seq {
			return nil
		}
		if first {
			for rev, err := range tx.Revocations(c.keyID) {
				if err != nil {
					return err
				}
				r, err := tx.Get(rev.Serial)
				if err != nil {
					return err
				}
				recs = append(recs, r)
			}
			return nil
		}
		seen := make(map[string]bool)
		for e, err := range tx.AuditSince(c.seq) {
			if err != nil {
				return err
			}
			if e.Serial == nil || seen[string(e.Serial.Bytes())] {
				continue // a CRL, or a serial already read
			}
			seen[string(e.Serial.Bytes())] = true
			r, err := tx.Get(e.Serial)
			if err != nil {
				return err
			}
			if !bytes.Equal(r.IssuerKeyID, c.keyID) {
				continue
			}
			recs = append(recs, r)
			switch e.Op {
			case store.OpRevoke, store.OpHold, store.OpRelease:
				revChanged = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("responder: reading the ledger: %w", err)
	}
	if first {
		for r, err := range db.Expiring(now, maxTime) {
			if err != nil {
				return nil, false, fmt.Errorf("responder: reading the ledger: %w", err)
			}
			if bytes.Equal(r.IssuerKeyID, c.keyID) {
				recs = append(recs, r)
			}
		}
		if c.cfg.NonIssued == NonIssuedRevoked {
			if err := c.readExpired(db, now); err != nil {
				return nil, false, err
			}
		}
	}
	c.seq = seq
	return recs, revChanged, nil
}

// readExpired fills c.expired with the serial numbers of the CA's
// certificates expired at now (those that were signed: valid, held or
// revoked).
func (c *Cache) readExpired(db Ledger, now time.Time) error {
	expired := make(map[string]struct{})
	for r, err := range db.All() {
		if err != nil {
			return fmt.Errorf("responder: reading the ledger: %w", err)
		}
		switch r.Status {
		case store.StatusGood, store.StatusHeld, store.StatusRevoked:
			if r.NotAfter.Before(now) && bytes.Equal(r.IssuerKeyID, c.keyID) {
				expired[string(r.Serial.Bytes())] = struct{}{}
			}
		}
	}
	c.mu.Lock()
	c.expired = expired
	c.mu.Unlock()
	return nil
}

// entryOf returns the cache entry of a record of this CA at now, or nil
// for one that has no status to serve (reserved, abandoned, another
// issuer's).
func (c *Cache) entryOf(r *store.Record, now time.Time) *entry {
	if !bytes.Equal(r.IssuerKeyID, c.keyID) {
		return nil
	}
	e := &entry{serial: r.Serial, notAfter: r.NotAfter}
	switch st := ca.StatusOf(r, now); st.State {
	case ca.StateGood, ca.StateExpired:
		// update files an expired one among the expired, answered
		// "unknown" whatever NonIssued says.
		e.status = ocsp.Good
	case ca.StateHeld, ca.StateRevoked:
		if r.Revocation == nil {
			return nil
		}
		e.status = ocsp.Revoked
		e.revokedAt = st.RevokedAt.UTC().Truncate(time.Second)
		e.reason = st.Reason
	default:
		return nil
	}
	return e
}

// update applies the records read, drops expired certificates, and signs
// the responses that are new, changed or half-way to their nextUpdate.
// Only the follower calls it; readers see each entry swapped whole.
func (c *Cache) update(recs []*store.Record, now time.Time) error {
	todo := make(map[string]*entry)
	c.mu.RLock()
	for _, r := range recs {
		e := c.entryOf(r, now)
		if e == nil {
			continue
		}
		k := string(r.Serial.Bytes())
		if old := c.entries[k]; old != nil && old.sameState(e) {
			continue
		}
		todo[k] = e
	}
	var expired []string
	var stale []*entry
	refresh := now.Add(c.cfg.ResponseValidity / 2)
	for k, e := range c.entries {
		switch {
		case e.notAfter.Before(now):
			expired = append(expired, k)
		case todo[k] == nil && (e.resp == nil || e.resp.NextUpdate.Before(refresh)):
			stale = append(stale, e)
		}
	}
	c.mu.RUnlock()
	// Changes are signed at once; refreshes at most refreshBudget a poll,
	// those nearest their nextUpdate first, so that a ledger of many
	// certificates does not hold back the next poll (and the revocations
	// it would see) for all of their signatures.
	if len(stale) > refreshBudget {
		slices.SortFunc(stale, func(a, b *entry) int {
			if a.resp == nil || b.resp == nil {
				return cmpBool(a.resp == nil, b.resp == nil)
			}
			return a.resp.NextUpdate.Compare(b.resp.NextUpdate)
		})
		stale = stale[:refreshBudget]
	}
	for _, e := range stale {
		cp := *e
		todo[string(e.serial.Bytes())] = &cp
	}
	for k, e := range todo {
		if e.notAfter.Before(now) {
			delete(todo, k)
			expired = append(expired, k)
		}
	}
	firstErr := c.signAll(todo, now)
	c.mu.Lock()
	for _, k := range expired {
		delete(c.entries, k)
		if c.cfg.NonIssued == NonIssuedRevoked {
			c.expired[k] = struct{}{}
		}
	}
	for k, e := range todo {
		if old := c.entries[k]; e.resp == nil && old != nil && old.sameState(e) {
			continue // keep the old response rather than none
		}
		c.entries[k] = e
	}
	c.mu.Unlock()
	return firstErr
}

// refreshBudget bounds the responses re-signed per poll or refresh tick
// (changes are not counted): with one every refreshEvery, 2,048 a second,
// enough for about 3.7 million certificates at the default validity.
const refreshBudget = 512

// refreshEvery is how often the follower re-signs what is due when it
// reads the ledger less often than that.
const refreshEvery = DefaultPollInterval

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// signAll pre-signs the response of every entry of todo, on GOMAXPROCS
// goroutines, and returns the first error.
func (c *Cache) signAll(todo map[string]*entry, now time.Time) error {
	work := make(chan *entry)
	var (
		wg       sync.WaitGroup
		errMu    sync.Mutex
		firstErr error
	)
	for range min(runtime.GOMAXPROCS(0), max(len(todo), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range work {
				id, err := ocsp.NewCertID(ocsp.SHA1, c.issuer, e.serial)
				if err == nil {
					e.resp, err = c.sign([]ocsp.CertID{*id}, []*entry{e}, nil, now)
				}
				if err == nil {
					c.stats.signed.Add(1)
				} else {
					errMu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("responder: signing the response of serial %x: %w", e.serial, err)
					}
					errMu.Unlock()
				}
			}
		}()
	}
	for _, e := range todo {
		work <- e
	}
	close(work)
	wg.Wait()
	return firstErr
}

// sign signs a response for ids with the statuses of es (nil: unknown),
// with the current responder key; its nextUpdate never passes the
// notAfter of the key's certificate.
func (c *Cache) sign(ids []ocsp.CertID, es []*entry, nonce []byte, now time.Time) (*Response, error) {
	k := c.signer.Load()
	this := now.UTC().Truncate(time.Second)
	next := this.Add(c.cfg.ResponseValidity)
	if end := k.cert.NotAfter.UTC(); next.After(end) {
		next = end
	}
	t := &ocsp.ResponseTemplate{ProducedAt: this, Nonce: nonce, ExtendedRevoke: c.cfg.NonIssued == NonIssuedRevoked}
	if k.delegated {
		t.Certificates = []*cert.Certificate{k.cert}
	}
	for i, id := range ids {
		sr := ocsp.SingleResponse{ID: id, Status: ocsp.Unknown, ThisUpdate: this, NextUpdate: next}
		if e := es[i]; e != nil {
			sr.Status, sr.RevokedAt, sr.Reason = e.status, e.revokedAt, e.reason
		}
		t.Responses = append(t.Responses, sr)
	}
	der, err := ocsp.CreateResponse(c.rand, t, k.cert, k.signer)
	if err != nil {
		c.stats.signErrs.Add(1)
		return nil, err
	}
	return &Response{Document: newDocument(der, this, next), Nonce: nonce != nil}, nil
}

// Response answers req: from a pre-signed response when one fits (one
// SHA-1 CertID of a known certificate, no nonce), else signed now.
func (c *Cache) Response(ctx context.Context, req *ocsp.Request) (*Response, error) {
	es := make([]*entry, len(req.IDs))
	c.mu.RLock()
	for i := range req.IDs {
		if !c.hashes.Matches(&req.IDs[i]) {
			c.mu.RUnlock()
			return nil, ErrUnauthorized
		}
		if req.IDs[i].SerialNumber.Sign() > 0 {
			key := req.IDs[i].SerialNumber.Bytes()
			es[i] = c.entries[string(key)]
			if es[i] == nil && c.cfg.NonIssued == NonIssuedRevoked {
				if _, gone := c.expired[string(key)]; !gone {
					es[i] = nonIssued
				}
			}
		} else if c.cfg.NonIssued == NonIssuedRevoked {
			es[i] = nonIssued
		}
	}
	c.mu.RUnlock()
	if len(req.IDs) == 1 && req.Nonce == nil && req.IDs[0].Hash == ocsp.SHA1 && es[0] != nil && es[0].resp != nil {
		c.stats.presigned.Add(1)
		return es[0].resp, nil
	}
	timer := time.NewTimer(time.Second)
	defer timer.Stop()
	select {
	case c.live <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %v", ErrTryLater, ctx.Err())
	case <-timer.C:
		return nil, fmt.Errorf("%w: %d responses being signed", ErrTryLater, cap(c.live))
	}
	defer func() { <-c.live }()
	c.stats.live.Add(1)
	return c.sign(req.IDs, es, req.Nonce, c.clock())
}

// makeCRLs makes the next full and delta CRLs: the ledger is opened for
// writing for as long as that takes, since CRL numbers are recorded.
func (c *Cache) makeCRLs() error {
	return c.withLedger(false, c.cfg.OpenTimeout, c.makeCRLsIn)
}

// makeCRLsIn is makeCRLs on the open ledger.
func (c *Cache) makeCRLsIn(db Ledger) error {
	cfg := c.cfg.CA
	cfg.Clock = c.clock
	a, err := ca.New(db, cfg)
	if err != nil {
		return err
	}
	var docs [2]*Document
	for i, delta := range []bool{false, true} {
		der, err := a.CRL(delta)
		if err != nil {
			return err
		}
		rl, err := cert.ParseRevocationList(der)
		if err != nil {
			return err
		}
		d := newDocument(der, rl.ThisUpdate, rl.NextUpdate)
		docs[i] = &d
	}
	c.mu.Lock()
	c.full, c.delta = docs[0], docs[1]
	c.mu.Unlock()
	return nil
}

// CRL returns the last full or delta CRL the follower made.
func (c *Cache) CRL(delta bool) (*Document, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	d := c.full
	if delta {
		d = c.delta
	}
	if d == nil {
		return nil, fmt.Errorf("%w: no CRL made yet", ErrTryLater)
	}
	return d, nil
}

// Healthy reports whether the cache has read the ledger in the last
// minute.
func (c *Cache) Healthy() error {
	c.mu.RLock()
	last := c.lastRead
	c.mu.RUnlock()
	if age := c.clock().Sub(last); age > staleAfter {
		return fmt.Errorf("responder: ledger last read %v ago", age.Truncate(time.Second))
	}
	return nil
}

// Status returns the state of the CA's certificate serial as the follower
// last read it from the ledger, and when that was: what a status page
// shows without reading the ledger itself. ok is false when the cache has
// no entry for serial: a certificate it never saw, an expired one (the
// cache drops them) or another CA's; ask the ledger then.
func (c *Cache) Status(serial *big.Int) (st ca.Status, readAt time.Time, ok bool) {
	c.mu.RLock()
	e := c.entries[string(serial.Bytes())]
	readAt = c.lastRead
	c.mu.RUnlock()
	if e == nil {
		return ca.Status{}, readAt, false
	}
	st = ca.Status{Serial: e.serial, State: ca.StateGood}
	switch {
	case e.status == ocsp.Revoked && e.reason == cert.ReasonCertificateHold:
		st.State, st.RevokedAt, st.Reason = ca.StateHeld, e.revokedAt, e.reason
	case e.status == ocsp.Revoked:
		st.State, st.RevokedAt, st.Reason = ca.StateRevoked, e.revokedAt, e.reason
	case e.notAfter.Before(c.clock()):
		st.State = ca.StateExpired
	}
	return st, readAt, true
}
