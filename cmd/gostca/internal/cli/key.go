package cli

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
	cmd.AddCommand(a.keyNewCommand(), a.keyExportCommand(), a.keyImportCommand())
	return cmd
}

func (a *app) keyNewCommand() *cobra.Command {
	var keyType, out, cipher string
	var plain bool
	cmd := &cobra.Command{
		Use:   "new --out FILE [--key TYPE]",
		Short: "Make a key pair, written as PKCS#8 PEM (encrypted unless --no-passphrase)",
		Long: `Key new makes a GOST R 34.10-2012 key pair and writes it to a new file
(mode 0600) as PKCS#8 PEM, encrypted with a passphrase, in the form
OpenSSL's GOST engine and GnuTLS read. It never replaces a file.

The passphrase is stretched by PBKDF2-HMAC-Streebog-512 at 200,000
iterations (about a second per unlock); $GOSTCA_KDF_ITERATIONS sets
another count, from 1,000 up. --cipher gost89 encrypts with GOST 28147-89
instead of AES-256-CBC, as 'openssl pkcs8 -v2 gost89' does; --cipher
kuznyechik or magma with Kuznyechik or Magma CTR-ACPKM and an OMAC (RFC
9337), which gostca reads but OpenSSL 3.0 and GnuTLS do not.`,
		Example: `  gostca key new --out alice.key
  gostca key new --key gost2012-512:A --out server.key --no-passphrase
  GOSTCA_PASSPHRASE=... gostca key new --key tc26-256-a --out bob.key`,
		Args: usageArgs(cobra.NoArgs),
	}
	cmd.Flags().StringVar(&keyType, "key", defaultKeyType, keyTypeHelp)
	cmd.Flags().StringVar(&out, "out", "", "the new key `FILE`")
	cmd.Flags().BoolVar(&plain, "no-passphrase", false, "write the key unencrypted")
	cmd.Flags().StringVar(&cipher, "cipher", "aes256", cipherHelp)
	pass := addPassFlag(cmd, "pass-file", envPassphrase, "new key passphrase")
	pass.repeat = true
	cmd.MarkFlagRequired("out")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		params, err := parseKeyType(keyType)
		if err != nil {
			return err
		}
		opts, err := a.keyFileOptions(cipher)
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

func (a *app) keyExportCommand() *cobra.Command {
	var certFile, chainFile, format, out, cipher string
	cmd := &cobra.Command{
		Use:   "export KEY --cert CERT [--chain FILE] [--cipher gost89|kuznyechik|magma] --format pfx --out FILE.pfx",
		Short: "Put a key and its certificates into a PFX for other GOST software",
		Long: `Key export writes the key file KEY with its certificate CERT (and the
certificates after it in CERT, and those of --chain) into a GOST PFX
(PKCS#12 as R 50.1.112-2016 / RFC 9548 describe it): the key bag and the
certificates encrypted with GOST 28147-89 (TC26-Z S-box) under
PBKDF2-HMAC-Streebog-512, and an HMAC-Streebog-512 MAC, the form
CryptoPro CSP, OpenSSL's GOST engine and GnuTLS import.

--cipher kuznyechik or magma encrypts the bags instead with Kuznyechik
or Magma in CTR-ACPKM mode with an OMAC of each bag (the -ctracpkm-omac
schemes of RFC 9548), which detects a damaged or altered bag by itself;
OpenSSL 3.0's GOST engine and GnuTLS cannot read those, so use them only
for software that implements them.

KEY's passphrase comes from --pass-file, $GOSTCA_PASSPHRASE or a prompt;
the PFX's password, a new one, from --pfx-pass-file, $GOSTCA_PFX_PASSPHRASE
or a prompt (asked twice). The PFX is written with mode 0600 and never
over an existing file.`,
		Example: `  gostca key export alice.key --cert alice.pem --format pfx --out alice.pfx
  gostca key export alice.key --cert alice.pem --chain ca-chain.pem --pfx-pass-file pfx.pass --format pfx --out alice.pfx
  gostca key export alice.key --cert alice.pem --cipher kuznyechik --out alice.pfx`,
		Args: usageArgs(cobra.ExactArgs(1)),
	}
	f := cmd.Flags()
	f.StringVar(&certFile, "cert", "", "the key's certificate `FILE` (PEM or DER; more certificates after it go in too)")
	f.StringVar(&chainFile, "chain", "", "the issuers' certificates `FILE` (PEM), to go in too")
	f.StringVar(&format, "format", "pfx", "pfx (the only format)")
	f.StringVar(&out, "out", "", "the new PFX `FILE`")
	f.StringVar(&cipher, "cipher", "gost89", pfxCipherHelp)
	keyPass := addPassFlag(cmd, "pass-file", envPassphrase, "key passphrase")
	pfxPass := addPFXPassFlag(cmd, true)
	cmd.MarkFlagRequired("cert")
	cmd.MarkFlagRequired("out")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(format, "pfx"); err != nil {
			return err
		}
		if err := checkPFXCipher(cipher); err != nil {
			return err
		}
		certs, err := readCerts(certFile)
		if err != nil {
			return fileError(certFile, err)
		}
		if chainFile != "" {
			more, err := readCerts(chainFile)
			if err != nil {
				return fileError(chainFile, err)
			}
			certs = append(certs, more...)
		}
		key, err := keyfile.Read(args[0], a.passSource(keyPass))
		if err != nil {
			return keyError(args[0], keyPass, err)
		}
		return a.writePFX(out, key, certs[0], certs[1:], pfxPass, cipher)
	}
	return cmd
}

