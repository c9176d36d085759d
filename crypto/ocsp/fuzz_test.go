package ocsp_test

import (
	"bytes"
	"testing"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/ocsp"
)

func FuzzParseRequest(f *testing.F) {
	v1 := int64(0)
	for _, r := range []rawRequest{
		{}, {ids: 3}, {nonces: [][]byte{make([]byte, 16)}}, {version: &v1, requestorName: true, signature: true},
		{otherCritical: true, singleExt: true, noHashParams: true}, {hashOID: oidMD5, hashLen: 16},
		{nonces: [][]byte{make([]byte, 33)}}, {nonces: [][]byte{{}}}, {ids: -1},
	} {
		f.Add(r.der(f))
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		req, err := ocsp.ParseRequest(der)
		if err != nil {
			return
		}
		if !bytes.Equal(req.Raw, der) || len(req.IDs) == 0 {
			t.Fatal("accepted request: Raw differs from the input, or no CertID")
		}
		// Re-encoding keeps the CertIDs and the nonce, and is canonical.
		again, err := ocsp.CreateRequest(req.IDs, req.Nonce)
		if err != nil {
			t.Fatalf("CreateRequest of a parsed request: %v", err)
		}
		req2, err := ocsp.ParseRequest(again)
		if err != nil {
			t.Fatalf("ParseRequest of the re-encoded request: %v", err)
		}
		if len(req2.IDs) != len(req.IDs) || !bytes.Equal(req2.Nonce, req.Nonce) || (req2.Nonce == nil) != (req.Nonce == nil) {
			t.Fatal("re-encoding changed the request")
		}
		for i := range req.IDs {
			if !req.IDs[i].Equal(&req2.IDs[i]) {
				t.Fatalf("re-encoding changed CertID %d", i)
			}
		}
		third, err := ocsp.CreateRequest(req2.IDs, req2.Nonce)
		if err != nil || !bytes.Equal(third, again) {
			t.Fatal("re-encoding is not canonical")
		}
	})
}

func FuzzParseResponse(f *testing.F) {
	fx := newFixture(f, gost3410.ParamsCryptoProA())
	now := fx.now()
	id := fx.id(f, ocsp.SHA1, fx.leaf.SerialNumber)
	f.Add(fx.sign(f, false, nil, ocsp.SingleResponse{ID: id, Status: ocsp.Good, ThisUpdate: now, NextUpdate: now.Add(hour)}))
	f.Add(fx.sign(f, true, []byte{1, 2, 3}, ocsp.SingleResponse{ID: id, Status: ocsp.Revoked, RevokedAt: now, Reason: cert.ReasonCertificateHold, ThisUpdate: now},
		ocsp.SingleResponse{ID: fx.id(f, ocsp.Streebog512, fx.leaf.SerialNumber), Status: ocsp.Unknown, ThisUpdate: now}))
	for _, s := range []ocsp.ResponseStatus{ocsp.MalformedRequest, ocsp.Unauthorized} {
		f.Add(ocsp.ErrorResponse(s))
	}
	issuer := fx.interCert
	f.Fuzz(func(t *testing.T, der []byte) {
		r, err := ocsp.ParseResponse(der)
		if err != nil {
			return
		}
		if !bytes.Equal(r.Raw, der) || len(r.Responses) == 0 || len(r.RawTBS) == 0 {
			t.Fatal("accepted response: Raw differs from the input, no responses or no RawTBS")
		}
		if (r.ResponderKeyHash == nil) == (r.ResponderName == nil) {
			t.Fatal("accepted response: not exactly one responderID")
		}
		_ = r.CheckSignatureFrom(issuer)
	})
}
