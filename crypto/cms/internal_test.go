package cms

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/internal/interop"
)

type cryptobyteBuilder = cryptobyte.Builder

// miniPKI is a root and two leaves, for the tests that need the package's
// internals.
type miniPKI struct {
	root         *cert.Certificate
	leaf, other  *cert.Certificate
	key          *gost3410.PrivateKey
	signer       *Signer
	signedAtTime time.Time
}

func newMiniPKI(t *testing.T) *miniPKI {
	t.Helper()
	params := gost3410.ParamsCryptoProA()
	now := time.Now().UTC().Truncate(time.Second)
	mk := func(tmpl, parent *cert.Certificate, pub *gost3410.PublicKey, signer *gost3410.PrivateKey) *cert.Certificate {
		serial, err := cert.NewSerialNumber(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl.SerialNumber = serial
		tmpl.NotBefore, tmpl.NotAfter = now.Add(-time.Hour), now.Add(time.Hour)
		der, err := cert.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
		if err != nil {
			t.Fatal(err)
		}
		c, err := cert.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	key := func() *gost3410.PrivateKey {
		k, err := gost3410.GenerateKey(params, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	rootKey := key()
	rootTmpl := &cert.Certificate{Subject: cert.Name{CommonName: "cms internal root"}, BasicConstraintsValid: true, IsCA: true,
		KeyUsage: x509.KeyUsageCertSign}
	p := &miniPKI{root: mk(rootTmpl, rootTmpl, rootKey.PublicKey(), rootKey), key: key(), signedAtTime: now}
	leaf := func(pub *gost3410.PublicKey) *cert.Certificate {
		return mk(&cert.Certificate{Subject: cert.Name{CommonName: "cms internal leaf"}, KeyUsage: x509.KeyUsageDigitalSignature}, p.root, pub, rootKey)
	}
	p.leaf, p.other = leaf(p.key.PublicKey()), leaf(key().PublicKey())
	var err error
	if p.signer, err = NewSigner(p.key, p.leaf, &SignerOptions{Clock: func() time.Time { return now }}); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *miniPKI) opts() VerifyOptions {
	return VerifyOptions{Roots: []*cert.Certificate{p.root}, CurrentTime: p.signedAtTime}
}

// detached signs content with the SignerInfo that makeSI returns for the
// content digest, and the given certificates.
func (p *miniPKI) detached(t *testing.T, content []byte, makeSI func(digest []byte) []byte, certs ...[]byte) []byte {
	t.Helper()
	digest, err := digestReader(p.signer.digest, bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	parts := p.signer.parts(-1, makeSI(digest))
	parts.certs = certs
	prefix, suffix, err := parts.encode()
	if err != nil {
		t.Fatal(err)
	}
	return append(prefix, suffix...)
}

// signWith makes a SignerInfo over attrs, the DER SET OF signed
// attributes.
func (p *miniPKI) signWith(t *testing.T, attrs []byte) []byte {
	t.Helper()
	h := p.signer.digest.new()
	h.Write(attrs)
	sig, err := p.key.Sign(rand.Reader, h.Sum(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	si, err := p.signer.signerInfo(attrs, sig)
	if err != nil {
		t.Fatal(err)
	}
	return si
}

// TestSignedAttributeMismatch signs attributes that contradict the message
// or the certificate, with a valid signature, and checks that Verify
// refuses them with ErrAttributeMismatch, and that OpenSSL refuses those it
// checks: "cms -verify -cades" checks signingCertificateV2, but OpenSSL
// 3.0 does not compare the contentType attribute with eContentType.
func TestSignedAttributeMismatch(t *testing.T) {
	p := newMiniPKI(t)
	content := []byte("attributes")
	otherESS, err := signingCertificateV2(p.other)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		openssl bool // OpenSSL 3.0 checks it (the ESS attributes with -cades)
		attrs   func(digest []byte) []byte
	}{
		{"signingCertificateV2 of another certificate", true, func(digest []byte) []byte {
			s := *p.signer
			s.essAttr = otherESS
			attrs, err := s.signedAttributes(oidData, digest, p.signedAtTime)
			if err != nil {
				t.Fatal(err)
			}
			return attrs
		}},
		{"contentType signedData", false, func(digest []byte) []byte {
			attrs, err := p.signer.signedAttributes(oidSignedData, digest, p.signedAtTime)
			if err != nil {
				t.Fatal(err)
			}
			return attrs
		}},
		{"no messageDigest", true, func(digest []byte) []byte {
			attrs, err := derOf(func(b *cryptobyteBuilder) {
				addAttribute(b, oidAttrContentType, func(b *cryptobyteBuilder) { b.AddASN1ObjectIdentifier(oidData) })
			})
			if err != nil {
				t.Fatal(err)
			}
			return appendSetOf(nil, 0x31, [][]byte{attrs})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			der := p.detached(t, content, func(digest []byte) []byte { return p.signWith(t, tc.attrs(digest)) }, p.leaf.Raw)
			sd, err := Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sd.Verify(bytes.NewReader(content), p.opts()); !errors.Is(err, ErrAttributeMismatch) {
				t.Fatalf("Verify: %v, want ErrAttributeMismatch", err)
			}
			if tc.openssl {
				opensslRefuses(t, der, content, p.root)
			}
		})
	}
}

// opensslRefuses checks that OpenSSL does not verify the detached
// signature der of content.
func opensslRefuses(t *testing.T, der, content []byte, root *cert.Certificate) {
	t.Helper()
	o := interop.OpenSSL(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	out, err := o.Combined(nil, "cms", "-verify", "-cades", "-binary", "-inform", "DER", "-in", write("sig.der", der),
		"-content", write("content", content), "-CAfile", write("root.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw})),
		"-out", filepath.Join(dir, "out"))
	if err == nil && bytes.Contains(out, []byte("Verification successful")) {
		t.Fatalf("OpenSSL verified it:\n%s", out)
	}
}

// TestSignerInfoWithoutAttributes checks signatures over the content digest
// itself (what "openssl cms -noattr" makes): accepted for id-data, with a
// changed document reported as ErrBadSignature.
func TestSignerInfoWithoutAttributes(t *testing.T) {
	p := newMiniPKI(t)
	content := []byte("no attributes")
	noAttrs := func(digest []byte) []byte {
		sig, err := p.key.Sign(rand.Reader, digest, nil)
		if err != nil {
			t.Fatal(err)
		}
		si, err := derOf(func(b *cryptobyteBuilder) {
			b.AddASN1(0x30, func(b *cryptobyteBuilder) {
				b.AddASN1Int64(1)
				b.AddBytes(p.signer.sid)
				b.AddBytes(p.signer.digestAlg)
				addAlgorithm(b, p.signer.digest.keyOID())
				b.AddASN1OctetString(sig)
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		return si
	}
	sd, err := Parse(p.detached(t, content, noAttrs, p.leaf.Raw))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sd.Verify(bytes.NewReader(content), p.opts()); err != nil {
		t.Fatal(err)
	}
	if _, err := sd.Verify(bytes.NewReader([]byte("changed")), p.opts()); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("changed document: %v", err)
	}
}

// TestSubjectKeyIdentifierSigner checks a version 3 SignerInfo naming its
// signer by subjectKeyIdentifier.
func TestSubjectKeyIdentifierSigner(t *testing.T) {
	p := newMiniPKI(t)
	content := []byte("ski")
	ski := func(digest []byte) []byte {
		attrs, err := p.signer.signedAttributes(oidData, digest, p.signedAtTime)
		if err != nil {
			t.Fatal(err)
		}
		h := p.signer.digest.new()
		h.Write(attrs)
		sig, err := p.key.Sign(rand.Reader, h.Sum(nil), nil)
		if err != nil {
			t.Fatal(err)
		}
		si, err := derOf(func(b *cryptobyteBuilder) {
			b.AddASN1(0x30, func(b *cryptobyteBuilder) {
				b.AddASN1Int64(3)
				b.AddASN1(tagSKI, func(b *cryptobyteBuilder) { b.AddBytes(p.leaf.SubjectKeyId) })
				b.AddBytes(p.signer.digestAlg)
				b.AddBytes(append([]byte{0xa0}, attrs[1:]...))
				addAlgorithm(b, p.signer.digest.keyOID())
				b.AddASN1OctetString(sig)
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		return si
	}
	sd, err := Parse(p.detached(t, content, ski, p.leaf.Raw, p.other.Raw))
	if err != nil {
		t.Fatal(err)
	}
	results, err := sd.Verify(bytes.NewReader(content), p.opts())
	if err != nil {
		t.Fatal(err)
	}
	if results[0].SignerInfo.Version != 3 || results[0].Certificate != sd.Certificates[0] && results[0].Certificate != sd.Certificates[1] ||
		!bytes.Equal(results[0].Certificate.Raw, p.leaf.Raw) {
		t.Fatal("wrong signer certificate")
	}
}

// TestNormalise checks the BER to DER conversion on hand-made encodings.
func TestNormalise(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in, out []byte
	}{
		{"DER unchanged", []byte{0x30, 0x03, 0x02, 0x01, 0x05}, []byte{0x30, 0x03, 0x02, 0x01, 0x05}},
		{"indefinite", []byte{0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00}, []byte{0x30, 0x03, 0x02, 0x01, 0x05}},
		{"long-form short length", []byte{0x30, 0x81, 0x03, 0x02, 0x01, 0x05}, []byte{0x30, 0x03, 0x02, 0x01, 0x05}},
		{"leading zero length", []byte{0x30, 0x82, 0x00, 0x03, 0x02, 0x01, 0x05}, []byte{0x30, 0x03, 0x02, 0x01, 0x05}},
		{"constructed OCTET STRING", []byte{0x24, 0x80, 0x04, 0x01, 'a', 0x24, 0x04, 0x04, 0x02, 'b', 'c', 0x04, 0x00, 0x00, 0x00},
			[]byte{0x04, 0x03, 'a', 'b', 'c'}},
		{"nested indefinite", []byte{0x30, 0x80, 0xa0, 0x80, 0x24, 0x80, 0x04, 0x01, 'x', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
			[]byte{0x30, 0x05, 0xa0, 0x03, 0x04, 0x01, 'x'}},
		{"high tag number", []byte{0x3f, 0x1f, 0x80, 0x00, 0x00}, []byte{0x3f, 0x1f, 0x00}},
	} {
		got, err := normalise(tc.in)
		if err != nil || !bytes.Equal(got, tc.out) {
			t.Errorf("%s: %x, %v; want %x", tc.name, got, err, tc.out)
		}
	}
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"EOC in definite content", []byte{0x30, 0x02, 0x00, 0x00}},
		{"missing EOC", []byte{0x30, 0x80, 0x02, 0x01, 0x05}},
		{"OCTET STRING holding an INTEGER", []byte{0x24, 0x03, 0x02, 0x01, 0x05}},
		{"non-minimal tag", []byte{0x1f, 0x05, 0x00}},
		{"long tag", []byte{0x1f, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00}},
		{"length overruns", []byte{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff}},
		{"nine-octet length", []byte{0x30, 0x89, 1, 0, 0, 0, 0, 0, 0, 0, 0}},
	} {
		if _, err := normalise(tc.in); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

// TestLengths checks the DER length helpers against encoding/asn1's view
// of the boundaries.
func TestLengths(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want []byte
	}{
		{0, []byte{0x00}},
		{127, []byte{0x7f}},
		{128, []byte{0x81, 0x80}},
		{255, []byte{0x81, 0xff}},
		{256, []byte{0x82, 0x01, 0x00}},
		{1 << 30, []byte{0x84, 0x40, 0x00, 0x00, 0x00}},
		{1 << 40, []byte{0x86, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00}},
	} {
		if got := appendLength(nil, tc.n); !bytes.Equal(got, tc.want) || lengthSize(tc.n) != len(tc.want) {
			t.Errorf("length %d: %x (size %d), want %x", tc.n, got, lengthSize(tc.n), tc.want)
		}
	}
}

// TestSigningCertificateV1 checks the SHA-1 signingCertificate attribute
// of RFC 2634, which older CAdES signers write: checked when present.
func TestSigningCertificateV1(t *testing.T) {
	p := newMiniPKI(t)
	content := []byte("ess v1")
	v1 := func(c *cert.Certificate, withIssuerSerial bool) []byte {
		sum := sha1.Sum(c.Raw)
		attr, err := derOf(func(b *cryptobyteBuilder) {
			addAttribute(b, oidAttrSigningCertificate, func(b *cryptobyteBuilder) {
				b.AddASN1(0x30, func(b *cryptobyteBuilder) {
					b.AddASN1(0x30, func(b *cryptobyteBuilder) {
						b.AddASN1(0x30, func(b *cryptobyteBuilder) {
							b.AddASN1OctetString(sum[:])
							if withIssuerSerial {
								b.AddASN1(0x30, func(b *cryptobyteBuilder) {
									b.AddASN1(0x30, func(b *cryptobyteBuilder) {
										b.AddASN1(tagDirName, func(b *cryptobyteBuilder) { b.AddBytes(c.RawIssuer) })
									})
									b.AddASN1BigInt(c.SerialNumber)
								})
							}
						})
					})
				})
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		return attr
	}
	for _, tc := range []struct {
		name string
		attr []byte
		ok   bool
	}{
		{"signer, hash only", v1(p.leaf, false), true},
		{"signer, issuerSerial", v1(p.leaf, true), true},
		{"another certificate", v1(p.other, true), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			der := p.detached(t, content, func(digest []byte) []byte {
				attrs, err := p.signer.signedAttributes(oidData, digest, p.signedAtTime)
				if err != nil {
					t.Fatal(err)
				}
				// Add the v1 attribute to the SET OF.
				return p.signWith(t, appendSetOf(nil, 0x31, append(setElements(t, attrs), tc.attr)))
			}, p.leaf.Raw)
			sd, err := Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if len(sd.SignerInfos[0].SigningCertificate) != 1 {
				t.Fatal("signingCertificate not read")
			}
			_, err = sd.Verify(bytes.NewReader(content), p.opts())
			if tc.ok != (err == nil) || !tc.ok && !errors.Is(err, ErrAttributeMismatch) {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}

// setElements splits a DER SET OF into its elements.
func setElements(t *testing.T, set []byte) [][]byte {
	t.Helper()
	s := cryptobyte.String(set)
	var body cryptobyte.String
	if !s.ReadASN1(&body, 0x31) {
		t.Fatal("not a SET")
	}
	var out [][]byte
	for !body.Empty() {
		var el cryptobyte.String
		if !body.ReadASN1Element(&el, 0x30) {
			t.Fatal("bad element")
		}
		out = append(out, el)
	}
	return out
}

// TestParseReaderBudget checks that ParseReader refuses to hold more than
// its budget (MaxStreamMetadata, here 64 KiB) besides the content, however
// it is split.
func TestParseReaderBudget(t *testing.T) {
	head := []byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80, 0x30, 0x80}
	for _, tc := range []struct {
		name, want string
		body       []byte
	}{
		{"one large element", "besides the content", append([]byte{0x02, 0x83, 0x01, 0x00, 0x00}, make([]byte, 1<<16)...)},
		{"many empty elements", "besides the content", append([]byte{0x02, 0x01, 0x01, 0x31, 0x80}, bytes.Repeat([]byte{0x30, 0x00}, 1<<15)...)},
		{"deep nesting", "deeper", append([]byte{0x02, 0x01, 0x01}, bytes.Repeat([]byte{0x31, 0x80}, 1<<15)...)},
	} {
		sr := &streamReader{r: bufio.NewReader(bytes.NewReader(append(head, tc.body...))), budget: 1 << 16}
		if _, err := sr.read(nil); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
