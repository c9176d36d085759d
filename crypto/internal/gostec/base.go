package gostec

// The fixed-base table holds, for every 4-bit window i of a scalar (there
// are ⌈bits(q)/4⌉ of them) and every digit j in 1..15, the affine point
// j·16^i·G in Montgomery form. k·G is then the sum over the windows of the
// entry selected by k's digit: one mixed addition per window and no
// doublings. The table is flat, n limbs per coordinate:
//
//	baseTable[((i*15 + (j-1))*2 + 0)*n : ...+n] = x of j·16^i·G
//	baseTable[((i*15 + (j-1))*2 + 1)*n : ...+n] = y of j·16^i·G
//
// It is 30 KiB for a 256-bit curve and 120 KiB for a 512-bit one, built on
// first use of ScalarBaseMult.

// baseTableData returns the fixed-base table, building it once.
func (c *Curve) baseTableData() []uint64 {
	c.baseOnce.Do(c.buildBaseTable)
	return c.baseTable
}

func (c *Curve) buildBaseTable() {
	fp := c.p
	n := fp.n
	windows := (c.qBits() + 3) / 4
	pts := make([]Point, windows*15)
	b := c.NewGenerator()
	for i := 0; i < windows; i++ {
		row := pts[i*15 : i*15+15]
		row[0] = *b
		for j := 1; j < 15; j++ {
			if j%2 == 1 {
				row[j].Double(&row[j/2])
			} else {
				row[j].Add(&row[j-1], b)
			}
		}
		b.Add(&row[14], b) // 16·b
	}
	// Batch inversion of the Z coordinates (Montgomery's trick). None is
	// zero: j·16^i is not a multiple of the prime q > 16 for 0 < j < 16.
	prefix := make([]limbs, len(pts))
	acc := fp.one
	for k := range pts {
		prefix[k] = acc
		fp.mul(&acc, &acc, &pts[k].z)
	}
	var inv limbs
	fp.inv(&inv, &acc)
	table := make([]uint64, len(pts)*2*n)
	for k := len(pts) - 1; k >= 0; k-- {
		var zinv, x, y limbs
		fp.mul(&zinv, &inv, &prefix[k])
		fp.mul(&inv, &inv, &pts[k].z)
		fp.mul(&x, &pts[k].x, &zinv)
		fp.mul(&y, &pts[k].y, &zinv)
		copy(table[(2*k)*n:(2*k+1)*n], x[:n])
		copy(table[(2*k+1)*n:(2*k+2)*n], y[:n])
	}
	c.baseTable = table
}

// ScalarBaseMult sets p = k·G and returns p. It panics if k belongs to a
// different curve than p. Constant time in k: every window costs one table
// scan over all 15 entries and one addition, whatever the digit.
func (p *Point) ScalarBaseMult(k *Scalar) *Point {
	c := p.c
	if c != k.c {
		panic("gostec: mixing a point and a scalar of different curves")
	}
	table := c.baseTableData()
	fp := c.p
	n := fp.n
	var e limbs
	c.q.fromMont(&e, &k.v)

	acc := Point{c: c, y: fp.one}
	var sum Point
	windows := (c.qBits() + 3) / 4
	for i := 0; i < windows; i++ {
		w := (e[i/16] >> (4 * uint(i%16))) & 0xf
		var x, y limbs
		base := i * 15 * 2 * n
		for j := 1; j < 16; j++ {
			mask := -ctEqByte(w, uint64(j))
			ex := table[base+(j-1)*2*n : base+(j-1)*2*n+n]
			ey := table[base+(j-1)*2*n+n : base+(j-1)*2*n+2*n]
			for l := 0; l < n; l++ {
				x[l] |= ex[l] & mask
				y[l] |= ey[l] & mask
			}
		}
		// For the digit 0 nothing was selected and (x, y) = (0, 0) is not
		// the identity: compute the sum anyway and keep acc instead.
		sum.addAffine(&acc, &x, &y)
		nonzero := 1 ^ ctEqByte(w, 0)
		acc.Select(&sum, &acc, int(nonzero))
	}
	*p = acc
	return p
}
