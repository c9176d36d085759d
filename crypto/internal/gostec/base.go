package gostec

// Fixed-base multiplication k·G, the whole cost of signing and of key
// generation, uses signed windows of baseWindow bits: k is recoded into
// digits k_i in [−16, 16] with k = Σ k_i·32^i, and k·G = Σ k_i·(32^i·G).
// For every window i the curve holds a table of j·32^i·G for j = 1..16 in
// affine coordinates, so each window costs one constant-time scan of the 16
// entries, a conditional negation and one mixed addition, and there are no
// doublings at all. The tables are built once per curve, on first use:
// 52 windows × 16 entries (256-bit curves, 52 KiB of (x, y); 78 KiB with
// the Edwards t coordinate) and 103 × 16 (512-bit curves, 206 or 309 KiB).
//
// The twisted Edwards curves (see edwards.go) keep their tables and their
// accumulator in Edwards coordinates, where the mixed addition is complete
// and cheaper, and convert the result to the Weierstrass form at the end.

const (
	baseWindow  = 5
	baseEntries = 1 << (baseWindow - 1) // 16: digits ±1..±16
	maxWindows  = (64*maxLimbs + 1 + baseWindow - 1) / baseWindow
)

// baseWindows returns the number of signed windows of a scalar below q:
// one more bit than q has, for the carry out of the top digit.
func (c *Curve) baseWindows() int { return (c.qBits() + 1 + baseWindow - 1) / baseWindow }

// signedDigits recodes the n-limb e < 2^(5·windows − 1) into windows signed
// digits, returned as magnitude (0..16) and sign (1 for negative) in
// constant time: window i takes its 5 bits plus the carry of the window
// below, and a value above 16 becomes value − 32 with a carry of 1.
// The count of windows and the bit positions are public.
func signedDigits(e *limbs, n, windows int, abs, neg *[maxWindows]uint64) {
	var carry uint64
	for i := 0; i < windows; i++ {
		bit := baseWindow * i
		w, s := bit/64, uint(bit%64)
		var raw uint64
		if w < n {
			raw = e[w] >> s
			if s > 64-baseWindow && w+1 < n {
				raw |= e[w+1] << (64 - s)
			}
		}
		raw = raw&(1<<baseWindow-1) + carry
		// carry = 1 if raw > 16, from the borrow of 16 − raw.
		carry = (baseEntries - raw) >> 63
		d := raw - carry<<baseWindow // raw or raw − 32, two's complement
		sign := d >> 63
		abs[i] = (d ^ -sign) + sign
		neg[i] = sign
	}
}

// baseTableData returns the Weierstrass fixed-base table, building it once:
// x then y of j·32^i·G at ((i·16 + j − 1)·2 + {0, 1})·n.
func (c *Curve) baseTableData() []uint64 {
	c.baseOnce.Do(c.buildBaseTable)
	return c.baseTable
}

func (c *Curve) buildBaseTable() {
	fp := c.p
	n := fp.n
	windows := c.baseWindows()
	pts := make([]Point, windows*baseEntries)
	b := c.NewGenerator()
	for i := 0; i < windows; i++ {
		row := pts[i*baseEntries : (i+1)*baseEntries]
		row[0] = *b
		for j := 1; j < baseEntries; j++ {
			if j%2 == 1 {
				row[j].Double(&row[j/2])
			} else {
				row[j].Add(&row[j-1], b)
			}
		}
		b.Double(&row[baseEntries-1]) // 32·b
	}
	// Batch inversion of the Z coordinates (Montgomery's trick). None is
	// zero: j·32^i is not a multiple of the prime q > 32 for 0 < j ≤ 16.
	zs := make([]limbs, len(pts))
	for k := range pts {
		zs[k] = pts[k].z
	}
	fp.batchInv(zs)
	table := make([]uint64, len(pts)*2*n)
	for k := range pts {
		var x, y limbs
		fp.mul(&x, &pts[k].x, &zs[k])
		fp.mul(&y, &pts[k].y, &zs[k])
		copy(table[(2*k)*n:(2*k+1)*n], x[:n])
		copy(table[(2*k+1)*n:(2*k+2)*n], y[:n])
	}
	c.baseTable = table
}

