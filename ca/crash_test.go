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
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/internal/ledgertest"
	"github.com/gostca/gostca/store"
)

// The environment of a crash-test child: the directory of the CA's key
// and certificate, the backend and place of the ledger, and the child's
// number (in the request IDs of what it issues).
const (
	crashDirEnv     = "GOSTCA_CRASH_CHILD_DIR"
	crashBackendEnv = "GOSTCA_CRASH_CHILD_BACKEND"
	crashLedgerEnv  = "GOSTCA_CRASH_CHILD_LEDGER"
	crashIDEnv      = "GOSTCA_CRASH_CHILD_ID"
)

// crashWorkers is how many goroutines of a child issue at once.
const crashWorkers = 4

// crashRun is how TestCrashSafety kills children over one backend.
type crashRun struct {
	kills    int // children killed in all
	parallel int // children running at once
	// checkEach checks the ledger after every kill (with one child at a
	// time: a bbolt file has one writing process), else once at the end.
	checkEach bool
	// A child is killed life + [0, spread) after its first
	// acknowledgement.
	life, spread time.Duration
}

// crashRuns: 24 kills of one child at a time on a bbolt file; 100 on
// PostgreSQL, three children at once. -short runs cut both down.
func crashRuns() map[string]crashRun {
	runs := map[string]crashRun{
		"bbolt":    {kills: 24, parallel: 1, checkEach: true, life: 150 * time.Millisecond, spread: 500 * time.Millisecond},
		"postgres": {kills: 100, parallel: 3, life: 100 * time.Millisecond, spread: 400 * time.Millisecond},
	}
	if testing.Short() {
		for name, r := range runs {
			r.kills /= 6
			runs[name] = r
		}
	}
	return runs
}

