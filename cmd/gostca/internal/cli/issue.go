package cli

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/crypto/cert"
)

func (a *app) issueCommand() *cobra.Command {
	var (
		csrPath, profile, out, format, subject, requestID string
		days                                              int
		dns, emails                                       []string
		kind, keyClass, signTool, ident                   string
	)
	cmd := &cobra.Command{
		Use:   "issue --csr FILE [--profile NAME] [--days N] [--out FILE]",
		Short: "Issue a certificate for a request",
		Long: `Issue checks the request (PEM or DER PKCS#10) against the profile and the
CA, then signs the certificate once and records it in the ledger. The
certificate goes to --out (its serial number to standard output) or to
standard output (its serial number to standard error).

Profiles: ` + profileList() + `.

The qualified profile (FSB Order 795) also needs --subject-kind,
--key-class, --identification and a signature tool (--sign-tool, or the
request's), and an issuer_sign_tool in gostca.json.`,
		Example: `  gostca issue --csr alice.csr --profile signature --out alice.pem
  gostca issue --csr server.csr --profile tls-server --days 90 --out server.pem
  gostca issue --csr ivanov.csr --profile qualified --subject-kind individual \
      --key-class KC1 --sign-tool "СКЗИ «КриптоПро CSP»" --identification personal --out ivanov.pem`,
		Args: usageArgs(cobra.NoArgs),
	}
	f := cmd.Flags()
	f.StringVar(&csrPath, "csr", "", "the request `FILE` (PEM or DER)")
	f.StringVar(&profile, "profile", "", "the profile (default: default_profile of gostca.json)")
	f.IntVar(&days, "days", 0, "validity in days (default: default_days of gostca.json, else the profile's)")
	f.StringVar(&out, "out", "", "write the certificate to `FILE`")
	f.StringVar(&format, "format", "pem", "pem or der")
	f.StringVar(&subject, "subject", "", "the approved subject, replacing the request's")
	f.StringSliceVar(&dns, "dns", nil, "the approved DNS names, replacing the request's")
	f.StringSliceVar(&emails, "email", nil, "the approved e-mail addresses, replacing the request's")
	f.StringVar(&requestID, "request-id", "", "your reference of the request, kept in the ledger")
	f.StringVar(&kind, "subject-kind", "", "qualified: individual, entrepreneur or legal")
	f.StringVar(&keyClass, "key-class", "", "the class of the subject's signature tool: KC1, KC2, KC3, KB1, KB2, KA1")
	f.StringVar(&signTool, "sign-tool", "", "qualified: the subject's signature tool (default: the request's)")
	f.StringVar(&ident, "identification", "", "qualified: personal, remote-cert, remote-passport or remote-system")
	keys := addCAKeyFlags(cmd)
	cmd.MarkFlagRequired("csr")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(format, "pem", "der"); err != nil {
			return err
		}
		if days < 0 {
			return usagef("--days cannot be negative")
		}
		req := ca.Request{Profile: profile, RequestID: requestID, KeyClass: keyClass, SubjectSignTool: signTool}
		if subject != "" {
			n, err := parseDN(subject, "--subject")
			if err != nil {
				return err
			}
			req.Subject = n
		}
		if cmd.Flags().Changed("dns") {
			req.DNSNames = dns
		}
		if cmd.Flags().Changed("email") {
			req.EmailAddresses = emails
		}
		var err error
		if req.SubjectKind, err = parseSubjectKind(kind); err != nil {
			return err
		}
		if req.IdentificationKind, err = parseIdentification(ident); err != nil {
			return err
		}
		if req.CSR, err = readCSR(csrPath); err != nil {
			return err
		}
		au, err := a.openCA(keys)
		if err != nil {
			return err
		}
		defer au.Close()
		if req.Profile == "" {
			req.Profile = au.cfg.DefaultProfile
		}
		if days == 0 {
			days = au.cfg.DefaultDays
		}
		req.Validity = time.Duration(days) * day
		c, err := au.IssueRequest(req)
		if err != nil {
			return err
		}
		return a.writeIssued(c, out, format)
	}
	return cmd
}

// writeIssued writes a new certificate and its serial number.
func (a *app) writeIssued(c *cert.Certificate, out, format string) error {
	data := c.Raw
	if format == "pem" {
		data = pemBytes("CERTIFICATE", c.Raw)
	}
	if err := a.writeOut(out, data, format == "der", "the certificate"); err != nil {
		return err
	}
	if out == "" {
		messagef(a.env.Stderr, "serial %s", formatSerial(c.SerialNumber))
	} else {
		fmt.Fprintln(a.env.Stdout, formatSerial(c.SerialNumber))
	}
	return nil
}

func profileList() string {
	var names []string
	for _, p := range ca.Profiles() {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

func checkFormat(format string, allowed ...string) error {
	for _, f := range allowed {
		if format == f {
			return nil
		}
	}
	return usagef("unknown --format %q", format).withHint("formats: %s", strings.Join(allowed, ", "))
}

func parseSubjectKind(s string) (ca.SubjectKind, error) {
	switch s {
	case "":
		return 0, nil
	case "individual":
		return ca.Individual, nil
	case "entrepreneur", "individual-entrepreneur":
		return ca.IndividualEntrepreneur, nil
	case "legal", "legal-entity":
		return ca.LegalEntity, nil
	}
	return 0, usagef("unknown --subject-kind %q", s).withHint("individual, entrepreneur or legal")
}

func parseIdentification(s string) (*cert.IdentificationKind, error) {
	var k cert.IdentificationKind
	switch s {
	case "":
		return nil, nil
	case "personal":
		k = cert.IdentificationPersonal
	case "remote-cert":
		k = cert.IdentificationRemoteCert
	case "remote-passport":
		k = cert.IdentificationRemotePassport
	case "remote-system":
		k = cert.IdentificationRemoteSystem
	default:
		return nil, usagef("unknown --identification %q", s).withHint("personal, remote-cert, remote-passport or remote-system")
	}
	return &k, nil
}

// readCSR reads a request file, PEM or DER. Parsing and checking it is
// the CA's job.
func readCSR(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	ders, err := decodeAll(data, "CERTIFICATE REQUEST")
	if err != nil {
		return nil, failf("%s: %v", path, err).withHint("give a PKCS#10 request, PEM or DER, as 'gostca csr' makes")
	}
	return ders[0], nil
}
