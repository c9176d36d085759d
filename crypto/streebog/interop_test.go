package streebog

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/internal/interop"
)

// TestOpenSSLInterop hashes random messages with this package and with
// OpenSSL's GOST engine and requires equal hash codes. All messages go to
// one "openssl dgst" run per hash size.
func TestOpenSSLInterop(t *testing.T) {
	o := interop.OpenSSL(t)

	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("STREEBOG_INTEROP_SEED"); s != "" {
		if _, err := fmt.Sscan(s, &seed); err != nil {
			t.Fatalf("STREEBOG_INTEROP_SEED: %v", err)
		}
	}
	t.Logf("seed %d (rerun with STREEBOG_INTEROP_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0x5eed))

	const count = 200
	dir := t.TempDir()
	msgs := make([][]byte, 0, count+2)
	lengths := []int{0} // the empty message, then random lengths, then 1 MiB
	for range count {
		lengths = append(lengths, rng.IntN(4097))
	}
	lengths = append(lengths, 1<<20)
	files := make([]string, len(lengths))
	for i, n := range lengths {
		m := make([]byte, n)
		for j := range m {
			m[j] = byte(rng.Uint32())
		}
		msgs = append(msgs, m)
		files[i] = filepath.Join(dir, fmt.Sprintf("m%03d", i))
		if err := os.WriteFile(files[i], m, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name string
		md   string
		sum  func([]byte) []byte
	}{
		{"256", "-md_gost12_256", func(b []byte) []byte { s := Sum256(b); return s[:] }},
		{"512", "-md_gost12_512", func(b []byte) []byte { s := Sum512(b); return s[:] }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"dgst", tt.md}, files...)
			got := parseDgst(t, o.Run(t, nil, args...))
			if len(got) != len(files) {
				t.Fatalf("openssl printed %d hashes for %d files", len(got), len(files))
			}
			for i, f := range files {
				want, ok := got[f]
				if !ok {
					t.Fatalf("openssl printed no hash for %s", f)
				}
				if h := tt.sum(msgs[i]); !bytes.Equal(h, want) {
					t.Errorf("message %d (%d bytes): Sum = %x, openssl = %x", i, len(msgs[i]), h, want)
				}
			}
		})
	}
}

// parseDgst reads "openssl dgst" output lines of the form
// "md_gost12_256(PATH)= HEX" into a map from PATH to hash code.
func parseDgst(t *testing.T, out []byte) map[string][]byte {
	t.Helper()
	res := make(map[string][]byte)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		i, j := strings.IndexByte(line, '('), strings.LastIndex(line, ")= ")
		if i < 0 || j < i {
			t.Fatalf("unexpected openssl dgst line %q", line)
		}
		h, err := hex.DecodeString(line[j+3:])
		if err != nil {
			t.Fatalf("openssl dgst line %q: %v", line, err)
		}
		res[line[i+1:j]] = h
	}
	return res
}
