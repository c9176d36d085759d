package cli

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	neturl "net/url"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/ra"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/store"
)

// raKeyName is the secret key of the access codes' keyed hashes: beside
// the ledger, never in it, so that a copy of the ledger gives no code.
const raKeyName = "ra.key"

// raConfig is the "ra" section of gostca.json.
type raConfig struct {
	// DecisionDays is how long an application waits for a decision; 0
	// means 30.
	DecisionDays int `json:"decision_days"`
	// TwoApprovals are the profiles that need two operators; null means
	// qualified and subca.
	TwoApprovals []string `json:"two_approvals"`
	// MaxAttachmentMiB bounds each scan; 0 means 10.
	MaxAttachmentMiB int `json:"max_attachment_mib"`
	// KeyClass and SignTool go into qualified certificates (KC1 and the
	// request's subjectSignTool by default).
	KeyClass string `json:"key_class"`
	SignTool string `json:"sign_tool"`
	// SelfRenewal are the profiles renewed without an operator, by a
	// request signed with the current key; null means signature,
	// encryption, auth and tls-server.
	SelfRenewal []string `json:"self_renewal"`
	// PublicURL is where applicants reach the API (https://ca.example.ru),
	// for the links in their messages; empty leaves the links out.
	PublicURL string `json:"public_url"`
	// SubmissionsPerMinute and SubmissionBurst limit each client's
	// submissions and renewals (0: 60 and 20); WrongCodesPerHour and
	// WrongCodeBurst its wrong access codes and code words (0: 360 and
	// 10).
	SubmissionsPerMinute int `json:"submissions_per_minute"`
	SubmissionBurst      int `json:"submission_burst"`
	WrongCodesPerHour    int `json:"wrong_codes_per_hour"`
	WrongCodeBurst       int `json:"wrong_code_burst"`
}

// notifier is the ledger's Notifier when gostca.json has a mail server,
// else nil (no messages are queued).
func (a *app) notifier(cfg *config) store.Notifier {
	if cfg.Mail == nil {
		return nil
	}
	mc := ra.MailConfig{}
	if base := strings.TrimSuffix(cfg.RA.PublicURL, "/"); base != "" {
		mc.StatusURL = func(n string) string { return base + "/ra/v1/applications/" + n }
		mc.Downloads = func(n string) []string {
			u := base + "/ra/v1/applications/" + n + "/certificate?format="
			return []string{u + "der", u + "pem", u + "p7b"}
		}
	}
	return ra.Notifier(mc)
}

// raKey returns the access code key of the directory, making it (32
// random bytes, mode 0600) the first time.
func (a *app) raKey() ([]byte, error) {
	p := a.path(raKeyName)
	key, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := writeNewFile(p, key, 0o600); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		// Another process may have made it first: use what is there.
		key, err = os.ReadFile(p)
	}
	if err != nil {
		return nil, failf("reading the access code key: %v", err)
	}
	if len(key) < 32 {
		return nil, failf("the access code key %s is too short (%d bytes)", p, len(key)).
			withHint("restore it from the backup of the CA directory: without it no access code can be checked")
	}
	return key, nil
}

// raOf makes the registration authority of the directory over db and c.
// alone says this process holds the ledger for the whole command, as the
// commands do (serve shares it): a reservation it finds unsigned was left
// by a process that died.
func (a *app) raOf(cfg *config, db ra.Ledger, c *ca.CA, alone bool) (*ra.Authority, error) {
	key, err := a.raKey()
	if err != nil {
		return nil, err
	}
	rc := cfg.RA
	var stale time.Duration
	if alone {
		stale = time.Nanosecond
	}
	r, err := ra.New(db, c, ra.Config{StaleIssuance: stale,
		Clock: a.env.Now, CodeKey: key, DecisionTime: time.Duration(rc.DecisionDays) * 24 * time.Hour,
		TwoApprovals: rc.TwoApprovals, MaxAttachmentSize: rc.MaxAttachmentMiB << 20,
		KeyClass: rc.KeyClass, SignTool: rc.SignTool,
	})
	if err != nil {
		return nil, failf("%v", trimPrefix(err))
	}
	return r, nil
}

// raSession is an open registration authority and what it holds.
type raSession struct {
	*ra.Authority
	close func()
}

