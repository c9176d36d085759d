package cms_test

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"github.com/gostca/gostca/internal/testkit"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/crypto/gost3410"
)

// replaceOnce returns der with the one occurrence of old replaced by new,
// failing t if old does not occur exactly once.
func replaceOnce(t *testing.T, der, old, new []byte) []byte {
	t.Helper()
	if n := bytes.Count(der, old); n != 1 {
		t.Fatalf("%x occurs %d times", old, n)
	}
	return bytes.Replace(der, old, new, 1)
}

// signingTimeBytes returns the DER UTCTime of testNow as the signer writes
// it.
func signingTimeBytes() []byte {
	return append([]byte{0x17, 13}, testNow.Format("060102150405Z")...)
}

// TestTampering changes a signed document in the ways an attacker would,
// and checks the error each gets, for both key sizes and both modes.
func TestTampering(t *testing.T) {
	testkit.ForEachParams(t, testParams(), func(t *testing.T, params *gost3410.Params) {
		s := newTestSigner(t, params, "tamper")
		content := document(2000)
		changed := bytes.Clone(content)
		changed[1000] ^= 1
		for _, mode := range modes {
			t.Run(mode.name, func(t *testing.T) {
				der := mode.sign(t, s.s, content)
				tests := []struct {
					name    string
					der     []byte
					content []byte
					want    error
				}{
					{name: "changed signingTime", der: func() []byte {
						st := signingTimeBytes()
						bad := bytes.Clone(st)
						bad[len(bad)-2] = '0' + (bad[len(bad)-2]-'0'+1)%10 // another second
						return replaceOnce(t, der, st, bad)
					}(), content: content, want: cms.ErrBadSignature},
					{name: "changed signature", der: func() []byte {
						sd := parse(t, der)
						sig := sd.SignerInfos[0].Signature
						bad := bytes.Clone(sig)
						bad[5] ^= 0x40
						return replaceOnce(t, der, sig, bad)
					}(), content: content, want: cms.ErrBadSignature},
					{name: "unknown signature algorithm", der: func() []byte {
						alg := []byte{0x30, 0x0a, 0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x01, byte(params.Size() / 32)}
						return replaceOnce(t, der, alg, append(alg[:len(alg)-1:len(alg)-1], 9))
					}(), content: content, want: cms.ErrUnsupportedAlgorithm},
				}
				if mode.detached {
					tests = append(tests, struct {
						name    string
						der     []byte
						content []byte
						want    error
					}{"truncated document", der, content[:1999], cms.ErrDigestMismatch},
						struct {
							name    string
							der     []byte
							content []byte
							want    error
						}{"changed document", der, changed, cms.ErrDigestMismatch})
				} else {
					tests = append(tests, struct {
						name    string
						der     []byte
						content []byte
						want    error
					}{"changed embedded document", replaceOnce(t, der, content, changed), nil, cms.ErrDigestMismatch})
				}
				for _, tc := range tests {
					sd, err := cms.Parse(tc.der)
					if err != nil {
						t.Fatalf("%s: Parse: %v", tc.name, err)
					}
					var r io.Reader
					if mode.detached {
						r = bytes.NewReader(tc.content)
					}
					results, err := sd.Verify(r, s.opts())
					if !errors.Is(err, tc.want) {
						t.Errorf("%s: Verify: %v, want %v", tc.name, err, tc.want)
						continue
					}
					if !errors.Is(results[0].Err, tc.want) || results[0].ChainErr != nil {
						t.Errorf("%s: result %v, chain %v", tc.name, results[0].Err, results[0].ChainErr)
					}
					var se *cms.SignerError
					if !errors.As(err, &se) || se.Index != 0 || se.Certificate == nil || !strings.HasPrefix(se.Error(), "cms: signer 0 (") {
						t.Errorf("%s: not a *SignerError: %v", tc.name, err)
					}
				}
			})
		}
	})
}

// TestSignWithDigestOID checks that the id-tc26-signwithdigest OIDs are
// accepted as signatureAlgorithm, as well as the key OIDs we write.
func TestSignWithDigestOID(t *testing.T) {
	testkit.ForEachParams(t, testParams(), func(t *testing.T, params *gost3410.Params) {
		s := newTestSigner(t, params, "signwithdigest")
		der := signDetached(t, s.s, []byte("x"))
		n := byte(params.Size() / 32)
		keyAlg := []byte{0x30, 0x0a, 0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x01, n}
		withDigest := []byte{0x30, 0x0a, 0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x03, n + 1}
		sd := parse(t, replaceOnce(t, der, keyAlg, withDigest))
		if _, err := sd.Verify(strings.NewReader("x"), s.opts()); err != nil {
			t.Fatal(err)
		}
		// The signwithdigest OID of the other size does not go with the
		// digest.
		other := []byte{0x30, 0x0a, 0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x03, 4 - n}
		sd = parse(t, replaceOnce(t, der, keyAlg, other))
		if _, err := sd.Verify(strings.NewReader("x"), s.opts()); !errors.Is(err, cms.ErrUnsupportedAlgorithm) {
			t.Fatalf("mismatched signature algorithm: %v", err)
		}
	})
}

