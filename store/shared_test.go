package store

import (
	"fmt"
	"iter"
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

// TestSharedScans: All and Expiring through a Shared yield what the DB's
// do, and their loop bodies may call the Shared (the ledger is read
// whole first).
func TestSharedScans(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	s := NewShared(path, nil, 0, 0)
	for n := range int64(5) {
		r := newRecord(n + 1)
		r.NotAfter = t0.Add(time.Duration(n+1) * time.Hour)
		if err := s.Reserve(r, t0); err != nil {
			t.Fatal(err)
		}
		if n != 4 { // serial 5 stays reserved: not in Expiring
			if err := s.Complete(r.Serial, derOf(n+1), r.SubjectKeyID, t0); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name string
		seq  func() iter.Seq2[*Record, error]
		want []int64
	}{
		{"All", s.All, []int64{1, 2, 3, 4, 5}},
		{"Expiring", func() iter.Seq2[*Record, error] { return s.Expiring(t0.Add(2*time.Hour), t0.Add(10*time.Hour)) }, []int64{2, 3, 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []int64
			for r, err := range tc.seq() {
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.Get(r.Serial); err != nil { // the Shared, from the loop
					t.Fatal(err)
				}
				got = append(got, r.Serial.Int64())
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("serials %v, want %v", got, tc.want)
			}
		})
	}
}
