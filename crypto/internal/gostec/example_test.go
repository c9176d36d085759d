package gostec_test

import (
	"encoding/hex"
	"fmt"

	"github.com/gostca/gostca/crypto/internal/gostec"
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// The public key of the RFC 7091 §7.1 example on id-GostR3410-2001-TestParamSet.
func ExamplePoint_ScalarBaseMult() {
	c, err := gostec.NewCurve(
		mustHex("8000000000000000000000000000000000000000000000000000000000000431"),
		mustHex("0000000000000000000000000000000000000000000000000000000000000007"),
		mustHex("5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E"),
		mustHex("8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3"),
		mustHex("0000000000000000000000000000000000000000000000000000000000000002"),
		mustHex("08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8"),
		1)
	if err != nil {
		panic(err)
	}
	d, err := c.NewScalar().SetBytes(mustHex("7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28"))
	if err != nil {
		panic(err)
	}
	q, err := c.NewPoint().ScalarBaseMult(d).Bytes()
	if err != nil {
		panic(err)
	}
	fmt.Printf("Qx = %X\nQy = %X\n", q[:c.Size()], q[c.Size():])
	// Output:
	// Qx = 7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B
	// Qy = 26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA
}
