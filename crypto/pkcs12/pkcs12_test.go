package pkcs12

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
)

// TestRoundTrip encodes and decodes on every parameter set.
func TestRoundTrip(t *testing.T) {
	for _, params := range gost3410.AllParams() {
		t.Run(params.Name(), func(t *testing.T) {
			key, leaf, chain := testChain(t, params)
			for _, digest := range []MACDigest{MACStreebog512, MACStreebog256} {
				opts := *fast
				opts.MACDigest = digest
				pfx, err := Encode(rand.Reader, key, leaf, chain, []byte("пароль"), &opts)
				if err != nil {
					t.Fatal(err)
				}
				c, err := Decode(pfx, []byte("пароль"))
				if err != nil {
					t.Fatal(err)
				}
				checkContents(t, c, key, leaf, chain, fast.FriendlyName)
				if _, err := Decode(pfx, []byte("Пароль")); !errors.Is(err, ErrIncorrectPassword) {
					t.Errorf("wrong password: %v, want ErrIncorrectPassword", err)
				}
			}
		})
	}
}

func checkContents(t *testing.T, c *Contents, key *gost3410.PrivateKey, leaf []byte, chain [][]byte, name string) {
	t.Helper()
	if !c.Key.Equal(key) {
		t.Error("the key differs")
	}
	if !bytes.Equal(c.Certificate, leaf) {
		t.Error("the certificate differs")
	}
	if len(c.Chain) != len(chain) {
		t.Fatalf("chain of %d, want %d", len(c.Chain), len(chain))
	}
	for i := range chain {
		if !bytes.Equal(c.Chain[i], chain[i]) {
			t.Errorf("chain certificate %d differs", i)
		}
	}
	if c.FriendlyName != name {
		t.Errorf("friendly name %q, want %q", c.FriendlyName, name)
	}
}

// TestRoundTripCiphers encodes and decodes with each bag cipher.
func TestRoundTripCiphers(t *testing.T) {
	key, leaf, chain := testChain(t, gost3410.ParamsTC26512A())
	for _, c := range []Cipher{CipherGOST28147, CipherKuznyechikCTRACPKM, CipherMagmaCTRACPKM, CipherKuznyechikCTRACPKMOMAC, CipherMagmaCTRACPKMOMAC} {
		opts := *fast
		opts.Cipher = c
		pfx, err := Encode(rand.Reader, key, leaf, chain, []byte("пароль"), &opts)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(pfx, []byte("пароль"))
		if err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		checkContents(t, got, key, leaf, chain, fast.FriendlyName)
		if _, err := Decode(pfx, []byte("x")); !errors.Is(err, ErrIncorrectPassword) {
			t.Errorf("%v, wrong password: %v", c, err)
		}
	}
	if _, err := Encode(rand.Reader, key, leaf, chain, nil, &Options{Cipher: 9}); err == nil {
		t.Error("an unknown cipher was accepted")
	}
}

// TestKeyOnly encodes a key without certificates.
func TestKeyOnly(t *testing.T) {
	key, _, _ := testChain(t, gost3410.ParamsCryptoProA())
	pfx, err := Encode(rand.Reader, key, nil, nil, nil, fast)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Decode(pfx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Key.Equal(key) || c.Certificate != nil || len(c.Chain) != 0 {
		t.Errorf("got %+v", c)
	}
}

func TestEncodeErrors(t *testing.T) {
	key, leaf, chain := testChain(t, gost3410.ParamsCryptoProA())
	other, _, _ := testChain(t, gost3410.ParamsCryptoProA())
	for _, tc := range []struct {
		name  string
		key   *gost3410.PrivateKey
		cert  []byte
		chain [][]byte
		pass  []byte
		opts  *Options
	}{
		{"no key", nil, leaf, chain, nil, fast},
		{"certificate of another key", other, leaf, chain, nil, fast},
		{"certificate not DER", key, []byte{0x30, 0}, chain, nil, fast},
		{"chain not DER", key, leaf, [][]byte{{1}}, nil, fast},
		{"password not UTF-8", key, leaf, chain, []byte{0xff}, fast},
		{"iterations too many", key, leaf, chain, nil, &Options{Iterations: MaxIterations + 1}},
		{"iterations negative", key, leaf, chain, nil, &Options{Iterations: -1}},
		{"unknown MAC digest", key, leaf, chain, nil, &Options{Iterations: 1, MACDigest: 9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Encode(rand.Reader, tc.key, tc.cert, tc.chain, tc.pass, tc.opts); err == nil {
				t.Error("Encode succeeded")
			}
		})
	}
}

func ExampleEncode() {
	key, err := gost3410.GenerateKey(gost3410.ParamsTC26256A(), rand.Reader)
	if err != nil {
		panic(err)
	}
	pfx, err := Encode(rand.Reader, key, nil, nil, []byte("пароль"), &Options{FriendlyName: "my key"})
	if err != nil {
		panic(err)
	}
	c, err := Decode(pfx, []byte("пароль"))
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Key.Equal(key), c.FriendlyName)
	// Output: true my key
}

// TestRoundTripSections encodes a chain long enough for several ACPKM
// sections of the Magma -OMAC scheme (8 KiB), and checks that the options
// choose the scheme of every encrypted part.
func TestRoundTripSections(t *testing.T) {
	key, leaf, chain := testChain(t, gost3410.ParamsTC26256A())
	long := slices.Repeat(chain, 40)
	for _, c := range []Cipher{CipherKuznyechikCTRACPKMOMAC, CipherMagmaCTRACPKMOMAC} {
		opts := *fast
		opts.Cipher = c
		pfx, err := Encode(rand.Reader, key, leaf, long, []byte("пароль"), &opts)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(pfx, []byte("пароль"))
		if err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		checkContents(t, got, key, leaf, long, fast.FriendlyName)
		p, err := parsePFX(pfx, MaxIterations)
		if err != nil {
			t.Fatal(err)
		}
		bags, err := parseSafeContents(p.plain[0], MaxIterations)
		if err != nil {
			t.Fatal(err)
		}
		if p.encData[0].scheme.Cipher != pbes2Ciphers[c] || bags[0].key.scheme.Cipher != pbes2Ciphers[c] {
			t.Errorf("%v: certificates in %v, key in %v", c, p.encData[0].scheme.Cipher, bags[0].key.scheme.Cipher)
		}
		if n := len(p.encData[0].ciphertext); n < 16<<10 {
			t.Errorf("%v: only %d bytes of certificates", c, n)
		}
	}
}
