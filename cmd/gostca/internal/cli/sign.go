package cli

import (
	"bufio"
	"bytes"
	"crypto"
	"errors"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/crypto/keyfile"
	"github.com/gostca/gostca/crypto/pkcs12"
)

// signOptions are the flags of sign.
type signOptions struct {
	key, module, certFile, chainFile string
	out, cosign                      string
	attached, pem, force             bool
	keys                             caKeySecrets
	pfxPass                          *passSpec
}

func (a *app) signCommand() *cobra.Command {
	var o signOptions
	cmd := &cobra.Command{
		Use:   "sign --key KEY|URI|PFX [--cert CERT] [--attached] [--out FILE] FILE",
		Short: "Sign a file: a detached .sig or an attached .p7s (CMS, CAdES-BES)",
		Long: `Sign makes an electronic signature of FILE with GOST R 34.10-2012 over
Streebog: CMS SignedData in the CAdES-BES form (signingTime, the signer's
certificate named in signingCertificateV2), as CryptoPro and OpenSSL's GOST
engine read it. FILE is read once, in pieces: a file of any size signs in
constant memory.

The signature is detached by default (FILE.sig, the content stays in
FILE); with --attached it embeds the content (FILE.p7s). Output is DER,
or PEM with --pem. Sign never replaces an existing file unless --force,
and writes nothing when it fails.

--key is a key file (PKCS#8 PEM or DER, encrypted or not: its passphrase
from --pass-file, else $GOSTCA_PASSPHRASE, else a prompt) or the PKCS#11
URI of a key in a token (the module from --module, the URI's module-path or
$GOSTCA_PKCS11_MODULE; the PIN from the URI's pin-source, else --pin-file,
else $GOSTCA_PIN, else a prompt, tried once), or a GOST PFX (.pfx, .p12: its password
from --pfx-pass-file, else $GOSTCA_PFX_PASSPHRASE, else a prompt) whose
certificates serve when --cert is not given. --cert is the key's
certificate; further certificates in it, and those of --chain (the
intermediates), go into the signature, so that a verifier needs only the
root. The certificate must be valid now and allow signatures.

--cosign SIG adds a signature to an existing one (a co-signature, for
documents several people sign): its signatures are checked over FILE
first, and the result goes to --out, or replaces SIG with --force. For an
attached SIG, give no FILE.`,
		Example: `  gostca sign --key alice.key --cert alice.pem contract.pdf
  gostca sign --key alice.key --cert alice.pem --chain ca-chain.pem --attached --pem report.xml
  gostca sign --key "pkcs11:token=alice;object=sign-2026?pin-source=file:/home/alice/.pin" \
      --module /usr/lib/librtpkcs11ecp.so --cert alice.pem contract.pdf
  gostca sign --key bob.key --cert bob.pem --cosign contract.pdf.sig --force contract.pdf
  gostca sign --key alice.pfx --pfx-pass-file pfx.pass contract.pdf`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
	}
	f := cmd.Flags()
	f.StringVar(&o.key, "key", "", "the signing `KEY`: a PKCS#8 key file, a GOST PFX, or the PKCS#11 URI of a key in a token")
	f.StringVar(&o.module, "module", "", keyModuleHelp)
	f.StringVar(&o.certFile, "cert", "", "the signer's certificate `FILE` (PEM or DER; more certificates after it are embedded too; default a PFX key's own)")
	f.StringVar(&o.chainFile, "chain", "", "intermediate certificates to embed, `FILE` (PEM)")
	f.BoolVar(&o.attached, "attached", false, "embed the content (default: a detached signature)")
	f.BoolVar(&o.pem, "pem", false, "write PEM (default DER)")
	f.StringVar(&o.out, "out", "", "write the signature to `FILE`, - for standard output (default FILE.sig, FILE.p7s with --attached, SIG with --cosign)")
	f.StringVar(&o.cosign, "cosign", "", "add a signature to the existing signature `SIG`")
	f.BoolVar(&o.force, "force", false, "replace the output file if it exists")
	o.keys = addKeyFlags(cmd)
	o.pfxPass = addPFXPassFlag(cmd, false)
	cmd.MarkFlagRequired("key")
	cmd.MarkFlagsMutuallyExclusive("cosign", "attached")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		content := ""
		if len(args) == 1 {
			content = args[0]
		}
		return a.sign(&o, content)
	}
	return cmd
}

