//go:build race

package main

// raceEnabled: under the race detector, PBKDF2-Streebog (every read of a
// CA key, 200,000 iterations) is some fifty times slower, over a minute per
// command; the scripts then run a plain build of this package instead of
// the race-instrumented test binary (see TestScripts).
const raceEnabled = true
