//go:build !amd64 || purego

package streebog

func g(h, n, m *[8]uint64) { gGeneric(h, n, m) }

func blocks(d *digest, p []byte) { blocksGeneric(d, p) }
