package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Options configures Open. A nil *Options means the defaults.
type Options struct {
	// Timeout is how long Open waits for the file lock held by another
	// process; 0 means 1 second, a negative value means not to wait.
	Timeout time.Duration
	// ReadOnly opens an existing ledger for reading, with a shared lock:
	// several read-only handles may be open at once, but none while a
	// process has it open for writing. Writes fail.
	ReadOnly bool
	// MaxBatchDelay is how long a write waits for others to join its
	// transaction before the transaction commits; 0 means 2 milliseconds.
	// Longer delays make fewer, larger commits (fewer fsyncs) at the cost
	// of latency.
	MaxBatchDelay time.Duration
	// Notify, if set, makes the messages of each change that concerns an
	// application; they go into the outbox in the change's transaction.
	Notify Notifier
}

const (
	defaultTimeout       = time.Second
	defaultMaxBatchDelay = 2 * time.Millisecond
)

var (
	// ErrNotFound: no certificate with that serial.
	ErrNotFound = errors.New("store: not found")
	// ErrExists: the serial was used before (a serial is never reused,
	// abandoned ones included), or an application's number or key is taken.
	ErrExists = errors.New("store: already in the ledger")
	// ErrLocked: another process (or another handle) holds the ledger.
	ErrLocked = errors.New("store: ledger in use by another process")
	// ErrSchema: the file is not a ledger of a schema version this package
	// knows.
	ErrSchema = errors.New("store: unsupported ledger schema version")
	// ErrState: the certificate's state does not allow the operation. It is
	// wrapped with the specifics, e.g.
	// "store: serial 0x1f: already revoked: ...".
	ErrState = errors.New("store: operation not allowed in the certificate's state")
	// ErrInvalid: an argument is malformed (a serial that is not positive,
	// a missing issuer key identifier, an unknown revocation reason).
	ErrInvalid = errors.New("store: invalid argument")
)

// Bucket and key names. The layout:
//
//	meta                    schema → uint32; head → seq ‖ hash of the last audit entry;
//	                        loading → 1 while Load fills the ledger
//	certs                   serial key → record
//	idx-expiry              sortable notAfter ‖ serial key → (empty); valid and held only
//	idx-ski                 len ‖ subjectKeyID ‖ serial key → (empty)
//	audit                   seq → audit entry
//	issuers/<issuerKeyID>/  revocations: serial key → revocation
//	                        revseq: seq → serial key (the revocations, by seq)
//	                        removals: seq → serial key ‖ time (the latest release of each serial)
//	                        released: serial key → seq of its entry in removals
//	                        count → uint64 (entries in revocations)
//	                        crl → CRL state
var (
	bucketMeta      = []byte("meta")
	bucketCerts     = []byte("certs")
	bucketExpiry    = []byte("idx-expiry")
	bucketSKI       = []byte("idx-ski")
	bucketAudit     = []byte("audit")
	bucketIssuers   = []byte("issuers")
	bucketRevoked   = []byte("revocations")
	bucketRevSeq    = []byte("revseq")
	bucketRemovals  = []byte("removals")
	bucketReleased  = []byte("released")
	keySchema       = []byte("schema")
	keyHead         = []byte("head")
	keyCount        = []byte("count")
	keyCRL          = []byte("crl")
	topLevelBuckets = [][]byte{bucketMeta, bucketCerts, bucketExpiry, bucketSKI, bucketAudit, bucketIssuers}
)

// schemaVersion is the layout this package reads and writes.
const schemaVersion = 1

// DB is an open ledger. Its methods are safe for concurrent use.
type DB struct {
	bolt   *bolt.DB
	path   string
	notify Notifier
}

// Open opens the ledger at path, creating it (mode 0600) unless
// opts.ReadOnly. It checks the schema version and fails with an error
// wrapping ErrSchema for a file that is not a version-1 ledger, and with one
// wrapping ErrLocked if the file stays locked by another handle for
// opts.Timeout.
func Open(path string, opts *Options) (*DB, error) {
	if opts == nil {
		opts = &Options{}
	}
	timeout := opts.Timeout
	switch {
	case timeout == 0:
		timeout = defaultTimeout
	case timeout < 0:
		timeout = -1 // bbolt: give up after the first attempt
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:      timeout,
		ReadOnly:     opts.ReadOnly,
		FreelistType: bolt.FreelistMapType,
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("store: opening %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	b.MaxBatchDelay = opts.MaxBatchDelay
	if b.MaxBatchDelay <= 0 {
		b.MaxBatchDelay = defaultMaxBatchDelay
	}
	db := &DB{bolt: b, path: path, notify: opts.Notify}
	if opts.ReadOnly {
		err = b.View(func(tx *bolt.Tx) error { return checkSchema(tx, path) })
	} else {
		err = b.Update(func(tx *bolt.Tx) error { return initSchema(tx, path) })
	}
	if err != nil {
		b.Close()
		return nil, err
	}
	return db, nil
}

// initSchema creates the buckets of an empty file and checks the schema of
// an existing one.
func initSchema(tx *bolt.Tx, path string) error {
	if tx.Bucket(bucketMeta) != nil {
		if err := checkSchema(tx, path); err != nil {
			return err
		}
		return createRABuckets(tx, path)
	}
	empty := true
	tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
	if !empty {
		return fmt.Errorf("store: opening %s: not a ledger (no meta bucket): %w", path, ErrSchema)
	}
	for _, name := range topLevelBuckets {
		if _, err := tx.CreateBucket(name); err != nil {
			return fmt.Errorf("store: creating bucket %s in %s: %w", name, path, err)
		}
	}
	if err := createRABuckets(tx, path); err != nil {
		return err
	}
	return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint32(nil, schemaVersion))
}

// createRABuckets adds the registration authority's buckets, which ledgers
// made before them lack (an addition within schema version 1).
func createRABuckets(tx *bolt.Tx, path string) error {
	for _, name := range raBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("store: creating bucket %s in %s: %w", name, path, err)
		}
	}
	return nil
}

