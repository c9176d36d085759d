//go:build race

package pkcs8

// raceEnabled skips the tests that run PBKDF2 at DefaultIterations: the race
// detector makes Streebog some fifty times slower, over a minute per key.
const raceEnabled = true
