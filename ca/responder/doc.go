// Package responder serves the revocation status of a GOST certificate
// authority over HTTP: OCSP (RFC 6960, with the lightweight profile of RFC
// 5019 and the nonce of RFC 8954), the CA's full and delta CRLs, and the CA
// certificate. It is what "gostca serve" runs.
//
// # Design
//
// A Cache answers from memory; its follower goroutine (Cache.Run) reads
// the ledger's changes since the last change number it saw
// (store.Tx.AuditSince) and the records they name, and only then signs.
// It follows one of two kinds of ledger.
//
// A bbolt file (Config.Ledger) is never kept open: bbolt's read-only open
// takes a shared flock and every writer (gostca issue, revoke, ...) an
// exclusive one, so a responder holding the file would block the CLI.
// The follower opens it read-only every PollInterval (250 ms) with a short
// lock timeout, reads and closes it. A revocation made with "gostca
// revoke" is therefore answered within about one PollInterval plus a
// signature, and a writer waits at most for one short read. When the
// ledger is busy the poll is skipped and retried at the next tick.
//
// A ledger held open (Config.DB, the consumer-side interface [Ledger]) is
// read through: a *pgstore.DB, or the *store.Shared of a process that
// shares its bbolt file. With a PostgreSQL ledger, Config.Wake is
// pgstore's DB.Changes: every committed write notifies, and the follower
// reads at each wake (a few milliseconds after the revocation, see
// docs/benchmarks.md) and still every PollInterval (then 5 s) as a safety
// net. A wake says only "read": the follower reads from its last change
// number, so a notification lost while the listener reconnects costs
// nothing, and the listener wakes it after every reconnection to catch up.
// docs/architecture.md gives the alternatives and why these.
//
// A follower that cannot read its ledger (the database is down or out of
// reach) keeps answering from the cache, and keeps re-signing the
// responses that fall due with the statuses it has (the signing key is
// local): clients get current, signed answers, as of the last read. It
// logs the outage at warn once, and at info when a read succeeds again;
// Healthy fails once the ledger has not been read for a minute. When the
// ledger is back, the next read catches up on every change made meanwhile.
//
// The Cache holds a response pre-signed for every unexpired certificate the
// CA issued (good, revoked or on hold, with SHA-1 CertIDs, which RFC 5019
// clients send), valid for ResponseValidity (1 h) and re-signed when half of
// that has passed (at most 512 every 250 ms, oldest first, so that a large
// ledger does not delay the next poll; with a Wake, between the reads
// too) or at once when the certificate's state changes. An expired certificate is dropped and answered "unknown". Requests that a
// pre-signed response does not fit are signed live from the cached status:
// a request with a nonce (echoed, RFC 8954), several CertIDs, another CertID
// hash, or an unknown serial (answered "unknown"). Live signatures are
// limited to MaxLiveSigns at once; beyond that, for a second, the answer is
// tryLater. CRLs are made by the follower (which then opens the ledger for
// writing for a moment, since every CRL number is recorded) after
// revocations, at most every CRLMinInterval, and every CRLRefresh.
//
// With Config.Delegate, responses are signed by a delegated responder key
// rather than the CA's: the Cache makes the key in memory, has the CA
// certify it (ca.ProfileOCSP: id-kp-OCSPSigning, id-pkix-ocsp-nocheck;
// recorded in the ledger) and replaces both RenewBefore the certificate's
// notAfter, before anything more is signed. No response's nextUpdate
// passes the notAfter of the certificate that signed it.
//
// # HTTP
//
// Handler serves, under the paths of HandlerOptions (defaults in brackets):
//
//   - POST [/ocsp] (and /): a DER OCSPRequest, at most MaxRequestBytes
//     (10 KiB; more is 413).
//   - GET [/ocsp]/{base64}: the request in standard base64, URL-escaped or
//     not; the raw path is used, so '/' and '//' in the base64 survive.
//   - GET [/crl] and [/crl/delta]: application/pkix-crl.
//   - GET [/ca.crt]: the CA certificate, DER, application/pkix-cert.
//   - GET [/ca.p7c]: the CA certificate and its issuers, a certs-only
//     PKCS#7, application/pkcs7-mime.
//   - GET [/healthz]: 200 "ok", or 503 when the cache has not read the
//     ledger for a minute.
//   - GET [/metrics]: counters and gauges in the Prometheus text format
//     (HTTP requests by status code and a latency histogram, OCSP
//     responses by status, pre-signed and live answers, signing errors,
//     the oldest pre-signed response's age, the signer certificate's time
//     to expiry, delegations, ledger polls, CRLs made, cached
//     certificates, last ledger change number).
//
// OCSP answers are application/ocsp-response with HTTP 200 whatever their
// OCSP status: malformedRequest for what ParseRequest rejects (an empty or
// too long nonce included), unauthorized for a CertID of another issuer or
// hash, tryLater when the cache is not ready or overloaded, internalError
// for anything else (a panic included). A successful response without a
// nonce carries the caching headers of RFC 5019 §6.2 (Cache-Control
// max-age to nextUpdate, public, no-transform, must-revalidate;
// Last-Modified = thisUpdate; Expires = nextUpdate; ETag) and If-None-Match
// gives 304; one with a nonce is Cache-Control: no-store.
//
// NewServer wraps a Handler in an http.Server with the header, read, write
// and idle timeouts that keep slow, silent or idle clients from holding it.
//
// # Concurrency
//
// A Cache and a Handler are safe for concurrent use. The Cache starts no
// goroutine: the caller runs Cache.Run in one and cancels its context to
// stop it (and, with a Wake, owns what feeds it). Handler never touches
// the ledger. A ledger in Config.DB is the caller's: the Cache never closes
// it.
package responder
