package status

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/ocsp"
)

// Defaults of OCSPOptions.
const (
	DefaultOCSPTimeout      = 10 * time.Second
	DefaultMaxResponseBytes = 1 << 20
)

// nonceLength is the length of the nonces sent (RFC 8954 §2.1
// recommends 32 octets; OpenSSL sends 16, which every responder takes).
const nonceLength = 16

// OCSPOptions are the optional inputs of NewOCSP. The zero value, and nil,
// give the defaults.
type OCSPOptions struct {
	// Client sends the requests. Default: an http.Client with the
	// default transport; Timeout bounds each exchange either way.
	Client *http.Client
	// Timeout bounds one exchange, from sending the request to reading
	// the whole response. Default DefaultOCSPTimeout.
	Timeout time.Duration
	// MaxResponseBytes bounds a response. Default
	// DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// Hash is the CertID hash algorithm. Default ocsp.SHA1, which RFC
	// 5019 responders expect.
	Hash ocsp.HashAlgorithm
	// Rand is the source of nonces. Default crypto/rand.Reader.
	Rand io.Reader
	// Clock gives the current time, to mark an answer past its nextUpdate
	// Stale and refuse one dated in the future. Default time.Now.
	Clock func() time.Time
	// ClockSkew is how far in the future thisUpdate may be. Default 5
	// minutes.
	ClockSkew time.Duration
}

// OCSP asks an OCSP responder. It is safe for concurrent use if its
// options' Client and Rand are.
type OCSP struct {
	url  string
	opts OCSPOptions
}

// NewOCSP returns an OCSP checker for the responder at rawURL, an absolute
// http or https URL.
func NewOCSP(rawURL string, opts *OCSPOptions) (*OCSP, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("status: OCSP URL %q is not an absolute http or https URL", rawURL)
	}
	o := &OCSP{url: rawURL}
	if opts != nil {
		o.opts = *opts
	}
	if o.opts.Client == nil {
		o.opts.Client = &http.Client{}
	}
	if o.opts.Timeout <= 0 {
		o.opts.Timeout = DefaultOCSPTimeout
	}
	if o.opts.MaxResponseBytes <= 0 {
		o.opts.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if o.opts.Hash == 0 {
		o.opts.Hash = ocsp.SHA1
	}
	if o.opts.Rand == nil {
		o.opts.Rand = rand.Reader
	}
	if o.opts.Clock == nil {
		o.opts.Clock = time.Now
	}
	if o.opts.ClockSkew <= 0 {
		o.opts.ClockSkew = defaultClockSkew
	}
	return o, nil
}

// Check POSTs an OCSP request for c with a fresh nonce and returns the
// responder's answer, once it has checked that the response is signed by
// issuer or by a responder certificate issuer issued with
// id-kp-OCSPSigning (else ErrBadSignature), echoes the nonce (else
// ErrNonceMismatch), answers for c's CertID (else ErrCertIDMismatch) and
// has a thisUpdate not in the future (else ErrTime). A response past its
// nextUpdate answers with Result.Stale set. Network failures, timeouts, an
// HTTP status other than 200 (*HTTPError) and unsuccessful OCSP statuses
// (*ocsp.StatusError) wrap ErrUnavailable; a response over the size limit
// fails with ErrTooLarge, one that does not parse with ErrMalformed.
func (o *OCSP) Check(ctx context.Context, c, issuer *cert.Certificate) (*Result, error) {
	if err := checkIssued(c, issuer); err != nil {
		return nil, err
	}
	id, err := ocsp.NewCertID(o.opts.Hash, issuer, c.SerialNumber)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	nonce := make([]byte, nonceLength)
	if _, err := io.ReadFull(o.opts.Rand, nonce); err != nil {
		return nil, fmt.Errorf("status: making a nonce: %w", err)
	}
	req, err := ocsp.CreateRequest([]ocsp.CertID{*id}, nonce)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	body, err := o.post(ctx, req)
	if err != nil {
		return nil, err
	}
	resp, err := ocsp.ParseResponse(body)
	if se := (*ocsp.StatusError)(nil); errors.As(err, &se) {
		return nil, fmt.Errorf("%w: %s: %w", ErrUnavailable, o.url, err)
	} else if err != nil {
		return nil, fmt.Errorf("%w: from %s: %w", ErrMalformed, o.url, err)
	}
	if err := resp.CheckSignatureFrom(issuer); err != nil {
		return nil, fmt.Errorf("%w: from %s: %w", ErrBadSignature, o.url, err)
	}
	if !bytes.Equal(resp.Nonce, nonce) {
		if resp.Nonce == nil {
			return nil, fmt.Errorf("%w: %s sent no nonce", ErrNonceMismatch, o.url)
		}
		return nil, fmt.Errorf("%w: %s sent %x, not %x", ErrNonceMismatch, o.url, resp.Nonce, nonce)
	}
	var single *ocsp.SingleResponse
	for i := range resp.Responses {
		if resp.Responses[i].ID.Equal(id) {
			single = &resp.Responses[i]
			break
		}
	}
	if single == nil {
		return nil, fmt.Errorf("%w: %s answered only for other certificates, not serial %#x", ErrCertIDMismatch, o.url, c.SerialNumber)
	}
	now := o.opts.Clock()
	if single.ThisUpdate.After(now.Add(o.opts.ClockSkew)) {
		return nil, fmt.Errorf("%w: %s answered with thisUpdate %v", ErrTime, o.url, single.ThisUpdate)
	}
	res := &Result{
		Source:     "OCSP " + o.url,
		ThisUpdate: single.ThisUpdate,
		NextUpdate: single.NextUpdate,
		Stale:      stale(single.NextUpdate, now),
	}
	switch single.Status {
	case ocsp.Good:
		res.State = ca.StateGood
	case ocsp.Revoked:
		res.setRevoked(single.RevokedAt, single.Reason, time.Time{})
	default:
		res.State = ca.StateUnknown
	}
	return res, nil
}

// post sends the DER request and returns the response body.
func (o *OCSP) post(ctx context.Context, req []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, o.opts.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, o.url, bytes.NewReader(req))
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/ocsp-request")
	hreq.Header.Set("Accept", "application/ocsp-response")
	hresp, err := o.opts.Client.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer hresp.Body.Close()
	if hresp.StatusCode != http.StatusOK {
		return nil, &HTTPError{URL: o.url, StatusCode: hresp.StatusCode}
	}
	body, err := io.ReadAll(io.LimitReader(hresp.Body, o.opts.MaxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading the response of %s: %w", ErrUnavailable, o.url, err)
	}
	if int64(len(body)) > o.opts.MaxResponseBytes {
		return nil, fmt.Errorf("%w: %s sent more than %d bytes", ErrTooLarge, o.url, o.opts.MaxResponseBytes)
	}
	return body, nil
}
