package responder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"time"

	"github.com/gostca/gostca/crypto/ocsp"
)

// Source answers OCSP requests. The Handler calls it for every well-formed
// request; a Cache is one, and decorators such as Logged wrap one.
type Source interface {
	// Response returns the signed response to req, or an error wrapping
	// ErrUnauthorized or ErrTryLater (any other error is answered
	// internalError).
	Response(ctx context.Context, req *ocsp.Request) (*Response, error)
}

// CRLSource returns the CA's current full or delta CRL, or an error
// wrapping ErrTryLater when it has none yet.
type CRLSource interface {
	CRL(delta bool) (*Document, error)
}

// Errors a Source returns, which the Handler maps to OCSP statuses.
var (
	// ErrUnauthorized: the request names a certificate of an issuer this
	// responder does not answer for. Answered unauthorized.
	ErrUnauthorized = errors.New("responder: request for another issuer")
	// ErrTryLater: the responder cannot answer now (not loaded yet, or
	// overloaded). Answered tryLater.
	ErrTryLater = errors.New("responder: try later")
)

// Response is a signed OCSP response and what the HTTP caching headers are
// made of. It is read-only once made.
type Response struct {
	Document
	// Nonce says the response echoes a request's nonce: it is for one
	// client and must not be cached.
	Nonce bool
}

// Document is a signed DER object served over HTTP (an OCSP response or a
// CRL) with its validity. It is read-only once made.
type Document struct {
	DER                    []byte
	ThisUpdate, NextUpdate time.Time
	// ETag is the quoted entity tag: a hash of DER.
	ETag string
}

// newDocument returns the Document of der, with its ETag.
func newDocument(der []byte, thisUpdate, nextUpdate time.Time) Document {
	sum := sha256.Sum256(der)
	return Document{DER: der, ThisUpdate: thisUpdate, NextUpdate: nextUpdate, ETag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

// SourceFunc adapts a function to a Source.
type SourceFunc func(ctx context.Context, req *ocsp.Request) (*Response, error)

// Response calls f.
func (f SourceFunc) Response(ctx context.Context, req *ocsp.Request) (*Response, error) {
	return f(ctx, req)
}

// Logged returns a Source that logs every answer of src to log: at debug
// level the serial numbers and how long it took, at warn level the errors
// other than ErrUnauthorized and ErrTryLater.
func Logged(src Source, log *slog.Logger) Source {
	return SourceFunc(func(ctx context.Context, req *ocsp.Request) (*Response, error) {
		start := time.Now()
		resp, err := src.Response(ctx, req)
		if err == nil && !log.Enabled(ctx, slog.LevelDebug) {
			return resp, nil
		}
		serials := make([]string, len(req.IDs))
		for i := range req.IDs {
			serials[i] = req.IDs[i].SerialNumber.Text(16)
		}
		switch {
		case err == nil:
			log.LogAttrs(ctx, slog.LevelDebug, "ocsp response", slog.Any("serials", serials), slog.Bool("nonce", resp.Nonce), slog.Duration("took", time.Since(start)))
		case errors.Is(err, ErrUnauthorized), errors.Is(err, ErrTryLater):
			log.LogAttrs(ctx, slog.LevelDebug, "ocsp refused", slog.Any("serials", serials), slog.String("error", err.Error()))
		default:
			log.LogAttrs(ctx, slog.LevelWarn, "ocsp failed", slog.Any("serials", serials), slog.String("error", err.Error()))
		}
		return resp, err
	})
}
