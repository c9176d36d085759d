//go:build cgo

package pkcs11

import (
	"testing"

	"github.com/gostca/gostca/internal/interop"
)

// SoftToken is a SoftHSM token made for one test (interop.NewSoftToken),
// with this package's ways in.
type SoftToken struct{ *interop.SoftToken }

// NewSoftToken makes an initialised token labelled label for the rest of
// the test (which therefore cannot be parallel).
func NewSoftToken(t testing.TB, label string) *SoftToken {
	t.Helper()
	return &SoftToken{interop.NewSoftToken(t, label)}
}

// URI returns a URI naming the token and, if object is not empty, a key.
func (tok *SoftToken) URI(object string) *URI {
	return &URI{Token: tok.Label, Object: object, ModulePath: tok.Module}
}

// Open opens the token's module, closed at the end of the test.
func (tok *SoftToken) Open(t testing.TB, opts *Options) *Module {
	t.Helper()
	m, err := Open(tok.Module, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}
