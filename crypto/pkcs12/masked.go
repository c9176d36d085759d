package pkcs12

import (
	"encoding/asn1"
	"fmt"
	"slices"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/internal/gostec"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// curves maps the parameter sets to their curves, for unmasking.
var curves = map[string]func() *gostec.Curve{
	"test-256":       gostec.Test256,
	"cryptopro-a":    gostec.CryptoProA,
	"cryptopro-b":    gostec.CryptoProB,
	"cryptopro-c":    gostec.CryptoProC,
	"cryptopro-xcha": gostec.CryptoProA,
	"cryptopro-xchb": gostec.CryptoProC,
	"tc26-256-a":     gostec.TC26256A,
	"tc26-256-b":     gostec.CryptoProA,
	"tc26-256-c":     gostec.CryptoProB,
	"tc26-256-d":     gostec.CryptoProC,
	"test-512":       gostec.Test512,
	"tc26-512-a":     gostec.TC26512A,
	"tc26-512-b":     gostec.TC26512B,
	"tc26-512-c":     gostec.TC26512C,
}

// parsePrivateKey parses a PKCS#8 PrivateKeyInfo with a GOST key, in the
// forms gost3410 reads or in the masked form that CryptoPro writes and the
// standard's example uses: the privateKey OCTET STRING holds the masked
// key followed by one or more masks, each a little-endian number of the
// key's size, and the key is their product modulo the group order q (as
// OpenSSL's GOST engine unmasks it).
func parsePrivateKey(info []byte) (*gost3410.PrivateKey, error) {
	key, err := gost3410.ParsePKCS8PrivateKey(info)
	if err == nil {
		return key, nil
	}
	params, value, ok := maskedKey(info)
	if !ok {
		return nil, err
	}
	size := params.Size()
	curve := curves[params.Name()]()
	d := curve.NewScalar()
	for i := 0; i < len(value); i += size {
		be := slices.Clone(value[i : i+size])
		slices.Reverse(be)
		s, err := curve.NewScalar().SetReducedBytes(be)
		clear(be)
		if err != nil {
			return nil, fmt.Errorf("pkcs12: unmasking the key: %w", err)
		}
		if i == 0 {
			d.Set(s)
		} else {
			d.Mul(d, s)
		}
	}
	raw := d.Bytes()
	slices.Reverse(raw)
	defer clear(raw)
	key, err = gost3410.NewPrivateKey(params, raw)
	if err != nil {
		return nil, fmt.Errorf("pkcs12: the unmasked key: %w", err)
	}
	return key, nil
}

// maskedKey reports whether info is a PrivateKeyInfo whose privateKey
// OCTET STRING holds two or more key-sized numbers (raw, or inside another
// OCTET STRING),
// and returns the parameter set and those numbers.
func maskedKey(info []byte) (*gost3410.Params, []byte, bool) {
	in := cryptobyte.String(info)
	var seq, alg, algParams, outer, value cryptobyte.String
	var version int64
	var keyOID, paramSet asn1.ObjectIdentifier
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() || !seq.ReadASN1Integer(&version) ||
		!seq.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&keyOID) ||
		!alg.ReadASN1(&algParams, cbasn1.SEQUENCE) || !algParams.ReadASN1ObjectIdentifier(&paramSet) ||
		!seq.ReadASN1(&outer, cbasn1.OCTET_STRING) {
		return nil, nil, false
	}
	// The numbers, raw or inside a DER OCTET STRING.
	value = outer
	if inner := outer; !inner.ReadASN1(&value, cbasn1.OCTET_STRING) || !inner.Empty() {
		value = outer
	}
	params, err := gost3410.ParamsByOID(paramSet)
	if err != nil || curves[params.Name()] == nil {
		return nil, nil, false
	}
	if len(value) < 2*params.Size() || len(value)%params.Size() != 0 {
		return nil, nil, false
	}
	return params, value, true
}
