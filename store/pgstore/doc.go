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
// may write to one database at once, and responders follow it as it
// changes ([DB.Changes]). [DB.Import] adds certificates issued elsewhere,
// as store.DB.Import does, with COPY (18,000–29,000 records a second on
// two shared cores).
//
// # Copies and backups
//
// [DB.Export] writes the whole ledger as a stream of store.Item from one
// snapshot (a REPEATABLE READ, read-only transaction, a query per table),
// and [DB.Load] fills an empty ledger from such a stream — this package's
// or a bbolt file's — in one transaction, with COPY: every record,
// revocation, release, CRL state, application, attachment, numbering,
// message and reminder, and the audit log as it is stored, so that the
// copy's head is the source's. A load that fails leaves the ledger empty.
// Package store/ledgercopy moves ledgers with them, a bbolt file in and
// out, and backs up a PostgreSQL ledger into a new bbolt file. Neither is
// bounded by Options.Timeout (they take a context): a copy of a million
// certificates takes about 40 seconds into PostgreSQL and a minute back
// (store/ledgercopy's BenchmarkCopy, two cores), its audit chain verified
// on both sides.
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
// a bounded number of times ([Options.Retries]). The writes of one DB
// queue for the head in the process before they ask the server, so that
// at most one of its connections waits on the row lock (the server wakes
// every waiter at every commit: 32 goroutines wrote at 60% of one's rate
// without this queue). The database checks the
// invariants once more: serials are a primary key, and a unique index
// allows one certificate that is not abandoned per application and one
// open application per key.
//
// Delivery bookkeeping of the outbox (MailSent, MailFailed, MailGaveUp)
// is not audited: it locks the message's row, not the head.
//
// CRLs are made one at a time across processes: [DB.LockCRL] (ca.CRLLocker,
// which ca.CA.CRL takes from its snapshot to its record) is a
// session-level advisory lock keyed by the issuer, held on a connection
// of its own and released with pg_advisory_unlock, or by the server when
// the session ends with its process. Calls of one DB for one issuer queue
// in the process first, so that at most one connection of the pool waits
// on the server. Without it, CAs of one key in several processes would
// race for each CRL number, and the compare-and-set of RecordCRL would
// refuse all but one of the CRLs signed for it.
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
// # Following the ledger
//
// Every write that takes a change number notifies [ChangesChannel]
// (pg_notify, in the statement that moves the audit head, so without a
// round trip of its own) with the new number: PostgreSQL delivers it at
// commit, and not at all for a write rolled back. [DB.Changes] listens on
// a connection of its own, outside the pool (application_name
// [ListenerName]), and turns the notifications into wakes on a channel
// that holds one: a burst of changes leaves one wake, and no write waits
// for a slow reader. A wake is a hint, not the change: the follower
// (ca/responder's Cache) reads from the last change number it saw
// (store.Tx.AuditSince), which is why a notification lost while the
// listener was away is harmless. The listener reconnects with a backoff
// (0.1 s, doubling to 5 s) when its connection fails, checks an idle
// connection every 15 s, and wakes after every connection so that the
// follower reads what was committed while nobody listened. Because writes
// run one at a time under the head's lock, change numbers commit in order:
// a reader that has seen number n has seen every change up to n.
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
