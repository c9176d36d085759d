package notify

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrMessage is wrapped by the errors for a message that cannot be sent as
// it is, whatever the server: a recipient that is not one address, a
// subject that is empty or not one line, text that is not UTF-8. Such a
// failure is [Permanent].
var ErrMessage = errors.New("notify: message cannot be sent")

// lineMax is the length RFC 5322 asks header lines to stay within.
const lineMax = 78

// wordBytes is how many bytes of the subject go into one encoded-word:
// 52 base64 characters, so that "=?UTF-8?B?" + 52 + "?=" (64) fits after
// "Subject: " within lineMax.
const wordBytes = 39

// parseAddress returns the one address s names, or an error wrapping
// ErrMessage: no CR or LF, one address (a display name allowed), and a
// domain.
func parseAddress(s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("%w: address %q has a line break", ErrMessage, s)
	}
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("%w: address %q is not UTF-8", ErrMessage, s)
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("%w: address %q: %v", ErrMessage, s, err)
	}
	if at := strings.LastIndexByte(a.Address, '@'); at <= 0 || at == len(a.Address)-1 {
		return nil, fmt.Errorf("%w: address %q has no domain", ErrMessage, s)
	}
	return a, nil
}

// domain returns the domain of an address.
func domain(a *mail.Address) string { return a.Address[strings.LastIndexByte(a.Address, '@')+1:] }

// ascii reports whether s is all ASCII.
func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// messageID returns the Message-ID of the message id sent from the domain:
// the same for every attempt.
func messageID(id uint64, domain string) string {
	return "<notify." + strconv.FormatUint(id, 10) + "@" + domain + ">"
}

// encode returns m as an Internet message from from, dated date: headers
// per RFC 5322, the subject as RFC 2047 encoded-words where it is not
// plain short ASCII, the body as base64 of UTF-8 text with CRLF line ends
// (RFC 2045), every line within lineMax characters, and CRLF line ends.
func encode(from *mail.Address, m Message, date time.Time) ([]byte, error) {
	to, err := parseAddress(m.To)
	if err != nil {
		return nil, err
	}
	switch {
	case m.Subject == "":
		return nil, fmt.Errorf("%w: empty subject", ErrMessage)
	case !utf8.ValidString(m.Subject):
		return nil, fmt.Errorf("%w: subject is not UTF-8", ErrMessage)
	case strings.IndexFunc(m.Subject, unicode.IsControl) >= 0:
		return nil, fmt.Errorf("%w: subject has a control character (a line break?)", ErrMessage)
	case !utf8.ValidString(m.Body):
		return nil, fmt.Errorf("%w: body is not UTF-8", ErrMessage)
	}
	var b strings.Builder
	header := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	header("Date", date.Format(time.RFC1123Z))
	b.WriteString(address("From", from))
	b.WriteString(address("To", to))
	b.WriteString(subject(m.Subject))
	header("Message-ID", messageID(m.ID, domain(from)))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "base64")
	header("Auto-Submitted", "auto-generated") // RFC 3834: no automatic replies
	b.WriteString("\r\n")

	body := strings.ReplaceAll(m.Body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\r", "\n")
	body = strings.ReplaceAll(body, "\n", "\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(body))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	if enc != "" {
		b.WriteString(enc + "\r\n")
	}
	return []byte(b.String()), nil
}

// subject returns the Subject header, folded, CRLF included. A short
// subject of printable ASCII words, single spaces between, and no "=?"
// goes as it is; any other as B encoded-words.
func subject(s string) string {
	const name = "Subject"
	if len(name)+2+len(s) <= lineMax && plainASCII(s) {
		return name + ": " + s + "\r\n"
	}
	return fold(name, words(s))
}

// address returns an address header, folded, CRLF included: the display
// name, if any, as it is when plainASCII, else as B encoded-words; the
// address in angle brackets, quoted as RFC 5322 needs.
func address(name string, a *mail.Address) string {
	addr := (&mail.Address{Address: a.Address}).String()
	switch {
	case a.Name == "":
		return fold(name, []string{addr})
	case plainASCII(a.Name) && strings.IndexFunc(a.Name, isSpecial) < 0:
		return fold(name, append(strings.Fields(a.Name), addr))
	}
	return fold(name, append(words(a.Name), addr))
}

// isSpecial reports whether r is one of RFC 5322's specials, which a
// display name cannot carry unquoted.
func isSpecial(r rune) bool { return strings.ContainsRune(`()<>[]:;@\,."`, r) }

// plainASCII reports whether s can go into a header as it is: printable
// ASCII words, single spaces between them, and no "=?", which would read
// as an encoded-word.
func plainASCII(s string) bool {
	if s == "" || strings.Contains(s, "=?") || strings.HasPrefix(s, " ") ||
		strings.HasSuffix(s, " ") || strings.Contains(s, "  ") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// words returns s as RFC 2047 B encoded-words of UTF-8, each of whole
// characters and at most wordBytes bytes.
func words(s string) []string {
	var out []string
	for s != "" {
		n := 0
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			if n+size > wordBytes {
				break
			}
			n += size
		}
		out = append(out, "=?UTF-8?B?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return out
}

// fold returns the header name with tokens separated by spaces, a line
// broken before a token that would pass lineMax, CRLF included.
func fold(name string, tokens []string) string {
	var b strings.Builder
	b.WriteString(name + ":")
	n := b.Len()
	for _, t := range tokens {
		if n+1+len(t) > lineMax && n > len(name)+1 {
			b.WriteString("\r\n")
			n = 0
		}
		b.WriteString(" " + t)
		n += 1 + len(t)
	}
	b.WriteString("\r\n")
	return b.String()
}
