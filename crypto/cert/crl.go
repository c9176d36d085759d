package cert

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ReasonCode is the CRL entry reasonCode of RFC 5280 §5.3.1.
type ReasonCode int

// The reason codes of RFC 5280 §5.3.1 (7 is not used).
const (
	ReasonUnspecified          ReasonCode = 0 // never encoded: no reasonCode extension
	ReasonKeyCompromise        ReasonCode = 1
	ReasonCACompromise         ReasonCode = 2
	ReasonAffiliationChanged   ReasonCode = 3
	ReasonSuperseded           ReasonCode = 4
	ReasonCessationOfOperation ReasonCode = 5
	ReasonCertificateHold      ReasonCode = 6
	ReasonRemoveFromCRL        ReasonCode = 8 // only in a delta CRL
	ReasonPrivilegeWithdrawn   ReasonCode = 9
	ReasonAACompromise         ReasonCode = 10
)

// String returns the RFC 5280 name of the reason.
func (r ReasonCode) String() string {
	switch r {
	case ReasonUnspecified:
		return "unspecified"
	case ReasonKeyCompromise:
		return "keyCompromise"
	case ReasonCACompromise:
		return "cACompromise"
	case ReasonAffiliationChanged:
		return "affiliationChanged"
	case ReasonSuperseded:
		return "superseded"
	case ReasonCessationOfOperation:
		return "cessationOfOperation"
	case ReasonCertificateHold:
		return "certificateHold"
	case ReasonRemoveFromCRL:
		return "removeFromCRL"
	case ReasonPrivilegeWithdrawn:
		return "privilegeWithdrawn"
	case ReasonAACompromise:
		return "aACompromise"
	}
	return fmt.Sprintf("reason(%d)", int(r))
}

func (r ReasonCode) valid() bool { return r >= 0 && r <= 10 && r != 7 }

// RevocationEntry is one revoked certificate of a CRL.
type RevocationEntry struct {
	SerialNumber   *big.Int
	RevocationTime time.Time
	ReasonCode     ReasonCode // ReasonUnspecified = no reasonCode extension
	InvalidityDate time.Time  // zero = absent; GeneralizedTime
	// Extensions holds every entry extension, when parsing. It is ignored
	// when creating.
	Extensions []pkix.Extension
}

// RevocationList is a v2 CRL (RFC 5280 §5). It is both the template of
// CreateRevocationList and the result of ParseRevocationList.
type RevocationList struct {
	Raw                  []byte // set by parsing
	RawTBSRevocationList []byte // set by parsing
	RawIssuer            []byte // set by parsing

	Issuer             Name
	SignatureAlgorithm SignatureAlgorithm
	Signature          []byte
	ThisUpdate         time.Time
	NextUpdate         time.Time // required when creating
	// Number is the cRLNumber, required when creating: ≥ 0, at most 20
	// octets.
	Number *big.Int
	// BaseCRLNumber is the deltaCRLIndicator (critical): set for a delta
	// CRL, nil for a full CRL.
	BaseCRLNumber  *big.Int
	AuthorityKeyId []byte
	// Entries are the revoked certificates, when parsing (CreateRevocationList
	// takes them as a sequence).
	Entries []RevocationEntry
	// Extensions holds every CRL extension, when parsing.
	Extensions []pkix.Extension
	// ExtraExtensions are added when creating; one with the OID of an
	// extension the fields would write replaces it.
	ExtraExtensions []pkix.Extension
}

func checkCRLNumber(n *big.Int, what string) error {
	switch {
	case n.Sign() < 0:
		return fmt.Errorf("cert: %s %v is negative", what, n)
	case derIntLen(n) > maxSerialOctets:
		return fmt.Errorf("cert: %s is longer than %d octets", what, maxSerialOctets)
	}
	return nil
}

