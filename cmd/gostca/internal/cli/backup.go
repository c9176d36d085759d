package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/gostca/gostca/store"
)

func (a *app) backupCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backup FILE",
		Short: "Copy the ledger, consistently, to a new file",
		Long: `Backup writes a consistent copy of the ledger to FILE (a new file, mode
0600) while the CA may keep working, and prints its audit head. It copies
the ledger only: keep ca.key, gostca.json and the certificates as well.
'gostca restore' puts a copy back.`,
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
			return notYet()
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
its audit head with the last one you kept.`,
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
		if err := restoreLedger(a.path(ledgerName), f); err != nil {
			return err
		}
		messagef(a.env.Stderr, "restored %s from %s", a.path(ledgerName), args[0])
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
