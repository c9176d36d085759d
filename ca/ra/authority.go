package ra

import (
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/big"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/store"
)

// Ledger is what the registration authority needs of the ledger: the
// applications, their attachments and the certificates issued for them.
// *store.DB is one.
type Ledger interface {
	SubmitApplication(at time.Time, blobs [][]byte, build func(seq uint64) (*store.Application, error)) (*store.Application, error)
	UpdateApplication(number string, at time.Time, fn func(a *store.Application) (*store.Update, error)) (*store.Application, error)
	Application(number string) (*store.Application, error)
	Applications() iter.Seq2[*store.Application, error]
	Attachment(sum [32]byte) ([]byte, error)
	Get(serial *big.Int) (*store.Record, error)
	BySubjectKeyID(ski []byte) ([]*store.Record, error)
	Abandon(serial *big.Int, why string, at time.Time) error
}

var _ Ledger = (*store.DB)(nil)

// Errors of the Authority's operations, besides FieldErrors (ErrInvalid),
// ErrTransition and ErrReasonRequired.
var (
	// ErrNotFound: no application with that number — or, for the
	// applicant's operations, a wrong access code: the two get the same
	// answer, so that a code cannot be told from a number.
	ErrNotFound = errors.New("ra: no such application")
	// ErrSameOperator: the second approval of a profile that needs two
	// came from the operator who gave the first.
	ErrSameOperator = errors.New("ra: the second approval must come from another operator")
	// ErrNoCA: the Authority was made without a CA, so it cannot issue.
	ErrNoCA = errors.New("ra: this registration authority cannot issue (no CA key here)")
	// ErrNotIssued: the application has no certificate (yet).
	ErrNotIssued = errors.New("ra: no certificate issued for the application")
)

// Config configures an Authority. CodeKey is required.
type Config struct {
	// Clock gives the current time; nil means time.Now.
	Clock func() time.Time
	// Rand is the source of access codes; nil means crypto/rand.Reader.
	Rand io.Reader
	// CodeKey is the secret key of the access codes' keyed hashes (at
	// least 32 bytes): keep it beside the ledger, never in it.
	CodeKey []byte
	// DecisionTime is how long an application waits for a decision before
	// it expires; 0 means 30 days.
	DecisionTime time.Duration
	// TwoApprovals are the profiles that need two operators' approvals;
	// nil means the qualified and subca profiles.
	TwoApprovals []string
	// MaxAttachmentSize bounds each scan; 0 means 10 MiB.
	MaxAttachmentSize int
	// KeyClass is the key class of qualified certificates issued (see
	// ca.Request.KeyClass); empty means "KC1".
	KeyClass string
	// SignTool is the subjectSignTool of qualified certificates when the
	// request names none.
	SignTool string
	// StaleIssuance is how old the serial reserved for an application
	// must be, still unsigned, before an approval takes its issuance for
	// interrupted (the process died while signing), abandons the serial
	// and issues anew; 0 means 1 minute. A process that holds the ledger
	// alone for the whole approval (the command line) may set a
	// nanosecond: a reservation it finds was made by a process gone.
	StaleIssuance time.Duration
}

// DefaultDecisionTime is how long an application waits for a decision.
const DefaultDecisionTime = 30 * 24 * time.Hour

// Authority is the registration authority: it takes applications, checks
// them, records the operators' decisions and has the CA issue what was
// approved. Every change is one ledger transaction with its audit entry.
// It is safe for concurrent use.
type Authority struct {
	ledger Ledger
	ca     *ca.CA
	cfg    Config
}

