package ra

import (
	"crypto/hmac"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"

	"github.com/gostca/gostca/crypto/streebog"
)

// codeBytes is the access code's entropy: 10 bytes, 80 bits.
const codeBytes = 10

// codeAlphabet is Crockford-like base32 without I, L, O and U: nothing
// that reads as another letter or a digit.
var codeEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// NewAccessCode returns a fresh access code: 80 random bits from rand in
// 16 characters, grouped by four ("7K2D-Q9XA-M4TB-PR3F"). It is shown to
// the applicant once; only its keyed hash (HashCode) is kept.
func NewAccessCode(rand io.Reader) (string, error) {
	b := make([]byte, codeBytes)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", fmt.Errorf("ra: making an access code: %w", err)
	}
	s := codeEncoding.EncodeToString(b)
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16], nil
}

// normalCode is the code as typed, without separators and spaces, in
// upper case, with the letters people confuse read as the digits meant.
func normalCode(code string) string {
	r := strings.NewReplacer("-", "", " ", "", "O", "0", "I", "1", "L", "1")
	return r.Replace(strings.ToUpper(code))
}

// HashCode is the keyed hash kept in place of an access code (or a code
// word): HMAC-Streebog-256 under the ledger's secret key, over the
// application number and the normalised code, so that a leaked ledger
// gives no code, and a hash cannot be moved to another application.
func HashCode(key []byte, number, code string) []byte {
	m := hmac.New(streebog.New256, key)
	m.Write([]byte(strconv.Itoa(len(number))))
	m.Write([]byte(number))
	m.Write([]byte(normalCode(code)))
	return m.Sum(nil)
}

// CheckCode reports, in constant time, whether code is the one whose
// HashCode is sum.
func CheckCode(key []byte, number, code string, sum []byte) bool {
	return subtle.ConstantTimeCompare(HashCode(key, number, code), sum) == 1
}

// FormatSerial writes a certificate serial as people read it: upper-case
// hexadecimal with an even number of digits, as gostca's commands print
// it ("04C85E…").
func FormatSerial(n *big.Int) string {
	s := fmt.Sprintf("%X", n)
	if len(s)%2 == 1 {
		s = "0" + s
	}
	return s
}

// FormatNumber returns the application number of the seq-th application
// of year: "2026-000123".
func FormatNumber(year int, seq uint64) string {
	return fmt.Sprintf("%04d-%06d", year, seq)
}

// ParseNumber reads an application number, as FormatNumber writes it.
func ParseNumber(s string) (year int, seq uint64, err error) {
	y, n, ok := strings.Cut(strings.TrimSpace(s), "-")
	if ok && len(y) == 4 && len(n) >= 6 && allDigits(y) && allDigits(n) {
		if year, err = strconv.Atoi(y); err == nil {
			if seq, err = strconv.ParseUint(n, 10, 64); err == nil && seq > 0 {
				return year, seq, nil
			}
		}
	}
	return 0, 0, fmt.Errorf("ra: %q is not an application number (2026-000123)", s)
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
