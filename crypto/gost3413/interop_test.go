package gost3413

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/gostca/gostca/crypto/kuznyechik"
	"github.com/gostca/gostca/internal/interop"
)

// engineACPKMSection is the section size (bytes) of the GOST engine's
// kuznyechik-ctr-acpkm and magma-ctr-acpkm.
var engineACPKMSection = map[string]int{"kuznyechik": 4096, "magma": 1024}

// TestOpenSSL checks our modes against the GOST engine's "openssl enc" on
// random keys, IVs and lengths, both ways.
func TestOpenSSL(t *testing.T) {
	tool := interop.OpenSSL(t)
	type mode struct {
		name   string // the OpenSSL cipher
		cipher string
		ivSize func(n int) int
		stream func(b cipher.Block, key, iv []byte, decrypt bool) (cipher.Stream, error)
	}
	ctr := func(b cipher.Block, key, iv []byte, decrypt bool) (cipher.Stream, error) { return NewCTR(b, iv) }
	half := func(n int) int { return n / 2 }
	modes := []mode{
		{"kuznyechik-ctr", "kuznyechik", half, ctr},
		{"magma-ctr", "magma", half, ctr},
		{"kuznyechik-cfb", "kuznyechik", func(n int) int { return n }, func(b cipher.Block, key, iv []byte, decrypt bool) (cipher.Stream, error) {
			if decrypt {
				return NewCFBDecrypter(b, iv)
			}
			return NewCFBEncrypter(b, iv)
		}},
	}
	for _, c := range ciphers {
		c := c
		modes = append(modes, mode{c.name + "-ctr-acpkm", c.name, half, func(b cipher.Block, key, iv []byte, decrypt bool) (cipher.Stream, error) {
			return NewCTRACPKM(c.new, key, iv, engineACPKMSection[c.name])
		}})
	}
	newCipher := map[string]func([]byte) (cipher.Block, error){}
	for _, c := range ciphers {
		newCipher[c.name] = c.new
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			for _, n := range []int{1, 15, 16, 17, 1000, 4095, 4096, 4097, 20000, 70000} {
				key := make([]byte, 32)
				rand.Read(key)
				b, err := newCipher[m.cipher](key)
				if err != nil {
					t.Fatal(err)
				}
				iv := make([]byte, m.ivSize(b.BlockSize()))
				pt := make([]byte, n)
				rand.Read(iv)
				rand.Read(pt)
				for _, decrypt := range []bool{false, true} {
					s, err := m.stream(b, key, iv, decrypt)
					if err != nil {
						t.Fatal(err)
					}
					in := pt
					if decrypt {
						in = tool.Run(t, pt, "enc", "-"+m.name, "-K", hex.EncodeToString(key), "-iv", hex.EncodeToString(iv))
					}
					got := make([]byte, n)
					s.XORKeyStream(got, in)
					var want []byte
					if decrypt {
						want = pt
					} else {
						want = tool.Run(t, pt, "enc", "-"+m.name, "-K", hex.EncodeToString(key), "-iv", hex.EncodeToString(iv))
					}
					if !bytes.Equal(got, want) {
						t.Errorf("%d bytes, decrypt %v: differs from openssl enc -%s", n, decrypt, m.name)
					}
				}
			}
		})
	}
}

// TestOpenSSLKuznyechikECB checks the bare block cipher against
// kuznyechik-ecb, both ways.
func TestOpenSSLKuznyechikECB(t *testing.T) {
	tool := interop.OpenSSL(t)
	key := make([]byte, 32)
	pt := make([]byte, 16*64)
	rand.Read(key)
	rand.Read(pt)
	b, _ := kuznyechik.NewCipher(key)
	ours := make([]byte, len(pt))
	for i := 0; i < len(pt); i += 16 {
		b.Encrypt(ours[i:], pt[i:])
	}
	got := tool.Run(t, pt, "enc", "-kuznyechik-ecb", "-nopad", "-K", hex.EncodeToString(key))
	if !bytes.Equal(got, ours) {
		t.Error("Encrypt differs from openssl enc -kuznyechik-ecb")
	}
	back := tool.Run(t, ours, "enc", "-d", "-kuznyechik-ecb", "-nopad", "-K", hex.EncodeToString(key))
	if !bytes.Equal(back, pt) {
		t.Error("openssl does not decrypt our ECB")
	}
	dec := make([]byte, len(pt))
	for i := 0; i < len(pt); i += 16 {
		b.Decrypt(dec[i:], got[i:])
	}
	if !bytes.Equal(dec, pt) {
		t.Error("Decrypt of openssl's ECB differs")
	}
}

