package cms_test

import (
	"bytes"
	"crypto"
	"encoding/asn1"
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
	"github.com/gostca/gostca/crypto/streebog"
)

var (
	oidData      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidKey256    = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}
	oidKey512    = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2}
	oidDigest256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}
	oidDigest512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}
)

// encodings are the two output forms: DER as the signer returns it, and
// PEM.
var encodings = []struct {
	name   string
	encode func([]byte) []byte
	parse  func([]byte) (*cms.SignedData, error)
}{
	{"DER", func(der []byte) []byte { return der }, cms.Parse},
	{"PEM", cms.EncodePEM, cms.ParsePEM},
}

// modes are the two kinds of signature.
var modes = []struct {
	name     string
	detached bool
	sign     func(testing.TB, *cms.Signer, []byte) []byte
}{
	{"detached", true, signDetached},
	{"attached", false, signAttached},
}

// TestRoundTrip signs detached and attached, 256 and 512, DER and PEM, and
// checks what Parse reads and that Verify accepts it with the full chain.
func TestRoundTrip(t *testing.T) {
	testkit.ForEachParams(t, testParams(), func(t *testing.T, params *gost3410.Params) {
		s := newTestSigner(t, params, "Иванов Иван Иванович")
		content := []byte("Контрольный пример: документ для подписи.\n")
		wantDigest, wantKey := oidDigest256, oidKey256
		if params.Size() == 64 {
			wantDigest, wantKey = oidDigest512, oidKey512
		}
		for _, mode := range modes {
			for _, enc := range encodings {
				t.Run(mode.name+"/"+enc.name, func(t *testing.T) {
					data := enc.encode(mode.sign(t, s.s, content))
					sd, err := enc.parse(data)
					if err != nil {
						t.Fatal(err)
					}
					if sd.Version != 1 || sd.Detached != mode.detached || !sd.ContentType.Equal(oidData) ||
						len(sd.DigestAlgorithms) != 1 || !sd.DigestAlgorithms[0].Equal(wantDigest) {
						t.Fatalf("SignedData: version %d, detached %v, content type %v, digests %v", sd.Version, sd.Detached, sd.ContentType, sd.DigestAlgorithms)
					}
					if mode.detached && sd.Content != nil || !mode.detached && !bytes.Equal(sd.Content, content) {
						t.Fatalf("Content = %q", sd.Content)
					}
					if len(sd.Certificates) != 2 || len(sd.RawCertificates) != 2 {
						t.Fatalf("%d certificates, want the signer's and the intermediate", len(sd.Certificates))
					}
					if len(sd.SignerInfos) != 1 {
						t.Fatalf("%d SignerInfos", len(sd.SignerInfos))
					}
					si := sd.SignerInfos[0]
					sum := streebog.Sum256(s.cert.Raw)
					switch {
					case si.Version != 1 || si.SerialNumber.Cmp(s.cert.SerialNumber) != 0 || !bytes.Equal(si.RawIssuer, s.cert.RawIssuer):
						t.Errorf("signer identifier: version %d, serial %v", si.Version, si.SerialNumber)
					case !si.DigestAlgorithmOID.Equal(wantDigest) || !si.SignatureAlgorithm.Equal(wantKey):
						t.Errorf("algorithms %v, %v", si.DigestAlgorithmOID, si.SignatureAlgorithm)
					case !si.SigningTime.Equal(testNow) || !si.ContentType.Equal(oidData) || len(si.MessageDigest) != params.Size():
						t.Errorf("signed attributes: time %v, content type %v, digest %x", si.SigningTime, si.ContentType, si.MessageDigest)
					case len(si.SigningCertificateV2) != 1 || !si.SigningCertificateV2[0].HashAlgorithm.Equal(oidDigest256) ||
						!bytes.Equal(si.SigningCertificateV2[0].Hash, sum[:]) || !si.SigningCertificateV2[0].HasIssuerSerial ||
						!bytes.Equal(si.SigningCertificateV2[0].RawIssuer, s.cert.RawIssuer) ||
						si.SigningCertificateV2[0].SerialNumber.Cmp(s.cert.SerialNumber) != 0:
						t.Errorf("signingCertificateV2 %+v", si.SigningCertificateV2)
					case len(si.SignedAttributes) != 4 || len(si.UnsignedAttributes) != 0:
						t.Errorf("%d signed and %d unsigned attributes", len(si.SignedAttributes), len(si.UnsignedAttributes))
					}

					results, err := verify(sd, content, s.opts())
					if err != nil {
						t.Fatalf("Verify: %v", err)
					}
					r := results[0]
					if r.Err != nil || r.ChainErr != nil || r.SigningTimeChainErr != nil || len(r.Chain) != 3 || len(r.SigningTimeChain) != 3 {
						t.Fatalf("result: %v, %v, %v, chain of %d", r.Err, r.ChainErr, r.SigningTimeChainErr, len(r.Chain))
					}
					if !bytes.Equal(r.Certificate.Raw, s.cert.Raw) || !bytes.Equal(r.Issuer().Raw, s.pki.inter.Raw) {
						t.Error("result: wrong certificate or issuer")
					}
					if when, ok := r.SigningTime(); !ok || !when.Equal(testNow) {
						t.Errorf("SigningTime() = %v, %v", when, ok)
					}
				})
			}
		}
	})
}

