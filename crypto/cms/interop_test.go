package cms_test

import (
	"bytes"
	"encoding/pem"
	"github.com/gostca/gostca/internal/testkit"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/internal/interop"
)

// The verdicts of OpenSSL 3.0's "cms -verify", on standard error.
const (
	opensslVerified = "Verification successful"
	opensslFailed   = "Verification failure"
)

// opensslVerify runs "openssl cms -verify" on the signature in sigPath
// (DER or PEM, by inform) against the roots in caFile, with the detached
// content in contentPath if not empty, with -cades (which has OpenSSL
// check the ESS signingCertificate(V2) attribute) if cades. It returns the
// content OpenSSL extracts, whether OpenSSL printed its success verdict
// and exited 0, and OpenSSL's output.
func opensslVerify(t *testing.T, o *interop.Tool, sigPath, inform, caFile, contentPath string, cades bool) ([]byte, bool, string) {
	t.Helper()
	out := sigPath + ".out"
	args := []string{"cms", "-verify", "-binary", "-inform", inform, "-in", sigPath, "-CAfile", caFile, "-out", out}
	if cades {
		args = append(args, "-cades")
	}
	if contentPath != "" {
		args = append(args, "-content", contentPath)
	}
	text, err := o.Combined(nil, args...)
	ok := err == nil && bytes.Contains(text, []byte(opensslVerified)) && !bytes.Contains(text, []byte(opensslFailed))
	if !ok {
		return nil, false, string(text)
	}
	return testkit.ReadFile(t, out), true, string(text)
}

