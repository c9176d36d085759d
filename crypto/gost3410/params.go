package gost3410

import (
	"encoding/asn1"
	"fmt"
	"strings"

	"github.com/gostca/gostca/crypto/internal/gostec"
)

// Params is a GOST R 34.10 parameter set: a curve named by an object
// identifier. Several parameter sets share a curve (CryptoPro-A, XchA and
// TC26 256 paramSetB, for instance) but keep their own OID, which is what a
// key's encoding names. Params values are immutable singletons: compare them
// with ==.
type Params struct {
	name    string
	aliases []string
	oid     asn1.ObjectIdentifier
	size    int // bytes of a coordinate: 32 or 64
	curve   func() *gostec.Curve
	// digestParam reports whether RFC 9215 §4.2 requires the digestParamSet
	// field in this set's public key parameters.
	digestParam bool
	test        bool
}

// Name returns the parameter set's short name, such as "cryptopro-a" or
// "tc26-512-c", accepted by [ParamsByName].
func (p *Params) Name() string { return p.name }

// ASN1Name returns the parameter set's name in the ASN.1 module of RFC 9215
// (App. A), such as "id-tc26-gost-3410-2012-256-paramSetA" or
// "id-GostR3410-2001-CryptoPro-A-ParamSet": the name to show people beside
// the OID. [ParamsByName] accepts it.
func (p *Params) ASN1Name() string { return p.aliases[0] }

// OID returns the parameter set's object identifier.
func (p *Params) OID() asn1.ObjectIdentifier {
	return append(asn1.ObjectIdentifier(nil), p.oid...)
}

// Size returns the size in bytes of a coordinate, a private key and a
// signature half: 32 for 256-bit sets, 64 for 512-bit sets. It is also the
// size of the Streebog digest that keys of this set sign.
func (p *Params) Size() int { return p.size }

// Bits returns 256 or 512.
func (p *Params) Bits() int { return 8 * p.size }

// IsTest reports whether the set is one of the two test parameter sets,
// which RFC 9215 forbids outside testing.
func (p *Params) IsTest() bool { return p.test }

// String returns the short name.
func (p *Params) String() string { return p.name }

// ec returns the curve's arithmetic, built on first use.
func (p *Params) ec() *gostec.Curve { return p.curve() }

// The parameter sets, in the order [AllParams] lists them, each naming its
// curve in gostec; the first alias is RFC 9215's name ([Params.ASN1Name]).
// Sources: RFC 4357 §10.8 and RFC 9215 App. C for the OIDs and their
// aliases (several OIDs name one curve).
var (
	paramsTest256 = &Params{name: "test-256", test: true, digestParam: true, size: 32, curve: gostec.Test256,
		oid: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 0}, aliases: []string{"id-GostR3410-2001-TestParamSet"}}
	paramsCryptoProA = &Params{name: "cryptopro-a", digestParam: true, size: 32, curve: gostec.CryptoProA,
		oid: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 1}, aliases: []string{"id-GostR3410-2001-CryptoPro-A-ParamSet"}}
	paramsCryptoProB = &Params{name: "cryptopro-b", digestParam: true, size: 32, curve: gostec.CryptoProB,
		oid: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 2}, aliases: []string{"id-GostR3410-2001-CryptoPro-B-ParamSet"}}
	paramsCryptoProC = &Params{name: "cryptopro-c", digestParam: true, size: 32, curve: gostec.CryptoProC,
		oid: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 3}, aliases: []string{"id-GostR3410-2001-CryptoPro-C-ParamSet"}}
	paramsCryptoProXchA = &Params{name: "cryptopro-xcha", digestParam: true, size: 32, curve: gostec.CryptoProA,
		oid: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 36, 0}, aliases: []string{"id-GostR3410-2001-CryptoPro-XchA-ParamSet"}}
	paramsCryptoProXchB = &Params{name: "cryptopro-xchb", digestParam: true, size: 32, curve: gostec.CryptoProC,
		oid: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 36, 1}, aliases: []string{"id-GostR3410-2001-CryptoPro-XchB-ParamSet"}}
	paramsTC26256A = &Params{name: "tc26-256-a", size: 32, curve: gostec.TC26256A,
		oid: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 1}, aliases: []string{"id-tc26-gost-3410-2012-256-paramSetA"}}
	paramsTC26256B = &Params{name: "tc26-256-b", size: 32, curve: gostec.CryptoProA,
		oid: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 2}, aliases: []string{"id-tc26-gost-3410-2012-256-paramSetB"}}
	paramsTC26256C = &Params{name: "tc26-256-c", size: 32, curve: gostec.CryptoProB,
		oid: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 3}, aliases: []string{"id-tc26-gost-3410-2012-256-paramSetC"}}
	paramsTC26256D = &Params{name: "tc26-256-d", size: 32, curve: gostec.CryptoProC,
		oid: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 4}, aliases: []string{"id-tc26-gost-3410-2012-256-paramSetD"}}
	paramsTest512 = &Params{name: "test-512", test: true, size: 64, curve: gostec.Test512,
		oid: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 0}, aliases: []string{"id-tc26-gost-3410-2012-512-paramSetTest"}}
	paramsTC26512A = &Params{name: "tc26-512-a", size: 64, curve: gostec.TC26512A,
		oid: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 1}, aliases: []string{"id-tc26-gost-3410-2012-512-paramSetA", "id-tc26-gost-3410-12-512-paramSetA"}}
	paramsTC26512B = &Params{name: "tc26-512-b", size: 64, curve: gostec.TC26512B,
		oid: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 2}, aliases: []string{"id-tc26-gost-3410-2012-512-paramSetB", "id-tc26-gost-3410-12-512-paramSetB"}}
	paramsTC26512C = &Params{name: "tc26-512-c", size: 64, curve: gostec.TC26512C,
		oid: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 3}, aliases: []string{"id-tc26-gost-3410-2012-512-paramSetC"}}

	allParams = []*Params{
		paramsTest256, paramsCryptoProA, paramsCryptoProB, paramsCryptoProC,
		paramsCryptoProXchA, paramsCryptoProXchB,
		paramsTC26256A, paramsTC26256B, paramsTC26256C, paramsTC26256D,
		paramsTest512, paramsTC26512A, paramsTC26512B, paramsTC26512C,
	}
)

