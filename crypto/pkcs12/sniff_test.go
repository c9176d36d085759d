package pkcs12_test

import (
	"crypto/rand"
	"encoding/pem"
	"os"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/pkcs12"
)

func TestIsPFX(t *testing.T) {
	key, err := gost3410.GenerateKey(gost3410.ParamsCryptoProA(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pfx, err := pkcs12.Encode(rand.Reader, key, nil, nil, []byte("pass"), &pkcs12.Options{Iterations: 1000})
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := gost3410.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("testdata/rfc9548-example.p12.pem")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(example)
	if block == nil {
		t.Fatal("testdata/rfc9548-example.p12.pem: no PEM block")
	}
	for _, tc := range []struct {
		name string
		data []byte
		want bool
	}{
		{"ours", pfx, true},
		{"the RFC 9548 example", block.Bytes, true},
		{"a PKCS#8 key", pkcs8, false},
		{"PEM", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), false},
		{"empty", nil, false},
		{"truncated", pfx[:5], false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pkcs12.IsPFX(tc.data); got != tc.want {
				t.Errorf("IsPFX = %v, want %v", got, tc.want)
			}
		})
	}
}
