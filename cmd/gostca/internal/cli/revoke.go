package cli

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gostca/gostca/crypto/cert"
)

// reasons are the revocation reasons revoke takes (hold and release have
// their own commands).
var reasons = []cert.ReasonCode{
	cert.ReasonUnspecified, cert.ReasonKeyCompromise, cert.ReasonCACompromise,
	cert.ReasonAffiliationChanged, cert.ReasonSuperseded, cert.ReasonCessationOfOperation,
	cert.ReasonPrivilegeWithdrawn, cert.ReasonAACompromise,
}

func (a *app) revokeCommand() *cobra.Command {
	var reason, invalidity string
	cmd := &cobra.Command{
		Use:   "revoke SERIAL --reason REASON [--invalidity-date DATE]",
		Short: "Revoke a certificate for good",
		Long: `Revoke revokes the certificate SERIAL for good; the next CRL lists it.
A certificate on hold may be revoked; a revoked one cannot be revoked again.

Reasons: ` + reasonList() + `.
The invalidity date (when the key is known or suspected to have been
compromised) is DD.MM.YYYY, YYYY-MM-DD or RFC 3339, UTC, not in the future.`,
		Example: `  gostca revoke 5F3A...C1 --reason keyCompromise --invalidity-date 01.03.2026
  gostca revoke 5F3A...C1 --reason superseded`,
		Args: usageArgs(cobra.ExactArgs(1)),
	}
	cmd.Flags().StringVar(&reason, "reason", "", "the revocation reason ("+reasonList()+")")
	cmd.Flags().StringVar(&invalidity, "invalidity-date", "", "when the key became unsafe (DD.MM.YYYY, YYYY-MM-DD or RFC 3339)")
	keys := addCAKeyFlags(cmd)
	cmd.MarkFlagRequired("reason")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		serial, err := parseSerial(args[0])
		if err != nil {
			return err
		}
		r, err := parseReason(reason)
		if err != nil {
			return err
		}
		var when time.Time
		if invalidity != "" {
			if when, err = parseDate(invalidity); err != nil {
				return err
			}
		}
		au, err := a.openCA(keys)
		if err != nil {
			return err
		}
		defer au.Close()
		if err := au.Revoke(serial, r, when); err != nil {
			return refused(au, serial, "revoke", err)
		}
		messagef(a.env.Stderr, "revoked %s (%s)", formatSerial(serial), r)
		return nil
	}
	return cmd
}

func reasonList() string {
	var names []string
	for _, r := range reasons {
		names = append(names, r.String())
	}
	return strings.Join(names, ", ")
}

// parseReason reads a reason by its RFC 5280 name, case-insensitively,
// with or without dashes ("key-compromise").
func parseReason(s string) (cert.ReasonCode, error) {
	want := strings.ToLower(strings.ReplaceAll(s, "-", ""))
	for _, r := range reasons {
		if strings.ToLower(r.String()) == want {
			return r, nil
		}
	}
	if want == "certificatehold" {
		return 0, usagef("to put a certificate on hold, use 'gostca hold'")
	}
	return 0, usagef("unknown --reason %q", s).withHint("reasons: %s", reasonList())
}

// parseDate reads DD.MM.YYYY, YYYY-MM-DD (both UTC midnight) or RFC 3339.
func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{"02.01.2006", "2006-01-02", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, usagef("%q is not a date", s).withHint("write DD.MM.YYYY, YYYY-MM-DD or 2006-01-02T15:04:05Z")
}
