package cms_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"github.com/gostca/gostca/internal/testkit"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
)

// sharedTestdata is the repository's testdata, with the TC26 root.
var sharedTestdata = filepath.Join("..", "..", "testdata")

// goldenFiles returns every signature in testdata, as bytes to Parse: the
// PEM ones decoded.
func goldenFiles(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, pattern := range []string{"testdata/*/*.der", "testdata/*/*.ber", "testdata/*/*.pem"} {
		paths, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range paths {
			data := testkit.ReadFile(t, path)
			if strings.HasSuffix(path, ".pem") {
				sd, err := cms.ParsePEM(data)
				if err != nil {
					continue // certificates
				}
				data = sd.Raw
			}
			out[path] = data
		}
	}
	if len(out) < 9 {
		t.Fatalf("only %d golden signatures", len(out))
	}
	return out
}

// TestGoldenOpenSSL verifies the signatures OpenSSL made (testdata/openssl,
// see gen.sh): every form, with the golden root.
func TestGoldenOpenSSL(t *testing.T) {
	dir := filepath.Join("testdata", "openssl")
	root := readCertPEM(t, filepath.Join(dir, "root.pem"))
	content := testkit.ReadFile(t, filepath.Join(dir, "content.txt"))
	long := testkit.ReadFile(t, filepath.Join(dir, "content-long.txt"))
	for _, tc := range []struct {
		file     string
		content  []byte
		detached bool
		signers  []string // signer certificate files
		noAttrs  bool
		ber      bool
		keyID    bool
		cades    bool
	}{
		{file: "detached-256.der", content: content, detached: true, signers: []string{"signer-cryptopro-a"}},
		{file: "attached-512.der", content: content, signers: []string{"signer-tc26-512-a"}},
		{file: "attached-stream-256.ber", content: long, signers: []string{"signer-tc26-256-a"}, ber: true},
		{file: "attached-noattr-512.der", content: content, signers: []string{"signer-tc26-512-a"}, noAttrs: true},
		{file: "detached-cades-512.der", content: content, detached: true, signers: []string{"signer-tc26-512-a"}, cades: true},
		{file: "attached-keyid-256.pem", content: content, signers: []string{"signer-cryptopro-a"}, keyID: true},
		{file: "resigned-256.der", content: content, detached: true, signers: []string{"signer-cryptopro-a", "signer-tc26-256-a"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data := testkit.ReadFile(t, filepath.Join(dir, tc.file))
			parseFn := cms.Parse
			if strings.HasSuffix(tc.file, ".pem") {
				parseFn = cms.ParsePEM
			}
			sd, err := parseFn(data)
			if err != nil {
				t.Fatal(err)
			}
			if tc.ber == bytes.Equal(sd.Raw, data) && !strings.HasSuffix(tc.file, ".pem") {
				t.Errorf("BER %v, but converted %v", tc.ber, !bytes.Equal(sd.Raw, data))
			}
			if sd.Detached != tc.detached || !tc.detached && !bytes.Equal(sd.Content, tc.content) {
				t.Fatalf("detached %v, content %d bytes", sd.Detached, len(sd.Content))
			}
			if len(sd.SignerInfos) != len(tc.signers) {
				t.Fatalf("%d signers, want %d", len(sd.SignerInfos), len(tc.signers))
			}
			for _, si := range sd.SignerInfos {
				if (si.RawSignedAttributes == nil) != tc.noAttrs || (si.Version == 3) != tc.keyID || (len(si.SigningCertificateV2) > 0) != tc.cades {
					t.Errorf("SignerInfo: version %d, %d signed attributes, ESS %v", si.Version, len(si.SignedAttributes), si.SigningCertificateV2)
				}
			}
			opts := cms.VerifyOptions{Roots: []*cert.Certificate{root}}
			results, err := verify(sd, tc.content, opts)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			for i, r := range results {
				want := readCertPEM(t, filepath.Join(dir, tc.signers[i]+".pem"))
				if !bytes.Equal(r.Certificate.Raw, want.Raw) && (len(results) == 1 || !bytes.Equal(results[1-i].Certificate.Raw, want.Raw)) {
					t.Errorf("signer %d is %q", i, r.Certificate.Subject.String())
				}
				if !bytes.Equal(r.Issuer().Raw, root.Raw) {
					t.Errorf("signer %d: issuer %v", i, r.Issuer())
				}
				if _, ok := r.SigningTime(); ok == tc.noAttrs {
					t.Errorf("signer %d: signing time %v", i, ok)
				}
			}
			if tc.detached {
				changed := append(bytes.Clone(tc.content), '!')
				if _, err := sd.Verify(bytes.NewReader(changed), opts); !errors.Is(err, cms.ErrDigestMismatch) {
					t.Errorf("changed document: %v", err)
				}
			}

			// ParseReader streams the content and verifies the same.
			if strings.HasSuffix(tc.file, ".pem") {
				return
			}
			var streamed bytes.Buffer
			sd2, err := cms.ParseReader(bytes.NewReader(data), &streamed)
			if err != nil {
				t.Fatalf("ParseReader: %v", err)
			}
			if !tc.detached && !bytes.Equal(streamed.Bytes(), tc.content) {
				t.Fatal("ParseReader streamed other content")
			}
			if _, err := verify(sd2, tc.content, opts); err != nil {
				t.Fatalf("Verify after ParseReader: %v", err)
			}
		})
	}
}

