package cli

import "github.com/spf13/cobra"

func (a *app) releaseCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "release SERIAL",
		Short: "Take a certificate off hold",
		Long: `Release takes the certificate SERIAL off hold: it is valid again, and the
next delta CRL lists it with the reason removeFromCRL.`,
		Example: `  gostca release 5F3A...C1`,
		Args:    usageArgs(cobra.ExactArgs(1)),
	}
	pass := addPassFlag(cmd, "pass-file", envPassphrase, "CA key passphrase")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		serial, err := parseSerial(args[0])
		if err != nil {
			return err
		}
		au, err := a.openCA(pass)
		if err != nil {
			return err
		}
		defer au.Close()
		if err := au.Release(serial); err != nil {
			return refused(au, serial, "release", err)
		}
		messagef(a.env.Stderr, "released %s from hold", formatSerial(serial))
		return nil
	}
	return cmd
}