// TestOpenSSLCBC checks that our Block under the standard library's CBC
// (GOST R 34.13-2015 §5.4 with a one-block register is the same mode)
// equals kuznyechik-cbc and magma-cbc, both ways.
func TestOpenSSLCBC(t *testing.T) {
	tool := interop.OpenSSL(t)
	for _, c := range ciphers {
		t.Run(c.name, func(t *testing.T) {
			key := make([]byte, 32)
			rand.Read(key)
			b, _ := c.new(key)
			iv := make([]byte, b.BlockSize())
			pt := make([]byte, 64*b.BlockSize())
			rand.Read(iv)
			rand.Read(pt)
			ours := make([]byte, len(pt))
			cipher.NewCBCEncrypter(b, iv).CryptBlocks(ours, pt)
			args := []string{"enc", "-" + c.name + "-cbc", "-nopad", "-K", hex.EncodeToString(key), "-iv", hex.EncodeToString(iv)}
			if got := tool.Run(t, pt, args...); !bytes.Equal(got, ours) {
				t.Error("CBC encryption differs from openssl's")
			}
			back := make([]byte, len(pt))
			cipher.NewCBCDecrypter(b, iv).CryptBlocks(back, tool.Run(t, pt, args...))
			if !bytes.Equal(back, pt) {
				t.Error("openssl's CBC does not decrypt with ours")
			}
		})
	}
}

// TestOpenSSLOMAC checks OMAC against the GOST engine's kuznyechik-mac and
// magma-mac (full-block tags) on random keys and lengths.
func TestOpenSSLOMAC(t *testing.T) {
	tool := interop.OpenSSL(t)
	for _, c := range ciphers {
		t.Run(c.name, func(t *testing.T) {
			for _, n := range []int{0, 1, 8, 15, 16, 17, 1000} {
				key, msg := make([]byte, 32), make([]byte, n)
				rand.Read(key)
				rand.Read(msg)
				b, _ := c.new(key)
				m, err := NewOMAC(b, b.BlockSize())
				if err != nil {
					t.Fatal(err)
				}
				m.Write(msg)
				out := tool.Run(t, msg, "dgst", "-mac", c.name+"-mac", "-macopt", "hexkey:"+hex.EncodeToString(key))
				want := strings.TrimSpace(string(out[bytes.LastIndexByte(out, ' ')+1:]))
				if got := hex.EncodeToString(m.Sum(nil)); got != want {
					t.Errorf("%d bytes: OMAC %s, openssl %s", n, got, want)
				}
			}
		})
	}
}

// TestOpenSSLOMACACPKM checks OMAC-ACPKM with Kuznyechik against the GOST
// engine's kuznyechik-ctr-acpkm-omac digest ("openssl dgst
// -kuznyechik-ctr-acpkm-omac -mac kuznyechik-mac"; the engine's "-mac
// kuznyechik-ctr-acpkm-omac" alone computes plain OMAC) on random keys and
// lengths. The engine fixes the section and the master section at 4096
// bytes and the tag at 16 bytes, and has no Magma OMAC-ACPKM digest.
func TestOpenSSLOMACACPKM(t *testing.T) {
	tool := interop.OpenSSL(t)
	for _, n := range []int{0, 1, 15, 16, 17, 4095, 4096, 4097, 8192, 100000, 300000} {
		key, msg := make([]byte, 32), make([]byte, n)
		rand.Read(key)
		rand.Read(msg)
		m, err := NewOMACACPKM(kuznyechik.NewCipher, key, 4096, 4096, 16)
		if err != nil {
			t.Fatal(err)
		}
		m.Write(msg)
		out := tool.Run(t, msg, "dgst", "-kuznyechik-ctr-acpkm-omac", "-mac", "kuznyechik-mac", "-macopt", "hexkey:"+hex.EncodeToString(key))
		want := strings.TrimSpace(string(out[bytes.LastIndexByte(out, ' ')+1:]))
		if got := hex.EncodeToString(m.Sum(nil)); got != want {
			t.Errorf("%d bytes: OMAC-ACPKM %s, openssl %s", n, got, want)
		}
	}
}
