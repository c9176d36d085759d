package cert

import (
	"fmt"
	"strings"
)

// InvalidReason says why a certificate, or a signature made by it, was
// refused.
type InvalidReason int

const (
	// NotAuthorizedToSign: the issuer is not a CA, or its keyUsage lacks
	// keyCertSign (for certificates) or cRLSign (for CRLs).
	NotAuthorizedToSign InvalidReason = iota
	// Expired: the current time is after NotAfter.
	Expired
	// NotYetValid: the current time is before NotBefore.
	NotYetValid
	// TooManyIntermediates: a pathLenConstraint is exceeded.
	TooManyIntermediates
	// BadSignature: the signature does not verify.
	BadSignature
	// NameMismatch: the issuer name is not byte for byte the issuer's subject.
	NameMismatch
	// IncompatibleUsage: the leaf's extended key usage does not allow the
	// requested use.
	IncompatibleUsage
	// UnknownAuthority: no issuer was found among the roots and
	// intermediates.
	UnknownAuthority
)

// String returns the reason in words.
func (r InvalidReason) String() string {
	switch r {
	case NotAuthorizedToSign:
		return "not authorized to sign"
	case Expired:
		return "expired"
	case NotYetValid:
		return "not yet valid"
	case TooManyIntermediates:
		return "too many intermediates"
	case BadSignature:
		return "bad signature"
	case NameMismatch:
		return "issuer name mismatch"
	case IncompatibleUsage:
		return "incompatible extended key usage"
	case UnknownAuthority:
		return "unknown authority"
	}
	return fmt.Sprintf("invalid reason %d", int(r))
}

// CertificateInvalidError reports a certificate that failed a check of
// CheckSignatureFrom or Verify (or an issuer refused by
// RevocationList.CheckSignatureFrom). Callers branch on Reason with
// errors.As.
type CertificateInvalidError struct {
	Cert   *Certificate // the certificate that failed
	Reason InvalidReason
	Detail string
	Err    error // underlying cause (e.g. from gost3410), may be nil
}

// Error names the certificate by subject and serial, then gives the reason.
func (e *CertificateInvalidError) Error() string {
	var sb strings.Builder
	sb.WriteString("cert: certificate ")
	if e.Cert == nil {
		sb.WriteString("<nil>")
	} else {
		fmt.Fprintf(&sb, "%q (serial ", e.Cert.Subject.String())
		if e.Cert.SerialNumber == nil {
			sb.WriteString("none)")
		} else {
			fmt.Fprintf(&sb, "%#x)", e.Cert.SerialNumber)
		}
	}
	sb.WriteString(": ")
	sb.WriteString(e.Reason.String())
	if e.Detail != "" {
		sb.WriteString(": ")
		sb.WriteString(e.Detail)
	}
	if e.Err != nil {
		sb.WriteString(": ")
		sb.WriteString(e.Err.Error())
	}
	return sb.String()
}

// Unwrap returns the underlying cause.
func (e *CertificateInvalidError) Unwrap() error { return e.Err }

func invalid(c *Certificate, reason InvalidReason, detail string, err error) error {
	return &CertificateInvalidError{Cert: c, Reason: reason, Detail: detail, Err: err}
}
