package cms

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gostca/gostca/crypto/cert"
)

// VerifyOptions are the inputs of SignedData.Verify.
type VerifyOptions struct {
	// Roots are the trust anchors of the signers' chains.
	Roots []*cert.Certificate
	// Certificates are parsed certificates the message does not embed:
	// signer certificates and intermediates. The embedded certificates are
	// always used.
	Certificates []*cert.Certificate
	// CurrentTime is the time to verify the chains at; zero means
	// time.Now(). The chain is also verified at each signer's signingTime.
	CurrentTime time.Time
	// KeyUsages lists extended key usages a signer certificate with an
	// extKeyUsage extension must all have (cert.VerifyOptions.KeyUsages);
	// empty means any.
	KeyUsages []asn1.ObjectIdentifier
	// NoChain skips chain verification: the results have no chains, and
	// Verify's error reports signature failures only. For callers that
	// build and check chains themselves.
	NoChain bool
}

// SignerResult is the verdict on one SignerInfo: what a revocation checker
// needs (the certificate, its issuer, the signing time) and what failed.
type SignerResult struct {
	SignerInfo *SignerInfo
	// Certificate is the signer certificate, nil when not found.
	Certificate *cert.Certificate
	// Err is nil when the signature holds: certificate found, algorithms
	// supported, key usage allowing signatures, contentType and
	// messageDigest matching the content, signature valid over the signed
	// attributes (or, without them, over the content digest), and the
	// signingCertificate(V2) attributes, if present, naming the
	// certificate. Otherwise it wraps one of ErrNoSignerCertificate,
	// ErrUnsupportedAlgorithm, ErrKeyUsage, ErrAttributeMismatch,
	// ErrBadSignature or ErrDigestMismatch.
	Err error
	// Chain is the certificate's chain, leaf first and root last, verified
	// at VerifyOptions.CurrentTime; ChainErr is cert.Certificate.Verify's
	// error, a *cert.CertificateInvalidError. Both are nil with NoChain or
	// without a certificate.
	Chain    []*cert.Certificate
	ChainErr error
	// SigningTimeChain and SigningTimeChainErr are the same, verified at
	// the signingTime the signer claims. SigningTimeChainErr is
	// ErrNoSigningTime for a signer without signingTime; both are nil with
	// NoChain or without a certificate.
	SigningTimeChain    []*cert.Certificate
	SigningTimeChainErr error
}

// SigningTime returns the signingTime attribute and whether there is one.
// It is the signer's claim, not attested by a third party.
func (r *SignerResult) SigningTime() (time.Time, bool) {
	t := r.SignerInfo.SigningTime
	return t, !t.IsZero()
}

// Issuer returns the issuer of the signer certificate from the chain
// verified now, or else from the one verified at the signing time; nil if
// neither was built or the certificate is itself a root.
func (r *SignerResult) Issuer() *cert.Certificate {
	switch {
	case len(r.Chain) > 1:
		return r.Chain[1]
	case len(r.SigningTimeChain) > 1:
		return r.SigningTimeChain[1]
	}
	return nil
}

// SignerError is a failure of one signer, as Verify reports it.
type SignerError struct {
	Index       int               // of the SignerInfo in SignedData.SignerInfos
	Certificate *cert.Certificate // the signer's certificate, nil if not found
	Err         error
}

// Error names the signer by index and, when known, certificate subject.
func (e *SignerError) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "cms: signer %d", e.Index)
	if e.Certificate != nil {
		fmt.Fprintf(&sb, " (%q)", e.Certificate.Subject.String())
	}
	sb.WriteString(": ")
	sb.WriteString(strings.TrimPrefix(e.Err.Error(), "cms: "))
	return sb.String()
}

// Unwrap returns the underlying failure.
func (e *SignerError) Unwrap() error { return e.Err }

