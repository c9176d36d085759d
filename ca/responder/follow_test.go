package responder

import (
	"bytes"
	"context"
	"math/big"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/ocsp"
	"github.com/gostca/gostca/store"
)

// TestRevocationToResponse revokes through the ca API in another ledger
// handle while the follower runs, and measures how long the responder
// takes to answer revoked.
func TestRevocationToResponse(t *testing.T) {
	const poll = DefaultPollInterval
	f := newFixture(t, func(c *Config) { c.PollInterval = poll })
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); f.cache.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()

	// Writes are not blocked for long by the follower's reads.
	var worst time.Duration
	for range 20 {
		start := time.Now()
		db, err := store.Open(f.ledger, &store.Options{Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > worst {
			worst = d
		}
		db.Close()
		time.Sleep(37 * time.Millisecond)
	}
	t.Logf("longest wait to open the ledger for writing: %v", worst)
	if worst > poll {
		t.Errorf("a writer waited %v for the ledger, more than PollInterval %v", worst, poll)
	}

	der := request(t, ocsp.SHA1, f.cfg.Certificate, f.good.SerialNumber, nil)
	if r := f.parse(t, readBody(t, f.post(t, der))); r.Responses[0].Status != ocsp.Good {
		t.Fatalf("before: %v", r.Responses[0].Status)
	}
	revokeAt := withCA(t, f, func(c *ca.CA) error {
		return c.Revoke(f.good.SerialNumber, cert.ReasonSuperseded, time.Time{})
	})
	for {
		r := f.parse(t, readBody(t, f.post(t, der)))
		if sr := r.Responses[0]; sr.Status == ocsp.Revoked {
			took := time.Since(revokeAt)
			t.Logf("revocation to revoked response: %v", took)
			if sr.Reason != cert.ReasonSuperseded {
				t.Errorf("reason %v", sr.Reason)
			}
			if took > time.Second {
				t.Errorf("took %v, more than 1 s", took)
			}
			break
		}
		if time.Since(revokeAt) > 5*time.Second {
			t.Fatal("still not revoked after 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}

	// A certificate issued and a hold released are seen too.
	var leaf *cert.Certificate
	withCA(t, f, func(c *ca.CA) error {
		leaf = issueLeaf(t, c, "new")
		return c.Release(f.held.SerialNumber)
	})
	for _, tc := range []struct {
		name   string
		serial *cert.Certificate
	}{{"issued", leaf}, {"released", f.held}} {
		der := request(t, ocsp.SHA1, f.cfg.Certificate, tc.serial.SerialNumber, nil)
		deadline := time.Now().Add(5 * time.Second)
		for f.parse(t, readBody(t, f.post(t, der))).Responses[0].Status != ocsp.Good {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not good after 5 s", tc.name)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// withCA opens the ledger for writing as a gostca command would, runs fn
// with the CA over it, closes it, and returns when fn returned.
func withCA(t testing.TB, f *fixture, fn func(*ca.CA) error) time.Time {
	t.Helper()
	db, err := store.Open(f.ledger, &store.Options{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c, err := ca.New(db, f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := fn(c); err != nil {
		t.Fatal(err)
	}
	done := time.Now()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return done
}

func TestPresignedRefresh(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	f := newFixture(t, nil)
	f.cache.clock = clock
	der := request(t, ocsp.SHA1, f.cfg.Certificate, f.good.SerialNumber, nil)
	first := readBody(t, f.post(t, der))
	if again := readBody(t, f.post(t, der)); !bytes.Equal(first, again) {
		t.Fatal("the response was not pre-signed")
	}
	now = now.Add(DefaultResponseValidity/2 + time.Second)
	if _, err := f.cache.poll(context.Background(), time.Second); err != nil {
		t.Fatal(err)
	}
	r := f.parse(t, readBody(t, f.post(t, der)))
	if !r.Responses[0].ThisUpdate.After(f.parse(t, first).Responses[0].ThisUpdate) {
		t.Error("the response was not re-signed half-way to its nextUpdate")
	}
}

// TestFollowsChanges: what is issued, held and released after the cache
// started reaches it through the audit feed, each serial pre-signed.
func TestFollowsChanges(t *testing.T) {
	f := newFixture(t, nil)
	var leaf *cert.Certificate
	withCA(t, f, func(c *ca.CA) error {
		leaf = issueLeaf(t, c, "late")
		return c.Release(f.held.SerialNumber)
	})
	signed := f.cache.stats.signed.Load()
	if _, err := f.cache.poll(context.Background(), time.Second); err != nil {
		t.Fatal(err)
	}
	if n := f.cache.stats.signed.Load() - signed; n != 2 {
		t.Errorf("the poll signed %d responses, want 2 (the new certificate and the released one)", n)
	}
	for _, c := range []*cert.Certificate{leaf, f.held} {
		r := f.parse(t, readBody(t, f.post(t, request(t, ocsp.SHA1, f.cfg.Certificate, c.SerialNumber, nil))))
		if r.Responses[0].Status != ocsp.Good {
			t.Errorf("%s: %v, want good", c.Subject.CommonName, r.Responses[0].Status)
		}
	}
	if f.cache.stats.presigned.Load() != 2 {
		t.Errorf("%d pre-signed answers, want 2", f.cache.stats.presigned.Load())
	}
	if !f.cache.crlDirty {
		t.Error("a release did not mark the CRLs for remaking")
	}
}

// TestCacheStatus: the status a check page reads from the cache.
func TestCacheStatus(t *testing.T) {
	f := newFixture(t, nil)
	for _, c := range []struct {
		c    *cert.Certificate
		want ca.State
	}{{f.good, ca.StateGood}, {f.revoked, ca.StateRevoked}, {f.held, ca.StateHeld}} {
		st, readAt, ok := f.cache.Status(c.c.SerialNumber)
		if !ok || st.State != c.want || readAt.IsZero() {
			t.Errorf("%s: %v %v %v, want %v", c.c.Subject.CommonName, st.State, readAt, ok, c.want)
		}
	}
	if st, _, _ := f.cache.Status(f.revoked.SerialNumber); st.Reason != cert.ReasonKeyCompromise || st.RevokedAt.IsZero() {
		t.Errorf("revoked: %+v", st)
	}
	if _, _, ok := f.cache.Status(big.NewInt(12345)); ok {
		t.Error("an unknown serial has a status")
	}
}

// TestRefreshBetweenReads: a follower that reads the ledger seldom (a
// Wake's safety net) still re-signs what is due every 250 ms, from the
// cache, without reading.
func TestRefreshBetweenReads(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	f := newFixture(t, func(c *Config) {
		c.PollInterval = time.Hour
		c.Wake = make(chan struct{})
	})
	f.cache.clock = func() time.Time { return time.Unix(0, now.Load()) }
	der := request(t, ocsp.SHA1, f.cfg.Certificate, f.good.SerialNumber, nil)
	first := f.parse(t, readBody(t, f.post(t, der))).Responses[0].ThisUpdate
	polls := f.cache.stats.polls.Load()
	now.Add(int64(DefaultResponseValidity/2 + time.Second))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.cache.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if f.parse(t, readBody(t, f.post(t, der))).Responses[0].ThisUpdate.After(first) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the response due was not re-signed within 10 s of a follower reading every hour")
		}
	}
	if n := f.cache.stats.polls.Load() - polls; n != 0 {
		t.Errorf("the follower read the ledger %d times, want 0 (refreshes need no read)", n)
	}
}
