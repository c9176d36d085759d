package cli

import (
	"crypto/rand"
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/crypto/cert"
)

func (a *app) csrCommand() *cobra.Command {
	var (
		keyPath, subject, out, signTool string
		module                          string
		snils, inn, innle, ogrn, ogrnip string
		emails, dns                     []string
	)
	cmd := &cobra.Command{
		Use:   "csr --key FILE --subject DN [--out FILE]",
		Short: "Make a certificate request (PKCS#10) for a key",
		Long: `Csr makes a PKCS#10 certificate request signed with the key (proof of
possession). The subject is a distinguished name; --snils, --inn, --innle,
--ogrn and --ogrnip add the registration numbers of a qualified
certificate (their check digits are checked here, and again at issue),
--email and --dns request subject alternative names.

The key is a key file (its passphrase from --pass-file, $GOSTCA_PASSPHRASE
or a prompt) or the PKCS#11 URI of a key in a token (made with 'gostca
token keygen'; the module and PIN as for 'gostca sign').`,
		Example: `  gostca csr --key alice.key --out alice.csr \
      --subject "CN=Иванов Иван Иванович,SN=Иванов,GN=Иван Иванович,C=RU" \
      --snils 11223344595 --inn 500100732259 --sign-tool "СКЗИ «КриптоПро CSP»"
  gostca csr --key server.key --subject "CN=www.example.ru" --dns www.example.ru --out server.csr
  gostca csr --key "pkcs11:token=alice;object=sign-2026" --module /usr/lib/librtpkcs11ecp.so \
      --subject "CN=Alice,C=RU" --out alice.csr`,
		Args: usageArgs(cobra.NoArgs),
	}
	f := cmd.Flags()
	f.StringVar(&keyPath, "key", "", "the subscriber's `KEY`: a key file, or the PKCS#11 URI of a key in a token")
	f.StringVar(&subject, "subject", "", "the subject's distinguished name")
	f.StringVar(&out, "out", "", "write the request to `FILE` (default standard output)")
	f.StringVar(&snils, "snils", "", "SNILS, 11 digits")
	f.StringVar(&inn, "inn", "", "INN of an individual, 12 digits")
	f.StringVar(&innle, "innle", "", "INN of a legal entity, 10 digits")
	f.StringVar(&ogrn, "ogrn", "", "OGRN, 13 digits")
	f.StringVar(&ogrnip, "ogrnip", "", "OGRNIP, 15 digits")
	f.StringSliceVar(&emails, "email", nil, "e-mail address (subject alternative name); repeatable")
	f.StringSliceVar(&dns, "dns", nil, "DNS name (subject alternative name); repeatable")
	f.StringVar(&signTool, "sign-tool", "", "the subject's signature tool (subjectSignTool)")
	f.StringVar(&module, "module", "", keyModuleHelp)
	keys := addKeyFlags(cmd)
	cmd.MarkFlagRequired("key")
	cmd.MarkFlagRequired("subject")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		name, err := parseDN(subject, "--subject")
		if err != nil {
			return err
		}
		numbers := map[string]*string{"SNILS": &name.SNILS, "INN": &name.INN, "INNLE": &name.INNLE, "OGRN": &name.OGRN, "OGRNIP": &name.OGRNIP}
		for field, value := range map[string]string{"SNILS": snils, "INN": inn, "INNLE": innle, "OGRN": ogrn, "OGRNIP": ogrnip} {
			if value != "" {
				*numbers[field] = value
			}
		}
		if err := ca.CheckRegistrationNumbers(name); err != nil {
			var re *ca.RequestError
			field := ""
			if errors.As(err, &re) {
				field = strings.TrimPrefix(re.Field, "Subject.")
			}
			value, ok := numbers[field]
			if !ok {
				return failf("%s", trimPrefix(err)).because(err)
			}
			return failf("invalid %s %s: %s", field, *value, re.Problem).
				withHint("check the number against the document").because(err)
		}
		key, closeKey, err := a.openSigningKey(keyPath, module, keys)
		if err != nil {
			return err
		}
		defer closeKey()
		der, err := cert.CreateCertificateRequest(rand.Reader, &cert.CertificateRequest{
			Subject:         *name,
			DNSNames:        dns,
			EmailAddresses:  emails,
			SubjectSignTool: signTool,
		}, key)
		if err != nil {
			return failf("%s", trimPrefix(err))
		}
		return a.writeOut(out, pemBytes("CERTIFICATE REQUEST", der), false, "the request")
	}
	return cmd
}
