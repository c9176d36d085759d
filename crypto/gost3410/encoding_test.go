package gost3410

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"github.com/gostca/gostca/internal/testkit"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/crypto/streebog"
)

// TestAlgorithmIdentifier pins the AlgorithmIdentifier written for each
// parameter set. The rows marked "seen" are byte-for-byte encodings from
// published certificates (gost.md §3.3); digestParamSet appears exactly
// where RFC 9215 §4.2 requires it.
func TestAlgorithmIdentifier(t *testing.T) {
	tests := []struct {
		params *Params
		der    string
	}{
		{ParamsCryptoProA(), "301f06082a85030701010101301306072a85030202230106082a85030701010202"}, // seen: Infotecs
		{ParamsTest256(), "301f06082a85030701010101301306072a85030202230006082a85030701010202"},    // seen: RFC 9215 D.1
		{ParamsTC26256A(), "301706082a85030701010101300b06092a8503070102010101"},                   // seen: RFC 9215 D.2
		{ParamsTC26256B(), "301706082a85030701010101300b06092a8503070102010102"},                   // seen: Infotecs
		{ParamsTest512(), "301706082a85030701010102300b06092a8503070102010200"},                    // seen: RFC 9215 D.3
		{ParamsTC26512A(), "301706082a85030701010102300b06092a8503070102010201"},                   // seen: Infotecs
		{ParamsCryptoProXchB(), "301f06082a85030701010101301306072a85030202240106082a85030701010202"},
		{ParamsTC26512C(), "301706082a85030701010102300b06092a8503070102010203"},
	}
	for _, tt := range tests {
		t.Run(tt.params.Name(), func(t *testing.T) {
			priv, err := GenerateKey(tt.params, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			der, err := MarshalPKIXPublicKey(priv.PublicKey())
			if err != nil {
				t.Fatal(err)
			}
			want := unhex(t, tt.der)
			// SEQUENCE header (2 or 3 bytes), then the AlgorithmIdentifier.
			hdr := 2
			if der[1]&0x80 != 0 {
				hdr += int(der[1] & 0x7f)
			}
			if got := der[hdr : hdr+len(want)]; !bytes.Equal(got, want) {
				t.Errorf("AlgorithmIdentifier\n got %x\nwant %x", got, want)
			}
		})
	}
}

// TestEncodingRoundTrip marshals and parses keys of every set.
func TestEncodingRoundTrip(t *testing.T) {
	testAllParams(t, func(t *testing.T, p *Params) {
		priv, err := GenerateKey(p, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		spki, err := MarshalPKIXPublicKey(priv.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		pub, err := ParsePKIXPublicKey(spki)
		if err != nil {
			t.Fatalf("ParsePKIXPublicKey(own encoding) = %v", err)
		}
		if !pub.Equal(priv.Public()) {
			t.Error("public key changed in a round trip")
		}
		p8, err := MarshalPKCS8PrivateKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParsePKCS8PrivateKey(p8)
		if err != nil {
			t.Fatalf("ParsePKCS8PrivateKey(own encoding) = %v", err)
		}
		if !back.Equal(priv) {
			t.Error("private key changed in a round trip")
		}
	})
}

// TestOpenSSLKeys parses the keys OpenSSL's GOST engine generated
// (testdata/openssl/keys, made by gen.sh there): each private key must give
// the public key the engine wrote beside it, under the same parameter set.
func TestOpenSSLKeys(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "openssl", "keys")
	matches, err := filepath.Glob(filepath.Join(dir, "KEY-*.pem"))
	if err != nil || len(matches) != 13 {
		t.Fatalf("want 13 keys in %s, found %d (%v)", dir, len(matches), err)
	}
	for _, keyPath := range matches {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(keyPath), "KEY-"), ".pem")
		t.Run(name, func(t *testing.T) {
			priv, err := ParsePKCS8PrivateKey(testkit.ReadPEM(t, keyPath, "PRIVATE KEY"))
			if err != nil {
				t.Fatal(err)
			}
			if priv.Params().Name() != name {
				t.Errorf("parameter set %s, want %s", priv.Params(), name)
			}
			pub, err := ParsePKIXPublicKey(testkit.ReadPEM(t, filepath.Join(dir, "PUB-"+name+".pem"), "PUBLIC KEY"))
			if err != nil {
				t.Fatal(err)
			}
			if !pub.Equal(priv.Public()) {
				t.Errorf("the private key's public key %x differs from OpenSSL's %x", priv.PublicKey().Bytes(), pub.Bytes())
			}
		})
	}
}

