package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"math/big"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/store"
)

// big20 is a serial of 20 octets, the most RFC 5280 allows.
var big20 = new(big.Int).SetBytes(bytes.Repeat([]byte{0x7e}, 20))

// fillTime is the time of the nth write of Fill: minutes apart, with
// nanoseconds that a backend keeping microseconds truncates.
func fillTime(n int) time.Time {
	return t0.Add(time.Duration(n)*time.Minute + 123456789)
}

// Fill writes into db (an empty ledger opened with the Notifier Mailer)
// every kind of thing a ledger holds: certificates reserved, issued, held,
// released, held again, revoked (from a hold and directly, with and
// without an invalidity date), abandoned and renewed, of two issuers,
// with serials of 1 to 20 octets; full and delta CRLs; applications of
// two years with attachments (one content shared), open, closed, issued,
// with an abandoned issuance before the certificate; messages sent,
// failed, given up and waiting; reminders.
func Fill(t testing.TB, db Ledger) {
	t.Helper()
	n := 0
	at := func() time.Time { n++; return fillTime(n) }
	rec := func(s *big.Int, issuer []byte) *store.Record {
		r := newRecord(1)
		r.Serial, r.IssuerKeyID = s, append([]byte(nil), issuer...)
		r.Subject = fmt.Sprintf("CN=subject 0x%x", s)
		r.SubjectKeyID = []byte(fmt.Sprintf("ski-%x", s))
		r.RequestID = fmt.Sprintf("req-%x", s)
		r.NotBefore, r.NotAfter = fillTime(0), fillTime(0).AddDate(1, 0, int(s.Int64()%300))
		return r
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("filling: %s: %v", what, err)
		}
	}
	reserve := func(r *store.Record) { must("Reserve", db.Reserve(r, at())) }
	complete := func(r *store.Record) {
		must("Complete", db.Complete(r.Serial, []byte(fmt.Sprintf("DER of 0x%x", r.Serial)), r.SubjectKeyID, at()))
	}
	issueRec := func(r *store.Record) { reserve(r); complete(r) }
	rev := func(s *big.Int, reason cert.ReasonCode, invalidity time.Time) {
		when := at()
		must("Revoke", db.Revoke(store.Revocation{Serial: s, Time: when.Add(-time.Second), Reason: reason, InvalidityDate: invalidity}, when))
	}
	rel := func(s *big.Int) { must("Release", db.Release(s, at())) }
	crl := func(issuer []byte, number int64, base int64) {
		info := store.CRLInfo{Number: big.NewInt(number), ThisUpdate: fillTime(n), Seq: seqOf(t, db), Delta: base != 0}
		if base != 0 {
			info.BaseNumber = big.NewInt(base)
		}
		must("RecordCRL", db.RecordCRL(issuer, info, at()))
	}

	for i := int64(1); i <= 6; i++ {
		issueRec(rec(serial(i), issuerA))
	}
	rev(serial(2), cert.ReasonCertificateHold, time.Time{})
	crl(issuerA, 1, 0)
	rev(serial(3), cert.ReasonCertificateHold, time.Time{})
	rel(serial(3))
	rev(serial(4), cert.ReasonCertificateHold, time.Time{})
	rel(serial(4))
	rev(serial(4), cert.ReasonCertificateHold, time.Time{})
	rev(serial(5), cert.ReasonCertificateHold, time.Time{})
	rev(serial(5), cert.ReasonKeyCompromise, fillTime(-60))
	rev(serial(6), cert.ReasonUnspecified, time.Time{})
	crl(issuerA, 2, 1)
	reserve(rec(serial(7), issuerA))
	reserve(rec(serial(8), issuerA))
	must("Abandon", db.Abandon(serial(8), "token error", at()))
	// A renewal, and a renewal of the renewal given up.
	issueRec(rec(serial(9), issuerA))
	renewal := rec(serial(10), issuerA)
	renewal.Predecessor = serial(9)
	issueRec(renewal)
	again := rec(serial(11), issuerA)
	again.Predecessor = serial(10)
	reserve(again)
	must("Abandon", db.Abandon(serial(11), "signer failed", at()))
	// No validity, no key identifier.
	bare := rec(serial(12), issuerA)
	bare.NotBefore, bare.NotAfter, bare.SubjectKeyID = time.Time{}, time.Time{}, nil
	reserve(bare)
	issueRec(rec(big20, issuerA))
	rev(big20, cert.ReasonSuperseded, time.Time{})
	crl(issuerA, 3, 0)
	rev(serial(1), cert.ReasonAffiliationChanged, fillTime(-30))
	crl(issuerA, 4, 3)

	for _, s := range []int64{0x100, 0x101, 0x102} {
		issueRec(rec(serial(s), issuerB))
	}
	rev(serial(0x101), cert.ReasonCessationOfOperation, time.Time{})
	rev(serial(0x102), cert.ReasonCertificateHold, time.Time{})
	rel(serial(0x102))
	crl(issuerB, 1, 0)

	scanA, scanB, scanC := []byte("%PDF-1.4 passport"), []byte{0xff, 0xd8, 0xff, 0, 1, 2}, []byte("%PDF-1.4 power of attorney")
	pdf := func(name string) store.Attachment { return store.Attachment{Name: name, Type: "application/pdf"} }
	submit := func(year int, key string, blobs [][]byte, atts ...store.Attachment) *store.Application {
		a, err := db.SubmitApplication(time.Date(year, 3, 1, 12, 0, n, 987654321, time.UTC), blobs, testAppYear(year, key, atts...))
		n++
		must("SubmitApplication", err)
		return a
	}
	update := func(number, state string, open bool, deadline time.Time) {
		_, err := db.UpdateApplication(number, at(), func(a *store.Application) (*store.Update, error) {
			a.State, a.Open, a.Deadline = state, open, deadline
			a.Data = append(a.Data, []byte(" "+state+"\x00")...)
			return &store.Update{Detail: `by="operator"`}, nil
		})
		must("UpdateApplication", err)
	}
	issued := submit(2025, "app-key-1", [][]byte{scanA, scanB}, pdf("passport.pdf"), store.Attachment{Name: "photo.jpg", Type: "image/jpeg"})
	update(issued.Number, "approved", true, time.Time{})
	r := rec(serial(0x200), issuerA)
	r.SubjectKeyID, r.Application = []byte("app-key-1"), issued.Number
	issueRec(r)
	update(issued.Number, "issued", false, time.Time{})
	open := submit(2026, "app-key-2", [][]byte{scanA, scanC}, pdf("passport.pdf"), pdf("attorney.pdf"))
	update(open.Number, "in_review", true, fillTime(0).AddDate(0, 1, 0))
	rejected := submit(2026, "app-key-3", nil)
	update(rejected.Number, "rejected", false, time.Time{})
	retried := submit(2026, "app-key-4", nil)
	first := rec(serial(0x300), issuerA)
	first.SubjectKeyID, first.Application = []byte("app-key-4"), retried.Number
	reserve(first)
	must("Abandon", db.Abandon(first.Serial, "interrupted issuance", at()))
	second := rec(serial(0x301), issuerA)
	second.SubjectKeyID, second.Application = []byte("app-key-4"), retried.Number
	issueRec(second)
	rev(second.Serial, cert.ReasonCertificateHold, time.Time{})
	rel(second.Serial)
	for _, days := range []int{30, 7} {
		ok, err := db.Remind(r.Serial, days, at())
		must("Remind", err)
		if !ok {
			t.Fatalf("filling: Remind(0x%x, %d) queued nothing", r.Serial, days)
		}
	}

	due, err := db.DueMail(fillTime(n+1000), 1000)
	must("DueMail", err)
	if len(due) < 4 {
		t.Fatalf("filling: %d messages queued, want at least 4", len(due))
	}
	must("MailSent", db.MailSent(due[0].ID, at()))
	must("MailFailed", db.MailFailed(due[1].ID, fillTime(n+100), "421 try again later", at()))
	must("MailFailed", db.MailFailed(due[2].ID, fillTime(n+200), "421 again", at()))
	must("MailGaveUp", db.MailGaveUp(due[2].ID, "550 no such user", at()))
	if err := db.VerifyAudit(); err != nil {
		t.Fatalf("filling: %v", err)
	}
}

