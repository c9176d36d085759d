// Package keyfile stores GOST R 34.10-2012 private keys in files: PEM
// PKCS#8, encrypted with a passphrase or not, in the forms OpenSSL's GOST
// engine and GnuTLS certtool read and write.
//
// # Scope
//
// [Write] writes "PRIVATE KEY" (RFC 7468 §10) or, with a passphrase,
// "ENCRYPTED PRIVATE KEY" (§11, made by
// github.com/gostca/gostca/crypto/pkcs8). [Read] reads those, and the same
// structures in DER. Legacy OpenSSL PEM encryption ("Proc-Type: 4,ENCRYPTED"
// headers) and CryptoPro containers are not read.
//
// [FromFile] and [FromEnv] are passphrase sources for a command line: a
// passphrase never belongs on argv, where every user of the machine can read
// it in the process list. Neither is consulted until Read finds an
// encrypted key, so a prompt (a func the caller writes) appears only when
// needed.
//
// # Security
//
// Write never replaces an existing file and never exposes the key: it
// writes a temporary file created with O_EXCL and mode 0600 in the target
// directory, fsyncs it, links it to the final name (link(2) fails if the
// name exists, so, unlike rename(2), the step cannot overwrite a file that
// appeared meanwhile), removes the temporary name and fsyncs the directory.
// After a crash the key file is either absent or complete; at worst a
// temporary file named ".NAME.tmp-*" is left beside it, with mode 0600. The
// directory's file system must support hard links.
//
// Read refuses, like ssh, a key file or passphrase file that any user but
// its owner may read, write or execute (mode & 0077 != 0), with
// [ErrInsecurePermissions]; the error names the fix. This check is skipped
// on Windows, whose permission bits Go does not report.
//
// Decrypted key bytes are cleared after use on a best-effort basis; Go does
// not guarantee that no copy remains. The package does not clear passphrases
// returned by the caller's function, which the caller owns.
//
// # Concurrency
//
// The functions are safe for concurrent use. Two concurrent Writes to the
// same path do not corrupt it: one succeeds, the other fails with
// fs.ErrExist.
package keyfile

import (
	"bytes"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/pkcs8"
)

// PEM types of RFC 7468.
const (
	typePlain     = "PRIVATE KEY"
	typeEncrypted = "ENCRYPTED PRIVATE KEY"
)

// maxFileSize bounds what Read and FromFile read: a GOST key file is a few
// hundred bytes.
const maxFileSize = 64 << 10

var (
	// ErrPassphraseNeeded is returned (wrapped) by Read for an encrypted key
	// when no passphrase function was given.
	ErrPassphraseNeeded = errors.New("keyfile: the key is encrypted and no passphrase was given")

	// ErrInsecurePermissions is returned (wrapped) by Read and the function
	// FromFile returns when a file is accessible to users other than its
	// owner.
	ErrInsecurePermissions = errors.New("keyfile: file is accessible by other users")
)

// Write writes key as PEM to path: "ENCRYPTED PRIVATE KEY" (pkcs8.Encrypt
// with opts, nil for its defaults, of gost3410.MarshalPKCS8PrivateKey) when
// passphrase is non-empty, else "PRIVATE KEY". The file gets mode 0600
// whatever the umask. An existing file is never overwritten: the error then
// wraps fs.ErrExist. See the package documentation for how the file is
// made durable.
func Write(path string, key *gost3410.PrivateKey, passphrase []byte, opts *pkcs8.Options) error {
	if key == nil {
		return errors.New("keyfile: nil key")
	}
	der, err := gost3410.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("keyfile: encoding the key: %w", err)
	}
	defer clear(der)
	block := &pem.Block{Type: typePlain, Bytes: der}
	if len(passphrase) > 0 {
		enc, err := pkcs8.Encrypt(rand.Reader, der, passphrase, opts)
		if err != nil {
			return fmt.Errorf("keyfile: encrypting the key: %w", err)
		}
		block = &pem.Block{Type: typeEncrypted, Bytes: enc}
	}
	data := pem.EncodeToMemory(block)
	defer clear(data)
	if err := writeNew(path, data); err != nil {
		return fmt.Errorf("keyfile: writing %s: %w", path, err)
	}
	return nil
}

