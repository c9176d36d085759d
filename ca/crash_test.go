package ca_test

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/store"
)

// crashChildEnv names the CA directory a crash-test child works in.
const crashChildEnv = "GOSTCA_CRASH_CHILD_DIR"

// crashKills is how many times the child is killed: 24, or 4 in -short
// runs.
func crashKills() int {
	if testing.Short() {
		return 4
	}
	return 24
}

// TestCrashSafety kills a process that issues and revokes with SIGKILL at
// random moments, crashKills() times over one ledger. After every kill the ledger
// must open, its audit chain must verify, no serial may appear twice, and
// every operation whose call had returned before the kill (the child
// acknowledges each on its standard output, unbuffered) must be there.
func TestCrashSafety(t *testing.T) {
	dir := t.TempDir()
	ledger := filepath.Join(dir, "ledger.db")
	db, err := store.Open(ledger, nil)
	if err != nil {
		t.Fatal(err)
	}
	key, err := gost3410.GenerateKey(gost3410.ParamsCryptoProA(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	clock := catest.NewClock(time.Now())
	root := catest.NewRoot(t, catest.WithLedger(db), catest.WithKey(key), catest.WithClock(clock))
	p8, err := gost3410.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"ca.key": p8, "ca.der": root.Certificate().Raw} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	issued := map[string]bool{}  // acknowledged issues
	revoked := map[string]bool{} // acknowledged revocations
	rng := mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for kill := range crashKills() {
		acks := runCrashChild(t, dir, time.Duration(150+rng.IntN(500))*time.Millisecond)
		for _, a := range acks {
			switch a.op {
			case "issued":
				issued[a.serial] = true
			case "revoked":
				revoked[a.serial] = true
			}
		}
		checkLedgerAfterCrash(t, kill, ledger, issued, revoked)
	}
	t.Logf("%d kills; %d issues and %d revocations acknowledged, all found", crashKills(), len(issued), len(revoked))
	if len(issued) < crashKills() {
		t.Errorf("only %d issues acknowledged over %d runs: the children did no real work", len(issued), crashKills())
	}
}

type crashAck struct{ op, serial string }

// runCrashChild starts the child, kills it with SIGKILL after d, and returns
// what it acknowledged.
func runCrashChild(t *testing.T, dir string, d time.Duration) []crashAck {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acks []crashAck
	done := make(chan struct{})
	first := make(chan struct{}, 1)
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 3 && f[0] == "ACK" {
				acks = append(acks, crashAck{f[1], f[2]})
				select {
				case first <- struct{}{}:
				default:
				}
			}
		}
	}()
	// Let it get going (the first acknowledgement), then give it d.
	select {
	case <-first:
	case <-time.After(20 * time.Second):
		t.Fatal("the crash-test child acknowledged nothing in 20 s")
	}
	time.Sleep(d)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-done
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the child ended with %v before it was killed", err)
	}
	return acks
}

// checkLedgerAfterCrash opens the ledger the killed child left and checks it.
func checkLedgerAfterCrash(t *testing.T, kill int, path string, issued, revoked map[string]bool) {
	t.Helper()
	db, err := store.Open(path, &store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("kill %d: the ledger does not open: %v", kill, err)
	}
	defer db.Close()
	if err := db.VerifyAudit(); err != nil {
		t.Fatalf("kill %d: audit: %v", kill, err)
	}
	seen := map[string]bool{}
	for rec, err := range db.All() {
		if err != nil {
			t.Fatalf("kill %d: reading the ledger: %v", kill, err)
		}
		s := rec.Serial.Text(16)
		if seen[s] {
			t.Fatalf("kill %d: serial %s appears twice", kill, s)
		}
		seen[s] = true
		if len(rec.DER) > 0 {
			c, err := cert.ParseCertificate(rec.DER)
			if err != nil || c.SerialNumber.Cmp(rec.Serial) != 0 {
				t.Fatalf("kill %d: record %s holds a certificate that does not parse or has another serial: %v", kill, s, err)
			}
		}
	}
	for s := range issued {
		n, _ := new(big.Int).SetString(s, 16)
		rec, err := db.Get(n)
		if err != nil {
			t.Fatalf("kill %d: acknowledged certificate %s: %v", kill, s, err)
		}
		if rec.Status != store.StatusGood && rec.Status != store.StatusRevoked {
			t.Fatalf("kill %d: acknowledged certificate %s is %v", kill, s, rec.Status)
		}
		if revoked[s] && rec.Status != store.StatusRevoked {
			t.Fatalf("kill %d: acknowledged revocation of %s is lost (%v)", kill, s, rec.Status)
		}
	}
}

// TestCrashChild is the process TestCrashSafety kills: four goroutines
// issue certificates from the CA in $GOSTCA_CRASH_CHILD_DIR and revoke
// every third, printing "ACK issued SERIAL" and "ACK revoked SERIAL" after
// each call returns, until killed (or for at most 60 s).
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("run by TestCrashSafety")
	}
	db, err := store.Open(filepath.Join(dir, "ledger.db"), &store.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	p8, err := os.ReadFile(filepath.Join(dir, "ca.key"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := gost3410.ParsePKCS8PrivateKey(p8)
	if err != nil {
		t.Fatal(err)
	}
	der, err := os.ReadFile(filepath.Join(dir, "ca.der"))
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := cert.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	authority, err := ca.New(db, ca.Config{Clock: time.Now, Signer: key, Certificate: caCert})
	if err != nil {
		t.Fatal(err)
	}
	csr, _ := catest.NewCSR(t, gost3410.ParamsCryptoProA(), cert.Name{CommonName: "crash test", Country: "RU"})
	var mu sync.Mutex
	ack := func(op string, serial *big.Int) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(os.Stdout, "ACK %s %s\n", op, serial.Text(16))
	}
	deadline := time.Now().Add(60 * time.Second)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				c, err := authority.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileSignature})
				if err != nil {
					t.Error(err)
					return
				}
				ack("issued", c.SerialNumber)
				if i%3 == 2 {
					if err := authority.Revoke(c.SerialNumber, cert.ReasonKeyCompromise, time.Time{}); err != nil {
						t.Error(err)
						return
					}
					ack("revoked", c.SerialNumber)
				}
			}
		}()
	}
	wg.Wait()
}