// Verify checks every SignerInfo of sd (see SignerResult.Err) and, unless
// opts.NoChain, builds each signer certificate's chain to opts.Roots with
// cert.Certificate.Verify, at opts.CurrentTime and at the signingTime. The
// content is sd.Content for an attached signature, with content nil; for a
// detached one, content gives it, and is read to its end without being
// held in memory.
//
// It returns one result per SignerInfo, in order, and an error joining a
// *SignerError for each signer whose Err is not nil or, unless NoChain,
// whose ChainErr is not nil: a nil error means every signature holds and
// every signer certificate chains to a root now (or at CurrentTime). A
// signature made while its certificate was valid, which has expired since,
// fails with a *cert.CertificateInvalidError of Reason cert.Expired; its
// SigningTimeChainErr says whether the chain held at the signing time.
// Revocation is not checked: the results give a status checker the
// certificate, its issuer and the signing time.
//
// Errors not tied to a signer (no SignerInfo, a missing or superfluous
// content, a read error) come with nil results.
func (sd *SignedData) Verify(content io.Reader, opts VerifyOptions) ([]*SignerResult, error) {
	if len(sd.SignerInfos) == 0 {
		return nil, errors.New("cms: the SignedData has no SignerInfo")
	}
	digests, err := sd.contentDigests(content)
	if err != nil {
		return nil, err
	}
	now := opts.CurrentTime
	if now.IsZero() {
		now = time.Now()
	}
	pool := make([]*cert.Certificate, 0, len(sd.Certificates)+len(opts.Certificates))
	pool = append(pool, sd.Certificates...)
	pool = append(pool, opts.Certificates...)
	results := make([]*SignerResult, len(sd.SignerInfos))
	var errs []error
	for i, si := range sd.SignerInfos {
		r := &SignerResult{SignerInfo: si}
		results[i] = r
		r.Certificate = findCertificate(si, pool)
		if r.Certificate == nil {
			r.Err = fmt.Errorf("%w: %s", ErrNoSignerCertificate, si.describeSigner())
		} else {
			digest, ok := digests[si.DigestAlgorithm]
			if !ok && si.DigestAlgorithm != UnknownDigest {
				// Only after ParseReader, which hashes with the algorithms
				// announced before the content.
				r.Err = malformed("the SignerInfo's digest %v is not among digestAlgorithms", si.DigestAlgorithm)
			} else {
				r.Err = sd.verifySigner(si, r.Certificate, digest)
			}
			if !opts.NoChain {
				vo := cert.VerifyOptions{Roots: opts.Roots, Intermediates: pool, CurrentTime: now, KeyUsages: opts.KeyUsages}
				r.Chain, r.ChainErr = r.Certificate.Verify(vo)
				r.SigningTimeChainErr = ErrNoSigningTime
				if t, ok := r.SigningTime(); ok {
					vo.CurrentTime = t
					r.SigningTimeChain, r.SigningTimeChainErr = r.Certificate.Verify(vo)
				}
			}
		}
		if err := r.Err; err != nil || r.ChainErr != nil {
			if err == nil {
				err = r.ChainErr
			}
			errs = append(errs, &SignerError{Index: i, Certificate: r.Certificate, Err: err})
		}
	}
	return results, errors.Join(errs...)
}

// contentDigests returns the digest of the content with each digest
// algorithm of the SignerInfos, hashing it once.
func (sd *SignedData) contentDigests(content io.Reader) (map[Digest][]byte, error) {
	if sd.streamed() {
		if content != nil {
			return nil, fmt.Errorf("%w: the SignedData embeds its content: give no other", ErrNoContent)
		}
		return sd.digests, nil
	}
	switch {
	case sd.Detached && content == nil:
		return nil, fmt.Errorf("%w: the signature is detached: give its content", ErrNoContent)
	case !sd.Detached && content != nil:
		return nil, fmt.Errorf("%w: the SignedData embeds its content: give no other", ErrNoContent)
	case !sd.Detached:
		content = bytes.NewReader(sd.Content)
	}
	hashes := newDigester(sd.signerDigests())
	if _, err := io.Copy(hashes, content); err != nil {
		return nil, fmt.Errorf("cms: reading the content: %w", err)
	}
	return hashes.sums(), nil
}

// signerDigests returns the supported digest algorithms of the
// SignerInfos.
func (sd *SignedData) signerDigests() []Digest {
	var ds []Digest
	for _, si := range sd.SignerInfos {
		if d := si.DigestAlgorithm; d != UnknownDigest && !slices.Contains(ds, d) {
			ds = append(ds, d)
		}
	}
	return ds
}

// findCertificate returns the first certificate of pool that si's signer
// identifier names: by issuer (byte for byte) and serial number, or by
// subject key identifier.
func findCertificate(si *SignerInfo, pool []*cert.Certificate) *cert.Certificate {
	for _, c := range pool {
		if c == nil {
			continue
		}
		if si.SerialNumber != nil {
			if c.SerialNumber != nil && c.SerialNumber.Cmp(si.SerialNumber) == 0 && bytes.Equal(c.RawIssuer, si.RawIssuer) {
				return c
			}
		} else if len(si.SubjectKeyId) > 0 && bytes.Equal(c.SubjectKeyId, si.SubjectKeyId) {
			return c
		}
	}
	return nil
}

// describeSigner names the signer identifier for an error.
func (si *SignerInfo) describeSigner() string {
	if si.SerialNumber != nil {
		issuer := "?"
		if n, err := cert.ParseName(si.RawIssuer); err == nil {
			issuer = n.String()
		}
		return fmt.Sprintf("issuer %q, serial %#x", issuer, si.SerialNumber)
	}
	return fmt.Sprintf("subject key identifier %x", si.SubjectKeyId)
}

