package cms

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/streebog"
)

// SignerOptions are the optional inputs of NewSigner. The zero value, and
// nil, give the defaults.
type SignerOptions struct {
	// Certificates are embedded after the signer's own certificate: its
	// intermediates, so that a verifier needs only the root. Default none.
	Certificates []*cert.Certificate
	// Clock gives the signingTime attribute, read once per signature
	// (before the content is read). Default time.Now.
	Clock func() time.Time
	// Rand is the randomness of the signature nonce. Default
	// crypto/rand.Reader.
	Rand io.Reader
}

// Signer makes CAdES-BES signatures with one key and its certificate. It
// is immutable and safe for concurrent use if its key is.
type Signer struct {
	key       crypto.Signer
	pub       *gost3410.PublicKey
	digest    Digest
	cert      *cert.Certificate
	certs     [][]byte // DER: the signer's certificate, then the others
	digestAlg []byte   // DER AlgorithmIdentifier of the digest
	sid       []byte   // DER IssuerAndSerialNumber
	essAttr   []byte   // DER signingCertificateV2 Attribute
	clock     func() time.Time
	rand      io.Reader
}

// NewSigner returns a Signer for key, a GOST R 34.10-2012 crypto.Signer
// (a *gost3410.PrivateKey, a PKCS#11 token key, ...), and certificate, a
// parsed certificate (it needs Raw, RawIssuer and SerialNumber) for key's
// public key. It digests with Streebog-256 for a 256-bit key and
// Streebog-512 for a 512-bit key. It does not check the certificate's
// validity or key usage: verifiers do.
func NewSigner(key crypto.Signer, certificate *cert.Certificate, opts *SignerOptions) (*Signer, error) {
	if key == nil {
		return nil, errors.New("cms: no signing key")
	}
	pub, ok := key.Public().(*gost3410.PublicKey)
	if !ok || pub == nil {
		return nil, fmt.Errorf("cms: signing key is %T, not a GOST R 34.10-2012 key (*gost3410.PublicKey)", key.Public())
	}
	digest := digestBySize(pub.Params().Size())
	if digest == UnknownDigest {
		return nil, fmt.Errorf("cms: unsupported GOST key size %d", pub.Params().Size())
	}
	if certificate == nil || len(certificate.Raw) == 0 || len(certificate.RawIssuer) == 0 || certificate.SerialNumber == nil {
		return nil, errors.New("cms: the signer certificate must be parsed (cert.ParseCertificate)")
	}
	if certificate.PublicKey == nil || !certificate.PublicKey.Equal(pub) {
		return nil, errors.New("cms: the signer certificate is not for the signing key")
	}
	if opts == nil {
		opts = &SignerOptions{}
	}
	s := &Signer{key: key, pub: pub, digest: digest, cert: certificate, clock: opts.Clock, rand: opts.Rand}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	s.certs = append(s.certs, certificate.Raw)
	for i, c := range opts.Certificates {
		if c == nil || len(c.Raw) == 0 {
			return nil, fmt.Errorf("cms: SignerOptions.Certificates[%d] is not a parsed certificate", i)
		}
		if !containsBytes(s.certs, c.Raw) {
			s.certs = append(s.certs, c.Raw)
		}
	}
	var err error
	if s.digestAlg, err = derOf(func(b *cryptobyte.Builder) { addAlgorithm(b, digest.oid()) }); err != nil {
		return nil, fmt.Errorf("cms: encoding the digest algorithm: %w", err)
	}
	if s.sid, err = derOf(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddBytes(certificate.RawIssuer)
			b.AddASN1BigInt(certificate.SerialNumber)
		})
	}); err != nil {
		return nil, fmt.Errorf("cms: encoding the signer identifier: %w", err)
	}
	if s.essAttr, err = signingCertificateV2(certificate); err != nil {
		return nil, fmt.Errorf("cms: encoding signingCertificateV2: %w", err)
	}
	return s, nil
}

// Certificate returns the signer's certificate.
func (s *Signer) Certificate() *cert.Certificate { return s.cert }

// Digest returns the digest algorithm the signer uses.
func (s *Signer) Digest() Digest { return s.digest }

