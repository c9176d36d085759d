package gost28147

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/internal/interop"
)

// engineParamSet names the S-boxes as the GOST engine's CRYPT_PARAMS
// setting does.
var engineParamSet = map[string]string{
	"tc26-z":      "id-tc26-gost-28147-param-Z",
	"cryptopro-a": "id-Gost28147-89-CryptoPro-A-ParamSet",
	"cryptopro-b": "id-Gost28147-89-CryptoPro-B-ParamSet",
	"cryptopro-c": "id-Gost28147-89-CryptoPro-C-ParamSet",
	"cryptopro-d": "id-Gost28147-89-CryptoPro-D-ParamSet",
}

// engineConf writes an OpenSSL configuration that loads the GOST engine
// with the S-box paramSet for gost89.
func engineConf(t *testing.T, paramSet string) string {
	t.Helper()
	conf := "openssl_conf = openssl_init\n[openssl_init]\nengines = engines\n[engines]\ngost = gost\n" +
		"[gost]\nengine_id = gost\ndefault_algorithms = ALL\nCRYPT_PARAMS = " + paramSet + "\n"
	path := filepath.Join(t.TempDir(), "gost.cnf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestOpenSSLCNT checks the counter mode against the GOST engine's
// gost89-cnt, which always uses the CryptoPro-A S-box, and gost89-cnt-12,
// which always uses TC26-Z (the engine's CRYPT_PARAMS does not change
// either), on random keys, IVs and lengths across the meshing period.
func TestOpenSSLCNT(t *testing.T) {
	tool := interop.OpenSSL(t)
	for _, tc := range []struct {
		name string
		sbox *SBox
	}{{"gost89-cnt", SBoxCryptoProA()}, {"gost89-cnt-12", SBoxTC26Z()}} {
		t.Run(tc.name, func(t *testing.T) {
			for _, n := range []int{1, 8, 9, 1023, 1024, 1025, 3000, 8193} {
				key, iv, pt := make([]byte, KeySize), make([]byte, BlockSize), make([]byte, n)
				rand.Read(key)
				rand.Read(iv)
				rand.Read(pt)
				s, err := NewCNT(key, tc.sbox, iv)
				if err != nil {
					t.Fatal(err)
				}
				ours := make([]byte, n)
				s.XORKeyStream(ours[:n/2], pt[:n/2])
				s.XORKeyStream(ours[n/2:], pt[n/2:])
				got := tool.Run(t, pt, "enc", "-"+tc.name, "-K", hex.EncodeToString(key), "-iv", hex.EncodeToString(iv))
				if !bytes.Equal(got, ours) {
					t.Errorf("%d bytes: differs from openssl enc -%s", n, tc.name)
				}
			}
		})
	}
}

// TestOpenSSLCFB checks that our CFB with key meshing equals the GOST
// engine's gost89 for every S-box, on random keys, IVs and lengths that
// straddle the 1024-byte meshing period, both ways.
func TestOpenSSLCFB(t *testing.T) {
	tool := interop.OpenSSL(t)
	for _, sbox := range SBoxes() {
		t.Run(sbox.Name(), func(t *testing.T) {
			conf := engineConf(t, engineParamSet[sbox.Name()])
			for _, n := range []int{1, 7, 8, 9, 1023, 1024, 1025, 3000, 8193} {
				key, iv, pt := make([]byte, KeySize), make([]byte, BlockSize), make([]byte, n)
				rand.Read(key)
				rand.Read(iv)
				rand.Read(pt)
				enc, err := NewCFBEncrypter(key, sbox, iv)
				if err != nil {
					t.Fatal(err)
				}
				ours := make([]byte, n)
				enc.XORKeyStream(ours, pt)
				for _, dir := range []string{"-e", "-d"} {
					in, want := pt, ours
					if dir == "-d" {
						in, want = ours, pt
					}
					cmd := tool.Command("enc", "-gost89", dir, "-K", hex.EncodeToString(key), "-iv", hex.EncodeToString(iv))
					cmd.Env = append(cmd.Env, "OPENSSL_CONF="+conf)
					cmd.Stdin = bytes.NewReader(in)
					var stderr strings.Builder
					cmd.Stderr = &stderr
					got, err := cmd.Output()
					if err != nil {
						t.Fatalf("openssl enc -gost89 %s: %v: %s", dir, err, stderr.String())
					}
					if !bytes.Equal(got, want) {
						t.Errorf("%d bytes, openssl %s: differs from ours", n, dir)
					}
				}
			}
		})
	}
}