// TestDER checks that what the signer writes is DER: Parse keeps it as it
// is (the normaliser finds nothing to change), and the SET OFs are sorted.
func TestDER(t *testing.T) {
	s := newTestSigner(t, gost3410.ParamsTC26256A(), "DER")
	for _, mode := range modes {
		der := mode.sign(t, s.s, []byte("DER"))
		sd := parse(t, der)
		if &sd.Raw[0] != &der[0] {
			t.Errorf("%s: Parse copied its input: it found BER", mode.name)
		}
		attrs := sd.SignerInfos[0].SignedAttributes
		for i := 1; i < len(attrs); i++ {
			prev, _ := asn1.Marshal(struct {
				Type   asn1.ObjectIdentifier
				Values []asn1.RawValue `asn1:"set"`
			}{attrs[i-1].Type, []asn1.RawValue{{FullBytes: attrs[i-1].Values[0]}}})
			cur, _ := asn1.Marshal(struct {
				Type   asn1.ObjectIdentifier
				Values []asn1.RawValue `asn1:"set"`
			}{attrs[i].Type, []asn1.RawValue{{FullBytes: attrs[i].Values[0]}}})
			if bytes.Compare(prev, cur) > 0 {
				t.Errorf("%s: signed attributes %v and %v out of DER order", mode.name, attrs[i-1].Type, attrs[i].Type)
			}
		}
	}
}

// TestSigningTimeEncoding checks UTCTime for 1950–2049 and GeneralizedTime
// otherwise, read back to the second.
func TestSigningTimeEncoding(t *testing.T) {
	s := newTestSigner(t, gost3410.ParamsCryptoProA(), "time")
	for _, tc := range []struct {
		name string
		when time.Time
		tag  byte
	}{
		{"UTCTime 1950", time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC), 0x17},
		{"UTCTime 2049", time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC), 0x17},
		{"GeneralizedTime 2050", time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC), 0x18},
		{"GeneralizedTime 1949", time.Date(1949, 12, 31, 23, 59, 59, 0, time.UTC), 0x18},
		{"fraction dropped, zone to UTC", time.Date(2030, 5, 6, 10, 11, 12, 999, time.FixedZone("MSK", 3*3600)), 0x17},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signer := s.pki.newSigner(t, s.cert, s.key, func() time.Time { return tc.when })
			sd := parse(t, signDetached(t, signer, nil))
			si := sd.SignerInfos[0]
			if want := tc.when.Truncate(time.Second); !si.SigningTime.Equal(want) {
				t.Errorf("signingTime %v, want %v", si.SigningTime, want)
			}
			for _, a := range si.SignedAttributes {
				if a.Type.String() == "1.2.840.113549.1.9.5" && a.Values[0][0] != tc.tag {
					t.Errorf("signingTime tag %#x, want %#x", a.Values[0][0], tc.tag)
				}
			}
			opts := s.opts()
			opts.NoChain = true
			if _, err := sd.Verify(bytes.NewReader(nil), opts); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestCoSign adds a second signer to a detached and an attached signature:
