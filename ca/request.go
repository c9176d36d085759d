package ca

import (
	"bytes"
	"crypto/x509/pkix"
	"math/big"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/store"
)

// SubjectKind is who a qualified certificate is for; it decides which
// registration numbers the subject must carry. The zero value is not a
// kind: the qualified profile requires one.
type SubjectKind int

const (
	// Individual: SNILS, and optionally a 12-digit INN.
	Individual SubjectKind = iota + 1
	// IndividualEntrepreneur: SNILS and OGRNIP, optionally INN.
	IndividualEntrepreneur
	// LegalEntity: OGRN, INNLE and the organisation's name (O).
	LegalEntity
)

func (k SubjectKind) String() string {
	switch k {
	case Individual:
		return "individual"
	case IndividualEntrepreneur:
		return "individual entrepreneur"
	case LegalEntity:
		return "legal entity"
	}
	return "unspecified"
}

// Request is a certificate request as an operator approved it.
type Request struct {
	// CSR is the DER PKCS#10 request; its signature (proof of possession)
	// is verified and its key certified.
	CSR []byte
	// Profile names the profile to issue.
	Profile string
	// Subject is the subject the operator approved; nil means the CSR's.
	Subject *cert.Name
	// NotBefore is the start of validity; zero means now. It is truncated
	// to whole seconds.
	NotBefore time.Time
	// Validity is notAfter − notBefore; zero means the profile's default,
	// clipped to the CA's notAfter. An explicit validity longer than the
	// profile's maximum, or ending after the CA's notAfter, is refused.
	Validity time.Duration
	// RequestID is recorded in the ledger with the certificate.
	RequestID string
	// Application is the number of the registration authority's
	// application the certificate is issued for: the ledger links the two
	// and refuses a second certificate for one application.
	Application string
	// DNSNames and EmailAddresses are the subject alternative names the
	// operator approved; nil means those the CSR asks for.
	DNSNames, EmailAddresses []string

	// For the qualified profile (all required there):

	// SubjectKind says which registration numbers the subject must carry.
	SubjectKind SubjectKind
	// KeyClass is the class of the subject's signature tool, "KC1", "KC2",
	// "KC3", "KB1", "KB2" or "KA1": certificatePolicies lists KC1 up to it.
	// Other profiles take it too, optionally.
	KeyClass string
	// SubjectSignTool names the subject's signature tool; empty means the
	// one the CSR asks for.
	SubjectSignTool string
	// IdentificationKind says how the subject was identified.
	IdentificationKind *cert.IdentificationKind
}

// Prepared is a request that Prepare accepted: a single-use token for
// Issue. It is safe to pass between goroutines; only the first Issue of it
// signs.
type Prepared struct {
	ca       *CA
	st       *issuerState
	used     atomic.Bool
	template *cert.Certificate // without a serial number
	pub      *gost3410.PublicKey
	record   store.Record // without a serial number
}

// Profile returns the name of the profile the certificate will have.
func (p *Prepared) Profile() string { return p.record.Profile }

// Subject returns the subject the certificate will have.
func (p *Prepared) Subject() cert.Name { return p.template.Subject }

// NotBefore returns the start of the certificate's validity.
func (p *Prepared) NotBefore() time.Time { return p.template.NotBefore }

// NotAfter returns the end of the certificate's validity.
func (p *Prepared) NotAfter() time.Time { return p.template.NotAfter }

// PublicKey returns the key the certificate will certify.
func (p *Prepared) PublicKey() *gost3410.PublicKey { return p.pub }

// KeyID returns the subject key identifier the certificate will carry: what
// the ledger indexes the certificate's key by.
func (p *Prepared) KeyID() []byte { return slices.Clone(p.record.SubjectKeyID) }

// order is a request resolved to what the certificate will hold, before
// the checks: from a Request, from a predecessor (Renew) or for a
// subordinate CA (InitIntermediate).
type order struct {
	profile     string
	pub         *gost3410.PublicKey
	subject     cert.Name
	rawSubject  []byte // the predecessor's exact subject when renewing
	dns, emails []string
	notBefore   time.Time
	validity    time.Duration
	explicit    bool // validity was asked for, not defaulted
	requestID   string
	app         string
	predecessor *big.Int
	pathLen     *int // overrides the profile's MaxPathLen

	kind      SubjectKind
	keyClass  string
	signTool  string
	identKind *cert.IdentificationKind
}