// sign runs the sign command: everything that can fail without a secret
// is checked before the passphrase or PIN is asked for.
func (a *app) sign(o *signOptions, content string) error {
	var existing *cms.SignedData
	var existingPEM bool
	if o.cosign != "" {
		var err error
		if existing, existingPEM, err = readSignedData(o.cosign); err != nil {
			return err
		}
		switch {
		case existing.Detached && content == "":
			return usagef("%s is a detached signature: give the signed FILE", o.cosign)
		case !existing.Detached && content != "":
			return usagef("%s embeds its content: give no FILE", o.cosign)
		}
	} else if content == "" {
		return usagef("no FILE to sign").withHint("run 'gostca sign --help'")
	}
	pfxData, err := pfxKey(o)
	if err != nil {
		return err
	}
	out := o.out
	switch {
	case out != "":
	case o.cosign != "":
		out = o.cosign
	case o.attached:
		out = content + ".p7s"
	default:
		out = content + ".sig"
	}
	if out == content {
		return usagef("--out is the file to sign")
	}
	toStdout := out == "-"
	if toStdout && !o.pem && !existingPEM {
		if err := refuseBinaryTerminal(a.env.Stdout, "a signature"); err != nil {
			return err
		}
	}
	if _, err := os.Stat(out); err == nil && !toStdout && !o.force {
		return existsError(out)
	}
	var f *os.File
	var size int64
	if content != "" {
		var err error
		if f, size, err = openContent(content, o.attached); err != nil {
			return err
		}
		defer f.Close()
	}
	var pfx *pkcs12.Contents
	var fromPFX []*cert.Certificate
	if pfxData != nil {
		if pfx, err = a.readPFX(o.key, pfxData, o.pfxPass); err != nil {
			return err
		}
		if fromPFX, err = pfxCertificates(o.key, pfx); err != nil {
			return err
		}
		if o.certFile == "" && pfx.Certificate == nil {
			return failf("%s holds no certificate for its key", o.key).withHint("give the key's certificate with --cert")
		}
	}
	signerCert, extra, err := a.signerCertificates(o.certFile, o.chainFile, fromPFX)
	if err != nil {
		return err
	}
	if existing != nil {
		if err := checkCoSign(existing, signerCert, f, o.cosign); err != nil {
			return err
		}
	}

	var key crypto.Signer
	if pfx != nil {
		key = pfx.Key
	} else {
		var closeKey func()
		if key, closeKey, err = a.openSigningKey(o.key, o.module, o.keys); err != nil {
			return err
		}
		defer closeKey()
	}
	s, err := cms.NewSigner(key, signerCert, &cms.SignerOptions{Certificates: extra, Clock: a.env.Now})
	if err != nil {
		source := o.certFile
		if source == "" {
			source = o.key
		}
		return failf("%s: %s", source, trimPrefix(err)).withHint("--cert must be the certificate of the key --key names").because(err)
	}

	var w io.Writer = a.env.Stdout
	var of *outFile
	if !toStdout {
		if of, err = createOut(out, 0o644, o.force); err != nil {
			return err
		}
		w = of
	}
	what, err := writeSignature(w, s, o, existing, existingPEM, f, size)
	if err != nil {
		if of != nil {
			of.abort()
		}
		return failf("signing %s: %s", content, trimPrefix(err)).because(err)
	}
	if of != nil {
		if err := of.commit(); err != nil {
			return err
		}
	}
	signed := content
	if signed == "" {
		signed = "the content of " + o.cosign
	}
	where := out
	if toStdout {
		where = "standard output"
	}
	messagef(a.env.Stderr, "signed %s as %q (serial %s): wrote %s to %s", signed, commonName(signerCert.Subject.String()), formatSerial(signerCert.SerialNumber), what, where)
	return nil
}

// writeSignature makes the signature o asks for and writes it to w. It
// returns what it wrote, for the message.
func writeSignature(w io.Writer, s *cms.Signer, o *signOptions, existing *cms.SignedData, existingPEM bool, content *os.File, size int64) (string, error) {
	asPEM := o.pem || existingPEM
	var r io.Reader
	if content != nil {
		r = bufio.NewReaderSize(content, 64<<10)
	}
	var der []byte
	var err error
	what := "the detached signature"
	switch {
	case existing != nil:
		what = "the co-signed signature"
		der, err = s.CoSign(existing, r)
	case o.attached:
		what = "the attached signature"
		if !asPEM {
			return what, s.SignAttached(w, r, size)
		}
		pw := cms.NewPEMWriter(w)
		if err := s.SignAttached(pw, r, size); err != nil {
			return what, err
		}
		return what, pw.Close()
	default:
		der, err = s.SignDetached(r)
	}
	if err != nil {
		return what, err
	}
	if asPEM {
		der = cms.EncodePEM(der)
	}
	_, err = w.Write(der)
	return what, err
}

// openContent opens the file to sign; an attached signature needs its
// size, so a regular file.
func openContent(path string, attached bool) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fileError(path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fileError(path, err)
	}
	if fi.IsDir() || attached && !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, failf("%s is not a regular file", path)
	}
	return f, fi.Size(), nil
}

// pfxKey returns the content of --key when it is a PFX (by name or
// content), nil for another key, which needs --cert.
func pfxKey(o *signOptions) ([]byte, error) {
	if o.key != "" && !isTokenURI(o.key) {
		if data, err := readSmall(o.key, maxPFXSize); err == nil && looksPFX(o.key, data) {
			if o.module != "" {
				return nil, usagef("--module goes with --key URI, a key in a token")
			}
			return data, nil
		}
	}
	if o.certFile == "" {
		return nil, usagef(`required flag(s) "cert" not set`).withHint("--cert is the certificate of the key; a PFX --key may carry it")
	}
	return nil, nil
}

