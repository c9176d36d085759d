package store

import (
	"bytes"
	"math/big"
	"testing"
	"time"
)

// seedRecords are records in every state, for the fuzzers' corpora.
func seedRecords() []*Record {
	reserved := newRecord(1)
	reserved.Status = StatusReserved
	valid := newRecord(0x7fffffffffff)
	valid.Status = StatusGood
	valid.DER = []byte{0x30, 0x03, 0x02, 0x01, 0x01}
	valid.Predecessor = big.NewInt(9)
	valid.Successor = new(big.Int).Lsh(big.NewInt(1), 159)
	valid.CreatedAt = t0
	held := newRecord(3)
	held.Status = StatusHeld
	held.DER = []byte("der")
	held.Revocation = &Revocation{Serial: held.Serial, Time: t0, Reason: 6, Seq: 12}
	revoked := newRecord(4)
	revoked.Status = StatusRevoked
	revoked.DER = []byte("der")
	revoked.Revocation = &Revocation{Serial: revoked.Serial, Time: t0, Reason: 1, InvalidityDate: t0.Add(-time.Hour), Seq: 1 << 40}
	abandoned := &Record{Serial: big.NewInt(5), IssuerKeyID: []byte{1}, Status: StatusAbandoned}
	return []*Record{reserved, valid, held, revoked, abandoned}
}

// FuzzDecodeRecord: the record decoder never panics, and what it accepts
// re-encodes to the same bytes (the encoding is canonical).
func FuzzDecodeRecord(f *testing.F) {
	for _, r := range seedRecords() {
		v, err := encodeRecord(r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(v)
	}
	f.Add([]byte{})
	f.Add([]byte{recordVersion})
	f.Fuzz(func(t *testing.T, v []byte) {
		r, err := decodeRecord(v)
		if err != nil {
			return
		}
		again, err := encodeRecord(r)
		if err != nil {
			t.Fatalf("decoded record does not encode: %v", err)
		}
		if !bytes.Equal(again, v) {
			t.Fatalf("re-encoding differs:\n%x\n%x", v, again)
		}
	})
}

// FuzzDecodeRevocation: the compact revocation decoder never panics, and
// what it accepts re-encodes to the same bytes.
func FuzzDecodeRevocation(f *testing.F) {
	for _, r := range seedRecords() {
		if r.Revocation != nil {
			key, _ := serialKey(r.Serial)
			f.Add(key, encodeRevocation(r.Revocation))
		}
	}
	f.Fuzz(func(t *testing.T, k, v []byte) {
		var r Revocation
		if err := decodeRevocation(k, v, &r); err != nil {
			return
		}
		key, err := serialKey(r.Serial)
		if err != nil || !bytes.Equal(key, k) {
			t.Fatalf("serial key %x re-encodes to %x (%v)", k, key, err)
		}
		if again := encodeRevocation(&r); !bytes.Equal(again, v) {
			t.Fatalf("re-encoding differs:\n%x\n%x", v, again)
		}
	})
}

// FuzzDecodeAudit: the audit entry decoder never panics, and what it
// accepts re-encodes to the same bytes.
func FuzzDecodeAudit(f *testing.F) {
	e := AuditEntry{Seq: 3, Time: t0, Op: "revoke", Serial: big.NewInt(77), Detail: "reason=1"}
	v, _ := encodeAudit(&e)
	f.Add(v)
	e = AuditEntry{Seq: 4, Time: t0, Op: "crl", Detail: "number=1"}
	v, _ = encodeAudit(&e)
	f.Add(v)
	f.Fuzz(func(t *testing.T, v []byte) {
		e, _, err := decodeAudit(v)
		if err != nil {
			return
		}
		again, err := encodeAudit(&e)
		if err != nil || !bytes.Equal(again, v) {
			t.Fatalf("re-encoding differs (%v):\n%x\n%x", err, v, again)
		}
	})
}

func TestCRLStateRoundTrip(t *testing.T) {
	states := []CRLState{
		{},
		{LastNumber: big.NewInt(0), LastFull: &CRLInfo{Number: big.NewInt(0), ThisUpdate: t0, Seq: 4}},
		{
			LastNumber: big.NewInt(8),
			LastFull:   &CRLInfo{Number: big.NewInt(7), ThisUpdate: t0, Seq: 4},
			LastDelta:  &CRLInfo{Number: big.NewInt(8), ThisUpdate: t0.Add(time.Hour), Seq: 9, Delta: true, BaseNumber: big.NewInt(7)},
		},
	}
	for _, st := range states {
		v, err := encodeCRLState(&st)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeCRLState(v)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := encodeCRLState(&got)
		if !bytes.Equal(again, v) {
			t.Errorf("CRL state %+v does not round-trip", st)
		}
	}
}
