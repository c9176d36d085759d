//go:build amd64 && !purego

package streebog

import "golang.org/x/sys/cpu"

// The compression function in assembly (g_amd64.s, made by gen_lps.go), in
// two versions: gGFNI and blocksGFNI compute LPS with AVX-512 byte
// permutations and GFNI affine products, without tables; gAsm is the table
// version, for processors without those extensions.

//go:noescape
func gAsm(h, n, m *[8]uint64)

//go:noescape
func gGFNI(h, n, m *[8]uint64)

//go:noescape
func blocksGFNI(h, n, sigma *[8]uint64, p []byte)

// useGFNI is whether gGFNI and blocksGFNI can run: AVX-512 (F, BW, VBMI)
// with the operating system's support for its registers, and GFNI. Tests
// clear it to run the table version.
var useGFNI = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VBMI &&
	cpu.X86.HasAVX512GFNI

func g(h, n, m *[8]uint64) {
	if useGFNI {
		gGFNI(h, n, m)
	} else {
		gAsm(h, n, m)
	}
}

// blocks processes the full blocks of p, len(p) a multiple of BlockSize.
func blocks(d *digest, p []byte) {
	if useGFNI {
		blocksGFNI(&d.h, &d.n, &d.sigma, p)
	} else {
		blocksGeneric(d, p)
	}
}
