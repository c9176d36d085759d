package pgstore

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/internal/interop"
	"github.com/gostca/gostca/internal/testkit"
	"github.com/gostca/gostca/store"
)

// scanIssuer is the issuer of the scan tests' revocations.
var scanIssuer = []byte{0x5c, 0x5c}

// scanLedger opens a new ledger at url with the options of the URL's
// query, and imports n revoked certificates of scanIssuer whose serials
// have from 1 to about 3n/2 decimal digits (so that text order is not
// serial order), every third with an invalidity date. It returns the
// ledger and the revocations expected, in serial order.
func scanLedger(t *testing.T, url string, n int) (*DB, []store.Revocation) {
	t.Helper()
	db, err := Open(context.Background(), url, &Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 123456000, time.UTC)
	var (
		recs []*store.Record
		want []store.Revocation
	)
	ten := big.NewInt(10)
	serial := big.NewInt(7)
	for i := range n {
		rev := store.Revocation{Serial: new(big.Int).Set(serial), Time: t0.Add(time.Duration(i) * time.Minute),
			Reason: cert.ReasonCode(1 + i%5), Seq: uint64(i + 1)}
		if i%3 == 0 {
			rev.InvalidityDate = t0.Add(-time.Duration(i) * time.Hour)
		}
		r := rev
		recs = append(recs, &store.Record{Serial: rev.Serial, IssuerKeyID: scanIssuer, DER: []byte("DER"),
			Status: store.StatusRevoked, Revocation: &r})
		want = append(want, rev)
		serial.Mul(serial, ten)
		if i%2 == 0 {
			serial.Add(serial, big.NewInt(int64(i)))
		}
	}
	if _, err := db.Import(func(yield func(*store.Record, error) bool) {
		for _, r := range recs {
			if !yield(r, nil) {
				return
			}
		}
	}, t0); err != nil {
		t.Fatal(err)
	}
	return db, want
}

func sameRev(a, b store.Revocation) bool {
	return a.Serial.Cmp(b.Serial) == 0 && a.Time.Equal(b.Time) && a.Reason == b.Reason &&
		a.InvalidityDate.Equal(b.InvalidityDate) && a.Seq == b.Seq
}

