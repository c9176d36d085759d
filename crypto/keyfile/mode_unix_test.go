//go:build unix

package keyfile

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
)

// TestWriteMode checks that the key file is exactly 0600 whatever the umask:
// 0 must not widen it, 0277 must not narrow it. The umask is per process,
// so the test does not run in parallel with others.
func TestWriteMode(t *testing.T) {
	key := newKey(t, gost3410.ParamsTC26256A())
	for _, umask := range []int{0, 0o022, 0o077, 0o277} {
		t.Run(fmt.Sprintf("umask %04o", umask), func(t *testing.T) {
			for _, pass := range []string{"", "secret"} {
				path := filepath.Join(t.TempDir(), "key.pem")
				old := syscall.Umask(umask)
				err := Write(path, key, []byte(pass), fast)
				syscall.Umask(old)
				if err != nil {
					t.Fatal(err)
				}
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode(); got != 0o600 {
					t.Errorf("passphrase %q: mode %v, want -rw-------", pass, got)
				}
			}
		})
	}
}
