package cli

import "github.com/spf13/cobra"

func (a *app) holdCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hold SERIAL",
		Short: "Suspend a certificate (certificateHold)",
		Long: `Hold suspends the certificate SERIAL: CRLs list it with the reason
certificateHold until 'gostca release' or 'gostca revoke'.`,
		Example: `  gostca hold 5F3A...C1`,
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
		if err := au.Hold(serial); err != nil {
			return refused(au, serial, "hold", err)
		}
		messagef(a.env.Stderr, "put %s on hold", formatSerial(serial))
		return nil
	}
	return cmd
}
