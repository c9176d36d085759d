package cli

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// listEntry is a certificate as "list --json" writes it.
type listEntry struct {
	Serial      string    `json:"serial"`
	Status      string    `json:"status"`
	Subject     string    `json:"subject"`
	Issuer      string    `json:"issuer"`
	Profile     string    `json:"profile"`
	NotBefore   time.Time `json:"not_before"`
	NotAfter    time.Time `json:"not_after"`
	RevokedAt   time.Time `json:"revoked_at,omitzero"`
	Reason      string    `json:"reason,omitempty"`
	Fingerprint string    `json:"fingerprint_streebog256,omitempty"`
}

func (a *app) listCommand() *cobra.Command {
	var status, expiring string
	var asJSON, all bool
	cmd := &cobra.Command{
		Use:   "list [--status S] [--expiring 30d] [--json]",
		Short: "List the certificates in the ledger",
		Long: `List shows the certificates of the ledger in serial order: serial, status,
end of validity, profile and subject. --status keeps one status (valid,
expired, revoked, held); --expiring keeps the valid and held ones that
expire within the period (30d, 12h, 2w). --json writes JSON instead.`,
		Example: `  gostca list
  gostca list --status revoked
  gostca list --expiring 30d --json`,
		Args: usageArgs(cobra.NoArgs),
	}
	cmd.Flags().StringVar(&status, "status", "", "only this status: valid, expired, revoked or held")
	cmd.Flags().StringVar(&expiring, "expiring", "", "only certificates expiring within this period (30d, 12h, 2w)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "write JSON")
	cmd.Flags().BoolVar(&all, "all", false, "also list reserved and abandoned serials")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		switch status {
		case "", statusValid, statusExpired, statusRevoked, statusHeld:
		default:
			return usagef("unknown --status %q", status).withHint("valid, expired, revoked or held")
		}
		now := a.env.Now()
		db, err := a.openLedger(true)
		if err != nil {
			return err
		}
		defer db.Close()
		records := db.All()
		if expiring != "" {
			d, err := parsePeriod(expiring)
			if err != nil {
				return err
			}
			records = db.Expiring(now, now.Add(d))
		}
		entries := []listEntry{}
		for r, err := range records {
			if err != nil {
				return err
			}
			st := statusOf(r, now)
			if status != "" && st != status || !all && (st == statusReserved || st == statusAbandoned) {
				continue
			}
			e := listEntry{
				Serial: formatSerial(r.Serial), Status: st, Subject: r.Subject, Issuer: r.Issuer,
				Profile: r.Profile, NotBefore: r.NotBefore, NotAfter: r.NotAfter,
			}
			if rev := r.Revocation; rev != nil {
				e.RevokedAt = rev.Time
				e.Reason = rev.Reason.String()
			}
			if len(r.DER) > 0 {
				e.Fingerprint = fingerprint(r.DER)
			}
			entries = append(entries, e)
		}
		if asJSON {
			enc := json.NewEncoder(a.env.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(entries)
		}
		p := newPainter(a.env.Stdout, a.env.Getenv)
		// Columns are padded by hand: colour codes have no width.
		w := len("SERIAL")
		for _, e := range entries {
			w = max(w, len(e.Serial))
		}
		fmt.Fprintf(a.env.Stdout, "%-*s  %-9s  %-11s  %-10s  %s\n", w, "SERIAL", "STATUS", "VALID UNTIL", "PROFILE", "SUBJECT")
		for _, e := range entries {
			fmt.Fprintf(a.env.Stdout, "%-*s  %s  %-11s  %-10s  %s\n", w, e.Serial,
				p.paint(statusColour(e.Status), fmt.Sprintf("%-9s", e.Status)),
				formatDate(e.NotAfter), e.Profile, commonName(e.Subject))
		}
		return nil
	}
	return cmd
}

// parsePeriod reads 30d, 2w, 12h (or any Go duration).
func parsePeriod(s string) (time.Duration, error) {
	bad := usagef("%q is not a period", s).withHint("write 30d, 2w or 12h")
	if n, unit := strings.TrimRight(s, "dw"), strings.TrimLeft(s, "0123456789"); n != s && (unit == "d" || unit == "w") {
		v, err := strconv.Atoi(n)
		if err != nil || v < 0 {
			return 0, bad
		}
		if unit == "w" {
			v *= 7
		}
		return time.Duration(v) * day, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, bad
	}
	return d, nil
}
