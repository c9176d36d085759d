package cli

import (
	"fmt"

	"github.com/spf13/cobra"
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
	cmd.AddCommand(a.ledgerMigrateCommand())
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
