package cli

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gostca/gostca/ca/responder"
)

// The http.Server limits of serve.
const (
	serveReadHeaderTimeout = 5 * time.Second
	serveReadTimeout       = 10 * time.Second
	serveWriteTimeout      = 10 * time.Second
	serveIdleTimeout       = 60 * time.Second
	serveMaxHeaderBytes    = 16 << 10
	serveShutdownTimeout   = 10 * time.Second
)

func (a *app) serveCommand() *cobra.Command {
	var listen, logLevel string
	var poll, validity time.Duration
	cmd := &cobra.Command{
		Use:   "serve --listen ADDR",
		Short: "Serve OCSP, CRLs and the CA certificate over HTTP",
		Long: `Serve answers OCSP requests (POST /ocsp, GET /ocsp/{base64}), serves the
full and delta CRLs (/crl, /crl/delta), the CA certificate (/ca.crt) and a
health check (/healthz), until SIGINT or SIGTERM.

It does not keep the ledger open: it reads it for a moment every --poll
(other gostca commands keep working, and a revocation is answered within
about a second), and opens it for writing for a moment to make the CRLs
after revocations (at most every 10 seconds) and every hour. Responses are
pre-signed, valid for --validity, and re-signed half-way. Logs go to
standard error.`,
		Example: `  gostca serve --listen :8080
  gostca serve --listen 127.0.0.1:8080 --validity 30m`,
		Args: usageArgs(cobra.NoArgs),
	}
	cmd.Flags().StringVar(&listen, "listen", "", "listen on `ADDR` (host:port)")
	cmd.Flags().DurationVar(&poll, "poll", responder.DefaultPollInterval, "how often to read the ledger")
	cmd.Flags().DurationVar(&validity, "validity", responder.DefaultResponseValidity, "nextUpdate − thisUpdate of the responses")
	cmd.Flags().StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	cmd.MarkFlagRequired("listen")
	keys := addCAKeyFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var level slog.Level
		if err := level.UnmarshalText([]byte(logLevel)); err != nil {
			return usagef("unknown --log-level %q", logLevel).withHint("use debug, info, warn or error")
		}
		if poll <= 0 || validity < time.Minute {
			return usagef("--poll must be positive and --validity at least 1m")
		}
		log := slog.New(slog.NewTextHandler(a.env.Stderr, &slog.HandlerOptions{Level: level}))

		// Load the CA as the other commands do, then let the ledger go:
		// the responder reads it only for moments.
		au, err := a.openCA(keys)
		if err != nil {
			return err
		}
		caCfg := au.Config()
		caCfg.Store = nil
		ledger := au.db.Path()
		if err := au.db.Close(); err != nil {
			au.closeKey()
			return err
		}
		defer au.closeKey()

		cache, err := responder.New(responder.Config{
			Ledger: ledger, CA: caCfg, PollInterval: poll, ResponseValidity: validity, Logger: log,
		})
		if err != nil {
			return failf("%s", trimPrefix(err)).because(err)
		}
		h, err := responder.NewHandler(responder.HandlerOptions{
			OCSP:    responder.Logged(cache, log),
			CRLs:    cache,
			CACert:  caCfg.Certificate.Raw,
			Health:  cache.Healthy,
			Metrics: cache.WriteMetrics,
			Logger:  log,
		})
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			return failf("listening on %s: %v", listen, err).withHint("choose another address with --listen")
		}
		srv := &http.Server{
			Handler:           h,
			ReadHeaderTimeout: serveReadHeaderTimeout,
			ReadTimeout:       serveReadTimeout,
			WriteTimeout:      serveWriteTimeout,
			IdleTimeout:       serveIdleTimeout,
			MaxHeaderBytes:    serveMaxHeaderBytes,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
		ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
		defer stop()
		follower := make(chan error, 1)
		go func() { follower <- cache.Run(ctx) }()
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ln) }()
		log.Info("serving", "addr", ln.Addr().String(), "ledger", ledger, "subject", caCfg.Certificate.Subject.String())

		select {
		case <-ctx.Done():
		case err = <-served:
		}
		stop()
		sctx, cancel := context.WithTimeout(context.Background(), serveShutdownTimeout)
		defer cancel()
		if serr := srv.Shutdown(sctx); serr != nil {
			log.Warn("shutting down", "error", serr.Error())
		}
		<-follower
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return failf("serving on %s: %v", listen, err)
		}
		log.Info("stopped")
		return nil
	}
	return cmd
}
