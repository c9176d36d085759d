// Package status answers, for a certificate C issued by a CA certificate I,
// "was C revoked at time T, and is it revoked now?": the question a
// verifier of an electronic signature asks about the signer's certificate
// at the signing time. It reads the answer from one of three sources
// behind one small interface, [Checker]:
//
//   - [Ledger]: the CA's own issuance ledger (the store package), opened
//     read-only for one short transaction per question;
//   - [CRL] (and [CRLSet] for several issuers): a full CRL, DER or PEM,
//     whose signature is checked against I;
//   - [OCSP]: an OCSP responder (RFC 6960), asked over HTTP POST with a
//     nonce (RFC 8954), whose answer must be signed by I or by a delegated
//     responder certificate that I issued with id-kp-OCSPSigning.
//
// Each returns a [Result]: a ca.State (good, revoked with the revocation
// time, the reason and, when the source gives it, the invalidity date,
// held, unknown, or from the ledger expired) and the period the source
// vouches for (thisUpdate, nextUpdate). A certificate on hold is revoked
// with the reason certificateHold in CRLs and OCSP; its State is
// ca.StateHeld. [Result.Assess] reads a Result against a signing time and
// gives a [Verdict]: good, revoked after the signing time (the signature
// was valid when made; the certificate is revoked or on hold now), revoked
// at the signing time (the signature is invalid), or unknown.
//
// [CheckSignature] gives the whole verdict on one signature that
// crypto/cms verified: its problems (the signature, the chain now and at
// the signing time, the status then), typed so that callers can branch on
// them, its warnings, and a summary ("valid when made; the certificate is
// revoked now"). gostca verify-signature prints it.
//
// # Time
//
// A CMS signingTime, a CRL's revocationDate and an OCSP revocationTime
// have whole seconds, the ledger nanoseconds. A revocation counts from the
// start of its second, so that one made in the same second as a signature
// counts as made before it: the conservative reading, since the order
// within the second is unknown. When the source gives an invalidity date
// (RFC 5280 §5.3.2: when the key is known or suspected to have been
// compromised) earlier than the revocation, the revocation counts from the
// invalidity date. A signing time is the signer's claim, not attested
// without a timestamp; Assess takes it as given.
//
// A hold says nothing of the past once released: a certificate put on
// hold and released later reads as good from every source, for every
// time. A hold placed after the signing time is a revocation after it;
// one placed before, a revocation at it.
//
// # Security
//
// Every answer is authenticated before it is believed. Each Check first
// makes sure that I issued C (the issuer name and C's signature), so that
// an answer about I's certificates is never applied to another issuer's.
// A CRL must be issued by I (name and, when both are present, key
// identifier), signed by I's key with cRLSign, and be a full CRL: a delta
// CRL alone is refused with [ErrDeltaCRL]. An OCSP response must be
// signed by I or by a delegated responder I issued (ocsp's
// CheckSignatureFrom), echo the request's nonce, answer for the CertID
// asked about, and have a thisUpdate no later than now plus a clock skew.
// The HTTP exchange has a timeout and a response size limit. The ledger is
// trusted as the CA's own record: its answer is the certificate's state
// when read, if the ledger holds this very certificate (its DER).
//
// A source past its nextUpdate (an expired CRL, an old OCSP response) is
// not refused: its Result is marked Stale, for the caller to flag. It
// still answers for the past: a revocation it lists happened.
//
// # Scope
//
// The package does not: fetch CRLs from distribution points or find OCSP
// URLs in certificates (the caller chooses the source), merge delta CRLs,
// read indirect CRLs or issuing distribution points, check the status of
// I itself or of the rest of the chain, verify chains (crypto/cms and
// crypto/cert do), or cache answers. It logs nothing.
//
// # Errors
//
// Messages start with "status: ". Callers branch with errors.Is on
// [ErrWrongIssuer], [ErrMalformed], [ErrBadSignature], [ErrDeltaCRL],
// [ErrNonceMismatch], [ErrCertIDMismatch], [ErrTooLarge], [ErrTime] and
// [ErrUnavailable], and with errors.As on [*HTTPError] and, for an
// unsuccessful OCSP response, *ocsp.StatusError. An unknown certificate is
// not an error: its Result has the State ca.StateUnknown.
//
// # Concurrency
//
// Every Checker here is safe for concurrent use and starts no goroutines.
// A parsed CRL is read-only.
package status
