package cms

import "errors"

var (
	// ErrMalformed is wrapped by every error of Parse, ParsePEM and
	// ParseReader for input that is not a well-formed SignedData this package
	// reads: bad DER or BER, a content type other than signedData, a wrong
	// version, a duplicated or ill-typed signed attribute.
	ErrMalformed = errors.New("cms: malformed SignedData")

	// ErrUnsupportedAlgorithm is wrapped when a SignerInfo uses a digest or
	// signature algorithm other than GOST R 34.10-2012 with Streebog, or
	// one that does not fit the size of the signer's key, or when an
	// ESSCertID names a hash this package does not compute.
	ErrUnsupportedAlgorithm = errors.New("cms: unsupported algorithm")

	// ErrNoContent is returned when a detached signature is verified or
	// co-signed without its content, or when content is given for a
	// SignedData that embeds its own.
	ErrNoContent = errors.New("cms: no content to verify or sign")

	// ErrNoSignerCertificate is wrapped when no certificate among the
	// embedded ones and VerifyOptions.Certificates matches a SignerInfo's
	// signer identifier.
	ErrNoSignerCertificate = errors.New("cms: signer certificate not found")

	// ErrDigestMismatch is wrapped when the messageDigest signed attribute
	// is not the digest of the content: the document was changed after it
	// was signed, or is not the one that was signed.
	ErrDigestMismatch = errors.New("cms: message digest does not match the content")

	// ErrBadSignature is wrapped when the signature value does not verify
	// with the signer certificate's key: the signed attributes were changed
	// or the signature was not made by that key. For a SignerInfo without
	// signed attributes, whose signature covers the content digest itself,
	// a changed document also shows as ErrBadSignature.
	ErrBadSignature = errors.New("cms: signature does not verify")

	// ErrAttributeMismatch is wrapped when a signed attribute contradicts
	// the message or the signer certificate: a contentType other than
	// eContentType, a missing contentType or messageDigest, or a
	// signingCertificate(V2) that does not identify the signer
	// certificate.
	ErrAttributeMismatch = errors.New("cms: signed attribute does not match")

	// ErrKeyUsage is wrapped when the signer certificate has a keyUsage
	// extension with neither digitalSignature nor nonRepudiation
	// (contentCommitment).
	ErrKeyUsage = errors.New("cms: signer certificate key usage does not allow signing")

	// ErrNoSigningTime is SignerResult.SigningTimeChainErr for a signer
	// that gave no signingTime attribute.
	ErrNoSigningTime = errors.New("cms: no signing time")

	// ErrCertificateValidity is wrapped by CheckSignerCertificate for a
	// certificate outside its validity period at the signing time.
	ErrCertificateValidity = errors.New("cms: the signer certificate is not valid at the signing time")

	// ErrDuplicateSigner is wrapped by CheckCoSign when the SignedData
	// already has a signature by the same certificate.
	ErrDuplicateSigner = errors.New("cms: already signed by this certificate")
)