func checkSchema(tx *bolt.Tx, path string) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return fmt.Errorf("store: opening %s: not a ledger (no meta bucket): %w", path, ErrSchema)
	}
	v := meta.Get(keySchema)
	if len(v) != 4 {
		return fmt.Errorf("store: opening %s: malformed schema version: %w", path, ErrSchema)
	}
	if n := binary.BigEndian.Uint32(v); n != schemaVersion {
		return fmt.Errorf("store: opening %s: schema version %d, want %d: %w", path, n, schemaVersion, ErrSchema)
	}
	for _, name := range topLevelBuckets {
		if tx.Bucket(name) == nil {
			return fmt.Errorf("store: opening %s: bucket %s missing: %w", path, name, ErrSchema)
		}
	}
	if meta.Get(keyLoading) != nil {
		return fmt.Errorf("store: opening %s: an interrupted load, not a whole ledger (remove it and load again): %w", path, ErrSchema)
	}
	return nil
}

// Close closes the ledger, waiting for transactions in progress.
func (db *DB) Close() error {
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("store: closing %s: %w", db.path, err)
	}
	return nil
}

// Path returns the path the ledger was opened with.
func (db *DB) Path() string { return db.path }

// WriteTo writes a consistent copy of the whole ledger to w while the
// ledger stays in use (it runs in a read transaction). The copy is a ledger
// file: Restore puts it back.
func (db *DB) WriteTo(w io.Writer) (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("store: backing up %s: %w", db.path, err)
	}
	return n, nil
}

// Restore creates the ledger at path from a copy made by WriteTo. It writes
// r to a temporary file beside path, checks it (bbolt's page consistency,
// the schema version, VerifyAudit), and only then moves it into place. It
// refuses to replace an existing file (the error wraps fs.ErrExist), and
// leaves nothing behind when the copy is bad.
func Restore(path string, r io.Reader) error {
	return createFile(path, "restoring", ".restore-*", func(f *os.File) error {
		_, err := io.Copy(f, r)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("store: restoring %s: writing %s: %w", path, f.Name(), err)
		}
		if err := checkCopy(f.Name()); err != nil {
			return fmt.Errorf("store: restoring %s: %w", path, err)
		}
		return nil
	})
}

// CheckFile checks the ledger file at path, which no process may be
// writing, as Restore checks a copy: its page structure, schema and audit
// chain, reporting (not panicking on) a damaged or truncated file. It is
// for a copy about to be read whole, such as a backup restored into
// another backend.
func CheckFile(path string) error {
	if err := checkCopy(path); err != nil {
		return fmt.Errorf("store: %s: %w", path, err)
	}
	return nil
}

// createFile makes a file at path only once it is complete: write gets a
// new temporary file beside path (named by pattern, mode 0600) and must
// close it; if it returns nil, the file is linked into place (a hard
// link, which never replaces a file, so that one created at path
// meanwhile is not lost), else removed. write's errors are returned as
// they are; the others are wrapped with what, e.g. "restoring". An
// existing path is refused with an error wrapping fs.ErrExist.
func createFile(path, what, pattern string, write func(f *os.File) error) (err error) {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("store: %s %s: %w", what, path, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: %s %s: %w", what, path, err)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+pattern)
	if err != nil {
		return fmt.Errorf("store: %s %s: %w", what, path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o600); err != nil {
		return fmt.Errorf("store: %s %s: %w", what, path, err)
	}
	if err := write(f); err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("store: %s %s: %w", what, path, fs.ErrExist)
		}
		return fmt.Errorf("store: %s %s: moving the new file into place: %w", what, path, err)
	}
	if err := os.Remove(tmp); err != nil {
		return fmt.Errorf("store: %s %s: removing %s: %w", what, path, tmp, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// checkCopy opens a restored file read-only and checks it through: the
// page structure first, then the schema and the audit chain. bbolt trusts
// its pages and panics (or faults, reading past the end of a truncated
// file) on some corruptions; here, a copy that does so is refused.
func checkCopy(path string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("checking the copy: corrupt: %v", r)
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: -1})
	if err != nil {
		return fmt.Errorf("checking the copy: %w", err)
	}
	defer b.Close()
	return b.View(func(tx *bolt.Tx) error {
		// A truncated copy whose meta page points past its end: refuse it
		// before reading any other page.
		if tx.Size() > info.Size() {
			return fmt.Errorf("checking the copy: truncated (%d of %d bytes): %w", info.Size(), tx.Size(), berrors.ErrInvalid)
		}
		// Drain every error: Check reads the file from its own goroutine,
		// which must be done before the transaction ends.
		var first error
		for err := range tx.Check() {
			if first == nil {
				first = fmt.Errorf("checking the copy: %w", err)
			}
		}
		if first != nil {
			return first
		}
		if err := checkSchema(tx, path); err != nil {
			return fmt.Errorf("checking the copy: %w", err)
		}
		if err := verifyAudit(tx); err != nil {
			return fmt.Errorf("checking the copy: %w", err)
		}
		return nil
	})
}
