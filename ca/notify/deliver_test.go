package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostca/gostca/internal/interop"
)

// memOutbox is an Outbox in memory, as the ledger keeps one.
type memOutbox struct {
	mu       sync.Mutex
	entries  []*entry
	loseSent map[uint64]int // how many Sent marks of an id fail
}

type entry struct {
	q       Queued
	next    time.Time
	sent    bool
	sentAt  time.Time
	gaveUp  bool
	reasons []string
}

func (o *memOutbox) add(msgs ...Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, m := range msgs {
		o.entries = append(o.entries, &entry{q: Queued{Message: m}})
	}
}

func (o *memOutbox) Due(now time.Time, limit int) ([]Queued, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var due []Queued
	for _, e := range o.entries {
		if !e.sent && !e.gaveUp && !e.next.After(now) && len(due) < limit {
			due = append(due, e.q)
		}
	}
	return due, nil
}

func (o *memOutbox) find(id uint64) (*entry, error) {
	for _, e := range o.entries {
		if e.q.Message.ID == id {
			return e, nil
		}
	}
	return nil, fmt.Errorf("outbox: no message %d", id)
}

func (o *memOutbox) Sent(id uint64, at time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	e, err := o.find(id)
	if err != nil {
		return err
	}
	if o.loseSent[id] > 0 {
		o.loseSent[id]--
		return errors.New("outbox: the ledger is unavailable")
	}
	e.sent, e.sentAt = true, at
	return nil
}

func (o *memOutbox) Failed(id uint64, next time.Time, reason string, at time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	e, err := o.find(id)
	if err != nil {
		return err
	}
	e.q.Attempts++
	e.next = next
	e.reasons = append(e.reasons, reason)
	return nil
}

func (o *memOutbox) GaveUp(id uint64, reason string, at time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	e, err := o.find(id)
	if err != nil {
		return err
	}
	e.q.Attempts++
	e.gaveUp = true
	e.reasons = append(e.reasons, reason)
	return nil
}

// state returns each message's id with "sent", "gave up" or its attempts.
func (o *memOutbox) state() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, e := range o.entries {
		s := fmt.Sprintf("%d:%d", e.q.Message.ID, e.q.Attempts)
		switch {
		case e.sent:
			s += " sent"
		case e.gaveUp:
			s += " gave up"
		}
		out = append(out, s)
	}
	return out
}

// fakeSender fails as its function says.
type fakeSender struct {
	mu   sync.Mutex
	sent []uint64
	fail func(m Message) error
}

func (f *fakeSender) Send(ctx context.Context, m Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		if err := f.fail(m); err != nil {
			return err
		}
	}
	f.sent = append(f.sent, m.ID)
	return nil
}

// permanentErr is a Sender's own permanent failure.
type permanentErr struct{}

func (permanentErr) Error() string   { return "mailbox unknown" }
func (permanentErr) Permanent() bool { return true }

var t0 = time.Date(2026, time.April, 2, 10, 0, 0, 0, time.UTC)

func testMessages(ids ...uint64) []Message {
	var msgs []Message
	for _, id := range ids {
		msgs = append(msgs, Message{ID: id, To: fmt.Sprintf("user%d@example.ru", id), Subject: fmt.Sprintf("Заявка %d принята", id), Body: "Здравствуйте!\n"})
	}
	return msgs
}

