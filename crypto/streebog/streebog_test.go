package streebog

import (
	"bytes"
	"crypto/hmac"
	"crypto/pbkdf2"
	"encoding"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math/rand/v2"
	"testing"
)

// The RFC 6986 section 10 messages, in stream byte order (gost.md §6.1).
var (
	m1 = []byte("012345678901234567890123456789012345678901234567890123456789012")
	m2 = mustHex("d1e520e2e5f2f0e82c20d1f2f0e8e1eee6e820e2edf3f6e82c20e2e5fef2fa20f120eceef0ff20f1f2f0e5ebe0ece820ede020f5f0e0e1f0fbff20efebfaeafb20c8e3eef0e5e2fb")
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// hashSize describes one of the two hash functions for table-driven tests.
type hashSize struct {
	name string
	new  func() hash.Hash
	sum  func([]byte) []byte
	size int
}

var sizes = []hashSize{
	{"256", New256, func(b []byte) []byte { s := Sum256(b); return s[:] }, Size256},
	{"512", New512, func(b []byte) []byte { s := Sum512(b); return s[:] }, Size512},
}

// vectors are the RFC 6986 section 10 examples, as stream bytes (gost.md
// §6.1, the column that Sum and "openssl dgst" return).
var vectors = []struct {
	name string
	msg  []byte
	h256 string
	h512 string
}{
	{
		name: "M1 (RFC 6986 10.1)",
		msg:  m1,
		h256: "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500",
		h512: "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48",
	},
	{
		name: "M2 (RFC 6986 10.2)",
		msg:  m2,
		h256: "9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50",
		h512: "1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28",
	},
}

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		for _, s := range sizes {
			want := v.h256
			if s.size == Size512 {
				want = v.h512
			}
			t.Run(v.name+"/"+s.name, func(t *testing.T) {
				if got := hex.EncodeToString(s.sum(v.msg)); got != want {
					t.Errorf("Sum%s = %s, want %s", s.name, got, want)
				}
				h := s.new()
				h.Write(v.msg)
				if got := hex.EncodeToString(h.Sum(nil)); got != want {
					t.Errorf("New%s().Write().Sum = %s, want %s", s.name, got, want)
				}
			})
		}
	}
}

// TestSplitWrites checks that the hash does not depend on how the message is
// cut into Write calls.
func TestSplitWrites(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	msgs := []struct {
		name string
		msg  []byte
	}{{"M2", m2}}
	for i := range 3 {
		b := make([]byte, 300)
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		msgs = append(msgs, struct {
			name string
			msg  []byte
		}{fmt.Sprintf("random300-%d", i), b})
	}
	for _, m := range msgs {
		for _, s := range sizes {
			t.Run(m.name+"/"+s.name, func(t *testing.T) {
				want := s.sum(m.msg)
				for cut := 0; cut <= len(m.msg); cut++ {
					h := s.new()
					h.Write(m.msg[:cut])
					h.Write(m.msg[cut:])
					if got := h.Sum(nil); !bytes.Equal(got, want) {
						t.Fatalf("split at %d: %x, want %x", cut, got, want)
					}
				}
				// Byte at a time.
				h := s.new()
				for i := range m.msg {
					h.Write(m.msg[i : i+1])
				}
				if got := h.Sum(nil); !bytes.Equal(got, want) {
					t.Fatalf("byte at a time: %x, want %x", got, want)
				}
			})
		}
	}
}

func TestBlockBoundaries(t *testing.T) {
	// Lengths around block multiples exercise the padding of an empty last
	// block; both ways of hashing must agree.
	msg := make([]byte, 3*BlockSize+1)
	for i := range msg {
		msg[i] = byte(i * 7)
	}
	for _, s := range sizes {
		for _, n := range []int{0, 1, 63, 64, 65, 127, 128, 129, 192, 193} {
			t.Run(fmt.Sprintf("%s/len%d", s.name, n), func(t *testing.T) {
				h := s.new()
				for _, c := range msg[:n] {
					h.Write([]byte{c})
				}
				if got, want := h.Sum(nil), s.sum(msg[:n]); !bytes.Equal(got, want) {
					t.Errorf("got %x, want %x", got, want)
				}
			})
		}
	}
}

func TestResetAndSumKeepsState(t *testing.T) {
	for _, s := range sizes {
		t.Run(s.name, func(t *testing.T) {
			h := s.new()
			h.Write([]byte("some unrelated data that is longer than one block of sixty-four bytes"))
			h.Reset()
			h.Write(m2)
			if got, want := h.Sum(nil), s.sum(m2); !bytes.Equal(got, want) {
				t.Fatalf("after Reset: %x, want %x", got, want)
			}

			h.Reset()
			h.Write(m2[:10])
			_ = h.Sum(nil)
			_ = h.Sum([]byte{1, 2, 3})
			h.Write(m2[10:])
			if got, want := h.Sum(nil), s.sum(m2); !bytes.Equal(got, want) {
				t.Fatalf("Write after Sum: %x, want %x", got, want)
			}
			prefix := []byte("prefix")
			if got := h.Sum(prefix); !bytes.Equal(got[:len(prefix)], prefix) || !bytes.Equal(got[len(prefix):], s.sum(m2)) {
				t.Fatalf("Sum(prefix) = %x", got)
			}
		})
	}
}