// one with the same key size (the digest algorithm is not repeated) and
// one with the other (it is added), and checks that both verify, in DER
// and PEM.
func TestCoSign(t *testing.T) {
	content := document(3000)
	first := newTestSigner(t, gost3410.ParamsCryptoProA(), "first")
	seconds := []*signer{
		newTestSigner(t, gost3410.ParamsTC26256A(), "second 256"),
		newTestSigner(t, gost3410.ParamsTC26512A(), "second 512"),
	}
	for _, mode := range modes {
		for _, second := range seconds {
			for _, enc := range encodings {
				t.Run(mode.name+"/"+second.cert.Subject.CommonName+"/"+enc.name, func(t *testing.T) {
					sd1 := parse(t, mode.sign(t, first.s, content))
					out, err := second.s.CoSign(sd1, contentReader(sd1, content))
					if err != nil {
						t.Fatal(err)
					}
					sd, err := enc.parse(enc.encode(out))
					if err != nil {
						t.Fatal(err)
					}
					wantDigests := 1
					if second.s.Digest() != first.s.Digest() {
						wantDigests = 2
					}
					if len(sd.SignerInfos) != 2 || len(sd.DigestAlgorithms) != wantDigests || len(sd.Certificates) != 4 || sd.Detached != mode.detached {
						t.Fatalf("%d signers, %d digests, %d certificates, detached %v", len(sd.SignerInfos), len(sd.DigestAlgorithms), len(sd.Certificates), sd.Detached)
					}
					if !mode.detached && !bytes.Equal(sd.Content, content) {
						t.Fatal("content changed")
					}
					opts := cms.VerifyOptions{Roots: []*cert.Certificate{first.pki.root, second.pki.root}, CurrentTime: testNow}
					results, err := verify(sd, content, opts)
					if err != nil {
						t.Fatalf("Verify: %v", err)
					}
					seen := map[string]bool{}
					for _, r := range results {
						seen[r.Certificate.Subject.CommonName] = true
					}
					if len(results) != 2 || !seen["first"] || !seen[second.cert.Subject.CommonName] {
						t.Fatalf("signers %v", seen)
					}

					// A third signature by the first signer again adds nothing
					// but its SignerInfo.
					out3, err := first.s.CoSign(sd, contentReader(sd, content))
					if err != nil {
						t.Fatal(err)
					}
					sd3 := parse(t, out3)
					if len(sd3.SignerInfos) != 3 || len(sd3.DigestAlgorithms) != wantDigests || len(sd3.RawCertificates) != 4 {
						t.Fatalf("third signature: %d signers, %d digests, %d certificates", len(sd3.SignerInfos), len(sd3.DigestAlgorithms), len(sd3.RawCertificates))
					}
					if _, err := verify(sd3, content, opts); err != nil {
						t.Fatalf("Verify after a third signature: %v", err)
					}
				})
			}
		}
	}
}

// TestCoSignContent checks that CoSign wants the content of a detached
// signature and refuses one for an attached signature.
func TestCoSignContent(t *testing.T) {
	s := newTestSigner(t, gost3410.ParamsCryptoProA(), "content")
	detached := parse(t, signDetached(t, s.s, []byte("x")))
	attached := parse(t, signAttached(t, s.s, []byte("x")))
	if _, err := s.s.CoSign(detached, nil); !errors.Is(err, cms.ErrNoContent) {
		t.Errorf("detached without content: %v", err)
	}
	if _, err := s.s.CoSign(attached, strings.NewReader("x")); !errors.Is(err, cms.ErrNoContent) {
		t.Errorf("attached with content: %v", err)
	}
	if _, err := s.s.CoSign(nil, nil); err == nil {
		t.Error("nil SignedData accepted")
	}
	// A co-signature over other content than the first signer's leaves
	// the first signature failing.
	out, err := s.s.CoSign(detached, strings.NewReader("y"))
	if err != nil {
		t.Fatal(err)
	}
	results, err := parse(t, out).Verify(strings.NewReader("y"), s.opts())
	if !errors.Is(err, cms.ErrDigestMismatch) || len(results) != 2 || (results[0].Err == nil) == (results[1].Err == nil) {
		t.Errorf("co-signed over other content: %v", err)
	}
}