// signingCertificateV2 encodes the ESS signingCertificateV2 attribute (RFC
// 5035) for c: one ESSCertIDv2 with the Streebog-256 hash of the DER
// certificate, the AlgorithmIdentifier written out (the DEFAULT is
// SHA-256), and issuerSerial.
func signingCertificateV2(c *cert.Certificate) ([]byte, error) {
	sum := streebog.Sum256(c.Raw)
	return derOf(func(b *cryptobyte.Builder) {
		addAttribute(b, oidAttrSigningCertificateV2, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SigningCertificateV2
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // certs
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ESSCertIDv2
						addAlgorithm(b, oidStreebog256)
						b.AddASN1OctetString(sum[:])
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerSerial
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // GeneralNames
								b.AddASN1(tagDirName, func(b *cryptobyte.Builder) {
									b.AddBytes(c.RawIssuer)
								})
							})
							b.AddASN1BigInt(c.SerialNumber)
						})
					})
				})
			})
		})
	})
}

// addAlgorithm writes an AlgorithmIdentifier with absent parameters, as
// RFC 9215 and the TC26 CMS examples have them.
func addAlgorithm(b *cryptobyte.Builder, oid asn1.ObjectIdentifier) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
	})
}

// addAttribute writes an Attribute with one value.
func addAttribute(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, value func(b *cryptobyte.Builder)) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.SET, value)
	})
}

// signedAttributes returns the DER SET OF the signed attributes:
// contentType, messageDigest, signingTime and signingCertificateV2, sorted.
func (s *Signer) signedAttributes(contentType asn1.ObjectIdentifier, digest []byte, when time.Time) ([]byte, error) {
	attrs := [][]byte{s.essAttr}
	for _, f := range []func(b *cryptobyte.Builder){
		func(b *cryptobyte.Builder) {
			addAttribute(b, oidAttrContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(contentType) })
		},
		func(b *cryptobyte.Builder) {
			addAttribute(b, oidAttrMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(digest) })
		},
		func(b *cryptobyte.Builder) {
			addAttribute(b, oidAttrSigningTime, func(b *cryptobyte.Builder) { addTime(b, when) })
		},
	} {
		a, err := derOf(f)
		if err != nil {
			return nil, fmt.Errorf("cms: encoding the signed attributes: %w", err)
		}
		attrs = append(attrs, a)
	}
	return appendSetOf(nil, 0x31, attrs), nil
}

// addTime writes t as UTCTime for the years 1950–2049 and GeneralizedTime
// otherwise (RFC 5652 §11.3), in whole seconds, UTC.
func addTime(b *cryptobyte.Builder, t time.Time) {
	t = t.UTC().Truncate(time.Second)
	if y := t.Year(); y >= 1950 && y < 2050 {
		b.AddASN1UTCTime(t)
		return
	}
	b.AddASN1GeneralizedTime(t)
}

// signerInfo encodes a version 1 SignerInfo with the DER SET OF signed
// attributes attrs and the signature sig.
func (s *Signer) signerInfo(attrs, sig []byte) ([]byte, error) {
	implicit := append([]byte{0xa0}, attrs[1:]...) // [0] IMPLICIT SET OF
	der, err := derOf(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(1)
			b.AddBytes(s.sid)
			b.AddBytes(s.digestAlg)
			b.AddBytes(implicit)
			addAlgorithm(b, s.digest.keyOID())
			b.AddASN1OctetString(sig)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("cms: encoding the SignerInfo: %w", err)
	}
	return der, nil
}

// sign makes the SignerInfo for content of contentType whose digest is
// digest, signed at when. The signature is checked with the certificate's
// key before it is used, so a faulty token never yields a bad signature.
func (s *Signer) sign(contentType asn1.ObjectIdentifier, digest []byte, when time.Time) ([]byte, error) {
	attrs, err := s.signedAttributes(contentType, digest, when)
	if err != nil {
		return nil, err
	}
	sig, err := gost3410.SignMessage(s.rand, s.key, s.pub, attrs)
	if err != nil {
		return nil, fmt.Errorf("cms: signing: %w", err)
	}
	return s.signerInfo(attrs, sig)
}

// placeholder returns a SignerInfo of the length sign will produce for the
// same time: the digest and the signature have fixed lengths.
func (s *Signer) placeholder(contentType asn1.ObjectIdentifier, when time.Time) ([]byte, error) {
	attrs, err := s.signedAttributes(contentType, make([]byte, s.digest.Size()), when)
	if err != nil {
		return nil, err
	}
	return s.signerInfo(attrs, make([]byte, 2*s.digest.Size()))
}