// CreateRevocationList builds a v2 CRL from template with the entries of
// the sequence entries, signs it with signer on behalf of issuer and returns
// its DER. entries is ranged twice, and must give the same entries both
// times (a slice through slices.Values, or a cursor over one read
// transaction of a ledger): the first pass checks the entries and sizes the
// CRL, the second writes them into one buffer of exactly its final size, so
// that a CRL of a million entries is made without any per-entry allocation
// and with the CRL itself as the peak memory.
//
// The CRL's issuer is issuer.RawSubject (or issuer.Subject marshalled); its
// authorityKeyIdentifier is issuer.SubjectKeyId (else
// template.AuthorityKeyId; omitted if both are empty). issuer's keyUsage, if
// any, must include cRLSign, and signer must hold issuer.PublicKey when that
// is set. An entry's reasonCode is written only when not
// ReasonUnspecified, its invalidityDate only when set; revokedCertificates
// is omitted when there are no entries.
//
// It fails for a missing Number or NextUpdate, a zero ThisUpdate, NextUpdate
// not after ThisUpdate, a BaseCRLNumber not below Number, and an entry with a
// nil or non-positive serial, a zero RevocationTime, an unknown reason, or
// ReasonRemoveFromCRL in a full CRL.
func CreateRevocationList(rand io.Reader, template *RevocationList, entries iter.Seq[RevocationEntry], issuer *Certificate, signer crypto.Signer) ([]byte, error) {
	if template == nil || issuer == nil {
		return nil, errors.New("cert: nil CRL template or issuer")
	}
	pub, alg, err := signerKey(signer)
	if err != nil {
		return nil, err
	}
	if issuer.PublicKey != nil && !issuer.PublicKey.Equal(pub) {
		return nil, errors.New("cert: the signer does not hold the CRL issuer's key")
	}
	if issuer.hasKeyUsage() && issuer.KeyUsage&x509.KeyUsageCRLSign == 0 {
		return nil, errors.New("cert: the CRL issuer's key usage lacks cRLSign")
	}
	if template.Number == nil {
		return nil, errors.New("cert: CRL without a Number")
	}
	if err := checkCRLNumber(template.Number, "CRL number"); err != nil {
		return nil, err
	}
	delta := template.BaseCRLNumber != nil
	if delta {
		if err := checkCRLNumber(template.BaseCRLNumber, "base CRL number"); err != nil {
			return nil, err
		}
		if template.BaseCRLNumber.Cmp(template.Number) >= 0 {
			return nil, errors.New("cert: delta CRL number is not above its base CRL number")
		}
	}
	if template.ThisUpdate.IsZero() {
		return nil, errors.New("cert: CRL without ThisUpdate")
	}
	if template.NextUpdate.IsZero() {
		return nil, errors.New("cert: CRL without NextUpdate")
	}
	if !template.NextUpdate.After(template.ThisUpdate) {
		return nil, errors.New("cert: CRL NextUpdate is not after ThisUpdate")
	}
	issuerName, err := issuer.subjectDER()
	if err != nil {
		return nil, fmt.Errorf("cert: CRL issuer name: %w", err)
	}

	var eb extensionBuilder
	aki := template.AuthorityKeyId
	if len(issuer.SubjectKeyId) > 0 {
		aki = issuer.SubjectKeyId
	}
	if len(aki) > 0 {
		v, err := marshalAuthorityKeyID(aki)
		eb.add(oidExtAuthorityKeyID, false, v, err)
	}
	v, err := build(func(b *cryptobyte.Builder) { b.AddASN1BigInt(template.Number) })
	eb.add(oidExtCRLNumber, false, v, err)
	if delta {
		v, err := build(func(b *cryptobyte.Builder) { b.AddASN1BigInt(template.BaseCRLNumber) })
		eb.add(oidExtDeltaCRLIndicator, true, v, err)
	}
	exts, err := eb.finish(template.ExtraExtensions)
	if err != nil {
		return nil, err
	}

	head, err := build(func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1) // v2
		addAlgorithm(b, alg)
		b.AddBytes(issuerName)
		addTime(b, template.ThisUpdate)
		addTime(b, template.NextUpdate)
	})
	if err != nil {
		return nil, fmt.Errorf("cert: encoding CRL: %w", err)
	}
	tail, err := build(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			addExtensions(b, exts)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("cert: encoding CRL: %w", err)
	}
	return writeCRL(rand, signer, pub, alg, head, entries, delta, tail)
}

