package pkcs8

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/gostca/gostca/internal/testkit"
	"io"
	"testing"
	"testing/iotest"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/streebog"
)

// fast keeps the tests that do not measure the default quick.
var fast = &Options{Iterations: 10}

func TestRoundTrip(t *testing.T) {
	for _, params := range []*gost3410.Params{gost3410.ParamsTC26256A(), gost3410.ParamsTC26512A()} {
		for _, pass := range []string{"secret", "", "пароль с пробелами", "\x00\xff"} {
			t.Run(fmt.Sprintf("%s/%q", params, pass), func(t *testing.T) {
				info := keyInfoFor(t, params)
				enc, err := Encrypt(randReader(), info, []byte(pass), fast)
				if err != nil {
					t.Fatal(err)
				}
				if !IsEncrypted(enc) || IsEncrypted(info) {
					t.Errorf("IsEncrypted: encrypted %v, plain %v", IsEncrypted(enc), IsEncrypted(info))
				}
				got, err := Decrypt(enc, []byte(pass))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, info) {
					t.Fatalf("Decrypt returned %x, want %x", got, info)
				}
				if _, err := gost3410.ParsePKCS8PrivateKey(got); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestRoundTripDefaults encrypts once with the default options, the form
// keyfile writes.
func TestRoundTripDefaults(t *testing.T) {
	if testing.Short() || testkit.Race {
		t.Skip("PBKDF2 at DefaultIterations is slow in -short and -race runs")
	}
	info := testKeyInfo(t)
	enc, err := Encrypt(randReader(), info, []byte("secret"), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := parse(enc, MaxIterations)
	if err != nil {
		t.Fatal(err)
	}
	if p.iterations != DefaultIterations || len(p.salt) != defaultSaltSize || p.keyLength != 0 {
		t.Errorf("iterations %d, salt %d bytes, keyLength %d", p.iterations, len(p.salt), p.keyLength)
	}
	got, err := Decrypt(enc, []byte("secret"))
	if err != nil || !bytes.Equal(got, info) {
		t.Fatalf("Decrypt: %x, %v", got, err)
	}
}

// katKey is testdata/openssl/keys/KEY-tc26-256-a.pem.
const katKey = "303e020100301706082a85030701010101300b06092a850307010201010104" +
	"20c4c8d26cf26200be2cad5042139f61fb002d995d404b469a68001169fae0e104"

// katEncrypted is Encrypt of katKey under "secret" with 2048 iterations,
// reading the salt 00..0f and the IV 10..1f. "openssl pkey -inform DER
// -passin pass:secret" with the GOST engine decrypts it to katKey
// (TestOpenSSLDecryptsOurs checks the same form for fresh keys).
const katEncrypted = "3081b3305f06092a864886f70d01050d3052303106092a864886f70d01050c3024" +
	"0410000102030405060708090a0b0c0d0e0f02020800300c06082a85030701010402" +
	"0500301d060960864801650304012a0410101112131415161718191a1b1c1d1e1f04" +
	"50e711aad6fced667636cd57c76283d50b237bacc2d5b316b604cb34a72a18e14b60" +
	"1d6f2026dc9b342cf2df85ded53ba232551b82376bf09a7cc929d22b8089b0390e7c" +
	"6223903f9cc13b63d6562f7a60"

func TestEncryptKnownAnswer(t *testing.T) {
	info, _ := hex.DecodeString(katKey)
	counter := make([]byte, 64)
	for i := range counter {
		counter[i] = byte(i)
	}
	got, err := Encrypt(bytes.NewReader(counter), info, []byte("secret"), &Options{Iterations: 2048})
	if err != nil {
		t.Fatal(err)
	}
	if want := katEncrypted; hex.EncodeToString(got) != want {
		t.Errorf("Encrypt =\n%x\nwant\n%s", got, want)
	}
	// The ciphertext is AES-256-CBC under PBKDF2-HMAC-Streebog-512, computed
	// here without the package.
	key, _ := pbkdf2.Key(streebog.New512, "secret", counter[:16], 2048, 32)
	block, _ := aes.NewCipher(key)
	ct := got[len(got)-80:]
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, counter[16:32]).CryptBlocks(pt, ct)
	if !bytes.Equal(pt[:len(info)], info) || !bytes.Equal(pt[len(info):], bytes.Repeat([]byte{16}, 16)) {
		t.Errorf("ciphertext decrypts to %x", pt)
	}
}

func TestEncryptErrors(t *testing.T) {
	info := testKeyInfo(t)
	tests := []struct {
		name string
		rand io.Reader
		info []byte
		opts *Options
	}{
		{"negative iterations", randReader(), info, &Options{Iterations: -1}},
		{"too many iterations", randReader(), info, &Options{Iterations: MaxIterations + 1}},
		{"short salt", randReader(), info, &Options{Iterations: 1, SaltSize: 7}},
		{"negative salt", randReader(), info, &Options{Iterations: 1, SaltSize: -16}},
		{"huge salt", randReader(), info, &Options{Iterations: 1, SaltSize: 1 << 20}},
		{"not a PrivateKeyInfo", randReader(), []byte("not DER"), fast},
		{"PrivateKeyInfo with trailing data", randReader(), append(info[:len(info):len(info)], 0), fast},
		{"empty", randReader(), nil, fast},
		{"rand fails", iotest.ErrReader(errors.New("no entropy")), info, fast},
		{"rand short", bytes.NewReader(make([]byte, 20)), info, fast},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if der, err := Encrypt(tt.rand, tt.info, []byte("secret"), tt.opts); err == nil {
				t.Fatalf("Encrypt succeeded: %x", der)
			}
		})
	}
}

func TestDecryptIncorrectPassphrase(t *testing.T) {
	info := testKeyInfo(t)
	enc, err := Encrypt(randReader(), info, []byte("secret"), fast)
	if err != nil {
		t.Fatal(err)
	}
	// Not "secret\x00": HMAC pads its key with zeros, so in PBKDF2 a
	// passphrase shorter than the hash block equals itself with trailing NULs.
	for _, pass := range []string{"Secret", "secret ", "secre", "", "secret\n", "\x00secret"} {
		t.Run(fmt.Sprintf("%q", pass), func(t *testing.T) {
			got, err := Decrypt(enc, []byte(pass))
			if !errors.Is(err, ErrIncorrectPassphrase) || got != nil {
				t.Fatalf("Decrypt = %x, %v; want ErrIncorrectPassphrase", got, err)
			}
		})
	}
}

// TestDecryptIncorrectPassphraseValidPadding finds a wrong passphrase whose
// key happens to leave valid CBC padding (about one in 256 do) and checks
// that the PrivateKeyInfo check still catches it.
func TestDecryptIncorrectPassphraseValidPadding(t *testing.T) {
	s := validSpec(t)
	s.iterations = 1
	enc := s.build(t)
	p, err := parse(enc, MaxIterations)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100000 {
		pass := fmt.Sprintf("wrong-%d", i)
		key, _ := pbkdf2.Key(streebog.New512, pass, p.salt, 1, 32)
		block, _ := aes.NewCipher(key)
		pt := make([]byte, len(p.ciphertext))
		cipher.NewCBCDecrypter(block, p.iv).CryptBlocks(pt, p.ciphertext)
		if _, ok := unpad(pt); !ok {
			continue
		}
		got, err := Decrypt(enc, []byte(pass))
		if !errors.Is(err, ErrIncorrectPassphrase) {
			t.Fatalf("passphrase %q leaves valid padding; Decrypt = %x, %v; want ErrIncorrectPassphrase", pass, got, err)
		}
		return
	}
	t.Fatal("no wrong passphrase with valid padding found")
}

func TestUnpad(t *testing.T) {
	block := func(tail ...byte) []byte {
		return append(bytes.Repeat([]byte{0xaa}, 32-len(tail)), tail...)
	}
	tests := []struct {
		name string
		in   []byte
		n    int
		ok   bool
	}{
		{"one", block(1), 31, true},
		{"two", block(2, 2), 30, true},
		{"full block", block(bytes.Repeat([]byte{16}, 16)...), 16, true},
		{"zero", block(0), 0, false},
		{"seventeen", block(bytes.Repeat([]byte{17}, 17)...), 0, false},
		{"inconsistent", block(1, 3, 3), 0, false},
		{"inconsistent far", block(append([]byte{15}, bytes.Repeat([]byte{16}, 15)...)...), 0, false},
		{"0xff", block(0xff), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, ok := unpad(tt.in)
			if ok != tt.ok || (ok && n != tt.n) {
				t.Errorf("unpad = %d, %v; want %d, %v", n, ok, tt.n, tt.ok)
			}
		})
	}
}

// TestDecryptOtherSchemes decrypts the PBES2 variants other tools write.
func TestDecryptOtherSchemes(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*spec)
	}{
		{"Encrypt's form", func(s *spec) {}},
		{"hmacWithSHA256 AES-128", func(s *spec) { s.prf, s.cipher = oidHMACSHA256, oidAES128CBC }},
		{"hmacWithSHA256 AES-192", func(s *spec) { s.prf, s.cipher = oidHMACSHA256, oidAES192CBC }},
		{"hmacWithSHA256 AES-256", func(s *spec) { s.prf = oidHMACSHA256 }},
		{"hmacWithSHA512 AES-256", func(s *spec) { s.prf = oidHMACSHA512 }},
		{"HMAC-Streebog-256 AES-256", func(s *spec) { s.prf = oidHMACStreebog2 }},
		{"HMAC-Streebog-512 AES-128", func(s *spec) { s.cipher = oidAES128CBC }},
		{"prf without parameters", func(s *spec) { s.prfParams = nil }},
		{"keyLength present", func(s *spec) { s.keyLength = 32 }},
		{"keyLength present AES-128", func(s *spec) { s.keyLength, s.cipher = 16, oidAES128CBC }},
		{"short salt", func(s *spec) { s.salt = []byte{1} }},
		{"empty salt", func(s *spec) { s.salt = []byte{} }},
		{"one iteration", func(s *spec) { s.iterations = 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validSpec(t)
			tt.modify(&s)
			got, err := Decrypt(s.build(t), []byte(s.passphrase))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, s.plaintext) {
				t.Fatalf("Decrypt = %x, want %x", got, s.plaintext)
			}
		})
	}
}

