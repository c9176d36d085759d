package gost3413_test

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
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

// Authenticate a long message with OMAC-ACPKM over Kuznyechik, the keys
// changed every 4 KiB as the GOST engine's kuznyechik-ctr-acpkm-omac does,
// and check the tag in constant time.
func ExampleNewOMACACPKM() {
	key := make([]byte, kuznyechik.KeySize)
	rand.Read(key)
	message := bytes.Repeat([]byte("сообщение "), 10000)

	mac, err := gost3413.NewOMACACPKM(kuznyechik.NewCipher, key, 4096, 4096, kuznyechik.BlockSize)
	if err != nil {
		panic(err)
	}
	mac.Write(message)
	tag := mac.Sum(nil)

	check, _ := gost3413.NewOMACACPKM(kuznyechik.NewCipher, key, 4096, 4096, kuznyechik.BlockSize)
	check.Write(message)
	fmt.Println(subtle.ConstantTimeCompare(check.Sum(nil), tag) == 1)
	// Output: true
}
