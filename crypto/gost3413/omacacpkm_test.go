package gost3413

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/gostca/gostca/crypto/kuznyechik"
	"github.com/gostca/gostca/crypto/magma"
)

type omacACPKMVector struct {
	Name          string `json:"name"`
	Cipher        string `json:"cipher"`
	Key           string `json:"key"`
	Section       int    `json:"section"`
	MasterSection int    `json:"master_section"`
	Message       string `json:"message"`
	Tag           string `json:"tag"`
	KeyMaterial   string `json:"key_material"`
}

func loadOMACACPKMVectors(t *testing.T) []omacACPKMVector {
	t.Helper()
	b, err := os.ReadFile("testdata/omac_acpkm.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Vectors []omacACPKMVector `json:"vectors"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	return v.Vectors
}

func newCipherNamed(t testing.TB, name string) func([]byte) (cipher.Block, error) {
	t.Helper()
	for _, c := range ciphers {
		if c.name == name {
			return c.new
		}
	}
	t.Fatalf("unknown cipher %q", name)
	return nil
}

// TestOMACACPKMVectors reproduces the OMAC-ACPKM examples of
// R 1323565.1.017-2018 (A.3 Magma, A.4 Kuznyechik): the tags, and the
// ACPKM-Master key material of the three-section examples.
func TestOMACACPKMVectors(t *testing.T) {
	for _, v := range loadOMACACPKMVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			newCipher := newCipherNamed(t, v.Cipher)
			key, msg, want := unhex(t, v.Key), unhex(t, v.Message), unhex(t, v.Tag)
			m, err := NewOMACACPKM(newCipher, key, v.Section, v.MasterSection, len(want))
			if err != nil {
				t.Fatal(err)
			}
			m.Write(msg)
			if got := m.Sum(nil); !bytes.Equal(got, want) {
				t.Errorf("tag %x, want %x", got, want)
			}
			// Sum does not change the state; Reset starts over.
			if got := m.Sum(nil); !bytes.Equal(got, want) {
				t.Errorf("second Sum %x, want %x", got, want)
			}
			m.Reset()
			for i := range msg {
				m.Write(msg[i : i+1])
			}
			if got := m.Sum([]byte("prefix")); !bytes.Equal(got, append([]byte("prefix"), want...)) {
				t.Errorf("after Reset, byte by byte: %x, want prefix||%x", got, want)
			}
			if v.KeyMaterial == "" {
				return
			}
			// ACPKM-Master(T*, K, len) = CTR-ACPKM(T*, K, 1^(n/2), 0^len).
			b, _ := newCipher(key)
			s, err := NewCTRACPKM(newCipher, key, bytes.Repeat([]byte{0xff}, b.BlockSize()/2), v.MasterSection)
			if err != nil {
				t.Fatal(err)
			}
			wantKM := unhex(t, v.KeyMaterial)
			km := make([]byte, len(wantKM))
			s.XORKeyStream(km, km)
			if !bytes.Equal(km, wantKM) {
				t.Errorf("ACPKM-Master\n got %x\nwant %x", km, wantKM)
			}
		})
	}
}

func TestOMACACPKMErrors(t *testing.T) {
	bad := errors.New("bad key")
	tests := []struct {
		name                  string
		newCipher             func([]byte) (cipher.Block, error)
		key                   []byte
		section, master, size int
	}{
		{"key rejected", func([]byte) (cipher.Block, error) { return nil, bad }, make([]byte, 32), 32, 96, 16},
		{"short key", kuznyechik.NewCipher, make([]byte, 16), 32, 96, 16},
		{"zero section", kuznyechik.NewCipher, make([]byte, 32), 0, 96, 16},
		{"section not a multiple of the block", kuznyechik.NewCipher, make([]byte, 32), 24, 96, 16},
		{"negative master section", kuznyechik.NewCipher, make([]byte, 32), 32, -96, 16},
		{"master section not a multiple of the block", magma.NewCipher, make([]byte, 32), 16, 84, 8},
		{"zero size", kuznyechik.NewCipher, make([]byte, 32), 32, 96, 0},
		{"size above the block", magma.NewCipher, make([]byte, 32), 16, 80, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewOMACACPKM(tt.newCipher, tt.key, tt.section, tt.master, tt.size); err == nil {
				t.Error("no error")
			}
		})
	}
	_, err := NewOMACACPKM(func([]byte) (cipher.Block, error) { return nil, bad }, nil, 32, 96, 16)
	if !errors.Is(err, bad) {
		t.Errorf("error %v does not wrap the cipher's", err)
	}
}

