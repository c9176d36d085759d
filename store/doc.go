// Package store is the issuance ledger of a GOST certificate authority: every
// serial reserved, certificate signed, revocation, release from hold and CRL
// of the CA, with a hash-chained audit log of all of them, in one bbolt file.
//
// # Scope
//
// The ledger is the CA's memory and the source of its CRLs and OCSP
// answers. It records; it does not decide. It does not parse or check the
// certificates it stores (the ca package builds them and vouches for the DER),
// does not choose serials, does not sign, and never reads the clock: every
// write takes the caller's time. One file may hold several issuers (a root
// and its intermediates): revocations and CRL state are kept per issuer,
// under the issuer's subject key identifier.
//
// # Life of a certificate
//
// Issuance takes two writes. [DB.Reserve] records the serial and what is
// about to be signed before the signature exists, so that a serial is used
// at most once even if the process dies while signing; [DB.Complete] stores
// the signed DER, or [DB.Abandon] records that signing failed. The serial of
// an abandoned reservation is never used again. [DB.Revoke] with reason 6
// (certificateHold) puts a certificate on hold, which [DB.Release] lifts;
// any other reason revokes it for good, a hold included. Refused transitions
// fail with errors wrapping [ErrState], [ErrNotFound] or [ErrExists], and
// change nothing.
//
// # Durability and concurrency
//
// A [DB] is safe for concurrent use. Every write is one bbolt transaction
// run through bbolt's DB.Batch: concurrent writes from many goroutines are
// coalesced into one transaction and one fsync, and each call returns only
// once its transaction is durably committed. bbolt's copy-on-write pages and
// double meta page make a commit atomic, so a crash (SIGKILL, power loss on
// a disk that honours fsync) at any moment leaves the ledger as of its last
// commit: a serial Reserve returned for is never lost, and an unreturned
// one is either fully recorded or absent. A write that fails (a refused
// transition) is taken out of its batch and does not affect the others.
//
// Every write takes the next ledger change number (Seq) and appends an audit
// entry with that number in the same transaction. Revocation entries carry
// the Seq of the write that recorded them, and an index by Seq makes delta
// CRLs a range read: a CRL made in [DB.View] at change number n is the
// snapshot of all writes up to n, and its delta is [Tx.RevocationsSince] n
// and [Tx.RemovalsSince] n.
//
// Only one process may open a ledger for writing (an exclusive flock);
// [Open] waits [Options.Timeout] for it and fails with [ErrLocked].
// Read-only handles share the lock with each other.
//
// # Audit
//
// The audit log is append-only: entry n holds the Streebog-256 hash of entry
// n−1, its own hash covers a length-prefixed encoding of all its fields,
// and the meta bucket keeps the head (last Seq and hash), moved in the same
// transaction. [DB.VerifyAudit] detects an entry changed, removed or moved,
// and entries cut from the end. The chain is not keyed: someone who can
// write the file can rewrite the whole chain from the point they change.
// Anchor the head elsewhere (print it, sign it, log it remotely) to detect
// that.
//
// # Copies
//
// [DB.Export] writes the ledger's whole contents as a stream of [Item]
// from one read transaction, and [DB.Load] fills an empty ledger from
// such a stream (this package's, or store/pgstore's), checked by
// [CheckItems] — the audit chain entry by entry and its head — and
// rebuilds the indexes and counters; the audit log is copied as stored,
// so the copy's [DB.Head] is the source's. Load writes in transactions of
// a few thousand items and marks the ledger as loading until the last:
// Open refuses a ledger whose load did not finish. [Create] makes a new
// file that appears only once complete. Package store/ledgercopy moves
// whole ledgers between the backends with them.
//
// # Encoding
//
// Values are compact binary, each with a version byte; keys sort as the
// methods promise: serial keys are length-prefixed big-endian magnitudes,
// so byte order is numeric order. A revocation entry is a fixed 23- or
// 35-byte value decoded without allocation beyond its serial's big.Int, so
// that a CRL of a million entries streams from a cursor. Times are stored to
// the nanosecond and come back in UTC. The schema version is in the meta
// bucket; [Open] refuses any other version with [ErrSchema].
//
// # Caveats
//
//   - A write may be run more than once by bbolt's batching (when another
//     write of the batch fails, the batch is rolled back and retried); the
//     write functions read all their state inside the transaction, so a
//     retry is correct, but latency includes a short batching delay
//     ([Options.MaxBatchDelay]).
//   - Throughput comes from concurrency: one goroutine writing in a loop
//     pays an fsync per write. Reserve from many goroutines to issue fast.
//     With 64 writers on an ext4 virtual disk, Reserve+Complete runs at
//     4,600–8,700 certificates/s with the default 2 ms batch delay, and
//     about 2,500/s with bbolt's own default of 10 ms.
//   - [DB.View] holds a read transaction: keep it short-lived except for
//     making a CRL, and do not write from inside it (a write that must grow
//     the file waits for all read transactions to end). [DB.All],
//     [DB.Expiring] and [DB.Audit] read a page at a time and may be
//     interleaved with writes; they are not snapshots.
//   - Nothing is ever deleted: records of expired certificates and their
//     revocation entries stay, so CRLs keep listing expired revoked
//     certificates (allowed by RFC 5280). The file only grows; bbolt reuses
//     freed pages but never shrinks it (use `bbolt compact` offline).
//   - Revoke takes its Revocation by value: the Seq the store assigns is in
//     the ledger (Get, Tx), not in the caller's copy.
//   - bbolt keeps no checksum of its data pages, and panics on some
//     corruptions when it reads them: [Open] trusts the file it is given.
//     [Restore] checks a copy's page structure (and recovers such panics)
//     before using it, but a flipped byte inside a record's value goes
//     unnoticed. Keep a checksum of each backup stream.
//   - [ErrState] also refuses a CRL number that does not increase: the CRL
//     state is compare-and-set like a certificate's.
//   - Backups ([DB.WriteTo]) are plain ledger files; [Restore] checks one
//     before putting it in place but cannot tell a stale backup from a
//     current one: restoring an old copy forgets serials issued since, and
//     they could then be reused. Compare the restored audit head with the
//     last one you anchored.
package store