// normalizer truncates the times of what a ledger returns to a
// resolution, so that a ledger and its copy in a backend that keeps
// coarser times compare equal.
type normalizer time.Duration

func (res normalizer) time(t time.Time) time.Time { return t.Truncate(time.Duration(res)) }

func (res normalizer) record(r *store.Record) *store.Record {
	if r == nil {
		return nil
	}
	c := *r
	c.NotBefore, c.NotAfter = res.time(r.NotBefore), res.time(r.NotAfter)
	c.CreatedAt, c.UpdatedAt = res.time(r.CreatedAt), res.time(r.UpdatedAt)
	if r.Revocation != nil {
		v := res.revocation(*r.Revocation)
		c.Revocation = &v
	}
	return &c
}

func (res normalizer) revocation(r store.Revocation) store.Revocation {
	r.Time, r.InvalidityDate = res.time(r.Time), res.time(r.InvalidityDate)
	return r
}

func (res normalizer) removal(r store.Removal) store.Removal {
	r.Time = res.time(r.Time)
	return r
}

func (res normalizer) application(a *store.Application) *store.Application {
	if a == nil {
		return nil
	}
	c := *a
	c.Deadline, c.CreatedAt, c.UpdatedAt = res.time(a.Deadline), res.time(a.CreatedAt), res.time(a.UpdatedAt)
	return &c
}

