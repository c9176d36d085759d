package cli

import (
	"crypto"
	"crypto/rand"
	"errors"
	"io/fs"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/keyfile"
	"github.com/gostca/gostca/crypto/pkcs11"
)

const day = 24 * time.Hour

func (a *app) initCommand() *cobra.Command {
	var (
		subject, keyType, parent, csrOut string
		module                           string
		days, pathLen                    int
		cfg                              = config{KeyFile: keyName, DefaultProfile: ca.ProfileSignature, CRLDays: 7, DeltaCRLHours: 24}
		ist                              signToolConfig
	)
	cmd := &cobra.Command{
		Use:   "init --subject DN [--key TYPE|URI] [--parent DIR | --csr-out FILE]",
		Short: "Create a CA in a new directory",
		Long: `Init creates a CA in the directory (--dir, else $GOSTCA_DIR, else ./gostca),
which must be new or empty: the ledger (ledger.db), the configuration
(gostca.json), the CA key (ca.key, encrypted with the passphrase) and the
CA certificate (ca.pem).

With --ledger URL the ledger is kept in a PostgreSQL database instead
(several CA nodes and responders may share it): init creates its tables
if they are missing ('gostca ledger migrate'), and gostca.json records the
URL. The URL carries no password: it comes from PGPASSFILE (~/.pgpass) or
PGPASSWORD, or use a client certificate (sslcert, sslkey).

A root CA signs its own certificate. With --parent DIR the CA is an
intermediate of the CA in DIR, which signs its certificate at once
(chain.pem then holds the parent's certificate and chain). With --csr-out
the CA's request goes to FILE (and ca.csr) for an offline root; bring the
answer back with 'gostca import-ca'.

The key is a software key of --key TYPE, unless --key is the PKCS#11 URI
of a key in a token (an HSM, Rutoken, JaCarta, ...): make that key first
with 'gostca token keygen', then give its URI here. Init uses the key the
URI names, never makes one. gostca.json then records the key's URI
(key_uri: token, serial, object, id and the pin-source, never the PIN)
and the module (pkcs11_module, from --module, else the URI's module-path,
else $GOSTCA_PKCS11_MODULE); every later command signs in the token. The
PIN comes from the URI's pin-source, else --pin-file, else $GOSTCA_PIN,
else a prompt; a wrong PIN is not retried. A parent CA whose key is in a
token is opened the same way (its PIN: the pin-source in its gostca.json,
else --parent-pin-file, else $GOSTCA_PARENT_PIN, else a prompt).

A software key's passphrase is stretched by PBKDF2-HMAC-Streebog-512 at
200,000 iterations (about a second per command); $GOSTCA_KDF_ITERATIONS
sets another count, from 1,000 up.

Production CA keys belong in a token.`,
		Example: `  gostca init --dir root --subject "CN=Example Root CA,O=Example,C=RU" --key gost2012-512:A
  gostca init --dir sub --parent root --subject "CN=Example CA,O=Example,C=RU" \
      --crl-url http://ca.example.ru/sub.crl --ocsp-url http://ocsp.example.ru
  gostca init --dir sub --csr-out sub.csr --subject "CN=Example CA,O=Example,C=RU"
  gostca init --dir ca --subject "CN=Example CA,O=Example,C=RU" \
      --ledger "postgres://gostca@db.example.ru/ledger?sslmode=verify-full"
  gostca token keygen "pkcs11:token=ca;object=root-2026?pin-source=file:/etc/gostca/pin" --key gost2012-256:A \
      --module /usr/lib/librtpkcs11ecp.so
  gostca init --dir root --subject "CN=Example Root CA,O=Example,C=RU" --module /usr/lib/librtpkcs11ecp.so \
      --key "pkcs11:token=ca;object=root-2026?pin-source=file:/etc/gostca/pin"`,
		Args: usageArgs(cobra.NoArgs),
	}
	f := cmd.Flags()
	f.StringVar(&subject, "subject", "", "the CA's distinguished name, e.g. \"CN=Example CA,O=Example,C=RU\"")
	f.StringVar(&keyType, "key", defaultKeyType, keyTypeHelp+"; or the PKCS#11 `URI` of a key in a token, made first with 'gostca token keygen'")
	f.StringVar(&module, "module", "", keyModuleHelp)
	f.IntVar(&days, "days", 0, "validity of the CA certificate in days (default: root 3650, intermediate the subca profile's 1825)")
	f.StringVar(&parent, "parent", "", "make an intermediate signed by the CA in `DIR`")
	f.IntVar(&pathLen, "path-len", 0, "intermediate: how many CAs may follow below it (-1: no limit of its own)")
	f.StringVar(&csrOut, "csr-out", "", "make an intermediate for an offline root: write its request to `FILE`")
	f.StringVar(&cfg.Ledger, "ledger", "", "keep the ledger in the PostgreSQL database at `URL` (no password in it), not in ledger.db")
	f.StringVar(&cfg.CRLURL, "crl-url", "", "CRL distribution point written into issued certificates")
	f.StringVar(&cfg.OCSPURL, "ocsp-url", "", "OCSP responder URL written into issued certificates")
	f.StringVar(&cfg.CAIssuersURL, "ca-issuers-url", "", "where issued certificates say the CA certificate is")
	f.StringVar(&cfg.DefaultProfile, "default-profile", cfg.DefaultProfile, "profile of 'issue' without --profile")
	f.IntVar(&cfg.DefaultDays, "default-days", 0, "validity of 'issue' without --days (0: the profile's)")
	f.StringSliceVar(&cfg.Profiles, "profiles", nil, "the profiles this CA may issue, comma-separated (default all)")
	f.IntVar(&cfg.CRLDays, "crl-days", cfg.CRLDays, "validity of a full CRL in days")
	f.IntVar(&cfg.DeltaCRLHours, "delta-crl-hours", cfg.DeltaCRLHours, "validity of a delta CRL in hours")
	f.StringVar(&ist.SignTool, "issuer-sign-tool", "", "qualified CA: the CA's signature tool (issuerSignTool)")
	f.StringVar(&ist.CATool, "issuer-ca-tool", "", "qualified CA: the CA tool")
	f.StringVar(&ist.SignToolCert, "issuer-sign-tool-cert", "", "qualified CA: conformity certificate of the signature tool")
	f.StringVar(&ist.CAToolCert, "issuer-ca-tool-cert", "", "qualified CA: conformity certificate of the CA tool")
	pass := addPassFlag(cmd, "pass-file", envPassphrase, "new CA key passphrase")
	pass.repeat = true
	pin := addPINFlag(cmd, "pin-file", envPIN, "CA token PIN")
	parentKeys := caKeySecrets{
		pass: addPassFlag(cmd, "parent-pass-file", envParentPassphrase, "parent CA key passphrase"),
		pin:  addPINFlag(cmd, "parent-pin-file", envParentPIN, "parent CA token PIN"),
	}
	cmd.MarkFlagRequired("subject")
	cmd.MarkFlagsMutuallyExclusive("parent", "csr-out")

	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		name, err := parseDN(subject, "--subject")
		if err != nil {
			return err
		}
		if cfg.Ledger != "" {
			if _, err := parseLedgerURL(cfg.Ledger); err != nil {
				return err
			}
		}
		var params *gost3410.Params
		var keyURI *pkcs11.URI
		var mp modulePath
		if isTokenURI(keyType) {
			if keyURI, err = parseTokenURI(keyType, "--key"); err != nil {
				return err
			}
			if keyURI.Object == "" && len(keyURI.ID) == 0 {
				return usagef("--key %s names no key: add object= (its label) or id=", keyType).
					withHint("'gostca token keys \"pkcs11:token=%s\"' lists the keys of the token", tokenName(keyURI))
			}
			if mp, err = a.resolveModule(module, "--module", keyURI); err != nil {
				return err
			}
		} else {
			if module != "" {
				return usagef("--module goes with --key URI, a key in a token")
			}
			if params, err = parseKeyType(keyType); err != nil {
				return err
			}
		}
		if days < 0 || cfg.DefaultDays < 0 || cfg.CRLDays < 0 || cfg.DeltaCRLHours < 0 {
			return usagef("--days, --default-days, --crl-days and --delta-crl-hours cannot be negative")
		}
		if ist != (signToolConfig{}) {
			if ist.SignTool == "" || ist.CATool == "" || ist.SignToolCert == "" || ist.CAToolCert == "" {
				return usagef("--issuer-sign-tool, --issuer-ca-tool, --issuer-sign-tool-cert and --issuer-ca-tool-cert go together")
			}
			cfg.IssuerSignTool = &ist
		}
		if _, err := ca.ProfileByName(cfg.DefaultProfile); err != nil {
			return usagef("--default-profile: %s", trimPrefix(err))
		}
		cfg.Subject = name.String()
		if err := a.checkNewDir(); err != nil {
			return err
		}

		// The parent first: its ledger may be busy, its passphrase wrong.
		var parentCA *authority
		if parent != "" {
			pa := &app{env: a.env, dir: parent}
			if parentCA, err = pa.openCA(parentKeys); err != nil {
				return err
			}
			defer parentCA.Close()
		}
		if keyURI != nil {
			k, err := a.openTokenKey(keyURI, mp, pin)
			if err != nil {
				return err
			}
			defer k.Close()
			cfg.KeyFile = ""
			cfg.KeyURI = recordedKeyURI(k.Key, keyURI)
			cfg.PKCS11Module = recordedModule(mp.path)
			return a.create(&cfg, name, newCAKey{signer: k.Key}, parentCA, csrOut, days, pathLen)
		}
		passphrase, err := a.readPass(pass)
		if err != nil {
			return err
		}
		key, err := gost3410.GenerateKey(params, rand.Reader)
		if err != nil {
			return err
		}
		return a.create(&cfg, name, newCAKey{signer: key, soft: key, passphrase: passphrase}, parentCA, csrOut, days, pathLen)
	}
	return cmd
}

