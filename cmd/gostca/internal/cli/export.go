package cli

import (
	"errors"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gostca/gostca/ca/certpdf"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/crypto/keyfile"
	"github.com/gostca/gostca/crypto/truststore"
)

func (a *app) exportCommand() *cobra.Command {
	var format, out, keyPath, cipher, checkURL string
	var withChain bool
	cmd := &cobra.Command{
		Use:   "export SERIAL [--format pem|der|p7b|p12|pfx|pdf] [--out FILE]",
		Short: "Export a certificate of the ledger, alone or with its chain",
		Long: `Export writes the certificate SERIAL from the ledger: pem or der (alone;
pem --chain adds the CA's certificate and chain), p7b (a PKCS#7
certificates-only bundle of the certificate and its chain, DER) or p12 (a
PKCS#12 trust store of the certificate and its chain, protected by a
password from --pass-file, $GOSTCA_EXPORT_PASSPHRASE or a prompt), or pfx:
the subscriber's own key (--key, its passphrase from --key-pass-file,
$GOSTCA_PASSPHRASE or a prompt) with the certificate and its chain in a
GOST PFX (RFC 9548) that CryptoPro CSP, OpenSSL's GOST engine and GnuTLS
import, its password from --pfx-pass-file, $GOSTCA_PFX_PASSPHRASE or a
prompt; a PFX goes to --out (mode 0600), never to standard output. Its
bags are encrypted with GOST 28147-89, or with --cipher kuznyechik or
magma with the CTR-ACPKM-OMAC schemes of RFC 9548, which OpenSSL 3.0's
GOST engine and GnuTLS cannot read.

--format pdf writes the printable copy of the certificate: an A4 PDF in
Russian with every field of the certificate, lines for the signatures of
the owner and of the CA's officer, and a QR code of the certificate's
check page. The URL in the QR code is --check-url, or else the "public_url"
of the "ra" section of gostca.json followed by /check/SERIAL. Like der, a
PDF is never written to a terminal.`,
		Example: `  gostca export 5F3A...C1 > alice.pem
  gostca export 5F3A...C1 --format p7b --out alice.p7b
  gostca export 5F3A...C1 --format p12 --pass-file p12.pass --out alice.p12
  gostca export 5F3A...C1 --format pfx --key alice.key --out alice.pfx
  gostca export 5F3A...C1 --format pdf --out alice.pdf
  gostca export 5F3A...C1 --format pdf --check-url https://ca.example.ru/check/5F3A...C1 --out alice.pdf`,
		Args: usageArgs(cobra.ExactArgs(1)),
	}
	cmd.Flags().StringVar(&format, "format", "pem", "pem, der, p7b, p12, pfx or pdf")
	cmd.Flags().StringVar(&checkURL, "check-url", "", "pdf: the `URL` of the check page, for the QR code (default: ra.public_url/check/SERIAL)")
	cmd.Flags().StringVar(&keyPath, "key", "", "pfx: the subscriber's key `FILE`")
	cmd.Flags().StringVar(&cipher, "cipher", "gost89", "pfx: "+pfxCipherHelp)
	cmd.Flags().StringVar(&out, "out", "", "write to `FILE` (default standard output)")
	cmd.Flags().BoolVar(&withChain, "chain", false, "pem: add the CA's certificate and chain")
	pass := addPassFlag(cmd, "pass-file", envExportPassphrase, "PKCS#12 password")
	pass.repeat = true
	keyPass := addPassFlag(cmd, "key-pass-file", envPassphrase, "key passphrase")
	pfxPass := addPFXPassFlag(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		serial, err := parseSerial(args[0])
		if err != nil {
			return err
		}
		if err := checkFormat(format, "pem", "der", "p7b", "p12", "pfx", "pdf"); err != nil {
			return err
		}
		switch {
		case format == "pfx" && keyPath == "":
			return usagef("--format pfx needs the subscriber's key: --key FILE")
		case format == "pfx" && (out == "" || out == "-"):
			return usagef("--format pfx writes a key: give --out FILE")
		case format != "pfx" && keyPath != "":
			return usagef("--key goes with --format pfx")
		case format != "pfx" && cmd.Flags().Changed("cipher"):
			return usagef("--cipher goes with --format pfx")
		case format != "pdf" && cmd.Flags().Changed("check-url"):
			return usagef("--check-url goes with --format pdf")
		}
		urlFrom := "--check-url"
		if format == "pdf" && checkURL == "" {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			base := strings.TrimSuffix(cfg.RA.PublicURL, "/")
			if base == "" {
				return usagef("--format pdf needs the address of the certificate's check page, for its QR code").
					withHint("give --check-url URL, or set \"public_url\" in the \"ra\" section of %s", a.path(configName))
			}
			checkURL = base + "/check/" + formatSerial(serial)
			urlFrom = "the check page of ra.public_url"
		}
		if format == "pfx" {
			if err := checkPFXCipher(cipher); err != nil {
				return err
			}
		}
		db, err := a.openLedger(true)
		if err != nil {
			return err
		}
		defer db.Close()
		r, err := db.Get(serial)
		if err != nil || len(r.DER) == 0 {
			return failf("no certificate with serial %s in the ledger", formatSerial(serial)).
				withHint("'gostca list' shows the serial numbers of this CA").because(err)
		}
		leaf, err := cert.ParseCertificate(r.DER)
		if err != nil {
			return err
		}
		certs := []*cert.Certificate{leaf}
		if format != "der" && format != "pdf" && (format != "pem" || withChain) {
			caCert, chain, err := a.caCerts()
			if err != nil {
				return err
			}
			// The CA's own certificate is in its ledger too.
			for _, c := range append([]*cert.Certificate{caCert}, chain...) {
				if string(c.Raw) != string(leaf.Raw) {
					certs = append(certs, c)
				}
			}
		}
		if format == "pdf" {
			return a.writeCopy(out, leaf, checkURL, urlFrom)
		}
		if format == "pfx" {
			key, err := keyfile.Read(keyPath, a.passSource(keyPass))
			if err != nil {
				return keyError(keyPath, keyPass, err)
			}
			return a.writePFX(out, key, leaf, certs[1:], pfxPass, cipher)
		}
		var data []byte
		switch format {
		case "pem":
			for _, c := range certs {
				data = append(data, pemBytes("CERTIFICATE", c.Raw)...)
			}
		case "der":
			data = leaf.Raw
		case "p7b":
			if data, err = cms.EncodeCertificates(certs); err != nil {
				return err
			}
		case "p12":
			password, err := a.readPass(pass)
			if err != nil {
				return err
			}
			if data, err = truststore.Encode(certs, string(password)); err != nil {
				return err
			}
		}
		return a.writeOut(out, data, format != "pem", "the "+format)
	}
	return cmd
}