// openRA opens the directory's registration authority: with keys, over the
// CA with its key (to approve, that is to issue); without, over a CA that
// has only the public key, which checks requests as the real one does but
// cannot sign.
func (a *app) openRA(keys *caKeySecrets) (*raSession, error) {
	var au *authority
	var err error
	if keys != nil {
		au, err = a.openCA(*keys)
	} else {
		au, err = a.openCAWith(func(_ *config, caCert *cert.Certificate) (crypto.Signer, func(), error) {
			return publicKeyOnly{caCert.PublicKey}, func() {}, nil
		})
	}
	if err != nil {
		return nil, err
	}
	r, err := a.raOf(au.cfg, au.db, au.CA, true)
	if err != nil {
		au.Close()
		return nil, err
	}
	return &raSession{Authority: r, close: func() { au.Close() }}, nil
}

// readRA opens the registration authority to read: the ledger read-only,
// no CA. The closer closes the ledger.
func (a *app) readRA() (*ra.Authority, func(), error) {
	db, err := a.openLedger(true)
	if err != nil {
		return nil, nil, err
	}
	key, err := a.raKey()
	if err == nil {
		var r *ra.Authority
		if r, err = ra.New(db, nil, ra.Config{Clock: a.env.Now, CodeKey: key}); err == nil {
			return r, func() { db.Close() }, nil
		}
	}
	db.Close()
	return nil, nil, err
}

// publicKeyOnly is a signer with a public key and no private key.
type publicKeyOnly struct{ pub crypto.PublicKey }

func (p publicKeyOnly) Public() crypto.PublicKey { return p.pub }

func (publicKeyOnly) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("the CA key is not open in this command")
}

// operatorName is --operator, else the login name.
func (a *app) operatorName(flag string) (string, error) {
	if flag = strings.TrimSpace(flag); flag != "" {
		return flag, nil
	}
	for _, v := range []string{"USER", "LOGNAME"} {
		if s := a.env.Getenv(v); s != "" {
			return s, nil
		}
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username, nil
	}
	return "", usagef("cannot tell who the operator is").withHint("give --operator NAME")
}

// raError words an error of the registration authority.
func raError(number string, err error) error {
	var fe ra.FieldErrors
	switch {
	case errors.As(err, &fe):
		lines := make([]string, len(fe))
		for i, e := range fe {
			lines[i] = e.Field + ": " + e.Problem
		}
		return failf("application refused: %s", strings.Join(lines, "; ")).because(err).
			withHint("correct the fields named and submit again; nothing was recorded")
	case errors.Is(err, ra.ErrNotFound):
		return failf("no application %s", number).because(err).withHint("'gostca request list' shows the applications")
	case errors.Is(err, ra.ErrTransition):
		return failf("%s", trimPrefix(err)).because(err).
			withHint("'gostca request show %s' shows its state and history", number)
	case errors.Is(err, ra.ErrSameOperator):
		return failf("%s", trimPrefix(err)).because(err).
			withHint("the profile needs a second operator's approval")
	}
	return explain(err)
}

func (a *app) requestCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "request",
		Short: "Applications for certificates: list, show, approve, reject, submit",
		Long: `Request works the registration authority's applications: people apply
with their personal data and a PKCS#10 request (over the HTTP API of
'gostca serve --ra', or in the office with 'request submit'), and
operators decide.

An application goes submitted → in_review → approved → issued, or ends
rejected (with a reason the applicant is told), cancelled (by the
applicant) or expired (no decision within the configured time, 30 days by
default); an issuance that fails leaves it failed, and approving again
retries. The qualified and subca profiles need two approvals by different
operators. Every step is one ledger transaction with its audit entry; the
operator's name comes from --operator, else the login name.`,
		Example: `  gostca request list --status submitted
  gostca request show 2026-000123
  gostca request approve 2026-000123 --operator ivanov
  gostca request reject 2026-000124 --reason "скан паспорта нечитаем"`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(a.requestListCommand(), a.requestShowCommand(), a.requestApproveCommand(),
		a.requestRejectCommand(), a.requestAttachmentCommand(), a.requestSubmitCommand(), a.requestExpireCommand(),
		a.requestRenewCommand())
	return cmd
}

