package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gostca/gostca/ca/raapi"
	"github.com/gostca/gostca/ca/responder"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/store"
	"github.com/gostca/gostca/store/pgstore"
)

// serveShutdownTimeout bounds the graceful shutdown.
const serveShutdownTimeout = 10 * time.Second

// serveDBTimeout bounds each call of serve on a PostgreSQL ledger.
const serveDBTimeout = 5 * time.Second

func (a *app) serveCommand() *cobra.Command {
	var listen, logLevel, ocspPath, crlPath, caCertPath, nonIssued, raListen, tlsCert, tlsKey string
	var trustProxy []string
	var poll, validity, delegateValidity time.Duration
	var delegate, withRA bool
	cmd := &cobra.Command{
		Use:   "serve --listen ADDR",
		Short: "Serve OCSP, CRLs and the CA certificate over HTTP",
		Long: `Serve answers OCSP requests (POST /ocsp, GET /ocsp/{base64}), serves the
full and delta CRLs (/crl, /crl/delta), the CA certificate (/ca.crt) and
its chain (/ca.p7c, PKCS#7), metrics (/metrics) and a health check
(/healthz), until SIGINT or SIGTERM.

It does not keep the ledger open: it reads it for a moment every --poll
(other gostca commands keep working, and a revocation is answered within
about a second), and opens it for writing for a moment to make the CRLs
after revocations (at most every 10 seconds) and every hour. Responses are
pre-signed, valid for --validity, and re-signed half-way. Logs go to
standard error.

The paths default to those of the URLs the CA writes into its
certificates (--ocsp-url, --crl-url and --ca-issuers-url of init), else
/ocsp, /crl and /ca.crt; the delta CRL is served beside the full one
(/crl/delta, or /x-delta.crl for /x.crl).

With --delegate, responses are signed by a responder key that serve
makes in memory, never writes, and has the CA certify (profile ocsp:
OCSPSigning, ocsp-nocheck, recorded in the ledger) for
--delegate-validity; it is replaced a third of the way before it
expires. The CA key then signs a certificate a week instead of every
response.

A serial number the CA never issued is answered "unknown"; with
--non-issued revoked it is "revoked" (1970-01-01, certificateHold) and
every response carries the extended revoked definition extension (RFC
6960 §2.2), for clients that treat "unknown" as good.

With --ra, serve also runs the registration authority's HTTP API under
/ra/v1/ (on --listen, or on --ra-listen): applications submitted as JSON
or multipart with scans, followed with the access code, certificates
downloaded (der, pem, p7b), renewals signed by the current key, lost-key
reports with the code word (the certificate is held at once, and the OCSP
answers say so within a second) and revocations signed by the key. It
sends the applicants' e-mail from the ledger's outbox when gostca.json has
a "mail" server, expires undecided applications and queues expiry
reminders. Operators decide with 'gostca request' meanwhile: serve holds
the ledger only while it has requests to serve, and lets other commands in
every 100 ms at the latest; it logs how long its own requests waited.`,
		Example: `  gostca serve --listen :8080
  gostca serve --listen 127.0.0.1:8080 --validity 30m
  gostca serve --listen :80 --delegate --pin-file /etc/gostca/pin
  gostca serve --listen :8080 --ra
  gostca serve --listen :80 --ra --ra-listen 127.0.0.1:8443`,
		Args: usageArgs(cobra.NoArgs),
	}
	cmd.Flags().StringVar(&listen, "listen", "", "listen on `ADDR` (host:port)")
	cmd.Flags().DurationVar(&poll, "poll", responder.DefaultPollInterval, "how often to read the ledger (a PostgreSQL ledger's notifications wake the responder at once: --poll is then the safety net, default 5s)")
	cmd.Flags().DurationVar(&validity, "validity", responder.DefaultResponseValidity, "nextUpdate − thisUpdate of the responses")
	cmd.Flags().StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	cmd.Flags().StringVar(&nonIssued, "non-issued", "unknown", "answer for serials the CA never issued: unknown, or revoked (RFC 6960 §2.2)")
	cmd.Flags().BoolVar(&delegate, "delegate", false, "sign with a delegated responder key the CA certifies and serve rotates")
	cmd.Flags().DurationVar(&delegateValidity, "delegate-validity", responder.DefaultDelegateValidity, "validity of each delegated responder certificate")
	cmd.Flags().StringVar(&ocspPath, "ocsp-path", "", "serve OCSP under `PATH` (default: the CA's OCSP URL's, else /ocsp)")
	cmd.Flags().StringVar(&crlPath, "crl-path", "", "serve the full CRL at `PATH` (default: the CA's CRL URL's, else /crl)")
	cmd.Flags().StringVar(&caCertPath, "ca-cert-path", "", "serve the CA certificate at `PATH` (default: the CA's caIssuers URL's, else /ca.crt)")
	cmd.Flags().BoolVar(&withRA, "ra", false, "also serve the registration authority's API under /ra/v1/")
	cmd.Flags().StringVar(&raListen, "ra-listen", "", "serve the registration authority's API on `ADDR` instead of --listen (with --ra)")
	cmd.Flags().StringVar(&tlsCert, "tls-cert", "", "serve HTTPS with the certificate chain in `FILE` (PEM; an ECDSA or RSA certificate for browsers)")
	cmd.Flags().StringVar(&tlsKey, "tls-key", "", "the private key of --tls-cert (PEM `FILE`)")
	cmd.Flags().StringSliceVar(&trustProxy, "trust-proxy", nil, "trust X-Forwarded-For and X-Forwarded-Proto from these `CIDR`s (a reverse proxy)")
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
		var ni responder.NonIssued
		switch nonIssued {
		case "unknown":
		case "revoked":
			ni = responder.NonIssuedRevoked
		default:
			return usagef("unknown --non-issued %q", nonIssued).withHint("use unknown or revoked")
		}
		if raListen != "" && !withRA {
			return usagef("--ra-listen goes with --ra")
		}
		if (tlsCert == "") != (tlsKey == "") {
			return usagef("--tls-cert and --tls-key go together")
		}
		proxies, err := parsePrefixes(trustProxy)
		if err != nil {
			return err
		}
		if tlsCert != "" {
			// Fail now, not at the first connection, on a bad pair.
			if _, err := tls.LoadX509KeyPair(tlsCert, tlsKey); err != nil {
				return failf("--tls-cert/--tls-key: %v", err).withHint("give a PEM certificate chain and its private key (ECDSA or RSA)")
			}
		}
		for _, p := range []string{ocspPath, crlPath, caCertPath} {
			if p != "" && !strings.HasPrefix(p, "/") {
				return usagef("path %q must start with /", p)
			}
		}
		log := slog.New(slog.NewTextHandler(a.env.Stderr, &slog.HandlerOptions{Level: level}))

		// Load the CA as the other commands do. A ledger file is let go:
		// the responder reads it only for moments. A PostgreSQL ledger
		// is held, and shared by the responder, the RA and the portal.
		au, err := a.openCA(keys)
		if err != nil {
			return err
		}
		defer au.closeKey()
		caCfg := au.Config()
		rcfg := responder.Config{
			CA: caCfg, PollInterval: poll, ResponseValidity: validity, Logger: log, NonIssued: ni,
		}
		var (
			held heldLedger // nil: the file, opened per read
			file string
		)
		switch db := au.db.(type) {
		case *store.DB:
			file = db.Path()
			if err := db.Close(); err != nil {
				return err
			}
			rcfg.Ledger = file
			if withRA {
				// One handle on the file for the whole process, opened
				// per burst of requests: the responder reads through it
				// too.
				shared := store.NewShared(file, &store.Options{Timeout: 5 * time.Second, Notify: a.notifier(au.cfg)}, 0, 0)
				held, rcfg.Ledger, rcfg.DB = shared, "", shared
			}
		default:
			// Reads bounded by serveDBTimeout: a database that stops
			// answering holds the follower back no longer.
			au.db.Close()
			pg, err := openPostgres(au.location.url, &pgstore.Options{Timeout: serveDBTimeout, Notify: a.notifier(au.cfg)})
			if err != nil {
				return err
			}
			defer pg.Close()
			held, rcfg.DB = pg, pg
			// Woken at every commit, by LISTEN/NOTIFY; --poll is then
			// the safety net, 5 s unless given.
			wake, cancel := context.WithCancel(context.Background())
			defer cancel()
			rcfg.Wake = pg.Changes(wake)
			if !cmd.Flags().Changed("poll") {
				rcfg.PollInterval = 0
			}
		}
		var ras *raServer
		if withRA {
			c, err := a.caOf(au.cfg, held, caCfg.Signer, caCfg.Certificate, caCfg.Chain)
			if err != nil {
				return err
			}
			if ras, err = a.newRAServer(au.cfg, held, c, proxies, log); err != nil {
				return err
			}
		}
		if delegate {
			rcfg.Delegate = &responder.Delegation{Validity: delegateValidity}
		}
		cache, err := responder.New(rcfg)
		if err != nil {
			return failf("%s", trimPrefix(err)).because(err)
		}
		hopts := responder.HandlerOptions{
			OCSP:       responder.Logged(cache, log),
			CRLs:       cache,
			CACert:     caCfg.Certificate.Raw,
			Health:     cache.Healthy,
			Metrics:    cache.WriteMetrics,
			Logger:     log,
			OCSPPath:   servePath(ocspPath, caCfg.OCSPURL, "/ocsp"),
			CRLPath:    servePath(crlPath, caCfg.CRLURL, "/crl"),
			CACertPath: servePath(caCertPath, caCfg.CAIssuersURL, "/ca.crt"),
		}
		hopts.DeltaCRLPath = deltaPath(hopts.CRLPath)
		if hopts.CAChain, err = cms.EncodeCertificates(append([]*cert.Certificate{caCfg.Certificate}, caCfg.Chain...)); err != nil {
			return err
		}
		if hopts.Fallback, err = a.newPortal(au.cfg, caCfg, file, held, cache, ras, tlsCert != "", proxies, log); err != nil {
			return err
		}
		h, err := responder.NewHandler(hopts)
		if err != nil {
			return err
		}
		var root http.Handler = h
		var raSrv *http.Server
		var raLn net.Listener
		if ras != nil && raListen == "" {
			// Not a ServeMux: it would "clean" the "//" of OCSP GETs.
			api := ras.handler
			root = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, raapi.Prefix) {
					api.ServeHTTP(w, r)
					return
				}
				h.ServeHTTP(w, r)
			})
		}
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			return failf("listening on %s: %v", listen, err).withHint("choose another address with --listen")
		}
		if ras != nil && raListen != "" {
			if raLn, err = net.Listen("tcp", raListen); err != nil {
				ln.Close()
				return failf("listening on %s: %v", raListen, err).withHint("choose another address with --ra-listen")
			}
			raSrv = responder.NewServer(ras.handler, log)
		}
		srv := responder.NewServer(root, log)
		ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
		defer stop()
		follower := make(chan error, 1)
		go func() { follower <- cache.Run(ctx) }()
		housekeeping := make(chan struct{})
		if ras != nil {
			go func() { ras.run(ctx, a.env.Now); close(housekeeping) }()
		} else {
			close(housekeeping)
		}
		served := make(chan error, 2)
		serve := func(srv *http.Server, ln net.Listener) error {
			if tlsCert != "" {
				return srv.ServeTLS(ln, tlsCert, tlsKey)
			}
			return srv.Serve(ln)
		}
		go func() { served <- serve(srv, ln) }()
		if raSrv != nil {
			go func() { served <- serve(raSrv, raLn) }()
			log.Info("serving the registration authority", "addr", raLn.Addr().String())
		}
		log.Info("serving", "addr", ln.Addr().String(), "ledger", au.location.String(), "subject", caCfg.Certificate.Subject.String(),
			"ocsp", hopts.OCSPPath, "crl", hopts.CRLPath, "delta_crl", hopts.DeltaCRLPath, "ca_cert", hopts.CACertPath)

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
		if raSrv != nil {
			if serr := raSrv.Shutdown(sctx); serr != nil {
				log.Warn("shutting down", "error", serr.Error())
			}
		}
		<-follower
		<-housekeeping
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return failf("serving on %s: %v", listen, err)
		}
		log.Info("stopped")
		return nil
	}
	return cmd
}

// servePath returns flag if set, else the path of the CA's URL u ("/" for
// a URL without one), else def.
func servePath(flag, u, def string) string {
	if flag != "" {
		return flag
	}
	p, err := url.Parse(u)
	switch {
	case u == "" || err != nil:
		return def
	case p.EscapedPath() == "":
		return "/"
	}
	return p.EscapedPath()
}

// deltaPath is where the delta CRL is served beside the full CRL at full:
// /x-delta.crl for /x.crl, else full + "/delta".
func deltaPath(full string) string {
	if base, ok := strings.CutSuffix(full, ".crl"); ok {
		return base + "-delta.crl"
	}
	return strings.TrimSuffix(full, "/") + "/delta"
}