// writeCopy writes the printable copy of leaf (certpdf.Copy), dated today,
// with the CA's certificate in the issuer's block when it issued leaf.
// from says where checkURL came from, for the error.
func (a *app) writeCopy(out string, leaf *cert.Certificate, checkURL, from string) error {
	// Dated by the day, so that a copy printed again that day is the same file.
	now := a.env.Now()
	y, m, d := now.Date()
	opts := certpdf.CopyOptions{CheckURL: checkURL, Printed: time.Date(y, m, d, 0, 0, 0, 0, now.Location())}
	if caCert, chain, err := a.caCerts(); err == nil {
		for _, c := range append([]*cert.Certificate{caCert}, chain...) {
			if string(c.Raw) != string(leaf.Raw) && leaf.CheckSignatureFrom(c) == nil {
				opts.Issuer = c
				break
			}
		}
	}
	data, err := certpdf.Copy(leaf, opts)
	if errors.Is(err, certpdf.ErrCheckURL) {
		return usagef("%s: %s", from, strings.TrimPrefix(err.Error(), "certpdf: invalid check URL: ")).
			withHint("give the http or https address of the check page, such as https://ca.example.ru/check/%s", formatSerial(leaf.SerialNumber))
	}
	if err != nil {
		return err
	}
	return a.writeOut(out, data, true, "the printable copy (pdf)")
}
