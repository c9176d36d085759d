package interop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgUser is the system user the test server runs as when the tests run as
// root, which PostgreSQL refuses to be; StartPostgres creates it (useradd)
// if it is missing.
const pgUser = "gostca-test"

// postgresServer is a PostgreSQL server the tests started: its data
// directory, made once by initdb, and the postmaster while it runs.
type postgresServer struct {
	dir  string // data directory, socket directory and log
	bin  string // PostgreSQL's programs
	cred *syscall.Credential
	port int
	// lazyCommit turns synchronous_commit off: a commit returns before
	// its WAL is written, which loses the last commits if the server
	// itself is killed. Only the shared server, never stopped but at
	// the end, runs so.
	lazyCommit bool
	// durable keeps fsync and full_page_writes on, as in production;
	// without it, the data is safe only while the machine stays up.
	durable bool
	cmd     *exec.Cmd
	admin   string // URL of the postgres database
	done    chan struct{}
}

// sharedServer is a server shared by the tests of a test binary, started
// on first use.
type sharedServer struct {
	once    sync.Once
	server  *postgresServer
	err     error
	durable bool
}

var (
	pgFast    = &sharedServer{}
	pgDurable = &sharedServer{durable: true}
	pgDBs     atomic.Int64
)

// StartPostgres returns the URL of a new, empty database for the test, on
// a PostgreSQL server (Debian's postgresql package: initdb and postgres
// from /usr/lib/postgresql/N/bin) that the test binary starts on its first
// call, in a temporary directory, listening on 127.0.0.1 at a free port
// and on a unix socket in that directory, with trust authentication for
// the user "gostca". When the tests run as root, the server runs as the
// system user gostca-test, created if needed. Every test gets its own
// database (CREATE DATABASE, dropped at its cleanup); the server is
// shared, and stopped by StopPostgres (from TestMain) or, failing that,
// when the test binary exits.
//
// The server runs with fsync and synchronous_commit off: fast, and
// durable only as long as the machine and the server stay up, which is
// enough for tests. A missing postgresql
// package is Missing: it fails the test in CI.
func StartPostgres(t testing.TB) string {
	t.Helper()
	return pgFast.database(t)
}

// StartPostgresDurable is StartPostgres on a second server of the test
// binary with PostgreSQL's durable defaults (fsync, synchronous_commit and
// full_page_writes on): every commit waits for its WAL to reach the disk,
// as in production. It is for benchmarks that measure commits.
func StartPostgresDurable(t testing.TB) string {
	t.Helper()
	return pgDurable.database(t)
}

// database starts the server if need be and returns the URL of a new
// database on it, dropped at t's cleanup.
func (k *sharedServer) database(t testing.TB) string {
	t.Helper()
	k.once.Do(func() {
		if k.durable {
			k.server, k.err = startPostgres(false, true)
		} else {
			k.server, k.err = startPostgres(true, false)
		}
	})
	if k.err != nil {
		failPostgres(t, k.err)
	}
	s := k.server
	name := fmt.Sprintf("t%d_%d", os.Getpid(), pgDBs.Add(1))
	if err := s.exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("interop: creating database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := s.exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("interop: dropping database %s: %v", name, err)
		}
	})
	return s.url(name)
}

// StopPostgres stops the servers StartPostgres and StartPostgresDurable
// started, if any, and removes their directories. Call it from TestMain
// after m.Run.
func StopPostgres() {
	for _, k := range []*sharedServer{pgFast, pgDurable} {
		if k.server != nil {
			k.server.stop()
		}
	}
}

// failPostgres stops t because the server could not start: Missing if
// PostgreSQL is not installed.
func failPostgres(t testing.TB, err error) {
	t.Helper()
	var missing *missingError
	if errors.As(err, &missing) {
		Missing(t, "%v", err)
	}
	t.Fatalf("interop: starting PostgreSQL: %v", err)
}

