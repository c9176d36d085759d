//go:build unix

package ca_test

// The benchmarks of issue 4, each beside OpenSSL's `openssl ca` measured in
// the same run, with the same CA key and certificate and the same inputs:
//
//	BenchmarkIssue  certificates per second: our Prepare + Issue from many
//	                goroutines on a ledger with durable (batched) commits,
//	                against one `openssl ca -batch` process per certificate.
//	BenchmarkCRL    a full CRL of 100,000 and 1,000,000 revoked entries:
//	                each side is a child process (ours re-executes this test
//	                binary as TestBenchCRLChild), timed whole, its peak
//	                memory read from rusage.
//
// `make bench` runs them. The CA, the CRL ledgers and OpenSSL's index.txt
// files are made once per machine and cached under
// os.UserCacheDir()/gostca/bench/<benchDataVersion>/ (a million-entry
// ledger takes a minute to import). Delete the directory, or change
// benchDataVersion with the data it describes, to make them again.

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"math/big"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
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
	"github.com/gostca/gostca/internal/interop"
	"github.com/gostca/gostca/store"
)

// benchDataVersion names the generated data: change it when what
// benchRoot or benchCRLData writes changes.
const benchDataVersion = "issue4-v2"

var (
	benchWorkers  = flag.Int("ca.workers", 256, "goroutines issuing at once in BenchmarkIssue")
	benchCRLSizes = flag.String("ca.crlsizes", "100000,1000000", "revoked entries of the CRLs of BenchmarkCRL")
)

// benchEpoch is when the bench CA's certificate starts, and the time of the
// CRL data; fixed, so that the cached data does not depend on the day it
// was made.
var benchEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// The bench CA's URLs, also in the OpenSSL configuration below.
const (
	benchCRLURL       = "http://ca.test/bench.crl"
	benchOCSPURL      = "http://ca.test/ocsp"
	benchCAIssuersURL = "http://ca.test/bench.crt"
)

// benchCA is the CA both sides use: its key (PKCS#8 PEM) and certificate
// (PEM) on disk for OpenSSL, parsed for us.
type benchCA struct {
	dir               string // the cache directory
	keyPath, certPath string
	key               *gost3410.PrivateKey
	cert              *cert.Certificate
	openssl           *interop.Tool
}

var (
	benchOnce sync.Once
	benchErr  error
	bench     *benchCA
)

// benchRoot returns the bench CA, made on first use and cached on disk.
func benchRoot(b *testing.B) *benchCA {
	b.Helper()
	tool := interop.OpenSSL(b) // skips (or fails in CI) without it
	benchOnce.Do(func() { bench, benchErr = loadBenchCA() })
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	bench.openssl = tool
	return bench
}

func loadBenchCA() (*benchCA, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return nil, fmt.Errorf("bench cache: %w", err)
	}
	bc := &benchCA{dir: filepath.Join(base, "gostca", "bench", benchDataVersion)}
	if err := os.MkdirAll(bc.dir, 0o700); err != nil {
		return nil, fmt.Errorf("bench cache: %w", err)
	}
	bc.keyPath = filepath.Join(bc.dir, "ca.key")
	bc.certPath = filepath.Join(bc.dir, "ca.crt")
	if err := bc.load(); err == nil {
		return bc, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := bc.generate(); err != nil {
		return nil, err
	}
	return bc, bc.load()
}

func (bc *benchCA) load() error {
	keyPEM, err := os.ReadFile(bc.keyPath)
	if err != nil {
		return err
	}
	certPEM, err := os.ReadFile(bc.certPath)
	if err != nil {
		return err
	}
	kb, _ := pem.Decode(keyPEM)
	cb, _ := pem.Decode(certPEM)
	if kb == nil || cb == nil {
		return fmt.Errorf("bench cache %s: bad PEM (delete the directory)", bc.dir)
	}
	if bc.key, err = gost3410.ParsePKCS8PrivateKey(kb.Bytes); err != nil {
		return fmt.Errorf("bench cache %s: %w", bc.keyPath, err)
	}
	if bc.cert, err = cert.ParseCertificate(cb.Bytes); err != nil {
		return fmt.Errorf("bench cache %s: %w", bc.certPath, err)
	}
	return nil
}

