//go:build !race

package cms_test

// raceEnabled is true when the race detector slows the tests down.
const raceEnabled = false
