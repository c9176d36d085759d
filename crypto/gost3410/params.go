package gost3410

import (
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

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
	curve   *curveDef
	// digestParam reports whether RFC 9215 §4.2 requires the digestParamSet
	// field in this set's public key parameters.
	digestParam bool
	test        bool
}

// Name returns the parameter set's short name, such as "cryptopro-a" or
// "tc26-512-c", accepted by [ParamsByName].
func (p *Params) Name() string { return p.name }

// OID returns the parameter set's object identifier.
func (p *Params) OID() asn1.ObjectIdentifier {
	return append(asn1.ObjectIdentifier(nil), p.oid...)
}

// Size returns the size in bytes of a coordinate, a private key and a
// signature half: 32 for 256-bit sets, 64 for 512-bit sets. It is also the
// size of the Streebog digest that keys of this set sign.
func (p *Params) Size() int { return p.curve.size }

// Bits returns 256 or 512.
func (p *Params) Bits() int { return 8 * p.curve.size }

// IsTest reports whether the set is one of the two test parameter sets,
// which RFC 9215 forbids outside testing.
func (p *Params) IsTest() bool { return p.test }

// String returns the short name.
func (p *Params) String() string { return p.name }

// ec returns the curve's arithmetic, built on first use.
func (p *Params) ec() *gostec.Curve { return p.curve.get() }

// curveDef holds a curve's constants (big-endian hex, as in RFC 4357,
// RFC 7836 and RFC 7091) and builds its gostec.Curve once.
type curveDef struct {
	size               int
	p, a, b, q, gx, gy string
	cofactor           int
	once               sync.Once
	built              *gostec.Curve
}

func (c *curveDef) get() *gostec.Curve {
	c.once.Do(func() {
		dec := func(s string) []byte {
			b, err := hex.DecodeString(strings.Repeat("0", 2*c.size-len(s)) + s)
			if err != nil {
				panic("gost3410: bad curve constant: " + err.Error())
			}
			return b
		}
		curve, err := gostec.NewCurve(dec(c.p), dec(c.a), dec(c.b), dec(c.q), dec(c.gx), dec(c.gy), c.cofactor)
		if err != nil {
			panic("gost3410: curve constants rejected: " + err.Error())
		}
		c.built = curve
	})
	return c.built
}

// The curves. Sources: RFC 4357 §11.4 (CryptoPro), RFC 7836 (TC26),
// RFC 7091 (test curves); values as listed in ../shared/reference/gost.md §2.
var (
	curveTest256 = &curveDef{size: 32, cofactor: 1,
		p:  "8000000000000000000000000000000000000000000000000000000000000431",
		a:  "7",
		b:  "5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E",
		q:  "8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3",
		gx: "2",
		gy: "08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8",
	}
	curveCryptoProA = &curveDef{size: 32, cofactor: 1,
		p:  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
		a:  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94",
		b:  "A6",
		q:  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
		gx: "1",
		gy: "8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14",
	}
	curveCryptoProB = &curveDef{size: 32, cofactor: 1,
		p:  "8000000000000000000000000000000000000000000000000000000000000C99",
		a:  "8000000000000000000000000000000000000000000000000000000000000C96",
		b:  "3E1AF419A269A5F866A7D3C25C3DF80AE979259373FF2B182F49D4CE7E1BBC8B",
		q:  "800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F",
		gx: "1",
		gy: "3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC",
	}
	curveCryptoProC = &curveDef{size: 32, cofactor: 1,
		p:  "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B",
		a:  "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D7598",
		b:  "805A",
		q:  "9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9",
		gx: "0",
		gy: "41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67",
	}
	// curveTC26256A is the twisted Edwards curve of RFC 7836 in its
	// Weierstrass form, which is also what keys are encoded in.
	curveTC26256A = &curveDef{size: 32, cofactor: 4,
		p:  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
		a:  "C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335",
		b:  "295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513",
		q:  "400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67",
		gx: "91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28",
		gy: "32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C",
	}
	curveTest512 = &curveDef{size: 64, cofactor: 1,
		p:  "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DF1D852741AF4704A0458047E80E4546D35B8336FAC224DD81664BBF528BE6373",
		a:  "7",
		b:  "1CFF0806A31116DA29D8CFA54E57EB748BC5F377E49400FDD788B649ECA1AC4361834013B2AD7322480A89CA58E0CF74BC9E540C2ADD6897FAD0A3084F302ADC",
		q:  "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DA82F2D7ECB1DBAC719905C5EECC423F1D86E25EDBE23C595D644AAF187E6E6DF",
		gx: "24D19CC64572EE30F396BF6EBBFD7A6C5213B3B3D7057CC825F91093A68CD762FD60611262CD838DC6B60AA7EEE804E28BC849977FAC33B4B530F1B120248A9A",
		gy: "2BB312A43BD2CE6E0D020613C857ACDDCFBF061E91E5F2C3F32447C259F39B2C83AB156D77F1496BF7EB3351E1EE4E43DC1A18B91B24640B6DBB92CB1ADD371E",
	}
	curveTC26512A = &curveDef{size: 64, cofactor: 1,
		p:  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
		a:  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC4",
		b:  "E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760",
		q:  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
		gx: "3",
		gy: "7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4",
	}
	curveTC26512B = &curveDef{size: 64, cofactor: 1,
		p:  "8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006F",
		a:  "8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006C",
		b:  "687D1B459DC841457E3E06CF6F5E2517B97C7D614AF138BCBF85DC806C4B289F3E965D2DB1416D217F8B276FAD1AB69C50F78BEE1FA3106EFB8CCBC7C5140116",
		q:  "800000000000000000000000000000000000000000000000000000000000000149A1EC142565A545ACFDB77BD9D40CFA8B996712101BEA0EC6346C54374F25BD",
		gx: "2",
		gy: "1A8F7EDA389B094C2C071E3647A8940F3C123B697578C213BE6DD9E6C8EC7335DCB228FD1EDF4A39152CBCAAF8C0398828041055F94CEEEC7E21340780FE41BD",
	}
	// curveTC26512C is the twisted Edwards curve of RFC 7836 in its
	// Weierstrass form.
	curveTC26512C = &curveDef{size: 64, cofactor: 4,
		p:  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
		a:  "DC9203E514A721875485A529D2C722FB187BC8980EB866644DE41C68E143064546E861C0E2C9EDD92ADE71F46FCF50FF2AD97F951FDA9F2A2EB6546F39689BD3",
		b:  "B4C4EE28CEBC6C2C8AC12952CF37F16AC7EFB6A9F69F4B57FFDA2E4F0DE5ADE038CBC2FFF719D2C18DE0284B8BFEF3B52B8CC7A5F5BF0A3C8D2319A5312557E1",
		q:  "3FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC98CDBA46506AB004C33A9FF5147502CC8EDA9E7A769A12694623CEF47F023ED",
		gx: "E2E31EDFC23DE7BDEBE241CE593EF5DE2295B7A9CBAEF021D385F7074CEA043AA27272A7AE602BF2A7B9033DB9ED3610C6FB85487EAE97AAC5BC7928C1950148",
		gy: "F5CE40D95B5EB899ABBCCFF5911CB8577939804D6527378B8C108C3D2090FF9BE18E2D33E3021ED2EF32D85822423B6304F726AA854BAE07D0396E9A9ADDC40F",
	}
)