// TestChainErrors checks chain failures: a signer from another CA, and a
// certificate expired now but valid when it signed, which is reported apart
// from a signature failure.
func TestChainErrors(t *testing.T) {
	params := gost3410.ParamsTC26256A()
	s := newTestSigner(t, params, "chain")
	other := newTestPKI(t, params)
	content := []byte("chain")

	t.Run("impostor CA of the same name", func(t *testing.T) {
		impostor := newTestPKINamed(t, params, s.pki.root.Subject.CommonName, s.pki.inter.Subject.CommonName)
		sd := parse(t, signDetached(t, s.s, content))
		opts := cms.VerifyOptions{Roots: []*cert.Certificate{impostor.root}, Certificates: []*cert.Certificate{impostor.inter}, CurrentTime: testNow}
		_, err := sd.Verify(bytes.NewReader(content), opts)
		var cie *cert.CertificateInvalidError
		if !errors.As(err, &cie) || cie.Reason != cert.BadSignature {
			t.Fatalf("Verify: %v, want BadSignature", err)
		}
	})

	t.Run("another CA", func(t *testing.T) {
		sd := parse(t, signDetached(t, s.s, content))
		opts := cms.VerifyOptions{Roots: []*cert.Certificate{other.root}, CurrentTime: testNow}
		results, err := sd.Verify(bytes.NewReader(content), opts)
		var cie *cert.CertificateInvalidError
		if !errors.As(err, &cie) || cie.Reason != cert.UnknownAuthority {
			t.Fatalf("Verify: %v, want UnknownAuthority", err)
		}
		r := results[0]
		if r.Err != nil || r.Chain != nil || !errors.As(r.ChainErr, &cie) || !errors.As(r.SigningTimeChainErr, &cie) || r.Issuer() != nil {
			t.Fatalf("result: %v, %v, %v", r.Err, r.ChainErr, r.SigningTimeChainErr)
		}
		// NoChain leaves the chain out of the verdict.
		opts.NoChain = true
		results, err = sd.Verify(bytes.NewReader(content), opts)
		if err != nil || results[0].ChainErr != nil || results[0].SigningTimeChainErr != nil {
			t.Fatalf("NoChain: %v", err)
		}
	})

	t.Run("expired since signing", func(t *testing.T) {
		signedAt := testNow.AddDate(-1, 0, 0)
		c, key := s.pki.issue(t, params, "expired", &leafOptions{notBefore: signedAt.Add(-time.Hour), notAfter: signedAt.AddDate(0, 6, 0)})
		signer := s.pki.newSigner(t, c, key, func() time.Time { return signedAt })
		sd := parse(t, signAttached(t, signer, content))
		results, err := sd.Verify(nil, s.opts())
		var cie *cert.CertificateInvalidError
		if !errors.As(err, &cie) || cie.Reason != cert.Expired {
			t.Fatalf("Verify: %v, want Expired", err)
		}
		r := results[0]
		if r.Err != nil || !errors.As(r.ChainErr, &cie) || cie.Reason != cert.Expired {
			t.Fatalf("result: %v, %v", r.Err, r.ChainErr)
		}
		if r.SigningTimeChainErr != nil || len(r.SigningTimeChain) != 3 || !bytes.Equal(r.Issuer().Raw, s.pki.inter.Raw) {
			t.Fatalf("at the signing time: %v", r.SigningTimeChainErr)
		}
		if when, ok := r.SigningTime(); !ok || !when.Equal(signedAt) {
			t.Fatalf("SigningTime() = %v, %v", when, ok)
		}
	})

	t.Run("signed before validity", func(t *testing.T) {
		signer := s.pki.newSigner(t, s.cert, s.key, func() time.Time { return s.cert.NotBefore.Add(-time.Minute) })
		results, err := parse(t, signAttached(t, signer, content)).Verify(nil, s.opts())
		var cie *cert.CertificateInvalidError
		if err != nil || !errors.As(results[0].SigningTimeChainErr, &cie) || cie.Reason != cert.NotYetValid {
			t.Fatalf("Verify: %v, at the signing time %v", err, results[0].SigningTimeChainErr)
		}
	})

	t.Run("extended key usage", func(t *testing.T) {
		opts := s.opts()
		opts.KeyUsages = nil
		if _, err := parse(t, signAttached(t, s.s, content)).Verify(nil, opts); err != nil {
			t.Fatal(err)
		}
	})
}