// parseCSR parses csr and verifies its proof of possession.
func parseCSR(der []byte) (*cert.CertificateRequest, error) {
	if len(der) == 0 {
		return nil, reqErr(ErrMissingField, "CSR", "required")
	}
	csr, err := cert.ParseCertificateRequest(der)
	if err != nil {
		return nil, &RequestError{Field: "CSR", Problem: err.Error(), Err: ErrMalformedRequest}
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, &RequestError{Field: "CSR", Problem: "signature does not verify with the request's key: " + err.Error(), Err: ErrBadRequestSignature}
	}
	return csr, nil
}

// Prepare checks req against its profile and the CA without touching the
// ledger, and returns the token that Issue signs. It verifies the CSR's
// signature (proof of possession) and key size, that the CA may issue the
// profile, the validity (never past the CA's notAfter), the subject and
// the subject alternative names, and for the qualified profile the
// requirements of FSB Order 795: C=RU and CN; per SubjectKind SNILS,
// OGRNIP, OGRN, INNLE and O; the length and check digits of every
// registration number present; subjectSignTool, identificationKind, the
// key class and the CA's issuerSignTool.
//
// Errors are *RequestError wrapping a sentinel (ErrBadRequestSignature,
// ErrProfileNotAllowed, ErrKeySize, ErrValidity, ErrCheckDigit,
// ErrMissingField, ...), or ErrNotInitialized.
func (c *CA) Prepare(req Request) (*Prepared, error) {
	st, err := c.issuer()
	if err != nil {
		return nil, err
	}
	if req.Profile == "" {
		return nil, reqErr(ErrMissingField, "Profile", "required")
	}
	csr, err := parseCSR(req.CSR)
	if err != nil {
		return nil, err
	}
	o := order{
		profile:   req.Profile,
		pub:       csr.PublicKey,
		subject:   csr.Subject,
		dns:       csr.DNSNames,
		emails:    csr.EmailAddresses,
		notBefore: req.NotBefore,
		validity:  req.Validity,
		explicit:  req.Validity != 0,
		requestID: req.RequestID,
		app:       req.Application,
		kind:      req.SubjectKind,
		keyClass:  req.KeyClass,
		signTool:  req.SubjectSignTool,
		identKind: req.IdentificationKind,
	}
	if req.Subject != nil {
		o.subject = *req.Subject
	}
	if req.DNSNames != nil {
		o.dns = req.DNSNames
	}
	if req.EmailAddresses != nil {
		o.emails = req.EmailAddresses
	}
	if o.signTool == "" {
		o.signTool = csr.SubjectSignTool
	}
	return c.prepare(st, &o)
}

