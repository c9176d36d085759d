package pkcs12

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
)

// flip returns a copy of b with the byte at the offset of part (a
// sub-slice of b's content, found by value) plus delta changed.
func flip(t *testing.T, b, part []byte, delta int) []byte {
	t.Helper()
	i := bytes.Index(b, part)
	if i < 0 {
		t.Fatal("part not found")
	}
	out := bytes.Clone(b)
	out[i+delta] ^= 0x01
	return out
}

// TestDecodeErrors checks that each kind of damage gives its own clear
// error.
func TestDecodeErrors(t *testing.T) {
	key, leaf, chain := testChain(t, gost3410.ParamsTC26256A())
	pass := []byte("пароль")
	good, err := Encode(rand.Reader, key, leaf, chain, pass, fast)
	if err != nil {
		t.Fatal(err)
	}
	p, err := parsePFX(good, MaxIterations)
	if err != nil {
		t.Fatal(err)
	}
	bags, err := parseSafeContents(p.plain[0], MaxIterations)
	if err != nil {
		t.Fatal(err)
	}
	keyBag, certBag := bags[0].key.ciphertext, p.encData[0].ciphertext
	gostOID := []byte{0x06, 0x06, 0x2a, 0x85, 0x03, 0x02, 0x02, 0x15}
	unknownCipher := bytes.Replace(good, gostOID, []byte{0x06, 0x06, 0x2a, 0x85, 0x03, 0x02, 0x02, 0x16}, 1)

	for _, tc := range []struct {
		name    string
		pfx     []byte
		pass    []byte
		maxIter int
		is      error  // the sentinel the error must wrap, or nil
		text    string // words the error must contain
	}{
		{name: "wrong password", pfx: good, pass: []byte("Пароль"), is: ErrIncorrectPassword},
		{name: "empty password", pfx: good, pass: nil, is: ErrIncorrectPassword},
		{name: "flipped MAC byte", pfx: flip(t, good, p.mac, 5), pass: pass, is: ErrIntegrity},
		{name: "flipped key bag byte", pfx: flip(t, good, keyBag, 3), pass: pass, is: ErrIntegrity},
		{name: "flipped certificate bag byte", pfx: flip(t, good, certBag, 40), pass: pass, is: ErrIntegrity},
		{name: "truncated", pfx: good[:len(good)-10], pass: pass, text: "malformed PFX"},
		{name: "truncated to nothing", pfx: nil, pass: pass, text: "malformed PFX"},
		{name: "trailing data", pfx: append(bytes.Clone(good), 0), pass: pass, text: "malformed PFX"},
		{name: "unknown cipher", pfx: unknownCipher, pass: pass, text: "unsupported cipher 1.2.643.2.2.22"},
		{name: "iterations above the bound", pfx: good, pass: pass, maxIter: fast.Iterations - 1, is: ErrIterations},
	} {
		t.Run(tc.name, func(t *testing.T) {
			maxIter := tc.maxIter
			if maxIter == 0 {
				maxIter = MaxIterations
			}
			c, err := decode(tc.pfx, tc.pass, maxIter)
			if err == nil {
				t.Fatalf("decoded: %+v", c)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q does not wrap %q", err, tc.is)
			}
			if tc.is == nil && (errors.Is(err, ErrIncorrectPassword) || errors.Is(err, ErrIntegrity)) {
				t.Errorf("error %q blames the password or the MAC", err)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("error %q does not say %q", err, tc.text)
			}
			if !strings.HasPrefix(err.Error(), "pkcs12: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// TestMACIterationsBound checks that a MAC iteration count above the bound
// is refused before anything is derived.
func TestMACIterationsBound(t *testing.T) {
	key, _, _ := testChain(t, gost3410.ParamsTC26256A())
	pfx, err := Encode(rand.Reader, key, nil, nil, nil, &Options{Iterations: 10})
	if err != nil {
		t.Fatal(err)
	}
	// The MAC's iteration count is the file's last INTEGER: 02 01 0a.
	if !bytes.HasSuffix(pfx, []byte{0x02, 0x01, 0x0a}) {
		t.Fatal("unexpected encoding")
	}
	pfx[len(pfx)-1] = 0x7f
	if _, err := decode(pfx, nil, 100); !errors.Is(err, ErrIterations) || !strings.Contains(err.Error(), "MAC") {
		t.Errorf("error %v, want a MAC ErrIterations", err)
	}
}

// remac returns pfx with its MAC computed again under password, as a
// forger who knows the password would: what is left to catch tampering is
// the bags' own OMAC.
func remac(t *testing.T, pfx, password []byte) []byte {
	t.Helper()
	p, err := parsePFX(pfx, MaxIterations)
	if err != nil {
		t.Fatal(err)
	}
	key, err := gostMACKey(p.macHash, password, p.macSalt, p.macIter)
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(p.macHash, key)
	m.Write(p.authSafe)
	return bytes.Replace(pfx, p.mac, m.Sum(nil), 1)
}

// TestDecodeErrorsOMAC checks the CTR-ACPKM-OMAC schemes: a wrong password
// is told from tampering, and a bag altered under a MAC made again with
// the right password fails its own OMAC, as ErrIntegrity, before anything
// decrypted from it is used.
func TestDecodeErrorsOMAC(t *testing.T) {
	key, leaf, chain := testChain(t, gost3410.ParamsTC26512A())
	pass := []byte("пароль")
	for _, c := range []Cipher{CipherKuznyechikCTRACPKMOMAC, CipherMagmaCTRACPKMOMAC} {
		t.Run(c.String(), func(t *testing.T) {
			opts := *fast
			opts.Cipher = c
			good, err := Encode(rand.Reader, key, leaf, chain, pass, &opts)
			if err != nil {
				t.Fatal(err)
			}
			p, err := parsePFX(good, MaxIterations)
			if err != nil {
				t.Fatal(err)
			}
			bags, err := parseSafeContents(p.plain[0], MaxIterations)
			if err != nil {
				t.Fatal(err)
			}
			keyBag, certBag := bags[0].key.ciphertext, p.encData[0].ciphertext
			last := len(keyBag) - 1 // in the encrypted OMAC
			for _, tc := range []struct {
				name string
				pfx  []byte
				pass []byte
				is   error
				text string
			}{
				{name: "wrong password", pfx: good, pass: []byte("Пароль"), is: ErrIncorrectPassword},
				{name: "flipped key bag byte", pfx: flip(t, good, keyBag, 3), pass: pass, is: ErrIntegrity},
				{name: "flipped key bag byte, MAC made again", pfx: remac(t, flip(t, good, keyBag, 3), pass), pass: pass, is: ErrIntegrity, text: "key bag"},
				{name: "flipped key bag MAC byte, MAC made again", pfx: remac(t, flip(t, good, keyBag, last), pass), pass: pass, is: ErrIntegrity, text: "key bag"},
				{name: "flipped certificate byte, MAC made again", pfx: remac(t, flip(t, good, certBag, 40), pass), pass: pass, is: ErrIntegrity, text: "certificates"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					got, err := Decode(tc.pfx, tc.pass)
					if err == nil {
						t.Fatalf("decoded: %+v", got)
					}
					if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.text) || !strings.HasPrefix(err.Error(), "pkcs12: ") {
						t.Errorf("error %q, want one wrapping %q that says %q", err, tc.is, tc.text)
					}
				})
			}
		})
	}
}