// New returns the Authority of ledger. c is the CA that checks requests at
// submission and issues at approval; it needs no key for the checks, but
// without a CA (nil) the Authority takes applications whose profile and
// request it cannot check beyond their form, and cannot approve.
func New(ledger Ledger, c *ca.CA, cfg Config) (*Authority, error) {
	if len(cfg.CodeKey) < 32 {
		return nil, errors.New("ra: the access code key must be at least 32 bytes")
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.DecisionTime <= 0 {
		cfg.DecisionTime = DefaultDecisionTime
	}
	if cfg.TwoApprovals == nil {
		cfg.TwoApprovals = []string{ca.ProfileQualified, ca.ProfileSubCA}
	}
	if cfg.KeyClass == "" {
		cfg.KeyClass = "KC1"
	}
	if cfg.StaleIssuance <= 0 {
		cfg.StaleIssuance = time.Minute
	}
	return &Authority{ledger: ledger, ca: c, cfg: cfg}, nil
}

// Document is what the ledger keeps of an application beside its indexed
// fields (store.Application.Data), as JSON.
type Document struct {
	Applicant Applicant `json:"applicant"`
	Profile   string    `json:"profile"`
	// CSR is the PKCS#10 request, DER.
	CSR []byte `json:"csr"`
	// CodeHash is the keyed hash of the access code; CodeWordHash that of
	// the code word for lost-key reports, if one was chosen.
	CodeHash     []byte `json:"code_hash"`
	CodeWordHash []byte `json:"code_word_hash,omitempty"`
	// Channel says how the application came: "api" or "office".
	Channel string `json:"channel"`
	// Renews is the serial (hex) of the certificate this one replaces.
	Renews string `json:"renews,omitempty"`
	// Checks are the checks the application passed at submission.
	Checks    []string   `json:"checks"`
	Approvals []Approval `json:"approvals,omitempty"`
	// Reason is the rejection's, or the failure's.
	Reason  string  `json:"reason,omitempty"`
	History []Event `json:"history"`
}

// Approval is one operator's approval.
type Approval struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// Event is one transition of an application.
type Event struct {
	At   time.Time `json:"at"`
	From State     `json:"from,omitempty"`
	To   State     `json:"to"`
	By   string    `json:"by"`
	Why  string    `json:"why,omitempty"`
}

// Application is an application as the Authority shows it.
type Application struct {
	Number string
	State  State
	Document
	// Serial is the certificate issued for it, nil before.
	Serial      *big.Int
	Attachments []store.Attachment
	Deadline    time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ApplicantHistory is the history as the applicant sees it: operators
// are "operator", not their names, and only the reasons the applicant is
// told (of a rejection, a cancellation, an expiry) are kept.
func (a *Application) ApplicantHistory() []Event {
	out := make([]Event, 0, len(a.History))
	for _, e := range a.History {
		if e.By != "applicant" && e.By != "system" {
			e.By = "operator"
		}
		if e.To != Rejected && e.To != Cancelled && e.To != Expired {
			e.Why = ""
		}
		out = append(out, e)
	}
	return out
}

func decode(a *store.Application) (*Application, error) {
	out := &Application{
		Number: a.Number, State: State(a.State), Serial: a.Serial, Attachments: a.Attachments,
		Deadline: a.Deadline, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	}
	if err := json.Unmarshal(a.Data, &out.Document); err != nil {
		return nil, fmt.Errorf("ra: application %s: reading its document: %w", a.Number, err)
	}
	return out, nil
}

// File is an attachment as sent.
type File struct {
	Name string
	Data []byte
}

// Submission is an application as the applicant (or an operator, in the
// office) hands it in.
type Submission struct {
	Applicant Applicant
	// Profile names the certificate profile asked for.
	Profile string
	// CSR is the PKCS#10 request, DER or PEM.
	CSR []byte
	// CodeWord, if set, lets the holder report a lost key without the
	// key: the certificate is then put on hold at once.
	CodeWord    string
	Attachments []File
	// Channel is "api" (the default) or "office"; By names the operator
	// who took an office application.
	Channel, By string
	// Renews is the certificate the new one replaces (a renewal that an
	// operator must approve).
	Renews *big.Int
}

// Receipt is what a submission gives back: the number and the access code,
// shown this once.
type Receipt struct {
	Number     string
	AccessCode string
	State      State
}

// Submit checks s and records it as a new application, in state submitted.
// Every problem of the form comes back at once as FieldErrors (errors.Is
// ErrInvalid), with nothing recorded: the applicant's data, the profile,
// the request (its form, its signature — the proof of possession —, its
// key's type and size as the CA allows, and a key certified already or in
// another open application), the attachments (by content) and the code
// word.
func (r *Authority) Submit(s Submission) (*Receipt, error) {
	now := r.cfg.Clock()
	var fe FieldErrors
	if err := s.Applicant.Validate(now); err != nil {
		var v FieldErrors
		if !errors.As(err, &v) {
			return nil, err
		}
		fe = append(fe, v...)
	}
	checks := []string{"applicant data", "check digits of SNILS, INN, OGRN/OGRNIP"}
	csr := s.CSR
	if b, _ := pem.Decode(csr); b != nil {
		csr = b.Bytes
	}
	var keyID []byte
	switch {
	case s.Profile == "":
		fe = append(fe, FieldError{"profile", "required"})
	case len(csr) == 0:
		fe = append(fe, FieldError{"csr", "required"})
	case r.ca == nil || fe != nil:
		// Without a CA, or with the applicant's data wrong (which the CA's
		// checks of the subject would only repeat), the request's form.
		req, err := cert.ParseCertificateRequest(csr)
		if err == nil {
			err = req.CheckSignature()
		}
		if err != nil {
			fe = append(fe, FieldError{"csr", err.Error()})
		} else if keyID, err = cert.KeyIdentifier(req.RawSubjectPublicKeyInfo); err != nil {
			fe = append(fe, FieldError{"csr", err.Error()})
		}
		checks = append(checks, "request signature (proof of possession)")
	default:
		p, err := r.ca.Prepare(r.request(&s.Applicant, s.Profile, csr, ""))
		if err != nil {
			fe = append(fe, requestProblem(err))
			break
		}
		keyID = p.KeyID()
		checks = append(checks, "request signature (proof of possession)", "key type and size allowed by the profile", "profile "+p.Profile())
	}
	var blobs [][]byte
	var atts []store.Attachment
	if len(s.Attachments) > MaxAttachments {
		fe = append(fe, FieldError{"attachments", fmt.Sprintf("%d files, at most %d", len(s.Attachments), MaxAttachments)})
	}
	for i, f := range s.Attachments {
		field := fmt.Sprintf("attachments[%d]", i)
		typ, err := SniffAttachment(f.Data, r.cfg.MaxAttachmentSize)
		if err != nil {
			fe = append(fe, FieldError{field, strings.TrimPrefix(err.Error(), "ra: ")})
			continue
		}
		name := f.Name
		if name == "" || len(name) > 200 || !utf8.ValidString(name) || strings.ContainsAny(name, "/\\\x00") {
			fe = append(fe, FieldError{field, "the file name must be 1–200 characters, without / or \\"})
			continue
		}
		if slices.ContainsFunc(atts, func(a store.Attachment) bool { return a.Name == name }) {
			fe = append(fe, FieldError{field, "two attachments named " + name})
			continue
		}
		blobs = append(blobs, f.Data)
		atts = append(atts, store.Attachment{Name: name, Type: string(typ)})
	}
	if len(s.Attachments) > 0 {
		checks = append(checks, "attachments recognised by content")
	}
	if len([]rune(s.CodeWord)) > 100 || (s.CodeWord != "" && len([]rune(strings.TrimSpace(s.CodeWord))) < 6) {
		fe = append(fe, FieldError{"code_word", "6 to 100 characters"})
	}
	channel := s.Channel
	switch channel {
	case "":
		channel = "api"
	case "api", "office":
	default:
		fe = append(fe, FieldError{"channel", "api or office"})
	}
	if fe != nil {
		return nil, fe
	}
	code, err := NewAccessCode(r.cfg.Rand)
	if err != nil {
		return nil, err
	}
	by := s.By
	if by == "" {
		by = "applicant"
	}
	doc := Document{Applicant: s.Applicant, Profile: s.Profile, CSR: csr, Channel: channel, Checks: checks}
	if s.Renews != nil {
		doc.Renews = fmt.Sprintf("%x", s.Renews)
	}
	a, err := r.ledger.SubmitApplication(now, blobs, func(seq uint64) (*store.Application, error) {
		number := FormatNumber(now.Year(), seq)
		d := doc
		d.CodeHash = HashCode(r.cfg.CodeKey, number, code)
		if s.CodeWord != "" {
			d.CodeWordHash = HashCode(r.cfg.CodeKey, number, s.CodeWord)
		}
		d.History = []Event{{At: now, To: Submitted, By: by}}
		data, err := json.Marshal(&d)
		if err != nil {
			return nil, err
		}
		return &store.Application{
			Number: number, State: string(Submitted), Open: true, KeyID: keyID,
			Deadline: now.Add(r.cfg.DecisionTime), Attachments: atts, Data: data,
		}, nil
	})
	if errors.Is(err, store.ErrExists) {
		return nil, FieldErrors{{"csr", keyProblem(err)}}
	}
	if err != nil {
		return nil, fmt.Errorf("ra: recording the application: %w", err)
	}
	return &Receipt{Number: a.Number, AccessCode: code, State: Submitted}, nil
}

// keyProblem words a refused key for the applicant.
func keyProblem(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "certified"):
		return "this key is certified already: make a new key for a new certificate"
	case strings.Contains(msg, "open application"):
		return "this key is in another open application"
	}
	return "this key cannot be used"
}

