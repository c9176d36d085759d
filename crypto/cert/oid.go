package cert

import (
	"encoding/asn1"
)

// SignatureAlgorithm names the GOST signature algorithm of an object.
type SignatureAlgorithm int

const (
	// UnknownSignatureAlgorithm is any algorithm other than the two below.
	UnknownSignatureAlgorithm SignatureAlgorithm = iota
	// GOST256 is GOST R 34.10-2012 with a 256-bit key over Streebog-256,
	// id-tc26-signwithdigest-gost3410-12-256, 1.2.643.7.1.1.3.2.
	GOST256
	// GOST512 is GOST R 34.10-2012 with a 512-bit key over Streebog-512,
	// id-tc26-signwithdigest-gost3410-12-512, 1.2.643.7.1.1.3.3.
	GOST512
)

// String returns the constant's name: "GOST256", "GOST512" or
// "UnknownSignatureAlgorithm".
func (a SignatureAlgorithm) String() string {
	switch a {
	case GOST256:
		return "GOST256"
	case GOST512:
		return "GOST512"
	}
	return "UnknownSignatureAlgorithm"
}

// keySize returns the key (and digest) size in bytes of a, or 0.
func (a SignatureAlgorithm) keySize() int {
	switch a {
	case GOST256:
		return 32
	case GOST512:
		return 64
	}
	return 0
}

// oid returns the algorithm's OID (nil for UnknownSignatureAlgorithm).
func (a SignatureAlgorithm) oid() asn1.ObjectIdentifier {
	switch a {
	case GOST256:
		return oidSignGOST256
	case GOST512:
		return oidSignGOST512
	}
	return nil
}

// The OIDs are package-private variables; exported accessors return copies.
var (
	oidSignGOST256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 2}
	oidSignGOST512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 3}

	// Extensions (RFC 5280 §4.2, §5.2, §5.3).
	oidExtSubjectKeyID         = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidExtKeyUsage             = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtPrivateKeyUsage      = asn1.ObjectIdentifier{2, 5, 29, 16}
	oidExtSubjectAltName       = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidExtBasicConstraints     = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidExtCRLNumber            = asn1.ObjectIdentifier{2, 5, 29, 20}
	oidExtInvalidityDate       = asn1.ObjectIdentifier{2, 5, 29, 24}
	oidExtDeltaCRLIndicator    = asn1.ObjectIdentifier{2, 5, 29, 27}
	oidExtCRLDistribution      = asn1.ObjectIdentifier{2, 5, 29, 31}
	oidExtCertificatePolicies  = asn1.ObjectIdentifier{2, 5, 29, 32}
	oidExtAuthorityKeyID       = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidExtAuthorityKeyIDOld    = asn1.ObjectIdentifier{2, 5, 29, 1}
	oidExtExtKeyUsage          = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidExtAuthorityInfoAccess  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}
	oidAccessOCSP              = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1}
	oidAccessCAIssuers         = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 2}
	oidExtSubjectSignTool      = asn1.ObjectIdentifier{1, 2, 643, 100, 111}
	oidExtIssuerSignTool       = asn1.ObjectIdentifier{1, 2, 643, 100, 112}
	oidExtIdentificationKind   = asn1.ObjectIdentifier{1, 2, 643, 100, 114}
	oidAttributeExtensionReq   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 14}
	oidExtKeyUsageAny          = asn1.ObjectIdentifier{2, 5, 29, 37, 0}
	oidExtKeyUsageServerAuth   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}
	oidExtKeyUsageClientAuth   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}
	oidExtKeyUsageCodeSigning  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}
	oidExtKeyUsageEmailProtect = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4}
	oidExtKeyUsageTimeStamping = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	oidExtKeyUsageOCSPSigning  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 9}
	oidPolicyKCBase            = asn1.ObjectIdentifier{1, 2, 643, 100, 113}
)

func oidCopy(oid asn1.ObjectIdentifier) asn1.ObjectIdentifier {
	return append(asn1.ObjectIdentifier(nil), oid...)
}

func policyClass(n int) asn1.ObjectIdentifier {
	return append(oidCopy(oidPolicyKCBase), n)
}

// OIDExtKeyUsageAny returns anyExtendedKeyUsage, 2.5.29.37.0.
func OIDExtKeyUsageAny() asn1.ObjectIdentifier { return oidCopy(oidExtKeyUsageAny) }

// OIDExtKeyUsageServerAuth returns id-kp-serverAuth, 1.3.6.1.5.5.7.3.1.
func OIDExtKeyUsageServerAuth() asn1.ObjectIdentifier { return oidCopy(oidExtKeyUsageServerAuth) }

// OIDExtKeyUsageClientAuth returns id-kp-clientAuth, 1.3.6.1.5.5.7.3.2.
func OIDExtKeyUsageClientAuth() asn1.ObjectIdentifier { return oidCopy(oidExtKeyUsageClientAuth) }

// OIDExtKeyUsageCodeSigning returns id-kp-codeSigning, 1.3.6.1.5.5.7.3.3.
func OIDExtKeyUsageCodeSigning() asn1.ObjectIdentifier { return oidCopy(oidExtKeyUsageCodeSigning) }

// OIDExtKeyUsageEmailProtection returns id-kp-emailProtection,
// 1.3.6.1.5.5.7.3.4.
func OIDExtKeyUsageEmailProtection() asn1.ObjectIdentifier {
	return oidCopy(oidExtKeyUsageEmailProtect)
}

// OIDExtKeyUsageTimeStamping returns id-kp-timeStamping, 1.3.6.1.5.5.7.3.8.
func OIDExtKeyUsageTimeStamping() asn1.ObjectIdentifier {
	return oidCopy(oidExtKeyUsageTimeStamping)
}

// OIDExtKeyUsageOCSPSigning returns id-kp-OCSPSigning, 1.3.6.1.5.5.7.3.9.
func OIDExtKeyUsageOCSPSigning() asn1.ObjectIdentifier { return oidCopy(oidExtKeyUsageOCSPSigning) }

// OIDPolicyKC1 returns the policy of signature tools of class KC1,
// 1.2.643.100.113.1 (RFC 9215 §5.2).
func OIDPolicyKC1() asn1.ObjectIdentifier { return policyClass(1) }

// OIDPolicyKC2 returns the policy of signature tools of class KC2,
// 1.2.643.100.113.2.
func OIDPolicyKC2() asn1.ObjectIdentifier { return policyClass(2) }

// OIDPolicyKC3 returns the policy of signature tools of class KC3,
// 1.2.643.100.113.3.
func OIDPolicyKC3() asn1.ObjectIdentifier { return policyClass(3) }

// OIDPolicyKB1 returns the policy of signature tools of class KB1,
// 1.2.643.100.113.4.
func OIDPolicyKB1() asn1.ObjectIdentifier { return policyClass(4) }

// OIDPolicyKB2 returns the policy of signature tools of class KB2,
// 1.2.643.100.113.5.
func OIDPolicyKB2() asn1.ObjectIdentifier { return policyClass(5) }

// OIDPolicyKA1 returns the policy of signature tools of class KA1,
// 1.2.643.100.113.6.
func OIDPolicyKA1() asn1.ObjectIdentifier { return policyClass(6) }
