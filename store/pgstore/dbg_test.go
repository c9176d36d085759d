package pgstore_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/store"
	"github.com/jackc/pgx/v5"
)

type countW struct{ n, w int }

func (c *countW) Write(p []byte) (int, error) { c.n += len(p); c.w++; return len(p), nil }

func TestDbgScan(t *testing.T) {
	n := *scanEntries
	db := openTest(t, nil)
	records := func(yield func(*store.Record, error) bool) {
		base := new(big.Int).Lsh(big.NewInt(0x4d), 152)
		r := new(store.Record)
		for i := range n {
			*r = *benchRecord(0)
			r.Serial = new(big.Int).Add(base, big.NewInt(int64(i)*7919))
			r.SubjectKeyID = nil
			r.Status, r.DER = store.StatusRevoked, []byte("DER")
			r.Revocation = &store.Revocation{Time: time.Unix(1.8e9+int64(i), 0), Reason: cert.ReasonCode(1 + i%5)}
			if !yield(r, nil) {
				return
			}
		}
	}
	start := time.Now()
	if _, err := db.Import(records, time.Now()); err != nil {
		t.Fatal(err)
	}
	t.Logf("import %.1f s", time.Since(start).Seconds())
	ctx := context.Background()
	db.Pool().Exec(ctx, `VACUUM ANALYZE`)
	conn, _ := db.Pool().Acquire(ctx)
	for _, q := range []string{
		`COPY (SELECT serial, revoked_at, reason, invalidity, seq FROM revocations WHERE issuer_key_id = '\xa1a1a1a1' ORDER BY revocations.serial) TO STDOUT (FORMAT binary)`,
		`COPY (SELECT serial::text, revoked_at, reason, invalidity, seq FROM revocations WHERE issuer_key_id = '\xa1a1a1a1' ORDER BY revocations.serial) TO STDOUT`,
	} {
		for range 2 {
			start := time.Now()
			var c countW
			tag, err := conn.Conn().PgConn().CopyTo(ctx, &c, q)
			t.Logf("copy %v %v %d bytes %d writes %.3f s: %s", tag, err, c.n, c.w, time.Since(start).Seconds(), q)
		}
	}
	for _, q := range []string{
		`SELECT array_agg(serial), array_agg(revoked_at), array_agg(reason) FROM (SELECT serial, revoked_at, reason FROM revocations WHERE issuer_key_id = $1 ORDER BY revocations.serial) x`,
		`SELECT serial::text, revoked_at, reason, invalidity, seq FROM revocations WHERE issuer_key_id = $1 ORDER BY revocations.serial`,
		`SELECT serial, revoked_at, reason, invalidity, seq FROM revocations WHERE issuer_key_id = $1 ORDER BY revocations.serial`,
		`SELECT serial FROM revocations WHERE issuer_key_id = $1 ORDER BY revocations.serial`,
		`SELECT revoked_at, reason FROM revocations WHERE issuer_key_id = $1 ORDER BY revocations.serial`,
	} {
		for range 2 {
			start := time.Now()
			rows, err := db.Pool().Query(ctx, q, benchIssuer)
			if err != nil {
				t.Fatal(err)
			}
			k := 0
			for rows.Next() {
				_ = rows.RawValues()
				k++
			}
			rows.Close()
			t.Logf("%d rows raw %.3f s: %s", k, time.Since(start).Seconds(), q)
		}
		var plan []string
		rows, _ := db.Pool().Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+q, benchIssuer)
		plan, _ = pgx.CollectRows(rows, pgx.RowTo[string])
		for _, l := range plan {
			t.Log(l)
		}
	}
}
