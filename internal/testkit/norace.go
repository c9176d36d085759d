//go:build !race

package testkit

// Race is true when the race detector is on and slows the tests down.
const Race = false