// checkNewDir refuses a directory that exists and is not empty.
func (a *app) checkNewDir() error {
	entries, err := os.ReadDir(a.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return failf("%v", err)
	}
	if len(entries) > 0 {
		return failf("%s is not empty", a.dir).withHint("init makes a new CA: give an empty or new --dir")
	}
	return nil
}

// newCAKey is the key of a new CA: a software key, written to ca.key
// encrypted with passphrase, or a key in a token (soft nil).
type newCAKey struct {
	signer     crypto.Signer
	soft       *gost3410.PrivateKey
	passphrase []byte
}

// create makes the CA's files; on failure it removes those it made.
func (a *app) create(cfg *config, name *cert.Name, key newCAKey,
	parent *authority, csrOut string, days, pathLen int) (err error) {
	kopts, err := a.keyFileOptions("")
	if err != nil {
		return err
	}
	_, statErr := os.Stat(a.dir)
	madeDir := errors.Is(statErr, fs.ErrNotExist)
	if err := os.MkdirAll(a.dir, 0o700); err != nil {
		return failf("%v", err)
	}
	var made []string
	defer func() {
		if err != nil {
			for i := len(made) - 1; i >= 0; i-- {
				os.Remove(made[i])
			}
			if madeDir {
				os.Remove(a.dir)
			}
		}
	}()

	if key.soft != nil {
		if err := keyfile.Write(a.path(keyName), key.soft, key.passphrase, kopts); err != nil {
			return failf("%s", trimPrefix(err))
		}
		made = append(made, a.path(keyName))
	}
	if err := a.writeConfig(cfg); err != nil {
		return err
	}
	made = append(made, a.path(configName))

	db, err := a.createLedger(cfg, &made)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := a.newCAWithKey(cfg, db, key.signer)
	if err != nil {
		return err
	}

	kind := "root CA"
	switch {
	case csrOut != "":
		der, err := c.InitRequest(*name)
		if err != nil {
			return err
		}
		data := pemBytes("CERTIFICATE REQUEST", der)
		if err := writeNewFile(a.path(csrName), data, 0o644); err != nil {
			return err
		}
		made = append(made, a.path(csrName))
		if err := writeNewFile(csrOut, data, 0o644); err != nil {
			return err
		}
		kind = "CA (awaiting its certificate)"
		messagef(a.env.Stderr, "wrote the CA's request to %s; have the root sign it (profile subca), then run: gostca import-ca --dir %s CERT --chain ROOT.pem", csrOut, a.dir)
	case parent != nil:
		cc, err := c.InitIntermediate(parent.CA, *name, time.Duration(days)*day, pathLen)
		if err != nil {
			return err
		}
		chain := append([]*cert.Certificate{parent.Certificate()}, parent.Chain()...)
		if err := a.writeCACerts(cc, chain, &made); err != nil {
			return err
		}
		kind = "intermediate CA"
	default:
		if days == 0 {
			days = 3650
		}
		cc, err := c.InitRoot(*name, time.Duration(days)*day)
		if err != nil {
			return err
		}
		if err := a.writeCACerts(cc, nil, &made); err != nil {
			return err
		}
	}
	messagef(a.env.Stderr, "created %s %q in %s", kind, cfg.Subject, a.dir)
	if key.soft != nil {
		warnf(a.env.Stderr, "the CA key is a software key (%s); production CA keys belong in a token", a.path(keyName))
	} else {
		messagef(a.env.Stderr, "the CA key is in a token: %s (module %s)", cfg.KeyURI, cfg.PKCS11Module)
	}
	return nil
}

