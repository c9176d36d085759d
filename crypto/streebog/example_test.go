package streebog_test

import (
	"crypto/hmac"
	"fmt"

	"github.com/gostca/gostca/crypto/streebog"
)

func ExampleSum256() {
	sum := streebog.Sum256([]byte("abc"))
	fmt.Printf("%x\n", sum)
	// Output: 4e2919cf137ed41ec4fb6270c61826cc4fffb660341e0af3688cd0626d23b481
}

func ExampleNew512() {
	h := streebog.New512()
	h.Write([]byte("a"))
	h.Write([]byte("bc"))
	fmt.Printf("%x\n", h.Sum(nil))
	// Output: 28156e28317da7c98f4fe2bed6b542d0dab85bb224445fcedaf75d46e26d7eb8d5997f3e0915dd6b7f0aab08d9c8beb0d8c64bae2ab8b3c8c6bc53b3bf0db728
}

// HMAC_GOSTR3411_2012_256 (RFC 7836) is crypto/hmac over New256; this is the
// RFC 7836 A.1.1 example.
func Example_hmac() {
	key := []byte{
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
		0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	}
	msg := []byte{0x01, 0x26, 0xbd, 0xb8, 0x78, 0x00, 0xaf, 0x21, 0x43, 0x41, 0x45, 0x65, 0x63, 0x78, 0x01, 0x00}
	mac := hmac.New(streebog.New256, key)
	mac.Write(msg)
	fmt.Printf("%x\n", mac.Sum(nil))
	// Output: a1aa5f7de402d7b3d323f2991c8d4534013137010a83754fd0af6d7cd4922ed9
}
