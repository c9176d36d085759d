package ca

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"slices"
	"time"

	"github.com/gostca/gostca/crypto/cert"
)

const day = 24 * time.Hour

// Profile names.
const (
	ProfileSignature  = "signature"
	ProfileEncryption = "encryption"
	ProfileAuth       = "auth"
	ProfileTLSServer  = "tls-server"
	ProfileOCSP       = "ocsp"
	ProfileSubCA      = "subca"
	ProfileQualified  = "qualified"
)

// profileRoot is the ledger profile of a CA's own self-signed certificate;
// it cannot be requested.
const profileRoot = "root"

// oidOCSPNoCheck is id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1).
var oidOCSPNoCheck = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}

// Profile is a kind of certificate the CA issues: what the certificate may
// be used for and for how long. The CA adds to every certificate the
// subject key identifier, the authority key identifier and the CRL
// distribution point and authorityInfoAccess URLs of its Config.
type Profile struct {
	Name        string
	Description string
	KeyUsage    x509.KeyUsage
	ExtKeyUsage []asn1.ObjectIdentifier
	// IsCA makes a CA certificate (basicConstraints cA) with the
	// pathLenConstraint MaxPathLen (0 is a limit of zero; -1 no limit).
	IsCA       bool
	MaxPathLen int
	// DefaultValidity is used when a request gives none (it is then clipped
	// to the CA's notAfter); a request may ask for at most MaxValidity.
	DefaultValidity, MaxValidity time.Duration
	// OCSPNoCheck adds id-pkix-ocsp-nocheck (1.3.6.1.5.5.7.48.1.5, NULL).
	OCSPNoCheck bool
	// NeedsDNSName refuses requests without a DNS subject alternative name.
	NeedsDNSName bool
	// Qualified applies FSB Order 795 (RFC 9215 §5): a Russian subject
	// with checked registration numbers, subjectSignTool, issuerSignTool,
	// identificationKind, the KC/KB/KA certificate policies and a
	// privateKeyUsagePeriod equal to the validity.
	Qualified bool
}

// profiles returns fresh copies of the built-in profiles.
func profiles() []Profile {
	return []Profile{
		{
			Name:            ProfileSignature,
			Description:     "electronic signature: digitalSignature, nonRepudiation",
			KeyUsage:        x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
			DefaultValidity: 365 * day,
			MaxValidity:     3 * 365 * day,
		},
		{
			Name:            ProfileEncryption,
			Description:     "key transport and agreement: keyEncipherment, keyAgreement",
			KeyUsage:        x509.KeyUsageKeyEncipherment | x509.KeyUsageKeyAgreement,
			DefaultValidity: 365 * day,
			MaxValidity:     3 * 365 * day,
		},
		{
			Name:            ProfileAuth,
			Description:     "client authentication: digitalSignature, EKU clientAuth",
			KeyUsage:        x509.KeyUsageDigitalSignature,
			ExtKeyUsage:     []asn1.ObjectIdentifier{cert.OIDExtKeyUsageClientAuth()},
			DefaultValidity: 365 * day,
			MaxValidity:     3 * 365 * day,
		},
		{
			Name:            ProfileTLSServer,
			Description:     "TLS server: digitalSignature, keyAgreement, EKU serverAuth, at least one DNS name",
			KeyUsage:        x509.KeyUsageDigitalSignature | x509.KeyUsageKeyAgreement,
			ExtKeyUsage:     []asn1.ObjectIdentifier{cert.OIDExtKeyUsageServerAuth()},
			DefaultValidity: 365 * day,
			MaxValidity:     398 * day,
			NeedsDNSName:    true,
		},
		{
			Name:            ProfileOCSP,
			Description:     "OCSP responder: digitalSignature, EKU OCSPSigning, ocsp-nocheck, short-lived",
			KeyUsage:        x509.KeyUsageDigitalSignature,
			ExtKeyUsage:     []asn1.ObjectIdentifier{cert.OIDExtKeyUsageOCSPSigning()},
			DefaultValidity: 30 * day,
			MaxValidity:     90 * day,
			OCSPNoCheck:     true,
		},
		{
			Name:            ProfileSubCA,
			Description:     "subordinate CA: cA, pathLen 0, keyCertSign, cRLSign",
			KeyUsage:        x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
			IsCA:            true,
			MaxPathLen:      0,
			DefaultValidity: 5 * 365 * day,
			MaxValidity:     20 * 365 * day,
		},
		{
			Name:        ProfileQualified,
			Description: "qualified electronic signature (FSB Order 795): digitalSignature, nonRepudiation",
			KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
			// A signing private key is usable for at most 15 months; the
			// privateKeyUsagePeriod equals the validity.
			DefaultValidity: 365 * day,
			MaxValidity:     456 * day,
			Qualified:       true,
		},
	}
}

// Profiles returns the built-in profiles, in a fixed order. The result is
// a copy that the caller may modify.
func Profiles() []Profile { return profiles() }

// ProfileByName returns the built-in profile called name, or an error
// wrapping ErrUnknownProfile.
func ProfileByName(name string) (Profile, error) {
	for _, p := range profiles() {
		if p.Name == name {
			return p, nil
		}
	}
	return Profile{}, reqErr(ErrUnknownProfile, "Profile", "no profile %q", name)
}

// keyClasses are the classes of signature tools, in increasing strength;
// certificatePolicies lists KC1 up to the subject's class (RFC 9215 §5.2).
var keyClasses = []string{"KC1", "KC2", "KC3", "KB1", "KB2", "KA1"}

// policiesFor returns the policy OIDs KC1 up to class.
func policiesFor(class string) ([]asn1.ObjectIdentifier, error) {
	n := slices.Index(keyClasses, class)
	if n < 0 {
		return nil, reqErr(ErrInvalidField, "KeyClass", "%q is not one of %v", class, keyClasses)
	}
	all := []func() asn1.ObjectIdentifier{
		cert.OIDPolicyKC1, cert.OIDPolicyKC2, cert.OIDPolicyKC3,
		cert.OIDPolicyKB1, cert.OIDPolicyKB2, cert.OIDPolicyKA1,
	}
	out := make([]asn1.ObjectIdentifier, n+1)
	for i := range out {
		out[i] = all[i]()
	}
	return out, nil
}

// classOf returns the strongest key class among policies, or "".
func classOf(policies []asn1.ObjectIdentifier) string {
	class := ""
	for i, f := range []func() asn1.ObjectIdentifier{
		cert.OIDPolicyKC1, cert.OIDPolicyKC2, cert.OIDPolicyKC3,
		cert.OIDPolicyKB1, cert.OIDPolicyKB2, cert.OIDPolicyKA1,
	} {
		oid := f()
		if slices.ContainsFunc(policies, oid.Equal) {
			class = keyClasses[i]
		}
	}
	return class
}

// checkProfileNames checks that every name is a built-in profile.
func checkProfileNames(names []string) error {
	for _, n := range names {
		if _, err := ProfileByName(n); err != nil {
			return fmt.Errorf("%w: Profiles: unknown profile %q", ErrInvalidConfig, n)
		}
	}
	return nil
}
