//go:build amd64 && !purego

package gostec

// The Edwards formulas of the variable-time verification as single
// assembly functions (edwards_amd64.s, made by gen_field.go): every field
// operation of a doubling or an addition inlined, with its temporaries in
// the frame, instead of a call per multiplication, addition and
// subtraction (see gen_field.go for why there are only two). They compute
// what the Go formulas of edwards.go compute, but leave the coordinates
// below 2^(64n) rather than below p (they take them so too): vtEdReduce
// reduces them before the Go arithmetic sees them. The tests compare them
// with the Go formulas modulo p. They serve the pseudo-Mersenne fields only
// and need MULX and ADX, like field_pm_amd64.s.

//go:noescape
func edDblPM4ADX(r, p *edPoint, eh *[2]limbs, c uint64)

//go:noescape
func edAddPM4ADX(r, p *edPoint, q *edCached, c uint64)

//go:noescape
func edDblPM8ADX(r, p *edPoint, eh *[2]limbs, c uint64)

//go:noescape
func edAddPM8ADX(r, p *edPoint, q *edCached, c uint64)

// vtEdDouble sets r = 2p, with r.t only if withT (edDouble or
// edDoubleXYZ). For the variable-time verification; r's coordinates may be
// left unreduced (see vtEdReduce).
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

// vtEdAdd is edAdd for the variable-time verification; r's coordinates
// may be left unreduced (see vtEdReduce).
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

// vtEdReduce reduces below p the coordinates of a result of vtEdDouble or
// vtEdAdd. The assembly leaves them below 2^(64n); on these fields R = 1,
// so a multiplication by 1 reduces.
func (c *Curve) vtEdReduce(p *edPoint) {
	fp := c.p
	if !hasADX || fp.pmC == 0 {
		return
	}
	one := limbs{0: 1}
	fp.mul(&p.x, &p.x, &one)
	fp.mul(&p.y, &p.y, &one)
	fp.mul(&p.z, &p.z, &one)
	fp.mul(&p.t, &p.t, &one)
}
