package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gostca/gostca/ca/status"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
)

// timeLayout is how verify-signature shows times: DD.MM.YYYY HH:MM:SS UTC.
const timeLayout = "02.01.2006 15:04:05 UTC"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// The status words of verify-signature, at the signing time and now.
const (
	stNotChecked = "not checked"
	stGood       = "good"
	stRevoked    = "revoked"
	stHeld       = "held"
	stUnknown    = "unknown"
	stError      = "error"
)

// sigReport is what verify-signature finds, as --json writes it.
type sigReport struct {
	File     string         `json:"file"`
	Detached bool           `json:"detached"`
	Content  string         `json:"content,omitempty"`
	Valid    bool           `json:"valid"`
	Signers  []signerReport `json:"signers"`
}

// signerReport is the verdict on one signature.
type signerReport struct {
	Index   int    `json:"index"`
	Valid   bool   `json:"valid"`
	Verdict string `json:"verdict"`
	// Who signed: the certificate's subject and the registration numbers
	// in it.
	Signer      string    `json:"signer,omitempty"`
	Subject     string    `json:"subject,omitempty"`
	SNILS       string    `json:"snils,omitempty"`
	INN         string    `json:"inn,omitempty"`
	INNLE       string    `json:"innle,omitempty"`
	OGRN        string    `json:"ogrn,omitempty"`
	OGRNIP      string    `json:"ogrnip,omitempty"`
	Serial      string    `json:"serial,omitempty"`
	Issuer      string    `json:"issuer,omitempty"`
	Fingerprint string    `json:"fingerprint_streebog256,omitempty"`
	SigningTime time.Time `json:"signing_time,omitzero"`
	// Signature is "ok" or why the signature does not hold.
	Signature string `json:"signature"`
	// Chain lists the common names from the signer to the root, when it
	// verifies; ChainError says why it does not.
	Chain               []string     `json:"chain,omitempty"`
	ChainError          string       `json:"chain_error,omitempty"`
	ChainAtSigningError string       `json:"chain_at_signing_time_error,omitempty"`
	Status              statusReport `json:"status"`
	// Problems say why the signature is invalid; Warnings what a valid
	// one comes with.
	Problems []string `json:"problems,omitempty"`
	Warnings []string `json:"warnings,omitempty"`

	hint string // for the error line, from the first problem
	// notVerified: the only problems are a status the source could not
	// give; the signature is not verified rather than invalid.
	notVerified bool
}

// statusReport is the revocation status of a signer's certificate.
type statusReport struct {
	AtSigningTime  string    `json:"at_signing_time"`
	Now            string    `json:"now"`
	Source         string    `json:"source,omitempty"`
	RevokedAt      time.Time `json:"revoked_at,omitzero"`
	Reason         string    `json:"reason,omitempty"`
	InvalidityDate time.Time `json:"invalidity_date,omitzero"`
	ThisUpdate     time.Time `json:"this_update,omitzero"`
	NextUpdate     time.Time `json:"next_update,omitzero"`
	Stale          bool      `json:"stale,omitempty"`
	Error          string    `json:"error,omitempty"`

	why string // why it was not checked, for people
}

// verifySigOptions are the flags of verify-signature.
type verifySigOptions struct {
	content, ocspURL string
	roots, crls      []string
	ledger, asJSON   bool
	timeout          time.Duration
}