// applicationEntry is an application as --json writes it.
type applicationEntry struct {
	Number      string           `json:"number"`
	Status      ra.State         `json:"status"`
	Applicant   *ra.Applicant    `json:"applicant,omitempty"`
	Name        string           `json:"name"`
	Profile     string           `json:"profile"`
	Channel     string           `json:"channel"`
	Serial      string           `json:"serial,omitempty"`
	Reason      string           `json:"reason,omitempty"`
	Renews      string           `json:"renews,omitempty"`
	Checks      []string         `json:"checks,omitempty"`
	Approvals   []ra.Approval    `json:"approvals,omitempty"`
	Attachments []attachmentInfo `json:"attachments,omitempty"`
	History     []ra.Event       `json:"history,omitempty"`
	Deadline    time.Time        `json:"deadline,omitzero"`
	Submitted   time.Time        `json:"submitted"`
	Updated     time.Time        `json:"updated"`
}

type attachmentInfo struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Size     int64  `json:"size"`
	Streebog string `json:"streebog256"`
}

func entryOfApplication(x *ra.Application, full bool) applicationEntry {
	e := applicationEntry{
		Number: x.Number, Status: x.State, Name: x.Applicant.FullName(), Profile: x.Profile, Channel: x.Channel,
		Reason: x.Reason, Renews: x.Renews, Submitted: x.CreatedAt, Updated: x.UpdatedAt,
	}
	if x.Serial != nil {
		e.Serial = formatSerial(x.Serial)
	}
	if x.State == ra.Submitted || x.State == ra.InReview {
		e.Deadline = x.Deadline
	}
	if full {
		e.Applicant = &x.Applicant
		e.Checks, e.Approvals, e.History = x.Checks, x.Approvals, x.History
		for _, at := range x.Attachments {
			e.Attachments = append(e.Attachments, attachmentInfo{Name: at.Name, Type: at.Type, Size: at.Size, Streebog: fmt.Sprintf("%x", at.Hash)})
		}
	}
	return e
}

func (a *app) requestListCommand() *cobra.Command {
	var status string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--status S] [--json]",
		Short: "List the applications",
		Long: `List shows the applications, oldest first: number, status, profile,
applicant and, once issued, the serial. --status keeps one state
(submitted, in_review, approved, issued, rejected, cancelled, expired,
failed).`,
		Example: `  gostca request list
  gostca request list --status submitted --json`,
		Args: usageArgs(cobra.NoArgs),
	}
	cmd.Flags().StringVar(&status, "status", "", "only this state")
	cmd.Flags().BoolVar(&asJSON, "json", false, "write JSON")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		st := ra.State(status)
		if err := checkState(st); err != nil {
			return err
		}
		r, closeRA, err := a.readRA()
		if err != nil {
			return err
		}
		defer closeRA()
		apps, err := r.List(st)
		if err != nil {
			return failf("reading the applications: %v", trimPrefix(err))
		}
		if asJSON {
			out := make([]applicationEntry, 0, len(apps))
			for _, x := range apps {
				out = append(out, entryOfApplication(x, false))
			}
			return writeJSON(a.env.Stdout, out)
		}
		tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NUMBER\tSTATUS\tPROFILE\tSUBMITTED\tAPPLICANT\tSERIAL")
		for _, x := range apps {
			e := entryOfApplication(x, false)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Number, e.Status, e.Profile, e.Submitted.Format("2006-01-02"), e.Name, e.Serial)
		}
		return tw.Flush()
	}
	return cmd
}

func checkState(s ra.State) error {
	switch s {
	case "", ra.Submitted, ra.InReview, ra.Approved, ra.Issued, ra.Rejected, ra.Cancelled, ra.Expired, ra.Failed:
		return nil
	}
	return usagef("unknown --status %q", s).withHint("submitted, in_review, approved, issued, rejected, cancelled, expired or failed")
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (a *app) requestShowCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show NUMBER [--json]",
		Short: "Show an application: all its data, attachments, checks and history",
		Example: `  gostca request show 2026-000123
  gostca request show 2026-000123 --json`,
		Args: usageArgs(cobra.ExactArgs(1)),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "write JSON")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		number, err := parseNumber(args[0])
		if err != nil {
			return err
		}
		r, closeRA, err := a.readRA()
		if err != nil {
			return err
		}
		defer closeRA()
		x, err := r.Get(number)
		if err != nil {
			return raError(number, err)
		}
		e := entryOfApplication(x, true)
		if asJSON {
			return writeJSON(a.env.Stdout, e)
		}
		return printApplication(a.env.Stdout, e)
	}
	return cmd
}

