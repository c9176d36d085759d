package ocsp_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"github.com/gostca/gostca/internal/testkit"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/catest"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/ocsp"
)

func TestResponseRoundTrip(t *testing.T) {
	testkit.ForEachParams(t, testParams(), func(t *testing.T, params *gost3410.Params) {
		f := newFixture(t, params)
		now := f.now()
		id := f.id(t, ocsp.Streebog256, f.leaf.SerialNumber)
		other := f.id(t, ocsp.SHA1, big.NewInt(7))
		nonce := bytes.Repeat([]byte{0x5a}, 32)
		wantAlg := cert.GOST256
		if params.Size() == 64 {
			wantAlg = cert.GOST512
		}
		for _, tt := range []struct {
			name   string
			single []ocsp.SingleResponse
		}{
			{"good", []ocsp.SingleResponse{{ID: id, Status: ocsp.Good, ThisUpdate: now, NextUpdate: now.Add(hour)}}},
			{"revoked keyCompromise", []ocsp.SingleResponse{{ID: id, Status: ocsp.Revoked, RevokedAt: now.Add(-hour), Reason: cert.ReasonKeyCompromise, ThisUpdate: now}}},
			{"held", []ocsp.SingleResponse{{ID: id, Status: ocsp.Revoked, RevokedAt: now.Add(-hour), Reason: cert.ReasonCertificateHold, ThisUpdate: now}}},
			{"revoked unspecified", []ocsp.SingleResponse{{ID: id, Status: ocsp.Revoked, RevokedAt: now.Add(-hour), ThisUpdate: now}}},
			{"unknown", []ocsp.SingleResponse{{ID: id, Status: ocsp.Unknown, ThisUpdate: now}}},
			{"two", []ocsp.SingleResponse{{ID: id, Status: ocsp.Good, ThisUpdate: now}, {ID: other, Status: ocsp.Unknown, ThisUpdate: now}}},
		} {
			for _, delegated := range []bool{false, true} {
				for _, withNonce := range []bool{false, true} {
					name := tt.name + map[bool]string{false: "/CA", true: "/delegated"}[delegated] + map[bool]string{false: "", true: "/nonce"}[withNonce]
					t.Run(name, func(t *testing.T) {
						var n []byte
						if withNonce {
							n = nonce
						}
						der := f.sign(t, delegated, n, tt.single...)
						r, err := ocsp.ParseResponse(der)
						if err != nil {
							t.Fatalf("ParseResponse: %v", err)
						}
						if err := r.CheckSignatureFrom(f.interCert); err != nil {
							t.Fatalf("CheckSignatureFrom(intermediate): %v", err)
						}
						checkResponse(t, r, tt.single, now, n)
						if r.SignatureAlgorithm != wantAlg {
							t.Errorf("SignatureAlgorithm = %v, want %v", r.SignatureAlgorithm, wantAlg)
						}
						signer := f.interCert
						if delegated {
							signer = f.responder
							if len(r.Certificates) != 1 || !bytes.Equal(r.Certificates[0].Raw, f.responder.Raw) {
								t.Errorf("certs: %d certificates, want the responder's", len(r.Certificates))
							}
						} else if len(r.Certificates) != 0 {
							t.Errorf("certs: %d certificates, want none", len(r.Certificates))
						}
						if kh := keyHashOf(t, signer); !bytes.Equal(r.ResponderKeyHash, kh) || r.ResponderName != nil {
							t.Errorf("responderID = %x / %x, want byKey %x", r.ResponderKeyHash, r.ResponderName, kh)
						}
					})
				}
			}
		}
	})
}

// keyHashOf is the SKI the CA computed by the same method as the
// responderID byKey.
func keyHashOf(t *testing.T, c *cert.Certificate) []byte {
	t.Helper()
	if len(c.SubjectKeyId) != 20 {
		t.Fatalf("certificate without a SHA-1 subject key identifier")
	}
	return c.SubjectKeyId
}

