package store

import (
	"bufio"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const crashEnv = "GOSTCA_STORE_CRASH_LEDGER"

// TestCrashChild is the child process of TestCrash: it issues from many
// goroutines and prints every serial whose write returned, until killed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("run by TestCrash")
	}
	db, err := Open(path, nil)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	round, _ := strconv.ParseInt(os.Getenv(crashEnv+"_ROUND"), 10, 64)
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	report := func(format string, args ...any) {
		mu.Lock()
		fmt.Fprintf(out, format+"\n", args...)
		out.Flush()
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int64(0); ; i++ {
				n := round<<48 | int64(g)<<32 | i + 1
				if err := db.Reserve(newRecord(n), t0); err != nil {
					report("error %v", err)
					return
				}
				report("reserved %d", n)
				if err := db.Complete(big.NewInt(n), derOf(n), nil, t0); err != nil {
					report("error %v", err)
					return
				}
				report("completed %d", n)
			}
		}()
	}
	wg.Wait()
	os.Exit(1)
}

// TestCrash kills a process issuing certificates at random moments
// (SIGKILL, no chance to clean up) and checks that every write it saw
// return survived, that the audit chain is whole, and that no serial can be
// reserved again.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	path := filepath.Join(t.TempDir(), "ledger.db")
	reserved := map[int64]bool{}
	completed := map[int64]bool{}
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+path, fmt.Sprintf("%s_ROUND=%d", crashEnv, round))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		lines := 0
		target := 300 + round*211
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 2 {
				n, _ := strconv.ParseInt(f[1], 10, 64)
				switch f[0] {
				case "reserved":
					reserved[n] = true
				case "completed":
					completed[n] = true
				}
			}
			if len(f) > 0 && f[0] == "error" {
				t.Errorf("child: %s", sc.Text())
			}
			if lines++; lines == target {
				cmd.Process.Signal(syscall.SIGKILL)
			}
		}
		cmd.Wait()

		db, err := Open(path, &Options{Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.VerifyAudit(); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for n := range reserved {
			r, err := db.Get(big.NewInt(n))
			if err != nil {
				t.Fatalf("round %d: serial %d was reserved, now: %v", round, n, err)
			}
			if completed[n] && r.Status != StatusGood {
				t.Fatalf("round %d: serial %d was completed, now %v", round, n, r.Status)
			}
			if err := db.Reserve(newRecord(n), t0); !errors.Is(err, ErrExists) {
				t.Fatalf("round %d: Reserve(%d) again = %v, want ErrExists", round, n, err)
			}
		}
		db.Close()
	}
	t.Logf("%d serials reserved, %d completed across 3 kills", len(reserved), len(completed))
}
