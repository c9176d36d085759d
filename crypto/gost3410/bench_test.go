package gost3410

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"testing"
)

// benchParams are the sets benchmarked: every set but the two test curves,
// the sets testdata/enginebench compares with OpenSSL's GOST engine.
var benchParams = func() []*Params {
	var ps []*Params
	for _, p := range AllParams() {
		if !p.IsTest() {
			ps = append(ps, p)
		}
	}
	return ps
}()

func BenchmarkSign(b *testing.B) {
	for _, p := range benchParams {
		b.Run(p.Name(), func(b *testing.B) {
			priv, err := GenerateKey(p, rand.Reader)
			if err != nil {
				b.Fatal(err)
			}
			digest := digestFor(p, []byte("bench"))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := priv.Sign(rand.Reader, digest, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, p := range benchParams {
		b.Run(p.Name(), func(b *testing.B) {
			priv, err := GenerateKey(p, rand.Reader)
			if err != nil {
				b.Fatal(err)
			}
			digest := digestFor(p, []byte("bench"))
			sig, _ := priv.Sign(rand.Reader, digest, nil)
			b.ReportAllocs()
			for b.Loop() {
				if err := priv.PublicKey().Verify(digest, sig); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkGenerateKey(b *testing.B) {
	for _, p := range benchParams {
		b.Run(p.Name(), func(b *testing.B) {
			for b.Loop() {
				if _, err := GenerateKey(p, rand.Reader); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReferenceECDSA measures the standard library's ECDSA at the
// same security sizes in the same run: the reference docs/benchmarks.md
// compares against (P-256 with SHA-256 ↔ 256-bit GOST, P-521 ↔ 512-bit).
func BenchmarkReferenceECDSA(b *testing.B) {
	for _, c := range []struct {
		name   string
		curve  elliptic.Curve
		digest []byte
	}{
		{"P-256", elliptic.P256(), func() []byte { d := sha256.Sum256([]byte("bench")); return d[:] }()},
		{"P-521", elliptic.P521(), func() []byte { d := sha512.Sum512([]byte("bench")); return d[:] }()},
	} {
		priv, err := ecdsa.GenerateKey(c.curve, rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		sig, _ := ecdsa.SignASN1(rand.Reader, priv, c.digest)
		b.Run("Sign/"+c.name, func(b *testing.B) {
			for b.Loop() {
				ecdsa.SignASN1(rand.Reader, priv, c.digest)
			}
		})
		b.Run("Verify/"+c.name, func(b *testing.B) {
			for b.Loop() {
				ecdsa.VerifyASN1(&priv.PublicKey, c.digest, sig)
			}
		})
	}
}