func checkResponse(t *testing.T, r *ocsp.Response, want []ocsp.SingleResponse, producedAt time.Time, nonce []byte) {
	t.Helper()
	if !r.ProducedAt.Equal(producedAt) {
		t.Errorf("ProducedAt = %v, want %v", r.ProducedAt, producedAt)
	}
	if !bytes.Equal(r.Nonce, nonce) || (r.Nonce == nil) != (nonce == nil) {
		t.Errorf("Nonce = %x, want %x", r.Nonce, nonce)
	}
	if len(r.Responses) != len(want) {
		t.Fatalf("%d responses, want %d", len(r.Responses), len(want))
	}
	for i, got := range r.Responses {
		w := want[i]
		if !got.ID.Equal(&w.ID) || got.Status != w.Status || !got.RevokedAt.Equal(w.RevokedAt) || got.Reason != w.Reason ||
			!got.ThisUpdate.Equal(w.ThisUpdate) || !got.NextUpdate.Equal(w.NextUpdate) {
			t.Errorf("response %d = %+v, want %+v", i, got, w)
		}
	}
}

// TestResponseDER checks the encoding rules on the bytes: no version, the
// statuses' tags, the reason only when specified, GeneralizedTime in
// seconds, the nonce wrapped twice.
func TestResponseDER(t *testing.T) {
	f := newFixture(t, gost3410.ParamsCryptoProA())
	now := time.Date(2030, 1, 2, 3, 4, 5, 678, time.UTC)
	f.clock.Set(now.Add(-hour))
	id := f.id(t, ocsp.SHA1, f.leaf.SerialNumber)
	generalized := []byte{0x18, 0x0f, '2', '0', '3', '0', '0', '1', '0', '2', '0', '3', '0', '4', '0', '5', 'Z'}
	for _, tt := range []struct {
		name      string
		single    ocsp.SingleResponse
		nonce     []byte
		want, not [][]byte
	}{
		{"good", ocsp.SingleResponse{ID: id, Status: ocsp.Good, ThisUpdate: now},
			nil, [][]byte{{0x80, 0x00, 0x18, 0x0f}}, [][]byte{{0xa1, 0x11, 0x18, 0x0f}}},
		{"unknown with nextUpdate", ocsp.SingleResponse{ID: id, Status: ocsp.Unknown, ThisUpdate: now, NextUpdate: now},
			nil, [][]byte{{0x82, 0x00, 0x18, 0x0f}, append([]byte{0xa0, 0x11}, generalized...)}, nil},
		{"revoked keyCompromise", ocsp.SingleResponse{ID: id, Status: ocsp.Revoked, RevokedAt: now, Reason: cert.ReasonKeyCompromise, ThisUpdate: now},
			nil, [][]byte{append(append([]byte{0xa1, 0x16}, generalized...), 0xa0, 0x03, 0x0a, 0x01, 0x01)}, nil},
		{"revoked unspecified", ocsp.SingleResponse{ID: id, Status: ocsp.Revoked, RevokedAt: now, ThisUpdate: now},
			nil, [][]byte{append([]byte{0xa1, 0x11}, generalized...)}, [][]byte{{0x0a, 0x01, 0x00}}},
		{"nonce", ocsp.SingleResponse{ID: id, Status: ocsp.Good, ThisUpdate: now},
			[]byte{0xde, 0xad}, [][]byte{{0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02, 0x04, 0x04, 0x04, 0x02, 0xde, 0xad}}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			der, err := ocsp.CreateResponse(rand.Reader, &ocsp.ResponseTemplate{Responses: []ocsp.SingleResponse{tt.single}, ProducedAt: now, Nonce: tt.nonce}, f.interCert, f.interKey)
			if err != nil {
				t.Fatal(err)
			}
			r, err := ocsp.ParseResponse(der)
			if err != nil {
				t.Fatal(err)
			}
			var tbs cryptobyte.String
			if in := cryptobyte.String(r.RawTBS); !in.ReadASN1(&tbs, cbasn1.SEQUENCE) {
				t.Fatal("RawTBS is not a SEQUENCE")
			}
			// No version: the responderID byKey comes first.
			if !bytes.HasPrefix(tbs, []byte{0xa2, 0x16, 0x04, 0x14}) {
				t.Errorf("ResponseData does not start with the responderID byKey: %x", tbs[:8])
			}
			if !bytes.Contains(tbs, generalized) {
				t.Errorf("no GeneralizedTime %s in whole seconds", generalized[2:])
			}
			for _, w := range tt.want {
				if !bytes.Contains(tbs, w) {
					t.Errorf("ResponseData lacks %x", w)
				}
			}
			for _, n := range tt.not {
				if bytes.Contains(tbs, n) {
					t.Errorf("ResponseData has %x", n)
				}
			}
		})
	}
}