// PostgresServer is a PostgreSQL server of its own for one test, which
// the test stops and starts again to see how its clients bear the
// outage. It keeps its data directory and its port across restarts, so
// URL stays the same; its one database, "ledger", is empty at first.
// Its methods are safe for concurrent use.
type PostgresServer struct {
	mu sync.Mutex
	s  *postgresServer
}

// Shutdown is how PostgresServer.Stop stops the server.
type Shutdown int

const (
	// ShutdownFast: PostgreSQL's fast shutdown (SIGINT): the server
	// aborts the open transactions, closes the connections, checkpoints
	// and exits.
	ShutdownFast Shutdown = iota
	// ShutdownImmediate: PostgreSQL's immediate shutdown (SIGQUIT): the
	// server exits without a checkpoint, and recovers from its WAL at the
	// next start, as after a crash.
	ShutdownImmediate
	// ShutdownKill: the postmaster is killed (SIGKILL) and cannot tell its
	// backends; they end when they notice, and the next start recovers
	// from the WAL.
	ShutdownKill
)

// StartPostgresServer starts a server for t alone, as StartPostgres
// starts the shared one (fsync off, trust authentication, a free port on
// 127.0.0.1) but with synchronous_commit on, so that a commit it
// acknowledged survives its shutdown or kill (not the machine's crash),
// with the database "ledger" created. It is stopped and its
// directory removed at t's cleanup. A missing postgresql package is
// Missing.
func StartPostgresServer(t testing.TB) *PostgresServer {
	t.Helper()
	s, err := startPostgres(false, false)
	if err != nil {
		failPostgres(t, err)
	}
	t.Cleanup(s.stop)
	if err := s.exec("CREATE DATABASE ledger"); err != nil {
		t.Fatalf("interop: creating database ledger: %v", err)
	}
	return &PostgresServer{s: s}
}

// URL returns the URL of the server's database "ledger".
func (p *PostgresServer) URL() string { return p.s.url("ledger") }

// Stop stops the server as how says and returns once the postmaster has
// exited. The server must be running.
func (p *PostgresServer) Stop(t testing.TB, how Shutdown) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	sig := map[Shutdown]syscall.Signal{ShutdownFast: syscall.SIGINT, ShutdownImmediate: syscall.SIGQUIT, ShutdownKill: syscall.SIGKILL}[how]
	if sig == 0 {
		t.Fatalf("interop: unknown shutdown %d", how)
	}
	if err := p.s.halt(sig); err != nil {
		t.Fatalf("interop: stopping PostgreSQL: %v", err)
	}
}

// Start starts the stopped server again on its data directory and port,
// and returns once it accepts connections (after its recovery, if it
// was not shut down cleanly). After ShutdownKill the old backends may
// hold the server's shared memory for a moment: Start tries again until
// they are gone, for at most 30 seconds.
func (p *PostgresServer) Start(t testing.TB) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := p.s.launch()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("interop: restarting PostgreSQL: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type missingError struct{ msg string }

func (e *missingError) Error() string { return e.msg }

func (s *postgresServer) url(db string) string {
	return fmt.Sprintf("postgres://gostca@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
}

// exec runs one statement in the postgres database.
func (s *postgresServer) exec(sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.admin)
	if err != nil {
		return fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// postgresBin returns the directory of the newest installed PostgreSQL's
// programs.
func postgresBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	var found []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			found = append(found, d)
		}
	}
	if len(found) == 0 {
		return "", &missingError{"interop: PostgreSQL not found (/usr/lib/postgresql/*/bin/initdb; Debian package postgresql)"}
	}
	version := func(d string) int {
		n, _ := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		return n
	}
	sort.Slice(found, func(i, j int) bool { return version(found[i]) > version(found[j]) })
	return found[0], nil
}

