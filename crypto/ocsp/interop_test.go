package ocsp_test

import (
	"bytes"
	"fmt"
	"github.com/gostca/gostca/internal/testkit"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/ocsp"
	"github.com/gostca/gostca/internal/interop"
)

// The verdicts of OpenSSL 3.0's "openssl ocsp", as it prints them: the
// status lines on standard output, the rest on standard error.
const (
	opensslVerifyOK     = "Response verify OK"
	opensslNoNonce      = "WARNING: no nonce in response"
	opensslNonceError   = "Nonce Verify error"
	opensslNoStatus     = "ERROR: No Status found."
	opensslReasonPrefix = "\tReason: "
)

// TestOpenSSLInterop has OpenSSL with the GOST engine make requests, which
// ParseRequest reads, and verify the responses CreateResponse makes for
// them: good, revoked, held and unknown, with and without the nonce,
// signed by the intermediate itself and by its delegated responder, on a
// 256-bit and a 512-bit hierarchy.
func TestOpenSSLInterop(t *testing.T) {
	o := interop.OpenSSL(t)
	testkit.ForEachParams(t, testParams(), func(t *testing.T, params *gost3410.Params) {
		f := newFixture(t, params)
		dir := t.TempDir()
		rootPEM := testkit.WritePEM(t, filepath.Join(dir, "root.pem"), "CERTIFICATE", f.rootCert.Raw)
		interPEM := testkit.WritePEM(t, filepath.Join(dir, "inter.pem"), "CERTIFICATE", f.interCert.Raw)
		leafPEM := testkit.WritePEM(t, filepath.Join(dir, "leaf.pem"), "CERTIFICATE", f.leaf.Raw)
		hashes, err := ocsp.NewIssuerHashes(f.interCert)
		if err != nil {
			t.Fatal(err)
		}
		now := f.now()

		requests := []struct {
			name  string
			md    string // OpenSSL's digest flag for the CertID
			hash  ocsp.HashAlgorithm
			nonce bool
		}{
			{"sha1 nonce", "-sha1", ocsp.SHA1, true},
			{"sha1 no nonce", "-sha1", ocsp.SHA1, false},
			{"sha256", "-sha256", ocsp.SHA256, true},
			{"streebog256", "-md_gost12_256", ocsp.Streebog256, true},
			{"streebog512", "-md_gost12_512", ocsp.Streebog512, true},
		}
		statuses := []struct {
			name   string
			single ocsp.SingleResponse
			line   string // OpenSSL's status word
			reason string // OpenSSL's Reason line, "" for none
		}{
			{"good", ocsp.SingleResponse{Status: ocsp.Good, ThisUpdate: now, NextUpdate: now.Add(hour)}, "good", ""},
			{"revoked keyCompromise", ocsp.SingleResponse{Status: ocsp.Revoked, RevokedAt: now.Add(-hour), Reason: cert.ReasonKeyCompromise, ThisUpdate: now, NextUpdate: now.Add(hour)}, "revoked", "keyCompromise"},
			{"revoked unspecified", ocsp.SingleResponse{Status: ocsp.Revoked, RevokedAt: now.Add(-hour), ThisUpdate: now}, "revoked", ""},
			{"held", ocsp.SingleResponse{Status: ocsp.Revoked, RevokedAt: now.Add(-hour), Reason: cert.ReasonCertificateHold, ThisUpdate: now, NextUpdate: now.Add(hour)}, "held", "certificateHold"},
			{"unknown", ocsp.SingleResponse{Status: ocsp.Unknown, ThisUpdate: now}, "unknown", ""},
		}
		signers := []struct {
			name      string
			delegated bool
			trust     []string // how OpenSSL finds the signer
		}{
			{"CA verify_other", false, []string{"-verify_other", interPEM}},
			{"CA VAfile", false, []string{"-VAfile", interPEM}},
			{"delegated", true, []string{"-verify_other", interPEM}},
		}

		for _, rq := range requests {
			t.Run(rq.name, func(t *testing.T) {
				reqPath := filepath.Join(dir, strings.ReplaceAll(rq.name, " ", "-")+".req")
				args := []string{"ocsp", rq.md, "-issuer", interPEM, "-cert", leafPEM, "-reqout", reqPath}
				if !rq.nonce {
					args = append(args, "-no_nonce")
				}
				o.Run(t, nil, args...)
				req, err := ocsp.ParseRequest(testkit.ReadFile(t, reqPath))
				if err != nil {
					t.Fatalf("ParseRequest of OpenSSL's request: %v", err)
				}
				want := f.id(t, rq.hash, f.leaf.SerialNumber)
				if len(req.IDs) != 1 || !req.IDs[0].Equal(&want) {
					t.Fatalf("IDs = %+v, want [%+v]", req.IDs, want)
				}
				if !hashes.Matches(&req.IDs[0]) {
					t.Error("IssuerHashes.Matches(OpenSSL's CertID) = false")
				}
				if got := req.Nonce != nil; got != rq.nonce {
					t.Fatalf("nonce present = %v, want %v", got, rq.nonce)
				}
				if rq.nonce && len(req.Nonce) != 16 {
					t.Errorf("nonce is %d octets, OpenSSL sends 16", len(req.Nonce))
				}

				for _, st := range statuses {
					for _, sg := range signers {
						t.Run(st.name+"/"+sg.name, func(t *testing.T) {
							single := st.single
							single.ID = req.IDs[0]
							respPath := testkit.WriteFile(t, t.TempDir(), "resp.der", f.sign(t, sg.delegated, req.Nonce, single))
							trust := append([]string{"-CAfile", rootPEM}, sg.trust...)

							// The status as OpenSSL reads it for the leaf.
							stdout := o.Run(t, nil, append([]string{"ocsp", rq.md, "-no_nonce", "-respin", respPath, "-issuer", interPEM, "-cert", leafPEM}, trust...)...)
							checkStatusLines(t, stdout, leafPEM, st.line, st.reason)
							// The signature and the nonce, against the request.
							out, err := o.Combined(nil, append([]string{"ocsp", "-no_nonce", "-reqin", reqPath, "-respin", respPath}, trust...)...)
							if err != nil {
								t.Fatalf("%v\n%s", err, out)
							}
							checkVerified(t, out)
						})
					}
				}
			})
		}

		// A response that does not echo the nonce draws OpenSSL's warning:
		// the check above is not vacuous.
		t.Run("nonce not echoed", func(t *testing.T) {
			reqPath := filepath.Join(dir, "nonce.req")
			o.Run(t, nil, "ocsp", "-issuer", interPEM, "-cert", leafPEM, "-reqout", reqPath)
			req, err := ocsp.ParseRequest(testkit.ReadFile(t, reqPath))
			if err != nil {
				t.Fatal(err)
			}
			respPath := testkit.WriteFile(t, t.TempDir(), "resp.der", f.sign(t, false, nil, ocsp.SingleResponse{ID: req.IDs[0], Status: ocsp.Good, ThisUpdate: now}))
			out, err := o.Combined(nil, "ocsp", "-no_nonce", "-reqin", reqPath, "-respin", respPath, "-CAfile", rootPEM, "-verify_other", interPEM)
			if err != nil || !bytes.Contains(out, []byte(opensslNoNonce)) || !bytes.Contains(out, []byte(opensslVerifyOK)) {
				t.Fatalf("want %q and %q: %v\n%s", opensslNoNonce, opensslVerifyOK, err, out)
			}
			other := make([]byte, 16)
			respPath = testkit.WriteFile(t, t.TempDir(), "resp.der", f.sign(t, false, other, ocsp.SingleResponse{ID: req.IDs[0], Status: ocsp.Good, ThisUpdate: now}))
			out, err = o.Combined(nil, "ocsp", "-no_nonce", "-reqin", reqPath, "-respin", respPath, "-CAfile", rootPEM, "-verify_other", interPEM)
			if err == nil || !bytes.Contains(out, []byte(opensslNonceError)) {
				t.Fatalf("a wrong nonce: want %q and a failure: %v\n%s", opensslNonceError, err, out)
			}
		})

		// A response whose signature is corrupted is refused: the
		// verifications above are not vacuous either.
		t.Run("corrupted signature", func(t *testing.T) {
			der := f.sign(t, false, nil, ocsp.SingleResponse{ID: f.id(t, ocsp.SHA1, f.leaf.SerialNumber), Status: ocsp.Good, ThisUpdate: now})
			der[len(der)-1] ^= 1 // the last octet of the signature (no certs follow)
			respPath := testkit.WriteFile(t, t.TempDir(), "resp.der", der)
			out, err := o.Combined(nil, "ocsp", "-no_nonce", "-respin", respPath, "-issuer", interPEM, "-cert", leafPEM, "-CAfile", rootPEM, "-verify_other", interPEM)
			if err == nil || bytes.Contains(out, []byte(opensslVerifyOK)) {
				t.Fatalf("OpenSSL accepted a corrupted signature: %v\n%s", err, out)
			}
		})
	})
}