func TestCheckSignatureFromRefuses(t *testing.T) {
	f := newFixture(t, gost3410.ParamsCryptoProA())
	now := f.now()
	single := ocsp.SingleResponse{ID: f.id(t, ocsp.SHA1, f.leaf.SerialNumber), Status: ocsp.Good, ThisUpdate: now}

	// A CA certificate under the intermediate without id-kp-OCSPSigning:
	// CreateResponse lets a CA sign, but it is not the leaf's issuer.
	subKey, err := gost3410.GenerateKey(gost3410.ParamsCryptoProA(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := cert.NewSerialNumber(rand.Reader)
	subDER, err := cert.CreateCertificate(rand.Reader, &cert.Certificate{
		SerialNumber: serial, Subject: cert.Name{CommonName: "not an OCSP signer"},
		NotBefore: now.Add(-hour), NotAfter: now.Add(hour),
		BasicConstraintsValid: true, IsCA: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}, f.interCert, subKey.PublicKey(), f.interKey)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := cert.ParseCertificate(subDER)
	if err != nil {
		t.Fatal(err)
	}

	// A delegated responder of another CA.
	g := newFixture(t, gost3410.ParamsCryptoProA())

	create := func(tmpl *ocsp.ResponseTemplate, responder *cert.Certificate, key gost3410.PrivateKey) []byte {
		t.Helper()
		tmpl.Responses = []ocsp.SingleResponse{single}
		if tmpl.ProducedAt.IsZero() {
			tmpl.ProducedAt = now
		}
		der, err := ocsp.CreateResponse(rand.Reader, tmpl, responder, &key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	corrupt := f.sign(t, false, nil, single)
	corrupt[len(corrupt)-1] ^= 1

	for _, tt := range []struct {
		name   string
		der    []byte
		issuer *cert.Certificate
		want   error
	}{
		{"delegated without OCSPSigning", create(&ocsp.ResponseTemplate{Certificates: []*cert.Certificate{sub}}, sub, *subKey), f.interCert, ocsp.ErrUnauthorizedResponder},
		{"delegated by another CA", create(&ocsp.ResponseTemplate{Certificates: []*cert.Certificate{g.responder}}, g.responder, *g.responderKey), f.interCert, ocsp.ErrUnauthorizedResponder},
		{"delegated, certificate left out", create(&ocsp.ResponseTemplate{}, f.responder, *f.responderKey), f.interCert, ocsp.ErrUnauthorizedResponder},
		{"delegated, produced after it expired", create(&ocsp.ResponseTemplate{Certificates: []*cert.Certificate{f.responder}, ProducedAt: f.responder.NotAfter.Add(time.Second)}, f.responder, *f.responderKey), f.interCert, ocsp.ErrUnauthorizedResponder},
		{"CA-signed, checked against the root", f.sign(t, false, nil, single), f.rootCert, ocsp.ErrUnauthorizedResponder},
		{"CA-signed, checked against another CA", f.sign(t, false, nil, single), g.interCert, ocsp.ErrUnauthorizedResponder},
		{"delegated, checked against the root", f.sign(t, true, nil, single), f.rootCert, ocsp.ErrUnauthorizedResponder},
		{"corrupted signature", corrupt, f.interCert, ocsp.ErrBadSignature},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ocsp.ParseResponse(tt.der)
			if err != nil {
				t.Fatalf("ParseResponse: %v", err)
			}
			err = r.CheckSignatureFrom(tt.issuer)
			if !errors.Is(err, tt.want) {
				t.Fatalf("CheckSignatureFrom = %v, want an error wrapping %v", err, tt.want)
			}
		})
	}
}

func TestCreateResponseRefuses(t *testing.T) {
	f := newFixture(t, gost3410.ParamsCryptoProA())
	now := f.now()
	id := f.id(t, ocsp.SHA1, f.leaf.SerialNumber)
	good := ocsp.SingleResponse{ID: id, Status: ocsp.Good, ThisUpdate: now}
	with := func(change func(*ocsp.SingleResponse)) []ocsp.SingleResponse {
		s := good
		change(&s)
		return []ocsp.SingleResponse{s}
	}
	csr, otherKey := catest.NewCSR(t, nil, cert.Name{CommonName: "not a responder"})
	other, err := f.inter.IssueRequest(ca.Request{CSR: csr, Profile: ca.ProfileSignature})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name      string
		tmpl      ocsp.ResponseTemplate
		responder *cert.Certificate
		key       crypto.Signer
	}{
		{"no responses", ocsp.ResponseTemplate{ProducedAt: now}, nil, nil},
		{"no producedAt", ocsp.ResponseTemplate{Responses: []ocsp.SingleResponse{good}}, nil, nil},
		{"zero status", ocsp.ResponseTemplate{Responses: with(func(s *ocsp.SingleResponse) { s.Status = 0 }), ProducedAt: now}, nil, nil},
		{"no thisUpdate", ocsp.ResponseTemplate{Responses: with(func(s *ocsp.SingleResponse) { s.ThisUpdate = time.Time{} }), ProducedAt: now}, nil, nil},
		{"nextUpdate before thisUpdate", ocsp.ResponseTemplate{Responses: with(func(s *ocsp.SingleResponse) { s.NextUpdate = now.Add(-time.Second) }), ProducedAt: now}, nil, nil},
		{"revoked without time", ocsp.ResponseTemplate{Responses: with(func(s *ocsp.SingleResponse) { s.Status = ocsp.Revoked }), ProducedAt: now}, nil, nil},
		{"good with a reason", ocsp.ResponseTemplate{Responses: with(func(s *ocsp.SingleResponse) { s.Reason = cert.ReasonKeyCompromise }), ProducedAt: now}, nil, nil},
		{"reason 7", ocsp.ResponseTemplate{Responses: with(func(s *ocsp.SingleResponse) { s.Status, s.RevokedAt, s.Reason = ocsp.Revoked, now, 7 }), ProducedAt: now}, nil, nil},
		{"reason removeFromCRL", ocsp.ResponseTemplate{Responses: with(func(s *ocsp.SingleResponse) {
			s.Status, s.RevokedAt, s.Reason = ocsp.Revoked, now, cert.ReasonRemoveFromCRL
		}), ProducedAt: now}, nil, nil},
		{"unknown hash", ocsp.ResponseTemplate{Responses: with(func(s *ocsp.SingleResponse) { s.ID.Hash = 9 }), ProducedAt: now}, nil, nil},
		{"empty nonce", ocsp.ResponseTemplate{Responses: []ocsp.SingleResponse{good}, ProducedAt: now, Nonce: []byte{}}, nil, nil},
		{"nonce 33 octets", ocsp.ResponseTemplate{Responses: []ocsp.SingleResponse{good}, ProducedAt: now, Nonce: make([]byte, 33)}, nil, nil},
		{"unparsed certificate", ocsp.ResponseTemplate{Responses: []ocsp.SingleResponse{good}, ProducedAt: now, Certificates: []*cert.Certificate{{}}}, nil, nil},
		{"signer does not hold the responder's key", ocsp.ResponseTemplate{Responses: []ocsp.SingleResponse{good}, ProducedAt: now}, f.interCert, f.responderKey},
		{"responder neither CA nor OCSP signer", ocsp.ResponseTemplate{Responses: []ocsp.SingleResponse{good}, ProducedAt: now}, other, otherKey},
	} {
		t.Run(tt.name, func(t *testing.T) {
			responder := tt.responder
			if responder == nil {
				responder = f.interCert
			}
			key := tt.key
			if key == nil {
				key = f.interKey
			}
			der, err := ocsp.CreateResponse(rand.Reader, &tt.tmpl, responder, key)
			if err == nil {
				t.Fatalf("CreateResponse = %x, want an error", der)
			}
		})
	}
}

func TestErrorResponse(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   ocsp.ResponseStatus
		want ocsp.ResponseStatus
	}{
		{"malformedRequest", ocsp.MalformedRequest, ocsp.MalformedRequest},
		{"internalError", ocsp.InternalError, ocsp.InternalError},
		{"tryLater", ocsp.TryLater, ocsp.TryLater},
		{"sigRequired", ocsp.SigRequired, ocsp.SigRequired},
		{"unauthorized", ocsp.Unauthorized, ocsp.Unauthorized},
		{"successful is internalError", ocsp.Successful, ocsp.InternalError},
		{"unused 4 is internalError", 4, ocsp.InternalError},
		{"negative is internalError", -1, ocsp.InternalError},
	} {
		t.Run(tt.name, func(t *testing.T) {
			der := ocsp.ErrorResponse(tt.in)
			if want := []byte{0x30, 0x03, 0x0a, 0x01, byte(tt.want)}; !bytes.Equal(der, want) {
				t.Errorf("ErrorResponse(%v) = %x, want %x", tt.in, der, want)
			}
			r, err := ocsp.ParseResponse(der)
			var se *ocsp.StatusError
			if !errors.As(err, &se) || se.Status != tt.want || r != nil {
				t.Errorf("ParseResponse = %v, %v; want a *StatusError with %v", r, err, tt.want)
			}
			der[0] = 0 // a fresh slice each call
			if ocsp.ErrorResponse(tt.in)[0] != 0x30 {
				t.Error("ErrorResponse returned a shared slice")
			}
		})
	}
}