// TestOMACACPKMOneSection checks that once a message fits in one section
// and its key material in one master section, larger sizes do not change
// the tag.
func TestOMACACPKMOneSection(t *testing.T) {
	for _, c := range ciphers {
		t.Run(c.name, func(t *testing.T) {
			key := make([]byte, 32)
			rand.Read(key)
			msg := make([]byte, 100)
			rand.Read(msg)
			var tags [][]byte
			for _, sizes := range [][2]int{{128, 128}, {4096, 4096}, {1 << 20, 1 << 16}} {
				m, err := NewOMACACPKM(c.new, key, sizes[0], sizes[1], 8)
				if err != nil {
					t.Fatal(err)
				}
				m.Write(msg)
				tags = append(tags, m.Sum(nil))
			}
			for _, tag := range tags[1:] {
				if !bytes.Equal(tag, tags[0]) {
					t.Errorf("tags differ: %x", tags)
				}
			}
		})
	}
}

// FuzzOMACACPKMSplit checks that how a message is split between Write
// calls does not change the tag: one Write against pieces of the fuzzer's
// lengths, with small sections so that many section keys are used.
func FuzzOMACACPKMSplit(f *testing.F) {
	f.Add([]byte("1122334455667700ffeeddccbbaa998800112233445566778899aabbcceeff0a112233445566778899"), []byte{1, 15, 16, 17, 0, 33}, false)
	f.Add(make([]byte, 200), []byte{32, 32, 32}, true)
	f.Add([]byte{}, []byte{}, false)
	f.Fuzz(func(t *testing.T, msg, cuts []byte, useMagma bool) {
		c := ciphers[0]
		section, master := 32, 96
		if useMagma {
			c, section, master = ciphers[1], 16, 80
		}
		key := bytes.Repeat([]byte{0x5a}, 32)
		whole, err := NewOMACACPKM(c.new, key, section, master, 16/(1+boolInt(useMagma)))
		if err != nil {
			t.Fatal(err)
		}
		whole.Write(msg)
		want := whole.Sum(nil)
		split, _ := NewOMACACPKM(c.new, key, section, master, 16/(1+boolInt(useMagma)))
		rest := msg
		for _, cut := range cuts {
			k := min(int(cut), len(rest))
			split.Write(rest[:k])
			rest = rest[k:]
			split.Sum(nil) // an intermediate Sum must not disturb the state
		}
		split.Write(rest)
		if got := split.Sum(nil); !bytes.Equal(got, want) {
			t.Errorf("split %v: %x, one Write: %x", cuts, got, want)
		}
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestOMACACPKMSplitRandom is the differential check of the fuzz target
// on random messages and pieces, run on every go test.
func TestOMACACPKMSplitRandom(t *testing.T) {
	for _, c := range ciphers {
		t.Run(c.name, func(t *testing.T) {
			key := make([]byte, 32)
			rand.Read(key)
			for _, n := range []int{0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 95, 96, 97, 1000, 5000} {
				msg := make([]byte, n)
				rand.Read(msg)
				whole, _ := NewOMACACPKM(c.new, key, 32, 96, 8)
				whole.Write(msg)
				want := whole.Sum(nil)
				split, _ := NewOMACACPKM(c.new, key, 32, 96, 8)
				for rest := msg; len(rest) > 0; {
					var b [1]byte
					rand.Read(b[:])
					k := min(int(b[0]%40), len(rest))
					split.Write(rest[:k])
					rest = rest[k:]
				}
				if got := split.Sum(nil); !bytes.Equal(got, want) {
					t.Errorf("%d bytes: split %x, whole %x", n, got, want)
				}
			}
		})
	}
}