// generate makes a root CA (256-bit key, CryptoPro-A) with InitRoot, in a
// throwaway ledger, and writes its key and certificate.
func (bc *benchCA) generate() error {
	key, err := gost3410.GenerateKey(gost3410.ParamsCryptoProA(), rand.Reader)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "gostca-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	db, err := store.Open(filepath.Join(tmp, "ledger.db"), nil)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := ca.New(db, ca.Config{Clock: func() time.Time { return benchEpoch }, Signer: key})
	if err != nil {
		return err
	}
	root, err := c.InitRoot(cert.Name{CommonName: "gostca bench root", Organization: "gostca", Country: "RU"}, 30*365*24*time.Hour)
	if err != nil {
		return err
	}
	p8, err := gost3410.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := benchWriteFile(bc.keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}), 0o600); err != nil {
		return err
	}
	return benchWriteFile(bc.certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw}), 0o644)
}

// benchWriteFile writes data to path through a temporary file, so that an
// interrupted run leaves no half-written cache entry.
func benchWriteFile(path string, data []byte, mode fs.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// newCA returns a ca.CA for the bench key and certificate on db.
func (bc *benchCA) newCA(tb testing.TB, db ca.Ledger, clock func() time.Time) *ca.CA {
	tb.Helper()
	c, err := ca.New(db, ca.Config{Clock: clock, Signer: bc.key, Certificate: bc.cert,
		CRLURL: benchCRLURL, OCSPURL: benchOCSPURL, CAIssuersURL: benchCAIssuersURL,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// opensslConfig writes, in dir, an `openssl ca` configuration for the bench
// CA with its database in dir. The leaf extensions are those of our auth
// profile with the bench CA's URLs: the certificates of both sides have
// the same extensions and differ only in serial, key, validity and
// signature. The CRLs have the same extensions too (authorityKeyIdentifier,
// cRLNumber).
func (bc *benchCA) opensslConfig(b *testing.B, dir string) string {
	b.Helper()
	conf := filepath.Join(dir, "ca.cnf")
	text := fmt.Sprintf(`[ca]
default_ca = bench
[bench]
database = %s
new_certs_dir = %s
certificate = %s
private_key = %s
crlnumber = %s
rand_serial = yes
default_md = md_gost12_256
default_days = 365
default_crl_days = 7
unique_subject = no
copy_extensions = none
policy = policy_any
x509_extensions = leaf
crl_extensions = crl
[policy_any]
countryName = optional
commonName = supplied
[leaf]
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:%s
authorityInfoAccess = OCSP;URI:%s, caIssuers;URI:%s
[crl]
authorityKeyIdentifier = keyid
`, filepath.Join(dir, "index.txt"), dir, bc.certPath, bc.keyPath, filepath.Join(dir, "crlnumber"),
		benchCRLURL, benchOCSPURL, benchCAIssuersURL)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "crlnumber"), []byte("01\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	return conf
}

// benchRun runs cmd, failing b with its standard error if it fails.
func benchRun(b *testing.B, cmd *exec.Cmd) {
	b.Helper()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, stderr.String())
	}
}

// benchLaunchEnv makes TestBenchLaunch run the command after "--".
const benchLaunchEnv = "GOSTCA_BENCH_LAUNCH"

// benchFigures are what benchMeasure measures of a process.
type benchFigures struct {
	wall time.Duration
	cpu  time.Duration // user and system
	rss  int64         // peak resident memory, bytes
}

// benchMeasure runs cmd and returns its wall time, CPU time and peak
// resident memory (from rusage). It runs cmd from a launcher, this test binary as
// TestBenchLaunch, because Linux counts into a child's maxrss the peak RSS
// of the process that started it (Go starts children with vfork, and exec
// folds the shared memory's high-water mark into the child's): started
// from the benchmark process, which has parsed CRLs and may have imported
// a ledger, every figure would be at least that. The launcher is small
// (its own peak, under 10 MB, is the floor of both sides' figures).
func benchMeasure(b *testing.B, cmd *exec.Cmd) benchFigures {
	b.Helper()
	args := append([]string{"-test.run=^TestBenchLaunch$", "-test.count=1", "--", cmd.Path}, cmd.Args[1:]...)
	launcher := exec.Command(os.Args[0], args...)
	launcher.Env = append(cmd.Env, benchLaunchEnv+"=1")
	if cmd.Env == nil {
		launcher.Env = append(os.Environ(), benchLaunchEnv+"=1")
	}
	var stderr strings.Builder
	launcher.Stderr = &stderr
	out, err := launcher.Output()
	if err != nil {
		b.Fatalf("%s: %v\n%s%s", strings.Join(cmd.Args, " "), err, out, stderr.String())
	}
	for line := range strings.Lines(string(out)) {
		var wall, cpu, rss int64
		if _, err := fmt.Sscanf(line, "gostca-bench-launch wall=%d cpu=%d maxrss=%d", &wall, &cpu, &rss); err == nil {
			return benchFigures{wall: time.Duration(wall), cpu: time.Duration(cpu), rss: rss}
		}
	}
	b.Fatalf("%s: no figures from the launcher:\n%s", strings.Join(cmd.Args, " "), out)
	return benchFigures{}
}

// TestBenchLaunch is the launcher of benchMeasure: it runs the command
// after "--" and prints its wall time, CPU time and peak memory. It does nothing
// unless the benchmarks set GOSTCA_BENCH_LAUNCH.
func TestBenchLaunch(t *testing.T) {
	args := flag.Args()
	if os.Getenv(benchLaunchEnv) == "" {
		t.Skip("run by the CA benchmarks only")
	}
	if len(args) == 0 {
		t.Fatal("no command after --")
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	wall := time.Since(start)
	ps := cmd.ProcessState
	fmt.Printf("gostca-bench-launch wall=%d cpu=%d maxrss=%d\n", wall.Nanoseconds(), (ps.UserTime() + ps.SystemTime()).Nanoseconds(), benchMaxRSS(ps))
}

// benchMaxRSS returns the peak resident set of an exited process, in bytes.
func benchMaxRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return int64(ru.Maxrss) // bytes there, KiB elsewhere
	}
	return int64(ru.Maxrss) * 1024
}

// benchCSRs returns n certificate requests for fresh 256-bit keys (DER), and
// writes them as csr-<i>.pem in dir for OpenSSL.
func benchCSRs(b *testing.B, n int, dir string) [][]byte {
	b.Helper()
	out := make([][]byte, n)
	for i := range out {
		out[i], _ = catest.NewCSR(b, nil, cert.Name{CommonName: fmt.Sprintf("bench subscriber %d", i), Country: "RU"})
		p := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: out[i]})
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("csr-%d.pem", i)), p, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return out
}

