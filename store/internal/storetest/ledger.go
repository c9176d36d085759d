package storetest

import (
	"cmp"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/streebog"
	"github.com/gostca/gostca/store"
)

// testApp builds an application numbered from seq for the key keyID.
func testApp(keyID string, attachments ...store.Attachment) func(seq uint64) (*store.Application, error) {
	return testAppYear(2026, keyID, attachments...)
}

func testAppYear(year int, keyID string, attachments ...store.Attachment) func(seq uint64) (*store.Application, error) {
	return func(seq uint64) (*store.Application, error) {
		return &store.Application{
			Number: fmt.Sprintf("%d-%06d", year, seq), State: "submitted", Open: true,
			KeyID: []byte(keyID), Data: []byte(`{"applicant":"x"}`), Attachments: attachments,
		}, nil
	}
}

// Mailer is a Notifier that writes one mail per change, naming it: the
// Notifier of the ledgers Fill fills.
func Mailer(tx store.Tx, e store.AuditEntry, app *store.Application) []store.Mail {
	return []store.Mail{{To: "a@example.ru", Subject: e.Op + " " + app.Number + " " + app.State, Body: e.Detail}}
}

var (
	t0      = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	issuerA = []byte{0xa1, 0xa1, 0xa1, 0xa1}
	issuerB = []byte{0xb2, 0xb2, 0xb2, 0xb2}
)

func serial(n int64) *big.Int { return big.NewInt(n) }

// newRecord is the record Reserve gets for serial n.
func newRecord(n int64) *store.Record {
	return &store.Record{
		Serial:       serial(n),
		IssuerKeyID:  append([]byte(nil), issuerA...),
		Issuer:       "CN=Test CA",
		Subject:      fmt.Sprintf("CN=subject %d", n),
		SubjectKeyID: []byte(fmt.Sprintf("ski-%d", n)),
		Profile:      "tls-server",
		RequestID:    fmt.Sprintf("req-%d", n),
		NotBefore:    t0,
		NotAfter:     t0.Add(365 * 24 * time.Hour),
	}
}

func derOf(n int64) []byte { return []byte(fmt.Sprintf("DER of certificate %d", n)) }

func mustReserve(t testing.TB, db Ledger, r *store.Record) {
	t.Helper()
	if err := db.Reserve(r, t0); err != nil {
		t.Fatalf("Reserve(%v): %v", r.Serial, err)
	}
}

// issue reserves and completes r.
func issue(t testing.TB, db Ledger, r *store.Record) {
	t.Helper()
	mustReserve(t, db, r)
	if err := db.Complete(r.Serial, derOf(r.Serial.Int64()), r.SubjectKeyID, t0.Add(time.Second)); err != nil {
		t.Fatalf("Complete(%v): %v", r.Serial, err)
	}
}

// issueAll issues the records concurrently (sequential writes would pay
// one commit each).
func issueAll(t testing.TB, db Ledger, recs []*store.Record) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(recs))
	sem := make(chan struct{}, 64)
	for _, r := range recs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := db.Reserve(r, t0); err != nil {
				errs <- err
				return
			}
			if err := db.Complete(r.Serial, derOf(r.Serial.Int64()), r.SubjectKeyID, t0); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func revoke(t testing.TB, db Ledger, n int64, reason cert.ReasonCode) {
	t.Helper()
	if err := db.Revoke(store.Revocation{Serial: serial(n), Time: t0.Add(time.Hour), Reason: reason}, t0.Add(time.Hour)); err != nil {
		t.Fatalf("Revoke(%d, reason %d): %v", n, reason, err)
	}
}

func release(t testing.TB, db Ledger, n int64) {
	t.Helper()
	if err := db.Release(serial(n), t0.Add(2*time.Hour)); err != nil {
		t.Fatalf("Release(%d): %v", n, err)
	}
}