// writeCACerts writes ca.pem and, for an intermediate, chain.pem.
func (a *app) writeCACerts(cc *cert.Certificate, chain []*cert.Certificate, made *[]string) error {
	if err := writeNewFile(a.path(certName), pemBytes("CERTIFICATE", cc.Raw), 0o644); err != nil {
		return err
	}
	*made = append(*made, a.path(certName))
	if len(chain) == 0 {
		return nil
	}
	var data []byte
	for _, c := range chain {
		data = append(data, pemBytes("CERTIFICATE", c.Raw)...)
	}
	if err := writeNewFile(a.path(chainName), data, 0o644); err != nil {
		return err
	}
	*made = append(*made, a.path(chainName))
	return nil
}

// parseDN parses a distinguished name given in flag.
func parseDN(s, flag string) (*cert.Name, error) {
	if s == "" {
		return nil, usagef("%s is empty", flag)
	}
	n, err := cert.ParseDN(s)
	if err != nil {
		return nil, usagef("%s: %s", flag, trimPrefix(err)).withHint("write it like \"CN=Иванов Иван Иванович,SN=Иванов,GN=Иван Иванович,C=RU,SNILS=11223344595\"")
	}
	if _, err := n.Marshal(); err != nil {
		return nil, usagef("%s: %s", flag, trimPrefix(err))
	}
	return n, nil
}
