package ca_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"math/big"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/internal/ledgertest"
	"github.com/gostca/gostca/store"
)

func TestNewValidates(t *testing.T) {
	db := catest.NewLedger(t)
	clock := catest.NewClock(epoch)
	key, err := gost3410.GenerateKey(gost3410.ParamsCryptoProA(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other := catest.NewRoot(t)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	good := func() ca.Config { return ca.Config{Clock: clock.Now, Signer: key} }
	tests := []struct {
		name  string
		mod   func(*ca.Config)
		field string
	}{
		{"no clock", func(c *ca.Config) { c.Clock = nil }, "Clock"},
		{"no signer", func(c *ca.Config) { c.Signer = nil }, "Signer"},
		{"ECDSA signer", func(c *ca.Config) { c.Signer = ecKey }, "Signer"},
		{"certificate for another key", func(c *ca.Config) { c.Certificate = other.Certificate() }, "Certificate"},
		{"chain without certificate", func(c *ca.Config) { c.Chain = []*cert.Certificate{other.Certificate()} }, "Chain"},
		{"unknown profile", func(c *ca.Config) { c.Profiles = []string{"signature", "code-signing"} }, "Profiles"},
		{"key size", func(c *ca.Config) { c.AllowedKeyBits = []int{384} }, "AllowedKeyBits"},
		{"negative CRL validity", func(c *ca.Config) { c.CRLValidity = -time.Hour }, "CRLValidity"},
		{"relative CRL URL", func(c *ca.Config) { c.CRLURL = "/ca.crl" }, "CRLURL"},
		{"non-ASCII OCSP URL", func(c *ca.Config) { c.OCSPURL = "http://ус.test/ocsp" }, "OCSPURL"},
		{"incomplete issuerSignTool", func(c *ca.Config) { c.IssuerSignTool = &cert.IssuerSignTool{SignTool: "x"} }, "IssuerSignTool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good()
			tt.mod(&cfg)
			_, err := ca.New(db, cfg)
			if !errors.Is(err, ca.ErrInvalidConfig) {
				t.Fatalf("New: got %v, want ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("New: %q does not name the field %s", err, tt.field)
			}
		})
	}
	t.Run("no ledger", func(t *testing.T) {
		if _, err := ca.New(nil, good()); !errors.Is(err, ca.ErrInvalidConfig) || !strings.Contains(err.Error(), "ledger") {
			t.Errorf("New(nil, ...): got %v, want ErrInvalidConfig naming the ledger", err)
		}
	})
	t.Run("good", func(t *testing.T) {
		c, err := ca.New(db, good())
		if err != nil {
			t.Fatal(err)
		}
		if c.Certificate() != nil {
			t.Error("a new CA has a certificate")
		}
		if _, err := c.Prepare(ca.Request{Profile: ca.ProfileSignature}); !errors.Is(err, ca.ErrNotInitialized) {
			t.Errorf("Prepare before Init: got %v, want ErrNotInitialized", err)
		}
	})
	t.Run("existing certificate", func(t *testing.T) {
		f := newFixture(t)
		cfg := f.sub.Config()
		again, err := ca.New(db, cfg)
		if err != nil {
			t.Fatalf("New with the intermediate's certificate and chain: %v", err)
		}
		issue(t, again, ca.ProfileSignature)
	})
}

func TestInit(t *testing.T) {
	f := newFixture(t)
	root, sub := f.root.Certificate(), f.sub.Certificate()

	t.Run("root", func(t *testing.T) {
		if !root.IsCA || root.MaxPathLen > 0 || root.MaxPathLenZero || root.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign {
			t.Errorf("root: IsCA %v MaxPathLen %d/%v KeyUsage %v", root.IsCA, root.MaxPathLen, root.MaxPathLenZero, root.KeyUsage)
		}
		if err := root.CheckSignatureFrom(root); err != nil {
			t.Errorf("root is not self-signed: %v", err)
		}
		r := record(t, f.db, root.SerialNumber)
		if r.Status != store.StatusGood || r.Profile != "root" || string(r.IssuerKeyID) != string(root.SubjectKeyId) {
			t.Errorf("root record: %+v", r)
		}
		if _, err := f.root.InitRoot(cert.Name{CommonName: "again"}, time.Hour); !errors.Is(err, ca.ErrAlreadyInitialized) {
			t.Errorf("second InitRoot: got %v, want ErrAlreadyInitialized", err)
		}
	})
	t.Run("intermediate", func(t *testing.T) {
		if !sub.IsCA || !sub.MaxPathLenZero || sub.MaxPathLen != 0 {
			t.Errorf("intermediate: IsCA %v MaxPathLen %d/%v", sub.IsCA, sub.MaxPathLen, sub.MaxPathLenZero)
		}
		if _, err := sub.Verify(cert.VerifyOptions{Roots: []*cert.Certificate{root}, CurrentTime: epoch}); err != nil {
			t.Errorf("intermediate does not verify: %v", err)
		}
		r := record(t, f.db, sub.SerialNumber)
		if r.Profile != ca.ProfileSubCA || string(r.IssuerKeyID) != string(root.SubjectKeyId) {
			t.Errorf("intermediate record: profile %q issuer %x", r.Profile, r.IssuerKeyID)
		}
		if s := snapshot(t, f.db); s.records != 2 {
			t.Errorf("ledger has %d records, want 2 (root, intermediate once)", s.records)
		}
		if got := f.sub.Chain(); len(got) != 1 || got[0] != root {
			t.Errorf("chain: %v", got)
		}
	})
	t.Run("intermediate clipped to the root", func(t *testing.T) {
		long := catest.NewIntermediate(t, f.root, catest.WithValidity(15*365*24*time.Hour))
		if got := long.Certificate().NotAfter; !got.Equal(root.NotAfter) {
			t.Errorf("notAfter %v, want the root's %v", got, root.NotAfter)
		}
	})
	t.Run("no intermediate under pathLen 0", func(t *testing.T) {
		key, _ := gost3410.GenerateKey(gost3410.ParamsCryptoProA(), rand.Reader)
		c, err := ca.New(f.db, ca.Config{Clock: f.clock.Now, Signer: key})
		if err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, f.db)
		if _, err := c.InitIntermediate(f.sub, cert.Name{CommonName: "too deep"}, 0, 0); err == nil {
			t.Error("an intermediate with pathLen 0 signed a CA")
		}
		if after := snapshot(t, f.db); after != before {
			t.Errorf("ledger changed: %+v → %+v", before, after)
		}
	})
	t.Run("offline root", func(t *testing.T) {
		offline := catest.NewRoot(t, catest.WithClock(f.clock)) // its own ledger
		key, _ := gost3410.GenerateKey(gost3410.ParamsTC26512A(), rand.Reader)
		db := catest.NewLedger(t)
		c, err := ca.New(db, ca.Config{Clock: f.clock.Now, Signer: key})
		if err != nil {
			t.Fatal(err)
		}
		csr, err := c.InitRequest(cert.Name{CommonName: "online issuing CA", Country: "RU"})
		if err != nil {
			t.Fatal(err)
		}
		answer, err := offline.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileSubCA})
		if err != nil {
			t.Fatal(err)
		}
		// Wrong answers first.
		if _, err := c.Import(sub.Raw, []*cert.Certificate{root}); !errors.Is(err, ca.ErrImport) {
			t.Errorf("Import of another key's certificate: got %v, want ErrImport", err)
		}
		if _, err := c.Import(answer.Raw, []*cert.Certificate{root}); !errors.Is(err, ca.ErrImport) {
			t.Errorf("Import with the wrong chain: got %v, want ErrImport", err)
		}
		if _, err := c.Import(answer.Raw, nil); !errors.Is(err, ca.ErrImport) {
			t.Errorf("Import without a chain: got %v, want ErrImport", err)
		}
		if got, err := c.Import(answer.Raw, []*cert.Certificate{offline.Certificate()}); err != nil || got.SerialNumber.Cmp(answer.SerialNumber) != 0 {
			t.Fatalf("Import: %v", err)
		}
		r := record(t, db, answer.SerialNumber)
		if r.Status != store.StatusGood || string(r.IssuerKeyID) != string(offline.Certificate().SubjectKeyId) {
			t.Errorf("imported record: %+v", r)
		}
		leaf := issue(t, c, ca.ProfileAuth)
		if _, err := leaf.Verify(cert.VerifyOptions{
			Roots: []*cert.Certificate{offline.Certificate()}, Intermediates: c.Chain()[:0:0], CurrentTime: epoch,
		}); err == nil {
			t.Error("leaf verified without its intermediate")
		}
		if _, err := leaf.Verify(cert.VerifyOptions{
			Roots: []*cert.Certificate{offline.Certificate()}, Intermediates: []*cert.Certificate{c.Certificate()}, CurrentTime: epoch,
		}); err != nil {
			t.Errorf("leaf does not verify: %v", err)
		}
	})
}