// TestTC26Examples checks the TC26 CMS example PKI (testdata/tc26): every
// certificate's signature verifies with the root's key (the Streebog-256
// digest of the TBS, read little-endian), and every private key matches its
// certificate's public key.
func TestTC26Examples(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "tc26")
	parseCert := func(name string) (*x509.Certificate, *PublicKey) {
		cert, err := x509.ParseCertificate(testkit.ReadPEM(t, filepath.Join(dir, name+"_cert.pem"), "CERTIFICATE"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		pub, err := ParsePKIXPublicKey(cert.RawSubjectPublicKeyInfo)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return cert, pub
	}
	_, rootPub := parseCert("root256")
	for _, name := range []string{"root256", "sender256", "recipient256", "sender512", "recipient512"} {
		t.Run(name, func(t *testing.T) {
			cert, pub := parseCert(name)
			digest := streebog.Sum256(cert.RawTBSCertificate)
			if err := rootPub.Verify(digest[:], cert.Signature); err != nil {
				t.Errorf("certificate signature: %v", err)
			}
			tampered := bytes.Clone(cert.RawTBSCertificate)
			tampered[len(tampered)-1] ^= 1
			bad := streebog.Sum256(tampered)
			if err := rootPub.Verify(bad[:], cert.Signature); err == nil {
				t.Error("signature verified over a changed TBS")
			}
			if name == "root256" {
				return
			}
			priv, err := ParsePKCS8PrivateKey(testkit.ReadPEM(t, filepath.Join(dir, name+"_key.pem"), "PRIVATE KEY"))
			if err != nil {
				t.Fatal(err)
			}
			if !priv.PublicKey().Equal(pub) {
				t.Error("private key does not match the certificate")
			}
		})
	}
}

// TestParsePKIXPublicKeyRejects lists malformed SubjectPublicKeyInfo rows.
func TestParsePKIXPublicKeyRejects(t *testing.T) {
	priv, err := GenerateKey(ParamsCryptoProA(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good, _ := MarshalPKIXPublicKey(priv.PublicKey())
	raw := priv.PublicKey().Bytes()
	spki := func(alg string, key []byte) []byte {
		bitString := append([]byte{0x00}, octetString(key)...)
		body := append(unhex(t, alg), asn1TLV(0x03, bitString)...)
		return asn1TLV(0x30, body)
	}
	offCurve := bytes.Clone(raw)
	offCurve[40] ^= 1
	tests := []struct {
		name string
		der  []byte
	}{
		{"empty", nil},
		{"truncated", good[:len(good)-1]},
		{"trailing data", append(bytes.Clone(good), 0)},
		{"not a sequence", append([]byte{0x31}, good[1:]...)},
		{"RSA key", spki("300d06092a864886f70d0101010500", raw)},
		{"GOST R 34.10-2001 key", spki("301f06062a8503020213301506072a85030202230106072a850302021e01", raw)},
		{"no parameters", spki("300a06082a85030701010101", raw)},
		{"NULL parameters", spki("300c06082a850307010101010500", raw)},
		{"unknown parameter set", spki("301706082a85030701010101300b06092a8503070102010109", raw)},
		{"512-bit set under the 256-bit key OID", spki("301706082a85030701010101300b06092a8503070102010201", raw)},
		{"Streebog-512 digestParamSet on a 256-bit key", spki("301f06082a85030701010101301306072a85030202230106082a85030701010203", raw)},
		{"point off the curve", spki("301f06082a85030701010101301306072a85030202230106082a85030701010202", offCurve)},
		{"short point", spki("301f06082a85030701010101301306072a85030202230106082a85030701010202", raw[:63])},
		{"bit string without the OCTET STRING", asn1TLV(0x30, append(unhex(t, "301f06082a85030701010101301306072a85030202230106082a85030701010202"), asn1TLV(0x03, append([]byte{0}, raw...))...))},
	}
	for _, tt := range tests {
		if pub, err := ParsePKIXPublicKey(tt.der); err == nil {
			t.Errorf("%s: ParsePKIXPublicKey accepted it as %x", tt.name, pub.Bytes())
		}
	}
	// Tolerated: digestParamSet where RFC 9215 says to omit it, as the GOST
	// engine writes for 512-bit paramSetA (gost.md §3.3, TC26 examples).
	priv512, err := GenerateKey(ParamsTC26512A(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	withDigest := spki("302106082a85030701010102301506092a850307010201020106082a85030701010203", priv512.PublicKey().Bytes())
	if pub, err := ParsePKIXPublicKey(withDigest); err != nil || !pub.Equal(priv512.Public()) {
		t.Errorf("ParsePKIXPublicKey(512 paramSetA with digestParamSet) = %v", err)
	}
}

// TestParsePKCS8Forms reads the three privateKey content forms the GOST
// engine accepts, and refuses malformed ones.
func TestParsePKCS8Forms(t *testing.T) {
	priv, err := GenerateKey(ParamsTC26256A(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	alg := "301706082a85030701010101300b06092a8503070102010101"
	p8 := func(version byte, content []byte, tail ...byte) []byte {
		body := append([]byte{0x02, 0x01, version}, unhex(t, alg)...)
		body = append(body, asn1TLV(0x04, content)...)
		return asn1TLV(0x30, append(body, tail...))
	}
	raw := priv.Bytes()
	be := reversed(raw)
	for len(be) > 0 && be[0] == 0 {
		be = be[1:]
	}
	if be[0]&0x80 != 0 {
		be = append([]byte{0}, be...)
	}
	pubOctets := octetString(priv.PublicKey().Bytes())
	pubField := asn1TLV(0x81, append([]byte{0}, pubOctets...))
	other, _ := GenerateKey(ParamsTC26256A(), rand.Reader)
	otherPub := asn1TLV(0x81, append([]byte{0}, octetString(other.PublicKey().Bytes())...))

	accept := []struct {
		name string
		der  []byte
	}{
		{"raw little-endian", p8(0, raw)},
		{"DER OCTET STRING", p8(0, octetString(raw))},
		{"DER INTEGER, big-endian", p8(0, asn1TLV(0x02, be))},
		{"version 2 with matching public key", p8(1, raw, pubField...)},
		{"version 2 with the raw public key (RFC 9548's examples)", p8(1, raw, asn1TLV(0x81, append([]byte{1}, priv.PublicKey().Bytes()...))...)},
		{"attributes", p8(0, raw, asn1TLV(0xa0, nil)...)},
	}
	for _, tt := range accept {
		got, err := ParsePKCS8PrivateKey(tt.der)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
		} else if !got.Equal(priv) {
			t.Errorf("%s: a different key", tt.name)
		}
	}
	reject := []struct {
		name string
		der  []byte
	}{
		{"empty", nil},
		{"version 2", p8(2, raw)},
		{"short raw key", p8(0, raw[:31])},
		{"zero key", p8(0, make([]byte, 32))},
		{"key equal to q", p8(0, reversed(ParamsTC26256A().ec().Order()))},
		{"masked key", p8(0, asn1TLV(0x30, octetString(raw)))},
		{"negative INTEGER", p8(0, asn1TLV(0x02, []byte{0x80, 1}))},
		{"mismatched public key", p8(1, raw, otherPub...)},
		{"mismatched raw public key", p8(1, raw, asn1TLV(0x81, append([]byte{0}, other.PublicKey().Bytes()...))...)},
		{"public key with unused bits", p8(1, raw, asn1TLV(0x81, append([]byte{1}, pubOctets...))...)},
		{"truncated raw public key", p8(1, raw, asn1TLV(0x81, append([]byte{0}, priv.PublicKey().Bytes()[1:]...))...)},
		{"trailing data", p8(0, raw, 0x05, 0x00)},
		{"wrong key algorithm", asn1TLV(0x30, append(append([]byte{2, 1, 0}, unhex(t, "300d06092a864886f70d0101010500")...), asn1TLV(0x04, raw)...))},
	}
	for _, tt := range reject {
		if _, err := ParsePKCS8PrivateKey(tt.der); err == nil {
			t.Errorf("%s: ParsePKCS8PrivateKey accepted it", tt.name)
		}
	}
}

// asn1TLV returns a DER tag-length-value (test helper; lengths < 65536).
func asn1TLV(tag byte, content []byte) []byte {
	n := len(content)
	switch {
	case n < 0x80:
		return append([]byte{tag, byte(n)}, content...)
	case n < 0x100:
		return append([]byte{tag, 0x81, byte(n)}, content...)
	default:
		return append([]byte{tag, 0x82, byte(n >> 8), byte(n)}, content...)
	}
}
