package gostec

import "errors"

// The errors of SetBytes and SetReducedBytes are values, so that rejecting
// a candidate nonce does not allocate.
var (
	errScalarLength = errors.New("gostec: invalid scalar length")
	errScalarRange  = errors.New("gostec: scalar is not less than the group order")
)

// Scalar is an integer modulo the subgroup order q of a curve.
//
// The zero value is NOT valid; make scalars with [Curve.NewScalar]. Methods
// taking several scalars panic if they belong to different curves.
type Scalar struct {
	c *Curve
	v limbs // Montgomery form modulo q, fully reduced
}

// NewScalar returns a new Scalar set to 0.
func (c *Curve) NewScalar() *Scalar { return &Scalar{c: c} }

func (s *Scalar) check(x *Scalar) {
	if s.c != x.c {
		panic("gostec: mixing scalars of different curves")
	}
}

// Set sets s = x and returns s.
func (s *Scalar) Set(x *Scalar) *Scalar {
	*s = *x
	return s
}

// SetBytes sets s to the big-endian value b and returns s. It returns an
// error, leaving s unchanged, if len(b) != Size() or b ≥ q. The comparison
// with q is constant time; only its outcome is revealed.
func (s *Scalar) SetBytes(b []byte) (*Scalar, error) {
	fq := s.c.q
	if len(b) != s.c.size {
		return nil, errScalarLength
	}
	var x limbs
	fq.setBytes(&x, b)
	if fq.lessThanM(&x) != 1 {
		return nil, errScalarRange
	}
	fq.toMont(&s.v, &x)
	return s, nil
}

// SetReducedBytes sets s to b mod q, for the big-endian b of exactly Size()
// bytes (which may be any value, including values ≥ q), and returns s. It is
// meant for a digest and for r = x mod q. It returns an error, leaving s
// unchanged, only if len(b) != Size(). Constant time.
func (s *Scalar) SetReducedBytes(b []byte) (*Scalar, error) {
	fq := s.c.q
	if len(b) != s.c.size {
		return nil, errScalarLength
	}
	var x limbs
	fq.setBytes(&x, b)
	// Montgomery multiplication by R² mod q is correct for any x < R: the
	// product is below R·q, so one conditional subtraction suffices.
	fq.toMont(&s.v, &x)
	return s, nil
}

// Bytes returns the value of s, big-endian of Size() bytes.
func (s *Scalar) Bytes() []byte {
	out := make([]byte, s.c.size)
	s.FillBytes(out)
	return out
}

// FillBytes writes s big-endian into b, which must be Size() bytes long,
// and returns b; it panics otherwise. It does not allocate.
func (s *Scalar) FillBytes(b []byte) []byte {
	if len(b) != s.c.size {
		panic("gostec: FillBytes buffer of the wrong length")
	}
	var x limbs
	s.c.q.fromMont(&x, &s.v)
	s.c.q.fillBytes(b, &x)
	return b
}

// Add sets s = x + y mod q and returns s.
func (s *Scalar) Add(x, y *Scalar) *Scalar {
	x.check(y)
	x.c.q.add(&s.v, &x.v, &y.v)
	s.c = x.c
	return s
}

// Sub sets s = x − y mod q and returns s.
func (s *Scalar) Sub(x, y *Scalar) *Scalar {
	x.check(y)
	x.c.q.sub(&s.v, &x.v, &y.v)
	s.c = x.c
	return s
}

// Mul sets s = x·y mod q and returns s.
func (s *Scalar) Mul(x, y *Scalar) *Scalar {
	x.check(y)
	x.c.q.mul(&s.v, &x.v, &y.v)
	s.c = x.c
	return s
}

// Negate sets s = −x mod q and returns s.
func (s *Scalar) Negate(x *Scalar) *Scalar {
	x.c.q.neg(&s.v, &x.v)
	s.c = x.c
	return s
}

// IsZero returns 1 if s == 0 and 0 otherwise, in constant time.
func (s *Scalar) IsZero() int { return s.c.q.isZero(&s.v) }

// Equal returns 1 if s == x and 0 otherwise, in constant time.
func (s *Scalar) Equal(x *Scalar) int {
	s.check(x)
	return s.c.q.equal(&s.v, &x.v)
}
