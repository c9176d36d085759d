package cli

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/gostca/gostca/crypto/cert"
)

func (a *app) importCACommand() *cobra.Command {
	var chainFile string
	cmd := &cobra.Command{
		Use:   "import-ca CERT [--chain FILE]",
		Short: "Install the certificate an offline root made for this CA",
		Long: `Import-ca completes a CA made with 'gostca init --csr-out': CERT is the
certificate the offline root signed for the request, --chain the
certificates above it (nearest first, the root last). The certificate must
be a CA certificate for this CA's key that verifies through the chain.
It becomes ca.pem, the chain chain.pem.`,
		Example: `  gostca --dir root issue --csr sub.csr --profile subca --out sub.pem
  gostca --dir sub import-ca sub.pem --chain root/ca.pem`,
		Args: usageArgs(cobra.ExactArgs(1)),
	}
	cmd.Flags().StringVar(&chainFile, "chain", "", "the issuers of CERT, nearest first, the root last (PEM)")
	keys := addCAKeyFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		cfg, err := a.loadConfig()
		if err != nil {
			return err
		}
		if _, err := os.Stat(a.path(certName)); err == nil {
			return failf("the CA in %s already has its certificate (%s)", a.dir, a.path(certName))
		}
		certs, err := readCerts(args[0])
		if err != nil {
			return fileError(args[0], err)
		}
		var chain []*cert.Certificate
		if chainFile != "" {
			if chain, err = readCerts(chainFile); err != nil {
				return fileError(chainFile, err)
			}
		}
		db, err := a.openLedger(false)
		if err != nil {
			return err
		}
		defer db.Close()
		c, closeKey, err := a.newCA(cfg, db, keys, nil, nil)
		if err != nil {
			return err
		}
		defer closeKey()
		cc, err := c.Import(certs[0].Raw, chain)
		if err != nil {
			return failf("%s", trimPrefix(err)).withHint("CERT must be the root's answer to %s, and --chain its issuers up to the root", a.path(csrName)).because(err)
		}
		var made []string
		if err := a.writeCACerts(cc, chain, &made); err != nil {
			return err
		}
		messagef(a.env.Stderr, "installed the certificate of %q in %s", cc.Subject.String(), a.dir)
		return nil
	}
	return cmd
}
