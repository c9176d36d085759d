//go:build amd64 && !purego

package gostec

// The pseudo-Mersenne multiplication in assembly (field_pm_amd64.s, made by
// gen_field.go) needs MULX (BMI2) and ADCX/ADOX (ADX); without them, and
// under the purego build tag, the generated Go of field_pm.go runs. Squaring
// has its own assembly (10 products instead of 16 for 4 limbs, 36 instead
// of 64 for 8). Both are tested against each other and against math/big.

//go:noescape
func mulPM4ADX(z, x, y *limbs, c uint64)

//go:noescape
func mulPM8ADX(z, x, y *limbs, c uint64)

//go:noescape
func sqrPM4ADX(z, x *limbs, c uint64)

//go:noescape
func sqrPM8ADX(z, x *limbs, c uint64)

func cpuid(leaf, sub uint32) (a, b, c, d uint32)

// hasADX is whether CPUID leaf 7 reports BMI2 (EBX bit 8) and ADX (bit 19).
var hasADX = func() bool {
	if max, _, _, _ := cpuid(0, 0); max < 7 {
		return false
	}
	_, b, _, _ := cpuid(7, 0)
	return b&(1<<8) != 0 && b&(1<<19) != 0
}()

func mulPM4(z, x, y *limbs, c uint64) {
	if hasADX {
		mulPM4ADX(z, x, y, c)
	} else {
		mulPM4Generic(z, x, y, c)
	}
}

func sqrPM4(z, x *limbs, c uint64) {
	if hasADX {
		sqrPM4ADX(z, x, c)
	} else {
		sqrPM4Generic(z, x, c)
	}
}

func mulPM8(z, x, y *limbs, c uint64) {
	if hasADX {
		mulPM8ADX(z, x, y, c)
	} else {
		mulPM8Generic(z, x, y, c)
	}
}

func sqrPM8(z, x *limbs, c uint64) {
	if hasADX {
		sqrPM8ADX(z, x, c)
	} else {
		sqrPM8Generic(z, x, c)
	}
}
