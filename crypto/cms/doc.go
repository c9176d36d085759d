// Package cms signs and verifies CMS SignedData (RFC 5652) with GOST R
// 34.10-2012 keys over Streebog: the detached ".sig" and attached ".p7s"
// electronic signatures of Russian document workflows, in the CAdES-BES
// form (signed contentType, messageDigest, signingTime and ESS
// signingCertificateV2), interoperable with OpenSSL's GOST engine.
//
// # Scope
//
// A [Signer] wraps a [crypto.Signer] whose public key is a
// *gost3410.PublicKey (a software key or a PKCS#11 token key: only Public
// and Sign are used) and its certificate. [Signer.SignDetached] hashes a
// content stream and returns a detached SignedData; [Signer.SignAttached]
// streams the content through to an io.Writer inside the SignedData,
// given its size in advance; [Signer.CoSign] adds a signature to an
// existing SignedData. [Parse] and [ParsePEM] read a SignedData from
// memory, [ParseReader] from a stream without keeping its content, and
// [SignedData.Verify] checks every signer and builds its certificate chain
// with [cert.Certificate.Verify], at the verification time and at the
// signing time, reporting each in a [SignerResult].
//
// It does not: check revocation (a SignerResult gives a status checker the
// signer certificate, its issuer and the signing time), make or check
// timestamps and the other CAdES forms (CAdES-T, -X, -A), counter-
// signatures, EnvelopedData or the other content types, sign with RSA or
// ECDSA, or accept GOST R 34.10-2001 keys. SignerInfos it cannot verify
// (another algorithm) still parse and are kept by CoSign.
//
// # Encoding
//
// Output is DER, the SET OFs sorted. The digest algorithm follows the key
// size: id-tc26-gost3411-12-256 (1.2.643.7.1.1.2.2) for a 256-bit key,
// id-tc26-gost3411-12-512 (1.2.643.7.1.1.2.3) for a 512-bit key. The
// SignerInfo signatureAlgorithm is the key algorithm,
// id-tc26-gost3410-12-256 (1.2.643.7.1.1.1.1) or -512 (1.2.643.7.1.1.1.2),
// as OpenSSL's GOST engine and the TC26 CMS examples write it;
// verification also accepts id-tc26-signwithdigest-gost3410-12-256 and
// -512 (1.2.643.7.1.1.3.2 and .3). AlgorithmIdentifier parameters are
// absent, as in the TC26 examples (OpenSSL writes NULL; both are read).
// Signers are identified by issuerAndSerialNumber (SignerInfo version 1);
// subjectKeyIdentifier (version 3, "openssl cms -keyid") is read. The
// content type is id-data.
//
// The signed attributes are contentType, messageDigest, signingTime
// (UTCTime for 1950–2049, GeneralizedTime otherwise, in whole seconds,
// from SignerOptions.Clock) and signingCertificateV2 (RFC 5035) with one
// ESSCertIDv2: the Streebog-256 hash of the signer certificate, its
// hashAlgorithm written out (the DEFAULT would mean SHA-256), and
// issuerSerial. The signature is made as in crypto/cert: the Streebog hash of
// the DER SET OF signed attributes (RFC 5652 §5.4), passed to the signer
// unchanged, the signature value s‖r with big-endian halves.
//
// Parsing accepts DER and the BER that OpenSSL's -stream writes
// (indefinite lengths, eContent as a constructed OCTET STRING in chunks):
// [Parse] converts BER to DER in memory, so it holds the message and, for
// BER, a DER copy of it; [SignedData.Raw] is the DER. The signed
// attributes are verified as they were written. PEM is read with the
// labels CMS, PKCS7 and "PKCS #7 SIGNED DATA", and written with CMS
// ([EncodePEM], and [NewPEMWriter] for a streamed attached signature).
//
// # Verification
//
// For each SignerInfo, Verify finds the signer certificate among the
// embedded ones and VerifyOptions.Certificates, and checks, in order: the
// algorithms (Streebog of the key's size), the keyUsage (digitalSignature
// or nonRepudiation, if the extension is present), the signature over the
// signed attributes, the contentType attribute against eContentType, the
// messageDigest against the content, and signingCertificateV2 and the SHA-1
// signingCertificate of RFC 2634, when present, against the certificate
// (its hash, and its issuer and serial number when given). Without signed
// attributes, as "openssl cms -noattr" makes, the signature covers the
// content digest and the content type must be id-data. Failures wrap
// named errors: [ErrDigestMismatch] for a changed document,
// [ErrBadSignature], [ErrAttributeMismatch], [ErrNoSignerCertificate],
// [ErrUnsupportedAlgorithm], [ErrKeyUsage]; chain failures are the
// *cert.CertificateInvalidError of cert.Certificate.Verify. The signing
// time is the signer's claim: nothing attests it without a timestamp, and
// Verify's overall verdict rests on the chain at the verification time.
//
// # Streaming and memory
//
// Signing never holds the content: SignDetached and SignAttached read it
// once, in pieces, and allocate a few tens of KiB whatever its size. Verifying a detached signature reads the content
// stream once, whatever the number of signers. An attached signature read
// by Parse is in memory with its content; [ParseReader] streams the content
// out to a writer while hashing it, and keeps only the rest of the message,
// at most [MaxStreamMetadata] bytes. CoSign holds the new message in
// memory (with the content, when attached).
//
// # Security
//
// Every signature is checked with the certificate's public key before it
// is written, so a faulty token never yields a bad signature. Parsing
// never panics on hostile input (FuzzParse), bounds nesting depth, and
// does not verify anything. Verify checks what is listed above; the caller
// decides what a signer's expired certificate, or a signing time outside
// the certificate's validity, means.
//
// # Concurrency
//
// A Signer is immutable and safe for concurrent use if its key is. A
// parsed SignedData is read-only, and safe to verify from several
// goroutines; it refers to the bytes it was parsed from, which the caller
// must not modify afterwards. The package starts no goroutines.
package cms