// requestProblem turns the CA's refusal of a request into the field it
// concerns.
func requestProblem(err error) FieldError {
	var re *ca.RequestError
	if !errors.As(err, &re) {
		field := "csr"
		if errors.Is(err, ca.ErrUnknownProfile) || errors.Is(err, ca.ErrProfileNotAllowed) {
			field = "profile"
		}
		return FieldError{field, strings.TrimPrefix(err.Error(), "ca: ")}
	}
	field := "csr"
	switch {
	case re.Field == "Profile" || errors.Is(err, ca.ErrUnknownProfile) || errors.Is(err, ca.ErrProfileNotAllowed):
		field = "profile"
	case strings.HasPrefix(re.Field, "Subject."):
		field = subjectField(strings.TrimPrefix(re.Field, "Subject."))
	case re.Field == "SubjectSignTool":
		field = "csr"
	}
	return FieldError{field, re.Problem}
}

// subjectField names the form's field a subject attribute comes from.
func subjectField(attr string) string {
	switch attr {
	case "SNILS":
		return "snils"
	case "INN":
		return "inn"
	case "OGRNIP":
		return "ogrnip"
	case "OGRN":
		return "organization.ogrn"
	case "INNLE":
		return "organization.innle"
	case "Organization":
		return "organization.name"
	case "Email":
		return "email"
	}
	return "applicant"
}