// TestKeyUsage checks that a certificate without digitalSignature or
// nonRepudiation does not sign.
func TestKeyUsage(t *testing.T) {
	params := gost3410.ParamsCryptoProA()
	s := newTestSigner(t, params, "usage")
	for _, tc := range []struct {
		usage x509.KeyUsage
		ok    bool
	}{
		{x509.KeyUsageKeyEncipherment | x509.KeyUsageKeyAgreement, false},
		{x509.KeyUsageContentCommitment, true},
		{x509.KeyUsageDigitalSignature, true},
	} {
		c, key := s.pki.issue(t, params, "usage", &leafOptions{keyUsage: tc.usage})
		sd := parse(t, signAttached(t, s.pki.newSigner(t, c, key, nil), []byte("x")))
		_, err := sd.Verify(nil, s.opts())
		if (err == nil) != tc.ok || (!tc.ok && !errors.Is(err, cms.ErrKeyUsage)) {
			t.Errorf("key usage %#x: %v", tc.usage, err)
		}
	}
}

// TestVerifyContentArgument checks the content rules of Verify.
func TestVerifyContentArgument(t *testing.T) {
	s := newTestSigner(t, gost3410.ParamsCryptoProA(), "content")
	detached := parse(t, signDetached(t, s.s, []byte("x")))
	attached := parse(t, signAttached(t, s.s, []byte("x")))
	if _, err := detached.Verify(nil, s.opts()); !errors.Is(err, cms.ErrNoContent) {
		t.Errorf("detached without content: %v", err)
	}
	if _, err := attached.Verify(strings.NewReader("x"), s.opts()); !errors.Is(err, cms.ErrNoContent) {
		t.Errorf("attached with content: %v", err)
	}
	if _, err := detached.Verify(iotest.ErrReader(errors.New("gone")), s.opts()); err == nil || errors.Is(err, cms.ErrDigestMismatch) {
		t.Errorf("read error: %v", err)
	}
}

// TestSignerCertificateLookup checks that a signer whose certificate the
// message lacks fails with ErrNoSignerCertificate, and is found among
// VerifyOptions.Certificates.
func TestSignerCertificateLookup(t *testing.T) {
	params := gost3410.ParamsCryptoProA()
	s := newTestSigner(t, params, "lookup")
	der := signAttached(t, s.s, []byte("x"))
	// Swap the embedded signer certificate for another leaf of the same
	// PKI and subject: same length, another serial number.
	other, _ := s.pki.issue(t, params, "lookup", nil)
	sd := parse(t, replaceOnce(t, der, s.cert.Raw, other.Raw))
	results, err := sd.Verify(nil, s.opts())
	if !errors.Is(err, cms.ErrNoSignerCertificate) || results[0].Certificate != nil {
		t.Fatalf("Verify: %v", err)
	}
	opts := s.opts()
	opts.Certificates = []*cert.Certificate{s.cert}
	if _, err := sd.Verify(nil, opts); err != nil {
		t.Fatalf("with the certificate given: %v", err)
	}
}

// TestParseGarbage checks that truncated, altered and random input is
// refused with ErrMalformed, never a panic.
func TestParseGarbage(t *testing.T) {
	s := newTestSigner(t, gost3410.ParamsCryptoProA(), "garbage")
	der := signAttached(t, s.s, []byte("garbage"))
	for n := range len(der) {
		if _, err := cms.Parse(der[:n]); !errors.Is(err, cms.ErrMalformed) {
			t.Fatalf("truncated to %d bytes: %v", n, err)
		}
		if _, err := cms.ParseReader(bytes.NewReader(der[:n]), nil); !errors.Is(err, cms.ErrMalformed) {
			t.Fatalf("ParseReader, truncated to %d bytes: %v", n, err)
		}
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"zero", []byte{0}},
		{"trailing data", append(bytes.Clone(der), 0)},
		{"trailing EOC", append(bytes.Clone(der), 0, 0)},
		{"not a SignedData", []byte{0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0, 0x00}},
		{"deep indefinite nesting", bytes.Repeat([]byte{0x30, 0x80}, 100000)},
		{"indefinite primitive", []byte{0x04, 0x80, 0x00, 0x00}},
		{"huge length", []byte{0x30, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{"PEM garbage", []byte("-----BEGIN CMS-----\nAAAA\n-----END CMS-----\n")},
	} {
		if _, err := cms.Parse(tc.data); !errors.Is(err, cms.ErrMalformed) {
			t.Errorf("%s: Parse: %v", tc.name, err)
		}
		if _, err := cms.ParseReader(bytes.NewReader(tc.data), nil); !errors.Is(err, cms.ErrMalformed) {
			t.Errorf("%s: ParseReader: %v", tc.name, err)
		}
		if _, err := cms.ParsePEM(tc.data); !errors.Is(err, cms.ErrMalformed) {
			t.Errorf("%s: ParsePEM: %v", tc.name, err)
		}
	}
	random := make([]byte, 4096)
	for range 200 {
		rand.Read(random)
		random[0] = 0x30
		if _, err := cms.Parse(random); err == nil {
			t.Fatal("random bytes parsed")
		}
	}
}