func printApplication(w io.Writer, e applicationEntry) error {
	var b bytes.Buffer
	ap := e.Applicant
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%-16s %s\n", k+":", v)
		}
	}
	line("Number", e.Number)
	line("Status", string(e.Status))
	line("Profile", e.Profile)
	line("Channel", e.Channel)
	line("Submitted", e.Submitted.Format(time.RFC3339))
	if !e.Deadline.IsZero() {
		line("Decide by", e.Deadline.Format(time.RFC3339))
	}
	line("Serial", e.Serial)
	line("Renews", e.Renews)
	line("Reason", e.Reason)
	line("Applicant", e.Name)
	line("Born", ap.BirthDate.String())
	line("SNILS", ap.SNILS)
	line("INN", ap.INN)
	line("OGRNIP", ap.OGRNIP)
	p := ap.Passport
	line("Passport", fmt.Sprintf("%s %s, issued %s by %s (%s)", p.Series, p.Number, p.IssueDate, p.Issuer, p.IssuerCode))
	line("E-mail", ap.Email)
	line("Phone", ap.Phone)
	if o := ap.Organization; o != nil {
		line("Organisation", o.Name)
		line("OGRN", o.OGRN)
		line("INNLE", o.INNLE)
		line("Title", o.Title)
	}
	for _, c := range e.Checks {
		line("Checked", c)
	}
	for _, at := range e.Attachments {
		line("Attachment", fmt.Sprintf("%s (%s, %d bytes, Streebog-256 %s)", at.Name, at.Type, at.Size, at.Streebog))
	}
	for _, ap := range e.Approvals {
		line("Approved by", fmt.Sprintf("%s at %s", ap.By, ap.At.Format(time.RFC3339)))
	}
	for _, h := range e.History {
		s := fmt.Sprintf("%s %s → %s by %s", h.At.Format(time.RFC3339), h.From, h.To, h.By)
		if h.From == "" {
			s = fmt.Sprintf("%s %s by %s", h.At.Format(time.RFC3339), h.To, h.By)
		}
		if h.Why != "" {
			s += ": " + h.Why
		}
		line("History", s)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// parseNumber reads an application number argument.
func parseNumber(s string) (string, error) {
	year, seq, err := ra.ParseNumber(s)
	if err != nil {
		return "", usagef("%s", strings.TrimPrefix(err.Error(), "ra: ")).withHint("'gostca request list' shows the numbers")
	}
	return ra.FormatNumber(year, seq), nil
}

func (a *app) requestApproveCommand() *cobra.Command {
	var operator, profile string
	var days int
	cmd := &cobra.Command{
		Use:   "approve NUMBER [--profile P] [--days D] [--operator NAME]",
		Short: "Approve an application and issue its certificate",
		Long: `Approve records the operator's approval of the application and, once it
has the approvals its profile needs, issues the certificate through the CA
(its subject built from the applicant's data, not from the request),
linked to the application both ways, and prints its serial number.

The qualified and subca profiles (gostca.json's ra.two_approvals) need a
second approval by another operator: the first approval leaves the
application in_review. Approving an application issued already prints its
serial and issues nothing; approving a failed one retries the issuance.`,
		Example: `  gostca request approve 2026-000123
  gostca request approve 2026-000123 --operator petrov --days 365
  gostca request approve 2026-000123 --profile qualified --pin-file /etc/gostca/pin`,
		Args: usageArgs(cobra.ExactArgs(1)),
	}
	cmd.Flags().StringVar(&operator, "operator", "", "the approving operator (default: the login name)")
	cmd.Flags().StringVar(&profile, "profile", "", "issue with this profile instead of the one asked for")
	cmd.Flags().IntVar(&days, "days", 0, "validity in days (default: the profile's)")
	keys := addCAKeyFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		number, err := parseNumber(args[0])
		if err != nil {
			return err
		}
		if days < 0 {
			return usagef("--days must be positive")
		}
		op, err := a.operatorName(operator)
		if err != nil {
			return err
		}
		s, err := a.openRA(&keys)
		if err != nil {
			return err
		}
		defer s.close()
		d, err := s.Approve(number, op, ra.ApproveOptions{Profile: profile, Validity: time.Duration(days) * 24 * time.Hour})
		if err != nil {
			return raError(number, err)
		}
		if d.Waiting {
			messagef(a.env.Stderr, "approved %s by %s; the %s profile needs a second operator's approval", number, op, d.Application.Profile)
			return nil
		}
		messagef(a.env.Stderr, "application %s issued: serial %s, %s", number, formatSerial(d.Certificate.SerialNumber), d.Certificate.Subject.String())
		fmt.Fprintln(a.env.Stdout, formatSerial(d.Certificate.SerialNumber))
		return nil
	}
	return cmd
}

