//go:build !amd64 || purego

package streebog

func lpsXor(dst, a, b *[8]uint64) { lpsXorGeneric(dst, a, b) }