// writeKey writes key as the PKCS#8 PEM that OpenSSL's GOST engine reads.
func writeKey(t *testing.T, dir, name string, key *gost3410.PrivateKey) string {
	t.Helper()
	der, err := gost3410.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return testkit.WriteFile(t, dir, name, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// TestOpenSSLVerifiesOurs has OpenSSL with the GOST engine verify our
// detached and attached signatures, DER and PEM, on 256- and 512-bit keys,
// with the root as its only trust anchor (the intermediate is embedded) and
// -cades (so that it checks our signingCertificateV2 with its Streebog-256
// certificate hash), and refuse a changed document.
func TestOpenSSLVerifiesOurs(t *testing.T) {
	o := interop.OpenSSL(t)
	testkit.ForEachParams(t, testParams(), func(t *testing.T, params *gost3410.Params) {
		s := newTestSigner(t, params, "Иванов Иван Иванович")
		dir := t.TempDir()
		root := testkit.WritePEM(t, filepath.Join(dir, "root.pem"), "CERTIFICATE", s.pki.root.Raw)
		content := document(10000)
		contentPath := testkit.WriteFile(t, dir, "document.bin", content)
		changedPath := testkit.WriteFile(t, dir, "changed.bin", append(document(9999), 'x'))
		for _, mode := range modes {
			for _, enc := range []struct{ name, inform string }{{"DER", "DER"}, {"PEM", "PEM"}} {
				t.Run(mode.name+"/"+enc.name, func(t *testing.T) {
					sig := mode.sign(t, s.s, content)
					if enc.name == "PEM" {
						sig = cms.EncodePEM(sig)
					}
					sigPath := testkit.WriteFile(t, dir, mode.name+"."+enc.name, sig)
					detachedContent := ""
					if mode.detached {
						detachedContent = contentPath
					}
					out, ok, text := opensslVerify(t, o, sigPath, enc.inform, root, detachedContent, true)
					if !ok {
						t.Fatalf("OpenSSL refused our signature:\n%s", text)
					}
					if !bytes.Equal(out, content) {
						t.Fatal("OpenSSL extracted other content")
					}
					if mode.detached {
						if _, ok, _ := opensslVerify(t, o, sigPath, enc.inform, root, changedPath, true); ok {
							t.Fatal("OpenSSL accepted a changed document")
						}
					}
				})
			}
		}
	})
}

// TestOpenSSLSignatures has OpenSSL sign, with our keys (PKCS#8) and
// certificates, in every form it offers, and checks that Parse, ParseReader
// and Verify accept the result.
func TestOpenSSLSignatures(t *testing.T) {
	o := interop.OpenSSL(t)
	testkit.ForEachParams(t, testParams(), func(t *testing.T, params *gost3410.Params) {
		s := newTestSigner(t, params, "OpenSSL signer")
		dir := t.TempDir()
		leafPEM := testkit.WritePEM(t, filepath.Join(dir, "leaf.pem"), "CERTIFICATE", s.cert.Raw)
		interPEM := testkit.WritePEM(t, filepath.Join(dir, "inter.pem"), "CERTIFICATE", s.pki.inter.Raw)
		keyPEM := writeKey(t, dir, "leaf.key", s.key)
		content := document(10000) // over 4096 bytes: -stream writes several chunks
		contentPath := testkit.WriteFile(t, dir, "document.bin", content)
		wantSigAlg := oidKey256
		if params.Size() == 64 {
			wantSigAlg = oidKey512
		}
		for _, tc := range []struct {
			name     string
			args     []string
			detached bool
			noAttrs  bool
			ber      bool
			pem      bool
			keyID    bool
			cades    bool
		}{
			{name: "detached", detached: true},
			{name: "attached", args: []string{"-nodetach"}},
			{name: "attached stream", args: []string{"-nodetach", "-stream"}, ber: true},
			{name: "detached PEM", detached: true, pem: true},
			{name: "attached noattr", args: []string{"-nodetach", "-noattr"}, noAttrs: true},
			{name: "detached noattr", args: []string{"-noattr"}, detached: true, noAttrs: true},
			{name: "attached keyid", args: []string{"-nodetach", "-keyid"}, keyID: true},
			{name: "detached cades", args: []string{"-cades"}, detached: true, cades: true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				outform := "DER"
				if tc.pem {
					outform = "PEM"
				}
				sigPath := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".sig")
				args := append([]string{"cms", "-sign", "-binary", "-in", contentPath, "-signer", leafPEM, "-inkey", keyPEM,
					"-certfile", interPEM, "-outform", outform, "-out", sigPath}, tc.args...)
				o.Run(t, nil, args...)
				data := testkit.ReadFile(t, sigPath)
				parseFn := cms.Parse
				if tc.pem {
					parseFn = cms.ParsePEM
				}
				sd, err := parseFn(data)
				if err != nil {
					t.Fatal(err)
				}
				if !tc.pem && tc.ber == bytes.Equal(sd.Raw, data) {
					t.Errorf("BER input %v, but Parse converted: %v", tc.ber, !bytes.Equal(sd.Raw, data))
				}
				if sd.Detached != tc.detached || len(sd.SignerInfos) != 1 {
					t.Fatalf("detached %v, %d signers", sd.Detached, len(sd.SignerInfos))
				}
				si := sd.SignerInfos[0]
				if !si.SignatureAlgorithm.Equal(wantSigAlg) {
					t.Errorf("OpenSSL wrote signatureAlgorithm %v, want %v", si.SignatureAlgorithm, wantSigAlg)
				}
				if keyID := si.Version == 3 && bytes.Equal(si.SubjectKeyId, s.cert.SubjectKeyId); keyID != tc.keyID {
					t.Errorf("signer identified by subjectKeyIdentifier: %v", keyID)
				}
				if cades := len(si.SigningCertificateV2) == 1; cades != tc.cades {
					t.Errorf("signingCertificateV2: %+v", si.SigningCertificateV2)
				} else if cades {
					t.Logf("OpenSSL's ESSCertIDv2 hash algorithm: %v", si.SigningCertificateV2[0].HashAlgorithm)
				}
				if (si.RawSignedAttributes == nil) != tc.noAttrs {
					t.Errorf("signed attributes: %d", len(si.SignedAttributes))
				}
				results, err := verify(sd, content, s.opts())
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if !bytes.Equal(results[0].Certificate.Raw, s.cert.Raw) || len(results[0].Chain) != 3 {
					t.Fatal("wrong signer certificate or chain")
				}
				if _, err := sd.Verify(bytes.NewReader(append(document(9999), 'x')), s.opts()); tc.detached && err == nil {
					t.Error("changed document accepted")
				}
				if tc.pem {
					return
				}
				var streamed bytes.Buffer
				sd2, err := cms.ParseReader(bytes.NewReader(data), &streamed)
				if err != nil {
					t.Fatalf("ParseReader: %v", err)
				}
				if !tc.detached && !bytes.Equal(streamed.Bytes(), content) {
					t.Fatal("ParseReader streamed other content")
				}
				if _, err := verify(sd2, content, s.opts()); err != nil {
					t.Fatalf("Verify after ParseReader: %v", err)
				}
			})
		}
	})
}

