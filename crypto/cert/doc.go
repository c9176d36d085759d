// Package cert encodes, signs, parses and verifies the X.509 objects of a
// GOST certificate authority: v3 certificates, PKCS#10 certificate requests
// and v2 certificate revocation lists signed with GOST R 34.10-2012 over
// Streebog (RFC 9215), and chains of certificates.
//
// # Scope
//
// The standard library's crypto/x509 reads the structure of GOST objects but
// cannot sign them and leaves their public key nil. This package builds every
// object itself with golang.org/x/crypto/cryptobyte, and parses with
// crypto/x509 for the structure and the standard extensions, reading the GOST
// parts itself: the signature algorithm, the key, the names with the Russian
// attributes of the qualified-certificate profile (SNILS, INN, INNLE, OGRN,
// OGRNIP as NumericString) and the extensions of that profile
// (subjectSignTool, issuerSignTool, identificationKind, the KC/KB/KA policy
// classes, privateKeyUsagePeriod).
//
// It does not: check the profile of a qualified certificate (mandatory
// attributes, the check digits of SNILS, INN or OGRN — the ca package does
// that), enforce name constraints or policy constraints, fetch CRLs or OCSP
// responses, sign with RSA or ECDSA, or accept GOST R 34.10-2001 keys. Names
// are flattened: one attribute per RDN when encoding, multi-valued RDNs
// merged when parsing.
//
// # Encoding
//
// Output is DER: no default value is ever encoded (no critical FALSE, no cA
// FALSE, no reasonCode unspecified). The signature algorithm follows the
// signer's key: a 256-bit key signs with id-tc26-signwithdigest-gost3410-12-256
// (1.2.643.7.1.1.3.2) over Streebog-256, a 512-bit key with
// id-tc26-signwithdigest-gost3410-12-512 (1.2.643.7.1.1.3.3) over
// Streebog-512, with the AlgorithmIdentifier parameters absent. Times are
// UTCTime for 1950–2049 and GeneralizedTime otherwise, in seconds, always UTC.
//
// Byte order follows RFC 9215 and every interoperable implementation: the
// digest is the Streebog hash of the DER of the to-be-signed structure,
// exactly as the hash returns it, and is passed unchanged to the signer
// (gost3410 reads it as a little-endian integer); the signatureValue BIT
// STRING holds s‖r, each half big-endian; the public key is the DER OCTET
// STRING of LE(x)‖LE(y) inside the SubjectPublicKeyInfo BIT STRING.
//
// # Security
//
// Every Create function checks the signature it was given against the
// signer's public key before it returns, so a faulty token or a signer that
// answers with the wrong key never yields a bad object. Parsing never panics
// on hostile input (the parsers are fuzzed) and a parsed object's Raw is its
// input. Parsing does not verify: call CheckSignature, CheckSignatureFrom or
// Verify. Verify checks signatures, validity periods (of the root too),
// basicConstraints, pathLenConstraint, keyCertSign and name chaining; it does
// not check revocation.
//
// # Concurrency
//
// Parsed objects are read-only after parsing and safe to share between
// goroutines; the functions keep no state. Templates are only read.
package cert
