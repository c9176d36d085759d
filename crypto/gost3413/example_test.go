package gost3413_test

import (
	"bytes"
	"crypto/rand"
	"fmt"

	"github.com/gostca/gostca/crypto/gost3413"
	"github.com/gostca/gostca/crypto/kuznyechik"
)

// Encrypt with Kuznyechik in CTR-ACPKM mode, re-keyed every 4 KiB as the
// GOST engine's kuznyechik-ctr-acpkm is, then decrypt (the same operation).
func ExampleNewCTRACPKM() {
	key := make([]byte, kuznyechik.KeySize)
	iv := make([]byte, kuznyechik.BlockSize/2) // never reuse an IV with a key
	rand.Read(key)
	rand.Read(iv)
	plaintext := bytes.Repeat([]byte("сообщение "), 1000)

	enc, err := gost3413.NewCTRACPKM(kuznyechik.NewCipher, key, iv, 4096)
	if err != nil {
		panic(err)
	}
	ciphertext := make([]byte, len(plaintext))
	enc.XORKeyStream(ciphertext, plaintext)

	dec, _ := gost3413.NewCTRACPKM(kuznyechik.NewCipher, key, iv, 4096)
	decrypted := make([]byte, len(ciphertext))
	dec.XORKeyStream(decrypted, ciphertext)
	fmt.Println(bytes.Equal(decrypted, plaintext))
	// Output: true
}
