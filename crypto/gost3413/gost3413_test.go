package gost3413

import (
	"bytes"
	"crypto/cipher"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/gostca/gostca/crypto/kuznyechik"
	"github.com/gostca/gostca/crypto/magma"
)

type vectors struct {
	Key             string `json:"key"`
	Plaintext       string `json:"plaintext"`
	CTRIV           string `json:"ctr_iv"`
	CTR             string `json:"ctr"`
	CFBIV           string `json:"cfb_iv"`
	CFB             string `json:"cfb"`
	OMACSize        int    `json:"omac_size"`
	OMAC            string `json:"omac"`
	ACPKMSection    int    `json:"acpkm_section"`
	ACPKMPlaintext  string `json:"acpkm_plaintext"`
	ACPKMCiphertext string `json:"acpkm"`
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadVectors(t *testing.T) map[string]vectors {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Vectors map[string]vectors `json:"vectors"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v.Vectors
}

var ciphers = []struct {
	name string
	new  func([]byte) (cipher.Block, error)
}{
	{"kuznyechik", kuznyechik.NewCipher},
	{"magma", magma.NewCipher},
}

// TestAnnexA reproduces GOST R 34.13-2015 Annex A for every mode
// implemented, and the CTR-ACPKM example of RFC 8645.
func TestAnnexA(t *testing.T) {
	all := loadVectors(t)
	for _, c := range ciphers {
		v := all[c.name]
		b, err := c.new(unhex(t, v.Key))
		if err != nil {
			t.Fatal(err)
		}
		pt := unhex(t, v.Plaintext)
		t.Run(c.name+"/CTR", func(t *testing.T) {
			s, err := NewCTR(b, unhex(t, v.CTRIV))
			if err != nil {
				t.Fatal(err)
			}
			got := make([]byte, len(pt))
			// Unaligned pieces exercise the buffering.
			s.XORKeyStream(got[:5], pt[:5])
			s.XORKeyStream(got[5:], pt[5:])
			if want := unhex(t, v.CTR); !bytes.Equal(got, want) {
				t.Errorf("got  %x\nwant %x", got, want)
			}
		})
		t.Run(c.name+"/CFB", func(t *testing.T) {
			enc, err := NewCFBEncrypter(b, unhex(t, v.CFBIV))
			if err != nil {
				t.Fatal(err)
			}
			got := make([]byte, len(pt))
			enc.XORKeyStream(got[:3], pt[:3])
			enc.XORKeyStream(got[3:], pt[3:])
			want := unhex(t, v.CFB)
			if !bytes.Equal(got, want) {
				t.Errorf("got  %x\nwant %x", got, want)
			}
			dec, _ := NewCFBDecrypter(b, unhex(t, v.CFBIV))
			dec.XORKeyStream(got, got)
			if !bytes.Equal(got, pt) {
				t.Errorf("decrypted %x, want %x", got, pt)
			}
		})
		t.Run(c.name+"/OMAC", func(t *testing.T) {
			m, err := NewOMAC(b, v.OMACSize)
			if err != nil {
				t.Fatal(err)
			}
			m.Write(pt[:7])
			m.Write(pt[7:])
			if got, want := m.Sum(nil), unhex(t, v.OMAC); !bytes.Equal(got, want) {
				t.Errorf("got %x, want %x", got, want)
			}
			m.Reset()
			m.Write(pt)
			if got, want := m.Sum(nil), unhex(t, v.OMAC); !bytes.Equal(got, want) {
				t.Errorf("after Reset got %x, want %x", got, want)
			}
		})
		if v.ACPKMSection == 0 {
			continue
		}
		t.Run(c.name+"/CTR-ACPKM", func(t *testing.T) {
			s, err := NewCTRACPKM(c.new, unhex(t, v.Key), unhex(t, v.CTRIV), v.ACPKMSection)
			if err != nil {
				t.Fatal(err)
			}
			pt := unhex(t, v.ACPKMPlaintext)
			got := make([]byte, len(pt))
			s.XORKeyStream(got[:17], pt[:17])
			s.XORKeyStream(got[17:], pt[17:])
			if want := unhex(t, v.ACPKMCiphertext); !bytes.Equal(got, want) {
				t.Errorf("got  %x\nwant %x", got, want)
			}
		})
	}
}
