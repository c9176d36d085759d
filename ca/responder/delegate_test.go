package responder

import (
	"bytes"
	"context"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/ocsp"
	"github.com/gostca/gostca/store"
)

// oidOCSPNoCheck is id-pkix-ocsp-nocheck.
const oidOCSPNoCheck = "1.3.6.1.5.5.7.48.1.5"

// delegatedSigner parses der, checks it against the CA and returns the
// responder certificate that signed it (nil for the CA itself).
func delegatedSigner(t *testing.T, f *fixture, der []byte) *cert.Certificate {
	t.Helper()
	r := f.parse(t, der)
	if bytes.Equal(r.ResponderKeyHash, keyHash(t, f.cfg.Certificate)) {
		return nil
	}
	if len(r.Certificates) != 1 {
		t.Fatalf("a delegated response carries %d certificates, want 1", len(r.Certificates))
	}
	return r.Certificates[0]
}

// keyHash is the responderID byKey of c: the SHA-1 key hash of a CertID
// is the same hash.
func keyHash(t *testing.T, c *cert.Certificate) []byte {
	t.Helper()
	id, err := ocsp.NewCertID(ocsp.SHA1, c, big.NewInt(1))
	if err != nil {
		t.Fatal(err)
	}
	return id.IssuerKeyHash
}

