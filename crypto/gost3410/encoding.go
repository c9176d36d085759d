package gost3410

import (
	"encoding/asn1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Key algorithm and digest OIDs of RFC 9215 §3–4.
var (
	oidPublicKey256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}
	oidPublicKey512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2}
	oidDigest256    = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}
	oidDigest512    = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}
	oidPublicKey01  = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19}
)

// keyAlgorithm returns the key algorithm OID for a parameter set's size.
func (p *Params) keyAlgorithm() asn1.ObjectIdentifier {
	if p.Bits() == 512 {
		return oidPublicKey512
	}
	return oidPublicKey256
}

// addAlgorithmIdentifier writes the AlgorithmIdentifier of a key of this set:
// the key OID with GostR3410-2012-PublicKeyParameters. digestParamSet is
// written where RFC 9215 §4.2 requires it (the 2001 curves under their
// CryptoPro and test OIDs) and omitted where it says it should or must be.
func (p *Params) addAlgorithmIdentifier(b *cryptobyte.Builder) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(p.keyAlgorithm())
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(p.oid)
			if p.digestParam {
				b.AddASN1ObjectIdentifier(oidDigest256)
			}
		})
	})
}

// readAlgorithmIdentifier reads a GOST R 34.10-2012 key AlgorithmIdentifier
// and returns its parameter set. It accepts digestParamSet where it may be
// omitted (OpenSSL's GOST engine writes it for more sets than RFC 9215
// asks), provided it names the hash of the key's size, and ignores a
// trailing encryptionParamSet that 2001-era encoders add.
func readAlgorithmIdentifier(s *cryptobyte.String) (*Params, error) {
	var alg, params cryptobyte.String
	var keyOID, setOID asn1.ObjectIdentifier
	if !s.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&keyOID) {
		return nil, errors.New("malformed algorithm identifier")
	}
	switch {
	case keyOID.Equal(oidPublicKey256), keyOID.Equal(oidPublicKey512):
	case keyOID.Equal(oidPublicKey01):
		return nil, errors.New("GOST R 34.10-2001 keys (1.2.643.2.2.19) are not supported; reissue with a GOST R 34.10-2012 key")
	default:
		return nil, fmt.Errorf("key algorithm %s is not GOST R 34.10-2012", keyOID)
	}
	if !alg.ReadASN1(&params, cbasn1.SEQUENCE) || !alg.Empty() {
		return nil, errors.New("malformed or missing GOST key parameters")
	}
	if !params.ReadASN1ObjectIdentifier(&setOID) {
		return nil, errors.New("malformed publicKeyParamSet")
	}
	p, err := ParamsByOID(setOID)
	if err != nil {
		return nil, err
	}
	if !p.keyAlgorithm().Equal(keyOID) {
		return nil, fmt.Errorf("parameter set %s is for %d-bit keys, but the key algorithm is %s", p, p.Bits(), keyOID)
	}
	if !params.Empty() {
		var digestOID asn1.ObjectIdentifier
		if !params.ReadASN1ObjectIdentifier(&digestOID) {
			return nil, errors.New("malformed digestParamSet")
		}
		want := oidDigest256
		if p.Bits() == 512 {
			want = oidDigest512
		}
		if !digestOID.Equal(want) {
			return nil, fmt.Errorf("digestParamSet %s does not match a %d-bit key", digestOID, p.Bits())
		}
		if !params.Empty() {
			var encOID asn1.ObjectIdentifier
			if !params.ReadASN1ObjectIdentifier(&encOID) || !params.Empty() {
				return nil, errors.New("malformed GOST key parameters: trailing data")
			}
		}
	}
	return p, nil
}

// MarshalPKIXPublicKey encodes pub as a DER SubjectPublicKeyInfo (RFC 9215
// §4): the key algorithm with its parameters, and a BIT STRING holding the
// DER OCTET STRING of LE(x)‖LE(y).
func MarshalPKIXPublicKey(pub *PublicKey) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		pub.params.addAlgorithmIdentifier(b)
		b.AddASN1BitString(octetString(pub.raw))
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("gost3410: encoding public key: %w", err)
	}
	return der, nil
}

// ParsePKIXPublicKey parses a DER SubjectPublicKeyInfo holding a GOST R
// 34.10-2012 key, such as x509.Certificate.RawSubjectPublicKeyInfo. The
// point is validated as [NewPublicKey] does.
func ParsePKIXPublicKey(der []byte) (*PublicKey, error) {
	input := cryptobyte.String(der)
	var spki, octets cryptobyte.String
	var bits asn1.BitString
	if !input.ReadASN1(&spki, cbasn1.SEQUENCE) || !input.Empty() {
		return nil, errors.New("gost3410: malformed SubjectPublicKeyInfo")
	}
	params, err := readAlgorithmIdentifier(&spki)
	if err != nil {
		return nil, fmt.Errorf("gost3410: public key: %w", err)
	}
	if !spki.ReadASN1BitString(&bits) || !spki.Empty() || bits.BitLength%8 != 0 {
		return nil, errors.New("gost3410: malformed subjectPublicKey BIT STRING")
	}
	inner := cryptobyte.String(bits.Bytes)
	if !inner.ReadASN1(&octets, cbasn1.OCTET_STRING) || !inner.Empty() {
		return nil, errors.New("gost3410: subjectPublicKey is not a DER OCTET STRING")
	}
	return NewPublicKey(params, octets)
}