// batchInv replaces every element of zs by its inverse (Montgomery's trick:
// one inversion and 3(len−1) multiplications). No element may be zero. The
// count is public; the values are not branched on.
func (md *modulus) batchInv(zs []limbs) {
	prefix := make([]limbs, len(zs))
	acc := md.one
	for k := range zs {
		prefix[k] = acc
		md.mul(&acc, &acc, &zs[k])
	}
	var inv limbs
	md.inv(&inv, &acc)
	for k := len(zs) - 1; k >= 0; k-- {
		var zi limbs
		md.mul(&zi, &inv, &prefix[k])
		md.mul(&inv, &inv, &zs[k])
		zs[k] = zi
	}
}

// ScalarBaseMult sets p = k·G and returns p. It panics if k belongs to a
// different curve than p. Constant time in k: every window costs one table
// scan over all 16 entries, one conditional negation and one addition,
// whatever the digit.
func (p *Point) ScalarBaseMult(k *Scalar) *Point {
	c := p.c
	if c != k.c {
		panic("gostec: mixing a point and a scalar of different curves")
	}
	var e limbs
	c.q.fromMont(&e, &k.v)
	var abs, neg [maxWindows]uint64
	windows := c.baseWindows()
	signedDigits(&e, c.q.n, windows, &abs, &neg)
	if c.ed != nil {
		c.edScalarBaseMult(p, &abs, &neg, windows)
		return p
	}
	table := c.baseTableData()
	fp := c.p
	n := fp.n
	acc := Point{c: c, y: fp.one}
	var sum Point
	for i := 0; i < windows; i++ {
		var x, y limbs
		row := table[i*baseEntries*2*n : (i+1)*baseEntries*2*n]
		if n == 4 {
			scan4(row, abs[i], 2, &x, &y, nil)
		} else {
			scan8(row, abs[i], 2, &x, &y, nil)
		}
		var ny limbs
		fp.neg(&ny, &y)
		fp.ctSelect(&y, &ny, &y, neg[i])
		// For the digit 0 nothing was selected and (x, y) = (0, 0) is not
		// the identity: compute the sum anyway and keep acc instead.
		sum.addAffine(&acc, &x, &y)
		nonzero := 1 ^ ctEqByte(abs[i], 0)
		acc.Select(&sum, &acc, int(nonzero))
	}
	*p = acc
	return p
}

// scan4 ORs into x, y (and t, for coords = 3) the coordinates of the row's
// entry number abs (1..16; 0 selects nothing), reading all 16 entries of
// coords·4 words with masks: the constant-time table lookup of the 256-bit
// curves. scan8 is the same for 8-limb coordinates.
func scan4(row []uint64, abs uint64, coords int, x, y, t *limbs) {
	stride := coords * 4
	for j := 0; j < baseEntries; j++ {
		mask := -ctEqByte(abs, uint64(j+1))
		e := row[j*stride : j*stride+stride]
		ex, ey := (*[4]uint64)(e[0:4]), (*[4]uint64)(e[4:8])
		x[0] |= ex[0] & mask
		x[1] |= ex[1] & mask
		x[2] |= ex[2] & mask
		x[3] |= ex[3] & mask
		y[0] |= ey[0] & mask
		y[1] |= ey[1] & mask
		y[2] |= ey[2] & mask
		y[3] |= ey[3] & mask
		if coords == 3 {
			et := (*[4]uint64)(e[8:12])
			t[0] |= et[0] & mask
			t[1] |= et[1] & mask
			t[2] |= et[2] & mask
			t[3] |= et[3] & mask
		}
	}
}

func scan8(row []uint64, abs uint64, coords int, x, y, t *limbs) {
	stride := coords * 8
	for j := 0; j < baseEntries; j++ {
		mask := -ctEqByte(abs, uint64(j+1))
		e := row[j*stride : j*stride+stride]
		ex, ey := (*[8]uint64)(e[0:8]), (*[8]uint64)(e[8:16])
		for l := range 8 {
			x[l] |= ex[l] & mask
			y[l] |= ey[l] & mask
		}
		if coords == 3 {
			et := (*[8]uint64)(e[16:24])
			for l := range 8 {
				t[l] |= et[l] & mask
			}
		}
	}
}