func auditLen(t testing.TB, db Ledger) int {
	t.Helper()
	n := 0
	for _, err := range db.Audit() {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

func seqOf(t testing.TB, db Ledger) uint64 {
	t.Helper()
	var seq uint64
	if err := db.View(func(tx store.Tx) error { seq = tx.Seq(); return nil }); err != nil {
		t.Fatal(err)
	}
	return seq
}

func collect[T any](t testing.TB, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func wantErr(t testing.TB, got, want error) {
	t.Helper()
	if want == nil {
		if got != nil {
			t.Fatalf("unexpected error: %v", got)
		}
		return
	}
	if !errors.Is(got, want) {
		t.Fatalf("error = %v, want one wrapping %v", got, want)
	}
}

// states brings serial n to a named state.
var states = map[string]func(t *testing.T, db Ledger, n int64){
	"unknown":  func(t *testing.T, db Ledger, n int64) {},
	"reserved": func(t *testing.T, db Ledger, n int64) { mustReserve(t, db, newRecord(n)) },
	"valid":    func(t *testing.T, db Ledger, n int64) { issue(t, db, newRecord(n)) },
	"held":     func(t *testing.T, db Ledger, n int64) { issue(t, db, newRecord(n)); revoke(t, db, n, 6) },
	"revoked":  func(t *testing.T, db Ledger, n int64) { issue(t, db, newRecord(n)); revoke(t, db, n, 1) },
	"abandoned": func(t *testing.T, db Ledger, n int64) {
		mustReserve(t, db, newRecord(n))
		if err := db.Abandon(serial(n), "token error", t0); err != nil {
			t.Fatal(err)
		}
	},
}

var at = t0.Add(3 * time.Hour)

var errBuild = errors.New("storetest: build failed")

// ops are the transitions, applied to serial n.
var ops = map[string]func(db Ledger, n int64) error{
	"complete": func(db Ledger, n int64) error { return db.Complete(serial(n), derOf(n), nil, at) },
	"abandon":  func(db Ledger, n int64) error { return db.Abandon(serial(n), "signer failed", at) },
	"hold": func(db Ledger, n int64) error {
		return db.Revoke(store.Revocation{Serial: serial(n), Time: at, Reason: 6}, at)
	},
	"revoke": func(db Ledger, n int64) error {
		return db.Revoke(store.Revocation{Serial: serial(n), Time: at, Reason: 1, InvalidityDate: t0}, at)
	},
	"release": func(db Ledger, n int64) error { return db.Release(serial(n), at) },
}

func testTransitions(t *testing.T, s Suite) {
	tests := []struct {
		name, from, op string
		err            error
		want           store.Status // after an allowed transition
		wantOp         string       // its audit entry
	}{
		{name: "complete unknown", from: "unknown", op: "complete", err: store.ErrNotFound},
		{name: "complete reserved", from: "reserved", op: "complete", want: store.StatusGood, wantOp: "complete"},
		{name: "complete valid", from: "valid", op: "complete", err: store.ErrState},
		{name: "complete held", from: "held", op: "complete", err: store.ErrState},
		{name: "complete revoked", from: "revoked", op: "complete", err: store.ErrState},
		{name: "complete abandoned", from: "abandoned", op: "complete", err: store.ErrState},

		{name: "abandon unknown", from: "unknown", op: "abandon", err: store.ErrNotFound},
		{name: "abandon reserved", from: "reserved", op: "abandon", want: store.StatusAbandoned, wantOp: "abandon"},
		{name: "abandon valid", from: "valid", op: "abandon", err: store.ErrState},
		{name: "abandon held", from: "held", op: "abandon", err: store.ErrState},
		{name: "abandon revoked", from: "revoked", op: "abandon", err: store.ErrState},
		{name: "abandon abandoned", from: "abandoned", op: "abandon", err: store.ErrState},

		{name: "hold unknown", from: "unknown", op: "hold", err: store.ErrNotFound},
		{name: "hold reserved", from: "reserved", op: "hold", err: store.ErrState},
		{name: "hold valid", from: "valid", op: "hold", want: store.StatusHeld, wantOp: "hold"},
		{name: "hold held", from: "held", op: "hold", err: store.ErrState},
		{name: "hold revoked", from: "revoked", op: "hold", err: store.ErrState},
		{name: "hold abandoned", from: "abandoned", op: "hold", err: store.ErrState},

		{name: "revoke unknown", from: "unknown", op: "revoke", err: store.ErrNotFound},
		{name: "revoke reserved", from: "reserved", op: "revoke", err: store.ErrState},
		{name: "revoke valid", from: "valid", op: "revoke", want: store.StatusRevoked, wantOp: "revoke"},
		{name: "revoke held", from: "held", op: "revoke", want: store.StatusRevoked, wantOp: "revoke"},
		{name: "revoke revoked", from: "revoked", op: "revoke", err: store.ErrState},
		{name: "revoke abandoned", from: "abandoned", op: "revoke", err: store.ErrState},

		{name: "release unknown", from: "unknown", op: "release", err: store.ErrNotFound},
		{name: "release reserved", from: "reserved", op: "release", err: store.ErrState},
		{name: "release valid", from: "valid", op: "release", err: store.ErrState},
		{name: "release held", from: "held", op: "release", want: store.StatusGood, wantOp: "release"},
		{name: "release revoked", from: "revoked", op: "release", err: store.ErrState},
		{name: "release abandoned", from: "abandoned", op: "release", err: store.ErrState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := s.Open(t, nil)
			const n = 7
			states[tt.from](t, db, n)
			before, getErr := db.Get(serial(n))
			auditBefore := auditLen(t, db)

			err := ops[tt.op](db, n)
			wantErr(t, err, tt.err)

			after, getErrAfter := db.Get(serial(n))
			if tt.err != nil {
				if got := auditLen(t, db); got != auditBefore {
					t.Errorf("refused call changed the audit log: %d entries, was %d", got, auditBefore)
				}
				if !reflect.DeepEqual(after, before) || (getErr == nil) != (getErrAfter == nil) {
					t.Errorf("refused call changed the record:\n got %+v (%v)\nwant %+v (%v)", after, getErrAfter, before, getErr)
				}
				return
			}
			if getErrAfter != nil {
				t.Fatal(getErrAfter)
			}
			if after.Status != tt.want {
				t.Errorf("status = %v, want %v", after.Status, tt.want)
			}
			if !after.UpdatedAt.Equal(at) {
				t.Errorf("UpdatedAt = %v, want %v", after.UpdatedAt, at)
			}
			entries := collect(t, db.Audit())
			if len(entries) != auditBefore+1 {
				t.Fatalf("audit log has %d entries, want %d", len(entries), auditBefore+1)
			}
			last := entries[len(entries)-1]
			if last.Op != tt.wantOp || last.Serial.Cmp(serial(n)) != 0 || !last.Time.Equal(at) || last.Seq != seqOf(t, db) {
				t.Errorf("last audit entry = %+v, want op %q for serial %d at seq %d", last, tt.wantOp, n, seqOf(t, db))
			}
			if err := db.VerifyAudit(); err != nil {
				t.Fatal(err)
			}
			// The record and its revocation entry agree.
			switch tt.want {
			case store.StatusHeld, store.StatusRevoked:
				if after.Revocation == nil || after.Revocation.Seq != last.Seq {
					t.Errorf("store.Revocation = %+v, want Seq %d", after.Revocation, last.Seq)
				}
			default:
				if after.Revocation != nil {
					t.Errorf("store.Revocation = %+v, want none", after.Revocation)
				}
			}
		})
	}
}

func testReserve(t *testing.T, s Suite) {
	tests := []struct {
		name  string
		setup string // state of serial 5 before
		rec   func() *store.Record
		err   error
	}{
		{name: "new serial", setup: "unknown", rec: func() *store.Record { return newRecord(5) }},
		{name: "reserved serial", setup: "reserved", rec: func() *store.Record { return newRecord(5) }, err: store.ErrExists},
		{name: "valid serial", setup: "valid", rec: func() *store.Record { return newRecord(5) }, err: store.ErrExists},
		{name: "revoked serial", setup: "revoked", rec: func() *store.Record { return newRecord(5) }, err: store.ErrExists},
		{name: "abandoned serial", setup: "abandoned", rec: func() *store.Record { return newRecord(5) }, err: store.ErrExists},
		{name: "nil record", setup: "unknown", rec: func() *store.Record { return nil }, err: store.ErrInvalid},
		{name: "nil serial", setup: "unknown", rec: func() *store.Record { r := newRecord(5); r.Serial = nil; return r }, err: store.ErrInvalid},
		{name: "zero serial", setup: "unknown", rec: func() *store.Record { r := newRecord(5); r.Serial = serial(0); return r }, err: store.ErrInvalid},
		{name: "negative serial", setup: "unknown", rec: func() *store.Record { r := newRecord(5); r.Serial = serial(-5); return r }, err: store.ErrInvalid},
		{name: "serial of 256 octets", setup: "unknown", rec: func() *store.Record {
			r := newRecord(5)
			r.Serial = new(big.Int).Lsh(big.NewInt(1), 8*256-1)
			return r
		}, err: store.ErrInvalid},
		{name: "serial of 20 octets", setup: "unknown", rec: func() *store.Record {
			r := newRecord(5)
			r.Serial = new(big.Int).Lsh(big.NewInt(1), 8*20-1)
			return r
		}},
		{name: "no issuer key id", setup: "unknown", rec: func() *store.Record { r := newRecord(5); r.IssuerKeyID = nil; return r }, err: store.ErrInvalid},
		{name: "unknown predecessor", setup: "unknown", rec: func() *store.Record { r := newRecord(6); r.Predecessor = serial(99); return r }, err: store.ErrNotFound},
		{name: "abandoned predecessor", setup: "abandoned", rec: func() *store.Record { r := newRecord(6); r.Predecessor = serial(5); return r }, err: store.ErrState},
		{name: "valid predecessor", setup: "valid", rec: func() *store.Record { r := newRecord(6); r.Predecessor = serial(5); return r }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := s.Open(t, nil)
			states[tt.setup](t, db, 5)
			before := auditLen(t, db)
			r := tt.rec()
			err := db.Reserve(r, at)
			wantErr(t, err, tt.err)
			if tt.err != nil {
				if got := auditLen(t, db); got != before {
					t.Errorf("refused Reserve changed the audit log: %d entries, was %d", got, before)
				}
				return
			}
			got, err := db.Get(r.Serial)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != store.StatusReserved || len(got.DER) != 0 || got.Revocation != nil || !got.CreatedAt.Equal(at) {
				t.Errorf("reserved record = %+v", got)
			}
		})
	}
}

// TestReserveIgnores: Reserve takes neither status, DER, revocation nor
// successor from the caller, and keeps no reference to the caller's record.
func testReserveIgnores(t *testing.T, s Suite) {
	db := s.Open(t, nil)
	r := newRecord(3)
	r.Status = store.StatusRevoked
	r.DER = []byte("not yet")
	r.Revocation = &store.Revocation{Serial: serial(3), Time: t0, Reason: 1}
	r.Successor = serial(4)
	mustReserve(t, db, r)
	r.Serial.SetInt64(999)
	r.IssuerKeyID[0] = 0

	got, err := db.Get(serial(3))
	if err != nil {
		t.Fatal(err)
	}
	want := newRecord(3)
	want.IssuerKeyID = []byte{0xa1, 0xa1, 0xa1, 0xa1}
	want.Status = store.StatusReserved
	want.CreatedAt, want.UpdatedAt = t0, t0
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Get =\n%+v\nwant\n%+v", got, want)
	}
}