func TestSizes(t *testing.T) {
	for _, s := range sizes {
		t.Run(s.name, func(t *testing.T) {
			h := s.new()
			if h.Size() != s.size {
				t.Errorf("Size() = %d, want %d", h.Size(), s.size)
			}
			if h.BlockSize() != BlockSize {
				t.Errorf("BlockSize() = %d, want %d", h.BlockSize(), BlockSize)
			}
			if n := len(h.Sum(nil)); n != s.size {
				t.Errorf("len(Sum(nil)) = %d, want %d", n, s.size)
			}
		})
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	msg := make([]byte, 3*BlockSize+17)
	for i := range msg {
		msg[i] = byte(i)
	}
	for _, s := range sizes {
		for _, cut := range []int{0, 1, 63, 64, 65, 100, len(msg)} {
			t.Run(fmt.Sprintf("%s/cut%d", s.name, cut), func(t *testing.T) {
				h := s.new()
				h.Write(msg[:cut])
				state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				appended, err := h.(encoding.BinaryAppender).AppendBinary([]byte("x"))
				if err != nil || !bytes.Equal(appended[1:], state) {
					t.Fatalf("AppendBinary = %x, %v; want x||%x", appended, err, state)
				}
				h2 := s.new()
				h2.Write([]byte("state to be overwritten"))
				if err := h2.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
					t.Fatal(err)
				}
				h2.Write(msg[cut:])
				if got, want := h2.Sum(nil), s.sum(msg); !bytes.Equal(got, want) {
					t.Errorf("resumed hash = %x, want %x", got, want)
				}
			})
		}
	}
}

func TestUnmarshalErrors(t *testing.T) {
	good256, _ := New256().(encoding.BinaryMarshaler).MarshalBinary()
	good512, _ := New512().(encoding.BinaryMarshaler).MarshalBinary()
	badNx := bytes.Clone(good256)
	badNx[len(badNx)-1] = BlockSize
	tests := []struct {
		name  string
		h     hash.Hash
		state []byte
		want  error
	}{
		{"empty", New256(), nil, errStateID},
		{"512 state into 256", New256(), good512, errStateID},
		{"256 state into 512", New512(), good256, errStateID},
		{"truncated", New256(), good256[:len(good256)-1], errStateSize},
		{"trailing data", New512(), append(bytes.Clone(good512), 0), errStateSize},
		{"pending count too large", New256(), badNx, errStateData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.h.(encoding.BinaryUnmarshaler).UnmarshalBinary(tt.state); !errors.Is(err, tt.want) {
				t.Errorf("UnmarshalBinary = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestClone(t *testing.T) {
	for _, s := range sizes {
		t.Run(s.name, func(t *testing.T) {
			h := s.new()
			h.Write(m2[:40])
			c, err := h.(hash.Cloner).Clone()
			if err != nil {
				t.Fatal(err)
			}
			h.Write([]byte("diverge"))
			c.Write(m2[40:])
			if got, want := c.Sum(nil), s.sum(m2); !bytes.Equal(got, want) {
				t.Errorf("clone = %x, want %x", got, want)
			}
		})
	}
}

// TestHMAC checks HMAC_GOSTR3411_2012_256/512 against RFC 7836 A.1.1/A.1.2
// (gost.md §10).
func TestHMAC(t *testing.T) {
	key := mustHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	msg := mustHex("0126bdb87800af214341456563780100")
	tests := []struct {
		name string
		new  func() hash.Hash
		want string
	}{
		{"HMAC_GOSTR3411_2012_256", New256, "a1aa5f7de402d7b3d323f2991c8d4534013137010a83754fd0af6d7cd4922ed9"},
		{"HMAC_GOSTR3411_2012_512", New512, "a59bab22ecae19c65fbde6e5f4e9f5d8549d31f037f9df9b905500e171923a773d5f1530f2ed7e964cb2eedc29e9ad2f3afe93b2814f79f5000ffc0366c251e6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := hmac.New(tt.new, key)
			m.Write(msg)
			if got := hex.EncodeToString(m.Sum(nil)); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestPBKDF2 checks PBKDF2 with HMAC_GOSTR3411_2012_512 against R 50.1.111-2016
// (gost.md §10).
func TestPBKDF2(t *testing.T) {
	tests := []struct {
		name string
		iter int
		want string
	}{
		{"c=1", 1, "64770af7f748c3b1c9ac831dbcfd85c26111b30a8a657ddc3056b80ca73e040d2854fd36811f6d825cc4ab66ec0a68a490a9e5cf5156b3a2b7eecddbf9a16b47"},
		{"c=4096", 4096, "e52deb9a2d2aaff4e2ac9d47a41f34c20376591c67807f0477e32549dc341bc7867c09841b6d58e29d0347c996301d55df0d34e47cf68f4e3c2cdaf1d9ab86c3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dk, err := pbkdf2.Key(New512, "password", []byte("salt"), tt.iter, 64)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(dk); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestAllocations(t *testing.T) {
	msg := make([]byte, 1000)
	for _, s := range sizes {
		t.Run(s.name, func(t *testing.T) {
			h := s.new()
			buf := make([]byte, 0, Size512)
			if n := testing.AllocsPerRun(10, func() {
				h.Reset()
				h.Write(msg)
				h.Write(msg[:7])
				buf = h.Sum(buf[:0])
			}); n != 0 {
				t.Errorf("Write+Sum allocated %v times, want 0", n)
			}
		})
	}
	if n := testing.AllocsPerRun(10, func() {
		_ = Sum256(msg)
		_ = Sum512(msg)
	}); n != 0 {
		t.Errorf("Sum256+Sum512 allocated %v times, want 0", n)
	}
}

var benchSizes = []int{8, 64, 1024, 8192, 1 << 20}

func benchmarkHash(b *testing.B, newHash func() hash.Hash) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			msg := make([]byte, n)
			h := newHash()
			out := make([]byte, 0, Size512)
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				h.Reset()
				h.Write(msg)
				out = h.Sum(out[:0])
			}
		})
	}
}

func BenchmarkHash256(b *testing.B) { benchmarkHash(b, New256) }

func BenchmarkHash512(b *testing.B) { benchmarkHash(b, New512) }
