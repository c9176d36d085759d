package keyfile

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"github.com/gostca/gostca/internal/testkit"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/pkcs8"
)

// fast keeps the tests that do not measure the default quick.
var fast = &pkcs8.Options{Iterations: 10}

// writeOptions are the options of the tests that stand for Write: the
// defaults, except in -short and -race runs, where DefaultIterations costs
// too much (the encoding is the same but for the count).
func writeOptions() *pkcs8.Options {
	if testing.Short() || testkit.Race {
		return &pkcs8.Options{Iterations: 2048}
	}
	return nil
}

func newKey(t testing.TB, params *gost3410.Params) *gost3410.PrivateKey {
	t.Helper()
	key, err := gost3410.GenerateKey(params, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// passphrase returns a passphrase source that counts its calls.
func passphrase(pass string, calls *int) func() ([]byte, error) {
	return func() ([]byte, error) {
		*calls++
		return []byte(pass), nil
	}
}

func pemType(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, rest := pem.Decode(data)
	if block == nil || len(rest) != 0 {
		t.Fatalf("%s is not one PEM block", path)
	}
	return block.Type
}

func TestRoundTrip(t *testing.T) {
	for _, params := range []*gost3410.Params{gost3410.ParamsTC26256A(), gost3410.ParamsTC26512A()} {
		for _, pass := range []string{"", "secret"} {
			t.Run(fmt.Sprintf("%s/%q", params, pass), func(t *testing.T) {
				key := newKey(t, params)
				path := filepath.Join(t.TempDir(), "key.pem")
				if err := Write(path, key, []byte(pass), fast); err != nil {
					t.Fatal(err)
				}
				wantType := "PRIVATE KEY"
				if pass != "" {
					wantType = "ENCRYPTED PRIVATE KEY"
				}
				if got := pemType(t, path); got != wantType {
					t.Errorf("PEM type %q, want %q", got, wantType)
				}
				calls := 0
				got, err := Read(path, passphrase(pass, &calls))
				if err != nil {
					t.Fatal(err)
				}
				if !got.Equal(key) {
					t.Fatal("Read returned another key")
				}
				if wantCalls := min(len(pass), 1); calls != wantCalls {
					t.Errorf("passphrase called %d times, want %d", calls, wantCalls)
				}
			})
		}
	}
}

// TestWriteDefaults goes through Write with nil options, at DefaultIterations.
func TestWriteDefaults(t *testing.T) {
	if testing.Short() || testkit.Race {
		t.Skip("PBKDF2 at DefaultIterations is slow in -short and -race runs")
	}
	key := newKey(t, gost3410.ParamsTC26256A())
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := Write(path, key, []byte("secret"), nil); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path, envSource(t, "secret"))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(key) {
		t.Fatal("Read returned another key")
	}
}

// envSource is FromEnv on a variable set to value for the test.
func envSource(t *testing.T, value string) func() ([]byte, error) {
	t.Setenv("GOSTCA_TEST_PASSPHRASE", value)
	return FromEnv("GOSTCA_TEST_PASSPHRASE")
}

func TestWriteRefusesOverwrite(t *testing.T) {
	key := newKey(t, gost3410.ParamsTC26256A())
	dir := t.TempDir()
	tests := []struct {
		name  string
		setup func(path string) error
	}{
		{"regular file", func(path string) error { return os.WriteFile(path, []byte("precious"), 0o600) }},
		{"empty file", func(path string) error { return os.WriteFile(path, nil, 0o600) }},
		{"directory", func(path string) error { return os.Mkdir(path, 0o700) }},
		{"dangling symlink", func(path string) error { return os.Symlink(filepath.Join(dir, "nowhere"), path) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-"))
			if err := tt.setup(path); err != nil {
				t.Fatal(err)
			}
			before, _ := os.Lstat(path)
			err := Write(path, key, nil, fast)
			if !errors.Is(err, fs.ErrExist) {
				t.Fatalf("Write over an existing %s: %v, want fs.ErrExist", tt.name, err)
			}
			after, _ := os.Lstat(path)
			if before.Mode() != after.Mode() || before.Size() != after.Size() || !before.ModTime().Equal(after.ModTime()) {
				t.Errorf("the existing %s changed", tt.name)
			}
		})
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Write followed the dangling symlink: %v", err)
	}
	assertNoTemporaryFiles(t, dir)
}

// TestWriteConcurrent races Writes to one path: exactly one wins and the
// file holds its key.
func TestWriteConcurrent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key.pem")
	const writers = 8
	keys := make([]*gost3410.PrivateKey, writers)
	errs := make([]error, writers)
	for i := range keys {
		keys[i] = newKey(t, gost3410.ParamsTC26256A())
	}
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() { errs[i] = Write(path, keys[i], nil, fast) })
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner == -1:
			winner = i
		case err == nil:
			t.Fatalf("writers %d and %d both succeeded", winner, i)
		case !errors.Is(err, fs.ErrExist):
			t.Errorf("writer %d: %v, want fs.ErrExist", i, err)
		}
	}
	if winner == -1 {
		t.Fatal("no writer succeeded")
	}
	got, err := Read(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(keys[winner]) {
		t.Error("the file holds another writer's key")
	}
	assertNoTemporaryFiles(t, dir)
}

func assertNoTemporaryFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	key := newKey(t, gost3410.ParamsTC26256A())
	tests := []struct {
		name string
		path string
		key  *gost3410.PrivateKey
	}{
		{"missing directory", filepath.Join(dir, "missing", "key.pem"), key},
		{"nil key", filepath.Join(dir, "nil.pem"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Write(tt.path, tt.key, nil, fast); err == nil {
				t.Fatal("Write succeeded")
			}
			if _, err := os.Lstat(tt.path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a file was left at %s: %v", tt.path, err)
			}
		})
	}
	assertNoTemporaryFiles(t, dir)
}

func TestReadPermissions(t *testing.T) {
	key := newKey(t, gost3410.ParamsTC26256A())
	tests := []struct {
		mode   fs.FileMode
		secure bool
	}{
		{0o600, true},
		{0o400, true},
		{0o700, true},
		{0o644, false},
		{0o640, false},
		{0o604, false},
		{0o620, false},
		{0o602, false},
		{0o610, false},
		{0o666, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%04o", tt.mode), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "key.pem")
			if err := Write(path, key, nil, fast); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			_, err := Read(path, nil)
			if tt.secure {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrInsecurePermissions) {
				t.Fatalf("Read: %v, want ErrInsecurePermissions", err)
			}
			// The message is for the operator: it must name the mode and
			// the fix.
			for _, want := range []string{fmt.Sprintf("%04o", tt.mode), "chmod 600 " + path} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	key := newKey(t, gost3410.ParamsTC26256A())
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.pem")
	encrypted := filepath.Join(dir, "encrypted.pem")
	if err := Write(plain, key, nil, fast); err != nil {
		t.Fatal(err)
	}
	if err := Write(encrypted, key, []byte("secret"), fast); err != nil {
		t.Fatal(err)
	}
	plainPEM, _ := os.ReadFile(plain)
	encPEM, _ := os.ReadFile(encrypted)
	plainBlock, _ := pem.Decode(plainPEM)
	errPrompt := errors.New("prompt cancelled")
	file := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	mustNotCall := func() ([]byte, error) {
		t.Error("passphrase called for a key that does not need one")
		return nil, errors.New("unexpected")
	}
	tests := []struct {
		name       string
		path       string
		passphrase func() ([]byte, error)
		want       error // checked with errors.Is when non-nil
	}{
		{"missing", filepath.Join(dir, "missing.pem"), nil, fs.ErrNotExist},
		{"directory", dir, nil, nil},
		{"encrypted without passphrase", encrypted, nil, ErrPassphraseNeeded},
		{"wrong passphrase", encrypted, func() ([]byte, error) { return []byte("Secret"), nil }, pkcs8.ErrIncorrectPassphrase},
		{"empty passphrase", encrypted, func() ([]byte, error) { return nil, nil }, pkcs8.ErrIncorrectPassphrase},
		{"passphrase source fails", encrypted, func() ([]byte, error) { return nil, errPrompt }, errPrompt},
		{"empty file", file("empty.pem", nil), mustNotCall, nil},
		{"certificate only", file("cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0}})), mustNotCall, nil},
		{"RSA PRIVATE KEY", file("rsa.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: plainBlock.Bytes})), mustNotCall, nil},
		{"two keys", file("two.pem", append(bytes.Clone(plainPEM), encPEM...)), mustNotCall, nil},
		{"legacy PEM encryption", file("legacy.pem", pem.EncodeToMemory(&pem.Block{
			Type: "PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00"}, Bytes: plainBlock.Bytes,
		})), mustNotCall, nil},
		{"garbage DER", file("garbage.der", []byte{0x30, 0x03, 0x02, 0x01, 0x00}), mustNotCall, nil},
		{"truncated PEM", file("truncated.pem", plainPEM[:len(plainPEM)-20]), mustNotCall, nil},
		{"too large", file("large.pem", append(bytes.Repeat([]byte("#\n"), maxFileSize), plainPEM...)), mustNotCall, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read(tt.path, tt.passphrase)
			if err == nil {
				t.Fatalf("Read succeeded: %v", got)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Read: %v, want %v", err, tt.want)
			}
		})
	}
}

// TestReadAccepts reads forms Write does not make.
func TestReadAccepts(t *testing.T) {
	key := newKey(t, gost3410.ParamsTC26512A())
	der, err := gost3410.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := pkcs8.Encrypt(rand.Reader, der, []byte("secret"), fast)
	if err != nil {
		t.Fatal(err)
	}
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0}})
	tests := []struct {
		name string
		data []byte
	}{
		{"DER", der},
		{"encrypted DER", enc},
		{"PEM with explanatory text", append([]byte("GOST key, tc26-512-a\n"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})...)},
		{"PEM after a certificate", append(bytes.Clone(cert), pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: enc})...)},
		{"PEM with CRLF", bytes.ReplaceAll(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), []byte("\n"), []byte("\r\n"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "key")
			if err := os.WriteFile(path, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := Read(path, func() ([]byte, error) { return []byte("secret"), nil })
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(key) {
				t.Fatal("Read returned another key")
			}
		})
	}
}

