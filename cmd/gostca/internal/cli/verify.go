package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/status"
	"github.com/gostca/gostca/crypto/cert"
)

func (a *app) verifyCommand() *cobra.Command {
	var chainFile string
	cmd := &cobra.Command{
		Use:   "verify CERT [--chain FILE]",
		Short: "Verify a certificate's chain, and its status in the ledger",
		Long: `Verify builds and checks the chain of CERT (signatures, validity,
basicConstraints, key usage, name chaining) up to a self-signed root among
the CA's certificates (ca.pem, chain.pem) and those of --chain, then looks
its status up in the CA's ledger. It fails (exit 1) if the chain does not
verify, or if the certificate is revoked, on hold, expired or not in the
ledger. Without a CA directory, give --chain: only the chain is checked.`,
		Example: `  gostca verify alice.pem
  gostca verify --dir sub alice.pem --chain root/ca.pem`,
		Args: usageArgs(cobra.ExactArgs(1)),
	}
	cmd.Flags().StringVar(&chainFile, "chain", "", "more issuer certificates (PEM), the root among them")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		certs, err := readCerts(args[0])
		if err != nil {
			return fileError(args[0], err)
		}
		leaf := certs[0]
		pool := certs[1:]
		if chainFile != "" {
			more, err := readCerts(chainFile)
			if err != nil {
				return fileError(chainFile, err)
			}
			pool = append(pool, more...)
		}
		_, statErr := os.Stat(a.path(configName))
		haveCA := statErr == nil
		if haveCA {
			caCert, chain, err := a.caCerts()
			if err != nil {
				return err
			}
			pool = append(append(pool, caCert), chain...)
		} else if chainFile == "" {
			return a.noCA(configName + " not found, and no --chain")
		}
		roots, inter := splitRoots(pool)
		if len(roots) == 0 {
			return failf("no self-signed root among the issuer certificates").withHint("give the root with --chain")
		}
		path, err := leaf.Verify(cert.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: a.env.Now()})
		if err != nil {
			return failf("%s: chain does not verify: %s", args[0], trimPrefix(err)).because(err)
		}
		var names []string
		for _, c := range path {
			names = append(names, commonName(c.Subject.String()))
		}
		fmt.Fprintf(a.env.Stdout, "%s: chain OK: %s\n", args[0], strings.Join(names, " <- "))
		if !haveCA {
			fmt.Fprintf(a.env.Stdout, "%s: status not checked (no CA directory)\n", args[0])
			return nil
		}
		loc, err := a.where()
		if err != nil {
			return err
		}
		db, err := a.openLedger(true)
		if err != nil {
			return err
		}
		defer db.Close()
		issuer := leaf
		if len(path) > 1 {
			issuer = path[1]
		}
		res, err := status.NewLedgerDB(db, loc.String(), &status.LedgerOptions{Clock: a.env.Now}).Check(cmd.Context(), leaf, issuer)
		if err != nil {
			return failf("%s: %s", args[0], trimPrefix(err)).because(err)
		}
		switch res.State {
		case ca.StateUnknown:
			return failf("%s: serial %s is not in the ledger of %s", args[0], formatSerial(leaf.SerialNumber), a.dir).
				withHint("verify it in the directory of the CA that issued it (--dir)")
		case ca.StateGood:
			fmt.Fprintf(a.env.Stdout, "%s: status %s in the ledger\n", args[0], statusValid)
			return nil
		}
		msg := fmt.Sprintf("%s: certificate %s is %s", args[0], formatSerial(leaf.SerialNumber), stateWord(res.State))
		if res.Revoked() {
			msg += fmt.Sprintf(" since %s (%s)", formatDate(res.RevokedAt), res.Reason)
		}
		return failf("%s", msg)
	}
	return cmd
}