// TestRevocationList: Revocations and ScanRevocations give every entry
// once, in serial order (not the order of the serials' text), with the
// default (binary) and the simple (text) protocol; a second scan in the
// View gives the same; the loop body may read the Tx between entries.
func TestRevocationList(t *testing.T) {
	const n = 40
	for _, mode := range []string{"", "&default_query_exec_mode=simple_protocol"} {
		name := "binary"
		if mode != "" {
			name = "simple protocol"
		}
		t.Run(name, func(t *testing.T) {
			db, want := scanLedger(t, interop.StartPostgres(t)+mode, n)
			check := func(what string, got []store.Revocation) {
				t.Helper()
				if len(got) != len(want) {
					t.Fatalf("%s: %d entries, want %d", what, len(got), len(want))
				}
				for i := range want {
					if !sameRev(got[i], want[i]) {
						t.Fatalf("%s: entry %d = %+v, want %+v", what, i, got[i], want[i])
					}
				}
			}
			err := db.View(func(tx store.Tx) error {
				var scanned, again, all []store.Revocation
				for _, into := range []*[]store.Revocation{&scanned, &again} {
					for r, err := range tx.ScanRevocations(scanIssuer) {
						if err != nil {
							return err
						}
						if _, err := tx.Get(r.Serial); err != nil {
							return err
						}
						c := *r
						c.Serial = new(big.Int).Set(r.Serial)
						*into = append(*into, c)
					}
				}
				check("ScanRevocations", scanned)
				check("ScanRevocations again", again)
				for r, err := range tx.Revocations(scanIssuer) {
					if err != nil {
						return err
					}
					all = append(all, r)
				}
				check("Revocations", all)
				if all[0].Serial == all[1].Serial {
					t.Error("Revocations values share a serial")
				}
				if count, err := tx.Count(scanIssuer); err != nil || count != n {
					t.Errorf("Count = %d, %v; want %d", count, err, n)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestScanAllocations: reading the revocations allocates per query and per
// chunk of the list, not per entry.
func TestScanAllocations(t *testing.T) {
	if testkit.Race {
		t.Skip("the race detector's instrumentation allocates")
	}
	scan := func(n int) float64 {
		db, _ := scanLedger(t, interop.StartPostgres(t), n)
		return testing.AllocsPerRun(5, func() {
			db.View(func(tx store.Tx) error {
				for _, err := range tx.ScanRevocations(scanIssuer) {
					if err != nil {
						t.Fatal(err)
					}
				}
				return nil
			})
		})
	}
	few, many := scan(50), scan(400)
	if many > few+(400-50)/10 {
		t.Errorf("a scan of 50 entries allocates %v times, of 400 entries %v: it allocates per entry", few, many)
	}
}

// numericBinary is the binary form of x as PostgreSQL sends a numeric.
func numericBinary(t testing.TB, x *big.Int, exp int32) []byte {
	t.Helper()
	b, err := pgtype.NewMap().Encode(pgtype.NumericOID, pgtype.BinaryFormatCode, pgtype.Numeric{Int: x, Exp: exp, Valid: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSetNumeric(t *testing.T) {
	huge, _ := new(big.Int).SetString("730750818665451459101842416358141509827966271487", 10) // 2^159-1
	good := []struct {
		name string
		x    *big.Int
		exp  int32
		want *big.Int
	}{
		{"one", big.NewInt(1), 0, big.NewInt(1)},
		{"four digits", big.NewInt(9999), 0, big.NewInt(9999)},
		{"a base-10000 boundary", big.NewInt(10000), 0, big.NewInt(10000)},
		{"trailing zero groups", big.NewInt(12), 8, new(big.Int).Mul(big.NewInt(12), big.NewInt(1e8))},
		{"sixteen digits", big.NewInt(1234567890123456), 0, big.NewInt(1234567890123456)},
		{"a 20-octet serial", huge, 0, huge},
	}
	var z, s1, s2 big.Int
	for _, tt := range good {
		t.Run(tt.name, func(t *testing.T) {
			if err := setNumeric(&z, &s1, &s2, numericBinary(t, tt.x, tt.exp)); err != nil || z.Cmp(tt.want) != 0 {
				t.Errorf("setNumeric = %v, %v; want %v", &z, err, tt.want)
			}
		})
	}
	bad := []struct {
		name string
		b    []byte
	}{
		{"zero", numericBinary(t, big.NewInt(0), 0)},
		{"negative", numericBinary(t, big.NewInt(-5), 0)},
		{"fraction", numericBinary(t, big.NewInt(15), -1)},
		{"NaN", []byte{0, 0, 0, 0, 0xc0, 0, 0, 0}},
		{"short", []byte{0, 1, 0, 0}},
		{"digit count", []byte{0, 2, 0, 1, 0, 0, 0, 0, 0, 1}},
		{"digit of 10000", []byte{0, 1, 0, 0, 0, 0, 0, 0, 0x27, 0x10}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if err := setNumeric(&z, &s1, &s2, tt.b); err == nil {
				t.Errorf("setNumeric(%x) = %v, want an error", tt.b, &z)
			}
		})
	}
	b := numericBinary(t, huge, 0)
	if n := testing.AllocsPerRun(10, func() { setNumeric(&z, &s1, &s2, b) }); n != 0 {
		t.Errorf("setNumeric allocates %v times", n)
	}
}

// FuzzSetNumeric: what setNumeric accepts, pgx's numeric decoder reads as
// the same positive integer.
func FuzzSetNumeric(f *testing.F) {
	for _, x := range []int64{1, 9999, 10000, 123456789012345678} {
		f.Add(numericBinary(f, big.NewInt(x), 0))
	}
	f.Add(numericBinary(f, big.NewInt(12), 8))
	f.Fuzz(func(t *testing.T, b []byte) {
		var z, s1, s2 big.Int
		if setNumeric(&z, &s1, &s2, b) != nil {
			return
		}
		var n pgtype.Numeric
		if err := pgtype.NewMap().Scan(pgtype.NumericOID, pgtype.BinaryFormatCode, b, &n); err != nil {
			t.Fatalf("setNumeric read %x as %v, pgx fails: %v", b, &z, err)
		}
		want := new(big.Int).Set(n.Int)
		if n.Exp > 0 {
			want.Mul(want, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n.Exp)), nil))
		}
		if n.Exp < 0 {
			d, m := new(big.Int).DivMod(want, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-n.Exp)), nil), new(big.Int))
			if m.Sign() != 0 {
				t.Fatalf("setNumeric read %x as %v, pgx as a fraction %v", b, &z, n)
			}
			want = d
		}
		if z.Cmp(want) != 0 || z.Sign() <= 0 {
			t.Fatalf("setNumeric read %x as %v, pgx as %v", b, &z, want)
		}
	})
}

func TestTimestamptz(t *testing.T) {
	m := pgtype.NewMap()
	for _, at := range []time.Time{
		time.Date(2026, 5, 1, 10, 0, 0, 123456000, time.UTC),
		time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC), // before the epoch, with a fraction
		time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC),
	} {
		b, err := m.Encode(pgtype.TimestamptzOID, pgtype.BinaryFormatCode, at, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := timestamptz(b); err != nil || !got.Equal(at) || got.Location() != time.UTC {
			t.Errorf("timestamptz(%x) = %v, %v; want %v", b, got, err, at)
		}
	}
	for _, inf := range []pgtype.InfinityModifier{pgtype.Infinity, pgtype.NegativeInfinity} {
		b, err := m.Encode(pgtype.TimestamptzOID, pgtype.BinaryFormatCode, pgtype.Timestamptz{InfinityModifier: inf, Valid: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := timestamptz(b); err == nil {
			t.Errorf("timestamptz of %v: no error", inf)
		}
	}
	if _, err := timestamptz([]byte{1, 2, 3}); err == nil {
		t.Error("timestamptz of 3 bytes: no error")
	}
}