// serverUser returns the credential to run PostgreSQL with: nil when the
// tests do not run as root, else the test user's, creating it if needed.
func serverUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(pgUser)
	if err != nil {
		out, err := exec.Command("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
			"--shell", "/usr/sbin/nologin", pgUser).CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("creating the user %s: %v: %s", pgUser, err, strings.TrimSpace(string(out)))
		}
		if u, err = user.Lookup(pgUser); err != nil {
			return nil, err
		}
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("user %s: uid %q, gid %q", pgUser, u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startPostgres makes a data directory with initdb and starts a server on
// it, at a free port (with synchronous_commit off if lazyCommit; fsync
// and full_page_writes on only if durable).
func startPostgres(lazyCommit, durable bool) (*postgresServer, error) {
	bin, err := postgresBin()
	if err != nil {
		return nil, err
	}
	cred, err := serverUser()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "gostca-pg-")
	if err != nil {
		return nil, err
	}
	s := &postgresServer{dir: dir, bin: bin, cred: cred, lazyCommit: lazyCommit, durable: durable}
	ok := false
	defer func() {
		if !ok {
			s.stop()
		}
	}()
	sock := filepath.Join(dir, "sock")
	if err := os.Mkdir(sock, 0o700); err != nil {
		return nil, err
	}
	if cred != nil {
		for _, p := range []string{dir, sock} {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				return nil, err
			}
		}
	}
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", filepath.Join(dir, "data"), "-U", "gostca", "--auth=trust",
		"-E", "UTF8", "--no-locale", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Dir = dir
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v: %s", err, tail(out))
	}
	if s.port, err = freePort(); err != nil {
		return nil, err
	}
	s.admin = s.url("postgres")
	if err := s.launch(); err != nil {
		return nil, err
	}
	ok = true
	return s, nil
}

// launch starts the postmaster on the data directory and waits until it
// accepts connections; its output goes to postgres.log, appended.
func (s *postgresServer) launch() error {
	logPath := filepath.Join(s.dir, "postgres.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	logStart, _ := logf.Seek(0, io.SeekEnd)
	s.done = make(chan struct{})
	args := []string{"-D", filepath.Join(s.dir, "data"),
		"-c", "listen_addresses=127.0.0.1", "-c", "port=" + strconv.Itoa(s.port),
		"-c", "unix_socket_directories=" + filepath.Join(s.dir, "sock"), "-c", "max_connections=200"}
	if !s.durable {
		args = append(args, "-c", "fsync=off", "-c", "full_page_writes=off")
	}
	if s.lazyCommit {
		args = append(args, "-c", "synchronous_commit=off")
	}
	cmd := exec.Command(filepath.Join(s.bin, "postgres"), args...)
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = logf, logf
	// The server goes when the test binary does (SIGQUIT: immediate
	// shutdown), should it not be stopped. Pdeathsig follows the thread
	// that started the child, so that thread stays locked to its
	// goroutine for the server's life.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Pdeathsig: syscall.SIGQUIT}
	s.cmd = cmd
	started := make(chan error, 1)
	go func(done chan struct{}) {
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			close(done)
			return
		}
		started <- nil
		cmd.Wait()
		close(done)
	}(s.done)
	if err := <-started; err != nil {
		return fmt.Errorf("starting postgres: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, s.admin)
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		select {
		case <-s.done:
			log, _ := os.ReadFile(logPath)
			return fmt.Errorf("postgres exited: %s", tail(log[min(logStart, int64(len(log))):]))
		default:
		}
		if time.Now().After(deadline) {
			s.halt(syscall.SIGQUIT)
			return fmt.Errorf("postgres not ready after 30 s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// halt sends sig to the postmaster, if it runs, and waits for it to exit
// (killing it after 30 seconds).
func (s *postgresServer) halt(sig syscall.Signal) error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	select {
	case <-s.done:
		return errors.New("postgres is not running")
	default:
	}
	err := s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		err = errors.Join(err, fmt.Errorf("postgres still running 30 s after %v: killed", sig))
	}
	return err
}

// stop shuts the server down (fast shutdown) and removes its directory.
func (s *postgresServer) stop() {
	s.halt(syscall.SIGINT)
	os.RemoveAll(s.dir)
}
