package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/store"
)

func (a *app) showCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show SERIAL",
		Short: "Show a certificate of the ledger",
		Long: `Show describes the certificate SERIAL as its holder sees it: the owner
(name, organisation, SNILS, INN, OGRN), serial, issuer, validity
(DD.MM.YYYY, UTC), status (in colour on a terminal, unless NO_COLOR is
set), profile, key and its Streebog-256 fingerprint.`,
		Example: `  gostca show 5F3A...C1`,
		Args:    usageArgs(cobra.ExactArgs(1)),
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		serial, err := parseSerial(args[0])
		if err != nil {
			return err
		}
		db, err := a.openLedger(true)
		if err != nil {
			return err
		}
		defer db.Close()
		r, err := db.Get(serial)
		if err != nil {
			return failf("no certificate with serial %s in the ledger", formatSerial(serial)).
				withHint("'gostca list' shows the serial numbers of this CA").because(err)
		}
		return a.describe(r)
	}
	return cmd
}

// describe writes what show shows of a record.
func (a *app) describe(r *store.Record) error {
	p := newPainter(a.env.Stdout, a.env.Getenv)
	st := statusOf(r, a.env.Now())
	var sb strings.Builder
	line := func(label, format string, args ...any) {
		fmt.Fprintf(&sb, "%-13s %s\n", label+":", fmt.Sprintf(format, args...))
	}
	var c *cert.Certificate
	if len(r.DER) > 0 {
		var err error
		if c, err = cert.ParseCertificate(r.DER); err != nil {
			return failf("the ledger's certificate %s does not parse: %s", formatSerial(r.Serial), trimPrefix(err))
		}
		line("Owner", "%s", owner(&c.Subject))
	}
	line("Subject", "%s", r.Subject)
	line("Serial", "%s", formatSerial(r.Serial))
	line("Issuer", "%s", r.Issuer)
	line("Valid", "%s – %s", formatDate(r.NotBefore), formatDate(r.NotAfter))
	status := p.paint(statusColour(st), st)
	if rev := r.Revocation; rev != nil {
		status += fmt.Sprintf(" since %s (%s)", formatDate(rev.Time), rev.Reason.String())
		if !rev.InvalidityDate.IsZero() {
			status += ", invalid since " + formatDate(rev.InvalidityDate)
		}
	}
	line("Status", "%s", status)
	line("Profile", "%s", r.Profile)
	if c != nil {
		line("Key", "GOST R 34.10-2012, %d bits, %s", c.PublicKey.Params().Bits(), c.PublicKey.Params().Name())
		if c.SubjectSignTool != "" {
			line("Sign tool", "%s", c.SubjectSignTool)
		}
		line("Fingerprint", "Streebog-256 %s", fingerprint(r.DER))
	}
	if r.Predecessor != nil {
		line("Renews", "%s", formatSerial(r.Predecessor))
	}
	if r.Successor != nil {
		line("Renewed by", "%s", formatSerial(r.Successor))
	}
	_, err := fmt.Fprint(a.env.Stdout, sb.String())
	return err
}
