//go:build !cgo

package pkcs11

import (
	"crypto"
	"io"

	"github.com/gostca/gostca/crypto/gost3410"
)

// Module is an open PKCS#11 library. In this build (without cgo) it
// cannot be made: Open fails with ErrNotBuilt.
type Module struct{}

// Open fails with ErrNotBuilt: loading a PKCS#11 module needs cgo.
func Open(module string, opts *Options) (*Module, error) { return nil, ErrNotBuilt }

// Close does nothing.
func (m *Module) Close() error { return nil }

// Tokens fails with ErrNotBuilt.
func (m *Module) Tokens() ([]Token, error) { return nil, ErrNotBuilt }

// Keys fails with ErrNotBuilt.
func (m *Module) Keys(u *URI, pin []byte) ([]KeyInfo, error) { return nil, ErrNotBuilt }

// FindKey fails with ErrNotBuilt.
func (m *Module) FindKey(u *URI, pin []byte) (*Key, error) { return nil, ErrNotBuilt }

// GenerateKey fails with ErrNotBuilt.
func (m *Module) GenerateKey(u *URI, params *gost3410.Params, pin []byte, opts *KeyOptions) (*Key, error) {
	return nil, ErrNotBuilt
}

// Key is a private key in a token; none exists in this build.
type Key struct{}

// Public returns nil.
func (k *Key) Public() crypto.PublicKey { return nil }

// PublicKey returns nil.
func (k *Key) PublicKey() *gost3410.PublicKey { return nil }

// Params returns nil.
func (k *Key) Params() *gost3410.Params { return nil }

// URI returns an empty URI.
func (k *Key) URI() *URI { return &URI{} }

// Sign fails with ErrNotBuilt.
func (k *Key) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return nil, ErrNotBuilt
}

// Close does nothing.
func (k *Key) Close() error { return nil }