// prepare checks o and builds the certificate template.
func (c *CA) prepare(st *issuerState, o *order) (*Prepared, error) {
	prof, err := ProfileByName(o.profile)
	if err != nil {
		return nil, err
	}
	if c.allowed != nil && !c.allowed[prof.Name] {
		return nil, reqErr(ErrProfileNotAllowed, "Profile", "this CA does not issue %q", prof.Name)
	}
	if bits := o.pub.Params().Bits(); !slices.Contains(c.keyBits, bits) {
		return nil, reqErr(ErrKeySize, "CSR", "%d-bit key (%s); this CA accepts %v", bits, o.pub.Params(), c.keyBits)
	}
	if o.pub.Equal(c.pub) {
		return nil, reqErr(ErrInvalidField, "CSR", "the key is the CA's own key")
	}

	// Subject.
	subjectDER := o.rawSubject
	if subjectDER == nil {
		if subjectDER, err = o.subject.Marshal(); err != nil {
			return nil, &RequestError{Field: "Subject", Problem: err.Error(), Err: ErrInvalidField}
		}
	}
	if bytes.Equal(subjectDER, []byte{0x30, 0x00}) {
		return nil, reqErr(ErrMissingField, "Subject", "the subject is empty")
	}

	// Subject alternative names.
	for _, d := range o.dns {
		if !validDNSName(d) {
			return nil, reqErr(ErrInvalidField, "DNSNames", "%q is not a DNS name", d)
		}
	}
	for _, e := range o.emails {
		if !validEmail(e) {
			return nil, reqErr(ErrInvalidField, "EmailAddresses", "%q is not an e-mail address", e)
		}
	}
	if prof.NeedsDNSName && len(o.dns) == 0 {
		return nil, reqErr(ErrMissingField, "DNSNames", "profile %q needs at least one DNS name", prof.Name)
	}

	// Validity.
	notBefore, notAfter, err := c.validity(st, prof, o)
	if err != nil {
		return nil, err
	}

	ski, err := keyIdentifier(o.pub)
	if err != nil {
		return nil, &RequestError{Field: "CSR", Problem: err.Error(), Err: ErrInvalidField}
	}
	t := &cert.Certificate{
		Subject:               o.subject,
		RawSubject:            o.rawSubject,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              prof.KeyUsage,
		ExtKeyUsage:           slices.Clone(prof.ExtKeyUsage),
		SubjectKeyId:          ski,
		AuthorityKeyId:        st.keyID,
		DNSNames:              slices.Clone(o.dns),
		EmailAddresses:        slices.Clone(o.emails),
		CRLDistributionPoints: urls(c.cfg.CRLURL),
		OCSPServer:            urls(c.cfg.OCSPURL),
		IssuingCertificateURL: urls(c.cfg.CAIssuersURL),
	}
	if prof.IsCA {
		t.BasicConstraintsValid = true
		t.IsCA = true
		pathLen := prof.MaxPathLen
		if o.pathLen != nil {
			pathLen = *o.pathLen
		}
		switch {
		case pathLen < 0:
			t.MaxPathLen = -1
		case pathLen == 0:
			t.MaxPathLenZero = true
		default:
			t.MaxPathLen = pathLen
		}
	}
	if prof.OCSPNoCheck {
		t.ExtraExtensions = append(t.ExtraExtensions, ocspNoCheckExtension())
	}
	if prof.Qualified {
		if err := c.checkQualified(o); err != nil {
			return nil, err
		}
		t.SubjectSignTool = o.signTool
		t.IssuerSignTool = c.cfg.IssuerSignTool
		k := *o.identKind
		t.IdentificationKind = &k
		t.PrivateKeyUsagePeriod = &cert.PrivateKeyUsagePeriod{NotBefore: notBefore, NotAfter: notAfter}
	}
	if o.keyClass != "" {
		if t.PolicyIdentifiers, err = policiesFor(o.keyClass); err != nil {
			return nil, err
		}
	}

	subjectName := o.subject.String()
	if o.rawSubject != nil {
		if n, err := cert.ParseName(o.rawSubject); err == nil {
			subjectName = n.String()
		}
	}
	return &Prepared{
		ca:       c,
		st:       st,
		template: t,
		pub:      o.pub,
		record: store.Record{
			IssuerKeyID:  st.keyID,
			Issuer:       st.name,
			Subject:      subjectName,
			SubjectKeyID: ski,
			Profile:      prof.Name,
			RequestID:    o.requestID,
			NotBefore:    notBefore,
			NotAfter:     notAfter,
			Predecessor:  o.predecessor,
			Application:  o.app,
		},
	}, nil
}

// validity returns the certificate's notBefore and notAfter.
func (c *CA) validity(st *issuerState, prof Profile, o *order) (time.Time, time.Time, error) {
	notBefore := o.notBefore
	if notBefore.IsZero() {
		notBefore = c.now()
	}
	notBefore = notBefore.UTC().Truncate(time.Second)
	caNotBefore, caNotAfter := st.cert.NotBefore, st.cert.NotAfter
	if notBefore.Before(caNotBefore) {
		return time.Time{}, time.Time{}, reqErr(ErrValidity, "NotBefore", "%v is before the CA's notBefore %v", notBefore, caNotBefore)
	}
	validity := o.validity
	switch {
	case validity < 0:
		return time.Time{}, time.Time{}, reqErr(ErrValidity, "Validity", "negative (%v)", validity)
	case validity == 0:
		validity = prof.DefaultValidity
	case validity > prof.MaxValidity:
		return time.Time{}, time.Time{}, reqErr(ErrValidity, "Validity", "%v is longer than profile %q allows (%v)", validity, prof.Name, prof.MaxValidity)
	}
	notAfter := notBefore.Add(validity).Truncate(time.Second)
	if notAfter.After(caNotAfter) {
		if o.explicit {
			return time.Time{}, time.Time{}, reqErr(ErrValidity, "Validity", "would end %v, after the CA's notAfter %v", notAfter, caNotAfter)
		}
		notAfter = caNotAfter
	}
	if !notAfter.After(notBefore) {
		return time.Time{}, time.Time{}, reqErr(ErrValidity, "NotBefore", "%v leaves no validity before the CA's notAfter %v", notBefore, caNotAfter)
	}
	return notBefore, notAfter, nil
}

