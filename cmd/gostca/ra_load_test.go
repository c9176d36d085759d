package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/store"
)

// The load and crash tests of the registration authority (issue 13) run
// the real binary: "gostca serve --ra" taking applications over HTTP from
// 32 connections while an operator approves in a loop with "gostca request
// approve", each its own process, sharing one ledger. TestRACrash also
// kills the server and the approving process with SIGKILL, 20 times in
// all. Both then check that every acknowledged application is listed,
// that no application has two certificates, and the audit chain.

func TestRALoad(t *testing.T) { raLoad(t, 0) }

func TestRACrash(t *testing.T) { raLoad(t, 20) }

var (
	loadBinOnce sync.Once
	loadBin     string
	loadBinErr  error
)

// gostcaBinary builds the binary once for the load tests.
func gostcaBinary(t *testing.T) string {
	t.Helper()
	loadBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gostca-load-")
		if err != nil {
			loadBinErr = err
			return
		}
		loadBinErr = plainBinary(dir)
		loadBin = filepath.Join(dir, "gostca")
	})
	if loadBinErr != nil {
		t.Fatal(loadBinErr)
	}
	return loadBin
}

const loadApplicant = `{"surname": "Петрова", "given_name": "Анна", "birth_date": "1990-01-02", "snils": "11223344595",
 "passport": {"series": "4511", "number": "654321", "issue_date": "2010-02-03", "issuer": "ОУФМС России по г. Москве", "issuer_code": "770-002"},
 "email": "petrova@example.ru"}`

// loadCA is a CA directory and the environment of its commands.
type loadCA struct {
	t   *testing.T
	bin string
	dir string
	env []string
}

func (c *loadCA) cmd(args ...string) *exec.Cmd {
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env
	return cmd
}

