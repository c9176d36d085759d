// Package storetest is the conformance suite of the issuance ledger: the
// behaviour tests of package store (writes and their refusals, reads,
// CRL snapshots, the audit chain, applications, the outbox, concurrent
// writers, the copy of a whole ledger through Export and Load,
// imports), written against the Ledger interface and run by each backend's
// tests — store's bbolt file and store/pgstore's PostgreSQL database —
// with [Run]. Tests of one backend's internals (file locks, Restore, page
// corruption, migrations) stay with that backend.
//
// It is a test helper: only tests import it.
package storetest

import (
	"context"
	"iter"
	"math/big"
	"testing"
	"time"

	"github.com/gostca/gostca/store"
)

// Ledger is what the suite needs of a ledger: the methods of *store.DB
// that the CA, the registration authority and its mail use, and the
// reads the tests check them with.
type Ledger interface {
	Reserve(r *store.Record, at time.Time) error
	Complete(serial *big.Int, der, subjectKeyID []byte, at time.Time) error
	Abandon(serial *big.Int, why string, at time.Time) error
	Revoke(rev store.Revocation, at time.Time) error
	Release(serial *big.Int, at time.Time) error
	RecordCRL(issuerKeyID []byte, info store.CRLInfo, at time.Time) error
	Get(serial *big.Int) (*store.Record, error)
	View(fn func(tx store.Tx) error) error
	All() iter.Seq2[*store.Record, error]
	Expiring(from, to time.Time) iter.Seq2[*store.Record, error]
	BySubjectKeyID(ski []byte) ([]*store.Record, error)
	Audit() iter.Seq2[store.AuditEntry, error]
	VerifyAudit() error

	SubmitApplication(at time.Time, blobs [][]byte, build func(seq uint64) (*store.Application, error)) (*store.Application, error)
	UpdateApplication(number string, at time.Time, fn func(a *store.Application) (*store.Update, error)) (*store.Application, error)
	Application(number string) (*store.Application, error)
	Applications() iter.Seq2[*store.Application, error]
	Attachment(sum [32]byte) ([]byte, error)
	DueMail(now time.Time, limit int) ([]store.Mail, error)
	MailSent(id uint64, at time.Time) error
	MailFailed(id uint64, next time.Time, reason string, at time.Time) error
	MailGaveUp(id uint64, reason string, at time.Time) error
	Remind(serial *big.Int, days int, at time.Time) (bool, error)
	Import(records iter.Seq2[*store.Record, error], at time.Time) (int, error)

	Export(ctx context.Context) iter.Seq2[store.Item, error]
	Load(ctx context.Context, items iter.Seq2[store.Item, error]) error
	Head() (store.Head, error)

	Close() error
}

var _ Ledger = (*store.DB)(nil)

// Suite says how to make the ledgers under test.
type Suite struct {
	// Open returns a new, empty ledger with the Notifier notify (nil for
	// none), closed at t's cleanup.
	Open func(t testing.TB, notify store.Notifier) Ledger
	// Reopen, if set, closes db and opens the same ledger again, for the
	// tests of what survives it.
	Reopen func(t testing.TB, db Ledger) Ledger
	// Resolution is how finely the backend keeps the times of records
	// (not of audit entries, which every backend keeps to the
	// nanosecond); 0 means nanoseconds.
	Resolution time.Duration
	// Writers is the number of goroutines of the concurrency test; 0
	// means 32.
	Writers int
}

// Run runs every test of the suite as a subtest of t.
func Run(t *testing.T, s Suite) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Suite)
	}{
		{"Transitions", testTransitions},
		{"Reserve", testReserve},
		{"ReserveIgnores", testReserveIgnores},
		{"RecordRoundTrip", testRecordRoundTrip},
		{"RevokeArguments", testRevokeArguments},
		{"SerialNeverReused", testSerialNeverReused},
		{"Renewal", testRenewal},
		{"CRLSnapshot", testCRLSnapshot},
		{"RevocationsEarlyStop", testRevocationsEarlyStop},
		{"RecordCRL", testRecordCRL},
		{"ScanRevocations", testScanRevocations},
		{"Expiring", testExpiring},
		{"Paging", testPaging},
		{"AllSerialOrder", testAllSerialOrder},
		{"RevocationsSerialOrder", testRevocationsSerialOrder},
		{"BySubjectKeyID", testBySubjectKeyID},
		{"GetNotFound", testGetNotFound},
		{"AuditSince", testAuditSince},
		{"AuditChain", testAuditChain},
		{"ApplicationLifecycle", testApplicationLifecycle},
		{"Outbox", testOutbox},
		{"Remind", testRemind},
		{"ApplicationRefused", testApplicationRefused},
		{"ConcurrentIssue", testConcurrentIssue},
		{"Copy", testCopy},
		{"LoadRefused", testLoadRefused},
		{"Import", testImport},
		{"ImportThenWrites", testImportThenWrites},
		{"ImportRefuses", testImportRefuses},
		{"ImportChunks", testImportChunks},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, s) })
	}
}

func (s Suite) resolution() time.Duration {
	if s.Resolution <= 0 {
		return 1
	}
	return s.Resolution
}
