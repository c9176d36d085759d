// Package ocsp encodes and parses the messages of the Online Certificate
// Status Protocol (RFC 6960) for a GOST certificate authority: requests,
// responses signed with GOST R 34.10-2012 over Streebog, and the unsigned
// error responses. It is the message layer of ca/responder, which serves
// them over HTTP; it does no I/O and keeps no state.
//
// # Scope
//
// Requests are parsed as the lightweight profile of RFC 5019 expects a
// responder to: one or more CertIDs, the nonce extension, and everything
// else RFC 6960 allows read and ignored (version v1, requestorName, other
// request and single-request extensions). A signed request is accepted and
// its signature is not verified: Request.Signed says it was there, for a
// responder that wants to answer sigRequired or unauthorized instead. CertIDs
// may use SHA-1 (RFC 5019's default), SHA-256, Streebog-256
// (1.2.643.7.1.1.2.2) or Streebog-512 (1.2.643.7.1.1.2.3).
//
// Responses are BasicOCSPResponses (id-pkix-ocsp-basic) with the
// responderID byKey: the SHA-1 of the signer's subjectPublicKey BIT STRING
// value. The signer is the CA's own key, or a delegated responder key whose
// certificate the CA issued with the extended key usage id-kp-OCSPSigning
// (ca.ProfileOCSP) and which goes into the response's certs.
//
// The package does not: fetch anything, decide a certificate's status (the
// caller gives it), cache or pre-sign responses, verify a request's
// signature, sign with RSA or ECDSA, or build and verify the chain above the
// issuer (crypto/cert does that). ParseResponse reads responses signed by any
// responder, byName or byKey, but only GOST certificates in certs.
//
// # Encoding
//
// Output is DER with no default value encoded (no version v1, no
// revocationReason unspecified). Times are GeneralizedTime in whole seconds,
// UTC. A revoked status carries revocationReason [0] EXPLICIT unless the
// reason is unspecified; a certificate on hold is revoked with the reason
// certificateHold (RFC 6960 §2.2). nextUpdate is [0] EXPLICIT and omitted
// when zero. The nonce (RFC 8954, id-pkix-ocsp-nonce 1.3.6.1.5.5.7.48.1.2)
// is an extension whose extnValue holds the DER OCTET STRING of the nonce,
// as OpenSSL writes it. CertIDs are encoded with NULL hash parameters for
// SHA-1 and SHA-256 (as OpenSSL does) and absent ones for Streebog; both are
// accepted when parsing. The signature is made as in crypto/cert: the Streebog
// hash of the DER ResponseData, passed to the signer unchanged, the
// signature s‖r in the BIT STRING, and the algorithm
// id-tc26-signwithdigest-gost3410-12-256 or -512 by key size, with absent
// parameters.
//
// # Errors
//
// Messages start with "ocsp: ". A responder maps the errors of ParseRequest
// to the response statuses of RFC 6960 §2.3 like this:
//
//   - ErrMalformedRequest (and ErrNonceTooLong, which wraps it):
//     malformedRequest. RFC 8954 §2.1 asks for malformedRequest when the
//     nonce is empty or longer than 32 octets.
//   - ErrUnknownHash: unauthorized. The request is well formed (the hash
//     AlgorithmIdentifier is open-ended) but names its CA with a hash this
//     responder does not compute, so it cannot answer authoritatively.
//
// ParseResponse returns a *StatusError for an unsuccessful response, and
// errors wrapping ErrMalformedResponse or ErrUnknownHash otherwise;
// Response.CheckSignatureFrom returns errors wrapping ErrUnauthorizedResponder
// or ErrBadSignature.
//
// # Security
//
// CreateResponse checks the signature it was given against the signer's
// public key before it returns, and refuses a responder certificate that
// does not hold the signer's key. Parsing never panics on hostile input (the
// parsers are fuzzed) and does not verify; CheckSignatureFrom accepts the
// issuer's own key, or a certificate from certs that the issuer signed, that
// has id-kp-OCSPSigning and that was valid at producedAt. It does not check
// that the response is fresh (thisUpdate, nextUpdate), that the caller's
// CertID is among the responses, or the nonce: the caller does.
//
// # Concurrency
//
// The functions keep no state and are safe for concurrent use. A parsed
// Request or Response is read-only and safe to share; it refers to the DER
// it was parsed from, which the caller must not modify afterwards. An
// IssuerHashes is immutable and safe to share.
package ocsp
