//go:build amd64 && !purego

package streebog

// lpsXor is lpsXorGeneric in assembly (lps_amd64.s, made by gen_lps.go).
//
//go:noescape
func lpsXor(dst, a, b *[8]uint64)
