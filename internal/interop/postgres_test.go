package interop

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

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
