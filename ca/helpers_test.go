package ca_test

import (
	"crypto"
	"errors"
	"io"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/internal/interop"
	"github.com/gostca/gostca/internal/ledgertest"
	"github.com/gostca/gostca/store"
)

// TestMain stops the PostgreSQL server the tests on that ledger started.
func TestMain(m *testing.M) {
	code := m.Run()
	interop.StopPostgres()
	os.Exit(code)
}

// epoch is the fixed time the tests' clocks start at.
var epoch = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// fixture is a root and an intermediate in one ledger, on one clock.
type fixture struct {
	clock *catest.Clock
	db    ledgertest.Ledger
	root  *ca.CA
	sub   *ca.CA
}

// newFixture makes a fixture in a bbolt ledger.
func newFixture(t testing.TB, subOpts ...catest.Option) *fixture {
	t.Helper()
	return newFixtureOn(t, catest.NewLedger(t), subOpts...)
}

// newFixtureOn makes a fixture in db.
func newFixtureOn(t testing.TB, db ledgertest.Ledger, subOpts ...catest.Option) *fixture {
	t.Helper()
	f := &fixture{clock: catest.NewClock(epoch), db: db}
	f.root = catest.NewRoot(t, catest.WithClock(f.clock), catest.WithLedger(f.db))
	f.sub = catest.NewIntermediate(t, f.root, subOpts...)
	return f
}

// ledgerState is what a refused request must not change: the number of
// records and the audit log's length.
type ledgerState struct{ records, seq uint64 }

func snapshot(t testing.TB, db ledgertest.Ledger) ledgerState {
	t.Helper()
	var s ledgerState
	for _, err := range db.All() {
		if err != nil {
			t.Fatalf("reading the ledger: %v", err)
		}
		s.records++
	}
	if err := db.View(func(tx store.Tx) error { s.seq = tx.Seq(); return nil }); err != nil {
		t.Fatalf("reading the ledger: %v", err)
	}
	return s
}

func record(t testing.TB, db ledgertest.Ledger, serial *big.Int) *store.Record {
	t.Helper()
	r, err := db.Get(serial)
	if err != nil {
		t.Fatalf("Get(%#x): %v", serial, err)
	}
	return r
}

// issue issues a certificate of profile for a fresh key and subject.
func issue(t testing.TB, c *ca.CA, profile string, mod ...func(*ca.Request)) *cert.Certificate {
	t.Helper()
	csr, _ := catest.NewCSR(t, nil, cert.Name{CommonName: "subscriber", Country: "RU"})
	req := ca.Request{CSR: csr, Profile: profile}
	if profile == ca.ProfileTLSServer {
		req.DNSNames = []string{"www.example.test"}
	}
	if profile == ca.ProfileQualified {
		req = qualifiedRequest(t, ca.Individual)
	}
	for _, m := range mod {
		m(&req)
	}
	c0, err := c.IssueRequest(req)
	if err != nil {
		t.Fatalf("issuing %s: %v", profile, err)
	}
	return c0
}

// crlNumber makes c's next CRL and returns its number.
func crlNumber(c *ca.CA, delta bool) (*big.Int, error) {
	der, err := c.CRL(delta)
	if err != nil {
		return nil, err
	}
	rl, err := cert.ParseRevocationList(der)
	if err != nil {
		return nil, err
	}
	return rl.Number, nil
}

func identification(k cert.IdentificationKind) *cert.IdentificationKind { return &k }

// Qualified subjects with valid registration numbers.
var (
	individual = cert.Name{
		CommonName: "Иванов Иван Иванович", Surname: "Иванов", GivenName: "Иван Иванович",
		Country: "RU", Locality: "Москва", SNILS: "11223344595", INN: "500100732259",
	}
	entrepreneur = cert.Name{
		CommonName: "ИП Петров Пётр Петрович", Surname: "Петров", GivenName: "Пётр Петрович",
		Country: "RU", SNILS: "11223344595", INN: "500100732259", OGRNIP: "304500116000157",
	}
	legalEntity = cert.Name{
		CommonName: "ООО Ромашка", Organization: "ООО Ромашка", Country: "RU", Locality: "Москва",
		OGRN: "1027700132195", INNLE: "7707083893",
	}
)

// qualifiedRequest returns a complete qualified request of kind for a
// fresh 256-bit key.
func qualifiedRequest(t testing.TB, kind ca.SubjectKind) ca.Request {
	t.Helper()
	subject := map[ca.SubjectKind]cert.Name{
		ca.Individual: individual, ca.IndividualEntrepreneur: entrepreneur, ca.LegalEntity: legalEntity,
	}[kind]
	csr, _ := catest.NewCSRTemplate(t, nil, &cert.CertificateRequest{
		Subject:         subject,
		SubjectSignTool: "СКЗИ «Тест-CSP» версия 5.0",
	})
	return ca.Request{
		CSR:                csr,
		Profile:            ca.ProfileQualified,
		RequestID:          "REQ-1",
		SubjectKind:        kind,
		KeyClass:           "KC2",
		IdentificationKind: identification(cert.IdentificationPersonal),
	}
}

// failingSigner holds a CA key but refuses to sign.
type failingSigner struct{ key *gost3410.PrivateKey }

func (s failingSigner) Public() crypto.PublicKey { return s.key.Public() }
func (s failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("token removed")
}

func hasExtension(c *cert.Certificate, oid []int) bool {
	for _, e := range c.Extensions {
		if e.Id.Equal(oid) {
			return true
		}
	}
	return false
}