func TestParseResponseErrors(t *testing.T) {
	f := newFixture(t, gost3410.ParamsCryptoProA())
	now := f.now()
	id := f.id(t, ocsp.SHA1, f.leaf.SerialNumber)
	valid := f.sign(t, true, []byte{1, 2, 3}, ocsp.SingleResponse{ID: id, Status: ocsp.Revoked, RevokedAt: now, Reason: cert.ReasonKeyCompromise, ThisUpdate: now})
	if _, err := ocsp.ParseResponse(valid); err != nil {
		t.Fatal(err)
	}
	replace := func(old, new []byte) []byte {
		t.Helper()
		if bytes.Count(valid, old) != 1 {
			t.Fatalf("%x occurs %d times", old, bytes.Count(valid, old))
		}
		return bytes.Replace(valid, old, new, 1)
	}
	wrapped := func(status int64, responseType []int) []byte {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Enum(status)
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(responseType)
					b.AddASN1OctetString([]byte{0x30, 0x00})
				})
			})
		})
		return b.BytesOrPanic()
	}
	basic := []int{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	for _, tt := range []struct {
		name string
		der  []byte
		want error
	}{
		{"empty", nil, ocsp.ErrMalformedResponse},
		{"garbage", []byte("<html>503</html>"), ocsp.ErrMalformedResponse},
		{"truncated", valid[:len(valid)-1], ocsp.ErrMalformedResponse},
		{"trailing data", append(append([]byte(nil), valid...), 0), ocsp.ErrMalformedResponse},
		{"status 4", []byte{0x30, 0x03, 0x0a, 0x01, 0x04}, ocsp.ErrMalformedResponse},
		{"status 7", []byte{0x30, 0x03, 0x0a, 0x01, 0x07}, ocsp.ErrMalformedResponse},
		{"status as INTEGER", []byte{0x30, 0x03, 0x02, 0x01, 0x01}, ocsp.ErrMalformedResponse},
		{"successful without responseBytes", []byte{0x30, 0x03, 0x0a, 0x01, 0x00}, ocsp.ErrMalformedResponse},
		{"error status with responseBytes", wrapped(1, basic), ocsp.ErrMalformedResponse},
		{"empty BasicOCSPResponse", wrapped(0, basic), ocsp.ErrMalformedResponse},
		{"other response type", wrapped(0, []int{1, 3, 6, 1, 5, 5, 7, 48, 1, 99}), ocsp.ErrMalformedResponse},
		{"unknown CertID hash", replace([]byte{0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a}, []byte{0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1b}), ocsp.ErrUnknownHash},
		{"reason 7", replace([]byte{0xa0, 0x03, 0x0a, 0x01, 0x01}, []byte{0xa0, 0x03, 0x0a, 0x01, 0x07}), ocsp.ErrMalformedResponse},
		{"status tag [3]", replace([]byte{0xa1, 0x16, 0x18, 0x0f}, []byte{0xa3, 0x16, 0x18, 0x0f}), ocsp.ErrMalformedResponse},
		{"producedAt not in UTC", producedAtNotUTC(t, valid), ocsp.ErrMalformedResponse},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ocsp.ParseResponse(tt.der)
			if !errors.Is(err, tt.want) || r != nil {
				t.Fatalf("ParseResponse = %v, %v; want an error wrapping %v", r, err, tt.want)
			}
		})
	}
}