func (a *app) verifySignatureCommand() *cobra.Command {
	var o verifySigOptions
	cmd := &cobra.Command{
		Use:   "verify-signature SIG [--content FILE] [--root ROOT] [--ocsp URL | --crl FILE | --ledger] [--json]",
		Short: "Verify a CMS signature (.sig, .p7s): who signed, when, the chain and the revocation status",
		Long: `Verify-signature checks every signature of SIG (a detached .sig or an
attached .p7s, DER or PEM): the signature over the document, the signer's
certificate chain up to a trusted root, now and at the signing time, and,
with a status source, whether the certificate was revoked when it signed
and whether it is now. It prints, for each signer, who signed (name,
SNILS, INN), when (signingTime: the signer's clock, not attested), the
chain and the status, or JSON with --json.

For a detached signature, --content is the signed document. The trust
anchors are the certificates of --root (repeatable), else the root of the
CA directory (--dir, $GOSTCA_DIR). The status comes from one source:

  --ocsp URL    an OCSP responder (signed answer, nonce checked)
  --crl FILE    a full CRL of the signer's CA (repeatable, one per CA)
  --ledger      the ledger of the CA directory (the CA that issued it)

Without one, the status is not checked, and the output says so.

It exits 0 only if every signature holds, every chain verifies and no
signer's certificate was revoked or on hold at the signing time. A
certificate revoked after the signing time leaves the signature valid, as
made before the revocation: the output says the certificate is revoked
now. A status the source cannot give (unknown certificate, unreachable
responder, CRL of another CA) fails the verification.`,
		Example: `  gostca verify-signature contract.pdf.sig --content contract.pdf --root root.pem
  gostca verify-signature report.xml.p7s --root root.pem --crl ca.crl --json
  gostca verify-signature contract.pdf.sig --content contract.pdf --ocsp http://ocsp.example.ru
  gostca --dir /var/lib/gostca verify-signature contract.pdf.sig --content contract.pdf --ledger`,
		Args: usageArgs(cobra.ExactArgs(1)),
	}
	f := cmd.Flags()
	f.StringVar(&o.content, "content", "", "the signed document `FILE`, for a detached signature")
	f.StringArrayVar(&o.roots, "root", nil, "trusted root certificates `FILE` (PEM or DER; repeatable; default the CA directory's)")
	f.StringVar(&o.ocspURL, "ocsp", "", "check the status with the OCSP responder at `URL`")
	f.StringArrayVar(&o.crls, "crl", nil, "check the status in the CRL `FILE` (DER or PEM; repeatable)")
	f.BoolVar(&o.ledger, "ledger", false, "check the status in the ledger of the CA directory")
	f.DurationVar(&o.timeout, "timeout", status.DefaultOCSPTimeout, "with --ocsp: how long to wait for the responder")
	f.BoolVar(&o.asJSON, "json", false, "write JSON")
	cmd.MarkFlagsMutuallyExclusive("ocsp", "crl", "ledger")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return a.verifySignature(cmd.Context(), args[0], &o)
	}
	return cmd
}