func TestProfiles(t *testing.T) {
	f := newFixture(t)
	root := f.root.Certificate()
	nocheck := []int{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}
	tests := []struct {
		profile string
		ku      x509.KeyUsage
		eku     []asn1.ObjectIdentifier
		isCA    bool
		nocheck bool
	}{
		{ca.ProfileSignature, x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment, nil, false, false},
		{ca.ProfileEncryption, x509.KeyUsageKeyEncipherment | x509.KeyUsageKeyAgreement, nil, false, false},
		{ca.ProfileAuth, x509.KeyUsageDigitalSignature, []asn1.ObjectIdentifier{cert.OIDExtKeyUsageClientAuth()}, false, false},
		{ca.ProfileTLSServer, x509.KeyUsageDigitalSignature | x509.KeyUsageKeyAgreement, []asn1.ObjectIdentifier{cert.OIDExtKeyUsageServerAuth()}, false, false},
		{ca.ProfileOCSP, x509.KeyUsageDigitalSignature, []asn1.ObjectIdentifier{cert.OIDExtKeyUsageOCSPSigning()}, false, true},
		{ca.ProfileSubCA, x509.KeyUsageCertSign | x509.KeyUsageCRLSign, nil, true, false},
		{ca.ProfileQualified, x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment, nil, false, false},
	}
	if len(tests) != len(ca.Profiles()) {
		t.Fatalf("%d rows for %d profiles", len(tests), len(ca.Profiles()))
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			// The root issues the subca row: the intermediate has pathLen 0.
			issuer := f.sub
			if tt.isCA {
				issuer = f.root
			}
			c := issue(t, issuer, tt.profile)
			prof, err := ca.ProfileByName(tt.profile)
			if err != nil {
				t.Fatal(err)
			}
			if c.KeyUsage != tt.ku {
				t.Errorf("KeyUsage %b, want %b", c.KeyUsage, tt.ku)
			}
			if !slices.EqualFunc(c.ExtKeyUsage, tt.eku, asn1.ObjectIdentifier.Equal) {
				t.Errorf("ExtKeyUsage %v, want %v", c.ExtKeyUsage, tt.eku)
			}
			if c.IsCA != tt.isCA || (tt.isCA && !c.MaxPathLenZero) {
				t.Errorf("IsCA %v MaxPathLenZero %v", c.IsCA, c.MaxPathLenZero)
			}
			if got := hasExtension(c, nocheck); got != tt.nocheck {
				t.Errorf("ocsp-nocheck present: %v", got)
			}
			cfg := issuer.Config()
			if !slices.Equal(c.CRLDistributionPoints, []string{cfg.CRLURL}) ||
				!slices.Equal(c.OCSPServer, []string{cfg.OCSPURL}) ||
				!slices.Equal(c.IssuingCertificateURL, []string{cfg.CAIssuersURL}) {
				t.Errorf("URLs: CRL %v OCSP %v caIssuers %v", c.CRLDistributionPoints, c.OCSPServer, c.IssuingCertificateURL)
			}
			if string(c.AuthorityKeyId) != string(issuer.Certificate().SubjectKeyId) || len(c.SubjectKeyId) != 20 {
				t.Errorf("AKI %x SKI %x", c.AuthorityKeyId, c.SubjectKeyId)
			}
			if got := c.NotAfter.Sub(c.NotBefore); got != prof.DefaultValidity || !c.NotBefore.Equal(epoch) {
				t.Errorf("validity %v from %v, want %v from %v", got, c.NotBefore, prof.DefaultValidity, epoch)
			}
			opts := cert.VerifyOptions{Roots: []*cert.Certificate{root}, CurrentTime: epoch}
			if issuer == f.sub {
				opts.Intermediates = []*cert.Certificate{f.sub.Certificate()}
			}
			if _, err := c.Verify(opts); err != nil {
				t.Errorf("Verify: %v", err)
			}
			r := record(t, f.db, c.SerialNumber)
			if r.Profile != tt.profile || r.Status != store.StatusGood || string(r.DER) != string(c.Raw) ||
				string(r.SubjectKeyID) != string(c.SubjectKeyId) || !r.NotAfter.Equal(c.NotAfter) {
				t.Errorf("record: %+v", r)
			}
			if tt.profile == ca.ProfileQualified {
				p := c.PrivateKeyUsagePeriod
				if p == nil || !p.NotBefore.Equal(c.NotBefore) || !p.NotAfter.Equal(c.NotAfter) {
					t.Errorf("privateKeyUsagePeriod %+v, want the validity", p)
				}
			} else if c.PrivateKeyUsagePeriod != nil || c.PolicyIdentifiers != nil || c.IssuerSignTool != nil {
				t.Errorf("qualified extensions in a %s certificate", tt.profile)
			}
		})
	}
}

