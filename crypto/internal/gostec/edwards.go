package gostec

import "errors"

// The twisted Edwards sets (tc26-256-paramSetA and tc26-512-paramSetC, RFC
// 7836) are the Weierstrass curves of their parameters, birationally
// equivalent to e·u² + v² = 1 + d·u²·v² with e = 1 and d not a square.
// With d not a square the Edwards addition law is complete (Bernstein and
// Lange 2007), and in extended coordinates (Hisil, Wong, Carter and Dawson
// 2008) a mixed addition costs 8 multiplications against 16 for the
// complete Weierstrass formulas, a doubling 4 multiplications and 4
// squarings. The package's points stay Weierstrass points: only
// ScalarBaseMult and VarTimeScalarBaseMultAdd compute on these curves in
// Edwards form, converting at their ends with the maps of RFC 7836 (with
// s = (e − d)/4 and t = (e + d)/6):
//
//	x = s·(1 + v)/(1 − v) + t,  y = s·(1 + v)/((1 − v)·u)
//	u = (x − t)/y,              v = (x − t − s)/(x − t + s)
//
// which in projective coordinates need no inversion.

// edwardsForm holds the Edwards constants of a curve, in the field's
// representation.
type edwardsForm struct {
	d, s, t limbs
}

// edPoint is a point (u, v) of the Edwards curve in extended coordinates:
// u = X/Z, v = Y/Z, X·Y = Z·T. The identity is (0 : 1 : 1 : 0).
type edPoint struct {
	x, y, z, t limbs
}

// setEdwards attaches the Edwards form with e = 1 and the big-endian d to
// c, after checking that it maps exactly to c's a and b
// (a = s² − 3t², b = 2t³ − t·s²) and that G maps to a point of it.
func (c *Curve) setEdwards(dBytes []byte) error {
	fp := c.p
	if len(dBytes) != c.size {
		return errors.New("gostec: Edwards d has the wrong length")
	}
	ed := &edwardsForm{}
	var x limbs
	fp.setBytes(&x, dBytes)
	if fp.lessThanM(&x) != 1 {
		return errors.New("gostec: Edwards d is not less than p")
	}
	fp.toMont(&ed.d, &x)
	var two, three, four, six, inv limbs
	fp.add(&two, &fp.one, &fp.one)
	fp.add(&three, &two, &fp.one)
	fp.add(&four, &two, &two)
	fp.add(&six, &three, &three)
	fp.sub(&ed.s, &fp.one, &ed.d)
	fp.inv(&inv, &four)
	fp.mul(&ed.s, &ed.s, &inv)
	fp.add(&ed.t, &fp.one, &ed.d)
	fp.inv(&inv, &six)
	fp.mul(&ed.t, &ed.t, &inv)

	var s2, t2, a, b, u limbs
	fp.sqr(&s2, &ed.s)
	fp.sqr(&t2, &ed.t)
	fp.mul(&u, &three, &t2)
	fp.sub(&a, &s2, &u) // s² − 3t²
	fp.mul(&u, &two, &t2)
	fp.sub(&u, &u, &s2)
	fp.mul(&b, &u, &ed.t) // t·(2t² − s²)
	if fp.equal(&a, &c.a)&fp.equal(&b, &c.b) != 1 {
		return errors.New("gostec: the Edwards form does not map to the curve's a and b")
	}
	c.ed = ed
	var g edPoint
	c.NewGenerator().toEdwards(&g)
	if !c.edOnCurve(&g) {
		c.ed = nil
		return errors.New("gostec: G does not map to the Edwards curve")
	}
	return nil
}

// edOnCurve reports whether the extended point satisfies
// (X² + Y²)·Z² = Z⁴ + d·X²·Y² and X·Y = Z·T. For tests and setup only.
func (c *Curve) edOnCurve(p *edPoint) bool {
	fp := c.p
	var x2, y2, z2, l, r, t limbs
	fp.sqr(&x2, &p.x)
	fp.sqr(&y2, &p.y)
	fp.sqr(&z2, &p.z)
	fp.add(&l, &x2, &y2)
	fp.mul(&l, &l, &z2)
	fp.sqr(&r, &z2)
	fp.mul(&t, &x2, &y2)
	fp.mul(&t, &t, &c.ed.d)
	fp.add(&r, &r, &t)
	var xy, zt limbs
	fp.mul(&xy, &p.x, &p.y)
	fp.mul(&zt, &p.z, &p.t)
	return fp.equal(&l, &r) == 1 && fp.equal(&xy, &zt) == 1 && fp.isZero(&p.z) == 0
}

