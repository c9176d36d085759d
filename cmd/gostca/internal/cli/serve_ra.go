package cli

import (
	"context"
	"crypto/hmac"
	"log/slog"
	"math/big"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/certpdf"
	"github.com/gostca/gostca/ca/notify"
	"github.com/gostca/gostca/ca/portal"
	"github.com/gostca/gostca/ca/ra"
	"github.com/gostca/gostca/ca/raapi"
	"github.com/gostca/gostca/ca/responder"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/keyfile"
	"github.com/gostca/gostca/crypto/streebog"
	"github.com/gostca/gostca/store"
)

// raHousekeeping is how often serve --ra expires undecided applications
// and queues expiry reminders.
const raHousekeeping = 10 * time.Minute

// heldLedger is the ledger a serve process holds for its lifetime: the
// PostgreSQL ledger, or the ledger file shared by a store.Shared.
type heldLedger interface {
	ca.Ledger
	ra.Ledger
	ra.MailLedger
	ra.RemindLedger
}

// raServer is what serve --ra runs beside the responder.
type raServer struct {
	handler   http.Handler
	deliverer *notify.Deliverer // nil without a mail server
	authority *ra.Authority
	db        heldLedger
	limits    *raapi.Limits // shared with the portal's forms
	log       *slog.Logger
}

// newRAServer makes the registration authority's API over the held
// ledger, with the CA c over it, and the deliverer of its outbox when
// gostca.json names a mail server.
func (a *app) newRAServer(cfg *config, db heldLedger, c *ca.CA, proxies []netip.Prefix, log *slog.Logger) (*raServer, error) {
	r, err := a.raOf(cfg, db, c, false)
	if err != nil {
		return nil, err
	}
	rc := cfg.RA
	hcfg := raapi.Config{
		Authority: r, Chain: append([]*cert.Certificate{c.Certificate()}, c.Chain()...),
		SelfRenewal: rc.SelfRenewal, MaxAttachmentSize: int64(rc.MaxAttachmentMiB) << 20, Logger: log,
	}
	lc := raapi.LimitConfig{TrustedProxies: proxies}
	if rc.SubmissionsPerMinute > 0 {
		lc.SubmitRate, lc.SubmitBurst = rate.Limit(float64(rc.SubmissionsPerMinute)/60), max(1, rc.SubmissionBurst)
	}
	if rc.WrongCodesPerHour > 0 {
		lc.CodeRate, lc.CodeBurst = rate.Limit(float64(rc.WrongCodesPerHour)/3600), max(1, rc.WrongCodeBurst)
	}
	hcfg.Limits = raapi.NewLimits(lc)
	h, err := raapi.NewHandler(hcfg)
	if err != nil {
		return nil, err
	}
	s := &raServer{handler: h, authority: r, db: db, limits: hcfg.Limits, log: log}
	if cfg.Mail != nil {
		var pass string
		if cfg.Mail.Username != "" {
			p, err := keyfile.FromFile(cfg.Mail.PasswordFile)()
			if err != nil {
				return nil, failf("reading the mail password: %v", trimPrefix(err)).
					withHint("mail.password_file must exist, be readable only by you (chmod 600) and hold the password on its first line")
			}
			pass = string(p)
		}
		sc, err := cfg.Mail.SMTPConfig(pass)
		if err != nil {
			return nil, failf("%s: %s", a.path(configName), strings.TrimPrefix(err.Error(), "notify: ")).because(err)
		}
		sender, err := notify.NewSMTP(sc)
		if err != nil {
			return nil, failf("%s", strings.TrimPrefix(err.Error(), "notify: ")).because(err)
		}
		if s.deliverer, err = notify.NewDeliverer(notify.DelivererConfig{
			Outbox: ra.Outbox(db), Sender: sender, Logger: log, Now: a.env.Now, Interval: 2 * time.Second, Backoff: cfg.Mail.RetryDelay(),
		}); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// run delivers mail and keeps house until ctx ends.
func (s *raServer) run(ctx context.Context, now func() time.Time) {
	if s.deliverer != nil {
		go s.deliverer.Run(ctx)
	}
	t := time.NewTicker(raHousekeeping)
	defer t.Stop()
	for {
		if done, err := s.authority.Expire(); err != nil {
			s.log.Warn("expiring applications", "error", err.Error())
		} else if len(done) > 0 {
			s.log.Info("applications expired", "numbers", strings.Join(done, " "))
		}
		if n, err := ra.Reminders(s.db, now()); err != nil {
			s.log.Warn("queueing expiry reminders", "error", err.Error())
		} else if n > 0 {
			s.log.Info("expiry reminders queued", "count", n)
		}
		select {
		case <-ctx.Done():
			if sh, ok := s.db.(*store.Shared); ok {
				w := sh.Waits()
				s.log.Info("ledger sharing", "opens", w.Opens, "waits", w.Waited, "max_wait", w.MaxWait.String(), "total_wait", w.WaitTime.String())
			}
			return
		case <-t.C:
		}
	}
}

// parsePrefixes reads --trust-proxy: CIDRs or single addresses.
func parsePrefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, usagef("--trust-proxy %q is not a CIDR or an address", s).withHint("give the proxy's address, e.g. 127.0.0.1 or 10.0.0.0/8")
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// newPortal makes the web pages served beside the responder: the check
// page always, the applicant's pages with the registration authority
// (ras). Records come through the held ledger, or, without one, from
// the ledger file opened read-only for a moment; statuses from the
// responder's cache.
func (a *app) newPortal(cfg *config, caCfg ca.Config, file string, held heldLedger, cache *responder.Cache, ras *raServer, tlsOn bool, proxies []netip.Prefix, log *slog.Logger) (http.Handler, error) {
	records := func(serial *big.Int) (*store.Record, error) {
		db, err := store.Open(file, &store.Options{ReadOnly: true, Timeout: responder.DefaultOpenTimeout})
		if err != nil {
			return nil, err
		}
		defer db.Close()
		return db.Get(serial)
	}
	if held != nil {
		records = held.Get
	}
	key, err := a.raKey()
	if err != nil {
		return nil, err
	}
	m := hmac.New(streebog.New256, key)
	m.Write([]byte("gostca portal cookies"))
	pc := portal.Config{
		Records: records, Status: cache.Status, CA: caCfg.Certificate, Chain: caCfg.Chain,
		Key: m.Sum(nil), Clock: a.env.Now, PublicURL: cfg.RA.PublicURL, Secure: tlsOn, Logger: log, Limits: raapi.NewLimits(raapi.LimitConfig{TrustedProxies: proxies}),
		CopyPDF: func(c *cert.Certificate, u string) ([]byte, error) {
			return certpdf.Copy(c, certpdf.CopyOptions{CheckURL: u, Printed: a.env.Now(), Issuer: caCfg.Certificate})
		},
		FormPDF: certpdf.ApplicationForm,
	}
	if ras != nil {
		pc.Authority, pc.Limits = ras.authority, ras.limits
	}
	if len(cfg.Profiles) > 0 {
		pc.Profiles = cfg.Profiles
	}
	return portal.New(pc)
}
