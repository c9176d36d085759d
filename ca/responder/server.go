package responder

import (
	"log/slog"
	"net/http"
	"time"
)

// The limits NewServer sets. A client has ReadHeaderTimeout to send its
// request line and headers and ReadTimeout for the whole request; an idle
// keep-alive connection is closed after IdleTimeout.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 10 * time.Second
	WriteTimeout      = 10 * time.Second
	IdleTimeout       = 60 * time.Second
	MaxHeaderBytes    = 16 << 10
)

// NewServer returns an http.Server for h with the limits above, so that a
// client that sends its request slowly (slowloris), sends none, or keeps
// an idle connection cannot hold a goroutine for long: the server still
// answers the others at once. Its error log goes to log at warn level.
// The caller sets Addr (or calls Serve with a listener) and may change
// the limits.
func NewServer(h http.Handler, log *slog.Logger) *http.Server {
	if log == nil {
		log = slog.Default()
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}
