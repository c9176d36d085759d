package ocsp_test

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/crypto/ocsp"
)

var (
	oidSHA1  = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidMD5   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}
	oidNonce = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}
)

// rawRequest describes an OCSPRequest built field by field, to make the
// requests CreateRequest will not.
type rawRequest struct {
	hashOID       asn1.ObjectIdentifier // default SHA-1
	noHashParams  bool
	hashLen       int // default 20
	ids           int // number of CertIDs; -1 for none
	version       *int64
	requestorName bool
	nonces        [][]byte // nonce extensions (the nonce, wrapped)
	rawNonce      []byte   // an extnValue not wrapped in an OCTET STRING
	otherCritical bool     // a critical extension this package ignores
	singleExt     bool     // a singleRequestExtensions
	signature     bool
}

func (r rawRequest) der(t testing.TB) []byte {
	t.Helper()
	hashOID, hashLen, n := r.hashOID, r.hashLen, r.ids
	if hashOID == nil {
		hashOID = oidSHA1
	}
	if hashLen == 0 {
		hashLen = 20
	}
	if n == 0 {
		n = 1
	} else if n < 0 {
		n = 0
	}
	ext := func(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, critical bool, value []byte) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			if critical {
				b.AddASN1Boolean(true)
			}
			b.AddASN1OctetString(value)
		})
	}
	wrap := func(nonce []byte) []byte {
		var b cryptobyte.Builder
		b.AddASN1OctetString(nonce)
		return b.BytesOrPanic()
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			if r.version != nil {
				b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddASN1Int64(*r.version) })
			}
			if r.requestorName {
				b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.Tag(1).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte("client@example.ru")) })
				})
			}
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for i := range n {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								b.AddASN1ObjectIdentifier(hashOID)
								if !r.noHashParams {
									b.AddASN1NULL()
								}
							})
							b.AddASN1OctetString(bytes.Repeat([]byte{1}, hashLen))
							b.AddASN1OctetString(bytes.Repeat([]byte{2}, hashLen))
							b.AddASN1Int64(int64(1000 + i))
						})
						if r.singleExt {
							b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
								b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
									ext(b, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 7}, false, []byte{0x30, 0x00})
								})
							})
						}
					})
				}
			})
			if len(r.nonces) > 0 || r.rawNonce != nil || r.otherCritical {
				b.AddASN1(cbasn1.Tag(2).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						if r.otherCritical {
							ext(b, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 4}, true, []byte{0x30, 0x00})
						}
						for _, nonce := range r.nonces {
							ext(b, oidNonce, false, wrap(nonce))
						}
						if r.rawNonce != nil {
							ext(b, oidNonce, false, r.rawNonce)
						}
					})
				})
			}
		})
		if r.signature {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 2})
					})
					b.AddASN1BitString(make([]byte, 64))
				})
			})
		}
	})
	der, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestParseRequest(t *testing.T) {
	v1 := int64(0)
	nonce16, nonce32 := bytes.Repeat([]byte{7}, 16), bytes.Repeat([]byte{8}, 32)
	tests := []struct {
		name   string
		req    rawRequest
		ids    int
		nonce  []byte
		signed bool
	}{
		{"minimal", rawRequest{}, 1, nil, false},
		{"nonce 16 octets", rawRequest{nonces: [][]byte{nonce16}}, 1, nonce16, false},
		{"nonce 1 octet", rawRequest{nonces: [][]byte{{9}}}, 1, []byte{9}, false},
		{"nonce 32 octets", rawRequest{nonces: [][]byte{nonce32}}, 1, nonce32, false},
		{"three CertIDs", rawRequest{ids: 3}, 3, nil, false},
		{"explicit v1", rawRequest{version: &v1}, 1, nil, false},
		{"requestorName", rawRequest{requestorName: true}, 1, nil, false},
		{"other critical extension ignored", rawRequest{otherCritical: true, nonces: [][]byte{nonce16}}, 1, nonce16, false},
		{"singleRequestExtensions ignored", rawRequest{singleExt: true}, 1, nil, false},
		{"hash parameters absent", rawRequest{noHashParams: true}, 1, nil, false},
		{"signed, signature ignored", rawRequest{signature: true, nonces: [][]byte{nonce16}}, 1, nonce16, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			der := tt.req.der(t)
			req, err := ocsp.ParseRequest(der)
			if err != nil {
				t.Fatalf("ParseRequest: %v", err)
			}
			if len(req.IDs) != tt.ids || !bytes.Equal(req.Nonce, tt.nonce) || (req.Nonce == nil) != (tt.nonce == nil) || req.Signed != tt.signed {
				t.Errorf("got %d IDs, nonce %x, signed %v; want %d, %x, %v", len(req.IDs), req.Nonce, req.Signed, tt.ids, tt.nonce, tt.signed)
			}
			if !bytes.Equal(req.Raw, der) {
				t.Error("Raw is not the input")
			}
			for i, id := range req.IDs {
				if id.Hash != ocsp.SHA1 || id.SerialNumber.Int64() != int64(1000+i) {
					t.Errorf("ID %d = %+v", i, id)
				}
			}
		})
	}
}

