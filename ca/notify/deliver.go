package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Queued is a message waiting in the outbox.
type Queued struct {
	Message Message
	// Attempts is how many times the message was tried before: the
	// number of Failed calls for it.
	Attempts int
}

// Outbox is what a Deliverer needs of the outbox the ledger keeps: the
// messages written in the same transaction as the changes they report,
// each with its id (Message.ID), the number of attempts so far, and when
// the next is due. Its methods may be called from one goroutine at a time.
type Outbox interface {
	// Due returns at most limit messages not yet sent nor given up whose
	// next attempt is due at now (a new message is due at once), oldest
	// first.
	Due(now time.Time, limit int) ([]Queued, error)
	// Sent records that the server accepted message id at the time at:
	// it is never offered again.
	Sent(id uint64, at time.Time) error
	// Failed records a failed attempt at the time at, with the reason (an
	// error's text, for the operator): Attempts grows by one, and the
	// message is not due before next.
	Failed(id uint64, next time.Time, reason string, at time.Time) error
	// GaveUp records that message id is not sent, for the reason, after
	// a permanent refusal: it is never offered again, and should stay
	// visible to an operator.
	GaveUp(id uint64, reason string, at time.Time) error
}

// DelivererConfig configures a Deliverer. Outbox and Sender are required.
type DelivererConfig struct {
	Outbox Outbox
	Sender Sender
	// Logger receives a line per failure and per message sent; nil means
	// slog.Default().
	Logger *slog.Logger
	// Interval is how often Run looks at the outbox; default 10 s.
	Interval time.Duration
	// Batch is how many messages a round takes at most; default 50.
	Batch int
	// Backoff is the delay after a first failure, doubling with each
	// further one up to MaxBackoff; defaults 30 s and 1 h.
	Backoff, MaxBackoff time.Duration
	// PermanentAttempts is how many attempts in all a message gets when
	// it is refused permanently (see Permanent) before it is given up;
	// default 5.
	PermanentAttempts int
	// Now is Run's clock; default time.Now.
	Now func() time.Time
}

// Deliverer drains an Outbox through a Sender; see the package
// documentation for its schedule. Its methods are safe for concurrent
// use, one round running at a time.
type Deliverer struct {
	outbox    Outbox
	sender    Sender
	log       *slog.Logger
	interval  time.Duration
	batch     int
	backoff   time.Duration
	max       time.Duration
	permanent int
	now       func() time.Time
	wake      chan struct{}
	mu        sync.Mutex // one round at a time
}

// NewDeliverer checks cfg and returns a Deliverer; it starts nothing.
func NewDeliverer(cfg DelivererConfig) (*Deliverer, error) {
	switch {
	case cfg.Outbox == nil:
		return nil, errors.New("notify: DelivererConfig.Outbox is required")
	case cfg.Sender == nil:
		return nil, errors.New("notify: DelivererConfig.Sender is required")
	case cfg.Interval < 0, cfg.Batch < 0, cfg.Backoff < 0, cfg.MaxBackoff < 0, cfg.PermanentAttempts < 0:
		return nil, errors.New("notify: DelivererConfig has a negative setting")
	}
	d := &Deliverer{
		outbox: cfg.Outbox, sender: cfg.Sender, log: cfg.Logger,
		interval: cfg.Interval, batch: cfg.Batch, backoff: cfg.Backoff, max: cfg.MaxBackoff,
		permanent: cfg.PermanentAttempts, now: cfg.Now, wake: make(chan struct{}, 1),
	}
	if d.log == nil {
		d.log = slog.Default()
	}
	if d.interval == 0 {
		d.interval = 10 * time.Second
	}
	if d.batch == 0 {
		d.batch = 50
	}
	if d.backoff == 0 {
		d.backoff = 30 * time.Second
	}
	if d.max == 0 {
		d.max = time.Hour
	}
	if d.max < d.backoff {
		d.max = d.backoff
	}
	if d.permanent == 0 {
		d.permanent = 5
	}
	if d.now == nil {
		d.now = time.Now
	}
	return d, nil
}

// Round is what one round of delivery did.
type Round struct {
	Sent, Failed, GaveUp int
	// Stopped is set when a failure that may pass ended the round before
	// every due message was tried.
	Stopped bool
}

// Run delivers the outbox every Interval, and at once after Wake, until
// ctx is done; it returns ctx's error. A round's failure is logged, and
// the next round tries again.
func (d *Deliverer) Run(ctx context.Context) error {
	tick := time.NewTicker(d.interval)
	defer tick.Stop()
	for {
		if _, err := d.Once(ctx, d.now()); err != nil && ctx.Err() == nil {
			d.log.Error("notify: delivery round failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		case <-d.wake:
		}
	}
}

// Wake makes Run start a round now rather than at the next tick: for the
// ledger to call after committing a change with a message. It never
// blocks.
func (d *Deliverer) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Once runs one round at the time now: it takes the due messages, oldest
// first, and sends each, recording Sent, Failed (with the next attempt's
// time) or GaveUp in the outbox. The error is the outbox's, or ctx's; a
// message that failed is not an error of the round but a Failed record.
// A message sent whose Sent record failed is logged and counted as sent:
// it will be offered, and sent, again.
func (d *Deliverer) Once(ctx context.Context, now time.Time) (Round, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var r Round
	due, err := d.outbox.Due(now, d.batch)
	if err != nil {
		return r, fmt.Errorf("notify: reading the outbox: %w", err)
	}
	var errs []error
	for _, q := range due {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		m := q.Message
		attempt := q.Attempts + 1
		err := d.sender.Send(ctx, m)
		if err != nil && ctx.Err() != nil {
			// Interrupted, not failed: the next Run tries again without
			// counting this attempt.
			return r, ctx.Err()
		}
		if err == nil {
			r.Sent++
			d.log.Info("notify: sent", "id", m.ID, "to", m.To, "attempt", attempt)
			if err := d.outbox.Sent(m.ID, now); err != nil {
				d.log.Error("notify: sent, but not marked so: it will be sent again", "id", m.ID, "err", err)
				errs = append(errs, fmt.Errorf("notify: marking message %d sent: %w", m.ID, err))
			}
			continue
		}
		permanent := Permanent(err)
		if permanent && attempt >= d.permanent {
			r.GaveUp++
			d.log.Error("notify: given up", "id", m.ID, "to", m.To, "attempt", attempt, "err", err)
			if err := d.outbox.GaveUp(m.ID, err.Error(), now); err != nil {
				errs = append(errs, fmt.Errorf("notify: marking message %d given up: %w", m.ID, err))
			}
			continue
		}
		r.Failed++
		next := now.Add(d.delay(attempt))
		d.log.Warn("notify: not sent", "id", m.ID, "to", m.To, "attempt", attempt, "next", next, "permanent", permanent, "err", err)
		if err := d.outbox.Failed(m.ID, next, err.Error(), now); err != nil {
			errs = append(errs, fmt.Errorf("notify: marking message %d failed: %w", m.ID, err))
		}
		if !permanent {
			r.Stopped = true // the server, not the message: the rest waits
			break
		}
	}
	return r, errors.Join(errs...)
}

// delay returns how long to wait after the attempt-th failure: Backoff
// doubled attempt-1 times, at most MaxBackoff, less a random part of up
// to half.
func (d *Deliverer) delay(attempt int) time.Duration {
	wait := d.backoff
	for i := 1; i < attempt && wait < d.max; i++ {
		wait *= 2
	}
	wait = min(wait, d.max)
	return wait - rand.N(wait/2+1)
}
