package pgstore_test

import (
	"context"
	"math/big"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gostca/gostca/internal/interop"
	"github.com/gostca/gostca/store"
	"github.com/gostca/gostca/store/pgstore"
)

// openPair opens two handles on one new database, as a CA process and a
// responder have, closed at cleanup.
func openPair(t *testing.T) (url string, writer, reader *pgstore.DB) {
	t.Helper()
	url = interop.StartPostgres(t)
	var dbs [2]*pgstore.DB
	for i := range dbs {
		db, err := pgstore.Open(context.Background(), url, &pgstore.Options{Migrate: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	return url, dbs[0], dbs[1]
}

// waitWake fails the test unless ch wakes within d.
func waitWake(t *testing.T, ch <-chan struct{}, d time.Duration, what string) {
	t.Helper()
	select {
	case _, ok := <-ch:
		if !ok {
			t.Fatalf("%s: channel closed", what)
		}
	case <-time.After(d):
		t.Fatalf("%s: no wake in %v", what, d)
	}
}

// noWake fails the test if ch wakes within d.
func noWake(t *testing.T, ch <-chan struct{}, d time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
		t.Fatalf("%s: woken", what)
	case <-time.After(d):
	}
}

func reserve(t *testing.T, db *pgstore.DB, n int64) {
	t.Helper()
	if err := db.Reserve(&store.Record{Serial: big.NewInt(n), IssuerKeyID: []byte{1}, Subject: "CN=" + strconv.FormatInt(n, 10)}, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// TestNotifyPayload: each write that takes a change number notifies
// ChangesChannel at its commit with that number; a refused write, rolled
// back, and a write without a change number notify nothing.
func TestNotifyPayload(t *testing.T) {
	url, db, _ := openPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgstore.ChangesChannel); err != nil {
		t.Fatal(err)
	}
	next := func() string {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		n, err := conn.WaitForNotification(wctx)
		if err != nil {
			t.Fatal(err)
		}
		return n.Payload
	}
	reserve(t, db, 1)
	if err := db.Reserve(&store.Record{Serial: big.NewInt(1), IssuerKeyID: []byte{1}}, time.Now()); err == nil {
		t.Fatal("reserving serial 1 twice succeeded")
	}
	if err := db.Complete(big.NewInt(1), []byte("der"), nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := db.Revoke(store.Revocation{Serial: big.NewInt(1), Time: time.Now()}, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1", "2", "3"} {
		if got := next(); got != want {
			t.Errorf("payload %q, want %q", got, want)
		}
	}
	wctx, cancel2 := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel2()
	if n, err := conn.WaitForNotification(wctx); err == nil {
		t.Errorf("unexpected notification %q", n.Payload)
	}
}

// TestChanges: the channel wakes once listening (so that a follower
// catches up), after each write of another handle, keeps one wake for a
// burst that nobody read, reconnects after its connection is ended on the
// server and wakes then, and is closed when its context is done or the DB
// closed.
func TestChanges(t *testing.T) {
	_, writer, reader := openPair(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := reader.Changes(ctx)
	waitWake(t, ch, 10*time.Second, "connecting")
	noWake(t, ch, 100*time.Millisecond, "idle")

	reserve(t, writer, 1)
	waitWake(t, ch, 5*time.Second, "after a write")

	// A burst while nobody reads: the writes do not wait for the
	// reader, and leave one wake.
	start := time.Now()
	for n := int64(2); n <= 50; n++ {
		reserve(t, writer, n)
	}
	t.Logf("49 writes in %v with nobody reading", time.Since(start))
	time.Sleep(500 * time.Millisecond) // for the notifications to arrive
	if len(ch) != 1 {
		t.Errorf("%d wakes pending after a burst, want 1", len(ch))
	}
	waitWake(t, ch, time.Second, "after a burst")
	noWake(t, ch, 100*time.Millisecond, "after the burst's wake")

	// An administrator ends the listening connection: the listener
	// comes back and wakes, and hears the writes that follow.
	pool := writer.Pool()
	var ended int
	if err := pool.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = $1`, pgstore.ListenerName).Scan(&ended); err != nil {
		t.Fatal(err)
	}
	if ended != 1 {
		t.Fatalf("%d listening connections ended, want 1", ended)
	}
	waitWake(t, ch, 10*time.Second, "reconnecting")
	reserve(t, writer, 51)
	waitWake(t, ch, 5*time.Second, "after a write, reconnected")

	// Another listener on the same DB stops with its context.
	ctx2, cancel2 := context.WithCancel(context.Background())
	ch2 := reader.Changes(ctx2)
	waitWake(t, ch2, 10*time.Second, "second listener")
	cancel2()
	waitClosed(t, ch2, "context done")

	reader.Close()
	waitClosed(t, ch, "DB closed")
}

// waitClosed fails the test unless ch is closed within 5 s.
func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatalf("%s: channel not closed", what)
		}
	}
}
