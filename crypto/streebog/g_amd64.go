//go:build amd64 && !purego

package streebog

// gAsm is gGeneric in assembly (g_amd64.s, made by gen_lps.go).
//
//go:noescape
func gAsm(h, n, m *[8]uint64)

func g(h, n, m *[8]uint64) { gAsm(h, n, m) }
