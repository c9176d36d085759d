package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"strconv"
	"strings"
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

var _ ca.CRLLocker = (*pgstore.DB)(nil)

// counting is a ledger that counts the CRLs it records and those it
// refuses (a number taken: a CRL signed in vain, and made again).
type counting struct {
	*pgstore.DB
	recorded, refused *atomic.Int64
}

func (l counting) RecordCRL(issuerKeyID []byte, info store.CRLInfo, at time.Time) error {
	err := l.DB.RecordCRL(issuerKeyID, info, at)
	l.recorded.Add(1)
	if errors.Is(err, store.ErrState) {
		l.refused.Add(1)
	}
	return err
}

// unlocked is the same ledger without its lock, as a ledger of an older
// gostca would be.
type unlocked struct{ ca.Ledger }

// openHandles migrates a new database and opens n handles on it, as n
// processes would.
func openHandles(t *testing.T, n int, opts *pgstore.Options) []*pgstore.DB {
	t.Helper()
	url := interop.StartPostgres(t)
	if _, _, err := pgstore.Migrate(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	dbs := make([]*pgstore.DB, n)
	for i := range dbs {
		db, err := pgstore.Open(context.Background(), url, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	return dbs
}

// madeCRL is a CRL one of the CAs made.
type madeCRL struct {
	number, base *big.Int // base: nil for a full CRL
	entries      map[string]cert.ReasonCode
}

// crlWorkload has CAs of one key, two on each of three handles, make CRLs
// while others issue, hold, release and revoke; it returns the CRLs made,
// how many the ledger refused (their number taken), how many CRL calls
// failed for it, and the first handle. Without the lock, a CRL that
// loses the race for its number crlTries times fails (and is not made).
func crlWorkload(t *testing.T, lock bool) (made []madeCRL, refused, failed int64, db *pgstore.DB) {
	dbs := openHandles(t, 3, nil)
	clock := catest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	root := catest.NewRoot(t, catest.WithLedger(dbs[0]), catest.WithClock(clock))
	if _, err := root.CRL(false); err != nil { // the base of the first deltas
		t.Fatal(err)
	}
	var recorded, refusals atomic.Int64
	var cas []*ca.CA
	for _, db := range dbs {
		for range 2 {
			var l ca.Ledger = counting{db, &recorded, &refusals}
			if !lock {
				l = unlocked{l}
			}
			c, err := ca.New(l, root.Config())
			if err != nil {
				t.Fatal(err)
			}
			cas = append(cas, c)
		}
	}
	const rounds = 6
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		fails atomic.Int64
	)
	errs := make(chan error, 2*len(cas))
	for i, c := range cas {
		wg.Add(2)
		go func() { // CRLs, full and delta in turn
			defer wg.Done()
			for r := range rounds {
				der, err := c.CRL((i+r)%2 == 1)
				if !lock && errors.Is(err, store.ErrState) {
					fails.Add(1)
					continue
				}
				if err != nil {
					errs <- err
					return
				}
				l, err := cert.ParseRevocationList(der)
				if err != nil {
					errs <- err
					return
				}
				m := madeCRL{number: l.Number, base: l.BaseCRLNumber, entries: map[string]cert.ReasonCode{}}
				for _, e := range l.Entries {
					m.entries[e.SerialNumber.String()] = e.ReasonCode
				}
				mu.Lock()
				made = append(made, m)
				mu.Unlock()
			}
		}()
		go func() { // issuance and changes of state
			defer wg.Done()
			for r := range 4 {
				csr, _ := catest.NewCSR(t, nil, cert.Name{CommonName: fmt.Sprintf("subscriber %d/%d", i, r), Country: "RU"})
				crt, err := c.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileSignature})
				if err != nil {
					errs <- err
					return
				}
				s := crt.SerialNumber
				switch r % 4 {
				case 1:
					err = c.Revoke(s, cert.ReasonKeyCompromise, time.Time{})
				case 2:
					err = c.Hold(s)
				case 3:
					if err = c.Hold(s); err == nil {
						err = c.Release(s)
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := recorded.Load() - refusals.Load(); got != int64(len(made)) || int64(len(made))+fails.Load() != int64(len(cas)*rounds) {
		t.Fatalf("%d CRLs recorded, %d made, %d failed; want %d", got, len(made), fails.Load(), len(cas)*rounds)
	}
	return made, refusals.Load(), fails.Load(), dbs[0]
}

// TestCRLOneAtATime: CAs of one key on several handles (as several
// processes have) make CRLs while certificates are issued, held, released
// and revoked: with the ledger's lock, no CRL is refused (none is signed
// in vain and made again) and none fails; the checks of checkCRLs hold.
func TestCRLOneAtATime(t *testing.T) {
	made, refused, failed, db := crlWorkload(t, true)
	if refused != 0 || failed != 0 {
		t.Errorf("with the lock, %d CRLs were refused (made again) and %d failed; want none", refused, failed)
	}
	checkCRLs(t, made, db)
	t.Logf("%d CRLs made one at a time", len(made))
}

// TestCRLWithoutLock: the same workload on CAs that do not take the lock
// (as those of an older gostca would not): their CRLs race for their
// numbers, and the ledger's compare-and-set still keeps the numbers
// distinct, increasing and true to their snapshots; the log says what the
// lock saves.
func TestCRLWithoutLock(t *testing.T) {
	if testing.Short() {
		t.Skip("the lock's counterpart")
	}
	made, refused, failed, db := crlWorkload(t, false)
	checkCRLs(t, made, db)
	t.Logf("without the lock: %d CRLs made, %d signed in vain (their number taken), %d calls failed after %d tries", len(made), refused, failed, 5)
}

// checkCRLs holds the CRLs made to the ledger's audit log: their numbers
// are distinct and increase in the order of their records, each was made
// from a snapshot that has the CRL recorded before it, and each lists
// exactly what its snapshot held (a full CRL every revocation and hold, a
// delta those since its base and the releases since, not held again).
func checkCRLs(t *testing.T, made []madeCRL, db *pgstore.DB) {
	t.Helper()
	byNumber := map[string]madeCRL{}
	for _, m := range made {
		if _, dup := byNumber[m.number.String()]; dup {
			t.Fatalf("two CRLs numbered %v", m.number)
		}
		byNumber[m.number.String()] = m
	}

	// Replay the audit log: the state of the revocations at each change,
	// and each CRL's number, kind and snapshot.
	type rev struct {
		reason cert.ReasonCode
		seq    uint64
	}
	var (
		revoked  = map[string]rev{}
		released = map[string]uint64{}
		states   = map[uint64]map[string]rev{0: {}}
		releases = map[uint64]map[string]uint64{0: {}}
		fullSeq  = map[string]uint64{} // full CRL number → its snapshot
		lastCRL  uint64                // the change of the CRL before
		lastNum  = big.NewInt(0)
		checked  int
	)
	field := func(detail, key string) string {
		for f := range strings.FieldsSeq(detail) {
			if v, ok := strings.CutPrefix(f, key+"="); ok {
				return v
			}
		}
		t.Fatalf("audit detail %q lacks %s", detail, key)
		return ""
	}
	for e, err := range db.Audit() {
		if err != nil {
			t.Fatal(err)
		}
		switch e.Op {
		case store.OpHold, store.OpRevoke:
			reason, _ := strconv.Atoi(field(e.Detail, "reason"))
			revoked[e.Serial.String()] = rev{cert.ReasonCode(reason), e.Seq}
		case store.OpRelease:
			delete(revoked, e.Serial.String())
			released[e.Serial.String()] = e.Seq
		case store.OpCRL:
			number, _ := new(big.Int).SetString(field(e.Detail, "number"), 10)
			snap, _ := strconv.ParseUint(field(e.Detail, "seq"), 10, 64)
			if number.Cmp(lastNum) <= 0 {
				t.Errorf("CRL %v recorded after CRL %v", number, lastNum)
			}
			if snap < lastCRL {
				t.Errorf("CRL %v made from change %d, before the CRL before it (%d)", number, snap, lastCRL)
			}
			lastNum, lastCRL = number, e.Seq
			isDelta := strings.Contains(e.Detail, " delta ")
			if !isDelta {
				fullSeq[number.String()] = snap
			}
			m, ok := byNumber[number.String()]
			if !ok {
				if number.Cmp(big.NewInt(1)) != 0 { // the root's first CRL, made before
					t.Errorf("CRL %v recorded, but no CA made it", number)
				}
				break
			}
			want := map[string]cert.ReasonCode{}
			if !isDelta {
				for s, r := range states[snap] {
					want[s] = r.reason
				}
			} else {
				base := fullSeq[m.base.String()]
				for s, r := range states[snap] {
					if r.seq > base {
						want[s] = r.reason
					}
				}
				for s, at := range releases[snap] {
					if _, again := states[snap][s]; at > base && !again {
						want[s] = cert.ReasonRemoveFromCRL
					}
				}
			}
			if !maps.Equal(m.entries, want) {
				t.Errorf("CRL %v (delta %v) made at change %d lists %v, the snapshot held %v", number, isDelta, snap, m.entries, want)
			}
			checked++
		}
		states[e.Seq], releases[e.Seq] = maps.Clone(revoked), maps.Clone(released)
	}
	if checked != len(made) {
		t.Errorf("%d CRLs checked against the ledger, %d made", checked, len(made))
	}
}

// TestLockCRL: the lock is held across handles until unlocked, waiting
// for it is bounded by the handle's timeout, and a session that ends (a
// process that dies) gives it up.
func TestLockCRL(t *testing.T) {
	dbs := openHandles(t, 2, &pgstore.Options{Timeout: 300 * time.Millisecond})
	a, b := dbs[0], dbs[1]
	issuer, other := []byte("issuer"), []byte("other issuer")
	unlock, err := a.LockCRL(issuer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.LockCRL(issuer); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("LockCRL while another handle holds it: %v, want a timeout", err)
	}
	if _, err := a.LockCRL(issuer); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("LockCRL while the same handle holds it: %v, want a timeout", err)
	}
	u, err := b.LockCRL(other)
	if err != nil {
		t.Fatalf("LockCRL of another issuer: %v", err)
	}
	u()
	unlock()
	unlock() // twice: nothing more
	u2, err := b.LockCRL(issuer)
	if err != nil {
		t.Fatalf("LockCRL once unlocked: %v", err)
	}
	// The holder's session ends, as when its process dies.
	if _, err := a.Pool().Exec(context.Background(), `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`); err != nil {
		t.Fatal(err)
	}
	u3, err := a.LockCRL(issuer)
	if err != nil {
		t.Fatalf("LockCRL after the holder's session ended: %v", err)
	}
	u2() // the session is gone: nothing to release, no error
	u3()
	for range 3 { // the lock is free, and the handles' pools still work
		u, err := b.LockCRL(issuer)
		if err != nil {
			t.Fatal(err)
		}
		u()
	}
}