// BenchmarkIssue issues auth certificates for a pool of requests:
//
//   - openssl: one `openssl ca -batch` process per certificate, one after
//     the other, as operators run it (openssl ca rewrites index.txt and
//     cannot be run concurrently on one CA). It does not fsync.
//   - gostca: IssueRequest from -ca.workers goroutines on one CA: Prepare
//     (parse the request, verify its proof of possession, check the
//     profile), then Issue (reserve the serial, sign, verify the signature
//     and parse, record the certificate), each ledger write a durable
//     commit shared by the writes in flight.
//
// certs/s is the figure to compare; the gostca run reports its ratio to
// the openssl run before it.
func BenchmarkIssue(b *testing.B) {
	bc := benchRoot(b)
	dir := b.TempDir()
	csrs := benchCSRs(b, 256, dir)
	var opensslRate float64

	b.Run("openssl", func(b *testing.B) {
		work := b.TempDir()
		conf := bc.opensslConfig(b, work)
		if err := os.WriteFile(filepath.Join(work, "index.txt"), nil, 0o644); err != nil {
			b.Fatal(err)
		}
		out := filepath.Join(work, "out.pem")
		b.ResetTimer()
		start := time.Now()
		for i := range b.N {
			csr := filepath.Join(dir, fmt.Sprintf("csr-%d.pem", i%len(csrs)))
			benchRun(b, bc.openssl.Command("ca", "-batch", "-notext", "-config", conf, "-in", csr, "-out", out))
		}
		opensslRate = float64(b.N) / time.Since(start).Seconds()
		b.ReportMetric(opensslRate, "certs/s")
	})

	b.Run("gostca", func(b *testing.B) {
		db, err := store.Open(filepath.Join(b.TempDir(), "ledger.db"), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		c := bc.newCA(b, db, catest.NewClock(time.Now().UTC().Truncate(time.Second)).Now)
		var next atomic.Uint64
		b.SetParallelism(max(1, *benchWorkers/runtime.GOMAXPROCS(0)))
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				csr := csrs[next.Add(1)%uint64(len(csrs))]
				if _, err := c.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileAuth}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		rate := float64(b.N) / time.Since(start).Seconds()
		b.ReportMetric(rate, "certs/s")
		if opensslRate > 0 {
			b.ReportMetric(rate/opensslRate, "x-openssl")
		}
	})
}

