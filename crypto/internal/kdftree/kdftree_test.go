package kdftree

import (
	"bytes"
	"encoding/hex"
	"testing"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRFC7836 is the KDF_TREE_GOSTR3411_2012_256 example of R 50.1.113-2016
// (RFC 7836 Appendix A): R = 1, L = 512.
func TestRFC7836(t *testing.T) {
	key := unhex(t, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	got, err := Streebog256(key, unhex(t, "26bdb878"), unhex(t, "af21434145656378"), 1, 64)
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, "22b6837845c6bef65ea71672b265831086d3c76aebe6dae91cad51d83f79d16b"+
		"074c9330599d7f8d712fca54392f4ddde93751206b3584c8f43f9e6dc51531f9")
	if !bytes.Equal(got, want) {
		t.Errorf("got  %x\nwant %x", got, want)
	}
}

// TestOneBlock checks that a 256-bit output is KDF_GOSTR3411_2012_256 of
// RFC 7836 §4.4, whose value for this input is the
// HMAC_GOSTR3411_2012_256 example of RFC 7836 Appendix A: that example's
// message is 01 26bdb878 00 af21434145656378 0100.
func TestOneBlock(t *testing.T) {
	key := unhex(t, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	got, err := Streebog256(key, unhex(t, "26bdb878"), unhex(t, "af21434145656378"), 1, 32)
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, "a1aa5f7de402d7b3d323f2991c8d4534013137010a83754fd0af6d7cd4922ed9")
	if !bytes.Equal(got, want) {
		t.Errorf("got  %x\nwant %x", got, want)
	}
}

func TestBadArguments(t *testing.T) {
	for _, tc := range []struct {
		name      string
		r, length int
	}{
		{"R of zero", 0, 64},
		{"R of five", 5, 64},
		{"zero length", 1, 0},
		{"negative length", 1, -32},
		{"not a multiple of 32", 1, 48},
		{"more blocks than the counter counts", 1, 256 * 32},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Streebog256(make([]byte, 32), nil, nil, tc.r, tc.length); err == nil {
				t.Error("accepted")
			}
		})
	}
	if _, err := Streebog256(make([]byte, 32), nil, nil, 1, 255*32); err != nil {
		t.Errorf("255 blocks with R = 1: %v", err)
	}
}