// FullName is the applicant's surname, given name and patronymic.
func (a *Applicant) FullName() string {
	return strings.Join(slices.DeleteFunc([]string{a.Surname, a.GivenName, a.Patronymic}, func(s string) bool { return s == "" }), " ")
}

// Subject returns the subject a certificate for a is given: built from the
// applicant's data, never taken from the request.
func (a *Applicant) Subject() cert.Name {
	full := a.FullName()
	given := strings.TrimSpace(a.GivenName + " " + a.Patronymic)
	n := cert.Name{
		Country: "RU", CommonName: full, Surname: a.Surname, GivenName: given,
		SNILS: a.SNILS, INN: a.INN, OGRNIP: a.OGRNIP, Email: a.Email,
	}
	if o := a.Organization; o != nil {
		n.CommonName = o.Name
		n.Organization, n.OGRN, n.INNLE, n.Title = o.Name, o.OGRN, o.INNLE, o.Title
	}
	return n
}

// request is the CA request for an application.
func (r *Authority) request(a *Applicant, profile string, csr []byte, number string) ca.Request {
	subject := a.Subject()
	ident := cert.IdentificationPersonal
	req := ca.Request{
		CSR: csr, Profile: profile, Subject: &subject, Application: number,
		RequestID: number, EmailAddresses: []string{a.Email},
	}
	if profile == ca.ProfileQualified {
		req.SubjectKind = a.Kind()
		req.KeyClass = r.cfg.KeyClass
		req.SubjectSignTool = r.cfg.SignTool
		req.IdentificationKind = &ident
	}
	if profile == ca.ProfileTLSServer || profile == ca.ProfileSubCA || profile == ca.ProfileOCSP {
		req.EmailAddresses = nil
	}
	return req
}

