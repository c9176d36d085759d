// Package pgstore is the issuance ledger of package store kept in a
// PostgreSQL database instead of a bbolt file: the same records, audit
// chain, CRL state, applications and outbox, behind the same methods with
// the same semantics and errors (wrapping store.ErrNotFound, ErrExists,
// ErrState, ErrInvalid), so that a *DB serves wherever a *store.DB does
// (ca.Ledger, ra.Ledger, ra.MailLedger, ra.RemindLedger). One conformance
// suite (store/internal/storetest) runs against both.
//
// # Scope
//
// Like store, it records and does not decide: it does not parse
// certificates, choose serials, sign, or read the clock. It is for a CA
// that outgrows one machine: several CA processes, on one host or many,
// may write to one database at once. [DB.Import] adds certificates issued
// elsewhere, as store.DB.Import does, with COPY (18,000–29,000 records a
// second on two shared cores). Following the ledger from responders (LISTEN/NOTIFY), copying a
// bbolt ledger in and out and backups are not here yet; docs/deployment.md
// describes the deployment the package is for.
//
// # Schema and migrations
//
// The schema is plain tables (certificates, revocations by issuer,
// removals, crl_state, audit, applications, blobs by hash, outbox,
// reminders) with the indexes the methods read through: expiry, subject
// key identifier, open applications' keys, due mail. It is versioned by
// the SQL files in migrations/, embedded in the binary; [Migrate] (gostca
// ledger migrate) runs those the database lacks, in order, each in its own
// transaction with its row in schema_migrations, under an advisory lock
// so that processes migrating at once migrate once. [Open] changes no
// schema unless asked (Options.Migrate): it refuses a database whose
// schema is older ([ErrOutdated]) or newer ([ErrSchema]) than the
// program's, so that a CA node of the previous release never writes to a
// schema it does not know. The runner is a page of our own rather
// than a migration library: migrations only move forward with the
// program, are applied by the program itself (no CLI, no down
// migrations, no other drivers or sources), and each library would bring
// its own dependencies and conventions for that one loop.
//
// # Concurrency
//
// Every write is one transaction, at READ COMMITTED, whose first
// statement locks the one row of ledger_head, the head of the audit chain
// (SELECT ... FOR UPDATE). Writes therefore run one after another across
// all processes, each taking the next change number and appending its
// audit entry in its own transaction, so the chain is one line; and
// because each later statement of a READ COMMITTED transaction sees every
// transaction committed before it, a write reads the state it decides on
// after its predecessor's commit: a check-then-write (serial unused, the
// state allows the transition, the CRL number increases, the application
// has no certificate yet) cannot race another process. SERIALIZABLE would
// give the same guarantee by aborting: as every write updates the head,
// concurrent writers would fail and retry most of the time. With one lock
// taken first there is no deadlock to expect; a serialization failure or
// deadlock reported by the server all the same makes the write run again,
// a bounded number of times ([Options.Retries]). The database checks the
// invariants once more: serials are a primary key, and a unique index
// allows one certificate that is not abandoned per application and one
// open application per key.
//
// Delivery bookkeeping of the outbox (MailSent, MailFailed, MailGaveUp)
// is not audited: it locks the message's row, not the head.
//
// [DB.View] runs in a REPEATABLE READ, read-only transaction: the snapshot
// of a CRL, as a bbolt read transaction is. Its iterators read their rows
// before yielding the first (a page per query; an issuer's revocations in
// one streamed query, decoded from the binary rows without an allocation
// per row into a compact list, 16–35 bytes an entry, that the Tx keeps
// for the next scan of the issuer: a CRL ranges over them twice and
// queries them once), so the loop body may call the Tx again. A million
// entries take about 0.65 s to read on two shared cores
// (docs/benchmarks.md). [DB.All], [DB.Expiring],
// [DB.Audit] and [DB.Applications] read a page per statement and are not
// snapshots, like store's. The Notifier is called inside the write's
// transaction, with a Tx that reads it.
//
// # Caveats
//
//   - Times in the tables are timestamptz: PostgreSQL keeps microseconds,
//     so record, revocation, CRL, application and mail times come back
//     truncated to the microsecond (bbolt keeps nanoseconds). Audit
//     entries are stored in store's canonical encoding and keep theirs.
//   - The audit chain is not keyed, as in store: whoever can write the
//     tables can rewrite it. Anchor its head elsewhere.
//   - Writes run one at a time, each paying one commit: throughput is the
//     database's commit rate, not the number of writers.
//   - Each call is bounded by [Options.Timeout]; ca.Ledger's methods take
//     no context.
package pgstore