// TestOpenSSLCoSign co-signs in both orders: our signature then OpenSSL's
// "cms -resign", and OpenSSL's signature then CoSign, detached and
// attached, and has both tools verify both signers. OpenSSL's -resign
// copies the messageDigest of a signer with the same digest algorithm, so
// its co-signer there has a key of our signer's size; CoSign adds a
// signer of the other size. OpenSSL 3.0's -resign does not embed the
// -certfile certificates, so the OpenSSL signer's intermediate is given to
// both verifiers: in VerifyOptions.Certificates, and in OpenSSL's -CAfile
// (its "cms -verify" has no option for untrusted intermediates).
func TestOpenSSLCoSign(t *testing.T) {
	o := interop.OpenSSL(t)
	content := document(5000)
	for _, pair := range []struct {
		name         string
		ours, theirs *gost3410.Params
		opensslFirst bool
	}{
		{"ours 256 then OpenSSL 256", gost3410.ParamsCryptoProA(), gost3410.ParamsTC26256A(), false},
		{"ours 512 then OpenSSL 512", gost3410.ParamsTC26512A(), gost3410.ParamsTC26512A(), false},
		{"OpenSSL 512 then ours 256", gost3410.ParamsCryptoProA(), gost3410.ParamsTC26512A(), true},
		{"OpenSSL 256 then ours 512", gost3410.ParamsTC26512A(), gost3410.ParamsTC26256A(), true},
	} {
		t.Run(pair.name, func(t *testing.T) {
			t.Parallel()
			ours := newTestSigner(t, pair.ours, "our signer")
			theirs := newTestSigner(t, pair.theirs, "OpenSSL signer")
			dir := t.TempDir()
			roots := testkit.WritePEM(t, filepath.Join(dir, "roots.pem"), "CERTIFICATE", ours.pki.root.Raw, theirs.pki.root.Raw, theirs.pki.inter.Raw)
			theirCert := testkit.WritePEM(t, filepath.Join(dir, "theirs.pem"), "CERTIFICATE", theirs.cert.Raw)
			theirInter := testkit.WritePEM(t, filepath.Join(dir, "theirs-inter.pem"), "CERTIFICATE", theirs.pki.inter.Raw)
			theirKey := writeKey(t, dir, "theirs.key", theirs.key)
			contentPath := testkit.WriteFile(t, dir, "document.bin", content)
			opts := cms.VerifyOptions{
				Roots:        []*cert.Certificate{ours.pki.root, theirs.pki.root},
				Certificates: []*cert.Certificate{theirs.pki.inter},
				CurrentTime:  testNow,
			}
			for _, mode := range modes {
				t.Run(mode.name, func(t *testing.T) {
					var der []byte
					if pair.opensslFirst {
						first := filepath.Join(dir, mode.name+"-theirs.der")
						args := []string{"cms", "-sign", "-binary", "-in", contentPath, "-signer", theirCert, "-inkey", theirKey,
							"-certfile", theirInter, "-outform", "DER", "-out", first}
						if !mode.detached {
							args = append(args, "-nodetach")
						}
						o.Run(t, nil, args...)
						sd := parse(t, testkit.ReadFile(t, first))
						var err error
						if der, err = ours.s.CoSign(sd, contentReader(sd, content)); err != nil {
							t.Fatal(err)
						}
					} else {
						first := testkit.WriteFile(t, dir, mode.name+"-ours.der", mode.sign(t, ours.s, content))
						out := filepath.Join(dir, mode.name+"-resigned.der")
						args := []string{"cms", "-resign", "-binary", "-inform", "DER", "-in", first, "-signer", theirCert, "-inkey", theirKey,
							"-certfile", theirInter, "-outform", "DER", "-out", out}
						if mode.detached {
							args = append(args, "-content", contentPath)
						} else {
							args = append(args, "-nodetach")
						}
						o.Run(t, nil, args...)
						der = testkit.ReadFile(t, out)
					}

					sd := parse(t, der)
					if len(sd.SignerInfos) != 2 || sd.Detached != mode.detached {
						t.Fatalf("%d signers, detached %v", len(sd.SignerInfos), sd.Detached)
					}
					results, err := verify(sd, content, opts)
					if err != nil {
						t.Fatalf("Verify: %v", err)
					}
					names := map[string]bool{}
					for _, r := range results {
						names[r.Certificate.Subject.CommonName] = true
					}
					if !names["our signer"] || !names["OpenSSL signer"] {
						t.Fatalf("signers %v", names)
					}
					contentArg := ""
					if mode.detached {
						contentArg = contentPath
					}
					sigPath := testkit.WriteFile(t, dir, mode.name+"-cosigned.der", der)
					if out, ok, text := opensslVerify(t, o, sigPath, "DER", roots, contentArg, false); !ok || !bytes.Equal(out, content) {
						t.Fatalf("OpenSSL refused the co-signed document:\n%s", text)
					}
				})
			}
		})
	}
}
