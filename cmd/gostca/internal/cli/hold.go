package cli

import (
	"math/big"

	"github.com/spf13/cobra"
)

func (a *app) holdCommand() *cobra.Command {
	return a.onHoldCommand(&cobra.Command{
		Use:   "hold SERIAL",
		Short: "Suspend a certificate (certificateHold)",
		Long: `Hold suspends the certificate SERIAL: CRLs list it with the reason
certificateHold until 'gostca release' or 'gostca revoke'.`,
		Example: `  gostca hold 5F3A...C1`,
	}, "hold", "put %s on hold", func(au *authority, serial *big.Int) error { return au.Hold(serial) })
}

func (a *app) releaseCommand() *cobra.Command {
	return a.onHoldCommand(&cobra.Command{
		Use:   "release SERIAL",
		Short: "Take a certificate off hold",
		Long: `Release takes the certificate SERIAL off hold: it is valid again, and the
next delta CRL lists it with the reason removeFromCRL.`,
		Example: `  gostca release 5F3A...C1`,
	}, "release", "released %s from hold", func(au *authority, serial *big.Int) error { return au.Release(serial) })
}

// onHoldCommand completes hold and release, which differ only in the call:
// open the CA, act on SERIAL, report done (a format taking the serial).
func (a *app) onHoldCommand(cmd *cobra.Command, doing, done string, act func(*authority, *big.Int) error) *cobra.Command {
	cmd.Args = usageArgs(cobra.ExactArgs(1))
	keys := addCAKeyFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		serial, err := parseSerial(args[0])
		if err != nil {
			return err
		}
		au, err := a.openCA(keys)
		if err != nil {
			return err
		}
		defer au.Close()
		if err := act(au, serial); err != nil {
			return refused(au, serial, doing, err)
		}
		messagef(a.env.Stderr, done, formatSerial(serial))
		return nil
	}
	return cmd
}
