package ledgercopy_test

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"iter"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/internal/interop"
	"github.com/gostca/gostca/store"
	"github.com/gostca/gostca/store/internal/storetest"
	"github.com/gostca/gostca/store/ledgercopy"
	"github.com/gostca/gostca/store/pgstore"
)

func TestMain(m *testing.M) {
	code := m.Run()
	interop.StopPostgres()
	os.Exit(code)
}

// The ledgers are sources and destinations.
var (
	_ ledgercopy.Source      = (*store.DB)(nil)
	_ ledgercopy.Destination = (*store.DB)(nil)
	_ ledgercopy.Source      = (*pgstore.DB)(nil)
	_ ledgercopy.Destination = (*pgstore.DB)(nil)
)

var ctx = context.Background()

// openBolt opens (creating) the ledger at path, closed at cleanup.
func openBolt(t testing.TB, path string, notify store.Notifier) *store.DB {
	t.Helper()
	db, err := store.Open(path, &store.Options{Notify: notify})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openPG opens a ledger in a new, migrated database, closed at cleanup.
func openPG(t testing.TB, notify store.Notifier) *pgstore.DB {
	t.Helper()
	db, err := pgstore.Open(ctx, interop.StartPostgres(t), &pgstore.Options{Migrate: true, Notify: notify})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// kinds counts the items of a ledger's Export by kind.
func kinds(t *testing.T, src ledgercopy.Source) map[store.ItemKind]int {
	t.Helper()
	n := map[store.ItemKind]int{}
	for it, err := range src.Export(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		n[it.Kind()]++
		if it.Record != nil && it.Record.Revocation != nil {
			n[0]++ // the revocations
		}
	}
	return n
}

// TestRoundTrip: a bbolt ledger of everything, copied into PostgreSQL and
// from there into a new bbolt file, reads the same at every step (times to
// the microsecond), keeps its audit log byte for byte and its head, and
// both copies carry on alike.
func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := openBolt(t, filepath.Join(dir, "ledger.db"), storetest.Mailer)
	storetest.Fill(t, src)
	pg := openPG(t, storetest.Mailer)

	sum, err := ledgercopy.Copy(ctx, pg, src)
	if err != nil {
		t.Fatal(err)
	}
	n := kinds(t, src)
	head, _ := src.Head()
	want := ledgercopy.Summary{
		Records: n[store.ItemRecord], Revocations: n[0], Removals: n[store.ItemRemoval], CRLStates: n[store.ItemCRL],
		Attachments: n[store.ItemBlob], Applications: n[store.ItemApplication], Mail: n[store.ItemMail],
		Reminders: n[store.ItemReminder], AuditEntries: n[store.ItemAudit], Head: head,
	}
	if sum != want || sum.Records < 18 || sum.Revocations < 5 || sum.Removals < 3 || sum.CRLStates != 2 || sum.Attachments != 3 ||
		sum.Applications != 4 || sum.Mail < 10 || sum.Reminders != 2 || sum.AuditEntries != int(head.Seq) {
		t.Fatalf("Summary %+v, want %+v", sum, want)
	}
	t.Logf("copied %+v", sum)
	storetest.Compare(t, src, pg, time.Microsecond)

	back := filepath.Join(dir, "back.db")
	sum2, err := ledgercopy.ToFile(ctx, back, pg)
	if err != nil {
		t.Fatal(err)
	}
	if sum2 != sum {
		t.Errorf("Summary of the copy back %+v, want %+v", sum2, sum)
	}
	again := openBolt(t, back, storetest.Mailer)
	storetest.Compare(t, pg, again, 0) // exact: PostgreSQL's times copy back unchanged
	storetest.Compare(t, src, again, time.Microsecond)
	storetest.Continue(t, pg, again)
	storetest.Compare(t, pg, again, time.Microsecond) // the new writes' times are the caller's
}

// tamper changes the stored form of audit entry seq of a bbolt ledger,
// or moves it under another key, as someone writing the file could.
func tamperBolt(t *testing.T, path string, seq uint64, move bool) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	key := binary.BigEndian.AppendUint64(nil, seq)
	if err := b.Update(func(tx *bolt.Tx) error {
		audit := tx.Bucket([]byte("audit"))
		v := slices.Clone(audit.Get(key))
		if move {
			if err := audit.Delete(key); err != nil {
				return err
			}
			return audit.Put(binary.BigEndian.AppendUint64(nil, 1000), v)
		}
		v[len(v)-65] ^= 1 // the last byte of the detail
		return audit.Put(key, v)
	}); err != nil {
		t.Fatal(err)
	}
}

