package cli

import (
	"github.com/spf13/cobra"
)

func (a *app) renewCommand() *cobra.Command {
	var csrPath, out, format string
	cmd := &cobra.Command{
		Use:   "renew SERIAL [--csr FILE] [--out FILE]",
		Short: "Issue a successor to a certificate",
		Long: `Renew issues a successor to the certificate SERIAL, which must be valid
(neither revoked nor on hold): same profile, subject and names, the
profile's validity from now. Without --csr the successor certifies the
same key; with --csr, the request's key (rekey). The ledger links the two.`,
		Example: `  gostca renew 5F3A...C1 --out alice-2027.pem
  gostca renew 5F3A...C1 --csr alice-new.csr --out alice-2027.pem`,
		Args: usageArgs(cobra.ExactArgs(1)),
	}
	cmd.Flags().StringVar(&csrPath, "csr", "", "a request for a new key (rekey)")
	cmd.Flags().StringVar(&out, "out", "", "write the certificate to `FILE`")
	cmd.Flags().StringVar(&format, "format", "pem", "pem or der")
	keys := addCAKeyFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		serial, err := parseSerial(args[0])
		if err != nil {
			return err
		}
		if err := checkFormat(format, "pem", "der"); err != nil {
			return err
		}
		var csr []byte
		if csrPath != "" {
			if csr, err = readCSR(csrPath); err != nil {
				return err
			}
		}
		au, err := a.openCA(keys)
		if err != nil {
			return err
		}
		defer au.Close()
		c, err := au.Renew(serial, csr)
		if err != nil {
			return refused(au, serial, "renew", err)
		}
		return a.writeIssued(c, out, format)
	}
	return cmd
}
