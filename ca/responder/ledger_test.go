package responder

import (
	"context"
	"errors"
	"log/slog"
	"math/big"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/ocsp"
	"github.com/gostca/gostca/store"
)

// TestNewNeedsOneLedger: a Config names its ledger by path or holds it
// open, never both, never neither.
func TestNewNeedsOneLedger(t *testing.T) {
	f := newFixture(t, nil)
	db, err := store.Open(f.ledger, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		name   string
		ledger string
		db     Ledger
		ok     bool
	}{
		{"neither", "", nil, false},
		{"both", f.ledger, db, false},
		{"DB", "", db, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Config{Ledger: tc.ledger, DB: tc.db, CA: f.cfg, Logger: quietLogger()})
			if (err == nil) != tc.ok {
				t.Errorf("New: %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// flakyLedger is a ledger held open whose reads fail while down is set, as
// those of a database out of reach do.
type flakyLedger struct {
	Ledger
	down atomic.Bool
}

var errDown = errors.New("ledger out of reach")

func (l *flakyLedger) View(fn func(store.Tx) error) error {
	if l.down.Load() {
		return errDown
	}
	return l.Ledger.View(fn)
}

// logRecorder is a slog.Handler that keeps every record.
type logRecorder struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logRecorder) WithGroup(string) slog.Handler            { return h }
func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recs = append(h.recs, r)
	return nil
}

// count returns the number of records at level whose message starts with
// prefix.
func (h *logRecorder) count(level slog.Level, prefix string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.recs {
		if r.Level == level && strings.HasPrefix(r.Message, prefix) {
			n++
		}
	}
	return n
}

// Messages of the follower's outage log.
const (
	msgDown = "reading the ledger failed"
	msgBack = "reading the ledger again"
)

// answer asks c for serial's status as an RFC 5019 client does (one SHA-1
// CertID, no nonce) and returns the single response, its signature by
// issuer checked.
func answer(t testing.TB, c *Cache, issuer *cert.Certificate, serial *big.Int) ocsp.SingleResponse {
	t.Helper()
	req, err := ocsp.ParseRequest(request(t, ocsp.SHA1, issuer, serial, nil))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Response(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ocsp.ParseResponse(resp.DER)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.CheckSignatureFrom(issuer); err != nil {
		t.Fatal(err)
	}
	return r.Responses[0]
}

// run runs c's follower until the test ends.
func run(t testing.TB, c *Cache) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// waitFor fails the test unless cond holds within d, and returns how long
// that took.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("%s: not after %v", what, d)
		}
		time.Sleep(time.Millisecond)
	}
	return time.Since(start)
}

// TestOutage: while its ledger cannot be read, a Cache goes on answering
// the statuses it has, re-signs the responses that are due with them, is
// healthy until it has gone staleAfter without a read, and logs the
// outage once; when the ledger is back, it catches up on the change made
// meanwhile, logs that once, and is healthy again.
func TestOutage(t *testing.T) {
	f := newFixture(t, nil)
	db, err := store.Open(f.ledger, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l := &flakyLedger{Ledger: db}
	clock := catest.NewClock(time.Now())
	wake := make(chan struct{})
	logs := &logRecorder{}
	cfg := Config{DB: l, Wake: wake, CA: f.cfg, PollInterval: time.Hour, Logger: slog.New(logs)}
	cfg.CA.Clock = clock.Now
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	run(t, c)
	// poll has the follower poll, and returns when a poll is over: the
	// second send waits for the follower to be done with the first.
	poll := func() {
		wake <- struct{}{}
		wake <- struct{}{}
	}
	certs := []struct {
		name string
		c    *cert.Certificate
		want ocsp.Status
	}{{"good", f.good, ocsp.Good}, {"revoked", f.revoked, ocsp.Revoked}, {"held", f.held, ocsp.Revoked}}
	before := make(map[string]ocsp.SingleResponse)
	for _, tc := range certs {
		before[tc.name] = answer(t, c, f.cfg.Certificate, tc.c.SerialNumber)
	}

	l.down.Store(true)
	poll()
	poll()
	clock.Advance(staleAfter - time.Second)
	poll()
	if err := c.Healthy(); err != nil {
		t.Errorf("healthy before staleAfter: %v", err)
	}
	clock.Advance(2 * time.Second)
	if err := c.Healthy(); err == nil {
		t.Error("healthy after staleAfter without a read")
	}
	// Meanwhile the CA revokes; the cache cannot know.
	a, err := ca.New(db, f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Revoke(f.good.SerialNumber, cert.ReasonSuperseded, time.Time{}); err != nil {
		t.Fatal(err)
	}
	// Past half the responses' validity: they are re-signed from the
	// cache, with the statuses it has.
	now := clock.Advance(DefaultResponseValidity / 2)
	poll()
	for _, tc := range certs {
		sr := answer(t, c, f.cfg.Certificate, tc.c.SerialNumber)
		if sr.Status != tc.want {
			t.Errorf("%s: status %v during the outage, want %v", tc.name, sr.Status, tc.want)
		}
		if !sr.ThisUpdate.After(before[tc.name].ThisUpdate) || !sr.NextUpdate.After(now.Add(DefaultResponseValidity/2)) {
			t.Errorf("%s: response %v–%v at %v, not re-signed during the outage", tc.name, sr.ThisUpdate, sr.NextUpdate, now)
		}
	}
	if n := logs.count(slog.LevelWarn, msgDown); n != 1 {
		t.Errorf("outage logged %d times at warn over several failed polls, want once", n)
	}

	l.down.Store(false)
	poll()
	if sr := answer(t, c, f.cfg.Certificate, f.good.SerialNumber); sr.Status != ocsp.Revoked {
		t.Errorf("after the outage: %v, want revoked", sr.Status)
	}
	if err := c.Healthy(); err != nil {
		t.Errorf("healthy after the outage: %v", err)
	}
	if n := logs.count(slog.LevelInfo, msgBack); n != 1 {
		t.Errorf("end of the outage logged %d times at info, want once", n)
	}
	if n := logs.count(slog.LevelWarn, msgDown); n != 1 {
		t.Errorf("outage logged %d times at warn, want once", n)
	}
}
