//go:build !race

package pkcs8

const raceEnabled = false
