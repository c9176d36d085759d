package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestOpenSchema(t *testing.T) {
	tests := []struct {
		name string
		make func(b *bolt.DB) error // prepares the file with bbolt directly
		err  error
	}{
		{name: "empty file is initialised", make: func(*bolt.DB) error { return nil }},
		{name: "version 99", err: ErrSchema, make: func(b *bolt.DB) error {
			return b.Update(func(tx *bolt.Tx) error {
				m, err := tx.CreateBucket(bucketMeta)
				if err != nil {
					return err
				}
				return m.Put(keySchema, binary.BigEndian.AppendUint32(nil, 99))
			})
		}},
		{name: "malformed version", err: ErrSchema, make: func(b *bolt.DB) error {
			return b.Update(func(tx *bolt.Tx) error {
				m, err := tx.CreateBucket(bucketMeta)
				if err != nil {
					return err
				}
				return m.Put(keySchema, []byte{1})
			})
		}},
		{name: "another application's file", err: ErrSchema, make: func(b *bolt.DB) error {
			return b.Update(func(tx *bolt.Tx) error {
				_, err := tx.CreateBucket([]byte("users"))
				return err
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ledger.db")
			b, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = tt.make(b)
			b.Close()
			if err != nil {
				t.Fatal(err)
			}
			db, err := Open(path, nil)
			wantErr(t, err, tt.err)
			if err == nil {
				db.Close()
			}
			// Read-only opening agrees, except that it cannot initialise.
			db, err = Open(path, &Options{ReadOnly: true})
			if tt.err != nil {
				wantErr(t, err, tt.err)
			} else if err != nil {
				t.Fatal(err)
			} else {
				db.Close()
			}
		})
	}

	t.Run("new file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "new.db")
		db, err := Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if db.Path() != path {
			t.Errorf("Path = %q, want %q", db.Path(), path)
		}
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("mode = %v, want 0600", info.Mode().Perm())
		}
	})
}

// TestOpenLocked: a second handle, in this process or another, waits for
// the lock (flock locks are per open file, not per process) and gives up
// after Timeout.
func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	db, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	for _, opts := range []*Options{{Timeout: 200 * time.Millisecond}, {Timeout: 200 * time.Millisecond, ReadOnly: true}} {
		start := time.Now()
		second, err := Open(path, opts)
		elapsed := time.Since(start)
		if err == nil {
			second.Close()
			t.Fatalf("second Open(%+v) succeeded while the ledger is open", opts)
		}
		if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) {
			t.Errorf("second Open(%+v) = %v, want ErrLocked naming %s", opts, err, path)
		}
		if elapsed < 150*time.Millisecond || elapsed > time.Second {
			t.Errorf("second Open(%+v) gave up after %v, want about 200ms", opts, elapsed)
		}
	}

	// Once the first handle closes, the lock is free.
	db.Close()
	db2, err := Open(path, &Options{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	db2.Close()
}

func TestBackupRestore(t *testing.T) {
	db := openTest(t)
	issueAll(t, db, []*Record{newRecord(1), newRecord(2), newRecord(3)})
	revoke(t, db, 2, 1)
	var buf bytes.Buffer
	n, err := db.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Errorf("WriteTo = %d, wrote %d bytes", n, buf.Len())
	}
	issue(t, db, newRecord(4)) // after the backup: not in it
	backup := buf.Bytes()

	t.Run("round trip", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "restored.db")
		if err := Restore(path, bytes.NewReader(backup)); err != nil {
			t.Fatal(err)
		}
		assertOnlyFile(t, dir, "restored.db")
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("mode = %v, want 0600", info.Mode().Perm())
		}
		r, err := Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if err := r.VerifyAudit(); err != nil {
			t.Fatal(err)
		}
		got, err := r.Get(serial(2))
		if err != nil || got.Status != StatusRevoked {
			t.Errorf("Get(2) = %+v, %v; want revoked", got, err)
		}
		if _, err := r.Get(serial(4)); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(4) = %v, want ErrNotFound (issued after the backup)", err)
		}
		if err := r.Reserve(newRecord(1), at); !errors.Is(err, ErrExists) {
			t.Errorf("Reserve(1) in the restored ledger = %v, want ErrExists", err)
		}
	})

	tampered := func() []byte {
		// A backup whose audit log was edited: intact for bbolt, refused by
		// VerifyAudit.
		dir := t.TempDir()
		p := filepath.Join(dir, "b.db")
		if err := os.WriteFile(p, backup, 0o600); err != nil {
			t.Fatal(err)
		}
		b, err := bolt.Open(p, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = b.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketAudit).Delete(seqKey(2)) })
		b.Close()
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}()
	garbage := bytes.Repeat([]byte("not a ledger "), 4096)
	corruptPage := append([]byte(nil), backup...)
	for i := 2 * 4096; i < len(corruptPage); i++ { // all but the meta pages
		corruptPage[i] ^= 0x5a
	}

	refusals := []struct {
		name   string
		stream []byte
		exists bool
		err    error
	}{
		{name: "existing path", stream: backup, exists: true, err: fs.ErrExist},
		{name: "empty stream", stream: nil},
		{name: "garbage", stream: garbage},
		{name: "truncated", stream: backup[:len(backup)/2]},
		{name: "corrupt pages", stream: corruptPage},
		{name: "audit log tampered", stream: tampered},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "restored.db")
			if tt.exists {
				if err := os.WriteFile(path, []byte("precious"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := Restore(path, bytes.NewReader(tt.stream))
			if err == nil {
				t.Fatal("Restore succeeded")
			}
			if tt.err != nil && !errors.Is(err, tt.err) {
				t.Errorf("Restore = %v, want %v", err, tt.err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("Restore = %v, does not name %s", err, path)
			}
			if tt.exists {
				if got, _ := os.ReadFile(path); string(got) != "precious" {
					t.Errorf("existing file changed: %q", got)
				}
				assertOnlyFile(t, dir, "restored.db")
			} else {
				assertOnlyFile(t, dir, "")
			}
		})
	}
}

// assertOnlyFile checks that dir holds only the named file (nothing for "").
func assertOnlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if (name == "" && len(names) != 0) || (name != "" && (len(names) != 1 || names[0] != name)) {
		t.Errorf("directory holds %v, want only %q", names, name)
	}
}