// signerCertificates reads --cert (the signer's certificate, then others
// to embed), else takes a PFX key's certificates (fromPFX), adds --chain,
// and checks that the signer's certificate is valid now and allows
// signatures.
func (a *app) signerCertificates(certFile, chainFile string, fromPFX []*cert.Certificate) (*cert.Certificate, []*cert.Certificate, error) {
	certs := fromPFX
	if certFile != "" {
		var err error
		if certs, err = readCerts(certFile); err != nil {
			return nil, nil, fileError(certFile, err)
		}
		certs = append(certs, fromPFX...)
	}
	if chainFile != "" {
		more, err := readCerts(chainFile)
		if err != nil {
			return nil, nil, fileError(chainFile, err)
		}
		certs = append(certs, more...)
	}
	c := certs[0]
	switch err := cms.CheckSignerCertificate(c, a.env.Now()); {
	case errors.Is(err, cms.ErrCertificateValidity):
		return nil, nil, failf("the certificate %s is not valid now: valid %s – %s", certFile, formatDate(c.NotBefore), formatDate(c.NotAfter)).
			withHint("a signature made with it would not verify; sign with a current certificate").because(err)
	case errors.Is(err, cms.ErrKeyUsage):
		return nil, nil, failf("the certificate %s does not allow signatures (key usage has neither digitalSignature nor nonRepudiation)", certFile).
			withHint("sign with a certificate of the signature profile").because(err)
	case err != nil:
		return nil, nil, failf("%s: %s", certFile, trimPrefix(err)).because(err)
	}
	return c, certs[1:], nil
}

// checkCoSign checks an existing signature before a co-signature: every
// signature in it holds over the content, and none is by the same
// certificate. A detached content is rewound for signing.
func checkCoSign(sd *cms.SignedData, signer *cert.Certificate, content *os.File, path string) error {
	var r io.Reader
	if content != nil {
		r = bufio.NewReaderSize(content, 64<<10)
	}
	var se *cms.SignerError
	switch err := sd.CheckCoSign(signer, r); {
	case errors.Is(err, cms.ErrDuplicateSigner) && errors.As(err, &se):
		return failf("%s already has a signature by this certificate (signature %d)", path, se.Index+1).because(err)
	case errors.As(err, &se):
		return failf("will not co-sign %s: signature %d does not verify: %s", path, se.Index+1, signatureWords(se.Err)).
			withHint("check that FILE is the signed document ('gostca verify-signature' tells more)").because(err)
	case err != nil:
		return failf("%s: %s", path, trimPrefix(err)).because(err)
	}
	if content != nil {
		if _, err := content.Seek(0, io.SeekStart); err != nil {
			return failf("rewinding %s: %v", content.Name(), err)
		}
	}
	return nil
}

// readSignedData reads a CMS signature file, DER or PEM, into memory, for
// co-signing; it reports whether it was PEM.
func readSignedData(path string) (*cms.SignedData, bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false, fileError(path, err)
	}
	isPEM := looksPEM(data)
	var sd *cms.SignedData
	if isPEM {
		sd, err = cms.ParsePEM(data)
	} else {
		sd, err = cms.Parse(data)
	}
	if err != nil {
		return nil, false, notSignature(path, err)
	}
	return sd, isPEM, nil
}

// looksPEM reports whether data starts like a PEM file.
func looksPEM(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("-----BEGIN"))
}

// notSignature explains a file that does not parse as a signature.
func notSignature(path string, err error) error {
	return failf("%s is not a CMS signature: %s", path, trimPrefix(err)).
		withHint("give a .sig or .p7s file, DER or PEM, as 'gostca sign', CryptoPro or 'openssl cms -sign' make").because(err)
}

// openSigningKey opens the key --key names: a key file, its passphrase
// from keys.pass when encrypted, or a key in a token (module from module,
// the URI or $GOSTCA_PKCS11_MODULE; PIN from the URI's pin-source or
// keys.pin). The closer releases a token key and its module.
func (a *app) openSigningKey(key, module string, keys caKeySecrets) (crypto.Signer, func(), error) {
	if !isTokenURI(key) {
		if module != "" {
			return nil, nil, usagef("--module goes with --key URI, a key in a token")
		}
		k, err := keyfile.Read(key, a.passSource(keys.pass))
		if err != nil {
			return nil, nil, keyError(key, keys.pass, err)
		}
		return k, func() {}, nil
	}
	u, err := parseTokenURI(key, "--key")
	if err != nil {
		return nil, nil, err
	}
	if u.Object == "" && len(u.ID) == 0 {
		return nil, nil, usagef("--key %s names no key: add object= (its label) or id=", key).
			withHint("'gostca token keys \"pkcs11:token=%s\"' lists the keys of the token", tokenName(u))
	}
	mp, err := a.resolveModule(module, "--module", u)
	if err != nil {
		return nil, nil, err
	}
	k, err := a.openTokenKey(u, mp, keys.pin)
	if err != nil {
		return nil, nil, err
	}
	return k.Key, func() { k.Close() }, nil
}