// MarshalPKCS8PrivateKey encodes priv as a DER PKCS#8 PrivateKeyInfo in the
// form OpenSSL's GOST engine and the TC26 examples use: version 0, the same
// AlgorithmIdentifier as the public key, and the raw little-endian scalar as
// the privateKey OCTET STRING's content. The result is secret.
func MarshalPKCS8PrivateKey(priv *PrivateKey) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		priv.pub.params.addAlgorithmIdentifier(b)
		b.AddASN1OctetString(priv.Bytes())
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("gost3410: encoding private key: %w", err)
	}
	return der, nil
}

// ParsePKCS8PrivateKey parses a DER PKCS#8 PrivateKeyInfo (or a version 2
// OneAsymmetricKey, RFC 5958) holding a GOST R 34.10-2012 key. The privateKey
// content may be the raw little-endian scalar (what OpenSSL's GOST engine
// writes), a DER OCTET STRING of it, or a DER INTEGER (big-endian), the
// three forms that engine reads. CryptoPro's masked export form is not
// accepted. A public key included in a version 2 structure must match.
func ParsePKCS8PrivateKey(der []byte) (*PrivateKey, error) {
	input := cryptobyte.String(der)
	var info, keyOctets cryptobyte.String
	var version int64
	if !input.ReadASN1(&info, cbasn1.SEQUENCE) || !input.Empty() || !info.ReadASN1Integer(&version) {
		return nil, errors.New("gost3410: malformed PKCS#8 PrivateKeyInfo")
	}
	if version != 0 && version != 1 {
		return nil, fmt.Errorf("gost3410: PKCS#8 version %d is not supported", version)
	}
	params, err := readAlgorithmIdentifier(&info)
	if err != nil {
		return nil, fmt.Errorf("gost3410: private key: %w", err)
	}
	if !info.ReadASN1(&keyOctets, cbasn1.OCTET_STRING) {
		return nil, errors.New("gost3410: malformed PKCS#8 privateKey")
	}
	raw, err := privateKeyContent(params, keyOctets)
	if err != nil {
		return nil, err
	}
	priv, err := NewPrivateKey(params, raw)
	if err != nil {
		return nil, err
	}
	if !info.SkipOptionalASN1(cbasn1.Tag(0).ContextSpecific().Constructed()) {
		return nil, errors.New("gost3410: malformed PKCS#8 attributes")
	}
	var pubBits cryptobyte.String
	var hasPub bool
	if !info.ReadOptionalASN1(&pubBits, &hasPub, cbasn1.Tag(1).ContextSpecific()) || !info.Empty() {
		return nil, errors.New("gost3410: malformed PKCS#8: trailing data")
	}
	if hasPub {
		// The [1] IMPLICIT BIT STRING: an unused-bits octet, then the
		// OCTET STRING of the raw public key, as in a certificate's
		// subjectPublicKey; or, as the examples of RFC 9548 Appendix A
		// have it, the raw public key itself, after an unused-bits octet
		// of 1. Either way every byte of the key is compared, so the
		// count of unused bits is not checked in the second form.
		var octets cryptobyte.String
		var unused uint8
		if !pubBits.ReadUint8(&unused) {
			return nil, errors.New("gost3410: malformed PKCS#8 publicKey")
		}
		switch {
		case len(pubBits) == len(priv.pub.raw) && unused < 8:
			octets = pubBits
		case unused != 0 || !pubBits.ReadASN1(&octets, cbasn1.OCTET_STRING) || !pubBits.Empty():
			return nil, errors.New("gost3410: malformed PKCS#8 publicKey")
		}
		if string(octets) != string(priv.pub.raw) {
			return nil, errors.New("gost3410: PKCS#8 publicKey does not match the private key")
		}
	}
	return priv, nil
}

// privateKeyContent returns the raw little-endian scalar from the content of
// a PKCS#8 privateKey OCTET STRING.
func privateKeyContent(params *Params, content cryptobyte.String) ([]byte, error) {
	size := params.Size()
	if len(content) == size {
		return content, nil
	}
	var inner cryptobyte.String
	var tag cbasn1.Tag
	s := content
	if !s.ReadAnyASN1(&inner, &tag) || !s.Empty() {
		return nil, fmt.Errorf("gost3410: %s private key content is %d bytes, neither raw (%d) nor DER", params, len(content), size)
	}
	switch tag {
	case cbasn1.OCTET_STRING:
		if len(inner) != size {
			return nil, fmt.Errorf("gost3410: %s private key is %d bytes, want %d", params, len(inner), size)
		}
		return inner, nil
	case cbasn1.INTEGER:
		// Big-endian, minimally encoded: strip the sign octet and pad.
		if len(inner) == 0 || inner[0]&0x80 != 0 {
			return nil, errors.New("gost3410: private key INTEGER is negative or empty")
		}
		for len(inner) > 1 && inner[0] == 0 {
			inner = inner[1:]
		}
		if len(inner) > size {
			return nil, fmt.Errorf("gost3410: %s private key INTEGER is too large", params)
		}
		raw := make([]byte, size)
		copy(raw[size-len(inner):], inner)
		reverse(raw)
		return raw, nil
	case cbasn1.SEQUENCE:
		return nil, errors.New("gost3410: masked private keys (CryptoPro export form) are not supported")
	}
	return nil, fmt.Errorf("gost3410: %s private key content has unexpected tag %#x", params, uint8(tag))
}

// octetString returns the DER OCTET STRING of b.
func octetString(b []byte) []byte {
	var ob cryptobyte.Builder
	ob.AddASN1OctetString(b)
	return ob.BytesOrPanic()
}
