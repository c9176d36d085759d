package gost28147

import "testing"

// BenchmarkCFB is gost89 (CFB with CryptoPro key meshing, the TC26-Z S-box
// as the engine's default) on 16 KiB buffers, the counterpart of "openssl
// speed -evp gost89 -bytes 16384".
func BenchmarkCFB(b *testing.B) {
	s, _ := NewCFBEncrypter(make([]byte, KeySize), SBoxTC26Z(), make([]byte, BlockSize))
	buf := make([]byte, 16384)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		s.XORKeyStream(buf, buf)
	}
}

func BenchmarkEncrypt(b *testing.B) {
	c, _ := NewCipher(make([]byte, KeySize), SBoxTC26Z())
	buf := make([]byte, BlockSize)
	b.SetBytes(BlockSize)
	for b.Loop() {
		c.Encrypt(buf, buf)
	}
}
