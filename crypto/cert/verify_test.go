package cert

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"github.com/gostca/gostca/internal/testkit"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/crypto/gost3410"
)

func TestVerifyGoodChain(t *testing.T) {
	testkit.ForEachParams(t, testParamSets(), func(t *testing.T, params *gost3410.Params) {
		root, rootKey := newTestCA(t, params)
		inter, interKey := newTestIntermediate(t, root, rootKey, params, "Intermediate", func(c *Certificate) {
			c.MaxPathLen, c.MaxPathLenZero = 0, true
		})
		leaf, _ := newTestLeaf(t, inter, interKey, params, func(c *Certificate) {
			c.ExtKeyUsage = []asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth(), OIDExtKeyUsageEmailProtection()}
		})
		decoy, _ := newTestIntermediate(t, root, rootKey, params, "Decoy", nil)
		opts := VerifyOptions{
			Roots:         []*Certificate{root},
			Intermediates: []*Certificate{decoy, inter},
			CurrentTime:   refNow,
			KeyUsages:     []asn1.ObjectIdentifier{OIDExtKeyUsageEmailProtection()},
		}
		chain, err := leaf.Verify(opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(chain) != 3 || chain[0] != leaf || chain[1] != inter || chain[2] != root {
			t.Errorf("chain %v", chain)
		}
		chain, err = root.Verify(opts)
		if err != nil || len(chain) != 1 || chain[0] != root {
			t.Errorf("root alone: %v, %v", chain, err)
		}
		chain, err = inter.Verify(opts)
		if err != nil || len(chain) != 2 {
			t.Errorf("intermediate: %v, %v", chain, err)
		}
	})
}

