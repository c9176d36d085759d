package cli

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gostca/gostca/store"
)

func (a *app) auditCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "The ledger's audit log",
		Args:  usageArgs(cobra.NoArgs),
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check the hash chain of the audit log",
		Long: `Audit verify checks the whole hash chain of the ledger's audit log and
prints the number of entries and the head (the Streebog-256 hash of the
last entry). Keep the head somewhere else (print it, sign it, log it
remotely): a chain that still verifies but has another head was rewritten.`,
		Example: `  gostca audit verify`,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.openLedger(true)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := db.VerifyAudit(); err != nil {
				var ae *store.AuditError
				if errors.As(err, &ae) {
					return failf("audit log broken at entry %d: %s", ae.Seq, ae.Problem).
						withHint("the ledger was tampered with or damaged: restore a backup and compare heads").because(err)
				}
				return err
			}
			var last store.AuditEntry
			for e, err := range db.Audit() {
				if err != nil {
					return err
				}
				last = e
			}
			fmt.Fprintf(a.env.Stdout, "audit log OK: %d entries, head %s\n", last.Seq, hex.EncodeToString(last.Hash[:]))
			return nil
		},
	}
	cmd.AddCommand(verify)
	return cmd
}
