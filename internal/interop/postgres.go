package interop

import (
	"context"
	"errors"
	"fmt"
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

// postgresServer is the one PostgreSQL server of a test binary.
type postgresServer struct {
	dir   string // data directory, socket directory and log
	port  int
	cmd   *exec.Cmd
	admin string // URL of the postgres database
	done  chan struct{}
}

// pgKind is one of the servers a test binary may start: the fast one of
// StartPostgres and the durable one of StartPostgresDurable.
type pgKind struct {
	durable bool
	once    sync.Once
	server  *postgresServer
	err     error
}

var (
	pgFast    = &pgKind{}
	pgDurable = &pgKind{durable: true}
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
// The server runs with fsync off: fast, and durable only as long as the
// machine stays up, which is enough for tests. A missing postgresql
// package is Missing: it fails the test in CI.
func StartPostgres(t testing.TB) string {
	t.Helper()
	return pgFast.database(t)
}

// StartPostgresDurable is StartPostgres on a second server of the test
// binary, started the same way but with PostgreSQL's durable defaults
// (fsync, synchronous_commit and full_page_writes on): every commit waits
// for its WAL to reach the disk, as in production. It is for benchmarks
// that measure commits; tests use StartPostgres.
func StartPostgresDurable(t testing.TB) string {
	t.Helper()
	return pgDurable.database(t)
}

// database starts the kind's server if need be and returns the URL of a
// new database on it, dropped at t's cleanup.
func (k *pgKind) database(t testing.TB) string {
	t.Helper()
	k.once.Do(func() { k.server, k.err = startPostgres(k.durable) })
	if k.err != nil {
		var missing *missingError
		if errors.As(k.err, &missing) {
			Missing(t, "%v", k.err)
		}
		t.Fatalf("interop: starting PostgreSQL: %v", k.err)
	}
	s := k.server
	name := fmt.Sprintf("t%d_%d", os.Getpid(), pgDBs.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.admin)
	if err != nil {
		t.Fatalf("interop: connecting to PostgreSQL: %v", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("interop: creating database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, s.admin)
		if err != nil {
			t.Errorf("interop: connecting to PostgreSQL: %v", err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("interop: dropping database %s: %v", name, err)
		}
	})
	return s.url(name)
}

// StopPostgres stops the servers StartPostgres and StartPostgresDurable
// started, if any, and removes their directories. Call it from TestMain
// after m.Run.
func StopPostgres() {
	for _, k := range []*pgKind{pgFast, pgDurable} {
		if k.server != nil {
			k.server.stop()
		}
	}
}

type missingError struct{ msg string }

func (e *missingError) Error() string { return e.msg }

func (s *postgresServer) url(db string) string {
	return fmt.Sprintf("postgres://gostca@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
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

// startPostgres starts a server: with fsync, synchronous_commit and
// full_page_writes off unless durable.
func startPostgres(durable bool) (*postgresServer, error) {
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
	s := &postgresServer{dir: dir, done: make(chan struct{})}
	ok := false
	defer func() {
		if !ok {
			s.stop()
		}
	}()
	data, sock := filepath.Join(dir, "data"), filepath.Join(dir, "sock")
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
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "gostca", "--auth=trust",
		"-E", "UTF8", "--no-locale", "--no-sync")
	flush := "off"
	if durable {
		flush = "on"
	}
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Dir = dir
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v: %s", err, tail(out))
	}
	if s.port, err = freePort(); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	s.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", data,
		"-c", "listen_addresses=127.0.0.1", "-c", "port="+strconv.Itoa(s.port),
		"-c", "unix_socket_directories="+sock, "-c", "max_connections=200",
		"-c", "fsync="+flush, "-c", "synchronous_commit="+flush, "-c", "full_page_writes="+flush)
	s.cmd.Dir = dir
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	// The server goes when the test binary does (SIGQUIT: immediate
	// shutdown), should StopPostgres not be called. Pdeathsig follows the
	// thread that started the child, so that thread stays locked to its
	// goroutine for the server's life.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := s.cmd.Start(); err != nil {
			started <- err
			close(s.done)
			return
		}
		started <- nil
		s.cmd.Wait()
		close(s.done)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("starting postgres: %v", err)
	}
	s.admin = s.url("postgres")
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, s.admin)
		cancel()
		if err == nil {
			conn.Close(context.Background())
			break
		}
		select {
		case <-s.done:
			log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
			return nil, fmt.Errorf("postgres exited: %s", tail(log))
		default:
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("postgres not ready after 30 s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	ok = true
	return s, nil
}

// stop shuts the server down (fast shutdown) and removes its directory.
func (s *postgresServer) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			s.cmd.Process.Kill()
			<-s.done
		}
	}
	os.RemoveAll(s.dir)
}