// writeNew creates path with data and mode 0600, durably, failing with
// fs.ErrExist if path exists.
func writeNew(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	// An early check gives a clear error before any work; the link below
	// is what makes the no-overwrite guarantee.
	if _, err := os.Lstat(path); err == nil {
		return &fs.PathError{Op: "create", Path: path, Err: fs.ErrExist}
	}
	// CreateTemp opens with O_CREATE|O_EXCL and mode 0600, which a umask can
	// only narrow; Chmod makes it exactly 0600.
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer func() {
		if tmp != nil {
			tmp.Close()
		}
		os.Remove(tmpName)
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	err = tmp.Close()
	tmp = nil
	if err != nil {
		return err
	}
	if err := os.Link(tmpName, path); err != nil {
		return err
	}
	if err := os.Remove(tmpName); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir fsyncs a directory, making a new name in it durable.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be opened for sync there
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Read reads a key file written by Write, by OpenSSL's GOST engine or by
// GnuTLS certtool: PEM "PRIVATE KEY" or "ENCRYPTED PRIVATE KEY", or the same
// structures in DER. A PEM file must hold exactly one such block; other
// blocks (a certificate, say) are ignored.
//
// For an encrypted key Read calls passphrase, and only then; a nil
// passphrase with an encrypted key gives an error wrapping
// ErrPassphraseNeeded, and a wrong passphrase one wrapping
// pkcs8.ErrIncorrectPassphrase. Read refuses a file that other users may
// access, with an error wrapping ErrInsecurePermissions.
func Read(path string, passphrase func() ([]byte, error)) (*gost3410.PrivateKey, error) {
	data, err := readPrivate(path)
	if err != nil {
		return nil, err
	}
	defer clear(data)
	der, encrypted, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("keyfile: %s: %w", path, err)
	}
	if encrypted {
		if passphrase == nil {
			return nil, fmt.Errorf("keyfile: %s: %w", path, ErrPassphraseNeeded)
		}
		pass, err := passphrase()
		if err != nil {
			return nil, fmt.Errorf("keyfile: reading the passphrase for %s: %w", path, err)
		}
		der, err = pkcs8.Decrypt(der, pass)
		if err != nil {
			return nil, fmt.Errorf("keyfile: decrypting %s: %w", path, err)
		}
		defer clear(der)
	}
	key, err := gost3410.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("keyfile: %s: %w", path, err)
	}
	return key, nil
}

// decode finds the PKCS#8 structure in a key file and reports whether it is
// encrypted.
func decode(data []byte) (der []byte, encrypted bool, err error) {
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		return data, pkcs8.IsEncrypted(data), nil
	}
	var found *pem.Block
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != typePlain && block.Type != typeEncrypted {
			continue
		}
		if found != nil {
			return nil, false, errors.New("more than one private key in the file")
		}
		found = block
	}
	if found == nil {
		return nil, false, fmt.Errorf("no %q or %q PEM block", typePlain, typeEncrypted)
	}
	if len(found.Headers) > 0 {
		return nil, false, errors.New("PEM headers (legacy OpenSSL encryption) are not supported; convert with openssl pkcs8 -topk8")
	}
	return found.Bytes, found.Type == typeEncrypted, nil
}

// readPrivate reads a regular file that only its owner may access.
func readPrivate(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("keyfile: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("keyfile: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("keyfile: %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("%w: %s has mode %04o; run: chmod 600 %s", ErrInsecurePermissions, path, perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("keyfile: %w", err)
	}
	if len(data) > maxFileSize {
		clear(data)
		return nil, fmt.Errorf("keyfile: %s is larger than %d bytes", path, maxFileSize)
	}
	return data, nil
}

// FromFile returns a passphrase source that reads the first line of the
// file at path, without its line ending. It refuses, like Read, a file that
// other users may access, and an empty first line.
func FromFile(path string) func() ([]byte, error) {
	return func() ([]byte, error) {
		data, err := readPrivate(path)
		if err != nil {
			return nil, err
		}
		line, _, _ := bytes.Cut(data, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			clear(data)
			return nil, fmt.Errorf("keyfile: passphrase file %s: first line is empty", path)
		}
		pass := bytes.Clone(line)
		clear(data)
		return pass, nil
	}
}

// FromEnv returns a passphrase source that reads the environment variable
// name, failing if it is unset or empty. The variable is read when the
// source is called, not when FromEnv is.
func FromEnv(name string) func() ([]byte, error) {
	return func() ([]byte, error) {
		v, ok := os.LookupEnv(name)
		if !ok {
			return nil, fmt.Errorf("keyfile: environment variable %s is not set", name)
		}
		if v == "" {
			return nil, fmt.Errorf("keyfile: environment variable %s is empty", name)
		}
		return []byte(v), nil
	}
}
