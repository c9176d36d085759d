package cli

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/pkcs12"
)

// envPFXPassphrase is the environment variable of a PFX's password.
const envPFXPassphrase = "GOSTCA_PFX_PASSPHRASE"

// maxPFXSize bounds what is read as a PFX: a key and a chain of
// certificates are a few KiB.
const maxPFXSize = 1 << 20

// addPFXPassFlag adds --pfx-pass-file: the password of a PFX.
func addPFXPassFlag(cmd *cobra.Command, repeat bool) *passSpec {
	s := addPassFlag(cmd, "pfx-pass-file", envPFXPassphrase, "PFX password")
	s.repeat = repeat
	return s
}

// pfxCipherHelp describes the --cipher flag of the commands that write a
// PFX.
const pfxCipherHelp = "encrypt the PFX's key and certificates with `CIPHER`: gost89 (GOST 28147-89, what every GOST tool reads), " +
	"kuznyechik or magma (CTR-ACPKM-OMAC of RFC 9548, which OpenSSL 3.0 and GnuTLS cannot read)"

// pfxCiphers are the --cipher values of the commands that write a PFX, with
// the names their messages give.
var pfxCiphers = map[string]struct {
	cipher pkcs12.Cipher
	name   string
}{
	"gost89":     {pkcs12.CipherGOST28147, "GOST 28147-89"},
	"kuznyechik": {pkcs12.CipherKuznyechikCTRACPKMOMAC, "Kuznyechik CTR-ACPKM-OMAC"},
	"magma":      {pkcs12.CipherMagmaCTRACPKMOMAC, "Magma CTR-ACPKM-OMAC"},
}

// checkPFXCipher checks a --cipher value of the commands that write a PFX.
func checkPFXCipher(cipher string) error {
	if _, ok := pfxCiphers[cipher]; !ok {
		return usagef("--cipher %q: want gost89, kuznyechik or magma", cipher).
			withHint("gost89 is what OpenSSL's GOST engine, GnuTLS and CryptoPro read")
	}
	return nil
}

// looksPFX reports whether the file at path is to be read as a PFX: its
// name ends in .pfx or .p12, or its content starts as one.
func looksPFX(path string, data []byte) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".pfx" || ext == ".p12" || pkcs12.IsPFX(data)
}

// readPFX opens the PFX at path with the password of pass.
func (a *app) readPFX(path string, data []byte, pass *passSpec) (*pkcs12.Contents, error) {
	password, err := a.readPass(pass)
	if err != nil {
		return nil, err
	}
	c, err := pkcs12.Decode(data, password)
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword):
		return nil, failf("wrong password for %s", path).
			withHint("check the password in --%s or $%s", pass.flag, pass.env).because(err)
	case errors.Is(err, pkcs12.ErrIntegrity):
		return nil, failf("%s: %s", path, trimPrefix(err)).
			withHint("the file was damaged in transit, or altered: ask for it again").because(err)
	case err != nil:
		return nil, failf("%s is not a PFX this version reads: %s", path, trimPrefix(err)).because(err)
	}
	return c, nil
}

// readPFXFile reads and opens the PFX at path.
func (a *app) readPFXFile(path string, pass *passSpec) (*pkcs12.Contents, error) {
	data, err := readSmall(path, maxPFXSize)
	if err != nil {
		return nil, err
	}
	return a.readPFX(path, data, pass)
}

// readSmall reads a file of at most limit bytes.
func readSmall(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fileError(path, err)
	}
	if fi.Size() > limit {
		return nil, failf("%s is %d bytes: too large for a key container", path, fi.Size())
	}
	data := make([]byte, fi.Size())
	if _, err := f.ReadAt(data, 0); err != nil {
		return nil, fileError(path, err)
	}
	return data, nil
}

// writePFX writes a PFX of key, its certificate leaf and chain to out
// (mode 0600, never over an existing file), protected by the password of
// pass, its bags encrypted with cipher (a key of pfxCiphers).
func (a *app) writePFX(out string, key *gost3410.PrivateKey, leaf *cert.Certificate, chain []*cert.Certificate, pass *passSpec, cipher string) error {
	if err := checkPFXCipher(cipher); err != nil {
		return err
	}
	if !key.PublicKey().Equal(leaf.PublicKey) {
		return failf("the key is not the key of the certificate %q", leaf.Subject.String()).
			withHint("give the key the certificate was issued for")
	}
	if _, err := os.Stat(out); err == nil {
		return existsError(out)
	}
	password, err := a.readPass(pass)
	if err != nil {
		return err
	}
	var ders [][]byte
	for _, c := range chain {
		if !bytes.Equal(c.Raw, leaf.Raw) {
			ders = append(ders, c.Raw)
		}
	}
	opts := &pkcs12.Options{FriendlyName: leaf.Subject.CommonName, Cipher: pfxCiphers[cipher].cipher}
	if kopts, err := a.keyFileOptions(""); err != nil {
		return err
	} else if kopts != nil {
		opts.Iterations = kopts.Iterations
	}
	data, err := pkcs12.Encode(rand.Reader, key, leaf.Raw, ders, password, opts)
	if err != nil {
		return failf("making the PFX: %s", trimPrefix(err)).because(err)
	}
	of, err := createOut(out, 0o600, false)
	if err != nil {
		return err
	}
	if _, err := of.Write(data); err != nil {
		of.abort()
		return failf("writing %s: %v", out, err)
	}
	if err := of.commit(); err != nil {
		return err
	}
	messagef(a.env.Stderr, "wrote the key of %q with %d certificate(s) to %s (PFX, %s, Streebog MAC)", leaf.Subject.String(), 1+len(ders), out, pfxCiphers[cipher].name)
	return nil
}

// pfxCertificates parses the certificates of a PFX: the key's first, then
// the chain.
func pfxCertificates(path string, c *pkcs12.Contents) ([]*cert.Certificate, error) {
	ders := c.Chain
	if c.Certificate != nil {
		ders = append([][]byte{c.Certificate}, ders...)
	}
	var out []*cert.Certificate
	for _, der := range ders {
		pc, err := cert.ParseCertificate(der)
		if err != nil {
			return nil, failf("%s: a certificate in it does not parse: %s", path, trimPrefix(err)).because(err)
		}
		out = append(out, pc)
	}
	return out, nil
}