// copyPrivate copies a checked-in file (mode 0644 in a git checkout) to a
// 0600 file in a temporary directory.
func copyPrivate(t *testing.T, src string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestReadOpenSSLKeys reads the GOST engine's keys in testdata and checks
// them against the public keys the engine derived.
func TestReadOpenSSLKeys(t *testing.T) {
	paths, err := filepath.Glob("../../testdata/openssl/keys/KEY-*.pem")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no OpenSSL keys in testdata: %v", err)
	}
	for _, path := range paths {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "KEY-"), ".pem")
		t.Run(name, func(t *testing.T) {
			key, err := Read(copyPrivate(t, path), nil)
			if err != nil {
				t.Fatal(err)
			}
			pubPEM, err := os.ReadFile(filepath.Join(filepath.Dir(path), "PUB-"+name+".pem"))
			if err != nil {
				t.Fatal(err)
			}
			block, _ := pem.Decode(pubPEM)
			pub, err := gost3410.ParsePKIXPublicKey(block.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			if !pub.Equal(key.Public()) {
				t.Error("the key does not match OpenSSL's public key")
			}
			if key.Params().String() != name {
				t.Errorf("parameter set %s, want %s", key.Params(), name)
			}
		})
	}
}

// TestReadGnuTLSKeys reads certtool's keys in testdata and checks them
// against the certificates certtool issued for them.
func TestReadGnuTLSKeys(t *testing.T) {
	paths, err := filepath.Glob("../../testdata/x509/gnutls/*/leaf.key")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no GnuTLS keys in testdata: %v", err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			key, err := Read(copyPrivate(t, path), nil)
			if err != nil {
				t.Fatal(err)
			}
			certPEM, err := os.ReadFile(filepath.Join(filepath.Dir(path), "leaf.pem"))
			if err != nil {
				t.Fatal(err)
			}
			block, _ := pem.Decode(certPEM)
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			pub, err := gost3410.ParsePKIXPublicKey(cert.RawSubjectPublicKeyInfo)
			if err != nil {
				t.Fatal(err)
			}
			if !pub.Equal(key.Public()) {
				t.Error("the key does not match certtool's certificate")
			}
		})
	}
}

func TestFromFile(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		content string
		mode    fs.FileMode
		want    string // "" means an error
		wantErr error
	}{
		{"line", "secret\n", 0o600, "secret", nil},
		{"no newline", "secret", 0o600, "secret", nil},
		{"CRLF", "secret\r\n", 0o600, "secret", nil},
		{"first line only", "secret\nsecond\n", 0o600, "secret", nil},
		{"spaces kept", " se cret \n", 0o400, " se cret ", nil},
		{"UTF-8", "пароль\n", 0o600, "пароль", nil},
		{"empty", "", 0o600, "", nil},
		{"empty first line", "\nsecret\n", 0o600, "", nil},
		{"group readable", "secret\n", 0o640, "", ErrInsecurePermissions},
		{"world readable", "secret\n", 0o644, "", ErrInsecurePermissions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-"))
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			got, err := FromFile(path)()
			if tt.want != "" {
				if err != nil || string(got) != tt.want {
					t.Fatalf("FromFile = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("FromFile = %q, want an error", got)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("FromFile: %v, want %v", err, tt.wantErr)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		if _, err := FromFile(filepath.Join(dir, "missing"))(); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("FromFile: %v, want fs.ErrNotExist", err)
		}
	})
}

func TestFromEnv(t *testing.T) {
	const name = "GOSTCA_TEST_KEYFILE_PASSPHRASE"
	t.Run("set", func(t *testing.T) {
		t.Setenv(name, "secret phrase")
		got, err := FromEnv(name)()
		if err != nil || string(got) != "secret phrase" {
			t.Fatalf("FromEnv = %q, %v", got, err)
		}
	})
	t.Run("empty", func(t *testing.T) {
		t.Setenv(name, "")
		if got, err := FromEnv(name)(); err == nil {
			t.Fatalf("FromEnv = %q, want an error", got)
		}
	})
	t.Run("unset", func(t *testing.T) {
		t.Setenv(name, "x") // restores the variable's state afterwards
		os.Unsetenv(name)
		if got, err := FromEnv(name)(); err == nil {
			t.Fatalf("FromEnv = %q, want an error", got)
		}
	})
	t.Run("read when called", func(t *testing.T) {
		t.Setenv(name, "before")
		source := FromEnv(name)
		os.Setenv(name, "after")
		if got, err := source(); err != nil || string(got) != "after" {
			t.Fatalf("FromEnv = %q, %v; want %q", got, err, "after")
		}
	})
}
