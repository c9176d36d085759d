package pkcs8

import (
	"crypto/rand"
	"testing"
)

// BenchmarkDecrypt measures one Decrypt at DefaultIterations: the time an
// operator waits, and the cost of one passphrase guess.
func BenchmarkDecrypt(b *testing.B) {
	der, err := Encrypt(rand.Reader, testKeyInfo(b), []byte("secret"), nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Decrypt(der, []byte("secret")); err != nil {
			b.Fatal(err)
		}
	}
}