func TestKeyClassPolicies(t *testing.T) {
	f := newFixture(t)
	all := []asn1.ObjectIdentifier{cert.OIDPolicyKC1(), cert.OIDPolicyKC2(), cert.OIDPolicyKC3(), cert.OIDPolicyKB1(), cert.OIDPolicyKB2(), cert.OIDPolicyKA1()}
	for i, class := range []string{"KC1", "KC2", "KC3", "KB1", "KB2", "KA1"} {
		t.Run(class, func(t *testing.T) {
			c := issue(t, f.sub, ca.ProfileQualified, func(r *ca.Request) { r.KeyClass = class })
			if !slices.EqualFunc(c.PolicyIdentifiers, all[:i+1], asn1.ObjectIdentifier.Equal) {
				t.Errorf("policies %v, want %v", c.PolicyIdentifiers, all[:i+1])
			}
		})
	}
}

func TestQualified(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		name string
		kind ca.SubjectKind
		want cert.Name
	}{
		{"individual", ca.Individual, individual},
		{"entrepreneur", ca.IndividualEntrepreneur, entrepreneur},
		{"legal entity", ca.LegalEntity, legalEntity},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := qualifiedRequest(t, tt.kind)
			c, err := f.sub.IssueRequest(req)
			if err != nil {
				t.Fatal(err)
			}
			s := c.Subject
			if s.CommonName != tt.want.CommonName || s.SNILS != tt.want.SNILS || s.INN != tt.want.INN ||
				s.OGRN != tt.want.OGRN || s.OGRNIP != tt.want.OGRNIP || s.INNLE != tt.want.INNLE || s.Country != "RU" {
				t.Errorf("subject %v, want %v", s.String(), tt.want.String())
			}
			if c.SubjectSignTool != "СКЗИ «Тест-CSP» версия 5.0" {
				t.Errorf("subjectSignTool %q", c.SubjectSignTool)
			}
			if c.IssuerSignTool == nil || *c.IssuerSignTool != *f.sub.Config().IssuerSignTool {
				t.Errorf("issuerSignTool %+v", c.IssuerSignTool)
			}
			if c.IdentificationKind == nil || *c.IdentificationKind != cert.IdentificationPersonal {
				t.Errorf("identificationKind %v", c.IdentificationKind)
			}
			if !slices.EqualFunc(c.PolicyIdentifiers, []asn1.ObjectIdentifier{cert.OIDPolicyKC1(), cert.OIDPolicyKC2()}, asn1.ObjectIdentifier.Equal) {
				t.Errorf("policies %v, want KC1, KC2", c.PolicyIdentifiers)
			}
			if r := record(t, f.db, c.SerialNumber); r.RequestID != "REQ-1" || r.Subject != c.Subject.String() {
				t.Errorf("record: request %q subject %q", r.RequestID, r.Subject)
			}
		})
	}
}

