package store

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSharedLetsOthersWrite: while 16 goroutines submit through a Shared
// without pause, another opener of the file (as a gostca command in
// another process would be: a flock on its own open file) gets the ledger
// every time within its one-second timeout, and nothing is lost.
func TestSharedLetsOthersWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	s := NewShared(path, nil, 0, 0)
	var submitted atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.SubmitApplication(t0, nil, testApp(fmt.Sprintf("key-%d-%d", g, i))); err != nil {
					errs <- err
					return
				}
				submitted.Add(1)
			}
		}()
	}
	var worst time.Duration
	const others = 15
	for i := range others {
		time.Sleep(20 * time.Millisecond)
		start := time.Now()
		db, err := Open(path, &Options{Timeout: time.Second})
		if err != nil {
			t.Fatalf("other writer, round %d: %v", i, err)
		}
		worst = max(worst, time.Since(start))
		issue(t, db, newRecord(int64(i+1)))
		db.Close()
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	db, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := int64(0)
	for _, err := range db.Applications() {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != submitted.Load() {
		t.Fatalf("%d applications in the ledger, %d acknowledged", n, submitted.Load())
	}
	if err := db.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
	w := s.Waits()
	t.Logf("%d submissions, %d opens of the Shared; the other writer waited at most %v; Shared calls waited %d times, at most %v",
		n, w.Opens, worst, w.Waited, w.MaxWait)
}
