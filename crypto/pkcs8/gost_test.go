package pkcs8

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/internal/gostpbes2"
)

// TestRoundTripGOST28147 encrypts with CipherGOST28147 and decrypts, and
// checks that a wrong passphrase is ErrIncorrectPassphrase (CFB has no
// padding: the DER check alone catches it).
func TestRoundTripGOST28147(t *testing.T) {
	for _, params := range []*gost3410.Params{gost3410.ParamsTC26256A(), gost3410.ParamsTC26512A()} {
		for _, pass := range []string{"secret", "", "пароль с пробелами"} {
			t.Run(fmt.Sprintf("%s/%q", params, pass), func(t *testing.T) {
				info := keyInfoFor(t, params)
				enc, err := Encrypt(randReader(), info, []byte(pass), &Options{Iterations: 10, Cipher: CipherGOST28147})
				if err != nil {
					t.Fatal(err)
				}
				if !IsEncrypted(enc) {
					t.Error("IsEncrypted = false")
				}
				got, err := Decrypt(enc, []byte(pass))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, info) {
					t.Fatalf("Decrypt returned %x, want %x", got, info)
				}
				if _, err := Decrypt(enc, []byte(pass+"x")); !errors.Is(err, ErrIncorrectPassphrase) {
					t.Fatalf("wrong passphrase: %v, want ErrIncorrectPassphrase", err)
				}
			})
		}
	}
}

func TestGOST28147Errors(t *testing.T) {
	info := keyInfoFor(t, gost3410.ParamsTC26256A())
	if _, err := Encrypt(randReader(), info, nil, &Options{Cipher: Cipher(7)}); err == nil {
		t.Error("an unknown cipher was accepted")
	}
	enc, err := Encrypt(randReader(), info, nil, &Options{Iterations: 100, Cipher: CipherGOST28147})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decrypt(enc, nil, 99); !errors.Is(err, gostpbes2.ErrIterations) {
		t.Errorf("iteration count above the bound: %v", err)
	}
}

// TestRoundTripOMAC encrypts with the CTR-ACPKM-OMAC schemes and decrypts;
// a wrong passphrase, or a flipped byte anywhere in the encrypted data, is
// ErrIncorrectPassphrase, and no key comes back.
func TestRoundTripOMAC(t *testing.T) {
	for _, c := range []Cipher{CipherKuznyechikCTRACPKMOMAC, CipherMagmaCTRACPKMOMAC} {
		for _, params := range []*gost3410.Params{gost3410.ParamsTC26256A(), gost3410.ParamsTC26512A()} {
			t.Run(fmt.Sprintf("%d/%s", c, params), func(t *testing.T) {
				info := keyInfoFor(t, params)
				enc, err := Encrypt(randReader(), info, []byte("пароль"), &Options{Iterations: 10, Cipher: c})
				if err != nil {
					t.Fatal(err)
				}
				got, err := Decrypt(enc, []byte("пароль"))
				if err != nil || !bytes.Equal(got, info) {
					t.Fatalf("Decrypt: %x, %v", got, err)
				}
				if got, err := Decrypt(enc, []byte("Пароль")); !errors.Is(err, ErrIncorrectPassphrase) || got != nil {
					t.Errorf("wrong passphrase: %x, %v", got, err)
				}
				for _, back := range []int{1, 10, len(info)} { // in the MAC, near its start, in the key
					bad := bytes.Clone(enc)
					bad[len(bad)-back] ^= 0x80
					if got, err := Decrypt(bad, []byte("пароль")); !errors.Is(err, ErrIncorrectPassphrase) || got != nil {
						t.Errorf("byte %d from the end flipped: %x, %v", back, got, err)
					}
				}
			})
		}
	}
}
