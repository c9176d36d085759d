package gost3410_test

import (
	"crypto/rand"
	"errors"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/streebog"
)

func TestSignMessage(t *testing.T) {
	msg := []byte("tbsCertificate")
	for _, params := range []*gost3410.Params{gost3410.ParamsCryptoProA(), gost3410.ParamsTC26512C()} {
		t.Run(params.Name(), func(t *testing.T) {
			key, err := gost3410.GenerateKey(params, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			other, err := gost3410.GenerateKey(params, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			sig, err := gost3410.SignMessage(rand.Reader, key, key.PublicKey(), msg)
			if err != nil {
				t.Fatal(err)
			}
			digest := streebog.Sum512(msg)
			d := digest[:]
			if params.Size() == 32 {
				d256 := streebog.Sum256(msg)
				d = d256[:]
			}
			if err := key.PublicKey().Verify(d, sig); err != nil {
				t.Errorf("signature of the Streebog-%d digest does not verify: %v", params.Size()*8, err)
			}
			// A signer whose key is not pub's: the check catches it.
			if _, err := gost3410.SignMessage(rand.Reader, other, key.PublicKey(), msg); !errors.Is(err, gost3410.ErrSignatureCheck) {
				t.Errorf("mismatched signer: err = %v, want ErrSignatureCheck", err)
			}
		})
	}
}