// digestReader returns the digest d of everything r gives.
func digestReader(d Digest, r io.Reader) ([]byte, error) {
	h := d.new()
	if _, err := io.Copy(h, r); err != nil {
		return nil, fmt.Errorf("cms: reading the content: %w", err)
	}
	return h.Sum(nil), nil
}

func (s *Signer) parts(contentLen int64, signerInfo []byte) *signedDataParts {
	return &signedDataParts{
		version:     1,
		digestAlgs:  [][]byte{s.digestAlg},
		contentType: oidData,
		contentLen:  contentLen,
		certs:       s.certs,
		signerInfos: [][]byte{signerInfo},
	}
}

// SignDetached signs the content r gives, reading it to its end without
// holding it in memory, and returns a detached SignedData, DER: without
// eContent, the form of the usual Russian ".sig" files. The content type is
// id-data.
func (s *Signer) SignDetached(r io.Reader) ([]byte, error) {
	when := s.clock()
	digest, err := digestReader(s.digest, r)
	if err != nil {
		return nil, err
	}
	si, err := s.sign(oidData, digest, when)
	if err != nil {
		return nil, err
	}
	prefix, suffix, err := s.parts(-1, si).encode()
	if err != nil {
		return nil, fmt.Errorf("cms: encoding SignedData: %w", err)
	}
	return append(prefix, suffix...), nil
}

// SignAttached writes to w a SignedData, DER, that embeds the content r
// gives (the ".p7s" form); size is the content's length in bytes (for a
// file, its Stat().Size()). The content is streamed from r to w while it
// is hashed, so a content of any size signs in constant memory: DER's
// definite lengths are computed from size, and the SignerInfo, which
// follows the content, has a length known in advance. r must give exactly
// size bytes; it is read one byte past them to check that it ends. On an
// error, w may hold part of a signature, which must be discarded. The
// content type is id-data. For PEM, write through NewPEMWriter and close
// it afterwards.
func (s *Signer) SignAttached(w io.Writer, r io.Reader, size int64) error {
	if size < 0 {
		return fmt.Errorf("cms: negative content size %d", size)
	}
	when := s.clock()
	ph, err := s.placeholder(oidData, when)
	if err != nil {
		return err
	}
	prefix, want, err := s.parts(size, ph).encode()
	if err != nil {
		return fmt.Errorf("cms: encoding SignedData: %w", err)
	}
	if _, err := w.Write(prefix); err != nil {
		return fmt.Errorf("cms: writing the signature: %w", err)
	}
	h := s.digest.new()
	if n, err := io.CopyN(io.MultiWriter(w, h), r, size); err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("cms: the content ended after %d bytes, size is %d", n, size)
		}
		return fmt.Errorf("cms: streaming the content: %w", err)
	}
	var extra [1]byte
	if n, err := io.ReadFull(r, extra[:]); n > 0 {
		return fmt.Errorf("cms: the content is longer than its size, %d bytes", size)
	} else if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("cms: reading the content: %w", err)
	}
	si, err := s.sign(oidData, h.Sum(nil), when)
	if err != nil {
		return err
	}
	_, suffix, err := s.parts(size, si).encode()
	if err != nil {
		return fmt.Errorf("cms: encoding SignedData: %w", err)
	}
	if len(suffix) != len(want) {
		return fmt.Errorf("cms: internal error: SignerInfo is %d bytes, %d were announced", len(suffix), len(want))
	}
	if _, err := w.Write(suffix); err != nil {
		return fmt.Errorf("cms: writing the signature: %w", err)
	}
	return nil
}