// benchEntry is one revoked certificate of the CRL data: the same list makes
// OpenSSL's index.txt lines and the ledger's records.
type benchEntry struct {
	serial  *big.Int
	revoked time.Time // whole seconds, as index.txt keeps it
	reason  int       // 1–5: every entry has a reasonCode extension on both sides
}

// benchReasonNames are the index.txt names of reasons 1–5.
var benchReasonNames = [...]string{1: "keyCompromise", 2: "CACompromise", 3: "affiliationChanged", 4: "superseded", 5: "cessationOfOperation"}

// benchEntries yields n entries like a CA with a serial counter revokes:
// serials increasing from 0x10000000 by 1–3 (a few never revoked),
// revocation times a few seconds apart, reasons mixed. It is deterministic.
func benchEntries(n int) func(yield func(benchEntry) bool) {
	return func(yield func(benchEntry) bool) {
		rng := mrand.New(mrand.NewPCG(4, uint64(n)))
		serial := int64(0x10000000)
		at := benchEpoch.Add(24 * time.Hour)
		for range n {
			serial += 1 + rng.Int64N(3)
			at = at.Add(time.Duration(1+rng.IntN(5)) * time.Second)
			if !yield(benchEntry{serial: big.NewInt(serial), revoked: at, reason: 1 + rng.IntN(5)}) {
				return
			}
		}
	}
}

// benchCRLFiles are the cached inputs of a CRL of n entries.
type benchCRLFiles struct {
	ledger, index string
}

// benchCRLData returns the cached ledger and index.txt for n revoked entries,
// making them if missing.
func benchCRLData(b *testing.B, bc *benchCA, n int) benchCRLFiles {
	b.Helper()
	f := benchCRLFiles{
		ledger: filepath.Join(bc.dir, fmt.Sprintf("ledger-%d.db", n)),
		index:  filepath.Join(bc.dir, fmt.Sprintf("index-%d.txt", n)),
	}
	if _, err := os.Stat(f.index); err != nil {
		b.Logf("writing %s (once per machine)", f.index)
		if err := benchWriteIndex(f.index, n); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := os.Stat(f.ledger); err != nil {
		b.Logf("importing %d records into %s (once per machine)", n, f.ledger)
		if err := benchWriteLedger(f.ledger, bc, n); err != nil {
			b.Fatal(err)
		}
	}
	return f
}

// benchUTCTime is the index.txt form of a time (UTCTime, before 2050).
func benchUTCTime(t time.Time) string { return t.UTC().Format("060102150405Z") }

func benchWriteIndex(path string, n int) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	notAfter := benchUTCTime(benchEpoch.Add(2 * 365 * 24 * time.Hour))
	for e := range benchEntries(n) {
		fmt.Fprintf(w, "R\t%s\t%s,%s\t%s\tunknown\t/CN=bench %d\n",
			notAfter, benchUTCTime(e.revoked), benchReasonNames[e.reason], strings.ToUpper(hex.EncodeToString(e.serial.Bytes())), e.serial)
	}
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	return err
}