// Get returns the application number, for an operator.
func (r *Authority) Get(number string) (*Application, error) {
	a, err := r.ledger.Application(number)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, number)
	}
	if err != nil {
		return nil, err
	}
	return decode(a)
}

// Check returns the application number if code is its access code: the
// applicant's view. A wrong code gives the same ErrNotFound as an unknown
// number.
func (r *Authority) Check(number, code string) (*Application, error) {
	a, err := r.Get(number)
	if err != nil {
		return nil, ErrNotFound
	}
	if !CheckCode(r.cfg.CodeKey, a.Number, code, a.CodeHash) {
		return nil, ErrNotFound
	}
	return a, nil
}

// List returns the applications in state (every one for ""), oldest first.
func (r *Authority) List(state State) ([]*Application, error) {
	var out []*Application
	for a, err := range r.ledger.Applications() {
		if err != nil {
			return out, err
		}
		if state != "" && State(a.State) != state {
			continue
		}
		d, err := decode(a)
		if err != nil {
			return out, err
		}
		out = append(out, d)
	}
	return out, nil
}

// AttachmentData returns the content of the attachment name of the
// application number.
func (r *Authority) AttachmentData(number, name string) (store.Attachment, []byte, error) {
	a, err := r.Get(number)
	if err != nil {
		return store.Attachment{}, nil, err
	}
	for _, at := range a.Attachments {
		if at.Name == name {
			data, err := r.ledger.Attachment(at.Hash)
			return at, data, err
		}
	}
	return store.Attachment{}, nil, fmt.Errorf("ra: application %s has no attachment %q", number, name)
}

