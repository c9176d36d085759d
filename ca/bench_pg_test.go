//go:build unix

package ca_test

// The benchmarks of issue 17, the CA over the PostgreSQL ledger beside the
// bbolt one, in the same run:
//
//	BenchmarkIssueLedger  certificates per second through ca.IssueRequest
//	                      on bbolt, on PostgreSQL with fsync off (the test
//	                      server) and on PostgreSQL with fsync on, from
//	                      1..n goroutines of one process, and (PostgreSQL)
//	                      from one and two CA processes at once.
//	BenchmarkLedgerSizes  the tables and indexes of a PostgreSQL ledger of
//	                      a million certificates shaped like ours.
//
// BenchmarkCRL (bench_test.go) makes the million-entry CRL from
// PostgreSQL too.

import (
	"bufio"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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

var (
	benchRound       = flag.Duration("ca.issuefor", 5*time.Second, "how long each round of BenchmarkIssueLedger issues")
	benchGoroutines  = flag.String("ca.goroutines", "1,16,32", "goroutines issuing at once in one process, a run of BenchmarkIssueLedger each")
	benchProcWorkers = flag.Int("ca.procworkers", 16, "goroutines issuing in each CA process of BenchmarkIssueLedger's procs= runs")
	benchLedgers     = flag.String("ca.ledgers", "bbolt,postgres,postgres-fsync", "ledgers of BenchmarkIssueLedger")
	benchSizeCerts   = flag.Int("ca.sizecerts", 1_000_000, "certificates of BenchmarkLedgerSizes")
)

// benchPGEnv names, for the child processes of the benchmarks, the URL
// of their PostgreSQL ledger.
const benchPGEnv = "GOSTCA_BENCH_PG"

// benchOpenLedger opens the ledger of a child process: PostgreSQL if
// GOSTCA_BENCH_PG names one, else the bbolt file at path. It is closed at
// t's cleanup.
func benchOpenLedger(t testing.TB, path string) ca.Ledger {
	t.Helper()
	if url := os.Getenv(benchPGEnv); url != "" {
		db, err := pgstore.Open(context.Background(), url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	db, err := store.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// benchNewLedger returns a new, empty ledger of a kind of -ca.ledgers,
// closed at b's cleanup, and for PostgreSQL its URL.
func benchNewLedger(b *testing.B, kind string) (ca.Ledger, string) {
	b.Helper()
	var url string
	switch kind {
	case "bbolt":
		db, err := store.Open(filepath.Join(b.TempDir(), "ledger.db"), nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		return db, ""
	case "postgres":
		url = interop.StartPostgres(b)
	case "postgres-fsync":
		url = interop.StartPostgresDurable(b)
	default:
		b.Fatalf("-ca.ledgers: unknown ledger %q (bbolt, postgres, postgres-fsync)", kind)
	}
	db, err := pgstore.Open(context.Background(), url, &pgstore.Options{Migrate: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db, url
}

// benchInts parses a comma-separated list of positive integers.
func benchInts(b *testing.B, name, list string) []int {
	b.Helper()
	var out []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			b.Fatalf("%s: bad number %q", name, s)
		}
		out = append(out, n)
	}
	return out
}

// benchIssueFor issues auth certificates on c from workers goroutines,
// cycling through csrs, each at least one and then until d has passed;
// it returns how many it issued and the time until the last one
// finished.
func benchIssueFor(tb testing.TB, c *ca.CA, csrs [][]byte, workers int, d time.Duration) (int64, time.Duration) {
	var (
		issued atomic.Int64
		next   atomic.Uint64
		wg     sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for range workers {
		wg.Go(func() {
			for first := true; first || time.Now().Before(deadline); first = false {
				csr := csrs[next.Add(1)%uint64(len(csrs))]
				if _, err := c.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileAuth}); err != nil {
					tb.Error(err)
					return
				}
				issued.Add(1)
			}
		})
	}
	wg.Wait()
	return issued.Load(), time.Since(start)
}

// BenchmarkIssueLedger issues auth certificates through ca.IssueRequest
// (Prepare, then Issue: two ledger writes, Reserve and Complete, around
// one signature) for -ca.issuefor per round, on each ledger of
// -ca.ledgers:
//
//   - bbolt: a file ledger, each write a durable commit shared by the
//     writes in flight (fsync);
//   - postgres: the test server, fsync and synchronous_commit off;
//   - postgres-fsync: a server with both on, as in production.
//
// goroutines=G runs G goroutines on one CA in this process; procs=P
// (PostgreSQL only) runs P child processes at once, each with its own
// pgstore.DB and CA and -ca.procworkers goroutines, on one database,
// started together once all are ready. certs/s is the rate (for procs,
// the sum of the processes' counts over the longest one's time, and
// procN-certs/s each process's own); x-bbolt is the ratio to the bbolt
// run of the same number of goroutines in all, when there is one. The
// PostgreSQL runs also report the bytes per certificate of the audit
// and certificates tables (indexes and TOAST included). ns/op is not
// reported: a round takes -ca.issuefor.
func BenchmarkIssueLedger(b *testing.B) {
	bc := benchRoot(b)
	csrs := benchCSRs(b, 256, b.TempDir())
	goroutines := benchInts(b, "-ca.goroutines", *benchGoroutines)
	bboltRate := make(map[int]float64)
	clock := catest.NewClock(time.Now().UTC().Truncate(time.Second)).Now
	for _, kind := range strings.Split(*benchLedgers, ",") {
		b.Run(kind, func(b *testing.B) {
			for _, g := range goroutines {
				b.Run(fmt.Sprintf("goroutines=%d", g), func(b *testing.B) {
					db, url := benchNewLedger(b, kind)
					c := bc.newCA(b, db, clock)
					benchIssueFor(b, c, csrs, g, 0) // a certificate each: connections, caches
					var (
						issued  int64
						elapsed time.Duration
					)
					for range b.N {
						n, d := benchIssueFor(b, c, csrs, g, *benchRound)
						issued += n
						elapsed += d
					}
					rate := float64(issued) / elapsed.Seconds()
					b.ReportMetric(0, "ns/op")
					b.ReportMetric(rate, "certs/s")
					if kind == "bbolt" {
						bboltRate[g] = rate
					} else if r := bboltRate[g]; r > 0 {
						b.ReportMetric(rate/r, "x-bbolt")
					}
					if url != "" {
						benchReportRowSizes(b, db.(*pgstore.DB))
					}
				})
			}
			if kind == "bbolt" {
				return
			}
			for _, procs := range []int{1, 2} {
				b.Run(fmt.Sprintf("procs=%d", procs), func(b *testing.B) {
					_, url := benchNewLedger(b, kind)
					var (
						issued  int64
						elapsed time.Duration
						own     = make([]float64, procs)
					)
					for range b.N {
						counts, times := benchIssueProcs(b, bc, url, procs)
						var longest time.Duration
						for i := range counts {
							issued += counts[i]
							longest = max(longest, times[i])
							own[i] += float64(counts[i]) / times[i].Seconds() / float64(b.N)
						}
						elapsed += longest
					}
					rate := float64(issued) / elapsed.Seconds()
					b.ReportMetric(0, "ns/op")
					b.ReportMetric(rate, "certs/s")
					for i, r := range own {
						b.ReportMetric(r, fmt.Sprintf("proc%d-certs/s", i+1))
					}
					if r := bboltRate[procs**benchProcWorkers]; r > 0 {
						b.ReportMetric(rate/r, "x-bbolt")
					}
				})
			}
		})
	}
}

// benchReportRowSizes reports the bytes per certificate of the audit and
// certificates tables (heap, indexes and TOAST).
func benchReportRowSizes(b *testing.B, db *pgstore.DB) {
	b.Helper()
	var certs, audit, certificates int64
	err := db.Pool().QueryRow(context.Background(), `SELECT (SELECT count(*) FROM certificates),
		pg_total_relation_size('audit'), pg_total_relation_size('certificates')`).Scan(&certs, &audit, &certificates)
	if err != nil {
		b.Fatal(err)
	}
	if certs > 0 {
		b.ReportMetric(float64(audit)/float64(certs), "audit-B/cert")
		b.ReportMetric(float64(certificates)/float64(certs), "certificates-B/cert")
	}
}

// The child processes of the procs= runs: TestBenchIssueChild reads the
// bench CA's key and certificate from the paths in GOSTCA_BENCH_ISSUE_CHILD
// (a filepath list) and its ledger's URL from GOSTCA_BENCH_PG, prints
// "ready" when it can issue, waits for a line on its standard input, then
// issues for -ca.issuefor from -ca.procworkers goroutines and prints
// "issued=N elapsed=NS".
const benchIssueChildEnv = "GOSTCA_BENCH_ISSUE_CHILD"

// benchIssueProcs runs procs child processes on the ledger at url, starts
// them together and returns each one's count and time.
func benchIssueProcs(b *testing.B, bc *benchCA, url string, procs int) ([]int64, []time.Duration) {
	b.Helper()
	type child struct {
		cmd    *exec.Cmd
		stdin  io.WriteCloser
		out    *bufio.Scanner
		stderr strings.Builder
	}
	children := make([]*child, procs)
	defer func() {
		for _, c := range children {
			if c != nil && c.cmd.ProcessState == nil {
				c.cmd.Process.Kill()
				c.cmd.Wait()
			}
		}
	}()
	env := append(os.Environ(),
		benchIssueChildEnv+"="+bc.keyPath+string(os.PathListSeparator)+bc.certPath,
		benchPGEnv+"="+url)
	for i := range children {
		c := &child{cmd: exec.Command(os.Args[0], "-test.run=^TestBenchIssueChild$", "-test.count=1",
			"-ca.issuefor="+benchRound.String(), "-ca.procworkers="+strconv.Itoa(*benchProcWorkers))}
		c.cmd.Env = env
		c.cmd.Stderr = &c.stderr
		var err error
		if c.stdin, err = c.cmd.StdinPipe(); err != nil {
			b.Fatal(err)
		}
		stdout, err := c.cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		c.out = bufio.NewScanner(stdout)
		if err := c.cmd.Start(); err != nil {
			b.Fatal(err)
		}
		children[i] = c
	}
	// line returns the next line of a child's output that starts with
	// prefix.
	line := func(c *child, prefix string) string {
		for c.out.Scan() {
			if strings.HasPrefix(c.out.Text(), prefix) {
				return c.out.Text()
			}
		}
		c.cmd.Wait()
		b.Fatalf("issuing child: no %q line: %v\n%s", prefix, c.out.Err(), c.stderr.String())
		return ""
	}
	for _, c := range children {
		line(c, "ready")
	}
	for _, c := range children {
		if _, err := io.WriteString(c.stdin, "go\n"); err != nil {
			b.Fatal(err)
		}
	}
	counts := make([]int64, procs)
	times := make([]time.Duration, procs)
	for i, c := range children {
		var ns int64
		if _, err := fmt.Sscanf(line(c, "issued="), "issued=%d elapsed=%d", &counts[i], &ns); err != nil {
			b.Fatalf("issuing child: %v", err)
		}
		times[i] = time.Duration(ns)
		c.stdin.Close()
		if err := c.cmd.Wait(); err != nil {
			b.Fatalf("issuing child: %v\n%s", err, c.stderr.String())
		}
	}
	return counts, times
}

// TestBenchIssueChild is a CA process of BenchmarkIssueLedger's procs=
// runs. It does nothing unless the benchmark sets GOSTCA_BENCH_ISSUE_CHILD.
func TestBenchIssueChild(t *testing.T) {
	paths := filepath.SplitList(os.Getenv(benchIssueChildEnv))
	if len(paths) == 0 {
		t.Skip("run by BenchmarkIssueLedger only")
	}
	if len(paths) != 2 || os.Getenv(benchPGEnv) == "" {
		t.Fatalf("%s: want key and certificate paths, and %s", benchIssueChildEnv, benchPGEnv)
	}
	bc := &benchCA{keyPath: paths[0], certPath: paths[1]}
	if err := bc.load(); err != nil {
		t.Fatal(err)
	}
	c := bc.newCA(t, benchOpenLedger(t, ""), catest.NewClock(time.Now().UTC().Truncate(time.Second)).Now)
	csrs := make([][]byte, 64)
	for i := range csrs {
		csrs[i], _ = catest.NewCSR(t, nil, cert.Name{CommonName: fmt.Sprintf("bench subscriber %d/%d", os.Getpid(), i), Country: "RU"})
	}
	workers := *benchProcWorkers
	benchIssueFor(t, c, csrs, workers, 0)
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		t.Fatalf("waiting for the start: %v", err)
	}
	n, d := benchIssueFor(t, c, csrs, workers, *benchRound)
	fmt.Printf("issued=%d elapsed=%d\n", n, d.Nanoseconds())
}

// benchPGLedger is the PostgreSQL ledger of a BenchmarkCRL size, filled
// on first use.
type benchPGLedger struct {
	url    string
	filled bool
}

// fill migrates the database and imports the n entries of the CRL data
// into it, once; it logs the import's time and the tables' sizes.
func (l *benchPGLedger) fill(b *testing.B, bc *benchCA, n int) {
	b.Helper()
	if l.filled {
		return
	}
	ctx := context.Background()
	db, err := pgstore.Open(ctx, l.url, &pgstore.Options{Migrate: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	if err := benchImport(db, bc, n); err != nil {
		b.Fatal(err)
	}
	b.Logf("pgstore.Import of %d revoked records: %.1f s", n, time.Since(start).Seconds())
	if _, err := db.Pool().Exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	benchLogSizes(b, db)
	l.filled = true
}

// serverCPU returns a function giving the CPU time (user and system)
// spent so far by the PostgreSQL server of the ledger, all its processes,
// read from /proc; nil where there is no /proc to read.
func (l *benchPGLedger) serverCPU(b *testing.B) func() time.Duration {
	b.Helper()
	u, err := neturl.Parse(l.url)
	if err != nil {
		b.Fatal(err)
	}
	postmaster := benchPostmaster(u.Port())
	if postmaster == 0 {
		b.Logf("no PostgreSQL server of port %s in /proc: no server CPU time", u.Port())
		return nil
	}
	return func() time.Duration { return benchProcessTreeCPU(postmaster) }
}

// benchPostmaster returns the process id of the PostgreSQL server started
// with -c port=port (as interop starts it), or 0.
func benchPostmaster(port string) int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		cmdline, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(string(cmdline), "\x00")
		if filepath.Base(args[0]) == "postgres" && slices.Contains(args, "port="+port) {
			pid, _ := strconv.Atoi(filepath.Base(d))
			return pid
		}
	}
	return 0
}

// benchProcessTreeCPU returns the CPU time of the process pid and its
// children: utime and stime of /proc/N/stat (clock ticks of 10 ms) of pid
// and of each child alive, and pid's cutime and cstime, where the
// children it has reaped (the backends of closed connections) left
// theirs.
func benchProcessTreeCPU(pid int) time.Duration {
	var ticks int64
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		stat, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue
		}
		// The fields after the command name, which is in parentheses:
		// state, ppid, ..., utime (14th field of the line), stime.
		i := strings.LastIndexByte(string(stat), ')')
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 15 {
			continue
		}
		self, _ := strconv.Atoi(filepath.Base(d))
		ppid, _ := strconv.Atoi(f[1])
		if self != pid && ppid != pid {
			continue
		}
		fields := f[11:13] // utime, stime
		if self == pid {
			fields = f[11:15] // and cutime, cstime
		}
		for _, v := range fields {
			n, _ := strconv.ParseInt(v, 10, 64)
			ticks += n
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// benchTable is what PostgreSQL reports of the size of a table: its
// heap, its indexes and the rest (TOAST, free space and visibility maps),
// in bytes, and each index's.
type benchTable struct {
	name                       string
	rows                       int64
	total, heap, indexes, rest int64
	index                      map[string]int64
}

// benchSizes returns the sizes of the ledger's tables, largest first.
func benchSizes(b *testing.B, db *pgstore.DB) []benchTable {
	b.Helper()
	ctx := context.Background()
	rows, err := db.Pool().Query(ctx, `SELECT c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid),
		pg_relation_size(c.oid), pg_indexes_size(c.oid)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind = 'r'
		ORDER BY pg_total_relation_size(c.oid) DESC, c.relname`)
	if err != nil {
		b.Fatal(err)
	}
	var tables []benchTable
	for rows.Next() {
		var t benchTable
		if err := rows.Scan(&t.name, &t.rows, &t.total, &t.heap, &t.indexes); err != nil {
			b.Fatal(err)
		}
		t.rest = t.total - t.heap - t.indexes
		tables = append(tables, t)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	for i := range tables {
		t := &tables[i]
		t.index = make(map[string]int64)
		rows, err := db.Pool().Query(ctx, `SELECT i.indexrelid::regclass::text, pg_relation_size(i.indexrelid)
			FROM pg_index i WHERE i.indrelid = $1::regclass`, t.name)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var (
				name string
				size int64
			)
			if err := rows.Scan(&name, &size); err != nil {
				b.Fatal(err)
			}
			t.index[name] = size
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
	}
	return tables
}

// benchLogSizes logs the sizes of the ledger's tables and indexes, in MB
// (10⁶ bytes), and returns them.
func benchLogSizes(b *testing.B, db *pgstore.DB) []benchTable {
	b.Helper()
	tables := benchSizes(b, db)
	var sb strings.Builder
	sb.WriteString("table: rows, total = heap + indexes + rest (MB); indexes (MB)\n")
	mb := func(n int64) float64 { return float64(n) / 1e6 }
	for _, t := range tables {
		if t.total < 1e5 {
			continue
		}
		fmt.Fprintf(&sb, "%s: %d rows, %.1f = %.1f + %.1f + %.1f;", t.name, t.rows, mb(t.total), mb(t.heap), mb(t.indexes), mb(t.rest))
		for name, size := range t.index {
			fmt.Fprintf(&sb, " %s %.1f", name, mb(size))
		}
		sb.WriteString("\n")
	}
	b.Log(sb.String())
	return tables
}

// BenchmarkLedgerSizes imports -ca.sizecerts certificates shaped like the
// CA's into a PostgreSQL ledger and reports the size of each table and
// index (MB, after VACUUM ANALYZE; bytes per certificate in the log).
// The records are what IssueRequest records: the DER of a real auth
// certificate of the bench CA (the same bytes for all: the store does not
// parse it), random 20-byte serials (as cert.NewSerialNumber draws) in
// random order, a 20-byte subject key identifier, validity spread over a
// year; 5% are revoked. Import writes one audit entry per certificate
// where issuance writes two (Reserve, Complete): BenchmarkIssueLedger
// reports the audit bytes per issued certificate. Run it once
// (-benchtime 1x): a run imports the whole ledger.
func BenchmarkLedgerSizes(b *testing.B) {
	bc := benchRoot(b)
	leaf := benchLeaf(b, bc)
	n := *benchSizeCerts
	for range b.N {
		db, _ := benchNewLedger(b, "postgres")
		pg := db.(*pgstore.DB)
		start := time.Now()
		imported, err := pg.Import(benchShapedRecords(bc, leaf, n), benchEpoch.Add(48*time.Hour))
		if err != nil {
			b.Fatalf("importing record %d of %d: %v", imported+1, n, err)
		}
		took := time.Since(start)
		if _, err := pg.Pool().Exec(context.Background(), `VACUUM ANALYZE`); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(0, "ns/op")
		b.ReportMetric(float64(n)/took.Seconds(), "imported/s")
		var all int64
		for _, t := range benchLogSizes(b, pg) {
			all += t.total
			if t.total >= 1e6 {
				b.ReportMetric(float64(t.total)/1e6, "MB-"+t.name)
				b.ReportMetric(float64(t.total)/float64(n), "B/cert-"+t.name)
			}
		}
		b.ReportMetric(float64(all)/1e6, "MB-all")
		b.Logf("DER %d bytes; %d certificates, %.0f bytes each in all", len(leaf.Raw), n, float64(all)/float64(n))
	}
}

// benchLeaf issues one auth certificate of the bench CA, on a throwaway
// ledger.
func benchLeaf(b *testing.B, bc *benchCA) *cert.Certificate {
	b.Helper()
	db, _ := benchNewLedger(b, "bbolt")
	c := bc.newCA(b, db, time.Now)
	csr, _ := catest.NewCSR(b, nil, cert.Name{CommonName: "Иванов Иван Иванович", Organization: "ООО «Пример»", Country: "RU"})
	leaf, err := c.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileAuth, RequestID: "2026-000001"})
	if err != nil {
		b.Fatal(err)
	}
	return leaf
}

// benchShapedRecords yields n records like the ones the CA writes for
// leaf's issuer, deterministically (see BenchmarkLedgerSizes). The
// iterator reuses one Record.
func benchShapedRecords(bc *benchCA, leaf *cert.Certificate, n int) func(yield func(*store.Record, error) bool) {
	return func(yield func(*store.Record, error) bool) {
		rng := mrand.New(mrand.NewPCG(17, uint64(n)))
		random := func(buf []byte) {
			for i := 0; i < len(buf); i += 8 {
				var w [8]byte
				binary.LittleEndian.PutUint64(w[:], rng.Uint64())
				copy(buf[i:], w[:])
			}
		}
		serial, ski := make([]byte, 20), make([]byte, 20)
		r := new(store.Record)
		for i := range n {
			random(serial)
			serial[0] = serial[0]&0x7f | 0x01 // positive, 20 octets, as NewSerialNumber draws
			random(ski)
			notBefore := benchEpoch.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
			*r = store.Record{
				Serial:       new(big.Int).SetBytes(serial),
				IssuerKeyID:  bc.cert.SubjectKeyId,
				Issuer:       bc.cert.Subject.String(),
				Subject:      fmt.Sprintf("CN=Subscriber %d,O=Example,C=RU", i),
				SubjectKeyID: ski,
				Profile:      ca.ProfileAuth,
				RequestID:    fmt.Sprintf("2026-%06d", i),
				NotBefore:    notBefore,
				NotAfter:     notBefore.Add(365 * 24 * time.Hour),
				Status:       store.StatusGood,
				DER:          leaf.Raw,
				CreatedAt:    notBefore,
			}
			if rng.IntN(20) == 0 {
				r.Status = store.StatusRevoked
				r.Revocation = &store.Revocation{Time: notBefore.Add(time.Duration(rng.Int64N(int64(30 * 24 * time.Hour)))),
					Reason: cert.ReasonCode(1 + rng.IntN(5))}
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}