func testRecordRoundTrip(t *testing.T, s Suite) {
	db := s.Open(t, nil)
	r := newRecord(0x1234)
	r.NotBefore = time.Date(2026, 3, 1, 0, 0, 0, 123456789, time.FixedZone("MSK", 3*3600))
	r.NotAfter = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) // beyond int64 nanoseconds
	mustReserve(t, db, r)
	if err := db.Complete(r.Serial, []byte("der"), []byte("new ski"), at); err != nil {
		t.Fatal(err)
	}
	got, err := db.Get(r.Serial)
	if err != nil {
		t.Fatal(err)
	}
	if !got.NotBefore.Equal(r.NotBefore.Truncate(s.resolution())) || got.NotBefore.Location() != time.UTC || !got.NotAfter.Equal(r.NotAfter) {
		t.Errorf("times = %v, %v; want %v, %v in UTC", got.NotBefore, got.NotAfter, r.NotBefore, r.NotAfter)
	}
	if string(got.DER) != "der" || string(got.SubjectKeyID) != "new ski" || got.Subject != r.Subject ||
		got.Profile != r.Profile || got.RequestID != r.RequestID || got.Issuer != r.Issuer {
		t.Errorf("Get = %+v", got)
	}
	// Complete without a subject key identifier keeps the reserved one.
	mustReserve(t, db, newRecord(2))
	if err := db.Complete(serial(2), []byte("der"), nil, at); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Get(serial(2)); string(got.SubjectKeyID) != "ski-2" {
		t.Errorf("SubjectKeyID = %q, want the reserved ski-2", got.SubjectKeyID)
	}
}

func testRevokeArguments(t *testing.T, s Suite) {
	tests := []struct {
		name string
		rev  store.Revocation
		err  error
	}{
		{name: "unspecified", rev: store.Revocation{Serial: serial(1), Time: at, Reason: 0}},
		{name: "aACompromise", rev: store.Revocation{Serial: serial(1), Time: at, Reason: 10}},
		{name: "with invalidity date", rev: store.Revocation{Serial: serial(1), Time: at, Reason: 1, InvalidityDate: t0}},
		{name: "reason 7 unassigned", rev: store.Revocation{Serial: serial(1), Time: at, Reason: 7}, err: store.ErrInvalid},
		{name: "reason 8 removeFromCRL", rev: store.Revocation{Serial: serial(1), Time: at, Reason: 8}, err: store.ErrInvalid},
		{name: "reason 11", rev: store.Revocation{Serial: serial(1), Time: at, Reason: 11}, err: store.ErrInvalid},
		{name: "reason -1", rev: store.Revocation{Serial: serial(1), Time: at, Reason: -1}, err: store.ErrInvalid},
		{name: "zero time", rev: store.Revocation{Serial: serial(1), Reason: 1}, err: store.ErrInvalid},
		{name: "no serial", rev: store.Revocation{Time: at, Reason: 1}, err: store.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := s.Open(t, nil)
			issue(t, db, newRecord(1))
			err := db.Revoke(tt.rev, at)
			wantErr(t, err, tt.err)
			if err != nil {
				return
			}
			got, err := db.Get(serial(1))
			if err != nil {
				t.Fatal(err)
			}
			want := tt.rev
			want.Seq = seqOf(t, db)
			if got.Revocation == nil || got.Revocation.Reason != want.Reason || !got.Revocation.Time.Equal(want.Time) ||
				!got.Revocation.InvalidityDate.Equal(want.InvalidityDate) || got.Revocation.Seq != want.Seq {
				t.Errorf("store.Revocation = %+v, want %+v", got.Revocation, want)
			}
		})
	}
}

// TestSerialNeverReused: whatever happened to a serial, it cannot be
// reserved again, across reopening too.
func testSerialNeverReused(t *testing.T, s Suite) {
	db := s.Open(t, nil)
	for name, state := range states {
		if name == "unknown" {
			continue
		}
		n := int64(len(name)) * 1000 // distinct per state
		state(t, db, n)
		if err := db.Reserve(newRecord(n), at); !errors.Is(err, store.ErrExists) {
			t.Errorf("%s: Reserve again: %v, want store.ErrExists", name, err)
		}
	}
	if s.Reopen == nil {
		return
	}
	db = s.Reopen(t, db)
	if err := db.Reserve(newRecord(int64(len("abandoned"))*1000), at); !errors.Is(err, store.ErrExists) {
		t.Errorf("abandoned serial after reopening: %v, want ErrExists", err)
	}
}

func testRenewal(t *testing.T, s Suite) {
	db := s.Open(t, nil)
	issue(t, db, newRecord(1))

	// A renewal that is abandoned links nothing.
	r2 := newRecord(2)
	r2.Predecessor = serial(1)
	mustReserve(t, db, r2)
	if err := db.Abandon(serial(2), "hsm offline", at); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Get(serial(1)); got.Successor != nil {
		t.Errorf("Successor after an abandoned renewal = %v, want nil", got.Successor)
	}

	r3 := newRecord(3)
	r3.Predecessor = serial(1)
	issue(t, db, r3)
	old, err := db.Get(serial(1))
	if err != nil {
		t.Fatal(err)
	}
	renewed, err := db.Get(serial(3))
	if err != nil {
		t.Fatal(err)
	}
	if old.Successor == nil || old.Successor.Cmp(serial(3)) != 0 || old.Status != store.StatusGood {
		t.Errorf("predecessor = %+v, want Successor 3 and still valid", old)
	}
	if renewed.Predecessor == nil || renewed.Predecessor.Cmp(serial(1)) != 0 || renewed.Successor != nil {
		t.Errorf("renewal = %+v, want Predecessor 1", renewed)
	}

	// Renewing the renewal chains on.
	r4 := newRecord(4)
	r4.Predecessor = serial(3)
	issue(t, db, r4)
	if got, _ := db.Get(serial(3)); got.Successor == nil || got.Successor.Cmp(serial(4)) != 0 {
		t.Errorf("Successor of 3 = %v, want 4", got.Successor)
	}
}

