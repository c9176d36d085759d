package gost3410

import (
	"bytes"
	"crypto/rand"
	"testing"
)

// FuzzParsePKIXPublicKey: any input either fails or gives a key that
// re-encodes to an SPKI that parses back to the same key.
func FuzzParsePKIXPublicKey(f *testing.F) {
	for _, p := range []*Params{ParamsCryptoProA(), ParamsTC26256A(), ParamsTC26512C()} {
		priv, err := GenerateKey(p, rand.Reader)
		if err != nil {
			f.Fatal(err)
		}
		der, _ := MarshalPKIXPublicKey(priv.PublicKey())
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		pub, err := ParsePKIXPublicKey(der)
		if err != nil {
			return
		}
		again, err := MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParsePKIXPublicKey(again)
		if err != nil || !back.Equal(pub) {
			t.Fatalf("re-encoded key does not parse back: %v", err)
		}
	})
}

// FuzzParsePKCS8PrivateKey: any input either fails or gives a key whose
// canonical encoding parses back to the same key.
func FuzzParsePKCS8PrivateKey(f *testing.F) {
	for _, p := range []*Params{ParamsCryptoProB(), ParamsTC26512A()} {
		priv, err := GenerateKey(p, rand.Reader)
		if err != nil {
			f.Fatal(err)
		}
		der, _ := MarshalPKCS8PrivateKey(priv)
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		priv, err := ParsePKCS8PrivateKey(der)
		if err != nil {
			return
		}
		again, err := MarshalPKCS8PrivateKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParsePKCS8PrivateKey(again)
		if err != nil || !back.Equal(priv) {
			t.Fatalf("re-encoded key does not parse back: %v", err)
		}
	})
}

// FuzzNewPublicKey: raw points either fail or round-trip exactly.
func FuzzNewPublicKey(f *testing.F) {
	priv, err := GenerateKey(ParamsTC26256A(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(priv.PublicKey().Bytes())
	f.Add(make([]byte, 64))
	f.Fuzz(func(t *testing.T, raw []byte) {
		pub, err := NewPublicKey(ParamsTC26256A(), raw)
		if err != nil {
			return
		}
		if !bytes.Equal(pub.Bytes(), raw) {
			t.Fatalf("Bytes() = %x, want %x", pub.Bytes(), raw)
		}
	})
}

// FuzzVerify: arbitrary digests and signatures never panic, and are
// accepted only if they are the signature made for the fuzzed digest.
func FuzzVerify(f *testing.F) {
	priv, err := GenerateKey(ParamsCryptoProA(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	digest := make([]byte, 32)
	sig, _ := priv.Sign(rand.Reader, digest, nil)
	f.Add(digest, sig)
	f.Add(digest, make([]byte, 64))
	f.Fuzz(func(t *testing.T, digest, sig []byte) {
		if err := priv.PublicKey().Verify(digest, sig); err == nil && len(digest) != 32 {
			t.Fatalf("Verify accepted a %d-byte digest", len(digest))
		}
	})
}