func (a *app) requestRejectCommand() *cobra.Command {
	var operator, reason string
	cmd := &cobra.Command{
		Use:   "reject NUMBER --reason TEXT [--operator NAME]",
		Short: "Reject an application, with the reason the applicant is told",
		Example: `  gostca request reject 2026-000124 --reason "скан паспорта нечитаем"
  gostca request reject 2026-000124 --reason "SNILS does not match the passport" --operator petrov`,
		Args: usageArgs(cobra.ExactArgs(1)),
	}
	cmd.Flags().StringVar(&operator, "operator", "", "the operator (default: the login name)")
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the applicant (required)")
	cmd.MarkFlagRequired("reason")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		number, err := parseNumber(args[0])
		if err != nil {
			return err
		}
		if strings.TrimSpace(reason) == "" {
			return usagef("--reason is empty").withHint("say why: the applicant is told")
		}
		op, err := a.operatorName(operator)
		if err != nil {
			return err
		}
		s, err := a.openRA(nil)
		if err != nil {
			return err
		}
		defer s.close()
		if _, err := s.Reject(number, op, reason); err != nil {
			return raError(number, err)
		}
		messagef(a.env.Stderr, "rejected %s by %s: %s", number, op, reason)
		return nil
	}
	return cmd
}

func (a *app) requestAttachmentCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "attachment NUMBER NAME --out FILE",
		Short: "Write an application's attachment to a file",
		Long: `Attachment writes the scan NAME of the application to FILE (mode 0600:
scans hold personal data), checked against the Streebog-256 hash the
ledger keeps of it.`,
		Example: `  gostca request attachment 2026-000123 passport.pdf --out /tmp/passport.pdf`,
		Args:    usageArgs(cobra.ExactArgs(2)),
	}
	cmd.Flags().StringVar(&out, "out", "", "write to `FILE` (required)")
	cmd.MarkFlagRequired("out")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		number, err := parseNumber(args[0])
		if err != nil {
			return err
		}
		r, closeRA, err := a.readRA()
		if err != nil {
			return err
		}
		defer closeRA()
		at, data, err := r.AttachmentData(number, args[1])
		if err != nil {
			return raError(number, err)
		}
		if err := replaceFile(out, data, 0o600); err != nil {
			return err
		}
		messagef(a.env.Stderr, "wrote %s (%s, %d bytes) to %s", at.Name, at.Type, len(data), out)
		return nil
	}
	return cmd
}