// toEdwards sets r to the Edwards form of p, which must not be the identity
// nor a point of order 2 (no point of the prime-order subgroup but the
// identity is): with A = X − t·Z, B = A − s·Z, C = A + s·Z, it is
// (A·C : B·Y : Y·C : A·B). Constant time.
func (p *Point) toEdwards(r *edPoint) {
	c := p.c
	fp := c.p
	var a, b, cc, sz limbs
	fp.mul(&a, &c.ed.t, &p.z)
	fp.sub(&a, &p.x, &a)
	fp.mul(&sz, &c.ed.s, &p.z)
	fp.sub(&b, &a, &sz)
	fp.add(&cc, &a, &sz)
	fp.mul(&r.x, &a, &cc)
	fp.mul(&r.y, &b, &p.y)
	fp.mul(&r.z, &p.y, &cc)
	fp.mul(&r.t, &a, &b)
}

// fromEdwards sets p to the Weierstrass form of the Edwards point r:
// (X_W : Y_W : Z_W) = ((s·(Z+Y) + t·(Z−Y))·X : s·(Z+Y)·Z : (Z−Y)·X). The
// Edwards identity (0 : 1 : 1) maps to (0 : 2s : 0), the identity.
// Constant time.
func (p *Point) fromEdwards(c *Curve, r *edPoint) {
	fp := c.p
	var zpy, zmy, u, w limbs
	fp.add(&zpy, &r.z, &r.y)
	fp.sub(&zmy, &r.z, &r.y)
	fp.mul(&zpy, &zpy, &c.ed.s)
	fp.mul(&u, &zmy, &c.ed.t)
	fp.add(&u, &u, &zpy)
	p.c = c
	fp.mul(&p.x, &u, &r.x)
	fp.mul(&p.y, &zpy, &r.z)
	fp.mul(&w, &zmy, &r.x)
	p.z = w
}

// edDouble sets r = 2p (dbl-2008-hwcd with a = 1): 4M + 4S. It does not
// read p.t.
func (c *Curve) edDouble(r, p *edPoint) {
	var e, h limbs
	c.edDoubleXYZ(r, p, &e, &h)
	c.p.mul(&r.t, &e, &h)
}

// edDoubleXYZ sets X, Y and Z of r to those of 2p, leaving r.t stale, and
// returns in e and h the factors of T (T = e·h): 3M + 4S, for a doubling
// that only another doubling follows.
func (c *Curve) edDoubleXYZ(r, p *edPoint, e, h *limbs) {
	fp := c.p
	var a, b, cc, g, f limbs
	fp.sqr(&a, &p.x)
	fp.sqr(&b, &p.y)
	fp.sqr(&cc, &p.z)
	fp.add(&cc, &cc, &cc)
	fp.add(e, &p.x, &p.y)
	fp.sqr(e, e)
	fp.sub(e, e, &a)
	fp.sub(e, e, &b)
	fp.add(&g, &a, &b)
	fp.sub(&f, &g, &cc)
	fp.sub(h, &a, &b)
	fp.mul(&r.x, e, &f)
	fp.mul(&r.y, &g, h)
	fp.mul(&r.z, &f, &g)
}

// edAddAffine sets r = p + (x2, y2) where dt2 = d·x2·y2 (madd-2008-hwcd
// with a = 1, Z2 = 1 and T2 premultiplied by d): 8M. Complete: (x2, y2) may
// be the identity (0, 1), with dt2 = 0.
func (c *Curve) edAddAffine(r, p *edPoint, x2, y2, dt2 *limbs) {
	fp := c.p
	var a, b, cc, e, f, g, h, u limbs
	fp.mul(&a, &p.x, x2)
	fp.mul(&b, &p.y, y2)
	fp.mul(&cc, &p.t, dt2)
	fp.add(&e, &p.x, &p.y)
	fp.add(&u, x2, y2)
	fp.mul(&e, &e, &u)
	fp.sub(&e, &e, &a)
	fp.sub(&e, &e, &b)
	fp.sub(&f, &p.z, &cc)
	fp.add(&g, &p.z, &cc)
	fp.sub(&h, &b, &a)
	fp.mul(&r.x, &e, &f)
	fp.mul(&r.y, &g, &h)
	fp.mul(&r.t, &e, &h)
	fp.mul(&r.z, &f, &g)
}