func TestParseRequestErrors(t *testing.T) {
	v2 := int64(1)
	valid := rawRequest{nonces: [][]byte{bytes.Repeat([]byte{7}, 16)}}.der(t)
	tests := []struct {
		name string
		der  []byte
		want error
		not  error // must not match
	}{
		{"empty", nil, ocsp.ErrMalformedRequest, ocsp.ErrUnknownHash},
		{"garbage", []byte("GET / HTTP/1.1\r\n\r\n"), ocsp.ErrMalformedRequest, nil},
		{"truncated", valid[:len(valid)-1], ocsp.ErrMalformedRequest, nil},
		{"truncated header", valid[:1], ocsp.ErrMalformedRequest, nil},
		{"trailing data", append(append([]byte(nil), valid...), 0), ocsp.ErrMalformedRequest, nil},
		{"not a SEQUENCE", []byte{0x31, 0x00}, ocsp.ErrMalformedRequest, nil},
		{"zero CertIDs", rawRequest{ids: -1}.der(t), ocsp.ErrMalformedRequest, nil},
		{"unknown hash (MD5)", rawRequest{hashOID: oidMD5, hashLen: 16}.der(t), ocsp.ErrUnknownHash, ocsp.ErrMalformedRequest},
		{"unknown hash with a nonce too long", rawRequest{hashOID: oidMD5, hashLen: 16, nonces: [][]byte{make([]byte, 33)}}.der(t), ocsp.ErrNonceTooLong, ocsp.ErrUnknownHash},
		{"SHA-1 hash of 32 octets", rawRequest{hashLen: 32}.der(t), ocsp.ErrMalformedRequest, nil},
		{"nonce 33 octets", rawRequest{nonces: [][]byte{make([]byte, 33)}}.der(t), ocsp.ErrNonceTooLong, nil},
		{"nonce 33 octets is malformed", rawRequest{nonces: [][]byte{make([]byte, 33)}}.der(t), ocsp.ErrMalformedRequest, nil},
		{"empty nonce", rawRequest{nonces: [][]byte{{}}}.der(t), ocsp.ErrMalformedRequest, ocsp.ErrNonceTooLong},
		{"nonce not an OCTET STRING", rawRequest{rawNonce: []byte{1, 2, 3}}.der(t), ocsp.ErrMalformedRequest, nil},
		{"two nonces", rawRequest{nonces: [][]byte{{1}, {2}}}.der(t), ocsp.ErrMalformedRequest, nil},
		{"version v2", rawRequest{version: &v2}.der(t), ocsp.ErrMalformedRequest, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := ocsp.ParseRequest(tt.der)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParseRequest = %v, %v; want an error wrapping %v", req, err, tt.want)
			}
			if tt.not != nil && errors.Is(err, tt.not) {
				t.Errorf("error %v also wraps %v", err, tt.not)
			}
			if req != nil {
				t.Error("a request came with the error")
			}
		})
	}
}

func TestCreateRequest(t *testing.T) {
	id := ocsp.CertID{Hash: ocsp.Streebog256, IssuerNameHash: make([]byte, 32), IssuerKeyHash: make([]byte, 32), SerialNumber: big.NewInt(42)}
	sha1ID := ocsp.CertID{Hash: ocsp.SHA1, IssuerNameHash: make([]byte, 20), IssuerKeyHash: make([]byte, 20), SerialNumber: big.NewInt(-1)}
	t.Run("round trip", func(t *testing.T) {
		for _, nonce := range [][]byte{nil, {1}, bytes.Repeat([]byte{2}, 32)} {
			der, err := ocsp.CreateRequest([]ocsp.CertID{id, sha1ID}, nonce)
			if err != nil {
				t.Fatal(err)
			}
			req, err := ocsp.ParseRequest(der)
			if err != nil {
				t.Fatal(err)
			}
			if len(req.IDs) != 2 || !req.IDs[0].Equal(&id) || !req.IDs[1].Equal(&sha1ID) || !bytes.Equal(req.Nonce, nonce) || (req.Nonce == nil) != (nonce == nil) {
				t.Errorf("nonce %x: got %+v", nonce, req)
			}
		}
	})
	bad := func(f func(*ocsp.CertID)) []ocsp.CertID {
		c := id
		f(&c)
		return []ocsp.CertID{c}
	}
	for _, tt := range []struct {
		name  string
		ids   []ocsp.CertID
		nonce []byte
	}{
		{"no CertIDs", nil, nil},
		{"zero hash algorithm", bad(func(c *ocsp.CertID) { c.Hash = 0 }), nil},
		{"hash of the wrong length", bad(func(c *ocsp.CertID) { c.IssuerKeyHash = c.IssuerKeyHash[:20] }), nil},
		{"no serial", bad(func(c *ocsp.CertID) { c.SerialNumber = nil }), nil},
		{"empty nonce", []ocsp.CertID{id}, []byte{}},
		{"nonce 33 octets", []ocsp.CertID{id}, make([]byte, 33)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if der, err := ocsp.CreateRequest(tt.ids, tt.nonce); err == nil {
				t.Fatalf("CreateRequest = %x, want an error", der)
			}
		})
	}
}