func (res normalizer) mail(m store.Mail) store.Mail {
	m.Next, m.CreatedAt, m.SentAt, m.GaveUpAt = res.time(m.Next), res.time(m.CreatedAt), res.time(m.SentAt), res.time(m.GaveUpAt)
	return m
}

func (res normalizer) crlState(st store.CRLState) store.CRLState {
	for _, p := range []**store.CRLInfo{&st.LastFull, &st.LastDelta} {
		if *p != nil {
			c := **p
			c.ThisUpdate = res.time(c.ThisUpdate)
			*p = &c
		}
	}
	return st
}

func (res normalizer) item(it store.Item) store.Item {
	switch {
	case it.Record != nil:
		it.Record = res.record(it.Record)
	case it.Removal != nil:
		m := *it.Removal
		m.Removal = res.removal(m.Removal)
		it.Removal = &m
	case it.CRL != nil:
		c := *it.CRL
		c.State = res.crlState(c.State)
		it.CRL = &c
	case it.Application != nil:
		it.Application = res.application(it.Application)
	case it.Mail != nil:
		m := res.mail(*it.Mail)
		it.Mail = &m
	}
	return it
}

// collectNorm collects an iterator's values, each through norm.
func collectNorm[T any](t testing.TB, seq iter.Seq2[T, error], norm func(T) T) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, norm(v))
	}
	return out
}

// sameAs fails the test unless got equals want; of two slices of one
// length it names the first element that differs.
func sameAs[T any](t testing.TB, what string, got, want T) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	if g.Kind() == reflect.Slice && g.Len() == w.Len() {
		for i := range g.Len() {
			if gi, wi := g.Index(i).Interface(), w.Index(i).Interface(); !reflect.DeepEqual(gi, wi) {
				t.Errorf("%s differs at %d:\n got  %+v\n want %+v", what, i, deref(gi), deref(wi))
				return
			}
		}
	}
	t.Errorf("%s differs:\n got  %+v\n want %+v", what, deref(got), deref(want))
}

// deref returns what v points to, or the field set of an Item, for
// messages.
func deref(v any) any {
	if it, ok := v.(store.Item); ok {
		f := reflect.ValueOf(it)
		for i := range f.NumField() {
			if !f.Field(i).IsNil() {
				return fmt.Sprintf("%s %+v", it.Kind(), f.Field(i).Elem().Interface())
			}
		}
	}
	if p := reflect.ValueOf(v); p.Kind() == reflect.Pointer && !p.IsNil() {
		return p.Elem().Interface()
	}
	return v
}