func (a *app) keyImportCommand() *cobra.Command {
	var out, certOut, cipher string
	var plain bool
	cmd := &cobra.Command{
		Use:   "import FILE.pfx --out KEY [--cert-out FILE]",
		Short: "Take a key and its certificates out of a PFX made by other GOST software",
		Long: `Key import opens the GOST PFX FILE.pfx (as CryptoPro CSP, OpenSSL's GOST
engine, GnuTLS or 'gostca key export' write it: GOST 28147-89 with any
of its S-boxes, Kuznyechik or Magma CTR-ACPKM with or without an OMAC,
Streebog-256 or -512 MACs keyed as RFC 9548 says or the older RFC 7292
way) and writes its key to KEY, a new PKCS#8 file (mode
0600) encrypted with a passphrase unless --no-passphrase, and its
certificates, the key's first, to --cert-out (PEM; default KEY with the
extension .pem).

The PFX's password comes from --pfx-pass-file, $GOSTCA_PFX_PASSPHRASE or a
prompt; the new key's passphrase from --pass-file, $GOSTCA_PASSPHRASE or a
prompt (asked twice). Neither file may exist; nothing is written when
anything fails.`,
		Example: `  gostca key import alice.pfx --out alice.key
  gostca key import alice.pfx --out alice.key --cert-out alice-chain.pem --cipher gost89`,
		Args: usageArgs(cobra.ExactArgs(1)),
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "the new key `FILE`")
	f.StringVar(&certOut, "cert-out", "", "write the certificates to `FILE` (default KEY with .pem)")
	f.BoolVar(&plain, "no-passphrase", false, "write the key unencrypted")
	f.StringVar(&cipher, "cipher", "aes256", cipherHelp)
	pfxPass := addPFXPassFlag(cmd, false)
	keyPass := addPassFlag(cmd, "pass-file", envPassphrase, "new key passphrase")
	keyPass.repeat = true
	cmd.MarkFlagRequired("out")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		opts, err := a.keyFileOptions(cipher)
		if err != nil {
			return err
		}
		if certOut == "" {
			certOut = strings.TrimSuffix(out, filepath.Ext(out)) + ".pem"
		}
		if certOut == out {
			return usagef("--cert-out is the key file %s", out)
		}
		for _, p := range []string{out, certOut} {
			if _, err := os.Stat(p); err == nil {
				return failf("%s exists", p).withHint("give another --out or --cert-out")
			}
		}
		c, err := a.readPFXFile(args[0], pfxPass)
		if err != nil {
			return err
		}
		certs, err := pfxCertificates(args[0], c)
		if err != nil {
			return err
		}
		var passphrase []byte
		if !plain {
			if passphrase, err = a.readPass(keyPass); err != nil {
				return err
			}
		}
		if err := keyfile.Write(out, c.Key, passphrase, opts); err != nil {
			return fileError(out, err)
		}
		if len(certs) > 0 {
			var data []byte
			for _, pc := range certs {
				data = append(data, pemBytes("CERTIFICATE", pc.Raw)...)
			}
			of, err := createOut(certOut, 0o644, false)
			if err == nil {
				if _, err = of.Write(data); err != nil {
					of.abort()
				} else {
					err = of.commit()
				}
			}
			if err != nil {
				os.Remove(out)
				return err
			}
		}
		what := "no certificate"
		switch {
		case len(certs) == 1:
			what = "its certificate to " + certOut
		case len(certs) > 1:
			what = fmt.Sprintf("%d certificates to %s", len(certs), certOut)
		}
		messagef(a.env.Stderr, "wrote the %d-bit %s key of %s to %s, and %s", c.Key.Params().Bits(), c.Key.Params().Name(), args[0], out, what)
		return nil
	}
	return cmd
}
