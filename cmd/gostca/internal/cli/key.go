package cli

import (
	"crypto/rand"

	"github.com/spf13/cobra"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/keyfile"
)

func (a *app) keyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key",
		Short: "Subscriber keys",
		Args:  usageArgs(cobra.NoArgs),
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(a.keyNewCommand())
	return cmd
}

func (a *app) keyNewCommand() *cobra.Command {
	var keyType, out string
	var plain bool
	cmd := &cobra.Command{
		Use:   "new --out FILE [--key TYPE]",
		Short: "Make a key pair, written as PKCS#8 PEM (encrypted unless --no-passphrase)",
		Long: `Key new makes a GOST R 34.10-2012 key pair and writes it to a new file
(mode 0600) as PKCS#8 PEM, encrypted with a passphrase, in the form
OpenSSL's GOST engine and GnuTLS read. It never replaces a file.

The passphrase is stretched by PBKDF2-HMAC-Streebog-512 at 200,000
iterations (about a second per unlock); $GOSTCA_KDF_ITERATIONS sets
another count, from 1,000 up.`,
		Example: `  gostca key new --out alice.key
  gostca key new --key gost2012-512:A --out server.key --no-passphrase
  GOSTCA_PASSPHRASE=... gostca key new --key tc26-256-a --out bob.key`,
		Args: usageArgs(cobra.NoArgs),
	}
	cmd.Flags().StringVar(&keyType, "key", defaultKeyType, keyTypeHelp)
	cmd.Flags().StringVar(&out, "out", "", "the new key `FILE`")
	cmd.Flags().BoolVar(&plain, "no-passphrase", false, "write the key unencrypted")
	pass := addPassFlag(cmd, "pass-file", envPassphrase, "new key passphrase")
	pass.repeat = true
	cmd.MarkFlagRequired("out")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		params, err := parseKeyType(keyType)
		if err != nil {
			return err
		}
		opts, err := a.keyFileOptions()
		if err != nil {
			return err
		}
		var passphrase []byte
		if !plain {
			if passphrase, err = a.readPass(pass); err != nil {
				return err
			}
		}
		key, err := gost3410.GenerateKey(params, rand.Reader)
		if err != nil {
			return err
		}
		if err := keyfile.Write(out, key, passphrase, opts); err != nil {
			return fileError(out, err)
		}
		messagef(a.env.Stderr, "wrote a %d-bit %s key to %s", params.Bits(), params.Name(), out)
		return nil
	}
	return cmd
}
