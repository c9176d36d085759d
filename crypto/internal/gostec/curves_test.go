package gostec

import (
	"encoding/hex"
	"math/big"
	"strings"
	"sync"
	"testing"
)

// testCurve is a GOST R 34.10-2012 parameter set from gost.md §2.1, as hex
// strings (big-endian, any length up to the field size).
type testCurve struct {
	name               string
	size               int
	p, a, b, q, gx, gy string
	cofactor           int
}

var testCurves = []testCurve{
	{
		name: "TestParamSet", size: 32,
		p:        "8000000000000000000000000000000000000000000000000000000000000431",
		a:        "7",
		b:        "5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E",
		q:        "8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3",
		gx:       "2",
		gy:       "08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8",
		cofactor: 1,
	},
	{
		name: "CryptoPro-A", size: 32,
		p:        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
		a:        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94",
		b:        "a6",
		q:        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
		gx:       "1",
		gy:       "8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14",
		cofactor: 1,
	},
	{
		name: "CryptoPro-B", size: 32,
		p:        "8000000000000000000000000000000000000000000000000000000000000C99",
		a:        "8000000000000000000000000000000000000000000000000000000000000C96",
		b:        "3E1AF419A269A5F866A7D3C25C3DF80AE979259373FF2B182F49D4CE7E1BBC8B",
		q:        "800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F",
		gx:       "1",
		gy:       "3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC",
		cofactor: 1,
	},
	{
		name: "CryptoPro-C", size: 32,
		p:        "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B",
		a:        "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D7598",
		b:        "805a",
		q:        "9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9",
		gx:       "0",
		gy:       "41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67",
		cofactor: 1,
	},
	{
		name: "tc26-256-paramSetA", size: 32,
		p:        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
		a:        "C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335",
		b:        "295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513",
		q:        "400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67",
		gx:       "91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28",
		gy:       "32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C",
		cofactor: 4,
	},
	{
		name: "tc26-512-paramSetTest", size: 64,
		p:        "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DF1D852741AF4704A0458047E80E4546D35B8336FAC224DD81664BBF528BE6373",
		a:        "7",
		b:        "1CFF0806A31116DA29D8CFA54E57EB748BC5F377E49400FDD788B649ECA1AC4361834013B2AD7322480A89CA58E0CF74BC9E540C2ADD6897FAD0A3084F302ADC",
		q:        "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DA82F2D7ECB1DBAC719905C5EECC423F1D86E25EDBE23C595D644AAF187E6E6DF",
		gx:       "24D19CC64572EE30F396BF6EBBFD7A6C5213B3B3D7057CC825F91093A68CD762FD60611262CD838DC6B60AA7EEE804E28BC849977FAC33B4B530F1B120248A9A",
		gy:       "2BB312A43BD2CE6E0D020613C857ACDDCFBF061E91E5F2C3F32447C259F39B2C83AB156D77F1496BF7EB3351E1EE4E43DC1A18B91B24640B6DBB92CB1ADD371E",
		cofactor: 1,
	},
	{
		name: "tc26-512-paramSetA", size: 64,
		p:        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
		a:        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC4",
		b:        "E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760",
		q:        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
		gx:       "3",
		gy:       "7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4",
		cofactor: 1,
	},
	{
		name: "tc26-512-paramSetB", size: 64,
		p:        "8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006F",
		a:        "8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006C",
		b:        "687D1B459DC841457E3E06CF6F5E2517B97C7D614AF138BCBF85DC806C4B289F3E965D2DB1416D217F8B276FAD1AB69C50F78BEE1FA3106EFB8CCBC7C5140116",
		q:        "800000000000000000000000000000000000000000000000000000000000000149A1EC142565A545ACFDB77BD9D40CFA8B996712101BEA0EC6346C54374F25BD",
		gx:       "2",
		gy:       "1A8F7EDA389B094C2C071E3647A8940F3C123B697578C213BE6DD9E6C8EC7335DCB228FD1EDF4A39152CBCAAF8C0398828041055F94CEEEC7E21340780FE41BD",
		cofactor: 1,
	},
	{
		name: "tc26-512-paramSetC", size: 64,
		p:        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
		a:        "DC9203E514A721875485A529D2C722FB187BC8980EB866644DE41C68E143064546E861C0E2C9EDD92ADE71F46FCF50FF2AD97F951FDA9F2A2EB6546F39689BD3",
		b:        "B4C4EE28CEBC6C2C8AC12952CF37F16AC7EFB6A9F69F4B57FFDA2E4F0DE5ADE038CBC2FFF719D2C18DE0284B8BFEF3B52B8CC7A5F5BF0A3C8D2319A5312557E1",
		q:        "3FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC98CDBA46506AB004C33A9FF5147502CC8EDA9E7A769A12694623CEF47F023ED",
		gx:       "E2E31EDFC23DE7BDEBE241CE593EF5DE2295B7A9CBAEF021D385F7074CEA043AA27272A7AE602BF2A7B9033DB9ED3610C6FB85487EAE97AAC5BC7928C1950148",
		gy:       "F5CE40D95B5EB899ABBCCFF5911CB8577939804D6527378B8C108C3D2090FF9BE18E2D33E3021ED2EF32D85822423B6304F726AA854BAE07D0396E9A9ADDC40F",
		cofactor: 4,
	},
}