func TestDecryptMalformed(t *testing.T) {
	info := testKeyInfo(t)
	valid := validSpec(t).build(t)
	integer := func(v int64) []byte { b, _ := asn1.Marshal(v); return b }
	tests := []struct {
		name   string
		modify func(*spec)
		der    []byte // used instead of the spec when non-nil
	}{
		{name: "empty", der: []byte{}},
		{name: "truncated", der: valid[:len(valid)-1]},
		{name: "truncated header", der: valid[:3]},
		{name: "trailing data", der: append(valid[:len(valid):len(valid)], 0)},
		{name: "PrivateKeyInfo", der: info},
		{name: "not DER", der: []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----")},
		{name: "PBES1 MD5-DES", modify: func(s *spec) { s.scheme = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 3} }},
		{name: "PKCS#12 3DES", modify: func(s *spec) { s.scheme = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3} }},
		{name: "unknown scheme", modify: func(s *spec) { s.scheme = asn1.ObjectIdentifier{1, 2, 3, 4} }},
		{name: "scrypt", modify: func(s *spec) { s.kdf = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11} }},
		{name: "PBKDF2 OID as cipher", modify: func(s *spec) { s.cipher = oidPBKDF2 }},
		{name: "GOST 28147-89 cipher", modify: func(s *spec) { s.cipher = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 21} }},
		{name: "Kuznyechik CTR-ACPKM", modify: func(s *spec) { s.cipher = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 5, 2, 1} }},
		{name: "AES-256-GCM", modify: func(s *spec) { s.cipher = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 46} }},
		{name: "hmacWithSHA1 default", modify: func(s *spec) { s.omitPRF = true }},
		{name: "hmacWithSHA1", modify: func(s *spec) { s.prf = oidHMACSHA1 }},
		{name: "unknown prf", modify: func(s *spec) { s.prf = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 4, 3} }},
		{name: "prf with parameters", modify: func(s *spec) { s.prfParams = integer(1) }},
		{name: "prf with non-empty NULL", modify: func(s *spec) { s.prfParams = []byte{0x05, 0x01, 0x00} }},
		{name: "iteration 0", modify: func(s *spec) { s.iterations = 0 }},
		{name: "iteration negative", modify: func(s *spec) { s.iterations = -1 }},
		{name: "iteration huge", modify: func(s *spec) { s.iterations = MaxIterations + 1 }},
		{name: "iteration max int64", modify: func(s *spec) { s.iterations = 1<<63 - 1 }},
		{name: "keyLength mismatch", modify: func(s *spec) { s.keyLength = 16 }},
		{name: "keyLength negative", modify: func(s *spec) { s.keyLength = -32 }},
		{name: "keyLength huge", modify: func(s *spec) { s.keyLength = 1 << 40 }},
		{name: "IV short", modify: func(s *spec) { s.iv = s.iv[:15] }},
		{name: "IV long", modify: func(s *spec) { s.iv = append(s.iv, 0) }},
		{name: "IV empty", modify: func(s *spec) { s.iv = []byte{} }},
		{name: "ciphertext empty", modify: func(s *spec) { s.ciphertext = []byte{} }},
		{name: "ciphertext partial block", modify: func(s *spec) { s.ciphertext = make([]byte, 33) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			der := tt.der
			if der == nil {
				s := validSpec(t)
				tt.modify(&s)
				der = s.build(t)
			}
			got, err := Decrypt(der, []byte("secret"))
			if err == nil {
				t.Fatalf("Decrypt succeeded: %x", got)
			}
			if errors.Is(err, ErrIncorrectPassphrase) {
				t.Fatalf("malformed input reported as %v", err)
			}
		})
	}
	// The rows above spoil one field of validSpec; it must be valid itself.
	if _, err := Decrypt(valid, []byte("secret")); err != nil {
		t.Fatalf("validSpec: %v", err)
	}
}

func TestIsEncrypted(t *testing.T) {
	info := testKeyInfo(t)
	enc := validSpec(t).build(t)
	tests := []struct {
		name string
		der  []byte
		want bool
	}{
		{"EncryptedPrivateKeyInfo", enc, true},
		{"unsupported scheme still looks encrypted", func() []byte {
			s := validSpec(t)
			s.scheme = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 3}
			return s.build(t)
		}(), true},
		{"PrivateKeyInfo", info, false},
		{"truncated", enc[:len(enc)-1], false},
		{"trailing data", append(enc[:len(enc):len(enc)], 0), false},
		{"empty", nil, false},
		{"PEM", []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsEncrypted(tt.der); got != tt.want {
				t.Errorf("IsEncrypted = %v, want %v", got, tt.want)
			}
		})
	}
}
