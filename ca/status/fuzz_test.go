package status_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/ca/status"
	"github.com/gostca/gostca/crypto/cert"
)

// FuzzParseCRL checks that ParseCRL and Check never panic, and that a
// CRL they accept is a full CRL whose signature the root's key verifies.
func FuzzParseCRL(f *testing.F) {
	clock := catest.NewClock(t0)
	root := catest.NewRoot(f, catest.WithClock(clock))
	leaf, _ := issueLeaf(f, root, "leaf", ca.ProfileSignature)
	if err := root.Revoke(leaf.SerialNumber, cert.ReasonKeyCompromise, time.Time{}); err != nil {
		f.Fatal(err)
	}
	full := makeCRL(f, root, false)
	for _, seed := range [][]byte{full, pemCRL(full), makeCRL(f, root, true), nil, []byte("-----BEGIN X509 CRL-----\n")} {
		f.Add(seed)
	}
	rootCert := root.Certificate()
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := status.ParseCRL(data, &status.CRLOptions{Clock: clock.Now})
		if err != nil {
			return
		}
		if s.List() == nil || s.List().BaseCRLNumber != nil {
			t.Fatal("accepted a delta CRL, or kept no list")
		}
		res, err := s.Check(context.Background(), leaf, rootCert)
		if err != nil {
			return
		}
		if !bytes.Equal(s.List().RawTBSRevocationList, must(t, full).RawTBSRevocationList) {
			t.Fatal("a CRL the root did not sign passed Check")
		}
		if res.State != ca.StateRevoked {
			t.Fatalf("the root's CRL answered %v", res.State)
		}
	})
}

func must(t *testing.T, der []byte) *cert.RevocationList {
	rl, err := cert.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	return rl
}