// checkStatusLines checks OpenSSL's summary of the leaf: "<file>: good"
// (or revoked, unknown), then for revoked a "Reason:" line when there is a
// reason. A held certificate is "revoked" with "Reason: certificateHold".
func checkStatusLines(t *testing.T, stdout []byte, leafPEM, status, reason string) {
	t.Helper()
	if status == "held" {
		status = "revoked"
	}
	if line := leafPEM + ": " + status + "\n"; !bytes.Contains(stdout, []byte(line)) {
		t.Errorf("OpenSSL did not print %q:\n%s", line, stdout)
	}
	hasReason := bytes.Contains(stdout, []byte(opensslReasonPrefix))
	switch {
	case reason == "" && hasReason:
		t.Errorf("OpenSSL printed a reason:\n%s", stdout)
	case reason != "" && !bytes.Contains(stdout, []byte(opensslReasonPrefix+reason+"\n")):
		t.Errorf("OpenSSL did not print %q:\n%s", opensslReasonPrefix+reason, stdout)
	}
}

// checkVerified checks that OpenSSL verified the response and its nonce.
func checkVerified(t *testing.T, out []byte) {
	t.Helper()
	if !bytes.Contains(out, []byte(opensslVerifyOK)) {
		t.Errorf("OpenSSL did not print %q:\n%s", opensslVerifyOK, out)
	}
	for _, bad := range []string{opensslNoNonce, opensslNonceError, opensslNoStatus} {
		if bytes.Contains(out, []byte(bad)) {
			t.Errorf("OpenSSL printed %q:\n%s", bad, out)
		}
	}
}

// TestOpenSSLErrorResponses has OpenSSL read every ErrorResponse.
func TestOpenSSLErrorResponses(t *testing.T) {
	o := interop.OpenSSL(t)
	dir := t.TempDir()
	for _, tt := range []struct {
		status ocsp.ResponseStatus
		want   string
	}{
		{ocsp.MalformedRequest, "Responder Error: malformedrequest (1)"},
		{ocsp.InternalError, "Responder Error: internalerror (2)"},
		{ocsp.TryLater, "Responder Error: trylater (3)"},
		{ocsp.SigRequired, "Responder Error: sigrequired (5)"},
		{ocsp.Unauthorized, "Responder Error: unauthorized (6)"},
	} {
		t.Run(tt.status.String(), func(t *testing.T) {
			path := testkit.WriteFile(t, dir, fmt.Sprintf("%d.der", tt.status), ocsp.ErrorResponse(tt.status))
			out, _ := o.Combined(nil, "ocsp", "-respin", path) // exits 1
			if !bytes.Contains(out, []byte(tt.want+"\n")) {
				t.Errorf("OpenSSL printed %q, want %q", out, tt.want)
			}
		})
	}
}
