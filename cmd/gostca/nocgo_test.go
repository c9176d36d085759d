//go:build !cgo

package main

// cgoEnabled: built without cgo, the token commands fail with
// crypto/pkcs11's stub error (condition [cgo] is false).
const cgoEnabled = false
