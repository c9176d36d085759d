package cms_test

import (
	"bytes"
	"crypto/x509"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/crypto/gost3410"
)

func TestCheckSignerCertificate(t *testing.T) {
	params := gost3410.ParamsCryptoProA()
	p := newTestPKI(t, params)
	for _, tc := range []struct {
		name string
		o    *leafOptions
		at   time.Time
		want error
	}{
		{"current", nil, testNow, nil},
		{"on its last second", &leafOptions{notAfter: testNow}, testNow, nil},
		{"expired", &leafOptions{notBefore: testNow.AddDate(-2, 0, 0), notAfter: testNow.AddDate(-1, 0, 0)}, testNow, cms.ErrCertificateValidity},
		{"not yet valid", &leafOptions{notBefore: testNow.Add(time.Hour)}, testNow, cms.ErrCertificateValidity},
		{"nonRepudiation only", &leafOptions{keyUsage: x509.KeyUsageContentCommitment}, testNow, nil},
		{"keyEncipherment only", &leafOptions{keyUsage: x509.KeyUsageKeyEncipherment}, testNow, cms.ErrKeyUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := p.issue(t, params, tc.name, tc.o)
			err := cms.CheckSignerCertificate(c, tc.at)
			if !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Errorf("CheckSignerCertificate = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestCheckCoSign(t *testing.T) {
	first := newTestSigner(t, gost3410.ParamsCryptoProA(), "first")
	second := newTestSigner(t, gost3410.ParamsTC26512A(), "second")
	content := []byte("договор")
	detached := parse(t, signDetached(t, first.s, content))
	attached := parse(t, signAttached(t, first.s, content))
	for _, tc := range []struct {
		name    string
		sd      *cms.SignedData
		content []byte
		signer  *signer
		want    error
		index   int
	}{
		{"detached", detached, content, second, nil, 0},
		{"attached", attached, nil, second, nil, 0},
		{"same signer again", detached, content, first, cms.ErrDuplicateSigner, 0},
		{"other content", detached, []byte("другой договор"), second, cms.ErrDigestMismatch, 0},
		{"no content", detached, nil, second, cms.ErrNoContent, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r io.Reader
			if tc.content != nil {
				r = bytes.NewReader(tc.content)
			}
			err := tc.sd.CheckCoSign(tc.signer.cert, r)
			if !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Fatalf("CheckCoSign = %v, want %v", err, tc.want)
			}
			var se *cms.SignerError
			if tc.index >= 0 && err != nil && (!errors.As(err, &se) || se.Index != tc.index) {
				t.Errorf("CheckCoSign = %v, want a *SignerError for signature %d", err, tc.index)
			}
		})
	}
	// The check passed, the co-signature verifies for both.
	if err := detached.CheckCoSign(second.cert, bytes.NewReader(content)); err != nil {
		t.Fatal(err)
	}
	out, err := second.s.CoSign(detached, bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	if err := parse(t, out).CheckCoSign(first.cert, bytes.NewReader(content)); !errors.Is(err, cms.ErrDuplicateSigner) || !strings.Contains(err.Error(), "signer 0") {
		t.Errorf("after co-signing, the first signer again: %v", err)
	}
}