func newTestDeliverer(t *testing.T, o Outbox, s Sender, log io.Writer) *Deliverer {
	t.Helper()
	if log == nil {
		log = io.Discard
	}
	d, err := NewDeliverer(DelivererConfig{Outbox: o, Sender: s, Logger: slog.New(slog.NewTextHandler(log, nil)), Interval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDelay(t *testing.T) {
	d := newTestDeliverer(t, &memOutbox{}, &fakeSender{}, nil)
	for attempt, want := range map[int]time.Duration{
		1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 7: 32 * time.Minute,
		8: time.Hour, 9: time.Hour, 1000: time.Hour,
	} {
		for range 50 {
			if got := d.delay(attempt); got <= want/2 || got > want {
				t.Fatalf("delay(%d) = %v, want in (%v, %v]", attempt, got, want/2, want)
			}
		}
	}
}

// TestDelivererTransient: a failure that may pass is recorded with the
// next attempt's time, ends the round, and is retried without end.
func TestDelivererTransient(t *testing.T) {
	o := &memOutbox{}
	o.add(testMessages(1, 2, 3)...)
	down := true
	s := &fakeSender{fail: func(Message) error {
		if down {
			return errors.New("connection refused")
		}
		return nil
	}}
	var log strings.Builder
	d := newTestDeliverer(t, o, s, &log)
	now := t0
	for range 20 {
		r, err := d.Once(t.Context(), now)
		if err != nil || r.Failed != 1 || !r.Stopped || r.Sent != 0 {
			t.Fatalf("round at %v: %+v, %v", now, r, err)
		}
		now = now.Add(2 * time.Hour)
	}
	if st := o.state(); !slices.Equal(st, []string{"1:20", "2:0", "3:0"}) {
		t.Errorf("outbox %v", st)
	}
	if !strings.Contains(log.String(), "notify: not sent") || !strings.Contains(log.String(), "connection refused") {
		t.Errorf("log:\n%s", log.String())
	}
	down = false
	r, err := d.Once(t.Context(), now)
	if err != nil || r.Sent != 3 {
		t.Fatalf("round after the server came back: %+v, %v", r, err)
	}
	if !slices.Equal(s.sent, []uint64{1, 2, 3}) {
		t.Errorf("sent %v", s.sent)
	}
}

// TestDelivererPermanent: a permanent refusal is retried on the schedule
// until PermanentAttempts, then given up; it does not hold the others.
func TestDelivererPermanent(t *testing.T) {
	o := &memOutbox{}
	o.add(testMessages(1, 2)...)
	s := &fakeSender{fail: func(m Message) error {
		if m.ID == 1 {
			return fmt.Errorf("wrapped: %w", permanentErr{})
		}
		return nil
	}}
	var log strings.Builder
	d := newTestDeliverer(t, o, s, &log)
	r, err := d.Once(t.Context(), t0)
	if err != nil || r.Failed != 1 || r.Sent != 1 || r.Stopped {
		t.Fatalf("first round: %+v, %v", r, err)
	}
	now := t0
	for i := 2; i <= 5; i++ {
		now = now.Add(2 * time.Hour)
		r, err = d.Once(t.Context(), now)
		if err != nil {
			t.Fatal(err)
		}
	}
	if r.GaveUp != 1 {
		t.Errorf("fifth round: %+v", r)
	}
	if st := o.state(); !slices.Equal(st, []string{"1:5 gave up", "2:0 sent"}) {
		t.Errorf("outbox %v", st)
	}
	if r, _ := d.Once(t.Context(), now.Add(48*time.Hour)); r != (Round{}) {
		t.Errorf("a round after giving up: %+v", r)
	}
	if !strings.Contains(log.String(), "notify: given up") {
		t.Errorf("log:\n%s", log.String())
	}
}

// TestDelivererServerDown runs the deliverer against a real server that
// stops and starts again: the messages wait in the outbox, then arrive,
// each once.
func TestDelivererServerDown(t *testing.T) {
	srv := interop.StartSMTP(t, interop.SMTPOptions{User: testUser, Password: testPassword})
	var log strings.Builder
	o := &memOutbox{}
	d := newTestDeliverer(t, o, newClient(t, srv, nil), &log)
	o.add(testMessages(1, 2, 3)...)

	srv.Stop()
	r, err := d.Once(t.Context(), t0)
	if err != nil || r.Failed != 1 || !r.Stopped {
		t.Fatalf("round with the server down: %+v, %v", r, err)
	}
	r, err = d.Once(t.Context(), t0.Add(time.Minute)) // 1 is due again, first
	if err != nil || r.Failed != 1 {
		t.Fatalf("second round with the server down: %+v, %v", r, err)
	}
	if st := o.state(); !slices.Equal(st, []string{"1:2", "2:0", "3:0"}) {
		t.Errorf("outbox %v", st)
	}
	if strings.Contains(log.String(), testPassword) {
		t.Errorf("the log shows the password:\n%s", log.String())
	}

	srv.Start()
	r, err = d.Once(t.Context(), t0.Add(time.Hour))
	if err != nil || r.Sent != 3 {
		t.Fatalf("round with the server up: %+v, %v", r, err)
	}
	if st := o.state(); !slices.Equal(st, []string{"1:2 sent", "2:0 sent", "3:0 sent"}) {
		t.Errorf("outbox %v", st)
	}
	if r, _ := d.Once(t.Context(), t0.Add(2*time.Hour)); r.Sent != 0 {
		t.Errorf("a round with nothing due sent %d", r.Sent)
	}
	got := srv.WaitMessages(3, 5*time.Second)
	var ids []string
	for _, m := range got {
		ids = append(ids, m.MessageID)
	}
	if want := []string{"<notify.1@example.ru>", "<notify.2@example.ru>", "<notify.3@example.ru>"}; !slices.Equal(ids, want) {
		t.Errorf("the server has %v, want %v", ids, want)
	}
}

// TestDelivererSentLost: a message the server took whose Sent mark failed
// is offered again and sent again, with the same Message-ID.
func TestDelivererSentLost(t *testing.T) {
	srv := interop.StartSMTP(t, interop.SMTPOptions{User: testUser, Password: testPassword})
	o := &memOutbox{loseSent: map[uint64]int{2: 1}}
	d := newTestDeliverer(t, o, newClient(t, srv, nil), nil)
	o.add(testMessages(1, 2, 3)...)
	r, err := d.Once(t.Context(), t0)
	if r.Sent != 3 || err == nil || !strings.Contains(err.Error(), "marking message 2 sent") {
		t.Fatalf("first round: %+v, %v", r, err)
	}
	if r, err := d.Once(t.Context(), t0.Add(time.Second)); r.Sent != 1 || err != nil {
		t.Fatalf("second round: %+v, %v", r, err)
	}
	got := srv.WaitMessages(4, 5*time.Second)
	if len(got) != 4 || got[3].MessageID != "<notify.2@example.ru>" || got[3].MessageID != got[1].MessageID ||
		got[3].Subject != got[1].Subject || got[3].Body != got[1].Body {
		t.Errorf("the server has %d messages; the second and the fourth %q, %q", len(got), got[1].MessageID, got[3].MessageID)
	}
	if st := o.state(); !slices.Equal(st, []string{"1:0 sent", "2:0 sent", "3:0 sent"}) {
		t.Errorf("outbox %v", st)
	}
}

// TestDelivererRun: Run delivers on its own and at Wake, and ends with its
// context.
func TestDelivererRun(t *testing.T) {
	o := &memOutbox{}
	s := &fakeSender{}
	d := newTestDeliverer(t, o, s, nil)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	o.add(testMessages(1)...)
	d.Wake()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if st := o.state(); len(st) == 1 && st[0] == "1:0 sent" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not delivered: %v", o.state())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v", err)
	}
}

func TestNewDelivererInvalid(t *testing.T) {
	for name, cfg := range map[string]DelivererConfig{
		"no outbox":        {Sender: &fakeSender{}},
		"no sender":        {Outbox: &memOutbox{}},
		"negative batch":   {Outbox: &memOutbox{}, Sender: &fakeSender{}, Batch: -1},
		"negative backoff": {Outbox: &memOutbox{}, Sender: &fakeSender{}, Backoff: -time.Second},
	} {
		if _, err := NewDeliverer(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
