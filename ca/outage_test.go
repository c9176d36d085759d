package ca_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/internal/interop"
	"github.com/gostca/gostca/store"
	"github.com/gostca/gostca/store/pgstore"
)

// outageTimeout is the ledger's Options.Timeout in TestPostgresOutage.
const outageTimeout = time.Second

// outageWorker runs one kind of call in a loop and counts how it went.
type outageWorker struct {
	name    string
	call    func() error
	ok      atomic.Int64
	failed  atomic.Int64
	slowest atomic.Int64 // the longest call, in nanoseconds
	lastErr atomic.Pointer[error]
}

// errIdle: the call had nothing to do (no certificate to revoke yet).
var errIdle = errors.New("nothing to do")

func (w *outageWorker) run(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		start := time.Now()
		err := w.call()
		if d := int64(time.Since(start)); d > w.slowest.Load() {
			w.slowest.Store(d)
		}
		switch {
		case err == nil:
			w.ok.Add(1)
			continue
		case errors.Is(err, errIdle):
			time.Sleep(time.Millisecond)
			continue
		}
		w.failed.Add(1)
		w.lastErr.Store(&err)
		time.Sleep(10 * time.Millisecond) // not a busy loop while the server is down
	}
}

// waitAll waits until cond holds for every worker, for at most 30 s.
func waitAll(t *testing.T, what string, workers []*outageWorker, cond func(w *outageWorker) bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for _, w := range workers {
		for !cond(w) {
			if time.Now().After(deadline) {
				var last error
				if p := w.lastErr.Load(); p != nil {
					last = *p
				}
				t.Fatalf("%s: %s: not in 30 s (%d calls succeeded, %d failed, the last with %v)", what, w.name, w.ok.Load(), w.failed.Load(), last)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// TestPostgresOutage stops the PostgreSQL server under a CA that issues
// (three goroutines), revokes and makes CRLs, all at once: a fast
// shutdown, an immediate one, then the postmaster killed with SIGKILL,
// each followed by a restart. While the server is down every kind of call
// fails with an error, none slower than its ledger calls' timeouts; after
// the restart each works again through the same *pgstore.DB. Then the
// ledger holds exactly what the callers were told (see
// acknowledged.check): every certificate returned is issued with the same
// DER, every revocation returned is revoked, an issuance that failed left
// its serial reserved (the CA's Status: unknown) or its certificate whole,
// never a record half-written, and the CRL numbers strictly increase.
func TestPostgresOutage(t *testing.T) {
	srv := interop.StartPostgresServer(t)
	db, err := pgstore.Open(context.Background(), srv.URL(), &pgstore.Options{Migrate: true, Timeout: outageTimeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	root := catest.NewRoot(t, catest.WithLedger(db), catest.WithClock(catest.NewClock(epoch)))
	if _, err := root.CRL(false); err != nil { // the base of the deltas
		t.Fatal(err)
	}
	csr, _ := catest.NewCSR(t, nil, cert.Name{CommonName: "outage", Country: "RU"})
	acks := newAcknowledged(root)

	var (
		mu      sync.Mutex
		ders    = map[string][]byte{} // serial (hex) → the certificate returned
		pending []*big.Int            // returned, to be revoked
		reqs    atomic.Int64
		crls    atomic.Int64
	)
	issue := func() error {
		req := fmt.Sprintf("outage-%d", reqs.Add(1))
		acks.start(req)
		c, err := root.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileSignature, RequestID: req})
		if err != nil {
			return err
		}
		acks.issue(c.SerialNumber.Text(16), req)
		mu.Lock()
		defer mu.Unlock()
		ders[c.SerialNumber.Text(16)] = c.Raw
		pending = append(pending, c.SerialNumber)
		return nil
	}
	// The revoker tries one serial until its revocation returns; after a
	// failed try, the revocation may have been committed all the same. It
	// leaves a few certificates unrevoked, so that it has one to try when
	// the server goes.
	var current *big.Int
	retried := false
	revoke := func() error {
		if current == nil {
			mu.Lock()
			if len(pending) > 5 {
				current, pending = pending[0], pending[1:]
			}
			mu.Unlock()
			if current == nil {
				return errIdle
			}
		}
		err := root.Revoke(current, cert.ReasonKeyCompromise, time.Time{})
		if err != nil && !(retried && errors.Is(err, store.ErrState)) {
			retried = true
			return err
		}
		acks.revoke(current.Text(16))
		current, retried = nil, false
		return nil
	}
	var lastCRL *big.Int
	crl := func() error {
		n, err := crlNumber(root, crls.Add(1)%2 == 0)
		if err != nil {
			return err
		}
		if lastCRL != nil && n.Cmp(lastCRL) <= 0 {
			t.Errorf("CRL %v after CRL %v", n, lastCRL)
		}
		lastCRL = n
		acks.crl(n)
		return nil
	}
	workers := []*outageWorker{{name: "issue", call: issue}, {name: "issue", call: issue}, {name: "issue", call: issue},
		{name: "revoke", call: revoke}, {name: "CRL", call: crl}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() { w.run(stop) })
	}
	stopped := sync.OnceFunc(func() { close(stop); wg.Wait() })
	t.Cleanup(stopped) // before the ledger closes

	oks := func() map[*outageWorker]int64 {
		n := map[*outageWorker]int64{}
		for _, w := range workers {
			n[w] = w.ok.Load()
		}
		return n
	}
	var down time.Duration
	for _, how := range []struct {
		name string
		how  interop.Shutdown
	}{{"fast shutdown", interop.ShutdownFast}, {"immediate shutdown", interop.ShutdownImmediate}, {"postmaster killed", interop.ShutdownKill}} {
		before := oks()
		waitAll(t, how.name+": before", workers, func(w *outageWorker) bool { return w.ok.Load() >= before[w]+3 })
		failed := map[*outageWorker]int64{}
		for _, w := range workers {
			failed[w] = w.failed.Load()
		}
		at := time.Now()
		srv.Stop(t, how.how)
		waitAll(t, how.name+": failing while down", workers, func(w *outageWorker) bool { return w.failed.Load() > failed[w] })
		srv.Start(t)
		down += time.Since(at)
		resumed := oks()
		waitAll(t, how.name+": resuming", workers, func(w *outageWorker) bool { return w.ok.Load() >= resumed[w]+3 })
	}
	stopped()

	for _, w := range workers {
		// An issuance is a Reserve and a Complete, a CRL a View and a
		// RecordCRL (tried again only when another CRL took its number):
		// two calls bounded by the timeout, with room for a loaded machine.
		if slowest := time.Duration(w.slowest.Load()); slowest > 2*outageTimeout+5*time.Second {
			t.Errorf("%s: a call took %v (ledger timeout %v)", w.name, slowest, outageTimeout)
		}
	}
	if err := acks.check(db); err != nil {
		t.Fatal(err)
	}
	for s, der := range ders {
		n, _ := new(big.Int).SetString(s, 16)
		if rec, err := db.Get(n); err != nil || string(rec.DER) != string(der) {
			t.Errorf("certificate %s: the ledger holds another DER (%v)", s, err)
		}
	}
	reserved := 0
	for rec, err := range db.All() {
		if err != nil {
			t.Fatal(err)
		}
		if rec.Status != store.StatusReserved && rec.Status != store.StatusAbandoned {
			continue
		}
		reserved++
		if st, err := root.Status(rec.Serial); err != nil || st.State != ca.StateUnknown {
			t.Errorf("serial %x, reserved by a failed issuance: Status = %v, %v; want unknown", rec.Serial, st.State, err)
		}
	}
	var failures []int64
	for _, w := range workers {
		failures = append(failures, w.failed.Load())
		if p := w.lastErr.Load(); p != nil {
			t.Logf("%s: the last failure: %v", w.name, *p)
		}
	}
	t.Logf("3 outages, %v down in all: %d certificates, %d revocations and %d CRLs returned; failed calls %v (issue ×3, revoke, CRL); %d serials left reserved, %d certificates recorded but not returned",
		down.Round(time.Millisecond), len(ders), len(acks.revocations), len(acks.crls), failures, reserved, acks.inFlight-reserved)
}