func TestDelegatedResponder(t *testing.T) {
	clock := catest.NewClock(time.Now().Add(time.Minute)) // after the root's notBefore
	f := newFixture(t, func(c *Config) {
		c.CA.Clock = clock.Now
		c.Delegate = &Delegation{Validity: 3 * 24 * time.Hour}
	})
	der := request(t, ocsp.SHA1, f.cfg.Certificate, f.revoked.SerialNumber, nil)
	first := readBody(t, f.post(t, der))
	d := delegatedSigner(t, f, first)
	if d == nil {
		t.Fatal("the response was signed by the CA key, not a delegated one")
	}
	// The profile RFC 6960 §4.2.2.2 asks for, and a key never seen before.
	if !slices.ContainsFunc(d.ExtKeyUsage, func(o asn1.ObjectIdentifier) bool { return o.Equal(cert.OIDExtKeyUsageOCSPSigning()) }) {
		t.Errorf("the responder certificate's EKU is %v, want OCSPSigning", d.ExtKeyUsage)
	}
	if !slices.ContainsFunc(d.Extensions, func(e pkix.Extension) bool { return e.Id.String() == oidOCSPNoCheck }) {
		t.Error("the responder certificate has no id-pkix-ocsp-nocheck")
	}
	if d.PublicKey.Equal(f.cfg.Certificate.PublicKey) {
		t.Error("the delegated key is the CA's")
	}
	if got := d.NotAfter.Sub(d.NotBefore); got != 3*24*time.Hour {
		t.Errorf("the responder certificate is valid for %v, want 72h", got)
	}
	if !strings.Contains(d.Subject.CommonName, "OCSP responder") {
		t.Errorf("responder subject %q", d.Subject.CommonName)
	}
	// Recorded in the ledger like every certificate.
	db, err := store.Open(f.ledger, &store.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := db.Get(d.SerialNumber)
	db.Close()
	if err != nil || rec.Status != store.StatusGood {
		t.Fatalf("the responder certificate in the ledger: %v, %v", rec, err)
	}

	// Nothing changes until RenewBefore (a third of 72 h) its notAfter...
	clock.Set(d.NotAfter.Add(-24*time.Hour - time.Minute))
	if _, err := f.cache.poll(context.Background(), time.Second); err != nil {
		t.Fatal(err)
	}
	if got := delegatedSigner(t, f, readBody(t, f.post(t, request(t, ocsp.SHA256, f.cfg.Certificate, f.good.SerialNumber, nil)))); got.SerialNumber.Cmp(d.SerialNumber) != 0 {
		t.Fatal("the responder certificate was replaced before it was due")
	}
	// ...then the next poll makes a new key and certificate, which signs
	// what follows, the re-signed pre-signed responses included.
	clock.Set(d.NotAfter.Add(-24*time.Hour + time.Minute))
	if _, err := f.cache.poll(context.Background(), time.Second); err != nil {
		t.Fatal(err)
	}
	live := delegatedSigner(t, f, readBody(t, f.post(t, request(t, ocsp.SHA256, f.cfg.Certificate, f.good.SerialNumber, nil))))
	if live.SerialNumber.Cmp(d.SerialNumber) == 0 || live.PublicKey.Equal(d.PublicKey) {
		t.Fatal("the responder certificate was not replaced when due")
	}
	if !live.NotAfter.After(d.NotAfter) {
		t.Errorf("the new certificate ends %v, not after the old one (%v)", live.NotAfter, d.NotAfter)
	}
	// A response pre-signed with the old key stays until its refresh: it
	// expires before the old certificate does.
	presigned := f.parse(t, readBody(t, f.post(t, der)))
	if next := presigned.Responses[0].NextUpdate; next.After(d.NotAfter) {
		t.Errorf("a response signed with the old key is valid until %v, after its certificate (%v)", next, d.NotAfter)
	}
	clock.Advance(DefaultResponseValidity/2 + time.Second)
	if _, err := f.cache.poll(context.Background(), time.Second); err != nil {
		t.Fatal(err)
	}
	refreshed := readBody(t, f.post(t, der))
	if got := delegatedSigner(t, f, refreshed); got.SerialNumber.Cmp(live.SerialNumber) != 0 {
		t.Error("the pre-signed responses were not re-signed with the new key")
	}
	if st := f.parse(t, refreshed).Responses[0]; st.Status != ocsp.Revoked || st.Reason != cert.ReasonKeyCompromise {
		t.Errorf("status %v %v, want revoked keyCompromise", st.Status, st.Reason)
	}
}

// A response never outlives the certificate of the key that signed it.
func TestDelegatedNextUpdateClamped(t *testing.T) {
	clock := catest.NewClock(time.Now().Add(time.Minute)) // after the root's notBefore
	f := newFixture(t, func(c *Config) {
		c.CA.Clock = clock.Now
		c.Delegate = &Delegation{Validity: 3 * time.Hour, RenewBefore: 90 * time.Minute}
	})
	k := f.cache.signer.Load()
	// A renewal that fails (the ledger held by a writer) leaves the old
	// key signing, up to its end.
	db, err := store.Open(f.ledger, &store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clock.Set(k.cert.NotAfter.Add(-30 * time.Minute))
	if err := f.cache.delegate(clock.Now(), 10*time.Millisecond); err == nil {
		t.Fatal("certified a responder key while the ledger was locked")
	}
	r := f.parse(t, readBody(t, f.post(t, request(t, ocsp.SHA256, f.cfg.Certificate, f.good.SerialNumber, []byte("nonce")))))
	if next := r.Responses[0].NextUpdate; next.After(k.cert.NotAfter) {
		t.Errorf("nextUpdate %v is after the responder certificate's notAfter %v", next, k.cert.NotAfter)
	}
}

func TestDelegationConfig(t *testing.T) {
	for _, d := range []Delegation{
		{Validity: time.Hour}, // RenewBefore 20 min < ResponseValidity 1 h
		{Validity: 48 * time.Hour, RenewBefore: 48 * time.Hour},
		{RenewBefore: 30 * time.Minute},
	} {
		f := newFixture(t, nil)
		_, err := New(Config{Ledger: f.ledger, CA: f.cfg, Delegate: &d, Logger: quietLogger()})
		if err == nil || !strings.Contains(err.Error(), "RenewBefore") {
			t.Errorf("Delegation %+v: err %v, want a RenewBefore error", d, err)
		}
	}
}