// TestSignAttachedSize checks that the content must be exactly the size
// given, and that a reader error stops the signature.
func TestSignAttachedSize(t *testing.T) {
	s := newTestSigner(t, gost3410.ParamsCryptoProA(), "size")
	content := document(100)
	for _, tc := range []struct {
		name string
		r    io.Reader
		size int64
	}{
		{"shorter", bytes.NewReader(content), 101},
		{"longer", bytes.NewReader(content), 99},
		{"negative", bytes.NewReader(content), -1},
		{"read error", iotest.ErrReader(errors.New("disk on fire")), 100},
		{"error after the content", io.MultiReader(bytes.NewReader(content), iotest.ErrReader(errors.New("late"))), 100},
	} {
		if err := s.s.SignAttached(io.Discard, tc.r, tc.size); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	// One byte at a time is fine.
	var buf bytes.Buffer
	if err := s.s.SignAttached(&buf, iotest.OneByteReader(bytes.NewReader(content)), 100); err != nil {
		t.Fatal(err)
	}
	if _, err := parse(t, buf.Bytes()).Verify(nil, s.opts()); err != nil {
		t.Fatal(err)
	}
}

// TestEmptyContent signs an empty document both ways.
func TestEmptyContent(t *testing.T) {
	s := newTestSigner(t, gost3410.ParamsTC26512A(), "empty")
	for _, mode := range modes {
		sd := parse(t, mode.sign(t, s.s, nil))
		if !mode.detached && (sd.Content == nil || len(sd.Content) != 0) {
			t.Errorf("attached empty content read as %v", sd.Content)
		}
		if _, err := verify(sd, nil, s.opts()); err != nil {
			t.Errorf("%s: %v", mode.name, err)
		}
	}
}

// TestNewSigner checks the refusals of NewSigner.
func TestNewSigner(t *testing.T) {
	s := newTestSigner(t, gost3410.ParamsCryptoProA(), "new")
	other := newTestKey(t, gost3410.ParamsCryptoProA())
	unparsed := *s.cert
	unparsed.Raw = nil
	for _, tc := range []struct {
		name string
		f    func() (*cms.Signer, error)
	}{
		{"nil key", func() (*cms.Signer, error) { return cms.NewSigner(nil, s.cert, nil) }},
		{"nil certificate", func() (*cms.Signer, error) { return cms.NewSigner(s.key, nil, nil) }},
		{"unparsed certificate", func() (*cms.Signer, error) { return cms.NewSigner(s.key, &unparsed, nil) }},
		{"another key", func() (*cms.Signer, error) { return cms.NewSigner(other, s.cert, nil) }},
		{"unparsed chain", func() (*cms.Signer, error) {
			return cms.NewSigner(s.key, s.cert, &cms.SignerOptions{Certificates: []*cert.Certificate{{}}})
		}},
	} {
		if _, err := tc.f(); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	signer, err := cms.NewSigner(s.key, s.cert, nil)
	if err != nil {
		t.Fatal(err)
	}
	if signer.Certificate() != s.cert || signer.Digest() != cms.Streebog256 {
		t.Error("accessors")
	}
}

// wrongSigner presents one key and signs with another, as a faulty token
// might.
type wrongSigner struct {
	pub, sign *gost3410.PrivateKey
}

func (w wrongSigner) Public() crypto.PublicKey { return w.pub.Public() }

func (w wrongSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return w.sign.Sign(r, digest, opts)
}

// TestFaultySigner checks that a signature that does not verify with the
// certificate's key is never written.
func TestFaultySigner(t *testing.T) {
	s := newTestSigner(t, gost3410.ParamsCryptoProA(), "faulty")
	wrong := wrongSigner{s.key, newTestKey(t, gost3410.ParamsCryptoProA())}
	signer, err := cms.NewSigner(wrong, s.cert, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := signer.SignDetached(strings.NewReader("x")); err == nil {
		t.Error("SignDetached returned a bad signature")
	}
	var buf bytes.Buffer
	if err := signer.SignAttached(&buf, strings.NewReader("x"), 1); err == nil {
		t.Error("SignAttached returned a bad signature")
	}
}

// TestPEMWriter checks that streaming through NewPEMWriter, in pieces of
// any size, gives what EncodePEM gives, and that ParsePEM reads it.
func TestPEMWriter(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 47, 48, 49, 95, 96, 97, 1000, 5000} {
		data := document(n)
		for _, piece := range []int{1, 7, 48, 4096} {
			var buf bytes.Buffer
			w := cms.NewPEMWriter(&buf)
			for rest := data; len(rest) > 0; {
				k := min(piece, len(rest))
				if _, err := w.Write(rest[:k]); err != nil {
					t.Fatal(err)
				}
				rest = rest[k:]
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if want := cms.EncodePEM(data); !bytes.Equal(buf.Bytes(), want) {
				t.Fatalf("%d bytes in pieces of %d:\n%s\nwant\n%s", n, piece, buf.Bytes(), want)
			}
			if _, err := w.Write([]byte{1}); err == nil {
				t.Fatal("write after Close accepted")
			}
		}
	}
	s := newTestSigner(t, gost3410.ParamsCryptoProA(), "pem")
	var buf bytes.Buffer
	w := cms.NewPEMWriter(&buf)
	if err := s.s.SignAttached(w, bytes.NewReader([]byte("pem")), 3); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for _, label := range []string{"CMS", "PKCS7", "PKCS #7 SIGNED DATA"} {
		text := strings.ReplaceAll(buf.String(), "CMS-----", label+"-----")
		sd, err := cms.ParsePEM([]byte("leading text\n" + text))
		if err != nil {
			t.Fatalf("label %s: %v", label, err)
		}
		if _, err := sd.Verify(nil, s.opts()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cms.ParsePEM([]byte(strings.ReplaceAll(buf.String(), "CMS-----", "CERTIFICATE-----"))); !errors.Is(err, cms.ErrMalformed) {
		t.Fatalf("CERTIFICATE label: %v", err)
	}
}

// errWriter fails every write.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestWriteErrors checks that SignAttached and the PEM writer report a
// failing writer.
func TestWriteErrors(t *testing.T) {
	s := newTestSigner(t, gost3410.ParamsCryptoProA(), "write")
	if err := s.s.SignAttached(errWriter{}, strings.NewReader("x"), 1); err == nil {
		t.Error("SignAttached: no error")
	}
	w := cms.NewPEMWriter(errWriter{})
	if _, err := w.Write([]byte("x")); err == nil {
		t.Error("PEM writer: no error")
	}
	if err := w.Close(); err == nil {
		t.Error("PEM writer Close: no error")
	}
}
