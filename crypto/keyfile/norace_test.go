//go:build !race

package keyfile

const raceEnabled = false
