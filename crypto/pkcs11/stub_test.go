//go:build !cgo

package pkcs11_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gostca/gostca/crypto/pkcs11"
)

// TestNotBuilt checks that a binary built without cgo says so.
func TestNotBuilt(t *testing.T) {
	_, err := pkcs11.Open("/usr/lib/softhsm/libsofthsm2.so", nil)
	if !errors.Is(err, pkcs11.ErrNotBuilt) {
		t.Fatalf("Open = %v, want ErrNotBuilt", err)
	}
	if want := "without PKCS#11 support"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
}
