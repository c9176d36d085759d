package catest_test

import (
	"sync"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
)

func TestClock(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := catest.NewClock(start)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { c.Advance(time.Second); _ = c.Now() })
	}
	wg.Wait()
	if got := c.Now(); !got.Equal(start.Add(10 * time.Second)) {
		t.Errorf("Now %v after ten Advance(1s)", got)
	}
	c.Set(start)
	if got := c.Now(); !got.Equal(start) {
		t.Errorf("Now %v after Set", got)
	}
}

func TestRootAndIntermediate(t *testing.T) {
	clock := catest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	root := catest.NewRoot(t, catest.WithClock(clock), catest.WithParams(gost3410.ParamsTC26512A()))
	sub := catest.NewIntermediate(t, root, catest.WithPathLen(0),
		catest.WithConfig(func(c *ca.Config) { c.Profiles = []string{ca.ProfileAuth} }))
	if root.Certificate().PublicKey.Params().Bits() != 512 {
		t.Error("WithParams ignored")
	}
	if sub.Ledger() != root.Ledger() {
		t.Error("the intermediate is not in the root's ledger")
	}
	csr, key := catest.NewCSR(t, nil, cert.Name{CommonName: "leaf"})
	leaf, err := sub.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileAuth})
	if err != nil {
		t.Fatal(err)
	}
	if !leaf.PublicKey.Equal(key.PublicKey()) || !leaf.NotBefore.Equal(clock.Now()) {
		t.Errorf("leaf: key or notBefore %v", leaf.NotBefore)
	}
	if _, err := leaf.Verify(cert.VerifyOptions{
		Roots: []*cert.Certificate{root.Certificate()}, Intermediates: sub.Chain()[:0], CurrentTime: clock.Now(),
	}); err == nil {
		t.Error("verified without the intermediate")
	}
	if _, err := leaf.Verify(cert.VerifyOptions{
		Roots: []*cert.Certificate{root.Certificate()}, Intermediates: []*cert.Certificate{sub.Certificate()}, CurrentTime: clock.Now(),
	}); err != nil {
		t.Error(err)
	}
}
