package gost3410

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"errors"
	"math/big"
	mrand "math/rand"
	"strings"
	"testing"

	"github.com/gostca/gostca/crypto/streebog"
)

// testAllParams runs f for every parameter set as a named subtest.
func testAllParams(t *testing.T, f func(t *testing.T, p *Params)) {
	for _, p := range AllParams() {
		t.Run(p.Name(), func(t *testing.T) {
			t.Parallel()
			f(t, p)
		})
	}
}

func digestFor(p *Params, msg []byte) []byte {
	if p.Size() == 64 {
		d := streebog.Sum512(msg)
		return d[:]
	}
	d := streebog.Sum256(msg)
	return d[:]
}

// refCurve is a math/big affine implementation of the curve, written
// straight from the textbook formulas: an independent check of gostec and of
// the signing equations.
type refCurve struct{ p, a, b, q, gx, gy *big.Int }

func newRefCurve(t testing.TB, params *Params) *refCurve {
	c := params.ec()
	g, err := c.NewGenerator().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	n := func(b []byte) *big.Int { return new(big.Int).SetBytes(b) }
	return &refCurve{n(c.P()), n(c.A()), n(c.B()), n(c.Order()), n(g[:c.Size()]), n(g[c.Size():])}
}

// add returns P1 + P2; nil is the identity.
func (c *refCurve) add(x1, y1, x2, y2 *big.Int) (*big.Int, *big.Int) {
	if x1 == nil {
		return x2, y2
	}
	if x2 == nil {
		return x1, y1
	}
	var l *big.Int
	if x1.Cmp(x2) == 0 {
		if new(big.Int).Add(y1, y2).Mod(new(big.Int).Add(y1, y2), c.p).Sign() == 0 {
			return nil, nil
		}
		num := new(big.Int).Mul(x1, x1)
		num.Mul(num, big.NewInt(3)).Add(num, c.a)
		den := new(big.Int).Lsh(y1, 1)
		l = num.Mul(num, den.ModInverse(den, c.p))
	} else {
		num := new(big.Int).Sub(y2, y1)
		den := new(big.Int).Sub(x2, x1)
		den.Mod(den, c.p)
		l = num.Mul(num, den.ModInverse(den, c.p))
	}
	l.Mod(l, c.p)
	x3 := new(big.Int).Mul(l, l)
	x3.Sub(x3, x1).Sub(x3, x2).Mod(x3, c.p)
	y3 := new(big.Int).Sub(x1, x3)
	y3.Mul(y3, l).Sub(y3, y1).Mod(y3, c.p)
	return x3, y3
}

func (c *refCurve) mul(k, x, y *big.Int) (*big.Int, *big.Int) {
	var rx, ry *big.Int
	for i := k.BitLen() - 1; i >= 0; i-- {
		rx, ry = c.add(rx, ry, rx, ry)
		if k.Bit(i) == 1 {
			rx, ry = c.add(rx, ry, x, y)
		}
	}
	return rx, ry
}

// verify is the verification equation of GOST R 34.10-2012 §6.2 in math/big.
func (c *refCurve) verify(qx, qy *big.Int, digest, sig []byte) bool {
	size := len(sig) / 2
	s := new(big.Int).SetBytes(sig[:size])
	r := new(big.Int).SetBytes(sig[size:])
	if r.Sign() == 0 || s.Sign() == 0 || r.Cmp(c.q) >= 0 || s.Cmp(c.q) >= 0 {
		return false
	}
	e := new(big.Int).SetBytes(reversed(digest))
	e.Mod(e, c.q)
	if e.Sign() == 0 {
		e.SetInt64(1)
	}
	v := new(big.Int).ModInverse(e, c.q)
	z1 := new(big.Int).Mul(s, v)
	z1.Mod(z1, c.q)
	z2 := new(big.Int).Mul(r, v)
	z2.Neg(z2).Mod(z2, c.q)
	x1, y1 := c.mul(z1, c.gx, c.gy)
	x2, y2 := c.mul(z2, qx, qy)
	x, _ := c.add(x1, y1, x2, y2)
	if x == nil {
		return false
	}
	return new(big.Int).Mod(x, c.q).Cmp(r) == 0
}

func pubCoords(pub *PublicKey) (*big.Int, *big.Int) {
	size := pub.params.Size()
	raw := pub.Bytes()
	return new(big.Int).SetBytes(reversed(raw[:size])), new(big.Int).SetBytes(reversed(raw[size:]))
}