func TestQualifiedRefusals(t *testing.T) {
	f := newFixture(t)
	onlySignature := catest.NewIntermediate(t, f.root, catest.WithConfig(func(c *ca.Config) { c.Profiles = []string{ca.ProfileSignature} }))
	only256 := catest.NewIntermediate(t, f.root, catest.WithConfig(func(c *ca.Config) { c.AllowedKeyBits = []int{256} }))
	noTool := catest.NewIntermediate(t, f.root, catest.WithConfig(func(c *ca.Config) { c.IssuerSignTool = nil }))

	withSubject := func(mod func(*cert.Name)) func(*ca.Request) {
		return func(r *ca.Request) {
			csr, err := cert.ParseCertificateRequest(r.CSR)
			if err != nil {
				t.Fatal(err)
			}
			s := csr.Subject
			mod(&s)
			r.Subject = &s
		}
	}
	tests := []struct {
		name  string
		ca    *ca.CA
		kind  ca.SubjectKind
		mod   func(*ca.Request)
		err   error
		field string
	}{
		{name: "bad CSR signature", mod: func(r *ca.Request) {
			r.CSR = slices.Clone(r.CSR)
			r.CSR[len(r.CSR)-1] ^= 1
		}, err: ca.ErrBadRequestSignature, field: "CSR"},
		{name: "garbage CSR", mod: func(r *ca.Request) { r.CSR = []byte{0x30, 0x03, 1, 2, 3} }, err: ca.ErrMalformedRequest, field: "CSR"},
		{name: "wrong SNILS", mod: withSubject(func(n *cert.Name) { n.SNILS = "11223344596" }), err: ca.ErrCheckDigit, field: "Subject.SNILS"},
		{name: "wrong INN", mod: withSubject(func(n *cert.Name) { n.INN = "500100732258" }), err: ca.ErrCheckDigit, field: "Subject.INN"},
		{name: "wrong INNLE", kind: ca.LegalEntity, mod: withSubject(func(n *cert.Name) { n.INNLE = "7707083894" }), err: ca.ErrCheckDigit, field: "Subject.INNLE"},
		{name: "wrong OGRN", kind: ca.LegalEntity, mod: withSubject(func(n *cert.Name) { n.OGRN = "1027700132196" }), err: ca.ErrCheckDigit, field: "Subject.OGRN"},
		{name: "wrong OGRNIP", kind: ca.IndividualEntrepreneur, mod: withSubject(func(n *cert.Name) { n.OGRNIP = "304500116000158" }), err: ca.ErrCheckDigit, field: "Subject.OGRNIP"},
		{name: "short SNILS", mod: withSubject(func(n *cert.Name) { n.SNILS = "1122334459" }), err: ca.ErrInvalidField, field: "Subject.SNILS"},
		{name: "INN of a legal entity for an individual", mod: withSubject(func(n *cert.Name) { n.INN = "7707083893" }), err: ca.ErrInvalidField, field: "Subject.INN"},
		{name: "missing SNILS", mod: withSubject(func(n *cert.Name) { n.SNILS = "" }), err: ca.ErrMissingField, field: "Subject.SNILS"},
		{name: "entrepreneur without OGRNIP", kind: ca.IndividualEntrepreneur, mod: withSubject(func(n *cert.Name) { n.OGRNIP = "" }), err: ca.ErrMissingField, field: "Subject.OGRNIP"},
		{name: "legal entity without INNLE", kind: ca.LegalEntity, mod: withSubject(func(n *cert.Name) { n.INNLE = "" }), err: ca.ErrMissingField, field: "Subject.INNLE"},
		{name: "legal entity without O", kind: ca.LegalEntity, mod: withSubject(func(n *cert.Name) { n.Organization = "" }), err: ca.ErrMissingField, field: "Subject.Organization"},
		{name: "not RU", mod: withSubject(func(n *cert.Name) { n.Country = "KZ" }), err: ca.ErrInvalidField, field: "Subject.Country"},
		{name: "no CN", mod: withSubject(func(n *cert.Name) { n.CommonName = "" }), err: ca.ErrMissingField, field: "Subject.CommonName"},
		{name: "no subject kind", mod: func(r *ca.Request) { r.SubjectKind = 0 }, err: ca.ErrMissingField, field: "SubjectKind"},
		{name: "no identification kind", mod: func(r *ca.Request) { r.IdentificationKind = nil }, err: ca.ErrMissingField, field: "IdentificationKind"},
		{name: "bad identification kind", mod: func(r *ca.Request) { r.IdentificationKind = identification(7) }, err: ca.ErrInvalidField, field: "IdentificationKind"},
		{name: "no key class", mod: func(r *ca.Request) { r.KeyClass = "" }, err: ca.ErrMissingField, field: "KeyClass"},
		{name: "bad key class", mod: func(r *ca.Request) { r.KeyClass = "KC4" }, err: ca.ErrInvalidField, field: "KeyClass"},
		{name: "no subjectSignTool", mod: func(r *ca.Request) {
			r.CSR, _ = catest.NewCSR(t, nil, individual)
		}, err: ca.ErrMissingField, field: "SubjectSignTool"},
		{name: "CA without issuerSignTool", ca: noTool, err: ca.ErrMissingField, field: "Config.IssuerSignTool"},
		{name: "validity past the CA", mod: func(r *ca.Request) {
			r.NotBefore = f.sub.Certificate().NotAfter.Add(-100 * 24 * time.Hour)
			r.Validity = 200 * 24 * time.Hour
		}, err: ca.ErrValidity, field: "Validity"},
		{name: "validity above the profile's", mod: func(r *ca.Request) { r.Validity = 3 * 365 * 24 * time.Hour }, err: ca.ErrValidity, field: "Validity"},
		{name: "negative validity", mod: func(r *ca.Request) { r.Validity = -time.Hour }, err: ca.ErrValidity, field: "Validity"},
		{name: "before the CA", mod: func(r *ca.Request) { r.NotBefore = epoch.Add(-time.Hour) }, err: ca.ErrValidity, field: "NotBefore"},
		{name: "profile not allowed", ca: onlySignature, err: ca.ErrProfileNotAllowed, field: "Profile"},
		{name: "unknown profile", mod: func(r *ca.Request) { r.Profile = "code-signing" }, err: ca.ErrUnknownProfile, field: "Profile"},
		{name: "512-bit key", ca: only256, mod: func(r *ca.Request) {
			r.CSR, _ = catest.NewCSRTemplate(t, gost3410.ParamsTC26512A(), &cert.CertificateRequest{Subject: individual, SubjectSignTool: "tool"})
		}, err: ca.ErrKeySize, field: "CSR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := f.sub
			if tt.ca != nil {
				c = tt.ca
			}
			kind := ca.Individual
			if tt.kind != 0 {
				kind = tt.kind
			}
			req := qualifiedRequest(t, kind)
			if tt.mod != nil {
				tt.mod(&req)
			}
			before := snapshot(t, f.db)
			_, err := c.IssueRequest(req)
			if !errors.Is(err, tt.err) {
				t.Fatalf("got %v, want %v", err, tt.err)
			}
			var re *ca.RequestError
			if !errors.As(err, &re) || re.Field != tt.field {
				t.Errorf("got %#v, want a *RequestError for %s", err, tt.field)
			}
			if !strings.HasPrefix(err.Error(), "ca: ") {
				t.Errorf("message %q", err)
			}
			if after := snapshot(t, f.db); after != before {
				t.Errorf("ledger changed: %+v → %+v", before, after)
			}
		})
	}

	t.Run("second Issue of a Prepared", func(t *testing.T) {
		p, err := f.sub.Prepare(qualifiedRequest(t, ca.Individual))
		if err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, f.db)
		if _, err := f.sub.Issue(p); err != nil {
			t.Fatal(err)
		}
		once := snapshot(t, f.db)
		if once.records != before.records+1 {
			t.Fatalf("records %d → %d", before.records, once.records)
		}
		if _, err := f.sub.Issue(p); !errors.Is(err, ca.ErrPreparedUsed) {
			t.Errorf("second Issue: got %v, want ErrPreparedUsed", err)
		}
		if _, err := f.root.Issue(p); !errors.Is(err, ca.ErrForeignPrepared) {
			t.Errorf("Issue by another CA: got %v, want ErrForeignPrepared", err)
		}
		if after := snapshot(t, f.db); after != once {
			t.Errorf("ledger changed: %+v → %+v", once, after)
		}
	})
	t.Run("default validity clipped", func(t *testing.T) {
		req := qualifiedRequest(t, ca.Individual)
		req.NotBefore = f.sub.Certificate().NotAfter.Add(-10 * 24 * time.Hour)
		c, err := f.sub.IssueRequest(req)
		if err != nil {
			t.Fatal(err)
		}
		if !c.NotAfter.Equal(f.sub.Certificate().NotAfter) || !c.PrivateKeyUsagePeriod.NotAfter.Equal(c.NotAfter) {
			t.Errorf("notAfter %v, want the CA's %v", c.NotAfter, f.sub.Certificate().NotAfter)
		}
	})
}

