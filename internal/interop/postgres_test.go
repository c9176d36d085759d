package interop

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestPostgresServer stops a test's own server each way and starts it
// again: while it is stopped nothing connects; after it is back, the URL
// is the same and every committed row is there, also after an immediate
// shutdown and a killed postmaster with a transaction open.
func TestPostgresServer(t *testing.T) {
	srv := StartPostgresServer(t)
	ctx := context.Background()
	connect := func(t *testing.T) (*pgx.Conn, error) {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return pgx.Connect(ctx, srv.URL())
	}
	conn, err := connect(t)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE kept (n int)`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	for i, how := range []Shutdown{ShutdownFast, ShutdownImmediate, ShutdownKill} {
		conn, err := connect(t)
		if err != nil {
			t.Fatalf("shutdown %d: connecting: %v", how, err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO kept VALUES ($1)`, i); err != nil {
			t.Fatal(err)
		}
		// An open transaction with an uncommitted row goes with the server.
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO kept VALUES (-1)`); err != nil {
			t.Fatal(err)
		}
		srv.Stop(t, how)
		if _, err := tx.Exec(ctx, `SELECT 1`); err == nil {
			t.Errorf("shutdown %d: the open transaction still works", how)
		}
		conn.Close(ctx)
		if c, err := connect(t); err == nil {
			c.Close(ctx)
			t.Fatalf("shutdown %d: connected to a stopped server", how)
		}
		srv.Start(t)
		conn, err = connect(t)
		if err != nil {
			t.Fatalf("shutdown %d: connecting after the restart: %v", how, err)
		}
		var n, sum int
		if err := conn.QueryRow(ctx, `SELECT count(*), coalesce(sum(n), 0) FROM kept`).Scan(&n, &sum); err != nil {
			t.Fatal(err)
		}
		if n != i+1 || sum != i*(i+1)/2 {
			t.Errorf("shutdown %d: %d rows summing to %d, want %d and %d", how, n, sum, i+1, i*(i+1)/2)
		}
		conn.Close(ctx)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	StopPostgres()
	os.Exit(code)
}

// TestPostgresDurability: StartPostgres's server runs with fsync and
// synchronous commits off, StartPostgresDurable's with them on, and each
// gives a database to connect to.
func TestPostgresDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two PostgreSQL servers")
	}
	for _, tt := range []struct {
		name  string
		start func(testing.TB) string
		want  string
	}{
		{"StartPostgres", StartPostgres, "off"},
		{"StartPostgresDurable", StartPostgresDurable, "on"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, tt.start(t))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			for _, setting := range []string{"fsync", "synchronous_commit", "full_page_writes"} {
				var got string
				if err := conn.QueryRow(ctx, "SHOW "+setting).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("%s = %s, want %s", setting, got, tt.want)
				}
			}
		})
	}
}
