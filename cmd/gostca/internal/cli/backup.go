package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/gostca/gostca/store"
	"github.com/gostca/gostca/store/ledgercopy"
)

func (a *app) backupCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backup FILE",
		Short: "Copy the ledger, consistently, to a new file",
		Long: `Backup writes a consistent copy of the ledger to FILE (a new file, mode
0600) while the CA may keep working. It copies the ledger only: keep
ca.key, gostca.json and the certificates as well. 'gostca restore' puts a
copy back.

The backup of a PostgreSQL ledger is a ledger file too, from one snapshot
of the database, with the same audit head ('gostca ledger copy' and
'restore' put it back into a database). It does not replace the
database's own backups (pg_basebackup and WAL archiving, or pg_dump).`,
		Example: `  gostca backup /backup/ledger-$(date +%F).db`,
		Args:    usageArgs(cobra.ExactArgs(1)),
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		db, err := a.openLedger(true)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.VerifyAudit(); err != nil {
			return failf("not backing up a ledger whose audit log does not verify: %s", trimPrefix(err))
		}
		file, ok := db.(*store.DB)
		if !ok {
			// A PostgreSQL ledger's backup is a ledger file, from one
			// snapshot.
			sum, err := copyLedger(cmd.Context(), args[0], db.(ledgercopy.Source))
			if err != nil {
				return err
			}
			messagef(a.env.Stderr, "wrote a copy of the ledger (%d audit entries, head %x) to %s", sum.Head.Seq, sum.Head.Hash, args[0])
			fmt.Fprintln(a.env.Stdout, args[0])
			return nil
		}
		var buf bytes.Buffer
		n, err := file.WriteTo(&buf)
		if err != nil {
			return err
		}
		if err := writeNewFile(args[0], buf.Bytes(), 0o600); err != nil {
			return err
		}
		messagef(a.env.Stderr, "wrote %d bytes to %s", n, args[0])
		fmt.Fprintln(a.env.Stdout, args[0])
		return nil
	}
	return cmd
}

func (a *app) restoreCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Put a ledger backup in place of a missing ledger",
		Long: `Restore checks a copy made by 'gostca backup' (page structure, schema,
audit chain) and makes it the CA's ledger. It refuses to replace an
existing ledger. A stale backup forgets what was issued since: compare
its audit head with the last one you kept.

With a PostgreSQL ledger, restore copies the backup into the database,
whose ledger must be empty (a new database: 'gostca ledger migrate' is
not needed first), in one transaction.`,
		Example: `  gostca restore /backup/ledger-2026-03-01.db`,
		Args:    usageArgs(cobra.ExactArgs(1)),
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if _, err := a.loadConfig(); err != nil {
			return err
		}
		f, err := openFile(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		loc, err := a.where()
		if err != nil {
			return err
		}
		if loc.postgres() {
			return a.restorePostgres(cmd.Context(), loc, f)
		}
		if err := restoreLedger(loc.path, f); err != nil {
			return err
		}
		messagef(a.env.Stderr, "restored %s from %s", loc.path, args[0])
		return nil
	}
	return cmd
}

func openFile(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	return f, nil
}

// restoreLedger puts the copy r in place as the ledger at path.
func restoreLedger(path string, r io.Reader) error {
	err := store.Restore(path, r)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		return failf("the ledger %s exists: restore only replaces a missing ledger", path).
			withHint("move the ledger away first if you mean to replace it").because(err)
	}
	return failf("%s", trimPrefix(err)).withHint("the copy is damaged or not a ledger: try another backup").because(err)
}

// restorePostgres copies the ledger file f into the empty PostgreSQL
// ledger at loc.
func (a *app) restorePostgres(ctx context.Context, loc ledgerLocation, f *os.File) error {
	f.Close()
	if err := store.CheckFile(f.Name()); err != nil {
		return failf("%s", trimPrefix(err)).withHint("the copy is damaged or not a ledger: try another backup").because(err)
	}
	src, err := openFileLedger(f.Name(), true, nil)
	if err != nil {
		return err
	}
	defer src.Close()
	sum, err := copyLedger(ctx, loc.url, src)
	if err != nil {
		return err
	}
	messagef(a.env.Stderr, "restored the ledger %s from %s: %d audit entries, head %x", loc, f.Name(), sum.Head.Seq, sum.Head.Hash)
	return nil
}