func TestRequestChecks(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name    string
		profile string
		mod     func(*ca.Request)
		err     error
	}{
		{"tls-server without DNS name", ca.ProfileTLSServer, func(r *ca.Request) { r.DNSNames = nil }, ca.ErrMissingField},
		{"bad DNS name", ca.ProfileTLSServer, func(r *ca.Request) { r.DNSNames = []string{"-bad-.test"} }, ca.ErrInvalidField},
		{"bad e-mail", ca.ProfileSignature, func(r *ca.Request) { r.EmailAddresses = []string{"nobody"} }, ca.ErrInvalidField},
		{"empty subject", ca.ProfileSignature, func(r *ca.Request) { r.Subject = &cert.Name{} }, ca.ErrMissingField},
		{"no CSR", ca.ProfileSignature, func(r *ca.Request) { r.CSR = nil }, ca.ErrMissingField},
		{"no profile", "", nil, ca.ErrMissingField},
		{"CA key", ca.ProfileSignature, func(r *ca.Request) {
			der, err := f.sub.InitRequest(cert.Name{CommonName: "me"})
			if err != nil {
				t.Fatal(err)
			}
			r.CSR = der
		}, ca.ErrInvalidField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			csr, _ := catest.NewCSR(t, nil, cert.Name{CommonName: "x"})
			req := ca.Request{CSR: csr, Profile: tt.profile, DNSNames: []string{"a.test"}}
			if tt.mod != nil {
				tt.mod(&req)
			}
			before := snapshot(t, f.db)
			if _, err := f.sub.IssueRequest(req); !errors.Is(err, tt.err) {
				t.Fatalf("got %v, want %v", err, tt.err)
			}
			if after := snapshot(t, f.db); after != before {
				t.Errorf("ledger changed: %+v → %+v", before, after)
			}
		})
	}
	t.Run("SANs from the CSR", func(t *testing.T) {
		csr, _ := catest.NewCSRTemplate(t, nil, &cert.CertificateRequest{
			Subject: cert.Name{CommonName: "www"}, DNSNames: []string{"www.example.test"}, EmailAddresses: []string{"admin@example.test"},
		})
		c, err := f.sub.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileTLSServer})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(c.DNSNames, []string{"www.example.test"}) || !slices.Equal(c.EmailAddresses, []string{"admin@example.test"}) {
			t.Errorf("SANs %v %v", c.DNSNames, c.EmailAddresses)
		}
		c, err = f.sub.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileTLSServer, DNSNames: []string{"approved.example.test"}, EmailAddresses: []string{}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(c.DNSNames, []string{"approved.example.test"}) || len(c.EmailAddresses) != 0 {
			t.Errorf("approved SANs %v %v", c.DNSNames, c.EmailAddresses)
		}
	})
}

func TestSigningFailureAbandons(t *testing.T) {
	f := newFixture(t)
	cfg := f.sub.Config()
	key := cfg.Signer.(*gost3410.PrivateKey)
	cfg.Signer = failingSigner{key}
	broken, err := ca.New(f.sub.Ledger(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, f.db)
	csr, _ := catest.NewCSR(t, nil, cert.Name{CommonName: "x"})
	if _, err := broken.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileSignature}); err == nil {
		t.Fatal("Issue with a failing signer succeeded")
	}
	after := snapshot(t, f.db)
	if after.records != before.records+1 {
		t.Fatalf("records %d → %d, want one abandoned", before.records, after.records)
	}
	abandoned := 0
	for r, err := range f.db.All() {
		if err != nil {
			t.Fatal(err)
		}
		if r.Status == store.StatusAbandoned {
			abandoned++
			if st, _ := f.sub.Status(r.Serial); st.State != ca.StateUnknown {
				t.Errorf("abandoned serial: state %v, want unknown", st.State)
			}
		}
	}
	if abandoned != 1 {
		t.Errorf("%d abandoned records, want 1", abandoned)
	}
}