// fixed decodes a big-endian hex string and left-pads it to size bytes.
func fixed(t testing.TB, s string, size int) []byte {
	t.Helper()
	s = strings.Join(strings.Fields(s), "")
	if len(s)%2 == 1 {
		s = "0" + s
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	if len(b) > size {
		t.Fatalf("hex %q longer than %d bytes", s, size)
	}
	return append(make([]byte, size-len(b)), b...)
}

func bigHex(s string) *big.Int {
	s = strings.Join(strings.Fields(s), "")
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("bad hex " + s)
	}
	return v
}

// refCurve is a math/big model of a curve for cross-checking.
type refCurve struct {
	p, a, b, q, gx, gy *big.Int
	h                  int
	size               int
}

func (tc testCurve) ref() *refCurve {
	return &refCurve{p: bigHex(tc.p), a: bigHex(tc.a), b: bigHex(tc.b), q: bigHex(tc.q),
		gx: bigHex(tc.gx), gy: bigHex(tc.gy), h: tc.cofactor, size: tc.size}
}

var (
	curveCacheMu sync.Mutex
	curveCache   = map[string]*Curve{}
)

// curve returns the (cached) Curve for tc.
func (tc testCurve) curve(t testing.TB) *Curve {
	t.Helper()
	curveCacheMu.Lock()
	defer curveCacheMu.Unlock()
	if c, ok := curveCache[tc.name]; ok {
		return c
	}
	c, err := NewCurve(fixed(t, tc.p, tc.size), fixed(t, tc.a, tc.size), fixed(t, tc.b, tc.size),
		fixed(t, tc.q, tc.size), fixed(t, tc.gx, tc.size), fixed(t, tc.gy, tc.size), tc.cofactor)
	if err != nil {
		t.Fatalf("%s: NewCurve: %v", tc.name, err)
	}
	curveCache[tc.name] = c
	return c
}

// testAllCurves runs f as a parallel subtest for every parameter set.
func testAllCurves(t *testing.T, f func(t *testing.T, tc testCurve, c *Curve)) {
	for _, tc := range testCurves {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f(t, tc, tc.curve(t))
		})
	}
}

func curveByName(t testing.TB, name string) (testCurve, *Curve) {
	for _, tc := range testCurves {
		if tc.name == name {
			return tc, tc.curve(t)
		}
	}
	t.Fatalf("no curve %q", name)
	return testCurve{}, nil
}

// Affine arithmetic with math/big; nil stands for the identity.
type refPoint struct{ x, y *big.Int }

func (r *refCurve) add(p1, p2 *refPoint) *refPoint {
	if p1 == nil {
		return p2
	}
	if p2 == nil {
		return p1
	}
	var l *big.Int
	if p1.x.Cmp(p2.x) == 0 {
		s := new(big.Int).Add(p1.y, p2.y)
		if s.Mod(s, r.p).Sign() == 0 {
			return nil
		}
		// doubling: (3x² + a) / 2y
		num := new(big.Int).Mul(p1.x, p1.x)
		num.Mul(num, big.NewInt(3)).Add(num, r.a)
		den := new(big.Int).Lsh(p1.y, 1)
		l = num.Mul(num, den.ModInverse(den.Mod(den, r.p), r.p))
	} else {
		num := new(big.Int).Sub(p2.y, p1.y)
		den := new(big.Int).Sub(p2.x, p1.x)
		den.Mod(den, r.p)
		l = num.Mul(num, den.ModInverse(den, r.p))
	}
	l.Mod(l, r.p)
	x3 := new(big.Int).Mul(l, l)
	x3.Sub(x3, p1.x).Sub(x3, p2.x).Mod(x3, r.p)
	y3 := new(big.Int).Sub(p1.x, x3)
	y3.Mul(y3, l).Sub(y3, p1.y).Mod(y3, r.p)
	return &refPoint{x3, y3}
}

func (r *refCurve) mul(p *refPoint, k *big.Int) *refPoint {
	var acc *refPoint
	for i := k.BitLen() - 1; i >= 0; i-- {
		acc = r.add(acc, acc)
		if k.Bit(i) == 1 {
			acc = r.add(acc, p)
		}
	}
	return acc
}

func (r *refCurve) onCurve(x, y *big.Int) bool {
	lhs := new(big.Int).Mul(y, y)
	rhs := new(big.Int).Mul(x, x)
	rhs.Add(rhs, r.a).Mul(rhs, x).Add(rhs, r.b)
	return lhs.Sub(lhs, rhs).Mod(lhs, r.p).Sign() == 0
}

func (r *refCurve) encode(p *refPoint) []byte {
	out := make([]byte, 2*r.size)
	p.x.FillBytes(out[:r.size])
	p.y.FillBytes(out[r.size:])
	return out
}