// benchWriteLedger imports the entries into a bbolt ledger at path.
func benchWriteLedger(path string, bc *benchCA, n int) error {
	tmp := path + ".tmp"
	os.Remove(tmp)
	db, err := store.Open(tmp, nil)
	if err != nil {
		return err
	}
	err = benchImport(db, bc, n)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// benchImporter is what benchImport needs of a ledger: store.DB and
// pgstore.DB both have it.
type benchImporter interface {
	Import(records iter.Seq2[*store.Record, error], at time.Time) (int, error)
}

// benchImport imports the n entries as revoked records of the bench CA.
// Each record's DER is a placeholder of a few bytes: the store does not
// parse it, and a CRL reads only the revocation entries, never the DER.
func benchImport(db benchImporter, bc *benchCA, n int) error {
	issuer := bc.cert.SubjectKeyId
	notAfter := benchEpoch.Add(2 * 365 * 24 * time.Hour)
	placeholder := []byte("placeholder, not a certificate")
	records := func(yield func(*store.Record, error) bool) {
		r := new(store.Record)
		for e := range benchEntries(n) {
			*r = store.Record{
				Serial:      e.serial,
				IssuerKeyID: issuer,
				Issuer:      bc.cert.Subject.String(),
				Subject:     fmt.Sprintf("CN=bench %d", e.serial),
				Profile:     ca.ProfileAuth,
				NotBefore:   benchEpoch,
				NotAfter:    notAfter,
				Status:      store.StatusRevoked,
				DER:         placeholder,
				Revocation:  &store.Revocation{Time: e.revoked, Reason: cert.ReasonCode(e.reason)},
				CreatedAt:   benchEpoch,
			}
			if !yield(r, nil) {
				return
			}
		}
	}
	imported, err := db.Import(records, benchEpoch.Add(48*time.Hour))
	if err != nil {
		return fmt.Errorf("importing record %d of %d: %w", imported+1, n, err)
	}
	return nil
}

// benchCRLChildEnv names, for TestBenchCRLChild, the ledger, the CA key, the CA
// certificate and the output file, as a filepath list.
const benchCRLChildEnv = "GOSTCA_BENCH_CRL_CHILD"

// TestBenchCRLChild is our side of BenchmarkCRL, run in a child process:
// open the ledger (bbolt, or PostgreSQL when GOSTCA_BENCH_PG names one),
// make the CA, make one full CRL, write it. It does nothing unless
// BenchmarkCRL sets GOSTCA_BENCH_CRL_CHILD.
func TestBenchCRLChild(t *testing.T) {
	args := filepath.SplitList(os.Getenv(benchCRLChildEnv))
	if len(args) == 0 {
		t.Skip("run by BenchmarkCRL only")
	}
	if len(args) != 4 {
		t.Fatalf("%s: want ledger, key, certificate and output paths, got %q", benchCRLChildEnv, args)
	}
	ledger, keyPath, certPath, outPath := args[0], args[1], args[2], args[3]
	db := benchOpenLedger(t, ledger)
	bc := &benchCA{keyPath: keyPath, certPath: certPath}
	if err := bc.load(); err != nil {
		t.Fatal(err)
	}
	c := bc.newCA(t, db, time.Now)
	der, err := c.CRL(false)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(outPath, der, 0o644); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkCRL makes a full CRL of each size of -ca.crlsizes, in a child
// process per CRL on both sides, from the same revoked entries:
//
//   - openssl: `openssl ca -gencrl` over an index.txt of the entries
//     (PEM output; the DER size is reported);
//   - gostca: this test binary as TestBenchCRLChild over a ledger of the
//     entries (a copy of the cached one: each CRL is recorded in it);
//   - postgres: the same over a PostgreSQL ledger of the entries
//     (interop.StartPostgres; filled by pgstore.Import once per run of
//     the benchmark, its time and the tables' sizes logged).
//
// ns/op is the mean wall time of the whole process (s-min, s-median,
// s-max the spread), s-cpu its CPU time and maxrss its peak resident
// memory (rusage), DER the CRL's size; for postgres, s-server-cpu is the
// CPU time of the PostgreSQL server's processes meanwhile (Linux). On a
// shared machine CPU times move less than wall times. Run it with a small
// fixed -benchtime (e.g. 3x).
func BenchmarkCRL(b *testing.B) {
	bc := benchRoot(b)
	for _, s := range strings.Split(*benchCRLSizes, ",") {
		var n int
		if _, err := fmt.Sscan(s, &n); err != nil || n <= 0 {
			b.Fatalf("-ca.crlsizes: bad size %q", s)
		}
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			files := benchCRLData(b, bc, n)
			// The PostgreSQL ledger lives as long as this benchmark, and
			// is filled by the first run of the postgres one.
			pg := &benchPGLedger{url: interop.StartPostgres(b)}
			var ref, bolt benchCRLFigures
			b.Run("openssl", func(b *testing.B) {
				work := b.TempDir()
				conf := bc.opensslConfig(b, work)
				if err := os.Link(files.index, filepath.Join(work, "index.txt")); err != nil {
					benchCopyFile(b, files.index, filepath.Join(work, "index.txt"))
				}
				out := filepath.Join(work, "crl.pem")
				ref = benchCRLRuns(b, func() *exec.Cmd {
					return bc.openssl.Command("ca", "-gencrl", "-config", conf, "-out", out)
				}, func() int64 { return benchPEMSize(b, out) }, nil)
			})
			b.Run("gostca", func(b *testing.B) {
				work := b.TempDir()
				ledger := filepath.Join(work, "ledger.db")
				benchCopyFile(b, files.ledger, ledger)
				out := filepath.Join(work, "crl.der")
				env := benchCRLChildEnv + "=" + strings.Join([]string{ledger, bc.keyPath, bc.certPath, out}, string(os.PathListSeparator))
				bolt = benchCRLRuns(b, func() *exec.Cmd {
					cmd := exec.Command(os.Args[0], "-test.run=^TestBenchCRLChild$", "-test.count=1")
					cmd.Env = append(os.Environ(), env)
					return cmd
				}, func() int64 { return benchCheckCRL(b, bc, out, n) }, nil)
				benchRatios(b, bolt, ref, "openssl")
			})
			b.Run("postgres", func(b *testing.B) {
				pg.fill(b, bc, n)
				out := filepath.Join(b.TempDir(), "crl.der")
				env := []string{
					benchCRLChildEnv + "=" + strings.Join([]string{"postgres", bc.keyPath, bc.certPath, out}, string(os.PathListSeparator)),
					benchPGEnv + "=" + pg.url,
				}
				ours := benchCRLRuns(b, func() *exec.Cmd {
					cmd := exec.Command(os.Args[0], "-test.run=^TestBenchCRLChild$", "-test.count=1")
					cmd.Env = append(os.Environ(), env...)
					return cmd
				}, func() int64 { return benchCheckCRL(b, bc, out, n) }, pg.serverCPU(b))
				benchRatios(b, ours, ref, "openssl")
				benchRatios(b, ours, bolt, "bbolt")
			})
		})
	}
}