// Compare checks that every read of got returns what it returns on want,
// with times truncated to resolution (the coarser of the two backends'),
// the audit log byte for byte: All, Get, Expiring, BySubjectKeyID, Audit,
// VerifyAudit, Head, and in View: Seq, Get, AuditSince, CRLState,
// Revocations, ScanRevocations, RevocationsSince, RemovalsSince, Count and
// Application, then Applications, Attachment, DueMail, and the whole
// Export, item by item.
func Compare(t testing.TB, want, got Ledger, resolution time.Duration) {
	t.Helper()
	res := normalizer(max(resolution, 1))
	same := func(r *store.Record) *store.Record { return res.record(r) }
	records := collectNorm(t, want.All(), same)
	if len(records) == 0 {
		t.Fatal("Compare: the ledger is empty")
	}
	sameAs(t, "All", collectNorm(t, got.All(), same), records)
	far := t0.AddDate(100, 0, 0)
	sameAs(t, "Expiring", collectNorm(t, got.Expiring(time.Time{}, far), same), collectNorm(t, want.Expiring(time.Time{}, far), same))
	issuers := map[string]bool{}
	for _, r := range records {
		issuers[string(r.IssuerKeyID)] = true
		g, err := got.Get(r.Serial)
		if err != nil {
			t.Fatalf("Get(0x%x): %v", r.Serial, err)
		}
		sameAs(t, fmt.Sprintf("Get(0x%x)", r.Serial), res.record(g), r)
		if len(r.SubjectKeyID) > 0 {
			w, err1 := want.BySubjectKeyID(r.SubjectKeyID)
			g, err2 := got.BySubjectKeyID(r.SubjectKeyID)
			if err1 != nil || err2 != nil {
				t.Fatalf("BySubjectKeyID: %v, %v", err1, err2)
			}
			// No match is an empty result, nil or not.
			w, g = slices.Clip(append([]*store.Record(nil), w...)), slices.Clip(append([]*store.Record(nil), g...))
			for i := range w {
				w[i] = res.record(w[i])
			}
			for i := range g {
				g[i] = res.record(g[i])
			}
			sameAs(t, fmt.Sprintf("BySubjectKeyID(%q)", r.SubjectKeyID), g, w)
		}
	}
	id := func(e store.AuditEntry) store.AuditEntry { return e }
	audit := collectNorm(t, want.Audit(), id)
	sameAs(t, "Audit", collectNorm(t, got.Audit(), id), audit)
	for name, db := range map[string]Ledger{"original": want, "copy": got} {
		if err := db.VerifyAudit(); err != nil {
			t.Errorf("VerifyAudit of the %s: %v", name, err)
		}
	}
	wh, err1 := want.Head()
	gh, err2 := got.Head()
	if err1 != nil || err2 != nil || wh != gh || wh.Seq != uint64(len(audit)) || wh.Hash != audit[len(audit)-1].Hash {
		t.Errorf("Head: %+v, %v; want %+v, %v (the last entry: %d)", gh, err2, wh, err1, len(audit))
	}

	var apps []*store.Application
	appNorm := func(a *store.Application) *store.Application { return res.application(a) }
	apps = collectNorm(t, want.Applications(), appNorm)
	sameAs(t, "Applications", collectNorm(t, got.Applications(), appNorm), apps)
	for _, a := range apps {
		for _, at := range a.Attachments {
			w, err1 := want.Attachment(at.Hash)
			g, err2 := got.Attachment(at.Hash)
			if err1 != nil || err2 != nil || !bytes.Equal(g, w) {
				t.Errorf("Attachment(%x): %q, %v; want %q, %v", at.Hash[:4], g, err2, w, err1)
			}
		}
	}
	wm, err1 := want.DueMail(far, 10000)
	gm, err2 := got.DueMail(far, 10000)
	if err1 != nil || err2 != nil {
		t.Fatalf("DueMail: %v, %v", err1, err2)
	}
	for i := range wm {
		wm[i] = res.mail(wm[i])
	}
	for i := range gm {
		gm[i] = res.mail(gm[i])
	}
	sameAs(t, "DueMail", gm, wm)

	view := func(db Ledger) map[string]any {
		out := map[string]any{}
		err := db.View(func(tx store.Tx) error {
			seq := tx.Seq()
			out["Seq"] = seq
			out["AuditSince(0)"] = collectNorm(t, tx.AuditSince(0), id)
			out["AuditSince(half)"] = collectNorm(t, tx.AuditSince(seq/2), id)
			for _, r := range records {
				g, err := tx.Get(r.Serial)
				if err != nil {
					return err
				}
				out[fmt.Sprintf("Get(0x%x)", r.Serial)] = res.record(g)
			}
			for _, a := range apps {
				g, err := tx.Application(a.Number)
				if err != nil {
					return err
				}
				out["Application("+a.Number+")"] = res.application(g)
			}
			for issuer := range issuers {
				st, err := tx.CRLState([]byte(issuer))
				if err != nil {
					return err
				}
				out[fmt.Sprintf("CRLState(%x)", issuer)] = res.crlState(st)
				count, err := tx.Count([]byte(issuer))
				if err != nil {
					return err
				}
				out[fmt.Sprintf("Count(%x)", issuer)] = count
				out[fmt.Sprintf("Revocations(%x)", issuer)] = collectNorm(t, tx.Revocations([]byte(issuer)), res.revocation)
				out[fmt.Sprintf("ScanRevocations(%x)", issuer)] = collectNorm(t, tx.ScanRevocations([]byte(issuer)), func(r *store.Revocation) *store.Revocation {
					c := res.revocation(*r)
					c.Serial = new(big.Int).Set(r.Serial)
					return &c
				})
				for _, since := range []uint64{0, seq / 3, seq / 2} {
					out[fmt.Sprintf("RevocationsSince(%x, %d)", issuer, since)] = collectNorm(t, tx.RevocationsSince([]byte(issuer), since), res.revocation)
					out[fmt.Sprintf("RemovalsSince(%x, %d)", issuer, since)] = collectNorm(t, tx.RemovalsSince([]byte(issuer), since), res.removal)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("View: %v", err)
		}
		return out
	}
	wv, gv := view(want), view(got)
	for _, k := range slices.Sorted(maps.Keys(wv)) {
		sameAs(t, "View: "+k, gv[k], wv[k])
	}
	sameAs(t, "Export", exported(t, got, res), exported(t, want, res))
}

// exported returns the Export of db, through res.
func exported(t testing.TB, db Ledger, res normalizer) []store.Item {
	t.Helper()
	return collectNorm(t, db.Export(context.Background()), res.item)
}

// Continue makes the same writes on a ledger and its copy, which must
// give the same answers, and checks that the copy carries on where the
// original was: the next serial refused if used, application numbers and
// mail IDs continuing, reminders not queued twice, keys that are taken
// still refused, CRL numbers still increasing, and the same audit head
// after.
func Continue(t testing.TB, a, b Ledger) {
	t.Helper()
	when := fillTime(10000)
	type answer struct {
		number    string
		reserve   error
		taken     []error
		remind    bool
		crl, old  error
		due       []uint64
		head      store.Head
		appSerial *big.Int
	}
	run := func(db Ledger) answer {
		var ans answer
		app, err := db.SubmitApplication(when, [][]byte{[]byte("%PDF-1.4 next")}, testAppYear(2026, "next-key", store.Attachment{Name: "n.pdf", Type: "application/pdf"}))
		if err != nil {
			t.Fatalf("SubmitApplication on a copy: %v", err)
		}
		ans.number = app.Number
		r := newRecord(0x400)
		r.Application = app.Number
		if err := db.Reserve(r, when); err != nil {
			t.Fatal(err)
		}
		if err := db.Complete(r.Serial, derOf(0x400), r.SubjectKeyID, when); err != nil {
			t.Fatal(err)
		}
		if err := db.Revoke(store.Revocation{Serial: r.Serial, Time: when, Reason: cert.ReasonKeyCompromise}, when); err != nil {
			t.Fatal(err)
		}
		ans.reserve = errKind(db.Reserve(newRecord(8), when)) // abandoned before the copy
		for _, key := range []string{"app-key-2", "app-key-1", "ski-2"} {
			_, err := db.SubmitApplication(when, nil, testAppYear(2026, key))
			ans.taken = append(ans.taken, errKind(err))
		}
		ans.remind, err = db.Remind(serial(0x200), 30, when)
		if err != nil {
			t.Fatal(err)
		}
		st := crlStateOf(t, db, issuerA)
		next := new(big.Int).Add(st.LastNumber, big.NewInt(1))
		ans.old = errKind(db.RecordCRL(issuerA, store.CRLInfo{Number: st.LastNumber, ThisUpdate: when, Seq: seqOf(t, db)}, when))
		ans.crl = db.RecordCRL(issuerA, store.CRLInfo{Number: next, ThisUpdate: when, Seq: seqOf(t, db)}, when)
		due, err := db.DueMail(when.AddDate(1, 0, 0), 10000)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range due {
			ans.due = append(ans.due, m.ID)
		}
		if got, err := db.Application(app.Number); err == nil {
			ans.appSerial = got.Serial
		}
		if ans.head, err = db.Head(); err != nil {
			t.Fatal(err)
		}
		if err := db.VerifyAudit(); err != nil {
			t.Fatal(err)
		}
		return ans
	}
	wa, wb := run(a), run(b)
	sameAs(t, "writes after the copy", wb, wa)
	if wa.number != "2026-000004" || wa.reserve != store.ErrExists || wa.crl != nil || wa.old != store.ErrState || wa.remind ||
		!slices.Equal(wa.taken, []error{store.ErrExists, store.ErrExists, store.ErrExists}) {
		t.Errorf("writes after the copy: %+v", wa)
	}
}

// errKind reduces an error to the store sentinel it wraps.
func errKind(err error) error {
	for _, s := range []error{store.ErrExists, store.ErrState, store.ErrNotFound, store.ErrInvalid} {
		if errors.Is(err, s) {
			return s
		}
	}
	return err
}

func crlStateOf(t testing.TB, db Ledger, issuer []byte) store.CRLState {
	t.Helper()
	var st store.CRLState
	if err := db.View(func(tx store.Tx) error {
		var err error
		st, err = tx.CRLState(issuer)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return st
}

// testCopy: a ledger of everything, loaded into an empty one of the same
// backend from its Export, reads the same, refuses a second load, and
// carries on as the original does.
func testCopy(t *testing.T, s Suite) {
	ctx := context.Background()
	src := s.Open(t, Mailer)
	Fill(t, src)
	dst := s.Open(t, Mailer)
	if err := dst.Load(ctx, src.Export(ctx)); err != nil {
		t.Fatal(err)
	}
	Compare(t, src, dst, s.Resolution)
	head, _ := dst.Head()
	if err := dst.Load(ctx, src.Export(ctx)); !errors.Is(err, store.ErrExists) {
		t.Fatalf("a second Load: %v, want ErrExists", err)
	}
	if h, _ := dst.Head(); h != head {
		t.Fatalf("a refused Load moved the head: %+v, was %+v", h, head)
	}
	Continue(t, src, dst)
	if s.Reopen != nil {
		dst = s.Reopen(t, dst)
	}
	Compare(t, src, dst, s.Resolution)

	// An empty ledger copies too, to an empty ledger.
	empty, into := s.Open(t, nil), s.Open(t, nil)
	if err := into.Load(ctx, empty.Export(ctx)); err != nil {
		t.Fatal(err)
	}
	if h, err := into.Head(); err != nil || h != (store.Head{}) || into.VerifyAudit() != nil {
		t.Fatalf("copy of an empty ledger: head %+v, %v", h, err)
	}
	// The consumer may stop early.
	n := 0
	for _, err := range src.Export(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 3 {
			break
		}
	}
}

// testLoadRefused: Load refuses a stream that is malformed or whose chain
// is broken, with nothing written (the streams are shorter than one of
// Load's transactions), so that the whole stream loads after.
func testLoadRefused(t *testing.T, s Suite) {
	ctx := context.Background()
	src := s.Open(t, Mailer)
	Fill(t, src)
	items := collect(t, src.Export(ctx))
	kinds := func(k store.ItemKind) []int {
		var out []int
		for i, it := range items {
			if it.Kind() == k {
				out = append(out, i)
			}
		}
		return out
	}
	audits, records := kinds(store.ItemAudit), kinds(store.ItemRecord)
	tests := []struct {
		name   string
		mutate func(items []store.Item) []store.Item
		want   error // nil: an *store.AuditError
	}{
		{"audit entry changed", func(in []store.Item) []store.Item {
			e := *in[audits[5]].Audit
			e.Stored = slices.Clone(e.Stored)
			e.Stored[20] ^= 1
			in[audits[5]] = store.Item{Audit: &e}
			return in
		}, nil},
		{"audit entry removed", func(in []store.Item) []store.Item { return slices.Delete(in, audits[3], audits[3]+1) }, nil},
		{"last audit entries cut", func(in []store.Item) []store.Item {
			return slices.Delete(in, audits[len(audits)-2], audits[len(audits)-1]+1)
		}, nil},
		{"no head", func(in []store.Item) []store.Item { return in[:len(in)-1] }, store.ErrInvalid},
		{"head of another ledger", func(in []store.Item) []store.Item {
			h := *in[len(in)-1].Head
			h.Hash[0] ^= 1
			in[len(in)-1] = store.Item{Head: &h}
			return in
		}, nil},
		{"out of order", func(in []store.Item) []store.Item {
			in[records[0]], in[records[1]] = in[records[1]], in[records[0]]
			return in
		}, store.ErrInvalid},
		{"kinds out of order", func(in []store.Item) []store.Item {
			return append([]store.Item{in[audits[0]]}, in...)
		}, store.ErrInvalid},
		{"two fields", func(in []store.Item) []store.Item {
			in[records[0]].Head = &store.Head{}
			return in
		}, store.ErrInvalid},
		{"status without its certificate", func(in []store.Item) []store.Item {
			r := *in[records[0]].Record
			r.DER = nil
			in[records[0]] = store.Item{Record: &r}
			return in
		}, store.ErrInvalid},
		{"attachment changed", func(in []store.Item) []store.Item {
			i := kinds(store.ItemBlob)[0]
			b := *in[i].Blob
			b.Content = append(slices.Clone(b.Content), '!')
			in[i] = store.Item{Blob: &b}
			return in
		}, store.ErrInvalid},
		{"attachment missing", func(in []store.Item) []store.Item {
			i := kinds(store.ItemBlob)[0]
			return slices.Delete(in, i, i+1)
		}, store.ErrInvalid},
		{"change after the head", func(in []store.Item) []store.Item {
			i := kinds(store.ItemMail)[0]
			m := *in[i].Mail
			m.Seq = 1 << 40
			in[i] = store.Item{Mail: &m}
			return in
		}, store.ErrInvalid},
		{"source fails", func(in []store.Item) []store.Item { return in }, errSource},
	}
	// One ledger refuses every stream, and is still empty after.
	dst := s.Open(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stream := tt.mutate(collect(t, src.Export(ctx)))
			seq := slices.All(stream)
			err := dst.Load(ctx, func(yield func(store.Item, error) bool) {
				for i, it := range seq {
					if tt.want == errSource && i == len(stream)/2 {
						yield(store.Item{}, errSource)
						return
					}
					if !yield(it, nil) {
						return
					}
				}
			})
			var ae *store.AuditError
			switch {
			case tt.want == nil && !errors.As(err, &ae):
				t.Fatalf("Load: %v, want an *AuditError", err)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("Load: %v, want %v", err, tt.want)
			}
			for range dst.All() {
				t.Fatal("a refused Load left a record")
			}
			if h, err := dst.Head(); err != nil || h != (store.Head{}) {
				t.Fatalf("a refused Load left the head %+v, %v", h, err)
			}
		})
	}
	if err := dst.Load(ctx, itemsOf(items)); err != nil {
		t.Fatalf("the whole stream after the refused ones: %v", err)
	}
	Compare(t, src, dst, s.Resolution)
}

var errSource = errors.New("storetest: the source failed")

// itemsOf streams items.
func itemsOf(items []store.Item) iter.Seq2[store.Item, error] {
	return func(yield func(store.Item, error) bool) {
		for _, it := range items {
			if !yield(it, nil) {
				return
			}
		}
	}
}
