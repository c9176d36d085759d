//go:build ctcheck

package gost3410

import (
	"bytes"
	"os"
	"testing"

	"github.com/gostca/gostca/crypto/internal/gostec"
)

// TestCTTrace signs once with the key and nonce of the case named by
// GOSTCA_CT_CASE, on the parameter set named by GOSTCA_CT_PARAMS. It is
// not a check by itself: testdata/ctcheck.sh runs it under valgrind's
// callgrind for two very different cases and compares, function by
// function, the instructions executed in the signing path, which must be
// equal when nothing branches on the key or the nonce. Build tag ctcheck:
// it is never part of go test ./....
func TestCTTrace(t *testing.T) {
	p, err := ParamsByName(os.Getenv("GOSTCA_CT_PARAMS"))
	if err != nil {
		t.Fatal(err)
	}
	curve := p.ec()
	size := curve.Size()
	q := curve.Order()
	one := append(make([]byte, size-1), 1)
	two := append(make([]byte, size-1), 2) // k = 1 gives r = 0 on CryptoPro-C, whose G has x = 0
	qm1 := append([]byte(nil), q...)
	qm1[size-1]-- // q is odd: no borrow
	qm2 := append([]byte(nil), qm1...)
	qm2[size-1]-- // q − 1 is even and q's low byte is not 1 on these curves
	alt := bytes.Repeat([]byte{0x55}, size)
	alt[0] = 0x15
	cases := map[string][2][]byte{ // d, k (big-endian)
		"small": {one, two},
		"large": {qm1, qm2},
		"mixed": {alt, two},
	}
	c, ok := cases[os.Getenv("GOSTCA_CT_CASE")]
	if !ok {
		t.Fatalf("GOSTCA_CT_CASE must be one of small, large, mixed")
	}
	d, err := curve.NewScalar().SetBytes(c[0])
	if err != nil {
		t.Fatal(err)
	}
	k, err := curve.NewScalar().SetBytes(c[1])
	if err != nil {
		t.Fatal(err)
	}
	e := curve.NewScalar()
	setDigestScalar(e, bytes.Repeat([]byte{0xa5}, size))
	sig := make([]byte, 2*size)
	// The same warm-up for every case builds the fixed-base table and grows
	// the goroutine's stack, so that neither happens in the measured call.
	warm, _ := curve.NewScalar().SetBytes(alt)
	signWithNonce(curve, sig, warm, e, warm)
	if !ctSignOnce(curve, sig, d, e, k) {
		t.Fatal("signWithNonce failed")
	}
}

// ctSignOnce is the measured call: ctcheck.sh collects the instructions
// executed inside it (callgrind --toggle-collect).
//
//go:noinline
func ctSignOnce(curve *gostec.Curve, sig []byte, d, e, k *gostec.Scalar) bool {
	return signWithNonce(curve, sig, d, e, k)
}