// The parameter sets, in the order [AllParams] lists them. Sources: RFC 4357
// §10.8 and RFC 9215 App. C for the OIDs and their aliases.
var (
	paramsTest256 = &Params{name: "test-256", test: true, digestParam: true, curve: curveTest256,
		oid: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 0}, aliases: []string{"id-GostR3410-2001-TestParamSet"}}
	paramsCryptoProA = &Params{name: "cryptopro-a", digestParam: true, curve: curveCryptoProA,
		oid: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 1}, aliases: []string{"id-GostR3410-2001-CryptoPro-A-ParamSet"}}
	paramsCryptoProB = &Params{name: "cryptopro-b", digestParam: true, curve: curveCryptoProB,
		oid: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 2}, aliases: []string{"id-GostR3410-2001-CryptoPro-B-ParamSet"}}
	paramsCryptoProC = &Params{name: "cryptopro-c", digestParam: true, curve: curveCryptoProC,
		oid: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 3}, aliases: []string{"id-GostR3410-2001-CryptoPro-C-ParamSet"}}
	paramsCryptoProXchA = &Params{name: "cryptopro-xcha", digestParam: true, curve: curveCryptoProA,
		oid: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 36, 0}, aliases: []string{"id-GostR3410-2001-CryptoPro-XchA-ParamSet"}}
	paramsCryptoProXchB = &Params{name: "cryptopro-xchb", digestParam: true, curve: curveCryptoProC,
		oid: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 36, 1}, aliases: []string{"id-GostR3410-2001-CryptoPro-XchB-ParamSet"}}
	paramsTC26256A = &Params{name: "tc26-256-a", curve: curveTC26256A,
		oid: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 1}, aliases: []string{"id-tc26-gost-3410-2012-256-paramSetA"}}
	paramsTC26256B = &Params{name: "tc26-256-b", curve: curveCryptoProA,
		oid: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 2}, aliases: []string{"id-tc26-gost-3410-2012-256-paramSetB"}}
	paramsTC26256C = &Params{name: "tc26-256-c", curve: curveCryptoProB,
		oid: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 3}, aliases: []string{"id-tc26-gost-3410-2012-256-paramSetC"}}
	paramsTC26256D = &Params{name: "tc26-256-d", curve: curveCryptoProC,
		oid: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 4}, aliases: []string{"id-tc26-gost-3410-2012-256-paramSetD"}}
	paramsTest512 = &Params{name: "test-512", test: true, curve: curveTest512,
		oid: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 0}, aliases: []string{"id-tc26-gost-3410-2012-512-paramSetTest"}}
	paramsTC26512A = &Params{name: "tc26-512-a", curve: curveTC26512A,
		oid: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 1}, aliases: []string{"id-tc26-gost-3410-12-512-paramSetA", "id-tc26-gost-3410-2012-512-paramSetA"}}
	paramsTC26512B = &Params{name: "tc26-512-b", curve: curveTC26512B,
		oid: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 2}, aliases: []string{"id-tc26-gost-3410-12-512-paramSetB", "id-tc26-gost-3410-2012-512-paramSetB"}}
	paramsTC26512C = &Params{name: "tc26-512-c", curve: curveTC26512C,
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