// ParseRevocationList parses a DER v2 CRL. crypto/x509 reads the structure,
// the entries, cRLNumber and authorityKeyIdentifier; this package reads the
// signature algorithm, the issuer name, deltaCRLIndicator and the entries'
// invalidity dates. The signature is not verified: call CheckSignatureFrom.
func ParseRevocationList(der []byte) (*RevocationList, error) {
	outer, err := readSigned(der, "CRL")
	if err != nil {
		return nil, err
	}
	xl, err := x509.ParseRevocationList(der)
	if err != nil {
		return nil, fmt.Errorf("cert: parsing CRL: %w", err)
	}
	rl := &RevocationList{
		Raw:                  xl.Raw,
		RawTBSRevocationList: xl.RawTBSRevocationList,
		RawIssuer:            xl.RawIssuer,
		SignatureAlgorithm:   outer.algorithm,
		Signature:            outer.signature,
		ThisUpdate:           xl.ThisUpdate,
		NextUpdate:           xl.NextUpdate,
		Number:               xl.Number,
		AuthorityKeyId:       xl.AuthorityKeyId,
		Extensions:           xl.Extensions,
	}
	issuer, err := ParseName(rl.RawIssuer)
	if err != nil {
		return nil, fmt.Errorf("cert: CRL issuer: %w", err)
	}
	rl.Issuer = *issuer
	if e := findExtension(rl.Extensions, oidExtDeltaCRLIndicator); e != nil {
		s := cryptobyte.String(e.Value)
		rl.BaseCRLNumber = new(big.Int)
		if !s.ReadASN1Integer(rl.BaseCRLNumber) || !s.Empty() {
			return nil, errors.New("cert: malformed delta CRL indicator")
		}
	}
	if len(xl.RevokedCertificateEntries) > 0 {
		rl.Entries = make([]RevocationEntry, len(xl.RevokedCertificateEntries))
	}
	for i, xe := range xl.RevokedCertificateEntries {
		e := &rl.Entries[i]
		e.SerialNumber = xe.SerialNumber
		e.RevocationTime = xe.RevocationTime
		e.ReasonCode = ReasonCode(xe.ReasonCode)
		e.Extensions = xe.Extensions
		if x := findExtension(e.Extensions, oidExtInvalidityDate); x != nil {
			s := cryptobyte.String(x.Value)
			if !s.ReadASN1GeneralizedTime(&e.InvalidityDate) || !s.Empty() {
				return nil, fmt.Errorf("cert: malformed invalidity date in CRL entry %#x", e.SerialNumber)
			}
		}
	}
	return rl, nil
}

// CheckSignatureFrom checks that issuer signed rl: rl's issuer name must be
// byte for byte issuer's subject, issuer's keyUsage, if present, must
// include cRLSign, and the signature must verify with issuer's key. Errors
// are *CertificateInvalidError naming issuer.
func (rl *RevocationList) CheckSignatureFrom(issuer *Certificate) error {
	if issuer == nil {
		return invalid(nil, UnknownAuthority, "no CRL issuer", nil)
	}
	name, err1 := issuer.subjectDER()
	raw := rl.RawIssuer
	var err2 error
	if len(raw) == 0 {
		raw, err2 = rl.Issuer.Marshal()
	}
	if err1 != nil || err2 != nil || !bytes.Equal(raw, name) {
		return invalid(issuer, NameMismatch, "the CRL's issuer name is not this certificate's subject", errors.Join(err1, err2))
	}
	if issuer.hasKeyUsage() && issuer.KeyUsage&x509.KeyUsageCRLSign == 0 {
		return invalid(issuer, NotAuthorizedToSign, "key usage lacks cRLSign", nil)
	}
	if len(rl.RawTBSRevocationList) == 0 {
		return invalid(issuer, BadSignature, "CRL was not parsed (no RawTBSRevocationList)", nil)
	}
	if err := verifySignature(issuer.PublicKey, rl.SignatureAlgorithm, rl.RawTBSRevocationList, rl.Signature); err != nil {
		return invalid(issuer, BadSignature, "CRL signature does not verify", err)
	}
	return nil
}