// TestSignVerify signs random digests with fresh keys on every parameter
// set, and checks each signature with Verify and with the math/big
// reference; the public key must be d·G by the reference too.
func TestSignVerify(t *testing.T) {
	testAllParams(t, func(t *testing.T, p *Params) {
		ref := newRefCurve(t, p)
		for i := range 4 {
			priv, err := GenerateKey(p, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			d := new(big.Int).SetBytes(reversed(priv.Bytes()))
			wx, wy := ref.mul(d, ref.gx, ref.gy)
			qx, qy := pubCoords(priv.PublicKey())
			if wx.Cmp(qx) != 0 || wy.Cmp(qy) != 0 {
				t.Fatalf("key %d: public key is not d·G", i)
			}
			digest := digestFor(p, []byte{byte(i)})
			sig, err := priv.Sign(rand.Reader, digest, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(sig) != 2*p.Size() {
				t.Fatalf("signature is %d bytes, want %d", len(sig), 2*p.Size())
			}
			if err := priv.PublicKey().Verify(digest, sig); err != nil {
				t.Errorf("Verify(own signature) = %v", err)
			}
			if !ref.verify(qx, qy, digest, sig) {
				t.Errorf("the math/big reference rejects signature %x", sig)
			}
			sig2, err := priv.Sign(rand.Reader, digest, crypto.Hash(0))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(sig, sig2) {
				t.Error("two signatures of one digest are equal: the nonce is not fresh")
			}
		}
	})
}

// TestVerifyReference feeds signatures made by the math/big reference (with
// random nonces) to Verify.
func TestVerifyReference(t *testing.T) {
	testAllParams(t, func(t *testing.T, p *Params) {
		ref := newRefCurve(t, p)
		priv, err := GenerateKey(p, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		d := new(big.Int).SetBytes(reversed(priv.Bytes()))
		for i := range 3 {
			digest := digestFor(p, []byte{byte(i), 'r'})
			e := new(big.Int).SetBytes(reversed(digest))
			e.Mod(e, ref.q)
			k, _ := rand.Int(rand.Reader, ref.q)
			cx, _ := ref.mul(k, ref.gx, ref.gy)
			r := new(big.Int).Mod(cx, ref.q)
			s := new(big.Int).Mul(r, d)
			s.Add(s, new(big.Int).Mul(k, e)).Mod(s, ref.q)
			sig := append(s.FillBytes(make([]byte, p.Size())), r.FillBytes(make([]byte, p.Size()))...)
			if err := priv.PublicKey().Verify(digest, sig); err != nil {
				t.Errorf("Verify(reference signature) = %v", err)
			}
		}
	})
}

// TestVerifyRejects lists the malformed and wrong signatures Verify must
// refuse with ErrInvalidSignature, and the digests of the wrong size it
// refuses with another error.
func TestVerifyRejects(t *testing.T) {
	testAllParams(t, func(t *testing.T, p *Params) {
		priv, err := GenerateKey(p, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		pub := priv.PublicKey()
		size := p.Size()
		digest := digestFor(p, []byte("message"))
		sig, err := priv.Sign(rand.Reader, digest, nil)
		if err != nil {
			t.Fatal(err)
		}
		q := p.ec().Order()
		zero := make([]byte, size)
		s, r := sig[:size], sig[size:]
		cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
		flip := func(b []byte, i int) []byte { c := bytes.Clone(b); c[i] ^= 0x01; return c }

		other, err := GenerateKey(p, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name        string
			pub         *PublicKey
			digest, sig []byte
			invalidSig  bool // errors.Is(err, ErrInvalidSignature)
		}{
			{"changed digest", pub, flip(digest, 0), sig, true},
			{"changed s", pub, digest, flip(sig, size-1), true},
			{"changed r", pub, digest, flip(sig, 2*size-1), true},
			{"r and s swapped", pub, digest, cat(r, s), true},
			{"other key", other.PublicKey(), digest, sig, true},
			{"r = 0", pub, digest, cat(s, zero), true},
			{"s = 0", pub, digest, cat(zero, r), true},
			{"r = q", pub, digest, cat(s, q), true},
			{"s = q", pub, digest, cat(q, r), true},
			{"r = 2^n-1", pub, digest, cat(s, bytes.Repeat([]byte{0xff}, size)), true},
			{"truncated signature", pub, digest, sig[:2*size-1], true},
			{"long signature", pub, digest, cat(sig, []byte{0}), true},
			{"empty signature", pub, digest, nil, true},
			{"short digest", pub, digest[:size-1], sig, false},
			{"long digest", pub, cat(digest, []byte{0}), sig, false},
		}
		for _, tt := range tests {
			err := tt.pub.Verify(tt.digest, tt.sig)
			if err == nil {
				t.Errorf("%s: Verify accepted", tt.name)
				continue
			}
			if got := errors.Is(err, ErrInvalidSignature); got != tt.invalidSig {
				t.Errorf("%s: errors.Is(%v, ErrInvalidSignature) = %v, want %v", tt.name, err, got, tt.invalidSig)
			}
		}
	})
}

// TestSignRejects lists the inputs Sign refuses.
func TestSignRejects(t *testing.T) {
	priv, err := GenerateKey(ParamsTC26256B(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	digest := streebog.Sum256([]byte("x"))
	tests := []struct {
		name   string
		rand   *bytes.Reader
		digest []byte
		opts   crypto.SignerOpts
	}{
		{"Streebog-512 digest for a 256-bit key", nil, make([]byte, 64), nil},
		{"short digest", nil, digest[:31], nil},
		{"SHA-256 named in opts", nil, digest[:], crypto.SHA256},
		{"random source fails", bytes.NewReader(nil), digest[:], nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.Reader
			if tt.rand != nil {
				r = tt.rand
			}
			if sig, err := priv.Sign(r, tt.digest, tt.opts); err == nil {
				t.Errorf("Sign = %x, want an error", sig)
			}
		})
	}
}

// TestNewPublicKeyRejects lists raw public keys that must be refused: bad
// lengths, coordinates out of range, points off the curve, and, on the two
// cofactor-4 curves, curve points outside the prime-order subgroup.
func TestNewPublicKeyRejects(t *testing.T) {
	testAllParams(t, func(t *testing.T, p *Params) {
		ref := newRefCurve(t, p)
		size := p.Size()
		le := func(x *big.Int) []byte { return reversed(x.FillBytes(make([]byte, size))) }
		point := func(x, y *big.Int) []byte { return append(le(x), le(y)...) }
		gy1 := new(big.Int).Add(ref.gy, big.NewInt(1))
		tests := []struct {
			name string
			raw  []byte
		}{
			{"empty", nil},
			{"one byte short", point(ref.gx, ref.gy)[1:]},
			{"one byte long", append(point(ref.gx, ref.gy), 0)},
			{"all zero (identity has no encoding)", make([]byte, 2*size)},
			{"off the curve", point(ref.gx, gy1)},
			{"y = p", point(ref.gx, ref.p)},
			{"all 0xff", bytes.Repeat([]byte{0xff}, 2*size)},
		}
		if xp := new(big.Int).Add(ref.gx, ref.p); xp.BitLen() <= 8*size {
			// x+p fits in the encoding: a non-canonical coordinate.
			tests = append(tests, struct {
				name string
				raw  []byte
			}{"x+p instead of x", point(xp, ref.gy)})
		}
		if p.ec().Cofactor() > 1 {
			x, y := outsideSubgroup(t, ref)
			tests = append(tests, struct {
				name string
				raw  []byte
			}{"outside the prime-order subgroup", point(x, y)})
		}
		for _, tt := range tests {
			if _, err := NewPublicKey(p, tt.raw); err == nil {
				t.Errorf("%s: NewPublicKey accepted %x", tt.name, tt.raw)
			}
		}
		// The generator itself is a valid key.
		if _, err := NewPublicKey(p, point(ref.gx, ref.gy)); err != nil {
			t.Errorf("NewPublicKey(G) = %v", err)
		}
	})
}

// outsideSubgroup finds a point on the curve that q does not annihilate.
func outsideSubgroup(t *testing.T, c *refCurve) (*big.Int, *big.Int) {
	rng := mrand.New(mrand.NewSource(1))
	for range 1000 {
		x := new(big.Int).Rand(rng, c.p)
		rhs := new(big.Int).Mul(x, x)
		rhs.Mul(rhs, x).Add(rhs, new(big.Int).Mul(c.a, x)).Add(rhs, c.b).Mod(rhs, c.p)
		y := new(big.Int).ModSqrt(rhs, c.p)
		if y == nil {
			continue
		}
		if qx, _ := c.mul(c.q, x, y); qx != nil {
			return x, y
		}
	}
	t.Fatal("no point outside the subgroup found")
	return nil, nil
}

// TestNewPrivateKeyRejects lists raw private keys that must be refused.
func TestNewPrivateKeyRejects(t *testing.T) {
	testAllParams(t, func(t *testing.T, p *Params) {
		size := p.Size()
		tests := []struct {
			name string
			raw  []byte
		}{
			{"zero", make([]byte, size)},
			{"q", reversed(p.ec().Order())},
			{"all 0xff", bytes.Repeat([]byte{0xff}, size)},
			{"short", make([]byte, size-1)},
			{"long", make([]byte, size+1)},
		}
		for _, tt := range tests {
			if _, err := NewPrivateKey(p, tt.raw); err == nil {
				t.Errorf("%s: NewPrivateKey accepted %x", tt.name, tt.raw)
			}
		}
	})
}

func TestKeyEquality(t *testing.T) {
	a, err := GenerateKey(ParamsCryptoProA(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// The same scalar under another OID of the same curve is another key.
	b, err := NewPrivateKey(ParamsTC26256B(), a.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	a2, err := NewPrivateKey(ParamsCryptoProA(), a.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !a.Equal(a2) || !a.PublicKey().Equal(a2.Public()) {
		t.Error("a key is not equal to its own re-decoding")
	}
	if a.Equal(b) || a.PublicKey().Equal(b.Public()) {
		t.Error("keys of different parameter sets compare equal")
	}
	if !bytes.Equal(a.PublicKey().Bytes(), b.PublicKey().Bytes()) {
		t.Error("one scalar gives different points on one curve")
	}
}

func TestParamsLookup(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range AllParams() {
		if seen[p.OID().String()] {
			t.Errorf("OID %s listed twice", p.OID())
		}
		seen[p.OID().String()] = true
		for _, name := range append([]string{p.Name(), p.OID().String()}, p.aliases...) {
			got, err := ParamsByName(name)
			if err != nil || got != p {
				t.Errorf("ParamsByName(%q) = %v, %v; want %v", name, got, err, p)
			}
		}
		if n := p.ASN1Name(); !strings.HasPrefix(n, "id-") || !strings.Contains(n, "aramSet") {
			t.Errorf("%v: ASN1Name() = %q", p, n)
		}
		if got, err := ParamsByOID(p.OID()); err != nil || got != p {
			t.Errorf("ParamsByOID(%s) = %v, %v", p.OID(), got, err)
		}
	}
	if len(seen) != 14 {
		t.Errorf("%d parameter sets, want 14", len(seen))
	}
	for _, name := range []string{"", "cryptopro-d", "1.2.643.2.2.35.9", "GOST"} {
		if _, err := ParamsByName(name); !errors.Is(err, ErrUnknownParams) {
			t.Errorf("ParamsByName(%q) = %v, want ErrUnknownParams", name, err)
		}
	}
	if _, err := ParamsByOID([]int{1, 2, 643, 2, 2, 19}); !errors.Is(err, ErrUnknownParams) {
		t.Errorf("ParamsByOID(key OID) = %v, want ErrUnknownParams", err)
	}
}

// TestSignAllocations checks that Sign allocates only the signature it
// returns, on every parameter set.
func TestSignAllocations(t *testing.T) {
	for _, p := range AllParams() {
		t.Run(p.Name(), func(t *testing.T) {
			priv, err := GenerateKey(p, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			digest := digestFor(p, []byte("allocations"))
			priv.Sign(rand.Reader, digest, nil) // build the curve's tables first
			if n := testing.AllocsPerRun(20, func() {
				if _, err := priv.Sign(rand.Reader, digest, nil); err != nil {
					t.Fatal(err)
				}
			}); n != 1 {
				t.Errorf("Sign allocates %v times, want 1 (the signature)", n)
			}
			// Verification may allocate (math/big inverts there); a bound
			// catches a per-bit allocation creeping in.
			sig, _ := priv.Sign(rand.Reader, digest, nil)
			if n := testing.AllocsPerRun(20, func() { priv.PublicKey().Verify(digest, sig) }); n > 20 {
				t.Errorf("Verify allocates %v times", n)
			}
		})
	}
}
