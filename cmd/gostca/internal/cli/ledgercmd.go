package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gostca/gostca/store"
	"github.com/gostca/gostca/store/ledgercopy"
	"github.com/gostca/gostca/store/pgstore"
)

func (a *app) ledgerCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ledger",
		Short: "Manage where the ledger is kept: PostgreSQL schema, copies between backends",
		Long: `The issuance ledger is the file ledger.db of the CA directory, unless
gostca.json's "ledger" is the URL of a PostgreSQL database, which several
CA nodes and responders may share. These commands create and update its
schema and copy a ledger from one backend to the other.`,
		Args: usageArgs(cobra.NoArgs),
	}
	cmd.AddCommand(a.ledgerMigrateCommand(), a.ledgerCopyCommand())
	return cmd
}

func (a *app) ledgerMigrateCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Create or update the tables of a PostgreSQL ledger",
		Long: `Migrate brings the schema of the CA's PostgreSQL ledger (gostca.json's
"ledger") up to this gostca's version: it runs, in order and each in its
own transaction, the migrations built into the binary that the database
has not had, and prints the versions before and after. Run it once, from
one node, before starting the nodes of a new release; nodes started at
once wait for each other's migration. Commands refuse a database whose
schema is older or newer than theirs.

A ledger file needs no migration: it updates itself when opened.`,
		Example: `  gostca ledger migrate --dir /etc/gostca/ca`,
		Args:    usageArgs(cobra.NoArgs),
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		loc, err := a.where()
		if err != nil {
			return err
		}
		if !loc.postgres() {
			return notPostgres("ledger migrate")
		}
		from, to, err := migratePostgres(loc.url)
		if err != nil {
			return err
		}
		if from == to {
			messagef(a.env.Stderr, "the ledger %s is at schema version %d: nothing to do", loc, to)
		} else {
			messagef(a.env.Stderr, "migrated the ledger %s from schema version %d to %d", loc, from, to)
		}
		fmt.Fprintln(a.env.Stdout, to)
		return nil
	}
	return cmd
}

func (a *app) ledgerCopyCommand() *cobra.Command {
	var to string
	cmd := &cobra.Command{
		Use:   "copy --to URL|FILE",
		Short: "Copy the whole ledger into an empty PostgreSQL ledger or a new file",
		Long: `Copy copies the CA's ledger — certificates, revocations, CRL state, the
audit log, applications and their scans, the outbox — into the empty
ledger of the PostgreSQL database at --to URL (creating its tables if
need be), or into a new ledger file at --to FILE. It verifies the audit
log before (nothing is written if it does not verify) and the copy's
after: the copy has the same audit head, printed at the end.

The copy is of one moment: stop the CA's commands and servers first, and
then point gostca.json's "ledger" at the copy (a URL; "" for ledger.db).
A copy into PostgreSQL is one transaction, and a copy into a file appears
only when complete: a copy that fails leaves nothing. Times go to the
microsecond in PostgreSQL, which keeps no finer.`,
		Example: `  gostca ledger copy --to "postgres://gostca@db.example.ru/ledger?sslmode=verify-full"
  gostca ledger copy --to /var/lib/gostca/ledger-from-pg.db`,
		Args: usageArgs(cobra.NoArgs),
	}
	cmd.Flags().StringVar(&to, "to", "", "the `URL` of a PostgreSQL database, or a new ledger FILE")
	cmd.MarkFlagRequired("to")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		loc, err := a.where()
		if err != nil {
			return err
		}
		if isURL(to) {
			if _, err := parseLedgerURL(to); err != nil {
				return err
			}
			if to == loc.url {
				return usagef("--to is the CA's own ledger").withHint("give another database")
			}
		} else if abs(to) == abs(loc.path) {
			return usagef("--to is the CA's own ledger").withHint("give a new file")
		}
		src, err := a.openLedger(true)
		if err != nil {
			return err
		}
		defer src.Close()
		sum, err := copyLedger(cmd.Context(), to, src.(ledgercopy.Source))
		if err != nil {
			return err
		}
		messagef(a.env.Stderr, "copied the ledger %s to %s: %d certificates (%d held or revoked), %d applications, %d messages", loc, redactURL(to), sum.Records, sum.Revocations, sum.Applications, sum.Mail)
		fmt.Fprintf(a.env.Stdout, "audit log OK: %d entries, head %x\n", sum.Head.Seq, sum.Head.Hash)
		return nil
	}
	return cmd
}

// isURL reports whether a --to names a database rather than a file.
func isURL(s string) bool { return strings.Contains(s, "://") }

func abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// copyLedger copies src into the empty PostgreSQL ledger at the URL to
// (migrated first), or into a new ledger file at to.
func copyLedger(ctx context.Context, to string, src ledgercopy.Source) (ledgercopy.Summary, error) {
	var (
		sum ledgercopy.Summary
		err error
	)
	if isURL(to) {
		var dst *pgstore.DB
		if _, _, err = migratePostgres(to); err != nil {
			return sum, err
		}
		if dst, err = openPostgres(to, &pgstore.Options{Timeout: pgMigrateTimeout}); err != nil {
			return sum, err
		}
		defer dst.Close()
		sum, err = ledgercopy.Copy(ctx, dst, src)
	} else {
		sum, err = ledgercopy.ToFile(ctx, to, src)
	}
	var audit *store.AuditError
	switch {
	case err == nil:
		return sum, nil
	case errors.Is(err, fs.ErrExist):
		return sum, failf("%s exists", to).withHint("copy into a new file").because(err)
	case errors.Is(err, store.ErrExists):
		return sum, failf("the ledger %s is not empty: nothing copied", redactURL(to)).
			withHint("copy into a new, empty database").because(err)
	case errors.As(err, &audit):
		return sum, failf("%s", trimPrefix(err)).withHint("'gostca audit verify' shows where the log breaks; nothing was copied").because(err)
	}
	return sum, failf("copying the ledger to %s: %s", redactURL(to), trimPrefix(err)).because(err)
}