func TestVerifyErrors(t *testing.T) {
	params := gost3410.ParamsTC26256A()
	root, rootKey := newTestCA(t, params)
	inter, interKey := newTestIntermediate(t, root, rootKey, params, "Intermediate", nil)
	leaf, _ := newTestLeaf(t, inter, interKey, params, func(c *Certificate) {
		c.ExtKeyUsage = []asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth()}
	})

	// Another CA with the intermediate's name but another key.
	impostor, _ := newTestIntermediate(t, root, rootKey, params, "Intermediate", nil)
	// Another CA with another name.
	stranger, _ := newTestIntermediate(t, root, rootKey, params, "Stranger", nil)

	tampered := *leaf
	tampered.Signature = bytes.Clone(leaf.Signature)
	tampered.Signature[3] ^= 0x10

	expiredLeaf, _ := newTestLeaf(t, inter, interKey, params, func(c *Certificate) {
		c.NotBefore, c.NotAfter = refNow.AddDate(-2, 0, 0), refNow.AddDate(-1, 0, 0)
	})
	futureLeaf, _ := newTestLeaf(t, inter, interKey, params, func(c *Certificate) {
		c.NotBefore, c.NotAfter = refNow.Add(time.Hour), refNow.AddDate(1, 0, 0)
	})
	expiredInter, expiredInterKey := newTestIntermediate(t, root, rootKey, params, "Expired CA", func(c *Certificate) {
		c.NotBefore, c.NotAfter = refNow.AddDate(-3, 0, 0), refNow.AddDate(0, 0, -1)
	})
	leafOfExpired, _ := newTestLeaf(t, expiredInter, expiredInterKey, params, func(c *Certificate) {
		c.NotBefore = refNow.AddDate(-2, 0, 0)
	})
	noCertSign, noCertSignKey := newTestIntermediate(t, root, rootKey, params, "No keyCertSign", func(c *Certificate) {
		c.KeyUsage = 0x80 // decipherOnly, not keyCertSign
	})
	// CreateCertificate refuses such a parent, so fake the flags of a
	// real CA after parsing to sign with it, then restore them.
	leafOfNoCertSign := issueWithForcedParent(t, noCertSign, noCertSignKey, params)
	notCA, notCAKey := newTestIntermediate(t, root, rootKey, params, "Not a CA", func(c *Certificate) {
		c.IsCA, c.MaxPathLen = false, 0
	})
	leafOfNotCA := issueWithForcedParent(t, notCA, notCAKey, params)

	pathLenZero, pathLenZeroKey := newTestIntermediate(t, root, rootKey, params, "Path length 0", func(c *Certificate) {
		c.MaxPathLen, c.MaxPathLenZero = 0, true
	})
	below, belowKey := newTestIntermediate(t, pathLenZero, pathLenZeroKey, params, "Below path length 0", nil)
	leafBelow, _ := newTestLeaf(t, below, belowKey, params, nil)

	expiredRoot, expiredRootKey := newTestIntermediate(t, root, rootKey, params, "Expired root", func(c *Certificate) {
		c.NotBefore, c.NotAfter = refNow.AddDate(-3, 0, 0), refNow.AddDate(0, 0, -1)
	})
	leafOfExpiredRoot, _ := newTestLeaf(t, expiredRoot, expiredRootKey, params, func(c *Certificate) {
		c.NotBefore = refNow.AddDate(-2, 0, 0)
	})

	roots := []*Certificate{root}
	tests := []struct {
		name          string
		cert          *Certificate
		roots         []*Certificate
		intermediates []*Certificate
		ekus          []asn1.ObjectIdentifier
		reason        InvalidReason
		failing       *Certificate // the certificate the error names
	}{
		{"tampered signature", &tampered, roots, []*Certificate{inter}, nil, BadSignature, &tampered},
		{"same issuer name, other key", leaf, roots, []*Certificate{impostor}, nil, BadSignature, leaf},
		{"other issuer name", leaf, roots, []*Certificate{stranger}, nil, UnknownAuthority, leaf},
		{"no intermediates", leaf, roots, nil, nil, UnknownAuthority, leaf},
		{"expired leaf", expiredLeaf, roots, []*Certificate{inter}, nil, Expired, expiredLeaf},
		{"expired intermediate", leafOfExpired, roots, []*Certificate{expiredInter}, nil, Expired, expiredInter},
		{"expired root", leafOfExpiredRoot, []*Certificate{expiredRoot}, nil, nil, Expired, expiredRoot},
		{"leaf not yet valid", futureLeaf, roots, []*Certificate{inter}, nil, NotYetValid, futureLeaf},
		{"issuer without keyCertSign", leafOfNoCertSign, roots, []*Certificate{noCertSign}, nil, NotAuthorizedToSign, leafOfNoCertSign},
		{"issuer not a CA", leafOfNotCA, roots, []*Certificate{notCA}, nil, NotAuthorizedToSign, leafOfNotCA},
		{"path too long", leafBelow, roots, []*Certificate{pathLenZero, below}, nil, TooManyIntermediates, pathLenZero},
		{"EKU mismatch", leaf, roots, []*Certificate{inter}, []asn1.ObjectIdentifier{OIDExtKeyUsageServerAuth()}, IncompatibleUsage, leaf},
		{"EKU one of two missing", leaf, roots, []*Certificate{inter},
			[]asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth(), OIDExtKeyUsageCodeSigning()}, IncompatibleUsage, leaf},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chain, err := tt.cert.Verify(VerifyOptions{Roots: tt.roots, Intermediates: tt.intermediates, CurrentTime: refNow, KeyUsages: tt.ekus})
			var invalid *CertificateInvalidError
			if !errors.As(err, &invalid) {
				t.Fatalf("Verify = %v, %v; want a *CertificateInvalidError", chain, err)
			}
			if invalid.Reason != tt.reason {
				t.Errorf("reason %v, want %v (%v)", invalid.Reason, tt.reason, err)
			}
			if invalid.Cert != tt.failing {
				t.Errorf("error names %q, want %q", invalid.Cert.Subject.String(), tt.failing.Subject.String())
			}
			if !strings.HasPrefix(err.Error(), "cert: certificate \"") || !strings.Contains(err.Error(), tt.reason.String()) {
				t.Errorf("message %q", err)
			}
		})
	}

	t.Run("EKU satisfied and absent", func(t *testing.T) {
		noEKU, _ := newTestLeaf(t, inter, interKey, params, nil)
		anyEKU, _ := newTestLeaf(t, inter, interKey, params, func(c *Certificate) {
			c.ExtKeyUsage = []asn1.ObjectIdentifier{OIDExtKeyUsageAny()}
		})
		for _, c := range []*Certificate{noEKU, anyEKU} {
			if _, err := c.Verify(VerifyOptions{Roots: roots, Intermediates: []*Certificate{inter}, CurrentTime: refNow,
				KeyUsages: []asn1.ObjectIdentifier{OIDExtKeyUsageServerAuth()}}); err != nil {
				t.Error(err)
			}
		}
	})

	t.Run("unwrap", func(t *testing.T) {
		err := tampered.CheckSignatureFrom(inter)
		var invalid *CertificateInvalidError
		if !errors.As(err, &invalid) || invalid.Reason != BadSignature || !errors.Is(err, gost3410.ErrInvalidSignature) {
			t.Errorf("CheckSignatureFrom = %v, want BadSignature wrapping gost3410.ErrInvalidSignature", err)
		}
		if err := leaf.CheckSignatureFrom(root); !errors.As(err, &invalid) || invalid.Reason != NameMismatch {
			t.Errorf("CheckSignatureFrom(root) = %v, want NameMismatch", err)
		}
	})
}

// issueWithForcedParent issues a leaf from parent, a certificate that may
// not issue: a copy of it is dressed as a plain CA for CreateCertificate.
func issueWithForcedParent(t *testing.T, parent *Certificate, parentKey *gost3410.PrivateKey, params *gost3410.Params) *Certificate {
	t.Helper()
	forced := *parent
	forced.BasicConstraintsValid, forced.IsCA, forced.KeyUsage, forced.Extensions = true, true, 0, nil
	leaf, _ := newTestLeaf(t, &forced, parentKey, params, nil)
	return leaf
}

func TestInvalidReasonString(t *testing.T) {
	seen := map[string]bool{}
	for r := NotAuthorizedToSign; r <= UnknownAuthority; r++ {
		s := r.String()
		if s == "" || seen[s] || strings.HasPrefix(s, "invalid reason") {
			t.Errorf("%d: %q", int(r), s)
		}
		seen[s] = true
	}
}
