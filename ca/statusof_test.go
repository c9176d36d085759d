package ca_test

import (
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/store"
)

func TestStatusOf(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	revokedAt := now.Add(-time.Hour)
	rec := func(st store.Status, notAfter time.Time, reason cert.ReasonCode) *store.Record {
		r := &store.Record{Serial: big.NewInt(7), Status: st, NotBefore: now.AddDate(-1, 0, 0), NotAfter: notAfter}
		if st == store.StatusHeld || st == store.StatusRevoked {
			r.Revocation = &store.Revocation{Serial: r.Serial, Time: revokedAt, Reason: reason, InvalidityDate: revokedAt.Add(-time.Minute)}
		}
		return r
	}
	later, earlier := now.AddDate(1, 0, 0), now.Add(-time.Second)
	for _, tc := range []struct {
		name   string
		rec    *store.Record
		state  ca.State
		reason cert.ReasonCode
	}{
		{"good", rec(store.StatusGood, later, 0), ca.StateGood, 0},
		{"good on its last second", rec(store.StatusGood, now, 0), ca.StateGood, 0},
		{"expired", rec(store.StatusGood, earlier, 0), ca.StateExpired, 0},
		{"revoked", rec(store.StatusRevoked, later, cert.ReasonKeyCompromise), ca.StateRevoked, cert.ReasonKeyCompromise},
		{"revoked and expired", rec(store.StatusRevoked, earlier, cert.ReasonSuperseded), ca.StateRevoked, cert.ReasonSuperseded},
		{"held", rec(store.StatusHeld, later, cert.ReasonCertificateHold), ca.StateHeld, cert.ReasonCertificateHold},
		// A hold is certificateHold whatever the entry says (an import).
		{"held, other reason recorded", rec(store.StatusHeld, later, cert.ReasonUnspecified), ca.StateHeld, cert.ReasonCertificateHold},
		{"reserved", rec(store.StatusReserved, later, 0), ca.StateUnknown, 0},
		{"abandoned", rec(store.StatusAbandoned, later, 0), ca.StateUnknown, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := ca.StatusOf(tc.rec, now)
			if st.State != tc.state || st.Reason != tc.reason || st.Record != tc.rec || st.Serial.Cmp(tc.rec.Serial) != 0 {
				t.Fatalf("StatusOf = %v reason %v, want %v reason %v", st.State, st.Reason, tc.state, tc.reason)
			}
			revoked := tc.state == ca.StateRevoked || tc.state == ca.StateHeld
			if revoked != !st.RevokedAt.IsZero() || revoked != !st.InvalidityDate.IsZero() {
				t.Errorf("RevokedAt %v, InvalidityDate %v for %v", st.RevokedAt, st.InvalidityDate, st.State)
			}
		})
	}
}

func TestCheckRegistrationNumbers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		n     cert.Name
		field string
		want  error
	}{
		{"none", cert.Name{CommonName: "x"}, "", nil},
		{"all valid", cert.Name{SNILS: "11223344595", INN: "500100732259", INNLE: "7707083893", OGRN: "1027700132195", OGRNIP: "304500116000157"}, "", nil},
		{"SNILS check digits", cert.Name{SNILS: "11223344594"}, "Subject.SNILS", ca.ErrCheckDigit},
		{"SNILS length", cert.Name{SNILS: "1122334459"}, "Subject.SNILS", ca.ErrInvalidField},
		{"INN", cert.Name{SNILS: "11223344595", INN: "500100732258"}, "Subject.INN", ca.ErrCheckDigit},
		{"INNLE", cert.Name{INNLE: "7707083894"}, "Subject.INNLE", ca.ErrCheckDigit},
		{"OGRN", cert.Name{OGRN: "1027700132196"}, "Subject.OGRN", ca.ErrCheckDigit},
		{"OGRNIP letters", cert.Name{OGRNIP: "30450011600015x"}, "Subject.OGRNIP", ca.ErrInvalidField},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ca.CheckRegistrationNumbers(&tc.n)
			if !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var re *ca.RequestError
			if err != nil && (!errors.As(err, &re) || re.Field != tc.field) {
				t.Errorf("err = %v, want a RequestError for %s", err, tc.field)
			}
		})
	}
}