func TestRenew(t *testing.T) {
	f := newFixture(t)
	t.Run("same key", func(t *testing.T) {
		old := issue(t, f.sub, ca.ProfileQualified)
		f.clock.Advance(30 * 24 * time.Hour)
		defer f.clock.Set(epoch)
		c, err := f.sub.Renew(old.SerialNumber, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !c.PublicKey.Equal(old.PublicKey) || string(c.RawSubject) != string(old.RawSubject) {
			t.Error("the successor changed the key or the subject")
		}
		if !c.NotBefore.Equal(f.clock.Now()) || c.NotAfter.Sub(c.NotBefore) != 365*24*time.Hour {
			t.Errorf("validity %v – %v", c.NotBefore, c.NotAfter)
		}
		if c.SubjectSignTool != old.SubjectSignTool || !slices.EqualFunc(c.PolicyIdentifiers, old.PolicyIdentifiers, asn1.ObjectIdentifier.Equal) ||
			*c.IdentificationKind != *old.IdentificationKind || c.PrivateKeyUsagePeriod == nil {
			t.Error("the successor lost qualified extensions")
		}
		if p, s := record(t, f.db, old.SerialNumber), record(t, f.db, c.SerialNumber); p.Successor.Cmp(c.SerialNumber) != 0 ||
			s.Predecessor.Cmp(old.SerialNumber) != 0 || s.Profile != ca.ProfileQualified {
			t.Errorf("links: predecessor.Successor %v successor.Predecessor %v", p.Successor, s.Predecessor)
		}
	})
	t.Run("rekey", func(t *testing.T) {
		old := issue(t, f.sub, ca.ProfileTLSServer)
		csr, key := catest.NewCSR(t, gost3410.ParamsTC26512A(), cert.Name{CommonName: "ignored"})
		c, err := f.sub.Renew(old.SerialNumber, csr)
		if err != nil {
			t.Fatal(err)
		}
		if !c.PublicKey.Equal(key.PublicKey()) || c.Subject.CommonName != "subscriber" || !slices.Equal(c.DNSNames, old.DNSNames) {
			t.Errorf("successor: key %v subject %v names %v", c.PublicKey.Params(), c.Subject.String(), c.DNSNames)
		}
		if s := record(t, f.db, c.SerialNumber); s.Predecessor.Cmp(old.SerialNumber) != 0 {
			t.Errorf("successor.Predecessor %v", s.Predecessor)
		}
	})
	revoked := issue(t, f.sub, ca.ProfileSignature)
	if err := f.sub.Revoke(revoked.SerialNumber, cert.ReasonSuperseded, time.Time{}); err != nil {
		t.Fatal(err)
	}
	good := issue(t, f.sub, ca.ProfileSignature)
	badCSR, _ := catest.NewCSR(t, nil, cert.Name{CommonName: "x"})
	badCSR[len(badCSR)-1] ^= 1
	for _, tt := range []struct {
		name   string
		serial *big.Int
		csr    []byte
		err    error
	}{
		{"revoked", revoked.SerialNumber, nil, store.ErrState},
		{"unknown", big.NewInt(12345), nil, store.ErrNotFound},
		{"another CA's", f.sub.Certificate().SerialNumber, nil, ca.ErrWrongIssuer},
		{"bad CSR", good.SerialNumber, badCSR, ca.ErrBadRequestSignature},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, f.db)
			if _, err := f.sub.Renew(tt.serial, tt.csr); !errors.Is(err, tt.err) {
				t.Fatalf("got %v, want %v", err, tt.err)
			}
			if after := snapshot(t, f.db); after != before {
				t.Errorf("ledger changed: %+v → %+v", before, after)
			}
		})
	}
}

func TestRevoke(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		name       string
		reason     cert.ReasonCode
		invalidity time.Time
	}{
		{"unspecified", cert.ReasonUnspecified, time.Time{}},
		{"key compromise with invalidity", cert.ReasonKeyCompromise, epoch.Add(-48 * time.Hour)},
		{"superseded", cert.ReasonSuperseded, time.Time{}},
		{"cessation", cert.ReasonCessationOfOperation, time.Time{}},
		{"privilege withdrawn", cert.ReasonPrivilegeWithdrawn, time.Time{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := issue(t, f.sub, ca.ProfileSignature)
			if err := f.sub.Revoke(c.SerialNumber, tt.reason, tt.invalidity); err != nil {
				t.Fatal(err)
			}
			st, err := f.sub.Status(c.SerialNumber)
			if err != nil {
				t.Fatal(err)
			}
			if st.State != ca.StateRevoked || st.Reason != tt.reason || !st.RevokedAt.Equal(epoch) || !st.InvalidityDate.Equal(tt.invalidity) {
				t.Errorf("status %+v", st)
			}
		})
	}

	good := issue(t, f.sub, ca.ProfileSignature)
	revoked := issue(t, f.sub, ca.ProfileSignature)
	if err := f.sub.Revoke(revoked.SerialNumber, cert.ReasonKeyCompromise, time.Time{}); err != nil {
		t.Fatal(err)
	}
	held := issue(t, f.sub, ca.ProfileSignature)
	if err := f.sub.Hold(held.SerialNumber); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		op   func() error
		err  error
	}{
		{"revoke twice", func() error { return f.sub.Revoke(revoked.SerialNumber, cert.ReasonSuperseded, time.Time{}) }, store.ErrState},
		{"hold a revoked", func() error { return f.sub.Hold(revoked.SerialNumber) }, store.ErrState},
		{"hold twice", func() error { return f.sub.Hold(held.SerialNumber) }, store.ErrState},
		{"release a good", func() error { return f.sub.Release(good.SerialNumber) }, store.ErrState},
		{"release a revoked", func() error { return f.sub.Release(revoked.SerialNumber) }, store.ErrState},
		{"revoke unknown", func() error { return f.sub.Revoke(big.NewInt(42), cert.ReasonKeyCompromise, time.Time{}) }, store.ErrNotFound},
		{"hold unknown", func() error { return f.sub.Hold(big.NewInt(42)) }, store.ErrNotFound},
		{"release unknown", func() error { return f.sub.Release(big.NewInt(42)) }, store.ErrNotFound},
		{"revoke nil", func() error { return f.sub.Revoke(nil, cert.ReasonKeyCompromise, time.Time{}) }, store.ErrNotFound},
		{"revoke another CA's", func() error {
			return f.sub.Revoke(f.sub.Certificate().SerialNumber, cert.ReasonKeyCompromise, time.Time{})
		}, ca.ErrWrongIssuer},
		{"reason hold", func() error { return f.sub.Revoke(good.SerialNumber, cert.ReasonCertificateHold, time.Time{}) }, ca.ErrReason},
		{"reason removeFromCRL", func() error { return f.sub.Revoke(good.SerialNumber, cert.ReasonRemoveFromCRL, time.Time{}) }, ca.ErrReason},
		{"reason 7", func() error { return f.sub.Revoke(good.SerialNumber, 7, time.Time{}) }, ca.ErrReason},
		{"future invalidity", func() error { return f.sub.Revoke(good.SerialNumber, cert.ReasonKeyCompromise, epoch.Add(time.Hour)) }, ca.ErrInvalidField},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, f.db)
			states := map[*cert.Certificate]ca.State{}
			for _, c := range []*cert.Certificate{good, revoked, held} {
				st, _ := f.sub.Status(c.SerialNumber)
				states[c] = st.State
			}
			if err := tt.op(); !errors.Is(err, tt.err) {
				t.Fatalf("got %v, want %v", err, tt.err)
			}
			if after := snapshot(t, f.db); after != before {
				t.Errorf("ledger changed: %+v → %+v", before, after)
			}
			for c, want := range states {
				if st, _ := f.sub.Status(c.SerialNumber); st.State != want {
					t.Errorf("%#x: state %v → %v", c.SerialNumber, want, st.State)
				}
			}
		})
	}
	t.Run("hold then revoke", func(t *testing.T) {
		if err := f.sub.Revoke(held.SerialNumber, cert.ReasonAffiliationChanged, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if st, _ := f.sub.Status(held.SerialNumber); st.State != ca.StateRevoked || st.Reason != cert.ReasonAffiliationChanged {
			t.Errorf("status %v %v", st.State, st.Reason)
		}
		if err := f.sub.Release(held.SerialNumber); !errors.Is(err, store.ErrState) {
			t.Errorf("release after revoke: got %v, want store.ErrState", err)
		}
	})
}