func (a *app) requestSubmitCommand() *cobra.Command {
	var csrPath, applicantPath, profile, operator string
	var attach []string
	cmd := &cobra.Command{
		Use:   "submit --csr FILE --applicant FILE.json --profile P [--attach FILE]...",
		Short: "Record an application taken in the office",
		Long: `Submit records an application an operator took in person: the applicant's
data as JSON (the fields of the HTTP API: surname, given_name, patronymic,
birth_date, snils, inn, passport{series, number, issue_date, issuer,
issuer_code}, email, phone, ogrnip, organization{name, ogrn, innle,
title}), the PKCS#10 request made with the applicant's key, and up to 5
scans (PDF, JPEG or PNG, recognised by content).

Everything is checked first — the check digits, the dates, the passport,
the e-mail, the request's signature and key, a key certified already or
in an open application — and every wrong field is reported at once, with
nothing recorded. It prints the application number to standard output,
and the access code, shown this once, to standard error.`,
		Example: `  gostca request submit --csr ivanov.csr --applicant ivanov.json --profile qualified \
      --attach passport.pdf --attach snils.jpg`,
		Args: usageArgs(cobra.NoArgs),
	}
	cmd.Flags().StringVar(&csrPath, "csr", "", "the PKCS#10 request `FILE` (PEM or DER; required)")
	cmd.Flags().StringVar(&applicantPath, "applicant", "", "the applicant's data, a JSON `FILE` (required)")
	cmd.Flags().StringVar(&profile, "profile", "", "the profile asked for (default: gostca.json's default_profile)")
	cmd.Flags().StringArrayVar(&attach, "attach", nil, "a scan to attach (repeatable, at most 5)")
	cmd.Flags().StringVar(&operator, "operator", "", "the operator taking it (default: the login name)")
	codeWord := addPassFlag(cmd, "code-word-file", "GOSTCA_CODE_WORD", "applicant's code word for lost-key reports")
	cmd.MarkFlagRequired("csr")
	cmd.MarkFlagRequired("applicant")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		csr, err := os.ReadFile(csrPath)
		if err != nil {
			return failf("reading the request: %v", err)
		}
		data, err := os.ReadFile(applicantPath)
		if err != nil {
			return failf("reading the applicant: %v", err)
		}
		var ap ra.Applicant
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ap); err != nil {
			return failf("%s: %v", applicantPath, err).withHint("'gostca request submit --help' lists the fields")
		}
		sub := ra.Submission{Applicant: ap, Profile: profile, CSR: csr, Channel: "office"}
		for _, p := range attach {
			b, err := os.ReadFile(p)
			if err != nil {
				return failf("reading the attachment: %v", err)
			}
			sub.Attachments = append(sub.Attachments, ra.File{Name: filepath.Base(p), Data: b})
		}
		if *codeWord.file != "" || a.env.Getenv(codeWord.env) != "" {
			w, err := a.readPass(codeWord)
			if err != nil {
				return err
			}
			sub.CodeWord = strings.TrimSpace(string(w))
		}
		if sub.By, err = a.operatorName(operator); err != nil {
			return err
		}
		s, err := a.openRA(nil)
		if err != nil {
			return err
		}
		defer s.close()
		if sub.Profile == "" {
			cfg, _ := a.loadConfig()
			sub.Profile = cfg.DefaultProfile
		}
		rc, err := s.Submit(sub)
		if err != nil {
			return raError("", err)
		}
		messagef(a.env.Stderr, "application %s submitted; access code %s (shown once: give it to the applicant)", rc.Number, rc.AccessCode)
		fmt.Fprintln(a.env.Stdout, rc.Number)
		return nil
	}
	return cmd
}

func (a *app) requestExpireCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "expire",
		Short: "Expire the applications left without a decision too long",
		Long: `Expire moves every submitted or in_review application whose decision time
(gostca.json's ra.decision_days, 30 by default) has passed to expired,
and prints their numbers. 'gostca serve --ra' does it every hour.`,
		Example: `  gostca request expire`,
		Args:    usageArgs(cobra.NoArgs),
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		s, err := a.openRA(nil)
		if err != nil {
			return err
		}
		defer s.close()
		done, err := s.Expire()
		for _, n := range done {
			fmt.Fprintln(a.env.Stdout, n)
		}
		if err != nil {
			return failf("expiring applications: %v", trimPrefix(err))
		}
		messagef(a.env.Stderr, "%d applications expired", len(done))
		return nil
	}
	return cmd
}

