package store

import (
	"errors"
	"github.com/gostca/gostca/crypto/cert"
	"math/big"
	"slices"
	"testing"
	"time"
)

func serials[T any](items []T, f func(T) *big.Int) []int64 {
	var out []int64
	for _, it := range items {
		out = append(out, f(it).Int64())
	}
	return out
}

func revSerial(r Revocation) *big.Int { return r.Serial }
func remSerial(r Removal) *big.Int    { return r.Serial }

// TestCRLSnapshot walks the life of a full and a delta CRL through
// revocations, holds, releases and revocations over holds.
func TestCRLSnapshot(t *testing.T) {
	db := openTest(t)
	var recs []*Record
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

	err := db.View(func(tx Tx) error {
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
func TestRevocationsEarlyStop(t *testing.T) {
	db := openTest(t)
	issueAll(t, db, []*Record{newRecord(1), newRecord(2)})
	revoke(t, db, 1, 1)
	revoke(t, db, 2, 1)
	db.View(func(tx Tx) error {
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

func TestRecordCRL(t *testing.T) {
	db := openTest(t)
	issue(t, db, newRecord(1))
	now := seqOf(t, db)
	n := func(i int64) *big.Int { return big.NewInt(i) }
	tu := t0.Add(time.Hour)
	steps := []struct {
		name   string
		issuer []byte
		info   CRLInfo
		err    error
	}{
		{name: "delta before any full", issuer: issuerA, info: CRLInfo{Number: n(1), ThisUpdate: tu, Seq: now, Delta: true, BaseNumber: n(0)}, err: ErrState},
		{name: "first full", issuer: issuerA, info: CRLInfo{Number: n(1), ThisUpdate: tu, Seq: now}},
		{name: "same number", issuer: issuerA, info: CRLInfo{Number: n(1), ThisUpdate: tu, Seq: now}, err: ErrState},
		{name: "lower number", issuer: issuerA, info: CRLInfo{Number: n(0), ThisUpdate: tu, Seq: now}, err: ErrState},
		{name: "delta on the full", issuer: issuerA, info: CRLInfo{Number: n(2), ThisUpdate: tu, Seq: now, Delta: true, BaseNumber: n(1)}},
		{name: "delta number reused by a full", issuer: issuerA, info: CRLInfo{Number: n(2), ThisUpdate: tu, Seq: now}, err: ErrState},
		{name: "delta on an unknown base", issuer: issuerA, info: CRLInfo{Number: n(3), ThisUpdate: tu, Seq: now, Delta: true, BaseNumber: n(2)}, err: ErrState},
		{name: "delta without base", issuer: issuerA, info: CRLInfo{Number: n(3), ThisUpdate: tu, Seq: now, Delta: true}, err: ErrInvalid},
		{name: "full with base", issuer: issuerA, info: CRLInfo{Number: n(3), ThisUpdate: tu, Seq: now, BaseNumber: n(1)}, err: ErrInvalid},
		{name: "seq ahead of the ledger", issuer: issuerA, info: CRLInfo{Number: n(3), ThisUpdate: tu, Seq: now + 100}, err: ErrInvalid},
		{name: "no number", issuer: issuerA, info: CRLInfo{ThisUpdate: tu, Seq: now}, err: ErrInvalid},
		{name: "negative number", issuer: issuerA, info: CRLInfo{Number: n(-3), ThisUpdate: tu, Seq: now}, err: ErrInvalid},
		{name: "no thisUpdate", issuer: issuerA, info: CRLInfo{Number: n(3), Seq: now}, err: ErrInvalid},
		{name: "no issuer", info: CRLInfo{Number: n(3), ThisUpdate: tu, Seq: now}, err: ErrInvalid},
		{name: "next full, numbers skipped", issuer: issuerA, info: CRLInfo{Number: n(10), ThisUpdate: tu.Add(time.Hour), Seq: now}},
		{name: "other issuer counts alone", issuer: issuerB, info: CRLInfo{Number: n(1), ThisUpdate: tu, Seq: now}},
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
	err := db.View(func(tx Tx) error {
		st, err := tx.CRLState(issuerA)
		if err != nil {
			return err
		}
		if st.LastNumber.Int64() != 10 || st.LastFull == nil || st.LastFull.Number.Int64() != 10 ||
			!st.LastFull.ThisUpdate.Equal(tu.Add(time.Hour)) || st.LastFull.Delta ||
			st.LastDelta == nil || st.LastDelta.Number.Int64() != 2 || st.LastDelta.BaseNumber.Int64() != 1 ||
			!st.LastDelta.Delta || st.LastDelta.Seq != now {
			t.Errorf("CRLState(A) = %+v, full %+v, delta %+v", st, st.LastFull, st.LastDelta)
		}
		if st, _ := tx.CRLState(issuerB); st.LastNumber.Int64() != 1 || st.LastDelta != nil {
			t.Errorf("CRLState(B) = %+v", st)
		}
		if st, err := tx.CRLState([]byte("none")); err != nil || st.LastNumber != nil || st.LastFull != nil || st.LastDelta != nil {
			t.Errorf("CRLState(none) = %+v, %v; want the zero value", st, err)
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
func TestScanRevocations(t *testing.T) {
	db := openTest(t)
	var recs []*Record
	for i := int64(1); i <= 50; i++ {
		recs = append(recs, newRecord(i))
	}
	issueAll(t, db, recs)
	for i := int64(1); i <= 50; i += 2 {
		revoke(t, db, i, cert.ReasonCode(1+i%5))
	}
	db.View(func(tx Tx) error {
		var kept []Revocation
		for r, err := range tx.Revocations(issuerA) {
			if err != nil {
				t.Fatal(err)
			}
			kept = append(kept, r)
		}
		i := 0
		var first *Revocation
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
		db.View(func(tx Tx) error {
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