// tamperPG does the same to a row of the audit table.
func tamperPG(t *testing.T, db *pgstore.DB, seq uint64, move bool) {
	t.Helper()
	sql := `UPDATE audit SET entry = set_byte(entry, length(entry) - 65, get_byte(entry, length(entry) - 65) # 1) WHERE seq = $1`
	if move {
		sql = `UPDATE audit SET seq = 1000 WHERE seq = $1`
	}
	if tag, err := db.Pool().Exec(ctx, sql, int64(seq)); err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("tampering: %v, %v", tag, err)
	}
}

// empty fails unless db holds nothing.
func empty(t *testing.T, db ledgercopy.Source) {
	t.Helper()
	for it, err := range db.Export(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if it.Head == nil || *it.Head != (store.Head{}) {
			t.Fatalf("the destination holds %s %+v", it.Kind(), it)
		}
	}
}

// TestRefused: a destination that is not empty and a source whose audit
// log does not verify (an entry changed, or moved to another key) are
// refused, in both directions, with nothing written.
func TestRefused(t *testing.T) {
	t.Run("destination not empty", func(t *testing.T) {
		dir := t.TempDir()
		src := openBolt(t, filepath.Join(dir, "src.db"), storetest.Mailer)
		storetest.Fill(t, src)
		pg := openPG(t, nil)
		one := &store.Record{Serial: big.NewInt(1), IssuerKeyID: []byte{1}}
		if err := pg.Reserve(one, time.Now()); err != nil {
			t.Fatal(err)
		}
		other := openBolt(t, filepath.Join(dir, "other.db"), nil)
		if err := other.Reserve(one, time.Now()); err != nil {
			t.Fatal(err)
		}
		for name, c := range map[string]struct {
			dst ledgercopy.Destination
			src ledgercopy.Source
		}{"into postgres": {pg, src}, "into bbolt": {other, pg}} {
			before, _ := c.dst.Head()
			if _, err := ledgercopy.Copy(ctx, c.dst, c.src); !errors.Is(err, store.ErrExists) {
				t.Errorf("%s: Copy = %v, want ErrExists", name, err)
			}
			if after, _ := c.dst.Head(); after != before {
				t.Errorf("%s: the head moved from %+v to %+v", name, before, after)
			}
		}
		if _, err := ledgercopy.ToFile(ctx, filepath.Join(dir, "other.db"), src); !errors.Is(err, fs.ErrExist) {
			t.Errorf("ToFile over a file: %v, want fs.ErrExist", err)
		}
	})
	for _, move := range []bool{false, true} {
		what := map[bool]string{false: "entry changed", true: "entry moved"}[move]
		t.Run("bbolt source, "+what, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "src.db")
			src := openBolt(t, path, storetest.Mailer)
			storetest.Fill(t, src)
			src.Close()
			tamperBolt(t, path, 5, move)
			src = openBolt(t, path, nil)
			pg := openPG(t, nil)
			var ae *store.AuditError
			if _, err := ledgercopy.Copy(ctx, pg, src); !errors.As(err, &ae) || ae.Seq != 5 {
				t.Fatalf("Copy = %v, want an AuditError at 5", err)
			}
			empty(t, pg)
			if _, err := ledgercopy.ToFile(ctx, filepath.Join(dir, "copy.db"), src); !errors.As(err, &ae) {
				t.Fatalf("ToFile = %v, want an AuditError", err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Fatalf("ToFile left %v", entries)
			}
		})
		t.Run("postgres source, "+what, func(t *testing.T) {
			dir := t.TempDir()
			pg := openPG(t, storetest.Mailer)
			storetest.Fill(t, pg)
			tamperPG(t, pg, 5, move)
			var ae *store.AuditError
			if _, err := ledgercopy.ToFile(ctx, filepath.Join(dir, "copy.db"), pg); !errors.As(err, &ae) || ae.Seq != 5 {
				t.Fatalf("ToFile = %v, want an AuditError at 5", err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("ToFile left %v", entries)
			}
			dst := openBolt(t, filepath.Join(dir, "dst.db"), nil)
			if _, err := ledgercopy.Copy(ctx, dst, pg); !errors.As(err, &ae) {
				t.Fatalf("Copy = %v, want an AuditError", err)
			}
			empty(t, dst)
		})
	}
}

