package ca

// Check digits of the Russian registration numbers that the qualified
// profile puts into subject names. Each function returns nil for a valid
// number, a *RequestError wrapping ErrInvalidField for a wrong length or a
// non-digit, and one wrapping ErrCheckDigit for a wrong check digit.

import (
	"errors"

	"github.com/gostca/gostca/crypto/cert"
)

// digits returns the decimal digits of s, or false if s is not exactly n
// ASCII digits.
func digits(s string, n int) ([]int, bool) {
	if len(s) != n {
		return nil, false
	}
	d := make([]int, n)
	for i := 0; i < n; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return nil, false
		}
		d[i] = int(c - '0')
	}
	return d, true
}

// weighted returns Σ w[i]·d[i].
func weighted(d, w []int) int {
	s := 0
	for i := range w {
		s += w[i] * d[i]
	}
	return s
}

// CheckSNILS checks an 11-digit SNILS (insurance account number of an
// individual): 9 digits and a two-digit checksum. The checksum is
// s = Σ d_i·(9−i) over the first nine digits, taken as is below 100, 0 for
// 100 and 101, and s mod 101 otherwise (with 100 giving 0). Numbers up to
// 001-001-998 predate the checksum and are not checked.
func CheckSNILS(s string) error {
	d, ok := digits(s, 11)
	if !ok {
		return reqErr(ErrInvalidField, "SNILS", "%q is not 11 digits", s)
	}
	number := 0
	for _, v := range d[:9] {
		number = number*10 + v
	}
	if number <= 1001998 {
		return nil
	}
	sum := weighted(d, []int{9, 8, 7, 6, 5, 4, 3, 2, 1})
	check := sum
	switch {
	case sum < 100:
	case sum == 100 || sum == 101:
		check = 0
	default:
		check = sum % 101
		if check == 100 {
			check = 0
		}
	}
	if check != d[9]*10+d[10] {
		return reqErr(ErrCheckDigit, "SNILS", "%q: check digits should be %02d", s, check)
	}
	return nil
}

var (
	innWeights10 = []int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	innWeights11 = []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	innWeights12 = []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
)

// CheckINN checks a 12-digit INN (taxpayer number of an individual): the
// 11th digit is (Σ w·d mod 11) mod 10 with weights 7,2,4,10,3,5,9,4,6,8,
// the 12th the same over the first 11 digits with 3,7,2,4,10,3,5,9,4,6,8.
func CheckINN(s string) error {
	d, ok := digits(s, 12)
	if !ok {
		return reqErr(ErrInvalidField, "INN", "%q is not 12 digits", s)
	}
	c11 := weighted(d, innWeights11) % 11 % 10
	c12 := weighted(d, innWeights12) % 11 % 10
	if d[10] != c11 || d[11] != c12 {
		return reqErr(ErrCheckDigit, "INN", "%q: check digits should be %d%d", s, c11, c12)
	}
	return nil
}

// CheckINNLE checks a 10-digit INNLE (taxpayer number of a legal entity):
// the 10th digit is (Σ w·d mod 11) mod 10 with weights 2,4,10,3,5,9,4,6,8.
func CheckINNLE(s string) error {
	d, ok := digits(s, 10)
	if !ok {
		return reqErr(ErrInvalidField, "INNLE", "%q is not 10 digits", s)
	}
	if c := weighted(d, innWeights10) % 11 % 10; d[9] != c {
		return reqErr(ErrCheckDigit, "INNLE", "%q: check digit should be %d", s, c)
	}
	return nil
}

// CheckOGRN checks a 13-digit OGRN (registration number of a legal
// entity): the last digit is (the first 12 digits as a number mod 11)
// mod 10.
func CheckOGRN(s string) error {
	return checkModulo(s, "OGRN", 13, 11)
}

// CheckOGRNIP checks a 15-digit OGRNIP (registration number of an
// individual entrepreneur): the last digit is (the first 14 digits as a
// number mod 13) mod 10.
func CheckOGRNIP(s string) error {
	return checkModulo(s, "OGRNIP", 15, 13)
}

func checkModulo(s, field string, n, m int) error {
	d, ok := digits(s, n)
	if !ok {
		return reqErr(ErrInvalidField, field, "%q is not %d digits", s, n)
	}
	r := 0
	for _, v := range d[:n-1] {
		r = (r*10 + v) % m
	}
	if c := r % 10; d[n-1] != c {
		return reqErr(ErrCheckDigit, field, "%q: check digit should be %d", s, c)
	}
	return nil
}

// CheckRegistrationNumbers checks the check digits of the registration
// numbers n carries (SNILS, INN, INNLE, OGRN, OGRNIP; absent ones are not
// required here), as the qualified profile does at issue. A failure is a
// *RequestError naming the field ("Subject.SNILS", ...) and wrapping
// ErrInvalidField (not all digits, or not as many as the number has) or
// ErrCheckDigit.
func CheckRegistrationNumbers(n *cert.Name) error {
	for _, f := range []struct {
		value string
		check func(string) error
	}{
		{n.SNILS, CheckSNILS}, {n.INN, CheckINN}, {n.INNLE, CheckINNLE}, {n.OGRN, CheckOGRN}, {n.OGRNIP, CheckOGRNIP},
	} {
		if f.value == "" {
			continue
		}
		if err := f.check(f.value); err != nil {
			var re *RequestError
			if errors.As(err, &re) {
				re.Field = "Subject." + re.Field
			}
			return err
		}
	}
	return nil
}