// checkQualified applies FSB Order 795 to o.
func (c *CA) checkQualified(o *order) error {
	n := &o.subject
	if o.rawSubject != nil {
		parsed, err := cert.ParseName(o.rawSubject)
		if err != nil {
			return &RequestError{Field: "Subject", Problem: err.Error(), Err: ErrInvalidField}
		}
		n = parsed
	}
	switch {
	case n.Country == "":
		return reqErr(ErrMissingField, "Subject.Country", "a qualified certificate needs C=RU")
	case n.Country != "RU":
		return reqErr(ErrInvalidField, "Subject.Country", "%q; a qualified certificate needs C=RU", n.Country)
	case n.CommonName == "":
		return reqErr(ErrMissingField, "Subject.CommonName", "required in a qualified certificate")
	}
	var required [][2]string // field, value
	switch o.kind {
	case Individual:
		required = [][2]string{{"SNILS", n.SNILS}}
	case IndividualEntrepreneur:
		required = [][2]string{{"SNILS", n.SNILS}, {"OGRNIP", n.OGRNIP}}
	case LegalEntity:
		required = [][2]string{{"OGRN", n.OGRN}, {"INNLE", n.INNLE}, {"Organization", n.Organization}}
	default:
		return reqErr(ErrMissingField, "SubjectKind", "required for the qualified profile")
	}
	for _, r := range required {
		if r[1] == "" {
			return reqErr(ErrMissingField, "Subject."+r[0], "required for a qualified certificate of a %v", o.kind)
		}
	}
	if err := CheckRegistrationNumbers(n); err != nil {
		return err
	}
	switch {
	case o.signTool == "":
		return reqErr(ErrMissingField, "SubjectSignTool", "required for the qualified profile (neither the request nor the CSR names one)")
	case len([]rune(o.signTool)) > 200:
		return reqErr(ErrInvalidField, "SubjectSignTool", "longer than 200 characters")
	case o.identKind == nil:
		return reqErr(ErrMissingField, "IdentificationKind", "required for the qualified profile")
	case *o.identKind < cert.IdentificationPersonal || *o.identKind > cert.IdentificationRemoteSystem:
		return reqErr(ErrInvalidField, "IdentificationKind", "%d is not 0..3", int(*o.identKind))
	case o.keyClass == "":
		return reqErr(ErrMissingField, "KeyClass", "required for the qualified profile")
	case c.cfg.IssuerSignTool == nil:
		return reqErr(ErrMissingField, "Config.IssuerSignTool", "the CA has no issuerSignTool, which the qualified profile needs")
	}
	return nil
}

func urls(u string) []string {
	if u == "" {
		return nil
	}
	return []string{u}
}

// ocspNoCheckExtension is id-pkix-ocsp-nocheck with its NULL value.
func ocspNoCheckExtension() pkix.Extension {
	return pkix.Extension{Id: slices.Clone(oidOCSPNoCheck), Value: []byte{0x05, 0x00}}
}

// validDNSName reports whether s is a DNS name (LDH labels, a leading "*."
// wildcard allowed), in the preferred name syntax of RFC 5280 §4.2.1.6.
func validDNSName(s string) bool {
	s = strings.TrimPrefix(s, "*.")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			ch := label[i]
			if !('a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || ch == '-') {
				return false
			}
		}
	}
	return true
}

// validEmail reports whether s looks like local@domain in ASCII.
func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || !validDNSName(s[at+1:]) {
		return false
	}
	for i := 0; i < at; i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
