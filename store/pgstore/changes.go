package pgstore

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// ChangesChannel is the PostgreSQL notification channel of the ledger:
// every write that takes a change number sends, from its transaction (so
// at its commit, and never for a write rolled back), a notification on it
// whose payload is the new change number in decimal. Notifications are
// local to a database, and a database holds one ledger.
const ChangesChannel = "gostca_ledger"

// ListenerName is the application_name of the connection that [DB.Changes]
// listens on, as pg_stat_activity shows it.
const ListenerName = "gostca ledger listener"

// Times of the listening connection of [DB.Changes].
const (
	// listenIdle is how long the listener waits for a notification
	// before it checks that its connection still answers (a connection
	// cut without a word, as by a network partition, would otherwise
	// wait for ever).
	listenIdle = 15 * time.Second
	// listenPing bounds that check.
	listenPing = 5 * time.Second
	// listenMinBackoff and listenMaxBackoff bound the wait before a
	// reconnection: the first comes after the minimum, and each failure
	// doubles it, up to the maximum.
	listenMinBackoff = 100 * time.Millisecond
	listenMaxBackoff = 5 * time.Second
)

// Changes listens for the ledger's changes until ctx is done or the DB is
// closed, and returns a channel that receives a value after changes were
// committed, by this process or any other. Wakes coalesce: the channel
// holds one value, and a burst of changes while its reader is busy leaves
// one wake, not one per change. A write never waits for the listener.
//
// The channel only says "read the ledger": a follower keeps the last
// change number it read and reads what came after it (store.Tx.AuditSince),
// so a wake missed is a read delayed, never a change missed. The listener
// has a connection of its own, outside the pool, named [ListenerName].
// When that connection fails (the server restarts, the network drops, an
// administrator ends it), it connects again after 0.1 s, doubling the
// wait after each failure up to 5 s, and it wakes the channel after every
// connection, first included: the follower then reads whatever was
// committed while nobody listened. An idle connection is checked every
// 15 s, so a connection that died without a word is noticed.
//
// Changes starts one goroutine, which ends when ctx is done or at
// [DB.Close] (which waits for it); the channel is then closed. Each call
// has its own listener and channel.
func (db *DB) Changes(ctx context.Context) <-chan struct{} {
	ch := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(db.closing, cancel)
	db.listeners.Add(1)
	go func() {
		defer db.listeners.Done()
		defer close(ch)
		defer stop()
		defer cancel()
		db.listen(ctx, func() {
			select {
			case ch <- struct{}{}:
			default: // a wake is pending already
			}
		})
	}()
	return ch
}

// listen is the listener of Changes: it calls wake after each connection
// and each notification, until ctx is done.
func (db *DB) listen(ctx context.Context, wake func()) {
	backoff := listenMinBackoff
	for {
		listened := db.listenOnce(ctx, wake)
		if listened {
			backoff = listenMinBackoff
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if !listened {
			backoff = min(2*backoff, listenMaxBackoff)
		}
	}
}

// listenOnce connects, listens and wakes until the connection fails or ctx
// is done, and reports whether it got as far as LISTEN. Why a connection
// failed is not kept: the follower's reads, which fail too, say it.
func (db *DB) listenOnce(ctx context.Context, wake func()) (listened bool) {
	cfg := db.pool.Config().ConnConfig.Config.Copy()
	cfg.RuntimeParams["application_name"] = ListenerName
	cfg.OnNotification = func(*pgconn.PgConn, *pgconn.Notification) { wake() }
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		return false
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), listenPing)
		defer cancel()
		conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, `LISTEN `+ChangesChannel).ReadAll(); err != nil {
		return false
	}
	// Whatever was committed before LISTEN took effect sent no
	// notification to this connection: the reader catches up on it now.
	wake()
	for {
		wctx, cancel := context.WithTimeout(ctx, listenIdle)
		err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			continue // OnNotification woke
		case ctx.Err() != nil || !pgconn.Timeout(err) || conn.IsClosed():
			return true
		}
		// Idle for listenIdle: does the connection still answer?
		pctx, cancel := context.WithTimeout(ctx, listenPing)
		err = conn.Ping(pctx)
		cancel()
		if err != nil {
			return true
		}
	}
}