// edCached is a point prepared as an addend: extended coordinates with T
// premultiplied by d.
type edCached struct {
	x, y, z, dt limbs
}

func (c *Curve) edCache(r *edCached, p *edPoint) {
	r.x, r.y, r.z = p.x, p.y, p.z
	c.p.mul(&r.dt, &p.t, &c.ed.d)
}

// edAdd sets r = p + q (add-2008-hwcd with a = 1): 9M. Complete.
func (c *Curve) edAdd(r, p *edPoint, q *edCached) {
	fp := c.p
	var a, b, cc, dd, e, f, g, h, u limbs
	fp.mul(&a, &p.x, &q.x)
	fp.mul(&b, &p.y, &q.y)
	fp.mul(&cc, &p.t, &q.dt)
	fp.mul(&dd, &p.z, &q.z)
	fp.add(&e, &p.x, &p.y)
	fp.add(&u, &q.x, &q.y)
	fp.mul(&e, &e, &u)
	fp.sub(&e, &e, &a)
	fp.sub(&e, &e, &b)
	fp.sub(&f, &dd, &cc)
	fp.add(&g, &dd, &cc)
	fp.sub(&h, &b, &a)
	fp.mul(&r.x, &e, &f)
	fp.mul(&r.y, &g, &h)
	fp.mul(&r.t, &e, &h)
	fp.mul(&r.z, &f, &g)
}

// edBaseTableData returns the Edwards fixed-base table, building it once:
// u, v and d·u·v of j·32^i·G at ((i·16 + j − 1)·3 + {0, 1, 2})·n.
func (c *Curve) edBaseTableData() []uint64 {
	c.baseOnce.Do(c.buildEdBaseTable)
	return c.baseTable
}

func (c *Curve) buildEdBaseTable() {
	fp := c.p
	n := fp.n
	windows := c.baseWindows()
	pts := make([]edPoint, windows*baseEntries)
	var b edPoint
	c.NewGenerator().toEdwards(&b)
	var bc edCached
	for i := 0; i < windows; i++ {
		row := pts[i*baseEntries : (i+1)*baseEntries]
		row[0] = b
		c.edCache(&bc, &b)
		for j := 1; j < baseEntries; j++ {
			if j%2 == 1 {
				c.edDouble(&row[j], &row[j/2])
			} else {
				c.edAdd(&row[j], &row[j-1], &bc)
			}
		}
		c.edDouble(&b, &row[baseEntries-1])
	}
	zs := make([]limbs, len(pts))
	for k := range pts {
		zs[k] = pts[k].z
	}
	fp.batchInv(zs)
	table := make([]uint64, len(pts)*3*n)
	for k := range pts {
		var x, y, t limbs
		fp.mul(&x, &pts[k].x, &zs[k])
		fp.mul(&y, &pts[k].y, &zs[k])
		fp.mul(&t, &x, &y)
		fp.mul(&t, &t, &c.ed.d)
		copy(table[(3*k)*n:], x[:n])
		copy(table[(3*k+1)*n:], y[:n])
		copy(table[(3*k+2)*n:(3*k+3)*n], t[:n])
	}
	c.baseTable = table
}

// edScalarBaseMult sets p = k·G for the recoded k, on an Edwards curve.
// Constant time: each window scans all 16 entries (the digit 0 selects the
// identity (0, 1, 0)), negates conditionally and adds.
func (c *Curve) edScalarBaseMult(p *Point, abs, neg *[maxWindows]uint64, windows int) {
	table := c.edBaseTableData()
	fp := c.p
	n := fp.n
	acc := edPoint{y: fp.one, z: fp.one}
	for i := 0; i < windows; i++ {
		var x, y, t limbs
		zero := -ctEqByte(abs[i], 0)
		for l := 0; l < n; l++ {
			y[l] = fp.one[l] & zero
		}
		row := table[i*baseEntries*3*n : (i+1)*baseEntries*3*n]
		if n == 4 {
			scan4(row, abs[i], 3, &x, &y, &t)
		} else {
			scan8(row, abs[i], 3, &x, &y, &t)
		}
		var nx, nt limbs
		fp.neg(&nx, &x)
		fp.neg(&nt, &t)
		fp.ctSelect(&x, &nx, &x, neg[i])
		fp.ctSelect(&t, &nt, &t, neg[i])
		c.edAddAffine(&acc, &acc, &x, &y, &t)
	}
	p.fromEdwards(c, &acc)
}

