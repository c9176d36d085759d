package ra_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gostca/gostca/ca/ra"
)

// FuzzApplicant feeds arbitrary JSON to the applicant's decoding and
// checks: never a panic, and a number or date that parses prints back to
// what parses the same.
func FuzzApplicant(f *testing.F) {
	f.Add([]byte(`{"surname":"Иванов","birth_date":"1980-04-12","passport":{"issue_date":"2005-05-20"},"organization":{}}`), "2026-000123")
	f.Add([]byte(`{"birth_date":null}`), "0000-000001")
	f.Fuzz(func(t *testing.T, data []byte, number string) {
		var a ra.Applicant
		if json.Unmarshal(data, &a) == nil {
			_ = a.Validate(time.Now())
			_ = a.Kind()
		}
		if year, seq, err := ra.ParseNumber(number); err == nil {
			y2, s2, err := ra.ParseNumber(ra.FormatNumber(year, seq))
			if err != nil || y2 != year || s2 != seq {
				t.Fatalf("%q: %d-%d does not round-trip: %v", number, year, seq, err)
			}
		}
		if d, err := ra.ParseDate(number); err == nil {
			if back, err := ra.ParseDate(d.String()); err != nil || !back.Equal(d.Time) {
				t.Fatalf("date %q does not round-trip", number)
			}
		}
	})
}