// TestCAOnCopy: a CA whose bbolt ledger is copied into PostgreSQL goes on
// issuing, revoking and making CRLs on the copy: CRL numbers continue
// strictly increasing, the full CRL lists the revocations from before and
// after the copy, and a delta CRL on it the new ones.
func TestCAOnCopy(t *testing.T) {
	clock := catest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	root := catest.NewRoot(t, catest.WithClock(clock))
	issue := func(c *ca.CA) *cert.Certificate {
		t.Helper()
		csr, _ := catest.NewCSR(t, nil, cert.Name{CommonName: "subscriber", Country: "RU"})
		crt, err := c.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileSignature})
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		return crt
	}
	crl := func(c *ca.CA, delta bool) *cert.RevocationList {
		t.Helper()
		der, err := c.CRL(delta)
		if err != nil {
			t.Fatal(err)
		}
		l, err := cert.ParseRevocationList(der)
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		return l
	}
	listed := func(l *cert.RevocationList) []string {
		var out []string
		for _, e := range l.Entries {
			out = append(out, e.SerialNumber.String())
		}
		slices.Sort(out)
		return out
	}
	var before []string
	for i := range 4 {
		crt := issue(root)
		if i%2 == 1 {
			if err := root.Revoke(crt.SerialNumber, cert.ReasonKeyCompromise, time.Time{}); err != nil {
				t.Fatal(err)
			}
			before = append(before, crt.SerialNumber.String())
		}
	}
	crl(root, false)
	last := crl(root, true)

	pg := openPG(t, nil)
	if _, err := ledgercopy.Copy(ctx, pg, root.Ledger().(*store.DB)); err != nil {
		t.Fatal(err)
	}
	onPG, err := ca.New(pg, root.Config())
	if err != nil {
		t.Fatal(err)
	}
	crt := issue(onPG)
	if err := onPG.Revoke(crt.SerialNumber, cert.ReasonSuperseded, time.Time{}); err != nil {
		t.Fatal(err)
	}
	old := before[0]
	n, _ := new(big.Int).SetString(old, 10)
	if err := onPG.Revoke(n, cert.ReasonKeyCompromise, time.Time{}); !errors.Is(err, store.ErrState) {
		t.Errorf("revoking again a certificate revoked before the copy: %v, want ErrState", err)
	}
	full := crl(onPG, false)
	delta := crl(onPG, true)
	if want := new(big.Int).Add(last.Number, big.NewInt(1)); full.Number.Cmp(want) != 0 || delta.Number.Cmp(new(big.Int).Add(want, big.NewInt(1))) != 0 {
		t.Fatalf("CRL numbers after the copy: %v, %v; the last before %v", full.Number, delta.Number, last.Number)
	}
	wantFull := append(slices.Clone(before), crt.SerialNumber.String())
	slices.Sort(wantFull)
	if got := listed(full); !slices.Equal(got, wantFull) {
		t.Errorf("full CRL lists %v, want %v", got, wantFull)
	}
	if got := listed(delta); len(got) != 0 || delta.BaseCRLNumber.Cmp(full.Number) != 0 {
		t.Errorf("delta CRL on %v lists %v, want nothing", delta.BaseCRLNumber, got)
	}
	if err := pg.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
}

// importable yields n certificates issued elsewhere, of 800 bytes of DER
// each (a typical GOST certificate), a quarter revoked.
func importable(n int) iter.Seq2[*store.Record, error] {
	der := make([]byte, 800)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return func(yield func(*store.Record, error) bool) {
		for i := range n {
			r := &store.Record{
				Serial: new(big.Int).Lsh(big.NewInt(int64(i+1)), 100), IssuerKeyID: []byte("issuer key id 20 by"),
				Issuer: "CN=Test CA", Subject: fmt.Sprintf("CN=subscriber %d,C=RU", i), SubjectKeyID: binary.BigEndian.AppendUint64(nil, uint64(i+1)),
				Profile: "signature", NotBefore: at, NotAfter: at.AddDate(1, 0, 0), Status: store.StatusGood, DER: der,
			}
			if i%4 == 3 {
				r.Status, r.Revocation = store.StatusRevoked, &store.Revocation{Time: at.Add(time.Duration(i) * time.Second), Reason: cert.ReasonKeyCompromise}
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}

var benchCerts = flag.Int("ledgercopy.certs", 100_000, "certificates in the ledger of BenchmarkCopy")

// BenchmarkCopy copies a bbolt ledger of 100,000 imported certificates
// (-ledgercopy.certs) into PostgreSQL, and that copy back into a new bbolt
// file, each verified before and after; the figure is certificates a
// second.
func BenchmarkCopy(b *testing.B) {
	n := *benchCerts
	src := openBolt(b, filepath.Join(b.TempDir(), "ledger.db"), nil)
	if _, err := src.Import(importable(n), time.Now()); err != nil {
		b.Fatal(err)
	}
	pg := openPG(b, nil)
	if _, err := ledgercopy.Copy(ctx, pg, src); err != nil {
		b.Fatal(err)
	}
	b.Run("bbolt-to-postgres", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			dst := openPG(b, nil)
			b.StartTimer()
			if _, err := ledgercopy.Copy(ctx, dst, src); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "certs/s")
	})
	b.Run("postgres-to-bbolt", func(b *testing.B) {
		dir := b.TempDir()
		for i := range b.N {
			if _, err := ledgercopy.ToFile(ctx, filepath.Join(dir, fmt.Sprint(i, ".db")), pg); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "certs/s")
	})
}