// TestCrashSafety kills processes that issue, revoke and make CRLs with
// SIGKILL at random moments, over one ledger of each backend: one child
// at a time on a bbolt file, several at once on PostgreSQL. Each child
// acknowledges every call that returned on its standard output,
// unbuffered, and says which request it starts before it calls Issue.
// The ledger must then open, its audit chain verify and no serial appear
// twice; every acknowledged certificate must be there, issued with its
// certificate, and every acknowledged revocation revoked; a certificate
// not acknowledged must be one a killed child had in flight, reserved (no
// certificate) or issued whole; and the CRL numbers recorded must
// strictly increase and include every acknowledged one.
func TestCrashSafety(t *testing.T) {
	runs := crashRuns()
	ledgertest.Run(t, func(t *testing.T, b ledgertest.Backend) {
		run := runs[b.Name()]
		start := time.Now()
		dir := t.TempDir()
		loc := b.Create(t)
		db, err := b.Open(loc, 0)
		if err != nil {
			t.Fatal(err)
		}
		key, err := gost3410.GenerateKey(gost3410.ParamsCryptoProA(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		root := catest.NewRoot(t, catest.WithLedger(db), catest.WithKey(key), catest.WithClock(catest.NewClock(time.Now())))
		if _, err := root.CRL(false); err != nil { // the base of the children's deltas
			t.Fatal(err)
		}
		p8, err := gost3410.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		csr, _ := catest.NewCSR(t, gost3410.ParamsCryptoProA(), cert.Name{CommonName: "crash test", Country: "RU"})
		for name, data := range map[string][]byte{"ca.key": p8, "ca.der": root.Certificate().Raw, "request.der": csr} {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		env := []string{crashDirEnv + "=" + dir, crashBackendEnv + "=" + b.Name(), crashLedgerEnv + "=" + loc}
		acks := newAcknowledged(root)
		check := func() error {
			db, err := b.Open(loc, time.Second)
			if err != nil {
				return fmt.Errorf("the ledger does not open: %w", err)
			}
			defer db.Close()
			return acks.check(db)
		}

		var next atomic.Int64
		var wg sync.WaitGroup
		for range run.parallel {
			wg.Go(func() {
				rng := mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 7))
				for !t.Failed() {
					kill := int(next.Add(1)) - 1
					if kill >= run.kills {
						return
					}
					d := run.life + time.Duration(rng.Int64N(int64(run.spread)))
					lines, err := runCrashChild(slices.Concat(env, []string{crashIDEnv + "=" + strconv.Itoa(kill)}), d)
					if err == nil {
						err = acks.add(lines)
					}
					if err == nil && run.checkEach {
						err = check()
					}
					if err != nil {
						t.Errorf("kill %d: %v", kill, err)
						return
					}
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		if !run.checkEach {
			if err := check(); err != nil {
				t.Fatalf("after %d kills: %v", run.kills, err)
			}
		}
		t.Logf("%d kills (%d at once) in %v: %d issues, %d revocations and %d CRLs acknowledged, all found; %d issues in flight at a kill",
			run.kills, run.parallel, time.Since(start).Round(time.Millisecond), len(acks.certs), len(acks.revocations), len(acks.crls), acks.inFlight)
		if len(acks.certs) < run.kills {
			t.Errorf("only %d issues acknowledged over %d runs: the children did no real work", len(acks.certs), run.kills)
		}
	})
}

// runCrashChild starts a child with env added to its environment, kills
// it with SIGKILL d after it acknowledged its first certificate, and
// returns what it acknowledged.
func runCrashChild(env []string, d time.Duration) ([]string, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var lines []string
	done := make(chan struct{})
	first := make(chan struct{}, 1)
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if !strings.HasPrefix(sc.Text(), "ACK ") {
				continue
			}
			lines = append(lines, sc.Text())
			if strings.HasPrefix(sc.Text(), "ACK issued ") {
				select {
				case first <- struct{}{}:
				default:
				}
			}
		}
	}()
	// Let it get going (the first certificate), then give it d.
	var failed error
	select {
	case <-first:
		time.Sleep(d)
	case <-done:
	case <-time.After(20 * time.Second):
		failed = errors.New("the crash-test child acknowledged nothing in 20 s")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil && failed == nil {
		failed = fmt.Errorf("killing the child: %w", err)
	}
	<-done
	err = cmd.Wait()
	var exit *exec.ExitError
	if failed == nil && (!errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL) {
		failed = fmt.Errorf("the child ended with %v before it was killed", err)
	}
	return lines, failed
}

// acknowledged is what a ledger's callers were told: the issuances begun
// (by request ID), and the certificates, revocations and CRLs returned.
// Its methods are safe for concurrent use.
type acknowledged struct {
	rootSerial *big.Int
	keyID      []byte

	mu          sync.Mutex
	starts      map[string]bool   // request IDs whose issuance began
	certs       map[string]string // request ID → serial (hex) of the certificate returned
	revocations map[string]bool   // serials (hex) whose revocation returned
	crls        []*big.Int        // numbers of the CRLs returned
	inFlight    int               // records of requests not acknowledged, at the last check
}

// newAcknowledged expects the ledger of the CA root, whose own record is
// the only one without a request begun.
func newAcknowledged(root *ca.CA) *acknowledged {
	return &acknowledged{rootSerial: root.Certificate().SerialNumber, keyID: root.KeyID(),
		starts: map[string]bool{}, certs: map[string]string{}, revocations: map[string]bool{}}
}

func (a *acknowledged) start(req string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.starts[req] = true
}

func (a *acknowledged) issue(serial, req string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.certs[req] = serial
}

func (a *acknowledged) revoke(serial string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.revocations[serial] = true
}

func (a *acknowledged) crl(n *big.Int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.crls = append(a.crls, n)
}

// add takes in the lines of one crash-test child: "ACK start REQUESTID",
// "ACK issued SERIAL REQUESTID", "ACK revoked SERIAL" and "ACK crl
// NUMBER".
func (a *acknowledged) add(lines []string) error {
	for _, line := range lines {
		f := strings.Fields(line)
		switch {
		case len(f) == 3 && f[1] == "start":
			a.start(f[2])
		case len(f) == 4 && f[1] == "issued":
			a.issue(f[2], f[3])
		case len(f) == 3 && f[1] == "revoked":
			a.revoke(f[2])
		case len(f) == 3 && f[1] == "crl":
			n, ok := new(big.Int).SetString(f[2], 10)
			if !ok {
				return fmt.Errorf("malformed CRL number in %q", line)
			}
			a.crl(n)
		default:
			return fmt.Errorf("the child printed %q", line)
		}
	}
	return nil
}

// check holds the ledger, which nobody writes to any more, to what its
// callers were told. Every acknowledged certificate is there, issued with
// its certificate, and every acknowledged revocation revoked; every other
// record is the CA's own, or of a request begun and not acknowledged (in
// flight at a kill, or failed), reserved or abandoned with no certificate,
// or issued whole; no serial is there twice, nor a request; the audit
// chain verifies; and the CRL numbers in the audit log strictly increase,
// end at the CRL state's, and include every acknowledged one.
func (a *acknowledged) check(db ledgertest.Ledger) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := db.VerifyAudit(); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	bySerial := map[string]*store.Record{}
	byRequest := map[string]*store.Record{}
	inFlight := 0
	for rec, err := range db.All() {
		if err != nil {
			return fmt.Errorf("reading the ledger: %w", err)
		}
		s := rec.Serial.Text(16)
		if bySerial[s] != nil {
			return fmt.Errorf("serial %s appears twice", s)
		}
		bySerial[s] = rec
		switch rec.Status {
		case store.StatusReserved, store.StatusAbandoned:
			if len(rec.DER) > 0 {
				return fmt.Errorf("serial %s is %v with a certificate", s, rec.Status)
			}
		default:
			c, err := cert.ParseCertificate(rec.DER)
			if err != nil || c.SerialNumber.Cmp(rec.Serial) != 0 {
				return fmt.Errorf("record %s (%v) holds a certificate that does not parse or has another serial: %v", s, rec.Status, err)
			}
		}
		if rec.Serial.Cmp(a.rootSerial) == 0 {
			continue
		}
		if byRequest[rec.RequestID] != nil {
			return fmt.Errorf("request %q recorded twice", rec.RequestID)
		}
		byRequest[rec.RequestID] = rec
		switch {
		case !a.starts[rec.RequestID]:
			return fmt.Errorf("serial %s (%v) is of request %q, which no child started", s, rec.Status, rec.RequestID)
		case a.certs[rec.RequestID] == "":
			// In flight at a kill, or failed: reserved, or issued whole
			// before the acknowledgement got out; never revoked.
			inFlight++
			if rec.Status == store.StatusRevoked || rec.Status == store.StatusHeld {
				return fmt.Errorf("serial %s of the unacknowledged request %q is %v", s, rec.RequestID, rec.Status)
			}
		case a.certs[rec.RequestID] != s:
			return fmt.Errorf("request %q acknowledged as serial %s is recorded as %s", rec.RequestID, a.certs[rec.RequestID], s)
		}
	}
	a.inFlight = inFlight
	for req, s := range a.certs {
		rec := bySerial[s]
		switch {
		case rec == nil:
			return fmt.Errorf("acknowledged certificate %s (request %q) is lost", s, req)
		case rec.Status != store.StatusGood && rec.Status != store.StatusRevoked:
			return fmt.Errorf("acknowledged certificate %s is %v", s, rec.Status)
		case a.revocations[s] && rec.Status != store.StatusRevoked:
			return fmt.Errorf("acknowledged revocation of %s is lost (%v)", s, rec.Status)
		}
	}
	for s := range a.revocations {
		if rec := bySerial[s]; rec == nil || rec.Status != store.StatusRevoked {
			return fmt.Errorf("acknowledged revocation of %s is lost", s)
		}
	}
	return a.checkCRLs(db)
}

// checkCRLs checks the CRL numbers of the audit log.
func (a *acknowledged) checkCRLs(db ledgertest.Ledger) error {
	recorded := map[string]bool{}
	last := new(big.Int)
	for e, err := range db.Audit() {
		if err != nil {
			return fmt.Errorf("reading the audit log: %w", err)
		}
		if e.Op != store.OpCRL {
			continue
		}
		_, after, _ := strings.Cut(e.Detail, "number=")
		n, ok := new(big.Int).SetString(strings.Fields(after + " ")[0], 10)
		if !ok {
			return fmt.Errorf("audit entry %d: no CRL number in %q", e.Seq, e.Detail)
		}
		if n.Cmp(last) <= 0 {
			return fmt.Errorf("audit entry %d: CRL %v after CRL %v", e.Seq, n, last)
		}
		last = n
		recorded[n.String()] = true
	}
	for _, n := range a.crls {
		if !recorded[n.String()] {
			return fmt.Errorf("acknowledged CRL %v is not in the audit log", n)
		}
	}
	return db.View(func(tx store.Tx) error {
		st, err := tx.CRLState(a.keyID)
		if err != nil {
			return err
		}
		if st.LastNumber == nil || st.LastNumber.Cmp(last) != 0 {
			return fmt.Errorf("the CRL state's last number is %v, the audit log's %v", st.LastNumber, last)
		}
		return nil
	})
}

// TestCrashChild is the process TestCrashSafety kills: crashWorkers
// goroutines issue certificates for the request in
// $GOSTCA_CRASH_CHILD_DIR from the CA there
// over the ledger $GOSTCA_CRASH_CHILD_LEDGER and revoke every other; the
// first also makes a CRL each time round, full and delta in turn.
// Before each Issue it prints "ACK start REQUESTID"; after each call
// returns, "ACK issued SERIAL REQUESTID", "ACK revoked SERIAL" or "ACK
// crl NUMBER"; until killed (or for at most 60 s). A CRL whose number
// other children took first, crlTries times, is no failure.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("run by TestCrashSafety")
	}
	b, err := ledgertest.Lookup(os.Getenv(crashBackendEnv))
	if err != nil {
		t.Fatal(err)
	}
	db, err := b.Open(os.Getenv(crashLedgerEnv), 5*time.Second)
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
	csr, err := os.ReadFile(filepath.Join(dir, "request.der"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	ack := func(words ...string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(os.Stdout, "ACK", strings.Join(words, " "))
	}
	id := os.Getenv(crashIDEnv)
	deadline := time.Now().Add(60 * time.Second)
	var wg sync.WaitGroup
	for g := range crashWorkers {
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				req := fmt.Sprintf("crash-%s-%d-%d", id, g, i)
				ack("start", req)
				c, err := authority.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileSignature, RequestID: req})
				if err != nil {
					t.Error(err)
					return
				}
				ack("issued", c.SerialNumber.Text(16), req)
				if i%2 == 1 {
					if err := authority.Revoke(c.SerialNumber, cert.ReasonKeyCompromise, time.Time{}); err != nil {
						t.Error(err)
						return
					}
					ack("revoked", c.SerialNumber.Text(16))
				}
				if g == 0 {
					n, err := crlNumber(authority, i%2 == 1)
					if errors.Is(err, store.ErrState) {
						continue // other children's CRLs took the numbers
					}
					if err != nil {
						t.Error(err)
						return
					}
					ack("crl", n.String())
				}
			}
		})
	}
	wg.Wait()
}