// TestGoldenTC26 verifies the SignedData examples of the TC26 CMS
// recommendations: a 512-bit signer with signed attributes and a 256-bit
// one without. Their root lacks basicConstraints, so the chain fails with
// NotAuthorizedToSign while the signatures hold.
func TestGoldenTC26(t *testing.T) {
	root := readCertPEM(t, filepath.Join(sharedTestdata, "tc26", "root256_cert.pem"))
	content, _ := hex.DecodeString("caeeedf2f0eeebfcedfbe920eff0e8ece5f020e4ebff20f1f2f0f3eaf2f3f0fb205369676e6564446174612e")
	for _, tc := range []struct {
		file        string
		digest      cms.Digest
		signingTime time.Time
		attrs       int
	}{
		{"signed_a111.pem", cms.Streebog512, time.Date(2019, 3, 20, 19, 55, 22, 0, time.UTC), 4},
		{"signed_a121.pem", cms.Streebog256, time.Time{}, 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			sd, err := cms.ParsePEM(testkit.ReadFile(t, filepath.Join("testdata", "tc26", tc.file)))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(sd.Content, content) || len(sd.SignerInfos) != 1 {
				t.Fatalf("content %q, %d signers", sd.Content, len(sd.SignerInfos))
			}
			si := sd.SignerInfos[0]
			if si.DigestAlgorithm != tc.digest || !si.SigningTime.Equal(tc.signingTime) || len(si.SignedAttributes) != tc.attrs {
				t.Fatalf("SignerInfo: %v, %v, %d attributes", si.DigestAlgorithm, si.SigningTime, len(si.SignedAttributes))
			}
			at := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
			if _, err := sd.Verify(nil, cms.VerifyOptions{NoChain: true, CurrentTime: at}); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			results, err := sd.Verify(nil, cms.VerifyOptions{Roots: []*cert.Certificate{root}, CurrentTime: at})
			var cie *cert.CertificateInvalidError
			if !errors.As(err, &cie) || cie.Reason != cert.NotAuthorizedToSign || results[0].Err != nil {
				t.Fatalf("Verify with the TC26 root: %v", err)
			}
		})
	}
}

// TestGoldenReencode checks that co-signing a golden signature keeps the
// signatures already there valid, and that Raw is DER that parses to itself.
func TestGoldenReencode(t *testing.T) {
	s := newTestSigner(t, testParams()[0], "re-encode")
	for path, data := range goldenFiles(t) {
		sd, err := cms.Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		again, err := cms.Parse(sd.Raw)
		if err != nil || !bytes.Equal(again.Raw, sd.Raw) {
			t.Fatalf("%s: Raw does not parse to itself: %v", path, err)
		}
		var content []byte
		if sd.Detached {
			name := "content.txt"
			if strings.Contains(path, "long") {
				name = "content-long.txt"
			}
			content = testkit.ReadFile(t, filepath.Join(filepath.Dir(path), name))
		}
		der, err := s.s.CoSign(sd, contentReader(sd, content))
		if err != nil {
			t.Fatalf("%s: CoSign: %v", path, err)
		}
		co := parse(t, der)
		if len(co.SignerInfos) != len(sd.SignerInfos)+1 {
			t.Fatalf("%s: %d signers after co-signing", path, len(co.SignerInfos))
		}
		results, err := verify(co, content, cms.VerifyOptions{NoChain: true, CurrentTime: time.Now()})
		if err != nil {
			t.Fatalf("%s: Verify after co-signing: %v", path, err)
		}
		if len(results) != len(sd.SignerInfos)+1 {
			t.Fatalf("%s: %d results", path, len(results))
		}
	}
}