// CoSign adds a signature by s to sd and returns the new SignedData, DER:
// its SignerInfo is appended, its digest algorithm added to
// digestAlgorithms if new, and its certificates to certificates if not
// there yet; everything else, the other SignerInfos included, is kept as
// it was. For a detached sd, r must give the content again (it is streamed,
// not held in memory); for one that embeds its content, r must be nil. The
// new signature covers the content and sd's eContentType. CoSign neither
// verifies the signatures already there nor refuses a second signature by
// the same certificate: CheckCoSign does both. The output
// holds the whole message in memory, content included when attached.
func (s *Signer) CoSign(sd *SignedData, r io.Reader) ([]byte, error) {
	if sd == nil {
		return nil, errors.New("cms: no SignedData to co-sign")
	}
	if sd.streamed() {
		return nil, fmt.Errorf("%w: a SignedData read by ParseReader keeps no content to embed; use Parse", ErrNoContent)
	}
	when := s.clock()
	var digest []byte
	var err error
	switch {
	case sd.Detached && r == nil:
		return nil, fmt.Errorf("%w: the signature is detached: give its content", ErrNoContent)
	case !sd.Detached && r != nil:
		return nil, fmt.Errorf("%w: the SignedData embeds its content: give no other", ErrNoContent)
	case sd.Detached:
		digest, err = digestReader(s.digest, r)
	default:
		digest, err = digestReader(s.digest, bytes.NewReader(sd.Content))
	}
	if err != nil {
		return nil, err
	}
	si, err := s.sign(sd.ContentType, digest, when)
	if err != nil {
		return nil, err
	}
	p := &signedDataParts{
		version:     max(sd.Version, 1),
		digestAlgs:  sd.rawDigestAlgorithms,
		contentType: sd.ContentType,
		contentLen:  -1,
		certs:       sd.RawCertificates,
		crls:        sd.rawCRLs,
		signerInfos: make([][]byte, 0, len(sd.SignerInfos)+1),
	}
	if !sd.Detached {
		p.contentLen = int64(len(sd.Content))
	}
	if !digestListed(sd.DigestAlgorithms, s.digest) {
		p.digestAlgs = append(p.digestAlgs[:len(p.digestAlgs):len(p.digestAlgs)], s.digestAlg)
	}
	for _, c := range s.certs {
		if !containsBytes(p.certs, c) {
			p.certs = append(p.certs[:len(p.certs):len(p.certs)], c)
		}
	}
	for _, old := range sd.SignerInfos {
		p.signerInfos = append(p.signerInfos, old.Raw)
	}
	p.signerInfos = append(p.signerInfos, si)
	prefix, suffix, err := p.encode()
	if err != nil {
		return nil, fmt.Errorf("cms: encoding SignedData: %w", err)
	}
	out := make([]byte, 0, len(prefix)+len(sd.Content)+len(suffix))
	out = append(out, prefix...)
	out = append(out, sd.Content...)
	return append(out, suffix...), nil
}

func containsBytes(list [][]byte, b []byte) bool {
	for _, x := range list {
		if bytes.Equal(x, b) {
			return true
		}
	}
	return false
}

func digestListed(oids []asn1.ObjectIdentifier, d Digest) bool {
	for _, oid := range oids {
		if digestByOID(oid) == d {
			return true
		}
	}
	return false
}

// CheckSignerCertificate checks that c may make a signature at t, as a
// verifier will require: t within its validity period (the error wraps
// ErrCertificateValidity), and a keyUsage, if any, with digitalSignature
// or nonRepudiation (ErrKeyUsage). NewSigner does not check this, so that
// a test may sign with a certificate that verifiers must refuse.
func CheckSignerCertificate(c *cert.Certificate, t time.Time) error {
	if t.Before(c.NotBefore) || t.After(c.NotAfter) {
		return fmt.Errorf("%w: valid %v to %v, signing at %v", ErrCertificateValidity, c.NotBefore.UTC(), c.NotAfter.UTC(), t.UTC())
	}
	if !allowsSigning(c) {
		return ErrKeyUsage
	}
	return nil
}

// CheckCoSign checks sd before signer co-signs it: no signature in it is by
// signer's certificate already (ErrDuplicateSigner), and every signature
// in it holds over its content (for a detached sd, r gives it; else r is
// nil). Either failure is a *SignerError naming the signature.
// The chains are not checked. A co-signature adds to what is there; it
// should not lend its weight to a signature that does not verify.
func (sd *SignedData) CheckCoSign(signer *cert.Certificate, r io.Reader) error {
	if err := sd.checkNewSigner(signer); err != nil {
		return err
	}
	results, err := sd.Verify(r, VerifyOptions{NoChain: true})
	if results == nil && err != nil {
		return err
	}
	for i, res := range results {
		if res.Err != nil {
			return &SignerError{Index: i, Certificate: res.Certificate, Err: res.Err}
		}
	}
	return nil
}

// checkNewSigner fails with a *SignerError wrapping ErrDuplicateSigner if
// a SignerInfo of sd names c (issuer and serial number).
func (sd *SignedData) checkNewSigner(c *cert.Certificate) error {
	for i, si := range sd.SignerInfos {
		if si.SerialNumber != nil && si.SerialNumber.Cmp(c.SerialNumber) == 0 && bytes.Equal(si.RawIssuer, c.RawIssuer) {
			return &SignerError{Index: i, Certificate: c, Err: ErrDuplicateSigner}
		}
	}
	return nil
}
