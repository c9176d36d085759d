package cli

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/notify"
	"github.com/gostca/gostca/ca/ra"
	"github.com/gostca/gostca/ca/raapi"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/keyfile"
	"github.com/gostca/gostca/store"
)

// raHousekeeping is how often serve --ra expires undecided applications
// and queues expiry reminders.
const raHousekeeping = 10 * time.Minute

// raServer is what serve --ra runs beside the responder.
type raServer struct {
	handler   http.Handler
	deliverer *notify.Deliverer // nil without a mail server
	authority *ra.Authority
	shared    *store.Shared
	log       *slog.Logger
}

// newRAServer makes the registration authority's API over the shared
// ledger, with the CA c over it, and the deliverer of its outbox when
// gostca.json names a mail server.
func (a *app) newRAServer(cfg *config, shared *store.Shared, c *ca.CA, log *slog.Logger) (*raServer, error) {
	r, err := a.raOf(cfg, shared, c, false)
	if err != nil {
		return nil, err
	}
	rc := cfg.RA
	hcfg := raapi.Config{
		Authority: r, Chain: append([]*cert.Certificate{c.Certificate()}, c.Chain()...),
		SelfRenewal: rc.SelfRenewal, MaxAttachmentSize: int64(rc.MaxAttachmentMiB) << 20, Logger: log,
	}
	if rc.SubmissionsPerMinute > 0 {
		hcfg.SubmitRate, hcfg.SubmitBurst = rate.Limit(float64(rc.SubmissionsPerMinute)/60), max(1, rc.SubmissionBurst)
	} else {
		hcfg.SubmitRate, hcfg.SubmitBurst = 1, 20
	}
	if rc.WrongCodesPerHour > 0 {
		hcfg.CodeRate, hcfg.CodeBurst = rate.Limit(float64(rc.WrongCodesPerHour)/3600), max(1, rc.WrongCodeBurst)
	}
	h, err := raapi.NewHandler(hcfg)
	if err != nil {
		return nil, err
	}
	s := &raServer{handler: h, authority: r, shared: shared, log: log}
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
			Outbox: ra.Outbox(shared), Sender: sender, Logger: log, Now: a.env.Now, Interval: 2 * time.Second, Backoff: cfg.Mail.RetryDelay(),
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
		if n, err := ra.Reminders(s.shared, now()); err != nil {
			s.log.Warn("queueing expiry reminders", "error", err.Error())
		} else if n > 0 {
			s.log.Info("expiry reminders queued", "count", n)
		}
		select {
		case <-ctx.Done():
			w := s.shared.Waits()
			s.log.Info("ledger sharing", "opens", w.Opens, "waits", w.Waited, "max_wait", w.MaxWait.String(), "total_wait", w.WaitTime.String())
			return
		case <-t.C:
		}
	}
}
