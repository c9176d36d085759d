package raapi

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/gostca/gostca/ca/ra"
)

// LimitConfig configures Limits.
type LimitConfig struct {
	// SubmitRate and SubmitBurst limit each client's submissions and
	// renewals; 0 means 1 a second with a burst of 20.
	SubmitRate  rate.Limit
	SubmitBurst int
	// CodeRate and CodeBurst limit each client's failed code checks (access
	// codes and code words); 0 means 1 every 10 seconds with a burst of 10.
	CodeRate  rate.Limit
	CodeBurst int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client; a request from anywhere else is its peer address.
	TrustedProxies []netip.Prefix
}

// Limits are per-client token buckets on submissions and on failed code
// checks, shared by the API and the portal's forms so that a client gets
// no more by using both. Buckets idle for 10 minutes are forgotten. It is
// safe for concurrent use.
type Limits struct {
	submits, codes *limiters
	trusted        []netip.Prefix
}

// NewLimits returns the limits of cfg.
func NewLimits(cfg LimitConfig) *Limits {
	if cfg.SubmitRate == 0 {
		cfg.SubmitRate, cfg.SubmitBurst = 1, 20
	}
	if cfg.CodeRate == 0 {
		cfg.CodeRate, cfg.CodeBurst = rate.Every(10*time.Second), 10
	}
	return &Limits{submits: newLimiters(cfg.SubmitRate, cfg.SubmitBurst), codes: newLimiters(cfg.CodeRate, cfg.CodeBurst), trusted: cfg.TrustedProxies}
}

// RateError is a request over a limit: what, and after how many seconds
// the client may try again.
type RateError struct {
	What       string
	RetryAfter int
}

func (e *RateError) Error() string {
	return fmt.Sprintf("too many %s; try again in %d s", e.What, e.RetryAfter)
}

// Client returns whom the limits count for r: its peer's address or, when
// the peer is a trusted proxy, the last address of X-Forwarded-For (the
// one that proxy added).
func (l *Limits) Client(r *http.Request) string {
	host := peerHost(r)
	if !l.FromTrustedProxy(r) {
		return host
	}
	xff := r.Header.Values("X-Forwarded-For")
	if len(xff) == 0 {
		return host
	}
	hops := strings.Split(xff[len(xff)-1], ",")
	if a, err := netip.ParseAddr(strings.TrimSpace(hops[len(hops)-1])); err == nil {
		return a.String()
	}
	return host
}

// FromTrustedProxy reports whether r's peer is a trusted proxy, whose
// X-Forwarded-For and X-Forwarded-Proto may be believed.
func (l *Limits) FromTrustedProxy(r *http.Request) bool {
	if len(l.trusted) == 0 {
		return false
	}
	peer, err := netip.ParseAddr(peerHost(r))
	if err != nil {
		return false
	}
	for _, p := range l.trusted {
		if p.Contains(peer.Unmap()) {
			return true
		}
	}
	return false
}

// peerHost is the address of r's peer, without the port.
func peerHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Submit takes one of the client's submission tokens, or returns a
// *RateError.
func (l *Limits) Submit(r *http.Request) error {
	if lim := l.submits.get(l.Client(r)); !lim.Allow() {
		return &RateError{What: "submissions", RetryAfter: retryAfter(lim)}
	}
	return nil
}

// CheckCode runs check, a check of an access code or code word, unless
// the client is over its limit of failed checks (a *RateError); a check
// that fails with ra.ErrNotFound takes one of its tokens.
func (l *Limits) CheckCode(r *http.Request, check func() error) error {
	lim := l.codes.get(l.Client(r))
	if lim.Tokens() < 1 {
		return &RateError{What: "wrong codes", RetryAfter: retryAfter(lim)}
	}
	err := check()
	if errors.Is(err, ra.ErrNotFound) {
		lim.Allow()
	}
	return err
}

// retryAfter is when lim has a token again, in whole seconds (at least 1).
func retryAfter(lim *rate.Limiter) int {
	wait := 1
	if r := lim.Reserve(); r.OK() {
		wait = max(1, int(r.Delay().Seconds()+0.999))
		r.Cancel()
	}
	return wait
}

// limiters are per-client token buckets, forgotten after 10 idle minutes.
type limiters struct {
	mu    sync.Mutex
	limit rate.Limit
	burst int
	m     map[string]*clientLimiter
	swept time.Time
}

type clientLimiter struct {
	*rate.Limiter
	seen time.Time
}

func newLimiters(limit rate.Limit, burst int) *limiters {
	return &limiters{limit: limit, burst: burst, m: map[string]*clientLimiter{}}
}

func (l *limiters) get(key string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if now.Sub(l.swept) > time.Minute {
		for k, c := range l.m {
			if now.Sub(c.seen) > 10*time.Minute {
				delete(l.m, k)
			}
		}
		l.swept = now
	}
	c := l.m[key]
	if c == nil {
		c = &clientLimiter{Limiter: rate.NewLimiter(l.limit, l.burst)}
		l.m[key] = c
	}
	c.seen = now
	return c.Limiter
}
