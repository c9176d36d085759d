package store

import (
	"errors"
	"math/big"
	"reflect"
	"testing"
	"time"
)

// states brings serial n to a named state.
var states = map[string]func(t *testing.T, db *DB, n int64){
	"unknown":  func(t *testing.T, db *DB, n int64) {},
	"reserved": func(t *testing.T, db *DB, n int64) { mustReserve(t, db, newRecord(n)) },
	"valid":    func(t *testing.T, db *DB, n int64) { issue(t, db, newRecord(n)) },
	"held":     func(t *testing.T, db *DB, n int64) { issue(t, db, newRecord(n)); revoke(t, db, n, 6) },
	"revoked":  func(t *testing.T, db *DB, n int64) { issue(t, db, newRecord(n)); revoke(t, db, n, 1) },
	"abandoned": func(t *testing.T, db *DB, n int64) {
		mustReserve(t, db, newRecord(n))
		if err := db.Abandon(serial(n), "token error", t0); err != nil {
			t.Fatal(err)
		}
	},
}

var at = t0.Add(3 * time.Hour)

// ops are the transitions, applied to serial n.
var ops = map[string]func(db *DB, n int64) error{
	"complete": func(db *DB, n int64) error { return db.Complete(serial(n), derOf(n), nil, at) },
	"abandon":  func(db *DB, n int64) error { return db.Abandon(serial(n), "signer failed", at) },
	"hold": func(db *DB, n int64) error {
		return db.Revoke(Revocation{Serial: serial(n), Time: at, Reason: 6}, at)
	},
	"revoke": func(db *DB, n int64) error {
		return db.Revoke(Revocation{Serial: serial(n), Time: at, Reason: 1, InvalidityDate: t0}, at)
	},
	"release": func(db *DB, n int64) error { return db.Release(serial(n), at) },
}

func TestTransitions(t *testing.T) {
	tests := []struct {
		name, from, op string
		err            error
		want           Status // after an allowed transition
		wantOp         string // its audit entry
	}{
		{name: "complete unknown", from: "unknown", op: "complete", err: ErrNotFound},
		{name: "complete reserved", from: "reserved", op: "complete", want: StatusGood, wantOp: "complete"},
		{name: "complete valid", from: "valid", op: "complete", err: ErrState},
		{name: "complete held", from: "held", op: "complete", err: ErrState},
		{name: "complete revoked", from: "revoked", op: "complete", err: ErrState},
		{name: "complete abandoned", from: "abandoned", op: "complete", err: ErrState},

		{name: "abandon unknown", from: "unknown", op: "abandon", err: ErrNotFound},
		{name: "abandon reserved", from: "reserved", op: "abandon", want: StatusAbandoned, wantOp: "abandon"},
		{name: "abandon valid", from: "valid", op: "abandon", err: ErrState},
		{name: "abandon held", from: "held", op: "abandon", err: ErrState},
		{name: "abandon revoked", from: "revoked", op: "abandon", err: ErrState},
		{name: "abandon abandoned", from: "abandoned", op: "abandon", err: ErrState},

		{name: "hold unknown", from: "unknown", op: "hold", err: ErrNotFound},
		{name: "hold reserved", from: "reserved", op: "hold", err: ErrState},
		{name: "hold valid", from: "valid", op: "hold", want: StatusHeld, wantOp: "hold"},
		{name: "hold held", from: "held", op: "hold", err: ErrState},
		{name: "hold revoked", from: "revoked", op: "hold", err: ErrState},
		{name: "hold abandoned", from: "abandoned", op: "hold", err: ErrState},

		{name: "revoke unknown", from: "unknown", op: "revoke", err: ErrNotFound},
		{name: "revoke reserved", from: "reserved", op: "revoke", err: ErrState},
		{name: "revoke valid", from: "valid", op: "revoke", want: StatusRevoked, wantOp: "revoke"},
		{name: "revoke held", from: "held", op: "revoke", want: StatusRevoked, wantOp: "revoke"},
		{name: "revoke revoked", from: "revoked", op: "revoke", err: ErrState},
		{name: "revoke abandoned", from: "abandoned", op: "revoke", err: ErrState},

		{name: "release unknown", from: "unknown", op: "release", err: ErrNotFound},
		{name: "release reserved", from: "reserved", op: "release", err: ErrState},
		{name: "release valid", from: "valid", op: "release", err: ErrState},
		{name: "release held", from: "held", op: "release", want: StatusGood, wantOp: "release"},
		{name: "release revoked", from: "revoked", op: "release", err: ErrState},
		{name: "release abandoned", from: "abandoned", op: "release", err: ErrState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
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
			case StatusHeld, StatusRevoked:
				if after.Revocation == nil || after.Revocation.Seq != last.Seq {
					t.Errorf("Revocation = %+v, want Seq %d", after.Revocation, last.Seq)
				}
			default:
				if after.Revocation != nil {
					t.Errorf("Revocation = %+v, want none", after.Revocation)
				}
			}
		})
	}
}

