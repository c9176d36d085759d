package pgstore

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"
)

// crlLockClass is the first of the two keys of the advisory locks of
// CRLs (the second is the issuer's): "gcrl". Two-key advisory locks do
// not share the key space of one-key ones (the migrations' lock).
const crlLockClass = 0x6763726c

// crlLockKey is the second key of the lock of an issuer's CRLs: a hash of
// its key identifier. Two issuers whose hashes collide share a lock, which
// costs them waiting, not correctness.
func crlLockKey(issuerKeyID []byte) int32 {
	h := fnv.New32a()
	h.Write(issuerKeyID)
	return int32(h.Sum32())
}

// LockCRL takes the lock of the CRLs of the issuer issuerKeyID across
// every process using the database (ca.CRLLocker): a session-level
// advisory lock (pg_advisory_lock) held on a connection of its own until
// unlock is called, which releases it (pg_advisory_unlock) and gives the
// connection back; if the process dies meanwhile, the server releases it
// with the session. Calls of one DB for one issuer first queue in the
// process, so that one connection at most waits on the server. Waiting is
// bounded by Options.Timeout.
func (db *DB) LockCRL(issuerKeyID []byte) (unlock func(), err error) {
	ctx, cancel := db.ctx()
	defer cancel()
	sem := db.crlQueue(issuerKeyID)
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("pgstore: locking the CRLs of issuer %x: %w", issuerKeyID, ctx.Err())
	}
	key := crlLockKey(issuerKeyID)
	conn, err := db.pool.Acquire(ctx)
	if err == nil {
		_, err = conn.Exec(ctx, `SELECT pg_advisory_lock($1, $2)`, int32(crlLockClass), key)
		if err != nil {
			// The lock may have been granted as the wait was cut short:
			// the session goes, and the lock with it.
			conn.Conn().Close(context.Background())
			conn.Release()
		}
	}
	if err != nil {
		<-sem
		return nil, fmt.Errorf("pgstore: locking the CRLs of issuer %x: %w", issuerKeyID, err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			ctx, cancel := db.ctx()
			defer cancel()
			if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1, $2)`, int32(crlLockClass), key); err != nil {
				conn.Conn().Close(context.Background())
			}
			conn.Release()
			<-sem
		})
	}, nil
}

// crlQueue returns the channel of one slot that the process's calls of
// LockCRL for an issuer queue on.
func (db *DB) crlQueue(issuerKeyID []byte) chan struct{} {
	db.crlMu.Lock()
	defer db.crlMu.Unlock()
	if db.crlLocks == nil {
		db.crlLocks = make(map[string]chan struct{})
	}
	sem, ok := db.crlLocks[string(issuerKeyID)]
	if !ok {
		sem = make(chan struct{}, 1)
		db.crlLocks[string(issuerKeyID)] = sem
	}
	return sem
}
