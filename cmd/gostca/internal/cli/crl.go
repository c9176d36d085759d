package cli

import (
	"github.com/spf13/cobra"

	"github.com/gostca/gostca/crypto/cert"
)

func (a *app) crlCommand() *cobra.Command {
	var delta bool
	var out, format string
	cmd := &cobra.Command{
		Use:   "crl [--delta] [--out FILE]",
		Short: "Make the next CRL",
		Long: `Crl signs the CA's next CRL from the ledger and records it: a full CRL
(every revoked and held certificate), or with --delta a delta CRL of the
changes since the last full one. Full and delta CRLs share one sequence of
numbers. Their validity is crl_days and delta_crl_hours of gostca.json.`,
		Example: `  gostca crl --out /var/www/ca/ca.crl
  gostca crl --delta --format der --out /var/www/ca/delta.crl`,
		Args: usageArgs(cobra.NoArgs),
	}
	cmd.Flags().BoolVar(&delta, "delta", false, "make a delta CRL")
	cmd.Flags().StringVar(&out, "out", "", "write the CRL to `FILE` (default standard output)")
	cmd.Flags().StringVar(&format, "format", "pem", "pem or der")
	keys := addCAKeyFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(format, "pem", "der"); err != nil {
			return err
		}
		au, err := a.openCA(keys)
		if err != nil {
			return err
		}
		defer au.Close()
		der, err := au.CRL(delta)
		if err != nil {
			return err
		}
		rl, err := cert.ParseRevocationList(der)
		if err != nil {
			return err
		}
		data := der
		if format == "pem" {
			data = pemBytes("X509 CRL", der)
		}
		kind := "CRL"
		if delta {
			kind = "delta CRL"
		}
		if err := a.writeOut(out, data, format == "der", "the "+kind); err != nil {
			return err
		}
		messagef(a.env.Stderr, "%s number %v: %d revoked or held, next update %s", kind, rl.Number, len(rl.Entries), formatDate(rl.NextUpdate))
		return nil
	}
	return cmd
}