func (a *app) verifySignature(ctx context.Context, sigPath string, o *verifySigOptions) error {
	checker, closeChecker, err := a.statusChecker(o)
	if err != nil {
		return err
	}
	defer closeChecker()
	roots, inter, err := a.trustAnchors(o.roots)
	if err != nil {
		return err
	}
	sf, err := os.Open(sigPath)
	if err != nil {
		return fileError(sigPath, err)
	}
	defer sf.Close()
	sd, err := parseSignature(sf)
	if err != nil {
		return notSignature(sigPath, err)
	}
	var content io.Reader
	switch {
	case sd.Detached && o.content == "":
		guess := strings.TrimSuffix(strings.TrimSuffix(sigPath, ".sig"), ".p7s")
		if _, err := os.Stat(guess); guess == sigPath || err != nil {
			guess = "FILE"
		}
		return failf("%s is a detached signature: the signed document is missing", sigPath).
			withHint("give it with --content %s", guess)
	case !sd.Detached && o.content != "":
		return failf("%s embeds its content: --content is for detached signatures", sigPath).
			withHint("leave --content out")
	case sd.Detached:
		cf, err := os.Open(o.content)
		if err != nil {
			return fileError(o.content, err)
		}
		defer cf.Close()
		content = bufio.NewReaderSize(cf, 64<<10)
	}
	results, err := sd.Verify(content, cms.VerifyOptions{Roots: roots, Certificates: inter, CurrentTime: a.env.Now()})
	if results == nil {
		return failf("%s: %s", sigPath, trimPrefix(err)).because(err)
	}
	rep := &sigReport{File: sigPath, Detached: sd.Detached, Content: o.content, Valid: true}
	for i, res := range results {
		sr := a.judgeSigner(ctx, i+1, res, checker)
		rep.Valid = rep.Valid && sr.Valid
		rep.Signers = append(rep.Signers, sr)
	}
	if o.asJSON {
		enc := json.NewEncoder(a.env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else if _, err := fmt.Fprint(a.env.Stdout, rep.text()); err != nil {
		return err
	}
	if checker == nil {
		warnf(a.env.Stderr, "revocation status not checked: give --ocsp URL, --crl FILE or --ledger")
	}
	return rep.err()
}

// parseSignature reads a signature, DER or PEM: DER is streamed (an
// attached content is hashed, not kept), PEM read into memory.
func parseSignature(r io.Reader) (*cms.SignedData, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(256)
	if looksPEM(head) {
		data, err := io.ReadAll(br)
		if err != nil {
			return nil, err
		}
		return cms.ParsePEM(data)
	}
	return cms.ParseReader(br, nil)
}

// statusChecker makes the status source of the flags (nil for none) and
// what releases it.
func (a *app) statusChecker(o *verifySigOptions) (status.Checker, func(), error) {
	c, err := a.statusSource(o)
	if l, ok := c.(*ledgerChecker); ok {
		return l.Ledger, func() { l.db.Close() }, err
	}
	return c, func() {}, err
}

// ledgerChecker is the status source of --ledger on an open ledger.
type ledgerChecker struct {
	*status.Ledger
	db ledger
}

// statusSource is statusChecker without the closer.
func (a *app) statusSource(o *verifySigOptions) (status.Checker, error) {
	switch {
	case o.ocspURL != "":
		c, err := status.NewOCSP(o.ocspURL, &status.OCSPOptions{Clock: a.env.Now, Timeout: o.timeout})
		if err != nil {
			return nil, usagef("--ocsp: %s", trimPrefix(err)).withHint("give the responder's URL, e.g. http://ocsp.example.ru")
		}
		return c, nil
	case len(o.crls) > 0:
		var set status.CRLSet
		for _, p := range o.crls {
			data, err := os.ReadFile(p)
			if err != nil {
				return nil, fileError(p, err)
			}
			c, err := status.ParseCRL(data, &status.CRLOptions{Clock: a.env.Now})
			if errors.Is(err, status.ErrDeltaCRL) {
				return nil, failf("%s is a delta CRL, which lists only changes", p).withHint("give the full CRL ('gostca crl' makes one)").because(err)
			}
			if err != nil {
				return nil, failf("%s is not a CRL: %s", p, trimPrefix(err)).because(err)
			}
			set = append(set, c)
		}
		return set, nil
	case o.ledger:
		loc, err := a.where()
		if err != nil {
			return nil, err
		}
		opts := &status.LedgerOptions{Clock: a.env.Now, Timeout: ledgerTimeout}
		if loc.postgres() {
			db, err := a.openLedger(true)
			if err != nil {
				return nil, err
			}
			return &ledgerChecker{status.NewLedgerDB(db, loc.String(), opts), db}, nil
		}
		if _, err := os.Stat(loc.path); err != nil {
			return nil, a.noCA(ledgerName + " not found, for --ledger")
		}
		return status.NewLedger(loc.path, opts), nil
	}
	return nil, nil
}

// trustAnchors reads the roots of --root, else the CA directory's: its
// self-signed certificates are the roots, the others intermediates.
func (a *app) trustAnchors(files []string) (roots, inter []*cert.Certificate, err error) {
	for _, p := range files {
		certs, err := readCerts(p)
		if err != nil {
			return nil, nil, fileError(p, err)
		}
		roots = append(roots, certs...)
	}
	if len(roots) > 0 {
		return roots, nil, nil
	}
	if _, err := os.Stat(a.path(configName)); err != nil {
		return nil, nil, failf("no trusted root: no --root, and no CA in %s", a.dir).
			withHint("give the root CA certificate with --root ROOT.pem, or the CA directory with --dir")
	}
	caCert, chain, err := a.caCerts()
	if err != nil {
		return nil, nil, err
	}
	roots, inter = splitRoots(append([]*cert.Certificate{caCert}, chain...))
	return roots, inter, nil
}

// judgeSigner reports on one signature: status.CheckSignature's
// judgement, in the words and fields of verify-signature.
func (a *app) judgeSigner(ctx context.Context, index int, res *cms.SignerResult, checker status.Checker) signerReport {
	sr := signerReport{Index: index, Signature: "ok"}
	if c := res.Certificate; c != nil {
		n := &c.Subject
		sr.Signer, sr.Subject = owner(n), n.String()
		sr.SNILS, sr.INN, sr.INNLE, sr.OGRN, sr.OGRNIP = n.SNILS, n.INN, n.INNLE, n.OGRN, n.OGRNIP
		sr.Serial, sr.Issuer, sr.Fingerprint = formatSerial(c.SerialNumber), c.Issuer.String(), fingerprint(c.Raw)
	} else if si := res.SignerInfo; si.SerialNumber != nil {
		sr.Serial = formatSerial(si.SerialNumber)
	}
	for _, c := range res.Chain {
		sr.Chain = append(sr.Chain, commonName(c.Subject.String()))
	}
	rep := status.CheckSignature(ctx, res, checker)
	sr.SigningTime = rep.SigningTime
	if res.Err != nil {
		sr.Signature = signatureWords(res.Err)
	}
	if res.ChainErr != nil {
		sr.ChainError = trimPrefix(res.ChainErr)
	}
	if err := res.SigningTimeChainErr; err != nil && !errors.Is(err, cms.ErrNoSigningTime) {
		sr.ChainAtSigningError = trimPrefix(err)
	}
	for i, p := range rep.Problems {
		if i == 0 {
			sr.hint = problemHint(p, res)
		}
		sr.Problems = append(sr.Problems, trimPrefix(p))
	}
	sr.Warnings = rep.Warnings
	sr.Valid, sr.notVerified, sr.Verdict = rep.Valid(), rep.NotVerified(), rep.Summary()

	st := &sr.Status
	switch {
	case errors.Is(rep.NotChecked, status.ErrNotHolding):
		st.AtSigningTime, st.Now, st.why = stNotChecked, stNotChecked, "the signature does not hold"
	case errors.Is(rep.NotChecked, status.ErrNoSource):
		st.AtSigningTime, st.Now, st.why = stNotChecked, stNotChecked, "give --ocsp URL, --crl FILE or --ledger"
	case errors.Is(rep.NotChecked, status.ErrNoIssuer):
		st.AtSigningTime, st.Now, st.why = stNotChecked, stNotChecked, "no verified issuer"
	case rep.StatusErr != nil:
		st.AtSigningTime, st.Now, st.Error = stError, stError, trimPrefix(rep.StatusErr)
	default:
		res := rep.Status
		st.Source, st.ThisUpdate, st.NextUpdate, st.Stale = res.Source, res.ThisUpdate, res.NextUpdate, res.Stale
		revokedWord := stRevoked
		if res.Held() {
			revokedWord = stHeld
		}
		if res.Revoked() {
			st.RevokedAt, st.Reason, st.InvalidityDate = res.RevokedAt, res.Reason.String(), res.InvalidityDate
		}
		switch rep.Verdict {
		case status.VerdictGood:
			st.AtSigningTime, st.Now = stGood, stGood
		case status.VerdictRevokedAfterSigning:
			st.AtSigningTime, st.Now = stGood, revokedWord
		case status.VerdictRevokedAtSigning:
			st.AtSigningTime, st.Now = revokedWord, revokedWord
		default:
			st.AtSigningTime, st.Now = stUnknown, stUnknown
		}
	}
	return sr
}

// problemHint is what the operator can do about a signature's problem.
func problemHint(p *status.Problem, res *cms.SignerResult) string {
	var ce *cert.CertificateInvalidError
	switch {
	case errors.Is(p, cms.ErrDigestMismatch):
		return "check that --content is the document that was signed"
	case errors.Is(p, status.ErrChain) && errors.As(p, &ce) && ce.Reason == cert.UnknownAuthority:
		return "give the root CA certificate of the signer with --root"
	case errors.Is(p, status.ErrWrongIssuer):
		return "give the CRL of the signer's CA, " + commonName(res.Issuer().Subject.String())
	case errors.Is(p, status.ErrUnavailable):
		return "try again later, or check the status with another source"
	case errors.Is(p, status.ErrStatusUnknown) && p.Cause == nil:
		return "check that the source is the certificate's CA's"
	}
	return ""
}

// text is the human form of the report.
func (rep *sigReport) text() string {
	var sb strings.Builder
	kind := "attached signature"
	if rep.Detached {
		kind = "detached signature of " + rep.Content
	}
	count := "1 signature"
	if len(rep.Signers) != 1 {
		count = fmt.Sprintf("%d signatures", len(rep.Signers))
	}
	fmt.Fprintf(&sb, "%s: %s, %s\n", rep.File, kind, count)
	for _, sr := range rep.Signers {
		fmt.Fprintf(&sb, "signature %d: %s\n", sr.Index, sr.Verdict)
		line := func(label, format string, args ...any) {
			fmt.Fprintf(&sb, "  %-13s %s\n", label+":", fmt.Sprintf(format, args...))
		}
		switch {
		case sr.Signer != "":
			line("signer", "%s", sr.Signer)
			line("certificate", "serial %s, issued by %s", sr.Serial, commonName(sr.Issuer))
		case sr.Serial != "":
			line("signer", "unknown (certificate serial %s not found)", sr.Serial)
		}
		if sr.SigningTime.IsZero() {
			line("signed at", "not stated")
		} else {
			line("signed at", "%s (the signer's clock)", formatTime(sr.SigningTime))
		}
		line("signature", "%s", sr.Signature)
		if sr.ChainError == "" && len(sr.Chain) > 0 {
			line("chain", "OK: %s", strings.Join(sr.Chain, " <- "))
		} else if sr.ChainError != "" {
			line("chain", "does not verify: %s", sr.ChainError)
		}
		if sr.ChainAtSigningError != "" {
			line("at signing", "chain did not verify: %s", sr.ChainAtSigningError)
		}
		sr.Status.lines(line)
		for _, p := range sr.Problems {
			line("problem", "%s", p)
		}
		for _, w := range sr.Warnings {
			line("warning", "%s", w)
		}
	}
	return sb.String()
}

// lines writes the status part of a signer's summary.
func (st *statusReport) lines(line func(label, format string, args ...any)) {
	switch {
	case st.AtSigningTime == stNotChecked:
		line("status", "not checked (%s)", st.why)
		return
	case st.Error != "":
		line("status", "could not be checked: %s", st.Error)
		return
	}
	word := func(s string) string {
		switch s {
		case stGood:
			return "not revoked"
		case stRevoked:
			return fmt.Sprintf("revoked since %s (%s)", formatTime(st.RevokedAt), st.Reason)
		case stHeld:
			return "on hold since " + formatTime(st.RevokedAt)
		}
		return "unknown to the source"
	}
	line("at signing", "%s", word(st.AtSigningTime))
	line("now", "%s", word(st.Now))
	src := st.Source
	if !st.ThisUpdate.IsZero() {
		src += ", as of " + formatTime(st.ThisUpdate)
	}
	if !st.NextUpdate.IsZero() {
		src += ", next update " + formatTime(st.NextUpdate)
	}
	line("source", "%s", src)
}

// err is the error of a report with an invalid signature, nil when every
// signature is valid.
func (rep *sigReport) err() error {
	var bad []signerReport
	for _, sr := range rep.Signers {
		if !sr.Valid {
			bad = append(bad, sr)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	first := bad[0]
	verdict := "invalid"
	if first.notVerified {
		verdict = "not verified"
	}
	var e *cliError
	if len(rep.Signers) == 1 {
		e = failf("%s: the signature is %s: %s", rep.File, verdict, first.Problems[0])
	} else {
		e = failf("%s: %d of %d signatures do not verify; signature %d is %s: %s", rep.File, len(bad), len(rep.Signers), first.Index, verdict, first.Problems[0])
	}
	if first.hint != "" {
		e.withHint("%s", first.hint)
	}
	return e
}

// splitRoots sorts certificates into the self-signed ones, the roots,
// and the others.
func splitRoots(pool []*cert.Certificate) (roots, inter []*cert.Certificate) {
	for _, c := range pool {
		if bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(c) == nil {
			roots = append(roots, c)
		} else {
			inter = append(inter, c)
		}
	}
	return roots, inter
}

// signatureWords says why a signature does not hold, without package
// prefixes.
func signatureWords(err error) string {
	return trimPrefix(errors.New(status.SignatureProblem(err)))
}