func (a *app) requestRenewCommand() *cobra.Command {
	var url, keyPath, certPath, csrPath, out, module string
	cmd := &cobra.Command{
		Use:   "renew --url URL --key CUR.key --cert CUR.pem --csr NEW.csr [--out NEW.pem]",
		Short: "Renew a certificate over the registration authority's API",
		Long: `Renew sends the request for a new key (NEW.csr), signed with the key of
the current certificate, to the registration authority at URL
('gostca serve --ra'). When the current certificate is valid, its profile
allows self-renewal (signature, encryption, auth and tls-server by
default) and the new request keeps its subject, the successor is issued
at once: it is written to --out (or standard output) and linked to the
current one as its renewal. Otherwise the renewal becomes an application
for an operator: its number goes to standard output and its access code,
shown once, to standard error. A revoked, held or expired certificate
cannot renew itself.

The current key is a key file (its passphrase from --pass-file, else
$GOSTCA_PASSPHRASE, else a prompt) or a key in a token (pkcs11: URI).`,
		Example: `  gostca csr --key new.key --subject "CN=Иванов Иван Иванович,C=RU" --out new.csr
  gostca request renew --url https://ca.example.ru --key cur.key --cert cur.pem --csr new.csr --out new.pem`,
		Args: usageArgs(cobra.NoArgs),
	}
	f := cmd.Flags()
	f.StringVar(&url, "url", "", "the registration authority (https://ca.example.ru; required)")
	f.StringVar(&keyPath, "key", "", "the current certificate's key: a key file or a pkcs11: URI (required)")
	f.StringVar(&certPath, "cert", "", "the current certificate (required)")
	f.StringVar(&csrPath, "csr", "", "the request for the new key (required)")
	f.StringVar(&out, "out", "", "write the new certificate to `FILE` (default: standard output)")
	f.StringVar(&module, "module", "", "the PKCS#11 library of a key in a token")
	for _, n := range []string{"url", "key", "cert", "csr"} {
		cmd.MarkFlagRequired(n)
	}
	keys := addKeyFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		endpoint, err := raEndpoint(url, "renewals")
		if err != nil {
			return err
		}
		csr, err := readCSR(csrPath)
		if err != nil {
			return err
		}
		signerCert, extra, err := a.signerCertificates(certPath, "", nil)
		if err != nil {
			return err
		}
		key, closeKey, err := a.openSigningKey(keyPath, module, keys)
		if err != nil {
			return err
		}
		defer closeKey()
		s, err := cms.NewSigner(key, signerCert, &cms.SignerOptions{Certificates: extra, Clock: a.env.Now})
		if err != nil {
			return failf("%s: %s", certPath, trimPrefix(err)).withHint("--cert must be the certificate of the key --key names").because(err)
		}
		var body bytes.Buffer
		if err := s.SignAttached(&body, bytes.NewReader(csr), int64(len(csr))); err != nil {
			return failf("signing the request: %s", trimPrefix(err))
		}
		var reply struct {
			Serial      string          `json:"serial"`
			Certificate string          `json:"certificate"`
			Number      string          `json:"number"`
			AccessCode  string          `json:"access_code"`
			Title       string          `json:"title"`
			Detail      string          `json:"detail"`
			Errors      []ra.FieldError `json:"errors"`
		}
		status, err := postJSON(endpoint, "application/pkcs7-mime", body.Bytes(), &reply)
		if err != nil {
			return err
		}
		switch status {
		case http.StatusCreated:
			if err := a.writeOut(out, []byte(reply.Certificate), false, "the new certificate"); err != nil {
				return err
			}
			messagef(a.env.Stderr, "renewed: serial %s", reply.Serial)
			if out != "" {
				fmt.Fprintln(a.env.Stdout, reply.Serial)
			}
			return nil
		case http.StatusAccepted:
			messagef(a.env.Stderr, "the renewal is application %s, for an operator to decide; access code %s (shown once)", reply.Number, reply.AccessCode)
			fmt.Fprintln(a.env.Stdout, reply.Number)
			return nil
		}
		msg := reply.Title
		if reply.Detail != "" {
			msg += ": " + reply.Detail
		}
		for _, e := range reply.Errors {
			msg += "; " + e.Field + ": " + e.Problem
		}
		if msg == "" {
			msg = http.StatusText(status)
		}
		return failf("renewal refused (HTTP %d): %s", status, msg)
	}
	return cmd
}

// raEndpoint is the API path under the registration authority's URL.
func raEndpoint(base, path string) (string, error) {
	u, err := neturl.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", usagef("--url %q is not an http(s) URL", base)
	}
	if !strings.HasSuffix(u.Path, "/ra/v1") {
		u.Path += "/ra/v1"
	}
	return u.String() + "/" + path, nil
}

// postJSON posts body and decodes the JSON answer into v.
func postJSON(endpoint, ctype string, body []byte, v any) (int, error) {
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Post(endpoint, ctype, bytes.NewReader(body))
	if err != nil {
		return 0, failf("%v", err).withHint("check --url, and that 'gostca serve --ra' runs there")
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, failf("reading the answer of %s: %v", endpoint, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return 0, failf("%s answered HTTP %d, not JSON", endpoint, resp.StatusCode).withHint("check --url: is it a gostca registration authority?")
	}
	return resp.StatusCode, nil
}