// move runs one transition of the application number in one ledger
// transaction: check sees the application as the transaction does and
// returns the state to move to (or the application's own state and false
// for no change), editing the document as the transition needs.
func (r *Authority) move(number, by, why string, check func(a *Application) (State, bool, error)) (*Application, error) {
	now := r.cfg.Clock()
	var out *Application
	_, err := r.ledger.UpdateApplication(number, now, func(sa *store.Application) (*store.Update, error) {
		a, err := decode(sa)
		if err != nil {
			return nil, err
		}
		to, change, err := check(a)
		out = a
		if err != nil || !change {
			return nil, err
		}
		if to != a.State {
			if err := a.State.Check(to, why); err != nil {
				return nil, fmt.Errorf("ra: application %s: %w", number, err)
			}
		}
		a.History = append(a.History, Event{At: now, From: a.State, To: to, By: by, Why: why})
		a.State = to
		data, err := json.Marshal(&a.Document)
		if err != nil {
			return nil, err
		}
		// Open while the key waits for its certificate.
		sa.State, sa.Data, sa.Open = string(to), data, to == Submitted || to == InReview || to == Approved || to == Failed
		a.UpdatedAt = now
		return &store.Update{Detail: fmt.Sprintf("by=%q why=%q", by, why)}, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, number)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Take moves a submitted application to in_review: an operator took it up.
func (r *Authority) Take(number, operator string) (*Application, error) {
	return r.move(number, operator, "", func(a *Application) (State, bool, error) {
		return InReview, a.State != InReview, nil
	})
}

// Reject refuses the application, with a reason the applicant is told.
func (r *Authority) Reject(number, operator, reason string) (*Application, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, ErrReasonRequired
	}
	return r.move(number, operator, reason, func(a *Application) (State, bool, error) {
		a.Reason = reason
		return Rejected, true, nil
	})
}

// Cancel withdraws the application for its applicant (code is the access
// code).
func (r *Authority) Cancel(number, code string) (*Application, error) {
	if _, err := r.Check(number, code); err != nil {
		return nil, err
	}
	return r.move(number, "applicant", "cancelled by the applicant", func(a *Application) (State, bool, error) {
		return Cancelled, true, nil
	})
}

// Expire moves every open application whose deadline passed (and no
// decision was made) to expired, and returns their numbers.
func (r *Authority) Expire() ([]string, error) {
	now := r.cfg.Clock()
	var done []string
	for a, err := range r.ledger.Applications() {
		if err != nil {
			return done, err
		}
		if s := State(a.State); (s != Submitted && s != InReview) || a.Deadline.IsZero() || a.Deadline.After(now) {
			continue
		}
		_, err := r.move(a.Number, "system", "no decision within the time allowed", func(a *Application) (State, bool, error) {
			if a.State != Submitted && a.State != InReview {
				return a.State, false, nil
			}
			return Expired, true, nil
		})
		if err != nil {
			return done, err
		}
		done = append(done, a.Number)
	}
	return done, nil
}

// ApproveOptions are an operator's choices at approval.
type ApproveOptions struct {
	// Profile, if set, replaces the profile the applicant asked for.
	Profile string
	// Validity, if set, replaces the profile's default validity.
	Validity time.Duration
}

// Decision is the outcome of an approval.
type Decision struct {
	Application *Application
	// Certificate is the certificate issued, nil while the application
	// waits for a second approval.
	Certificate *cert.Certificate
	// Waiting says the profile needs another operator's approval.
	Waiting bool
}

// Approve records the operator's approval of the application number and,
// once it has the approvals its profile needs (two, by different
// operators, for the TwoApprovals profiles), has the CA issue the
// certificate, linked to the application both ways. Approving an
// application that is approved (the issuance was interrupted) or failed
// (the issuance failed) issues it; approving an issued one returns its
// certificate: an application never has two certificates (the ledger
// refuses a second one).
func (r *Authority) Approve(number, operator string, opts ApproveOptions) (*Decision, error) {
	if r.ca == nil {
		return nil, ErrNoCA
	}
	a, err := r.Get(number)
	if err != nil {
		return nil, err
	}
	if a.State == Submitted {
		if a, err = r.Take(number, operator); err != nil {
			return nil, err
		}
	}
	if a.State == InReview {
		if opts.Profile != "" && opts.Profile != a.Profile {
			// The profile the operator sets must pass the CA's checks.
			if _, err := r.ca.Prepare(r.request(&a.Applicant, opts.Profile, a.CSR, "")); err != nil {
				return nil, fmt.Errorf("ra: application %s: profile %s: %w", number, opts.Profile, err)
			}
		}
		a, err = r.move(number, operator, "approved", func(a *Application) (State, bool, error) {
			if a.State != InReview {
				return a.State, false, nil
			}
			if opts.Profile != "" {
				a.Profile = opts.Profile
			}
			for _, ap := range a.Approvals {
				if ap.By == operator {
					return a.State, false, fmt.Errorf("%w: %s approved application %s already", ErrSameOperator, operator, number)
				}
			}
			a.Approvals = append(a.Approvals, Approval{By: operator, At: r.cfg.Clock()})
			if slices.Contains(r.cfg.TwoApprovals, a.Profile) && len(a.Approvals) < 2 {
				return InReview, true, nil // recorded: waits for a second operator
			}
			return Approved, true, nil
		})
		if err != nil {
			return nil, err
		}
		if a.State == InReview {
			return &Decision{Application: a, Waiting: true}, nil
		}
	}
	switch a.State {
	case Approved, Failed:
		return r.issue(a, operator, opts)
	case Issued:
		c, err := r.certificate(a)
		return &Decision{Application: a, Certificate: c}, err
	}
	return nil, fmt.Errorf("ra: application %s: %w: %s → %s", number, ErrTransition, a.State, Approved)
}

// issue has the CA issue the certificate of an approved (or failed)
// application, and records the outcome: issued, or failed with the error.
func (r *Authority) issue(a *Application, operator string, opts ApproveOptions) (*Decision, error) {
	req := r.request(&a.Applicant, a.Profile, a.CSR, a.Number)
	req.Validity = opts.Validity
	c, err := r.ca.IssueRequest(req)
	if errors.Is(err, store.ErrExists) {
		// Issued before (by an interrupted approval, or another operator
		// just now): record what the ledger holds.
		c, err = r.issuedBefore(a.Number)
		if errors.Is(err, errInterrupted) {
			c, err = r.ca.IssueRequest(req)
		}
	}
	if err != nil {
		reason := err.Error()
		if _, ferr := r.move(a.Number, operator, reason, func(a *Application) (State, bool, error) {
			a.Reason = reason
			return Failed, true, nil
		}); ferr != nil {
			err = errors.Join(err, ferr)
		}
		return nil, fmt.Errorf("ra: issuing application %s: %w", a.Number, err)
	}
	done, err := r.move(a.Number, operator, fmt.Sprintf("serial %x", c.SerialNumber), func(a *Application) (State, bool, error) {
		if a.State == Issued {
			return Issued, false, nil
		}
		a.Reason = ""
		return Issued, true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("ra: application %s: certificate %x issued, but recording it: %w", a.Number, c.SerialNumber, err)
	}
	return &Decision{Application: done, Certificate: c}, nil
}

// errInterrupted: the application's serial was reserved by an issuance
// that died; issuedBefore abandoned it.
var errInterrupted = errors.New("ra: interrupted issuance")

// issuedBefore returns the certificate the ledger links to the application
// number, which Reserve refused a second one: issued already, or being
// issued (a reservation younger than StaleIssuance), or interrupted (an
// older one, which it abandons: errInterrupted).
func (r *Authority) issuedBefore(number string) (*cert.Certificate, error) {
	cur, err := r.Get(number)
	if err != nil {
		return nil, err
	}
	if cur.Serial == nil {
		return nil, fmt.Errorf("ra: application %s: the ledger refused its certificate", number)
	}
	rec, err := r.ledger.Get(cur.Serial)
	if err != nil {
		return nil, err
	}
	now := r.cfg.Clock()
	switch {
	case rec.Status != store.StatusReserved:
		return r.certificate(cur)
	case now.Sub(rec.CreatedAt) < r.cfg.StaleIssuance:
		return nil, fmt.Errorf("ra: application %s is being issued (serial %x reserved %v ago); try again shortly", number, rec.Serial, now.Sub(rec.CreatedAt).Round(time.Millisecond))
	}
	if err := r.ledger.Abandon(rec.Serial, "interrupted issuance of application "+number, now); err != nil && !errors.Is(err, store.ErrState) {
		return nil, err
	}
	return nil, errInterrupted
}

// certificate returns the certificate issued for a.
func (r *Authority) certificate(a *Application) (*cert.Certificate, error) {
	if a.Serial == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotIssued, a.Number)
	}
	rec, err := r.ledger.Get(a.Serial)
	if err != nil {
		return nil, err
	}
	if len(rec.DER) == 0 {
		return nil, fmt.Errorf("%w: %s (certificate %x is %s)", ErrNotIssued, a.Number, a.Serial, rec.Status)
	}
	return cert.ParseCertificate(rec.DER)
}

// Certificate returns the certificate issued for the application number,
// for its applicant (code is the access code).
func (r *Authority) Certificate(number, code string) (*cert.Certificate, error) {
	a, err := r.Check(number, code)
	if err != nil {
		return nil, err
	}
	return r.certificate(a)
}

// IssuedCertificate returns the certificate issued for the application
// number, for an operator.
func (r *Authority) IssuedCertificate(number string) (*cert.Certificate, error) {
	a, err := r.Get(number)
	if err != nil {
		return nil, err
	}
	return r.certificate(a)
}