func (c *loadCA) run(args ...string) string {
	c.t.Helper()
	out, err := c.cmd(args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		c.t.Fatalf("gostca %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return string(out)
}

// server is a serve process (serve --ra unless args are given), restarted
// on the same port after a kill.
type server struct {
	ca   *loadCA
	addr string
	args []string // instead of --ra --poll 250ms
	mu   sync.Mutex
	cmd  *exec.Cmd
	logs bytes.Buffer
}

func (s *server) start() {
	s.ca.t.Helper()
	args := s.args
	if args == nil {
		args = []string{"--ra", "--poll", "250ms"}
	}
	cmd := s.ca.cmd(append([]string{"serve", "--listen", s.addr}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		s.ca.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		s.ca.t.Fatal(err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		once := sync.Once{}
		for sc.Scan() {
			s.mu.Lock()
			s.logs.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if strings.Contains(sc.Text(), "msg=serving") {
				once.Do(func() { close(ready) })
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		s.ca.t.Fatalf("serve did not start:\n%s", s.log())
	}
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
}

func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.String()
}

// kill kills the server with sig and waits for it.
func (s *server) kill(sig syscall.Signal) {
	s.mu.Lock()
	cmd := s.cmd
	s.mu.Unlock()
	cmd.Process.Signal(sig)
	cmd.Wait()
}

// newCSRs returns n PEM requests of new TC26-256-A keys, named prefix
// and their number.
func newCSRs(t *testing.T, n int, prefix string) []string {
	csrs := make([]string, n)
	for i := range csrs {
		key, err := gost3410.GenerateKey(gost3410.ParamsTC26256A(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := cert.CreateCertificateRequest(rand.Reader, &cert.CertificateRequest{Subject: cert.Name{CommonName: fmt.Sprint(prefix, " ", i)}}, key)
		if err != nil {
			t.Fatal(err)
		}
		csrs[i] = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	}
	return csrs
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func raLoad(t *testing.T, kills int) {
	apps := 1000
	if testing.Short() {
		apps, kills = 200, min(kills, 4)
	}
	c := &loadCA{t: t, bin: gostcaBinary(t), dir: filepath.Join(t.TempDir(), "ca")}
	c.env = append(os.Environ(), "GOSTCA_DIR="+c.dir, "GOSTCA_PASSPHRASE=pass", "GOSTCA_KDF_ITERATIONS=1000", "NO_COLOR=1")
	c.run("init", "--subject", "CN=Load CA,C=RU")
	cfgPath := filepath.Join(c.dir, "gostca.json")
	var cfg map[string]any
	data, _ := os.ReadFile(cfgPath)
	json.Unmarshal(data, &cfg)
	cfg["ra"] = map[string]any{"submissions_per_minute": 1e7, "submission_burst": 1e6}
	data, _ = json.Marshal(cfg)
	os.WriteFile(cfgPath, data, 0o644)

	csrs := newCSRs(t, apps, "load")

	srv := &server{ca: c, addr: freeAddr(t)}
	srv.start()
	base := "http://" + srv.addr

	// 32 connections submitting.
	var (
		next, acked, replays atomic.Int64
		mu                   sync.Mutex
		numbers              []string
		latencies            []time.Duration
		wg                   sync.WaitGroup
		errs                 = make(chan error, 64)
	)
	start := time.Now()
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: 30 * time.Second}
			for {
				i := int(next.Add(1)) - 1
				if i >= apps {
					return
				}
				body := fmt.Sprintf(`{"applicant": %s, "profile": "signature", "csr": %q}`, loadApplicant, csrs[i])
				for try := 0; ; try++ {
					t0 := time.Now()
					resp, err := client.Post(base+"/ra/v1/applications", "application/json", strings.NewReader(body))
					if err != nil {
						time.Sleep(20 * time.Millisecond) // the server is down: try again
						continue
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					switch {
					case resp.StatusCode == http.StatusCreated:
						var m map[string]string
						json.Unmarshal(b, &m)
						mu.Lock()
						numbers = append(numbers, m["number"])
						latencies = append(latencies, time.Since(t0))
						mu.Unlock()
						acked.Add(1)
					case resp.StatusCode == http.StatusUnprocessableEntity && try > 0 && bytes.Contains(b, []byte("another open application")):
						replays.Add(1) // recorded by an attempt whose answer was lost
					case resp.StatusCode >= 500:
						time.Sleep(20 * time.Millisecond)
						continue
					default:
						errs <- fmt.Errorf("application %d: HTTP %d %s", i, resp.StatusCode, b)
						return
					}
					break
				}
			}
		}()
	}
	submitting := make(chan struct{})
	go func() { wg.Wait(); close(submitting) }()

	// The operator approving in a loop; half the kills hit it, the other
	// half the server, at random moments while the applications come in.
	var approvals, approveKills, serverKills, locked atomic.Int64
	var approveTimes []time.Duration
	approve := func(number string, kill bool) {
		cmd := c.cmd("request", "approve", number, "--operator", "operator")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		t0 := time.Now()
		if err := cmd.Start(); err != nil {
			t.Error(err)
			return
		}
		if kill {
			time.AfterFunc(time.Duration(mrand.IntN(60))*time.Millisecond, func() { cmd.Process.Signal(syscall.SIGKILL) })
		}
		err := cmd.Wait()
		var ee *exec.ExitError
		switch {
		case err == nil:
			approvals.Add(1)
			mu.Lock()
			approveTimes = append(approveTimes, time.Since(t0))
			mu.Unlock()
		case errors.As(err, &ee) && ee.ProcessState.Sys().(syscall.WaitStatus).Signaled():
			approveKills.Add(1)
		case strings.Contains(stderr.String(), "in use by another process"):
			locked.Add(1)
		}
	}
	open := func(states ...string) []string {
		out, err := c.cmd("request", "list", "--json").Output()
		if err != nil {
			return nil
		}
		var list []struct{ Number, Status string }
		json.Unmarshal(out, &list)
		var open []string
		for _, a := range list {
			if slices.Contains(states, a.Status) {
				open = append(open, a.Number)
			}
		}
		return open
	}
	serverTarget, approveTarget := int64(kills/2), int64(kills-kills/2)
	killerDone := make(chan struct{})
	go func() {
		defer close(killerDone)
		for serverKills.Load() < serverTarget {
			time.Sleep(time.Duration(50+mrand.IntN(100)) * time.Millisecond)
			srv.kill(syscall.SIGKILL)
			serverKills.Add(1)
			srv.start()
		}
	}()
	for round := 0; ; round++ {
		select {
		case <-submitting:
			if approveKills.Load() >= approveTarget {
				goto done
			}
		default:
		}
		list := open("submitted", "in_review", "approved", "failed")
		for i, n := range list[:min(len(list), 3)] {
			approve(n, approveKills.Load() < approveTarget && (i+round)%2 == 0)
		}
	}
done:
	elapsed := time.Since(start)
	<-killerDone
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	srv.kill(syscall.SIGTERM)
	// Finish what the kills interrupted, as an operator would.
	for _, n := range open("in_review", "approved", "failed") {
		approve(n, false)
	}

	// Every acknowledged application is listed; none has two certificates.
	db, err := store.Open(filepath.Join(c.dir, "ledger.db"), &store.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	listed := map[string]*store.Application{}
	for a, err := range db.Applications() {
		if err != nil {
			t.Fatal(err)
		}
		listed[a.Number] = a
	}
	for _, n := range numbers {
		if listed[n] == nil {
			t.Errorf("application %s was acknowledged, and is not in the ledger", n)
		}
	}
	certs := map[string][]*big.Int{}
	for r, err := range db.All() {
		if err != nil {
			t.Fatal(err)
		}
		if r.Application != "" && r.Status != store.StatusAbandoned {
			certs[r.Application] = append(certs[r.Application], r.Serial)
		}
	}
	issued := 0
	for n, serials := range certs {
		if len(serials) > 1 {
			t.Errorf("application %s has %d certificates: %v", n, len(serials), serials)
		}
		a := listed[n]
		if a == nil || a.Serial == nil || a.Serial.Cmp(serials[0]) != 0 {
			t.Errorf("application %s and certificate %x are not linked both ways", n, serials[0])
		}
		if a != nil && a.State == "issued" {
			issued++
		}
	}
	for n, a := range listed {
		if a.State == "issued" && len(certs[n]) != 1 {
			t.Errorf("application %s is issued without its certificate", n)
		}
		if a.State == "approved" || a.State == "failed" {
			t.Errorf("application %s left %s after the last approvals", n, a.State)
		}
	}
	if err := db.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
	if int(acked.Load())+int(replays.Load()) < apps || len(listed) < int(acked.Load()) {
		t.Errorf("%d acknowledged + %d replayed of %d, %d in the ledger", acked.Load(), replays.Load(), apps, len(listed))
	}

	slices.Sort(latencies)
	slices.Sort(approveTimes)
	pct := func(d []time.Duration, p float64) time.Duration {
		if len(d) == 0 {
			return 0
		}
		return d[min(len(d)-1, int(float64(len(d))*p))]
	}
	sharing := regexp.MustCompile(`msg="ledger sharing".*`).FindString(srv.log())
	t.Logf("%d applications acknowledged (%d replays) in %v: %.0f/s; latency p50 %v, p99 %v, max %v",
		acked.Load(), replays.Load(), elapsed.Round(time.Millisecond), float64(acked.Load())/elapsed.Seconds(),
		pct(latencies, 0.5), pct(latencies, 0.99), pct(latencies, 1))
	t.Logf("%d approvals (%d issued in the end), a `gostca request approve` process took p50 %v, p99 %v; %d refused for a busy ledger; kills: %d server, %d approver",
		approvals.Load(), issued, pct(approveTimes, 0.5), pct(approveTimes, 0.99), locked.Load(), serverKills.Load(), approveKills.Load())
	t.Logf("the server's own waits for the ledger (last run): %s", sharing)
}
