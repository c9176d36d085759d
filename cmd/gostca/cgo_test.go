//go:build cgo

package main

// cgoEnabled: the binary can load PKCS#11 modules (condition [cgo]).
const cgoEnabled = true