func TestReserve(t *testing.T) {
	tests := []struct {
		name  string
		setup string // state of serial 5 before
		rec   func() *Record
		err   error
	}{
		{name: "new serial", setup: "unknown", rec: func() *Record { return newRecord(5) }},
		{name: "reserved serial", setup: "reserved", rec: func() *Record { return newRecord(5) }, err: ErrExists},
		{name: "valid serial", setup: "valid", rec: func() *Record { return newRecord(5) }, err: ErrExists},
		{name: "revoked serial", setup: "revoked", rec: func() *Record { return newRecord(5) }, err: ErrExists},
		{name: "abandoned serial", setup: "abandoned", rec: func() *Record { return newRecord(5) }, err: ErrExists},
		{name: "nil record", setup: "unknown", rec: func() *Record { return nil }, err: ErrInvalid},
		{name: "nil serial", setup: "unknown", rec: func() *Record { r := newRecord(5); r.Serial = nil; return r }, err: ErrInvalid},
		{name: "zero serial", setup: "unknown", rec: func() *Record { r := newRecord(5); r.Serial = serial(0); return r }, err: ErrInvalid},
		{name: "negative serial", setup: "unknown", rec: func() *Record { r := newRecord(5); r.Serial = serial(-5); return r }, err: ErrInvalid},
		{name: "serial of 256 octets", setup: "unknown", rec: func() *Record {
			r := newRecord(5)
			r.Serial = new(big.Int).Lsh(big.NewInt(1), 8*256-1)
			return r
		}, err: ErrInvalid},
		{name: "serial of 20 octets", setup: "unknown", rec: func() *Record {
			r := newRecord(5)
			r.Serial = new(big.Int).Lsh(big.NewInt(1), 8*20-1)
			return r
		}},
		{name: "no issuer key id", setup: "unknown", rec: func() *Record { r := newRecord(5); r.IssuerKeyID = nil; return r }, err: ErrInvalid},
		{name: "unknown predecessor", setup: "unknown", rec: func() *Record { r := newRecord(6); r.Predecessor = serial(99); return r }, err: ErrNotFound},
		{name: "abandoned predecessor", setup: "abandoned", rec: func() *Record { r := newRecord(6); r.Predecessor = serial(5); return r }, err: ErrState},
		{name: "valid predecessor", setup: "valid", rec: func() *Record { r := newRecord(6); r.Predecessor = serial(5); return r }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
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
			if got.Status != StatusReserved || len(got.DER) != 0 || got.Revocation != nil || !got.CreatedAt.Equal(at) {
				t.Errorf("reserved record = %+v", got)
			}
		})
	}
}

// TestReserveIgnores: Reserve takes neither status, DER, revocation nor
// successor from the caller, and keeps no reference to the caller's record.
func TestReserveIgnores(t *testing.T) {
	db := openTest(t)
	r := newRecord(3)
	r.Status = StatusRevoked
	r.DER = []byte("not yet")
	r.Revocation = &Revocation{Serial: serial(3), Time: t0, Reason: 1}
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
	want.Status = StatusReserved
	want.CreatedAt, want.UpdatedAt = t0, t0
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Get =\n%+v\nwant\n%+v", got, want)
	}
}

func TestRecordRoundTrip(t *testing.T) {
	db := openTest(t)
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
	if !got.NotBefore.Equal(r.NotBefore) || got.NotBefore.Location() != time.UTC || !got.NotAfter.Equal(r.NotAfter) {
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

func TestRevokeArguments(t *testing.T) {
	tests := []struct {
		name string
		rev  Revocation
		err  error
	}{
		{name: "unspecified", rev: Revocation{Serial: serial(1), Time: at, Reason: 0}},
		{name: "aACompromise", rev: Revocation{Serial: serial(1), Time: at, Reason: 10}},
		{name: "with invalidity date", rev: Revocation{Serial: serial(1), Time: at, Reason: 1, InvalidityDate: t0}},
		{name: "reason 7 unassigned", rev: Revocation{Serial: serial(1), Time: at, Reason: 7}, err: ErrInvalid},
		{name: "reason 8 removeFromCRL", rev: Revocation{Serial: serial(1), Time: at, Reason: 8}, err: ErrInvalid},
		{name: "reason 11", rev: Revocation{Serial: serial(1), Time: at, Reason: 11}, err: ErrInvalid},
		{name: "reason -1", rev: Revocation{Serial: serial(1), Time: at, Reason: -1}, err: ErrInvalid},
		{name: "zero time", rev: Revocation{Serial: serial(1), Reason: 1}, err: ErrInvalid},
		{name: "no serial", rev: Revocation{Time: at, Reason: 1}, err: ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
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
				t.Errorf("Revocation = %+v, want %+v", got.Revocation, want)
			}
		})
	}
}

// TestSerialNeverReused: whatever happened to a serial, it cannot be
// reserved again, across reopening too.
func TestSerialNeverReused(t *testing.T) {
	db := openTest(t)
	for name, state := range states {
		if name == "unknown" {
			continue
		}
		n := int64(len(name)) * 1000 // distinct per state
		state(t, db, n)
		if err := db.Reserve(newRecord(n), at); !errors.Is(err, ErrExists) {
			t.Errorf("%s: Reserve again: %v, want ErrExists", name, err)
		}
	}
	path := db.Path()
	db.Close()
	db, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Reserve(newRecord(int64(len("abandoned"))*1000), at); !errors.Is(err, ErrExists) {
		t.Errorf("abandoned serial after reopening: %v, want ErrExists", err)
	}
}

func TestRenewal(t *testing.T) {
	db := openTest(t)
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
	if old.Successor == nil || old.Successor.Cmp(serial(3)) != 0 || old.Status != StatusGood {
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
