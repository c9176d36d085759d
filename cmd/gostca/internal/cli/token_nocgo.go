//go:build !cgo

package cli

// pkcs11Built: without cgo, crypto/pkcs11 is a stub whose operations fail
// with ErrNotBuilt; the token commands say so, the rest of the CLI works.
const pkcs11Built = false
