//go:build !amd64 || purego

package gostec

// vtEdDouble sets r = 2p, with r.t only if withT (edDouble or
// edDoubleXYZ). For the variable-time verification; edwards_amd64.go has
// the assembly version.
func (c *Curve) vtEdDouble(r, p *edPoint, withT bool) {
	if withT {
		c.edDouble(r, p)
		return
	}
	var e, h limbs
	c.edDoubleXYZ(r, p, &e, &h)
}

// vtEdAdd is edAdd for the variable-time verification.
func (c *Curve) vtEdAdd(r, p *edPoint, q *edCached) { c.edAdd(r, p, q) }

// vtEdReduce reduces the coordinates of a result of vtEdDouble or vtEdAdd
// below p: the Go formulas do.
func (c *Curve) vtEdReduce(p *edPoint) {}
