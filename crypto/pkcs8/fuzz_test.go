package pkcs8

import (
	"bytes"
	"testing"
)

// fuzzMaxIterations keeps the fuzzer from spending its time in PBKDF2.
const fuzzMaxIterations = 16

// FuzzDecrypt checks that Decrypt never panics, and that whatever it
// returns is a PrivateKeyInfo that Encrypt accepts back.
func FuzzDecrypt(f *testing.F) {
	s := validSpec(f)
	f.Add(s.build(f), []byte(s.passphrase))
	f.Add(s.build(f), []byte("wrong"))
	s.prf, s.cipher, s.keyLength = oidHMACSHA256, oidAES128CBC, 16
	f.Add(s.build(f), []byte(s.passphrase))
	s.omitPRF = true
	f.Add(s.build(f), []byte(s.passphrase))
	enc, err := Encrypt(randReader(), testKeyInfo(f), []byte("secret"), &Options{Iterations: 1})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(enc, []byte("secret"))
	gost, err := Encrypt(randReader(), testKeyInfo(f), []byte("secret"), &Options{Iterations: 1, Cipher: CipherGOST28147})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(gost, []byte("secret"))
	for _, c := range []Cipher{CipherKuznyechikCTRACPKMOMAC, CipherMagmaCTRACPKMOMAC} {
		omac, err := Encrypt(randReader(), testKeyInfo(f), []byte("secret"), &Options{Iterations: 1, Cipher: c})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(omac, []byte("secret"))
	}
	f.Add([]byte{0x30, 0x00}, []byte{})
	f.Fuzz(func(t *testing.T, der, passphrase []byte) {
		IsEncrypted(der)
		info, err := decrypt(der, passphrase, fuzzMaxIterations)
		if err != nil {
			if info != nil {
				t.Fatalf("decrypt returned %x with error %v", info, err)
			}
			return
		}
		if !isPrivateKeyInfo(info) {
			t.Fatalf("decrypt returned a non-PrivateKeyInfo %x", info)
		}
		again, err := Encrypt(randReader(), info, passphrase, &Options{Iterations: 1})
		if err != nil {
			t.Fatal(err)
		}
		back, err := Decrypt(again, passphrase)
		if err != nil || !bytes.Equal(back, info) {
			t.Fatalf("re-encrypted key decrypts to %x, %v", back, err)
		}
	})
}