func TestStatus(t *testing.T) {
	f := newFixture(t)
	good := issue(t, f.sub, ca.ProfileSignature)
	revoked := issue(t, f.sub, ca.ProfileSignature)
	held := issue(t, f.sub, ca.ProfileSignature)
	short := issue(t, f.sub, ca.ProfileSignature, func(r *ca.Request) { r.Validity = 24 * time.Hour })
	shortRevoked := issue(t, f.sub, ca.ProfileSignature, func(r *ca.Request) { r.Validity = 24 * time.Hour })
	for _, err := range []error{
		f.sub.Revoke(revoked.SerialNumber, cert.ReasonKeyCompromise, epoch.Add(-time.Hour)),
		f.sub.Hold(held.SerialNumber),
		f.sub.Revoke(shortRevoked.SerialNumber, cert.ReasonSuperseded, time.Time{}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Advance(48 * time.Hour)
	for _, tt := range []struct {
		name   string
		serial *big.Int
		want   ca.State
		reason cert.ReasonCode
		record bool
	}{
		{"good", good.SerialNumber, ca.StateGood, 0, true},
		{"revoked", revoked.SerialNumber, ca.StateRevoked, cert.ReasonKeyCompromise, true},
		{"held", held.SerialNumber, ca.StateHeld, cert.ReasonCertificateHold, true},
		{"expired", short.SerialNumber, ca.StateExpired, 0, true},
		{"expired but revoked", shortRevoked.SerialNumber, ca.StateRevoked, cert.ReasonSuperseded, true},
		{"unknown", big.NewInt(777), ca.StateUnknown, 0, false},
		{"another CA's", f.sub.Certificate().SerialNumber, ca.StateUnknown, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, err := f.sub.Status(tt.serial)
			if err != nil {
				t.Fatal(err)
			}
			if st.State != tt.want || st.Reason != tt.reason || (st.Record != nil) != tt.record || st.Serial.Cmp(tt.serial) != 0 {
				t.Errorf("got %v (%v, record %v), want %v (%v)", st.State, st.Reason, st.Record != nil, tt.want, tt.reason)
			}
			if st.State.String() != tt.want.String() || st.State.String() == "" {
				t.Errorf("String %q", st.State)
			}
		})
	}
}

// crlEntries returns serial → reason of a CRL, after checking its
// signature, number and base.
func crlEntries(t *testing.T, c *ca.CA, der []byte, number, base int64) map[string]cert.ReasonCode {
	t.Helper()
	rl, err := cert.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := rl.CheckSignatureFrom(c.Certificate()); err != nil {
		t.Errorf("CRL signature: %v", err)
	}
	if rl.Number.Int64() != number {
		t.Errorf("CRL number %v, want %d", rl.Number, number)
	}
	if base == 0 && rl.BaseCRLNumber != nil || base != 0 && (rl.BaseCRLNumber == nil || rl.BaseCRLNumber.Int64() != base) {
		t.Errorf("base CRL number %v, want %d", rl.BaseCRLNumber, base)
	}
	m := make(map[string]cert.ReasonCode)
	for _, e := range rl.Entries {
		m[e.SerialNumber.Text(16)] = e.ReasonCode
	}
	return m
}

func key(c *cert.Certificate) string { return c.SerialNumber.Text(16) }

func TestCRL(t *testing.T) {
	f := newFixture(t)
	if _, err := f.sub.CRL(true); !errors.Is(err, ca.ErrNoBaseCRL) {
		t.Fatalf("delta before full: got %v, want ErrNoBaseCRL", err)
	}
	a, b, c, d := issue(t, f.sub, ca.ProfileAuth), issue(t, f.sub, ca.ProfileAuth), issue(t, f.sub, ca.ProfileAuth), issue(t, f.sub, ca.ProfileAuth)
	if err := f.sub.Revoke(a.SerialNumber, cert.ReasonKeyCompromise, epoch.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	der, err := f.sub.CRL(false)
	if err != nil {
		t.Fatal(err)
	}
	if got := crlEntries(t, f.sub, der, 1, 0); !mapsEqual(got, map[string]cert.ReasonCode{key(a): cert.ReasonKeyCompromise}) {
		t.Errorf("full CRL 1: %v", got)
	}
	rl, _ := cert.ParseRevocationList(der)
	if !rl.ThisUpdate.Equal(epoch) || !rl.NextUpdate.Equal(epoch.Add(7*24*time.Hour)) {
		t.Errorf("full CRL times %v – %v", rl.ThisUpdate, rl.NextUpdate)
	}
	if !rl.Entries[0].InvalidityDate.Equal(epoch.Add(-time.Hour)) {
		t.Errorf("invalidity date %v", rl.Entries[0].InvalidityDate)
	}

	f.clock.Advance(time.Hour)
	for _, err := range []error{
		f.sub.Hold(b.SerialNumber),
		f.sub.Hold(c.SerialNumber),
		f.sub.Revoke(d.SerialNumber, cert.ReasonSuperseded, time.Time{}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	der, err = f.sub.CRL(true)
	if err != nil {
		t.Fatal(err)
	}
	if got := crlEntries(t, f.sub, der, 2, 1); !mapsEqual(got, map[string]cert.ReasonCode{
		key(b): cert.ReasonCertificateHold, key(c): cert.ReasonCertificateHold, key(d): cert.ReasonSuperseded,
	}) {
		t.Errorf("delta CRL 2: %v", got)
	}
	rl, _ = cert.ParseRevocationList(der)
	if !rl.NextUpdate.Equal(rl.ThisUpdate.Add(24 * time.Hour)) {
		t.Errorf("delta CRL times %v – %v", rl.ThisUpdate, rl.NextUpdate)
	}

	// b: hold → release (removeFromCRL); c: hold → revoke.
	for _, err := range []error{
		f.sub.Release(b.SerialNumber),
		f.sub.Revoke(c.SerialNumber, cert.ReasonKeyCompromise, time.Time{}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	der, err = f.sub.CRL(true)
	if err != nil {
		t.Fatal(err)
	}
	if got := crlEntries(t, f.sub, der, 3, 1); !mapsEqual(got, map[string]cert.ReasonCode{
		key(b): cert.ReasonRemoveFromCRL, key(c): cert.ReasonKeyCompromise, key(d): cert.ReasonSuperseded,
	}) {
		t.Errorf("delta CRL 3: %v", got)
	}

	// Released, held and released again: listed once.
	if err := f.sub.Hold(b.SerialNumber); err != nil {
		t.Fatal(err)
	}
	if err := f.sub.Release(b.SerialNumber); err != nil {
		t.Fatal(err)
	}
	der, err = f.sub.CRL(true)
	if err != nil {
		t.Fatal(err)
	}
	rl, _ = cert.ParseRevocationList(der)
	if len(rl.Entries) != 3 {
		t.Errorf("delta CRL 4 has %d entries, want 3", len(rl.Entries))
	}

	der, err = f.sub.CRL(false)
	if err != nil {
		t.Fatal(err)
	}
	if got := crlEntries(t, f.sub, der, 5, 0); !mapsEqual(got, map[string]cert.ReasonCode{
		key(a): cert.ReasonKeyCompromise, key(c): cert.ReasonKeyCompromise, key(d): cert.ReasonSuperseded,
	}) {
		t.Errorf("full CRL 5: %v", got)
	}
	der, err = f.sub.CRL(true)
	if err != nil {
		t.Fatal(err)
	}
	if got := crlEntries(t, f.sub, der, 6, 5); len(got) != 0 {
		t.Errorf("delta CRL 6 over a fresh full: %v", got)
	}

	// Held before the full CRL, released and held again since: a hold in
	// the delta, not a removeFromCRL.
	e := issue(t, f.sub, ca.ProfileAuth)
	if err := f.sub.Hold(e.SerialNumber); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sub.CRL(false); err != nil {
		t.Fatal(err)
	}
	if err := f.sub.Release(e.SerialNumber); err != nil {
		t.Fatal(err)
	}
	if err := f.sub.Hold(e.SerialNumber); err != nil {
		t.Fatal(err)
	}
	der, err = f.sub.CRL(true)
	if err != nil {
		t.Fatal(err)
	}
	if got := crlEntries(t, f.sub, der, 8, 7); !mapsEqual(got, map[string]cert.ReasonCode{key(e): cert.ReasonCertificateHold}) {
		t.Errorf("delta CRL 8: %v", got)
	}

	// The root's CRLs are its own: its sequence and entries.
	der, err = f.root.CRL(false)
	if err != nil {
		t.Fatal(err)
	}
	if got := crlEntries(t, f.root, der, 1, 0); len(got) != 0 {
		t.Errorf("root CRL: %v", got)
	}
}

// TestConcurrentCRLs makes CRLs from one CA value and from several for the
// same key and ledger (as separate processes would): every CRL gets its own
// number. It runs on both ledgers.
func TestConcurrentCRLs(t *testing.T) { ledgertest.Run(t, testConcurrentCRLs) }

func testConcurrentCRLs(t *testing.T, b ledgertest.Backend) {
	f := newFixtureOn(t, b.New(t))
	issue(t, f.sub, ca.ProfileAuth)
	if _, err := f.sub.CRL(false); err != nil { // the base of the deltas
		t.Fatal(err)
	}
	// The CRLs that can beat one of another value's are at most the four
	// others: fewer than the CA's retries.
	others := make([]*ca.CA, 3)
	for i := range others {
		c, err := ca.New(f.sub.Ledger(), f.sub.Config())
		if err != nil {
			t.Fatal(err)
		}
		others[i] = c
	}
	makers := []*ca.CA{f.sub, f.sub}
	makers = append(makers, others...)
	numbers := make(chan int64, len(makers))
	var wg sync.WaitGroup
	for i, m := range makers {
		wg.Go(func() {
			n, err := crlNumber(m, i%2 == 1)
			if err != nil {
				t.Error(err)
				return
			}
			numbers <- n.Int64()
		})
	}
	wg.Wait()
	close(numbers)
	seen := map[int64]bool{}
	for num := range numbers {
		if seen[num] {
			t.Errorf("CRL number %d twice", num)
		}
		seen[num] = true
	}
	if len(seen) != len(makers) || seen[1] {
		t.Errorf("%d CRLs, want %d", len(seen), len(makers))
	}
}

func mapsEqual(a, b map[string]cert.ReasonCode) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestConcurrentIssue issues from many goroutines at once: no serial
// twice, one record each, the audit chain whole. It runs on both ledgers.
func TestConcurrentIssue(t *testing.T) { ledgertest.Run(t, testConcurrentIssue) }

func testConcurrentIssue(t *testing.T, b ledgertest.Backend) {
	f := newFixtureOn(t, b.New(t))
	const goroutines, each = 16, 50
	csr, _ := catest.NewCSR(t, nil, cert.Name{CommonName: "load", Country: "RU"})
	before := snapshot(t, f.db)
	serials := make(chan *big.Int, goroutines*each)
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range each {
				c, err := f.sub.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileAuth})
				if err != nil {
					t.Error(err)
					return
				}
				serials <- c.SerialNumber
			}
		})
	}
	wg.Wait()
	close(serials)
	seen := map[string]bool{}
	for s := range serials {
		if seen[s.String()] {
			t.Errorf("serial %#x issued twice", s)
		}
		seen[s.String()] = true
	}
	if len(seen) != goroutines*each {
		t.Fatalf("%d certificates, want %d", len(seen), goroutines*each)
	}
	after := snapshot(t, f.db)
	if after.records != before.records+goroutines*each {
		t.Errorf("records %d → %d", before.records, after.records)
	}
	if err := f.db.VerifyAudit(); err != nil {
		t.Errorf("audit: %v", err)
	}
}