// edNAFTable returns the odd multiples G, 3G, ..., 127G on an Edwards curve
// ([0]) and their negatives ([1]), affine (Z = 1) in the cached form, for
// the variable-time verification, computed once.
func (c *Curve) edNAFTable() *[2][edNAFPoints]edCached {
	c.nafOnce.Do(func() {
		fp := c.p
		var g, twice edPoint
		c.NewGenerator().toEdwards(&g)
		c.edDouble(&twice, &g)
		var tc edCached
		c.edCache(&tc, &twice)
		pts := make([]edPoint, edNAFPoints)
		pts[0] = g
		for i := 1; i < edNAFPoints; i++ {
			c.edAdd(&pts[i], &pts[i-1], &tc)
		}
		zs := make([]limbs, edNAFPoints)
		for i := range pts {
			zs[i] = pts[i].z
		}
		fp.batchInv(zs)
		t := new([2][edNAFPoints]edCached)
		for i := range pts {
			e, n := &t[0][i], &t[1][i]
			fp.mul(&e.x, &pts[i].x, &zs[i])
			fp.mul(&e.y, &pts[i].y, &zs[i])
			e.z = fp.one
			fp.mul(&e.dt, &e.x, &e.y)
			fp.mul(&e.dt, &e.dt, &c.ed.d)
			fp.neg(&n.x, &e.x)
			n.y, n.z = e.y, e.z
			fp.neg(&n.dt, &e.dt)
		}
		c.edTable = t
	})
	return c.edTable
}

// edVarTimeScalarBaseMultAdd is VarTimeScalarBaseMultAdd on an Edwards
// curve, for the NAF digits d1 of u1 (width 8, over the table of G) and d2
// of u2 (width 5, over odd multiples of q made here and their negatives).
// The doublings and additions are vtEdDouble and vtEdAdd: fused assembly
// where the field has it, on coordinates that stay unreduced until
// vtEdReduce. Variable time.
func (c *Curve) edVarTimeScalarBaseMultAdd(p *Point, d1 []int8, q *Point, d2 []int8) {
	fp := c.p
	gTable := c.edNAFTable()
	var table [2][1 << (wnafWidth - 2)]edCached
	var q1, twice, acc edPoint
	q.toEdwards(&q1)
	c.edDouble(&twice, &q1)
	var tc edCached
	c.edCache(&tc, &twice)
	c.edCache(&table[0][0], &q1)
	for i := 1; i < len(table[0]); i++ {
		c.vtEdAdd(&acc, &q1, &tc)
		q1 = acc
		c.vtEdReduce(&q1) // for the negation below
		c.edCache(&table[0][i], &q1)
	}
	for i := range table[0] {
		e, n := &table[0][i], &table[1][i]
		fp.neg(&n.x, &e.x)
		n.y, n.z = e.y, e.z
		fp.neg(&n.dt, &e.dt)
	}
	acc = edPoint{y: fp.one, z: fp.one}
	started := false
	for i := max(len(d1), len(d2)) - 1; i >= 0; i-- {
		var a1, a2 int8
		if i < len(d1) {
			a1 = d1[i]
		}
		if i < len(d2) {
			a2 = d2[i]
		}
		if started {
			// T is needed only by an addition in this step.
			c.vtEdDouble(&acc, &acc, a1 != 0 || a2 != 0)
		}
		switch {
		case a2 > 0:
			c.vtEdAdd(&acc, &acc, &table[0][a2/2])
			started = true
		case a2 < 0:
			c.vtEdAdd(&acc, &acc, &table[1][-a2/2])
			started = true
		}
		switch {
		case a1 > 0:
			c.vtEdAdd(&acc, &acc, &gTable[0][a1/2])
			started = true
		case a1 < 0:
			c.vtEdAdd(&acc, &acc, &gTable[1][-a1/2])
			started = true
		}
	}
	c.vtEdReduce(&acc)
	p.fromEdwards(c, &acc)
}
