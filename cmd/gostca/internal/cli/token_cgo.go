//go:build cgo

package cli

// pkcs11Built: crypto/pkcs11 can load modules (it needs cgo).
const pkcs11Built = true