// verifySigner checks si with c's key against digest, the content digest
// under si.DigestAlgorithm.
func (sd *SignedData) verifySigner(si *SignerInfo, c *cert.Certificate, digest []byte) error {
	d := si.DigestAlgorithm
	if d == UnknownDigest || !nullOrAbsent(si.digestParams) {
		return fmt.Errorf("%w: digest algorithm %s", ErrUnsupportedAlgorithm, si.DigestAlgorithmOID)
	}
	if sigDigest := signatureDigest(si.SignatureAlgorithm); sigDigest == UnknownDigest || !nullOrAbsent(si.signatureParams) {
		return fmt.Errorf("%w: signature algorithm %s", ErrUnsupportedAlgorithm, si.SignatureAlgorithm)
	} else if sigDigest != d {
		return fmt.Errorf("%w: signature algorithm %s with digest %v", ErrUnsupportedAlgorithm, si.SignatureAlgorithm, d)
	}
	pub := c.PublicKey
	if pub == nil {
		return fmt.Errorf("%w: the signer certificate has no GOST key", ErrUnsupportedAlgorithm)
	}
	if pub.Params().Size() != d.Size() {
		return fmt.Errorf("%w: a %d-bit key does not sign with %v", ErrUnsupportedAlgorithm, pub.Params().Bits(), d)
	}
	if !allowsSigning(c) {
		return ErrKeyUsage
	}

	if si.RawSignedAttributes == nil {
		// RFC 5652 §5.3: without signed attributes the content must be
		// id-data, and the signature covers its digest.
		if !sd.ContentType.Equal(oidData) {
			return fmt.Errorf("%w: no signed attributes for content type %s", ErrAttributeMismatch, sd.ContentType)
		}
		if err := pub.Verify(digest, si.Signature); err != nil {
			return fmt.Errorf("%w: %w", ErrBadSignature, err)
		}
		return nil
	}
	h := d.new()
	h.Write(si.RawSignedAttributes)
	if err := pub.Verify(h.Sum(nil), si.Signature); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	switch {
	case si.ContentType == nil:
		return fmt.Errorf("%w: no contentType attribute", ErrAttributeMismatch)
	case si.MessageDigest == nil:
		return fmt.Errorf("%w: no messageDigest attribute", ErrAttributeMismatch)
	case !si.ContentType.Equal(sd.ContentType):
		return fmt.Errorf("%w: contentType %s, but the content is %s", ErrAttributeMismatch, si.ContentType, sd.ContentType)
	case !bytes.Equal(si.MessageDigest, digest):
		return ErrDigestMismatch
	}
	if err := checkESSCertID(si.SigningCertificateV2, c, "signingCertificateV2"); err != nil {
		return err
	}
	return checkESSCertID(si.SigningCertificate, c, "signingCertificate")
}

// checkESSCertID checks that the first ESSCertID of a signingCertificate
// or signingCertificateV2 attribute identifies c (RFC 5035 §5.4): the hash
// of its DER, and the issuer and serial number when present.
func checkESSCertID(ids []ESSCertID, c *cert.Certificate, attr string) error {
	if len(ids) == 0 {
		return nil
	}
	id := ids[0]
	h := certHash(id.HashAlgorithm)
	if h == nil {
		return fmt.Errorf("%w: %s hash %s", ErrUnsupportedAlgorithm, attr, id.HashAlgorithm)
	}
	h.Write(c.Raw)
	if !bytes.Equal(h.Sum(nil), id.Hash) {
		return fmt.Errorf("%w: %s names another certificate (hash)", ErrAttributeMismatch, attr)
	}
	if id.HasIssuerSerial && (id.SerialNumber.Cmp(c.SerialNumber) != 0 || !bytes.Equal(id.RawIssuer, c.RawIssuer)) {
		return fmt.Errorf("%w: %s names another certificate (issuer and serial number)", ErrAttributeMismatch, attr)
	}
	return nil
}

var oidExtKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 15}

// allowsSigning reports whether c's keyUsage, if it has one, allows
// signatures: digitalSignature or nonRepudiation (contentCommitment).
func allowsSigning(c *cert.Certificate) bool {
	return !hasKeyUsage(c) || c.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) != 0
}

// hasKeyUsage reports whether c carries a keyUsage extension.
func hasKeyUsage(c *cert.Certificate) bool {
	if c.KeyUsage != 0 {
		return true
	}
	for _, e := range c.Extensions {
		if e.Id.Equal(oidExtKeyUsage) {
			return true
		}
	}
	return false
}
