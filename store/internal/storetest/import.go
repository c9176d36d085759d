package storetest

import (
	"errors"
	"iter"
	"math/big"
	"testing"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/store"
)

// importRecords is the size of testImportChunks' import: more than one
// transaction of each backend (4096 records).
const importRecords = 6144

// importedRecord is a certificate issued elsewhere, in status st (with the
// revocation that goes with it).
func importedRecord(n int64, st store.Status) *store.Record {
	r := newRecord(n)
	r.Status = st
	r.DER = derOf(n)
	switch st {
	case store.StatusHeld:
		r.Revocation = &store.Revocation{Time: t0.Add(time.Hour), Reason: 6}
	case store.StatusRevoked:
		r.Revocation = &store.Revocation{Time: t0.Add(time.Hour), Reason: 1, InvalidityDate: t0}
	}
	return r
}

// records yields recs, then err if it is not nil.
func records(recs []*store.Record, err error) iter.Seq2[*store.Record, error] {
	return func(yield func(*store.Record, error) bool) {
		for _, r := range recs {
			if !yield(r, nil) {
				return
			}
		}
		if err != nil {
			yield(nil, err)
		}
	}
}

func testImport(t *testing.T, s Suite) {
	tests := []struct {
		name       string
		status     store.Status
		wantExpiry bool // in the expiry index
		wantRev    int  // reason in Revocations, -1 for none
	}{
		{name: "valid", status: store.StatusGood, wantExpiry: true, wantRev: -1},
		{name: "held", status: store.StatusHeld, wantExpiry: true, wantRev: 6},
		{name: "revoked", status: store.StatusRevoked, wantExpiry: false, wantRev: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := s.Open(t, nil)
			issue(t, db, newRecord(1)) // imports go into a ledger in use
			before := seqOf(t, db)
			at := t0.Add(24 * time.Hour)
			n, err := db.Import(records([]*store.Record{importedRecord(2, tt.status)}, nil), at)
			if err != nil || n != 1 {
				t.Fatalf("Import = %d, %v; want 1, nil", n, err)
			}
			got, err := db.Get(serial(2))
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.status || string(got.DER) != string(derOf(2)) || !got.CreatedAt.Equal(at) || !got.UpdatedAt.Equal(at) {
				t.Errorf("record = %+v", got)
			}
			if seq := seqOf(t, db); seq != before+1 {
				t.Errorf("Seq %d → %d, want one change", before, seq)
			}
			last := collect(t, db.Audit())[before]
			if last.Op != "import" || last.Serial.Cmp(serial(2)) != 0 {
				t.Errorf("audit entry = %+v, want import of serial 2", last)
			}
			if err := db.VerifyAudit(); err != nil {
				t.Errorf("VerifyAudit: %v", err)
			}

			expiring := collect(t, db.Expiring(t0, t0.Add(2*365*24*time.Hour)))
			if inExpiry := len(expiring) == 2; inExpiry != tt.wantExpiry {
				t.Errorf("in the expiry index: %v, want %v", inExpiry, tt.wantExpiry)
			}
			if bySKI, err := db.BySubjectKeyID(newRecord(2).SubjectKeyID); err != nil || len(bySKI) != 1 {
				t.Errorf("BySubjectKeyID = %d records, %v; want 1", len(bySKI), err)
			}

			err = db.View(func(tx store.Tx) error {
				revs := collect(t, tx.Revocations(issuerA))
				since := collect(t, tx.RevocationsSince(issuerA, before))
				count, err := tx.Count(issuerA)
				if err != nil {
					return err
				}
				if tt.wantRev < 0 {
					if len(revs) != 0 || len(since) != 0 || count != 0 {
						t.Errorf("revocations %v, since %v, count %d; want none", revs, since, count)
					}
					return nil
				}
				want := store.Revocation{Serial: serial(2), Time: t0.Add(time.Hour), Reason: cert.ReasonCode(tt.wantRev), Seq: before + 1}
				if tt.status == store.StatusRevoked {
					want.InvalidityDate = t0
				}
				if len(revs) != 1 || !sameRevocation(revs[0], want) {
					t.Errorf("Revocations = %+v, want %+v", revs, want)
				}
				if len(since) != 1 || !sameRevocation(since[0], want) {
					t.Errorf("RevocationsSince(%d) = %+v, want %+v (the next delta CRL lists it)", before, since, want)
				}
				if count != 1 {
					t.Errorf("Count = %d, want 1", count)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func sameRevocation(a, b store.Revocation) bool {
	return a.Serial.Cmp(b.Serial) == 0 && a.Time.Equal(b.Time) && a.Reason == b.Reason &&
		a.InvalidityDate.Equal(b.InvalidityDate) && a.Seq == b.Seq
}

// testImportThenWrites: imported certificates go through the usual
// transitions.
func testImportThenWrites(t *testing.T, s Suite) {
	db := s.Open(t, nil)
	recs := []*store.Record{importedRecord(1, store.StatusGood), importedRecord(2, store.StatusHeld)}
	if n, err := db.Import(records(recs, nil), t0); err != nil || n != 2 {
		t.Fatalf("Import = %d, %v", n, err)
	}
	revoke(t, db, 1, 4)
	release(t, db, 2)
	wantErr(t, db.Reserve(newRecord(1), t0), store.ErrExists)
	if err := db.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
}

func testImportRefuses(t *testing.T, s Suite) {
	errIter := errors.New("index.txt: line 3: bad date")
	tests := []struct {
		name string
		mod  func(*store.Record)
		err  error
	}{
		{name: "reserved", mod: func(r *store.Record) { r.Status = store.StatusReserved }, err: store.ErrInvalid},
		{name: "abandoned", mod: func(r *store.Record) { r.Status = store.StatusAbandoned }, err: store.ErrInvalid},
		{name: "no status", mod: func(r *store.Record) { r.Status = 0 }, err: store.ErrInvalid},
		{name: "no serial", mod: func(r *store.Record) { r.Serial = nil }, err: store.ErrInvalid},
		{name: "zero serial", mod: func(r *store.Record) { r.Serial = new(big.Int) }, err: store.ErrInvalid},
		{name: "no issuer key identifier", mod: func(r *store.Record) { r.IssuerKeyID = nil }, err: store.ErrInvalid},
		{name: "no DER", mod: func(r *store.Record) { r.DER = nil }, err: store.ErrInvalid},
		{name: "predecessor", mod: func(r *store.Record) { r.Predecessor = serial(1) }, err: store.ErrInvalid},
		{name: "successor", mod: func(r *store.Record) { r.Successor = serial(1) }, err: store.ErrInvalid},
		{name: "valid with revocation", mod: func(r *store.Record) {
			r.Revocation = &store.Revocation{Time: t0, Reason: 1}
		}, err: store.ErrInvalid},
		{name: "revoked without revocation", mod: func(r *store.Record) { r.Status = store.StatusRevoked }, err: store.ErrInvalid},
		{name: "revoked on hold", mod: func(r *store.Record) {
			r.Status, r.Revocation = store.StatusRevoked, &store.Revocation{Time: t0, Reason: 6}
		}, err: store.ErrInvalid},
		{name: "held for key compromise", mod: func(r *store.Record) {
			r.Status, r.Revocation = store.StatusHeld, &store.Revocation{Time: t0, Reason: 1}
		}, err: store.ErrInvalid},
		{name: "removeFromCRL", mod: func(r *store.Record) {
			r.Status, r.Revocation = store.StatusRevoked, &store.Revocation{Time: t0, Reason: 8}
		}, err: store.ErrInvalid},
		{name: "no revocation time", mod: func(r *store.Record) {
			r.Status, r.Revocation = store.StatusRevoked, &store.Revocation{Reason: 1}
		}, err: store.ErrInvalid},
		{name: "revocation of another serial", mod: func(r *store.Record) {
			r.Status, r.Revocation = store.StatusRevoked, &store.Revocation{Serial: serial(99), Time: t0, Reason: 1}
		}, err: store.ErrInvalid},
		{name: "serial in the ledger", mod: func(r *store.Record) { r.Serial = serial(1) }, err: store.ErrExists},
		{name: "serial imported before", mod: func(r *store.Record) { r.Serial = serial(10) }, err: store.ErrExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := s.Open(t, nil)
			issue(t, db, newRecord(1))
			bad := importedRecord(13, store.StatusGood)
			tt.mod(bad)
			recs := []*store.Record{importedRecord(10, store.StatusGood), importedRecord(11, store.StatusRevoked), importedRecord(12, store.StatusHeld), bad, importedRecord(14, store.StatusGood)}
			n, err := db.Import(records(recs, nil), t0)
			wantErr(t, err, tt.err)
			if n != 3 {
				t.Errorf("Import = %d, want the 3 records before the bad one", n)
			}
			for s := int64(10); s <= 12; s++ {
				if _, err := db.Get(serial(s)); err != nil {
					t.Errorf("record %d before the bad one: %v", s, err)
				}
			}
			if _, err := db.Get(serial(14)); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("record after the bad one: %v, want store.ErrNotFound", err)
			}
			if seq := seqOf(t, db); seq != 2+3 {
				t.Errorf("Seq = %d, want 5 (issue, then 3 imports)", seq)
			}
			if err := db.VerifyAudit(); err != nil {
				t.Errorf("VerifyAudit: %v", err)
			}
		})
	}
	t.Run("iterator error", func(t *testing.T) {
		db := s.Open(t, nil)
		n, err := db.Import(records([]*store.Record{importedRecord(1, store.StatusGood)}, errIter), t0)
		wantErr(t, err, errIter)
		if n != 1 {
			t.Errorf("Import = %d, want 1", n)
		}
	})
}

// testImportChunks imports more records than one transaction takes, with
// a store.Record reused by the iterator, and checks the ledger through.
func testImportChunks(t *testing.T, s Suite) {
	if testing.Short() {
		t.Skip("imports a few thousand records")
	}
	db := s.Open(t, nil)
	total := importRecords
	seq := func(yield func(*store.Record, error) bool) {
		r := new(store.Record)
		for i := range total {
			*r = *importedRecord(int64(i+1), []store.Status{store.StatusGood, store.StatusHeld, store.StatusRevoked}[i%3])
			if !yield(r, nil) {
				return
			}
		}
	}
	n, err := db.Import(seq, t0)
	if err != nil || n != total {
		t.Fatalf("Import = %d, %v; want %d", n, err, total)
	}
	if got := seqOf(t, db); got != uint64(total) {
		t.Errorf("Seq = %d, want %d", got, total)
	}
	if err := db.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
	err = db.View(func(tx store.Tx) error {
		count, err := tx.Count(issuerA)
		if err != nil {
			return err
		}
		revs := collect(t, tx.Revocations(issuerA))
		if want := 2 * total / 3; count != want || len(revs) != want {
			t.Errorf("Count = %d, %d revocations; want %d", count, len(revs), want)
		}
		for _, r := range revs {
			rec, err := tx.Get(r.Serial)
			if err != nil {
				return err
			}
			if rec.Revocation == nil || rec.Revocation.Seq != r.Seq || r.Seq != r.Serial.Uint64() {
				t.Fatalf("serial %v: revocation %+v, record %+v", r.Serial, r, rec.Revocation)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
