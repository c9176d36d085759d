package cert

import (
	"bytes"
	"encoding/asn1"
	"fmt"
	"time"
)

// VerifyOptions are the inputs of Certificate.Verify.
type VerifyOptions struct {
	// Roots are the trust anchors. Their own signatures are not checked;
	// their validity, basicConstraints, keyUsage and pathLenConstraint are.
	Roots []*Certificate
	// Intermediates are further certificates to build the chain from.
	Intermediates []*Certificate
	// CurrentTime is the time to check validity at; zero means time.Now().
	CurrentTime time.Time
	// KeyUsages lists the extended key usages the leaf must all have if it
	// has an extKeyUsage extension (anyExtendedKeyUsage has them all); empty
	// means any.
	KeyUsages []asn1.ObjectIdentifier
}

// maxChainLength bounds the chains Verify builds.
const maxChainLength = 16

// Verify builds a chain from c to one of opts.Roots through
// opts.Intermediates and checks every link: the signature, the validity of
// every certificate at CurrentTime (the root's too), basicConstraints cA on
// every issuer, pathLenConstraint, keyCertSign on every issuer that has a
// keyUsage, and name chaining. Issuers are chosen by name, then tried with a
// matching authority/subject key identifier first. It returns the chain,
// leaf first and root last. A certificate that is itself one of the roots
// (the same DER) verifies as a chain of one.
//
// Errors are *CertificateInvalidError: for the leaf (validity, extended key
// usage, UnknownAuthority when no issuer has its issuer name), or the first
// failure met while trying the candidate issuers.
func (c *Certificate) Verify(opts VerifyOptions) ([]*Certificate, error) {
	now := opts.CurrentTime
	if now.IsZero() {
		now = time.Now()
	}
	if err := checkValidity(c, now); err != nil {
		return nil, err
	}
	for _, root := range opts.Roots {
		if root != nil && len(c.Raw) > 0 && bytes.Equal(root.Raw, c.Raw) {
			return []*Certificate{c}, nil
		}
	}
	if err := checkExtKeyUsage(c, opts.KeyUsages); err != nil {
		return nil, err
	}
	v := verifier{opts: &opts, now: now}
	return v.extend([]*Certificate{c})
}

func checkValidity(c *Certificate, now time.Time) error {
	switch {
	case now.Before(c.NotBefore):
		return invalid(c, NotYetValid, fmt.Sprintf("current time %s is before %s", now.UTC().Format(time.RFC3339), c.NotBefore.UTC().Format(time.RFC3339)), nil)
	case now.After(c.NotAfter):
		return invalid(c, Expired, fmt.Sprintf("current time %s is after %s", now.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339)), nil)
	}
	return nil
}

func checkExtKeyUsage(c *Certificate, want []asn1.ObjectIdentifier) error {
	if len(want) == 0 || (len(c.ExtKeyUsage) == 0 && findExtension(c.Extensions, oidExtExtKeyUsage) == nil) {
		return nil
	}
	has := func(oid asn1.ObjectIdentifier) bool {
		for _, eku := range c.ExtKeyUsage {
			if eku.Equal(oid) || eku.Equal(oidExtKeyUsageAny) {
				return true
			}
		}
		return false
	}
	for _, oid := range want {
		if !has(oid) {
			return invalid(c, IncompatibleUsage, fmt.Sprintf("extended key usage lacks %s", oid), nil)
		}
	}
	return nil
}

type verifier struct {
	opts *VerifyOptions
	now  time.Time
}

// candidate is a possible issuer and whether it is a trust anchor.
type candidate struct {
	cert *Certificate
	root bool
}

// candidates returns the roots and intermediates whose subject is c's issuer
// name, those whose subjectKeyIdentifier matches c's authorityKeyIdentifier
// first, roots before intermediates, skipping certificates already in chain.
func (v *verifier) candidates(c *Certificate, chain []*Certificate) []candidate {
	issuer, err := c.issuerDER()
	if err != nil {
		return nil
	}
	var matched, others []candidate
	consider := func(list []*Certificate, root bool) {
		for _, p := range list {
			if p == nil {
				continue
			}
			subject, err := p.subjectDER()
			if err != nil || !bytes.Equal(subject, issuer) || inChain(p, chain) {
				continue
			}
			if len(c.AuthorityKeyId) > 0 && bytes.Equal(c.AuthorityKeyId, p.SubjectKeyId) {
				matched = append(matched, candidate{p, root})
			} else {
				others = append(others, candidate{p, root})
			}
		}
	}
	consider(v.opts.Roots, true)
	consider(v.opts.Intermediates, false)
	return append(matched, others...)
}

func inChain(p *Certificate, chain []*Certificate) bool {
	for _, c := range chain {
		if c == p || (len(p.Raw) > 0 && bytes.Equal(c.Raw, p.Raw)) {
			return true
		}
	}
	return false
}

// extend finds an issuer for the last certificate of chain and recurses
// until a root is reached.
func (v *verifier) extend(chain []*Certificate) ([]*Certificate, error) {
	c := chain[len(chain)-1]
	cands := v.candidates(c, chain)
	if len(cands) == 0 {
		name := "?"
		if n, err := c.issuerName(); err == nil {
			name = n
		}
		return nil, invalid(c, UnknownAuthority, fmt.Sprintf("no certificate for issuer %q among the roots and intermediates", name), nil)
	}
	var firstErr error
	for _, cand := range cands {
		err := v.checkIssuer(chain, cand.cert)
		if err == nil {
			next := append(chain[:len(chain):len(chain)], cand.cert)
			if cand.root {
				return next, nil
			}
			if len(next) >= maxChainLength {
				err = invalid(c, TooManyIntermediates, fmt.Sprintf("chain longer than %d certificates", maxChainLength), nil)
			} else {
				var full []*Certificate
				if full, err = v.extend(next); err == nil {
					return full, nil
				}
			}
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}

// checkIssuer checks that p may issue, and did issue, the last certificate
// of chain.
func (v *verifier) checkIssuer(chain []*Certificate, p *Certificate) error {
	c := chain[len(chain)-1]
	if err := c.CheckSignatureFrom(p); err != nil {
		return err
	}
	if err := checkValidity(p, v.now); err != nil {
		return err
	}
	if p.MaxPathLen >= 0 && (p.MaxPathLen > 0 || p.MaxPathLenZero) {
		// Intermediates below p, not counting self-issued ones (RFC 5280
		// §4.2.1.9).
		n := 0
		for _, x := range chain[1:] {
			if !bytes.Equal(x.RawSubject, x.RawIssuer) || len(x.RawSubject) == 0 {
				n++
			}
		}
		if n > p.MaxPathLen {
			return invalid(p, TooManyIntermediates, fmt.Sprintf("pathLenConstraint %d, but %d intermediates follow", p.MaxPathLen, n), nil)
		}
	}
	return nil
}

func (c *Certificate) issuerName() (string, error) {
	if len(c.RawIssuer) > 0 {
		n, err := ParseName(c.RawIssuer)
		if err != nil {
			return "", err
		}
		return n.String(), nil
	}
	return c.Issuer.String(), nil
}
