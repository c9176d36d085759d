package ca

import (
	"errors"
	"testing"
)

func TestCheckDigits(t *testing.T) {
	tests := []struct {
		name  string
		check func(string) error
		in    string
		want  error // nil, ErrCheckDigit or ErrInvalidField
	}{
		{"SNILS valid", CheckSNILS, "11223344595", nil},
		{"SNILS sum below 100", CheckSNILS, "00100199965", nil},
		{"SNILS sum 100", CheckSNILS, "00150881500", nil},
		{"SNILS sum 101", CheckSNILS, "00143754400", nil},
		{"SNILS sum mod 101 is 100", CheckSNILS, "00699668200", nil},
		{"SNILS sum mod 101", CheckSNILS, "00116829806", nil},
		{"SNILS old number not checked", CheckSNILS, "00100199812", nil},
		{"SNILS wrong check", CheckSNILS, "11223344596", ErrCheckDigit},
		{"SNILS wrong digit", CheckSNILS, "11223344695", ErrCheckDigit},
		{"SNILS first checked number", CheckSNILS, "00100199900", ErrCheckDigit},
		{"SNILS short", CheckSNILS, "1122334459", ErrInvalidField},
		{"SNILS dashes", CheckSNILS, "112-233-445 95", ErrInvalidField},
		{"SNILS letters", CheckSNILS, "1122334459a", ErrInvalidField},
		{"SNILS empty", CheckSNILS, "", ErrInvalidField},

		{"INN valid", CheckINN, "500100732259", nil},
		{"INN wrong 11th", CheckINN, "500100732269", ErrCheckDigit},
		{"INN wrong 12th", CheckINN, "500100732258", ErrCheckDigit},
		{"INN legal-entity length", CheckINN, "7707083893", ErrInvalidField},
		{"INN non-digit", CheckINN, "50010073225x", ErrInvalidField},

		{"INNLE valid", CheckINNLE, "7707083893", nil},
		{"INNLE wrong check", CheckINNLE, "7707083894", ErrCheckDigit},
		{"INNLE individual length", CheckINNLE, "500100732259", ErrInvalidField},

		{"OGRN valid", CheckOGRN, "1027700132195", nil},
		{"OGRN valid 2", CheckOGRN, "1177746123455", nil},
		{"OGRN wrong check", CheckOGRN, "1027700132196", ErrCheckDigit},
		{"OGRN long", CheckOGRN, "10277001321950", ErrInvalidField},

		{"OGRNIP valid", CheckOGRNIP, "304500116000157", nil},
		{"OGRNIP wrong check", CheckOGRNIP, "304500116000158", ErrCheckDigit},
		{"OGRNIP OGRN length", CheckOGRNIP, "1027700132195", ErrInvalidField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check(tt.in)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			var re *RequestError
			if !errors.As(err, &re) || re.Field == "" {
				t.Fatalf("got %#v, want a *RequestError naming the field", err)
			}
		})
	}
}
