package keyfile

import (
	"crypto/rand"
	"encoding/pem"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/pkcs8"
)

// FuzzDecode checks that the key file decoder, and the parse that follows it
// for a plain key, never panic. FuzzDecrypt in crypto/pkcs8 covers the
// decryption.
func FuzzDecode(f *testing.F) {
	key, err := gost3410.GenerateKey(gost3410.ParamsTC26256A(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	der, _ := gost3410.MarshalPKCS8PrivateKey(key)
	enc, err := pkcs8.Encrypt(rand.Reader, der, []byte("secret"), &pkcs8.Options{Iterations: 1})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(der)
	f.Add(enc)
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: enc}))
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: der}))
	f.Fuzz(func(t *testing.T, data []byte) {
		der, encrypted, err := decode(data)
		if err != nil {
			return
		}
		if encrypted && !pkcs8.IsEncrypted(der) && !isPEM(data) {
			t.Fatalf("DER %x called encrypted, but IsEncrypted is false", der)
		}
		if !encrypted {
			gost3410.ParsePKCS8PrivateKey(der)
		}
	})
}

func isPEM(data []byte) bool {
	block, _ := pem.Decode(data)
	return block != nil
}