// benchRatios reports the ratios of ours to the reference figures ref
// measured in the same run, if any.
func benchRatios(b *testing.B, ours, ref benchCRLFigures, name string) {
	if ref.wall > 0 {
		b.ReportMetric(ours.wall.Seconds()/ref.wall.Seconds(), "x-"+name+"-time")
		b.ReportMetric(float64(ours.rss)/float64(ref.rss), "x-"+name+"-maxrss")
	}
}

// benchCRLFigures are the means over a benchmark's runs (the peak for
// memory).
type benchCRLFigures struct {
	wall time.Duration
	rss  int64
}

// benchCRLRuns runs b.N processes made by cmd and reports their peak memory,
// the minimum, median and maximum of their wall times, their mean CPU
// time, and the size of what they made; with server (the CPU time of the
// PostgreSQL server so far), the server's mean CPU time per run too.
func benchCRLRuns(b *testing.B, cmd func() *exec.Cmd, size func() int64, server func() time.Duration) benchCRLFigures {
	b.Helper()
	var (
		fig             benchCRLFigures
		cpu, serverTime time.Duration
	)
	walls := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		var before time.Duration
		if server != nil {
			before = server()
		}
		m := benchMeasure(b, cmd())
		if server != nil {
			serverTime += server() - before
		}
		fig.wall += m.wall
		fig.rss = max(fig.rss, m.rss)
		cpu += m.cpu
		walls = append(walls, m.wall)
	}
	b.StopTimer()
	fig.wall /= time.Duration(b.N)
	slices.Sort(walls)
	b.ReportMetric(walls[0].Seconds(), "s-min")
	b.ReportMetric(walls[len(walls)/2].Seconds(), "s-median")
	b.ReportMetric(walls[len(walls)-1].Seconds(), "s-max")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "s-cpu")
	if server != nil {
		b.ReportMetric(serverTime.Seconds()/float64(b.N), "s-server-cpu")
	}
	b.ReportMetric(float64(fig.rss)/1e6, "MB-maxrss")
	b.ReportMetric(float64(size())/1e6, "MB-DER")
	return fig
}

func benchPEMSize(b *testing.B, path string) int64 {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		b.Fatalf("%s: no PEM", path)
	}
	return int64(len(block.Bytes))
}

// benchCheckCRL parses our CRL, checks its signature and entry count, and
// returns its size.
func benchCheckCRL(b *testing.B, bc *benchCA, path string, n int) int64 {
	b.Helper()
	der, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	crl, err := cert.ParseRevocationList(der)
	if err != nil {
		b.Fatal(err)
	}
	if err := crl.CheckSignatureFrom(bc.cert); err != nil {
		b.Fatal(err)
	}
	if len(crl.Entries) != n {
		b.Fatalf("CRL has %d entries, want %d", len(crl.Entries), n)
	}
	return int64(len(der))
}

func benchCopyFile(b *testing.B, from, to string) {
	b.Helper()
	in, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
}