func TestCertIDAndIssuerHashes(t *testing.T) {
	f := newFixture(t, gost3410.ParamsTC26512A())
	inter, err := ocsp.NewIssuerHashes(f.interCert)
	if err != nil {
		t.Fatal(err)
	}
	root, err := ocsp.NewIssuerHashes(f.rootCert)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []ocsp.HashAlgorithm{ocsp.SHA1, ocsp.SHA256, ocsp.Streebog256, ocsp.Streebog512} {
		t.Run(h.String(), func(t *testing.T) {
			id := f.id(t, h, f.leaf.SerialNumber)
			if len(id.IssuerNameHash) != h.Size() || len(id.IssuerKeyHash) != h.Size() {
				t.Fatalf("hash lengths %d, %d, want %d", len(id.IssuerNameHash), len(id.IssuerKeyHash), h.Size())
			}
			if !inter.Matches(&id) {
				t.Error("the intermediate's hashes do not match its CertID")
			}
			if root.Matches(&id) {
				t.Error("the root's hashes match the intermediate's CertID")
			}
			if h == ocsp.SHA1 && !bytes.Equal(id.IssuerKeyHash, f.interCert.SubjectKeyId) {
				t.Error("the SHA-1 key hash is not the intermediate's subject key identifier (RFC 5280 method 1)")
			}
			swapped := id
			swapped.IssuerNameHash, swapped.IssuerKeyHash = id.IssuerKeyHash, id.IssuerNameHash
			if inter.Matches(&swapped) {
				t.Error("swapped hashes match")
			}
		})
	}
	if inter.Matches(&ocsp.CertID{}) {
		t.Error("the zero CertID matches")
	}
	if _, err := ocsp.NewCertID(0, f.interCert, big.NewInt(1)); !errors.Is(err, ocsp.ErrUnknownHash) {
		t.Errorf("NewCertID(0) = %v, want ErrUnknownHash", err)
	}
	if _, err := ocsp.NewCertID(ocsp.SHA1, f.interCert, nil); err == nil {
		t.Error("NewCertID without a serial succeeded")
	}
	if _, err := ocsp.NewIssuerHashes(nil); err == nil {
		t.Error("NewIssuerHashes(nil) succeeded")
	}
}

