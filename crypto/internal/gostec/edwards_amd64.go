//go:build amd64 && !purego

package gostec

// The Edwards formulas of the variable-time verification as single
// assembly functions (edwards_amd64.s, made by gen_field.go): every field
// operation of a doubling or an addition inlined, with its temporaries in
// the frame, instead of a call per multiplication, addition and
// subtraction (see gen_field.go for why there are only two). They compute exactly what the Go formulas of edwards.go
// compute (all values fully reduced), which the tests check; they serve the
// pseudo-Mersenne fields only and need MULX and ADX, like field_pm_amd64.s.

//go:noescape
func edDblPM4ADX(r, p *edPoint, eh *[2]limbs, c uint64)

//go:noescape
func edAddPM4ADX(r, p *edPoint, q *edCached, c uint64)

//go:noescape
func edDblPM8ADX(r, p *edPoint, eh *[2]limbs, c uint64)

//go:noescape
func edAddPM8ADX(r, p *edPoint, q *edCached, c uint64)

// vtEdDouble sets r = 2p, with r.t only if withT (edDouble or
// edDoubleXYZ). For the variable-time verification.
func (c *Curve) vtEdDouble(r, p *edPoint, withT bool) {
	fp := c.p
	var eh [2]limbs
	switch {
	case !hasADX || fp.pmC == 0:
		c.edDoubleXYZ(r, p, &eh[0], &eh[1])
	case fp.n == 4:
		edDblPM4ADX(r, p, &eh, fp.pmC)
	default:
		edDblPM8ADX(r, p, &eh, fp.pmC)
	}
	if withT {
		fp.mul(&r.t, &eh[0], &eh[1])
	}
}

// vtEdAdd is edAdd for the variable-time verification.
func (c *Curve) vtEdAdd(r, p *edPoint, q *edCached) {
	fp := c.p
	switch {
	case !hasADX || fp.pmC == 0:
		c.edAdd(r, p, q)
	case fp.n == 4:
		edAddPM4ADX(r, p, q, fp.pmC)
	default:
		edAddPM8ADX(r, p, q, fp.pmC)
	}
}