func serials[T any](items []T, f func(T) *big.Int) []int64 {
	var out []int64
	for _, it := range items {
		out = append(out, f(it).Int64())
	}
	return out
}

func revSerial(r store.Revocation) *big.Int { return r.Serial }
func remSerial(r store.Removal) *big.Int    { return r.Serial }

// TestCRLSnapshot walks the life of a full and a delta CRL through
// revocations, holds, releases and revocations over holds.
func testCRLSnapshot(t *testing.T, s Suite) {
	db := s.Open(t, nil)
	var recs []*store.Record
	for n := int64(1); n <= 9; n++ {
		recs = append(recs, newRecord(n))
	}
	other := newRecord(100)
	other.IssuerKeyID = issuerB
	recs = append(recs, other)
	issueAll(t, db, recs)

	// Before the base CRL.
	revoke(t, db, 5, 1) // revoked
	revoke(t, db, 2, 6) // held, released after the base
	revoke(t, db, 3, 6) // held, revoked over the hold after the base
	revoke(t, db, 100, 4)
	base := seqOf(t, db)

	// After it.
	release(t, db, 2)
	revoke(t, db, 3, 1)
	revoke(t, db, 4, 6)
	revoke(t, db, 1, 4)
	revoke(t, db, 6, 6) // held and released after the base
	release(t, db, 6)
	revoke(t, db, 7, 6) // held, released, held again
	release(t, db, 7)
	revoke(t, db, 7, 6)
	revoke(t, db, 8, 6) // held, released twice: one removal
	release(t, db, 8)
	revoke(t, db, 8, 6)
	release(t, db, 8)

	err := db.View(func(tx store.Tx) error {
		full := collect(t, tx.Revocations(issuerA))
		if got, want := serials(full, revSerial), []int64{1, 3, 4, 5, 7}; !slices.Equal(got, want) {
			t.Errorf("Revocations = %v, want %v", got, want)
		}
		reasons := map[int64]cert.ReasonCode{1: 4, 3: 1, 4: 6, 5: 1, 7: 6}
		for _, r := range full {
			if r.Reason != reasons[r.Serial.Int64()] || !r.Time.Equal(t0.Add(time.Hour)) || r.Seq == 0 {
				t.Errorf("entry %+v, want reason %d", r, reasons[r.Serial.Int64()])
			}
		}
		if n, err := tx.Count(issuerA); err != nil || n != 5 {
			t.Errorf("Count = %d, %v; want 5", n, err)
		}

		delta := collect(t, tx.RevocationsSince(issuerA, base))
		if got, want := serials(delta, revSerial), []int64{3, 4, 1, 7}; !slices.Equal(got, want) {
			t.Errorf("RevocationsSince = %v, want %v (by seq)", got, want)
		}
		for i := 1; i < len(delta); i++ {
			if delta[i].Seq <= delta[i-1].Seq || delta[i-1].Seq <= base {
				t.Errorf("RevocationsSince: seq %d after %d (base %d)", delta[i].Seq, delta[i-1].Seq, base)
			}
		}
		if delta[0].Reason != 1 {
			t.Errorf("serial 3 revoked over its hold: reason %d, want 1", delta[0].Reason)
		}
		removals := collect(t, tx.RemovalsSince(issuerA, base))
		if got, want := serials(removals, remSerial), []int64{2, 6, 8}; !slices.Equal(got, want) {
			t.Errorf("RemovalsSince = %v, want %v", got, want)
		}
		for _, r := range removals {
			if !r.Time.Equal(t0.Add(2*time.Hour)) || r.Seq <= base {
				t.Errorf("removal %+v", r)
			}
		}

		// Since now: nothing. Since 0: everything.
		if got := collect(t, tx.RevocationsSince(issuerA, tx.Seq())); len(got) != 0 {
			t.Errorf("RevocationsSince(now) = %v", got)
		}
		if got := collect(t, tx.RemovalsSince(issuerA, tx.Seq())); len(got) != 0 {
			t.Errorf("RemovalsSince(now) = %v", got)
		}
		if got := collect(t, tx.RevocationsSince(issuerA, 0)); len(got) != 5 {
			t.Errorf("RevocationsSince(0) has %d entries, want 5", len(got))
		}

		// Issuers are separate.
		if got := serials(collect(t, tx.Revocations(issuerB)), revSerial); !slices.Equal(got, []int64{100}) {
			t.Errorf("Revocations(issuer B) = %v", got)
		}
		if n, _ := tx.Count(issuerB); n != 1 {
			t.Errorf("Count(issuer B) = %d, want 1", n)
		}
		unknown := []byte("no such issuer")
		if got := collect(t, tx.Revocations(unknown)); len(got) != 0 {
			t.Errorf("Revocations(unknown issuer) = %v", got)
		}
		if n, err := tx.Count(unknown); n != 0 || err != nil {
			t.Errorf("Count(unknown issuer) = %d, %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
}

// TestRevocationsEarlyStop: a CRL writer may stop the cursor.
func testRevocationsEarlyStop(t *testing.T, s Suite) {
	db := s.Open(t, nil)
	issueAll(t, db, []*store.Record{newRecord(1), newRecord(2)})
	revoke(t, db, 1, 1)
	revoke(t, db, 2, 1)
	db.View(func(tx store.Tx) error {
		n := 0
		for range tx.Revocations(issuerA) {
			n++
			break
		}
		if n != 1 {
			t.Errorf("yielded %d after break", n)
		}
		return nil
	})
}

func testRecordCRL(t *testing.T, s Suite) {
	db := s.Open(t, nil)
	issue(t, db, newRecord(1))
	now := seqOf(t, db)
	n := func(i int64) *big.Int { return big.NewInt(i) }
	tu := t0.Add(time.Hour)
	steps := []struct {
		name   string
		issuer []byte
		info   store.CRLInfo
		err    error
	}{
		{name: "delta before any full", issuer: issuerA, info: store.CRLInfo{Number: n(1), ThisUpdate: tu, Seq: now, Delta: true, BaseNumber: n(0)}, err: store.ErrState},
		{name: "first full", issuer: issuerA, info: store.CRLInfo{Number: n(1), ThisUpdate: tu, Seq: now}},
		{name: "same number", issuer: issuerA, info: store.CRLInfo{Number: n(1), ThisUpdate: tu, Seq: now}, err: store.ErrState},
		{name: "lower number", issuer: issuerA, info: store.CRLInfo{Number: n(0), ThisUpdate: tu, Seq: now}, err: store.ErrState},
		{name: "delta on the full", issuer: issuerA, info: store.CRLInfo{Number: n(2), ThisUpdate: tu, Seq: now, Delta: true, BaseNumber: n(1)}},
		{name: "delta number reused by a full", issuer: issuerA, info: store.CRLInfo{Number: n(2), ThisUpdate: tu, Seq: now}, err: store.ErrState},
		{name: "delta on an unknown base", issuer: issuerA, info: store.CRLInfo{Number: n(3), ThisUpdate: tu, Seq: now, Delta: true, BaseNumber: n(2)}, err: store.ErrState},
		{name: "delta without base", issuer: issuerA, info: store.CRLInfo{Number: n(3), ThisUpdate: tu, Seq: now, Delta: true}, err: store.ErrInvalid},
		{name: "full with base", issuer: issuerA, info: store.CRLInfo{Number: n(3), ThisUpdate: tu, Seq: now, BaseNumber: n(1)}, err: store.ErrInvalid},
		{name: "seq ahead of the ledger", issuer: issuerA, info: store.CRLInfo{Number: n(3), ThisUpdate: tu, Seq: now + 100}, err: store.ErrInvalid},
		{name: "no number", issuer: issuerA, info: store.CRLInfo{ThisUpdate: tu, Seq: now}, err: store.ErrInvalid},
		{name: "negative number", issuer: issuerA, info: store.CRLInfo{Number: n(-3), ThisUpdate: tu, Seq: now}, err: store.ErrInvalid},
		{name: "no thisUpdate", issuer: issuerA, info: store.CRLInfo{Number: n(3), Seq: now}, err: store.ErrInvalid},
		{name: "no issuer", info: store.CRLInfo{Number: n(3), ThisUpdate: tu, Seq: now}, err: store.ErrInvalid},
		{name: "next full, numbers skipped", issuer: issuerA, info: store.CRLInfo{Number: n(10), ThisUpdate: tu.Add(time.Hour), Seq: now}},
		{name: "other issuer counts alone", issuer: issuerB, info: store.CRLInfo{Number: n(1), ThisUpdate: tu, Seq: now}},
	}
	for _, st := range steps {
		before := auditLen(t, db)
		err := db.RecordCRL(st.issuer, st.info, at)
		if st.err == nil && err != nil || st.err != nil && !errors.Is(err, st.err) {
			t.Fatalf("%s: RecordCRL = %v, want %v", st.name, err, st.err)
		}
		want := before
		if st.err == nil {
			want++
		}
		if got := auditLen(t, db); got != want {
			t.Errorf("%s: audit log has %d entries, want %d", st.name, got, want)
		}
	}
	err := db.View(func(tx store.Tx) error {
		st, err := tx.CRLState(issuerA)
		if err != nil {
			return err
		}
		if st.LastNumber.Int64() != 10 || st.LastFull == nil || st.LastFull.Number.Int64() != 10 ||
			!st.LastFull.ThisUpdate.Equal(tu.Add(time.Hour)) || st.LastFull.Delta ||
			st.LastDelta == nil || st.LastDelta.Number.Int64() != 2 || st.LastDelta.BaseNumber.Int64() != 1 ||
			!st.LastDelta.Delta || st.LastDelta.Seq != now {
			t.Errorf("store.CRLState(A) = %+v, full %+v, delta %+v", st, st.LastFull, st.LastDelta)
		}
		if st, _ := tx.CRLState(issuerB); st.LastNumber.Int64() != 1 || st.LastDelta != nil {
			t.Errorf("store.CRLState(B) = %+v", st)
		}
		if st, err := tx.CRLState([]byte("none")); err != nil || st.LastNumber != nil || st.LastFull != nil || st.LastDelta != nil {
			t.Errorf("store.CRLState(none) = %+v, %v; want the zero value", st, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	entries := collect(t, db.Audit())
	last := entries[len(entries)-1]
	if last.Op != "crl" || last.Serial != nil {
		t.Errorf("last audit entry = %+v, want a crl entry without serial", last)
	}
}

// TestScanRevocations: the streaming scan yields what Revocations yields,
// in the same order, into one reused value, allocating nothing per entry;
// Revocations' values stay independent.
func testScanRevocations(t *testing.T, s Suite) {
	db := s.Open(t, nil)
	var recs []*store.Record
	for i := int64(1); i <= 50; i++ {
		recs = append(recs, newRecord(i))
	}
	issueAll(t, db, recs)
	for i := int64(1); i <= 50; i += 2 {
		revoke(t, db, i, cert.ReasonCode(1+i%5))
	}
	db.View(func(tx store.Tx) error {
		var kept []store.Revocation
		for r, err := range tx.Revocations(issuerA) {
			if err != nil {
				t.Fatal(err)
			}
			kept = append(kept, r)
		}
		i := 0
		var first *store.Revocation
		for r, err := range tx.ScanRevocations(issuerA) {
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = r
			} else if r != first {
				t.Fatal("ScanRevocations yielded a new value")
			}
			k := kept[i]
			if r.Serial.Cmp(k.Serial) != 0 || r.Reason != k.Reason || !r.Time.Equal(k.Time) || r.Seq != k.Seq {
				t.Errorf("entry %d: scan %+v, Revocations %+v", i, r, k)
			}
			i++
		}
		if i != 25 || len(kept) != 25 {
			t.Fatalf("scan gave %d, Revocations %d, want 25", i, len(kept))
		}
		if kept[0].Serial == kept[1].Serial || kept[0].Serial.Cmp(kept[1].Serial) == 0 {
			t.Error("Revocations values share a serial")
		}
		return nil
	})

	// Allocations: the cursor's fixed cost only, whatever the number of
	// entries (Revocations makes two per entry).
	scanAllocs := func() float64 {
		var n float64
		db.View(func(tx store.Tx) error {
			n = testing.AllocsPerRun(5, func() {
				for range tx.ScanRevocations(issuerA) {
				}
			})
			return nil
		})
		return n
	}
	before := scanAllocs()
	for i := int64(2); i <= 50; i += 2 {
		revoke(t, db, i, 1)
	}
	if after := scanAllocs(); after > before+2 {
		t.Errorf("a scan of 25 entries allocates %v times, of 50 entries %v: it allocates per entry", before, after)
	}
}

func testExpiring(t *testing.T, s Suite) {
	day := 24 * time.Hour
	from, to := t0.Add(10*day), t0.Add(20*day)
	// serial → NotAfter, issued in an order unrelated to either.
	notAfter := map[int64]time.Time{
		1:  t0.Add(5 * day),            // before the window
		2:  from.Add(-time.Nanosecond), // just before
		3:  from,                       // first instant: in
		4:  t0.Add(15 * day),           // in
		5:  t0.Add(12 * day),           // in
		6:  t0.Add(12 * day),           // in, same NotAfter as 5: serial order
		7:  to.Add(-time.Nanosecond),   // last instant: in
		8:  to,                         // end is exclusive
		9:  t0.Add(30 * day),           // after
		10: t0.Add(14 * day),           // in, but revoked
		11: t0.Add(13 * day),           // in, held: still listed
		12: t0.Add(16 * day),           // in, released from hold
		13: t0.Add(11 * day),           // reserved only: not issued
		14: t0.Add(11 * day),           // abandoned
	}
	var recs []*store.Record
	for n, na := range notAfter {
		r := newRecord(n)
		r.NotAfter = na
		if n < 13 {
			recs = append(recs, r)
		}
	}
	db := s.Open(t, nil)
	issueAll(t, db, recs)
	for _, n := range []int64{13, 14} {
		r := newRecord(n)
		r.NotAfter = notAfter[n]
		mustReserve(t, db, r)
	}
	if err := db.Abandon(serial(14), "test", at); err != nil {
		t.Fatal(err)
	}
	revoke(t, db, 10, 1)
	revoke(t, db, 11, 6)
	revoke(t, db, 12, 6)
	release(t, db, 12)

	want := []int64{3, 5, 6, 11, 4, 12, 7}
	var got []int64
	for r, err := range db.Expiring(from, to) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.Serial.Int64())
	}
	if !slices.Equal(got, want) {
		t.Errorf("Expiring = %v, want %v", got, want)
	}

	// Stopping early is allowed.
	for range db.Expiring(from, to) {
		break
	}
}

// TestPaging: iterators that read a page per transaction see every entry
// once across page boundaries, and the loop body may write.
func testPaging(t *testing.T, s Suite) {
	// Both backends read 256 entries a page: cross two boundaries.
	const pageLen = 256
	db := s.Open(t, nil)
	const n = 2*pageLen + 17
	var recs []*store.Record
	for i := int64(1); i <= n; i++ {
		r := newRecord(i)
		r.NotAfter = t0.Add(time.Duration(n-i) * time.Minute)
		recs = append(recs, r)
	}
	issueAll(t, db, recs)

	var prev *big.Int
	count := 0
	for r, err := range db.All() {
		if err != nil {
			t.Fatal(err)
		}
		if prev != nil && prev.Cmp(r.Serial) >= 0 {
			t.Fatalf("All: %v after %v", r.Serial, prev)
		}
		prev = r.Serial
		if count == pageLen { // a write in the loop body
			revoke(t, db, 1, 1)
		}
		count++
	}
	if count != n {
		t.Errorf("All yielded %d records, want %d", count, n)
	}
	var last time.Time
	count = 0
	for r, err := range db.Expiring(t0, t0.Add(24*time.Hour)) {
		if err != nil {
			t.Fatal(err)
		}
		if r.NotAfter.Before(last) {
			t.Fatalf("Expiring: %v after %v", r.NotAfter, last)
		}
		last = r.NotAfter
		count++
	}
	if count != n-1 { // serial 1 was revoked
		t.Errorf("Expiring yielded %d records, want %d", count, n-1)
	}
	if got := auditLen(t, db); got != 2*n+1 {
		t.Errorf("Audit yielded %d entries, want %d", got, 2*n+1)
	}
}

func testAllSerialOrder(t *testing.T, s Suite) {
	db := s.Open(t, nil)
	big1 := new(big.Int).Lsh(big.NewInt(1), 150)
	serials := []*big.Int{serial(256), big1, serial(2), serial(65536), serial(1), serial(255)}
	for _, s := range serials {
		r := newRecord(1)
		r.Serial = s
		mustReserve(t, db, r)
	}
	var got []string
	for r, err := range db.All() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.Serial.String())
	}
	want := []string{"1", "2", "255", "256", "65536", big1.String()}
	if !slices.Equal(got, want) {
		t.Errorf("All = %v, want %v", got, want)
	}
}

// testRevocationsSerialOrder: a CRL's entries come in numeric order of
// their serials, whatever their lengths (not in the order of their
// decimal or byte strings).
func testRevocationsSerialOrder(t *testing.T, s Suite) {
	db := s.Open(t, nil)
	big1 := new(big.Int).Lsh(big.NewInt(1), 150)
	for _, s := range []*big.Int{serial(256), big1, serial(2), serial(65536), serial(10), serial(255)} {
		r := newRecord(1)
		r.Serial = s
		issue(t, db, r)
		if err := db.Revoke(store.Revocation{Serial: s, Time: t0, Reason: 1}, t0); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"2", "10", "255", "256", "65536", big1.String()}
	err := db.View(func(tx store.Tx) error {
		var got, scanned []string
		for r, err := range tx.Revocations(issuerA) {
			if err != nil {
				return err
			}
			got = append(got, r.Serial.String())
		}
		for r, err := range tx.ScanRevocations(issuerA) {
			if err != nil {
				return err
			}
			scanned = append(scanned, r.Serial.String())
		}
		if !slices.Equal(got, want) || !slices.Equal(scanned, want) {
			t.Errorf("Revocations = %v, ScanRevocations = %v, want %v", got, scanned, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testBySubjectKeyID(t *testing.T, s Suite) {
	db := s.Open(t, nil)
	withSKI := func(n int64, ski string) *store.Record {
		r := newRecord(n)
		r.SubjectKeyID = []byte(ski)
		return r
	}
	issueAll(t, db, []*store.Record{
		withSKI(1, "key-a"),
		withSKI(2, "key-b"),
		withSKI(3, "key-a"), // a renewal with the same key
		withSKI(4, "key-ab"),
		withSKI(5, "key"),
	})
	mustReserve(t, db, withSKI(6, "key-a")) // not signed: not indexed
	revoke(t, db, 3, 1)                     // revoked: still found

	tests := []struct {
		name string
		ski  string
		want []int64
	}{
		{name: "two certificates", ski: "key-a", want: []int64{1, 3}},
		{name: "one certificate", ski: "key-b", want: []int64{2}},
		{name: "not a prefix match", ski: "key", want: []int64{5}},
		{name: "longer key", ski: "key-ab", want: []int64{4}},
		{name: "unknown", ski: "key-z"},
		{name: "empty", ski: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := db.BySubjectKeyID([]byte(tt.ski))
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, r := range recs {
				got = append(got, r.Serial.Int64())
				if string(r.SubjectKeyID) != tt.ski {
					t.Errorf("serial %v has SubjectKeyID %q", r.Serial, r.SubjectKeyID)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("BySubjectKeyID(%q) = %v, want %v", tt.ski, got, tt.want)
			}
		})
	}
}

func testGetNotFound(t *testing.T, s Suite) {
	db := s.Open(t, nil)
	_, err := db.Get(serial(42))
	wantErr(t, err, store.ErrNotFound)
	_, err = db.Get(serial(0))
	wantErr(t, err, store.ErrInvalid)
}

func testAuditSince(t *testing.T, s Suite) {
	db := s.Open(t, nil)
	issue(t, db, newRecord(1))
	base := seqOf(t, db)
	issue(t, db, newRecord(2))
	revoke(t, db, 1, 1)
	revoke(t, db, 2, 6) // certificateHold
	release(t, db, 2)
	type change struct {
		op     string
		serial int64
	}
	var got []change
	seqs := []uint64{}
	if err := db.View(func(tx store.Tx) error {
		for e, err := range tx.AuditSince(base) {
			if err != nil {
				return err
			}
			got = append(got, change{e.Op, e.Serial.Int64()})
			seqs = append(seqs, e.Seq)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []change{{store.OpReserve, 2}, {store.OpComplete, 2}, {store.OpRevoke, 1}, {store.OpHold, 2}, {store.OpRelease, 2}}
	if !slices.Equal(got, want) {
		t.Errorf("AuditSince(%d) = %v, want %v", base, got, want)
	}
	for i, s := range seqs {
		if s != base+1+uint64(i) {
			t.Errorf("entry %d has Seq %d, want %d", i, s, base+1+uint64(i))
		}
	}
	// Nothing after the head, nor after the largest Seq.
	if err := db.View(func(tx store.Tx) error {
		for _, s := range []uint64{tx.Seq(), ^uint64(0)} {
			for e := range tx.AuditSince(s) {
				t.Errorf("AuditSince(%d) yielded %+v", s, e)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func testApplicationLifecycle(t *testing.T, s Suite) {
	db := s.Open(t, Mailer)
	scan := []byte("%PDF-1.4 scan")
	a, err := db.SubmitApplication(t0, [][]byte{scan}, testApp("key-1", store.Attachment{Name: "passport.pdf", Type: "application/pdf"}))
	if err != nil {
		t.Fatal(err)
	}
	if a.Number != "2026-000001" || a.Version != 1 || a.Attachments[0].Size != int64(len(scan)) || a.Attachments[0].Hash != streebog.Sum256(scan) {
		t.Fatalf("submitted: %+v", a)
	}
	if got, err := db.Attachment(a.Attachments[0].Hash); err != nil || string(got) != string(scan) {
		t.Fatalf("store.Attachment: %q, %v", got, err)
	}
	b, err := db.SubmitApplication(t0, nil, testApp("key-2"))
	if err != nil || b.Number != "2026-000002" {
		t.Fatalf("second: %v, %v", b, err)
	}
	// A new year numbers from 1 again.
	c, err := db.SubmitApplication(t0.AddDate(1, 0, 0), nil, testAppYear(2027, "key-3"))
	if err != nil || c.Number != "2027-000001" {
		t.Fatalf("next year: %v, %v", c, err)
	}

	// A change, then a refused change: nothing written for the latter.
	up, err := db.UpdateApplication(a.Number, t0.Add(time.Hour), func(x *store.Application) (*store.Update, error) {
		x.State = "approved"
		x.Data = []byte(`{"approved":true}`)
		return &store.Update{Detail: `by="ivanov"`}, nil
	})
	if err != nil || up.State != "approved" || up.Version != 2 || !up.UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("update: %+v, %v", up, err)
	}
	refuse := errors.New("refused")
	if _, err := db.UpdateApplication(a.Number, t0, func(x *store.Application) (*store.Update, error) {
		x.State = "broken"
		return nil, refuse
	}); err != refuse {
		t.Fatalf("refused update: %v", err)
	}
	if got, _ := db.Application(a.Number); got.State != "approved" || got.Version != 2 {
		t.Fatalf("after refused update: %+v", got)
	}
	if _, err := db.UpdateApplication("2026-999999", t0, func(*store.Application) (*store.Update, error) { return &store.Update{}, nil }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown number: %v", err)
	}

	// Issuing links both ways; a second certificate for it is refused.
	r := newRecord(10)
	r.SubjectKeyID = []byte("key-1")
	r.Application = a.Number
	issue(t, db, r)
	if got, _ := db.Application(a.Number); got.Serial == nil || got.Serial.Int64() != 10 {
		t.Fatalf("application's serial: %+v", got)
	}
	if rec, _ := db.Get(serial(10)); rec.Application != a.Number {
		t.Fatalf("record's application: %q", rec.Application)
	}
	r2 := newRecord(11)
	r2.Application = a.Number
	if err := db.Reserve(r2, t0); !errors.Is(err, store.ErrExists) {
		t.Fatalf("second certificate for one application: %v", err)
	}
	// The key is certified now: once the application is closed, a new
	// application for it is still refused.
	if _, err := db.UpdateApplication(a.Number, t0, func(x *store.Application) (*store.Update, error) {
		x.State, x.Open = "issued", false
		return &store.Update{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SubmitApplication(t0, nil, testApp("key-1")); !errors.Is(err, store.ErrExists) || !strings.Contains(err.Error(), "certified") {
		t.Fatalf("certified key: %v", err)
	}
	// So is one for the key of an open application, until it closes.
	if _, err := db.SubmitApplication(t0, nil, testApp("key-2")); !errors.Is(err, store.ErrExists) || !strings.Contains(err.Error(), "2026-000002") {
		t.Fatalf("key of an open application: %v", err)
	}
	if _, err := db.UpdateApplication(b.Number, t0, func(x *store.Application) (*store.Update, error) {
		x.State, x.Open = "rejected", false
		return &store.Update{Detail: `why="no"`}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SubmitApplication(t0, nil, testApp("key-2")); err != nil {
		t.Fatalf("key of a closed application: %v", err)
	}
	if _, err := db.UpdateApplication(b.Number, t0, func(x *store.Application) (*store.Update, error) {
		x.Open = true
		return &store.Update{}, nil
	}); !errors.Is(err, store.ErrState) {
		t.Fatalf("reopening: %v", err)
	}
	// Revoking the application's certificate tells its applicant.
	if err := db.Revoke(store.Revocation{Serial: serial(10), Time: t0, Reason: cert.ReasonCertificateHold}, t0); err != nil {
		t.Fatal(err)
	}

	var subjects []string
	due, err := db.DueMail(t0.AddDate(2, 0, 0), 100)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(due, func(a, b store.Mail) int { return cmp.Compare(a.ID, b.ID) })
	for _, m := range due {
		subjects = append(subjects, m.Subject)
	}
	want := []string{
		"submit 2026-000001 submitted", "submit 2026-000002 submitted", "submit 2027-000001 submitted",
		"application 2026-000001 approved", "reserve 2026-000001 approved", "complete 2026-000001 approved",
		"application 2026-000001 issued", "application 2026-000002 rejected", "submit 2026-000003 submitted",
		"hold 2026-000001 issued",
	}
	if strings.Join(subjects, "\n") != strings.Join(want, "\n") {
		t.Errorf("mails:\n%s\nwant:\n%s", strings.Join(subjects, "\n"), strings.Join(want, "\n"))
	}
	var all []string
	for app, err := range db.Applications() {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, app.Number+" "+app.State)
	}
	if strings.Join(all, ",") != "2026-000001 issued,2026-000002 rejected,2026-000003 submitted,2027-000001 submitted" {
		t.Errorf("Applications: %v", all)
	}
	if err := db.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
}

func testOutbox(t *testing.T, s Suite) {
	db := s.Open(t, Mailer)
	for i := range 3 {
		if _, err := db.SubmitApplication(t0.Add(time.Duration(i)*time.Second), nil, testApp(fmt.Sprint("k", i))); err != nil {
			t.Fatal(err)
		}
	}
	due, err := db.DueMail(t0.Add(time.Second), 10)
	if err != nil || len(due) != 2 {
		t.Fatalf("due at +1s: %d, %v", len(due), err)
	}
	if err := db.MailSent(due[0].ID, t0.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := db.MailFailed(due[1].ID, t0.Add(time.Minute), "421 try later", t0.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	due, _ = db.DueMail(t0.Add(10*time.Second), 10)
	if len(due) != 1 || due[0].ID != 3 {
		t.Fatalf("due at +10s: %+v", due)
	}
	due, _ = db.DueMail(t0.Add(time.Hour), 10)
	if len(due) != 2 || due[0].ID != 3 || due[1].ID != 2 || due[1].Attempts != 1 || due[1].LastError != "421 try later" {
		t.Fatalf("due at +1h: %+v", due)
	}
	// Given up: never due again.
	if err := db.MailGaveUp(2, "550 no such user", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.DueMail(t0.AddDate(1, 0, 0), 10); len(due) != 1 || due[0].ID != 3 {
		t.Fatalf("after giving up: %+v", due)
	}
	// Sent twice changes nothing; an unknown mail is not found.
	if err := db.MailSent(1, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.MailSent(99, t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown mail: %v", err)
	}
	// Nothing is queued without a notifier.
	plain := s.Open(t, nil)
	if _, err := plain.SubmitApplication(t0, nil, testApp("k")); err != nil {
		t.Fatal(err)
	}
	if due, _ := plain.DueMail(t0.AddDate(1, 0, 0), 10); len(due) != 0 {
		t.Fatalf("without notifier: %+v", due)
	}
}

func testRemind(t *testing.T, s Suite) {
	db := s.Open(t, Mailer)
	a, err := db.SubmitApplication(t0, nil, testApp("key"))
	if err != nil {
		t.Fatal(err)
	}
	r := newRecord(5)
	r.Application = a.Number
	issue(t, db, r)
	for i, want := range []bool{true, false} {
		if ok, err := db.Remind(serial(5), 30, t0); err != nil || ok != want {
			t.Fatalf("Remind #%d: %v, %v", i, ok, err)
		}
	}
	if ok, err := db.Remind(serial(5), 7, t0); err != nil || !ok {
		t.Fatalf("Remind 7: %v, %v", ok, err)
	}
	issue(t, db, newRecord(6))
	if _, err := db.Remind(serial(6), 30, t0); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("certificate without application: %v", err)
	}
	due, _ := db.DueMail(t0, 100)
	n := 0
	for _, m := range due {
		if strings.HasPrefix(m.Subject, "remind") {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d reminders queued, want 2", n)
	}
}

func testApplicationRefused(t *testing.T, s Suite) {
	db := s.Open(t, nil)
	tests := []struct {
		name  string
		blobs [][]byte
		build func(uint64) (*store.Application, error)
		want  error
	}{
		{"no key", nil, func(seq uint64) (*store.Application, error) {
			return &store.Application{Number: "n", State: "s"}, nil
		}, store.ErrInvalid},
		{"no number", nil, func(seq uint64) (*store.Application, error) {
			return &store.Application{State: "s", KeyID: []byte("k")}, nil
		}, store.ErrInvalid},
		{"contents without attachments", [][]byte{[]byte("x")}, testApp("k"), store.ErrInvalid},
		{"build fails", nil, func(uint64) (*store.Application, error) { return nil, errBuild }, errBuild},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := db.SubmitApplication(t0, tt.blobs, tt.build); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	for range db.Applications() {
		t.Fatal("an application was recorded")
	}
}

func testAuditChain(t *testing.T, s Suite) {
	db := s.Open(t, nil)
	if err := db.VerifyAudit(); err != nil {
		t.Fatalf("empty ledger: %v", err)
	}
	issue(t, db, newRecord(1))
	revoke(t, db, 1, 6)
	release(t, db, 1)
	revoke(t, db, 1, 1)
	entries := collect(t, db.Audit())
	wantOps := []string{"reserve", "complete", "hold", "release", "revoke"}
	if len(entries) != len(wantOps) {
		t.Fatalf("%d entries, want %d", len(entries), len(wantOps))
	}
	var prev [32]byte
	for i, e := range entries {
		if e.Seq != uint64(i+1) || e.Op != wantOps[i] || e.Prev != prev || e.Serial.Int64() != 1 {
			t.Errorf("entry %d = %+v, want op %s chained to %x", i+1, e, wantOps[i], prev)
		}
		sealed := e
		if _, err := store.SealAudit(&sealed); err != nil || sealed.Hash != e.Hash {
			t.Errorf("entry %d: Hash is not Streebog-256 of its encoding", e.Seq)
		}
		prev = e.Hash
	}
}

// TestConcurrentIssue: many goroutines issuing at once lose nothing, and
// the batched transactions keep the audit chain whole.
func testConcurrentIssue(t *testing.T, s Suite) {
	const each, contested = 200, 1 << 40
	goroutines := s.Writers
	if goroutines == 0 {
		goroutines = 32
	}
	db := s.Open(t, nil)
	var wins atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	start := time.Now()
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				n := int64(g*each + i + 1)
				r := newRecord(n)
				if err := db.Reserve(r, t0); err != nil {
					errs <- err
					return
				}
				// Every goroutine also races the others for a few shared
				// serials: exactly one Reserve of each may win.
				if i%50 == 0 {
					switch err := db.Reserve(newRecord(contested+int64(i)), t0); {
					case err == nil:
						wins.Add(1)
					case !errors.Is(err, store.ErrExists):
						errs <- err
						return
					}
				}
				if err := db.Complete(r.Serial, derOf(n), nil, t0); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	t.Logf("%d certificates in %v", goroutines*each, time.Since(start))

	if wins.Load() != each/50 {
		t.Errorf("%d contested serials won, want %d", wins.Load(), each/50)
	}
	valid, reserved := 0, 0
	for r, err := range db.All() {
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case r.Status == store.StatusGood && r.Serial.Int64() <= int64(goroutines*each):
			valid++
		case r.Status == store.StatusReserved && r.Serial.Int64() >= contested:
			reserved++
		default:
			t.Errorf("serial %v is %v", r.Serial, r.Status)
		}
	}
	if valid != goroutines*each || reserved != each/50 {
		t.Errorf("%d valid and %d reserved records, want %d and %d", valid, reserved, goroutines*each, each/50)
	}
	if err := db.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
	// Each serial was reserved once and completed once; refused writes
	// left no change behind.
	if got, want := seqOf(t, db), uint64(2*goroutines*each+each/50); got != want {
		t.Errorf("%d changes, want %d", got, want)
	}
}