// producedAtNotUTC returns der with the 'Z' of producedAt made '+'.
// producedAt is the GeneralizedTime right after the responderID byKey,
// [2] { OCTET STRING of 20 octets }: located by structure, since a 'Z'
// (0x5a) may as well stand in a hash or a signature.
func producedAtNotUTC(t *testing.T, der []byte) []byte {
	t.Helper()
	i := bytes.Index(der, []byte{0xa2, 0x16, 0x04, 0x14})
	if i < 0 {
		t.Fatal("no responderID byKey in the response")
	}
	at := i + 4 + 20 // the producedAt TLV
	if der[at] != 0x18 || der[at+1] != 0x0f || der[at+2+14] != 'Z' {
		t.Fatalf("no GeneralizedTime after the responderID: % x", der[at:at+17])
	}
	out := bytes.Clone(der)
	out[at+2+14] = '+'
	return out
}

// TestExtendedRevoke: the extended revoked definition extension is written
// (NULL, after the nonce) and read back, and a malformed one refused.
func TestExtendedRevoke(t *testing.T) {
	f := newFixture(t, gost3410.ParamsTC26256A())
	now := f.now()
	id := f.id(t, ocsp.SHA1, big.NewInt(0x1234))
	single := ocsp.SingleResponse{ID: id, Status: ocsp.Revoked, RevokedAt: time.Unix(0, 0).UTC(), Reason: cert.ReasonCertificateHold, ThisUpdate: now}
	for _, nonce := range [][]byte{nil, []byte("0123456789abcdef")} {
		tmpl := &ocsp.ResponseTemplate{Responses: []ocsp.SingleResponse{single}, ProducedAt: now, Nonce: nonce, ExtendedRevoke: true}
		der, err := ocsp.CreateResponse(rand.Reader, tmpl, f.interCert, f.interKey)
		if err != nil {
			t.Fatal(err)
		}
		ext := []byte{0x30, 0x0f, 0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x09, 0x04, 0x02, 0x05, 0x00}
		if !bytes.Contains(der, ext) {
			t.Fatalf("no extended revoke extension (%x) in %x", ext, der)
		}
		r, err := ocsp.ParseResponse(der)
		if err != nil {
			t.Fatal(err)
		}
		if !r.ExtendedRevoke || !bytes.Equal(r.Nonce, nonce) {
			t.Errorf("ExtendedRevoke %v, nonce %x; want true, %x", r.ExtendedRevoke, r.Nonce, nonce)
		}
		checkResponse(t, r, []ocsp.SingleResponse{single}, now, nonce)
		if err := r.CheckSignatureFrom(f.interCert); err != nil {
			t.Fatal(err)
		}
		// Its value must be NULL: an OCTET STRING holding 01 00 instead
		// is refused (ParseResponse does not check the signature).
		bad := bytes.Replace(der, ext, append(append([]byte{}, ext[:len(ext)-3]...), 0x02, 0x01, 0x00), 1)
		if _, err := ocsp.ParseResponse(bad); err == nil {
			t.Error("a non-NULL extended revoke extension was accepted")
		}
	}
	plain := f.sign(t, false, nil, single)
	if r, err := ocsp.ParseResponse(plain); err != nil || r.ExtendedRevoke {
		t.Errorf("without the extension: ExtendedRevoke %v, %v", r != nil && r.ExtendedRevoke, err)
	}
}
