package gost3410_test

import (
	"crypto/rand"
	"fmt"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/streebog"
)

// Sign a message with a new 256-bit key and verify the signature.
func Example() {
	priv, err := gost3410.GenerateKey(gost3410.ParamsTC26256A(), rand.Reader)
	if err != nil {
		panic(err)
	}
	digest := streebog.Sum256([]byte("Се ветри, Стрибожи внуци"))
	sig, err := priv.Sign(rand.Reader, digest[:], nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(sig), priv.PublicKey().Verify(digest[:], sig))
	// Output: 64 <nil>
}