// ParamsTest256 returns id-GostR3410-2001-TestParamSet (1.2.643.2.2.35.0), the
// curve of the RFC 7091 256-bit example. For tests only.
func ParamsTest256() *Params { return paramsTest256 }

// ParamsCryptoProA returns id-GostR3410-2001-CryptoPro-A-ParamSet
// (1.2.643.2.2.35.1), the most common set of Russian qualified certificates.
func ParamsCryptoProA() *Params { return paramsCryptoProA }

// ParamsCryptoProB returns id-GostR3410-2001-CryptoPro-B-ParamSet (1.2.643.2.2.35.2).
func ParamsCryptoProB() *Params { return paramsCryptoProB }

// ParamsCryptoProC returns id-GostR3410-2001-CryptoPro-C-ParamSet (1.2.643.2.2.35.3).
func ParamsCryptoProC() *Params { return paramsCryptoProC }

// ParamsCryptoProXchA returns id-GostR3410-2001-CryptoPro-XchA-ParamSet
// (1.2.643.2.2.36.0), the CryptoPro-A curve under its key-exchange OID.
func ParamsCryptoProXchA() *Params { return paramsCryptoProXchA }

// ParamsCryptoProXchB returns id-GostR3410-2001-CryptoPro-XchB-ParamSet
// (1.2.643.2.2.36.1), the CryptoPro-C curve under its key-exchange OID.
func ParamsCryptoProXchB() *Params { return paramsCryptoProXchB }

// ParamsTC26256A returns id-tc26-gost-3410-2012-256-paramSetA
// (1.2.643.7.1.2.1.1.1), a twisted Edwards curve with cofactor 4.
func ParamsTC26256A() *Params { return paramsTC26256A }

// ParamsTC26256B returns id-tc26-gost-3410-2012-256-paramSetB
// (1.2.643.7.1.2.1.1.2), the CryptoPro-A curve.
func ParamsTC26256B() *Params { return paramsTC26256B }

// ParamsTC26256C returns id-tc26-gost-3410-2012-256-paramSetC
// (1.2.643.7.1.2.1.1.3), the CryptoPro-B curve.
func ParamsTC26256C() *Params { return paramsTC26256C }

// ParamsTC26256D returns id-tc26-gost-3410-2012-256-paramSetD
// (1.2.643.7.1.2.1.1.4), the CryptoPro-C curve.
func ParamsTC26256D() *Params { return paramsTC26256D }

// ParamsTest512 returns id-tc26-gost-3410-2012-512-paramSetTest
// (1.2.643.7.1.2.1.2.0), the curve of the RFC 7091 512-bit example. For
// tests only.
func ParamsTest512() *Params { return paramsTest512 }

// ParamsTC26512A returns id-tc26-gost-3410-12-512-paramSetA (1.2.643.7.1.2.1.2.1).
func ParamsTC26512A() *Params { return paramsTC26512A }

// ParamsTC26512B returns id-tc26-gost-3410-12-512-paramSetB (1.2.643.7.1.2.1.2.2).
func ParamsTC26512B() *Params { return paramsTC26512B }

// ParamsTC26512C returns id-tc26-gost-3410-2012-512-paramSetC
// (1.2.643.7.1.2.1.2.3), a twisted Edwards curve with cofactor 4.
func ParamsTC26512C() *Params { return paramsTC26512C }

// AllParams returns every supported parameter set, 256-bit sets first.
func AllParams() []*Params { return append([]*Params(nil), allParams...) }

// ParamsByOID returns the parameter set with the given OID, or an error
// wrapping [ErrUnknownParams].
func ParamsByOID(oid asn1.ObjectIdentifier) (*Params, error) {
	for _, p := range allParams {
		if p.oid.Equal(oid) {
			return p, nil
		}
	}
	return nil, fmt.Errorf("%w: OID %s", ErrUnknownParams, oid)
}

// ParamsByName returns the parameter set with the given name, compared
// without regard to case: a short name ("cryptopro-a", "tc26-512-c", the
// values of [Params.Name]), an ASN.1 name from the RFCs
// ("id-tc26-gost-3410-2012-256-paramSetA") or a dotted OID
// ("1.2.643.2.2.35.1"). Unknown names give an error wrapping
// [ErrUnknownParams].
func ParamsByName(name string) (*Params, error) {
	for _, p := range allParams {
		if strings.EqualFold(name, p.name) || name == p.oid.String() {
			return p, nil
		}
		for _, a := range p.aliases {
			if strings.EqualFold(name, a) {
				return p, nil
			}
		}
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownParams, name)
}
