package gost3410

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"github.com/gostca/gostca/internal/testkit"
	"os"
	"path/filepath"
	"testing"

	"github.com/gostca/gostca/internal/interop"
)

// engineParamSets maps our parameter sets to the GOST engine's
// "-pkeyopt paramset:" names: every set the engine can generate keys on.
var engineParamSets = []struct {
	name, algorithm, paramset string
}{
	{"test-256", "gost2012_256", "0"},
	{"cryptopro-a", "gost2012_256", "A"},
	{"cryptopro-b", "gost2012_256", "B"},
	{"cryptopro-c", "gost2012_256", "C"},
	{"cryptopro-xcha", "gost2012_256", "XA"},
	{"cryptopro-xchb", "gost2012_256", "XB"},
	{"tc26-256-a", "gost2012_256", "TCA"},
	{"tc26-256-b", "gost2012_256", "TCB"},
	{"tc26-256-c", "gost2012_256", "TCC"},
	{"tc26-256-d", "gost2012_256", "TCD"},
	{"tc26-512-a", "gost2012_512", "A"},
	{"tc26-512-b", "gost2012_512", "B"},
	{"tc26-512-c", "gost2012_512", "C"},
}

// signaturesEachWay is how many signatures each side makes for the other
// to verify, per parameter set: 50, or 5 in -short runs.
func signaturesEachWay() int {
	if testing.Short() {
		return 5
	}
	return 50
}

// TestOpenSSLInterop checks, for every parameter set the GOST engine
// supports, that keys OpenSSL generates load in ours, signatures OpenSSL makes
// verify in ours, signatures we make verify in OpenSSL, and keys we write
// OpenSSL reads and uses. Under CI=true a missing engine fails the test.
func TestOpenSSLInterop(t *testing.T) {
	ossl := interop.OpenSSL(t)
	for _, set := range engineParamSets {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			params, err := ParamsByName(set.name)
			if err != nil {
				t.Fatal(err)
			}
			md := fmt.Sprintf("-md_gost12_%d", params.Bits())
			dir := t.TempDir()
			path := func(name string) string { return filepath.Join(dir, name) }

			// OpenSSL's key, loaded in ours.
			ossl.Run(t, nil, "genpkey", "-algorithm", set.algorithm, "-pkeyopt", "paramset:"+set.paramset, "-out", path("ossl-key.pem"))
			ossl.Run(t, nil, "pkey", "-in", path("ossl-key.pem"), "-pubout", "-out", path("ossl-pub.pem"))
			osslPriv, err := ParsePKCS8PrivateKey(testkit.ReadPEM(t, path("ossl-key.pem"), "PRIVATE KEY"))
			if err != nil {
				t.Fatalf("OpenSSL's private key: %v", err)
			}
			osslPub, err := ParsePKIXPublicKey(testkit.ReadPEM(t, path("ossl-pub.pem"), "PUBLIC KEY"))
			if err != nil {
				t.Fatalf("OpenSSL's public key: %v", err)
			}
			if osslPriv.Params() != params || !osslPub.Equal(osslPriv.Public()) {
				t.Fatalf("OpenSSL's key pair loads as %s with a mismatched public key", osslPriv.Params())
			}

			// Our key, written for OpenSSL.
			ours, err := GenerateKey(params, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			p8, err := MarshalPKCS8PrivateKey(ours)
			if err != nil {
				t.Fatal(err)
			}
			spki, err := MarshalPKIXPublicKey(ours.PublicKey())
			if err != nil {
				t.Fatal(err)
			}
			testkit.WritePEM(t, path("our-key.pem"), "PRIVATE KEY", p8)
			testkit.WritePEM(t, path("our-pub.pem"), "PUBLIC KEY", spki)
			ossl.Run(t, nil, "pkey", "-in", path("our-key.pem"), "-pubout", "-out", path("derived-pub.pem"))
			derived, err := ParsePKIXPublicKey(testkit.ReadPEM(t, path("derived-pub.pem"), "PUBLIC KEY"))
			if err != nil {
				t.Fatal(err)
			}
			if !derived.Equal(ours.Public()) {
				t.Fatal("OpenSSL derives another public key from our private key")
			}

			for i := range signaturesEachWay() {
				msg := make([]byte, 1+i*37)
				rand.Read(msg)
				msgPath := path(fmt.Sprintf("msg-%d", i))
				if err := os.WriteFile(msgPath, msg, 0o600); err != nil {
					t.Fatal(err)
				}
				digest := digestFor(params, msg)

				// OpenSSL signs with its key; we verify. Every tenth, it
				// signs with our key, which must mean the same to it.
				key, pub := path("ossl-key.pem"), osslPub
				if i%10 == 9 {
					key, pub = path("our-key.pem"), ours.PublicKey()
				}
				ossl.Run(t, nil, "dgst", md, "-sign", key, "-out", msgPath+".ossl.sig", msgPath)
				osslSig, err := os.ReadFile(msgPath + ".ossl.sig")
				if err != nil {
					t.Fatal(err)
				}
				if err := pub.Verify(digest, osslSig); err != nil {
					t.Errorf("message %d: OpenSSL's signature does not verify in ours: %v", i, err)
				}

				// We sign; OpenSSL verifies with our SPKI.
				sig, err := ours.Sign(rand.Reader, digest, nil)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(msgPath+".our.sig", sig, 0o600); err != nil {
					t.Fatal(err)
				}
				out := ossl.Run(t, nil, "dgst", md, "-verify", path("our-pub.pem"), "-signature", msgPath+".our.sig", msgPath)
				if !bytes.Contains(out, []byte("Verified OK")) {
					t.Errorf("message %d: OpenSSL: %s", i, out)
				}
			}

			// OpenSSL must also reject our signature over another message.
			sig, _ := ours.Sign(rand.Reader, digestFor(params, []byte("other")), nil)
			if err := os.WriteFile(path("wrong.sig"), sig, 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := ossl.Try(nil, "dgst", md, "-verify", path("our-pub.pem"), "-signature", path("wrong.sig"), path("msg-0")); err == nil {
				t.Errorf("OpenSSL verified a signature over another message: %s", out)
			}
		})
	}
}
