package certpdf

import (
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

// regular is the parsed text font, for asking which characters it has.
// sfnt.Font is safe for concurrent use with a Buffer per call.
var regular = sync.OnceValues(func() (*sfnt.Font, error) { return sfnt.Parse(goregular.TTF) })

// glyphs answers whether the text font can draw a character, remembering
// the answers for one document. It is not safe for concurrent use.
type glyphs struct {
	font  *sfnt.Font
	buf   sfnt.Buffer
	known map[rune]bool
}

func newGlyphs() (*glyphs, error) {
	f, err := regular()
	if err != nil {
		return nil, fmt.Errorf("certpdf: reading the embedded font: %w", err)
	}
	return &glyphs{font: f, known: make(map[rune]bool)}, nil
}

func (g *glyphs) has(r rune) bool {
	if r > 0xFFFF { // beyond fpdf's width table, and the font's
		return false
	}
	has, ok := g.known[r]
	if !ok {
		i, err := g.font.GlyphIndex(&g.buf, r)
		has = err == nil && i != 0
		g.known[r] = has
	}
	return has
}

// clean makes s safe to print and unambiguous to read: invalid UTF-8 bytes
// become \xHH; control and format characters (a bidi override, say), and
// characters the font cannot draw, become \uHHHH or \UHHHHHHHH; other
// spaces become plain spaces. Nothing is dropped, so that the paper shows
// what the certificate holds.
func (g *glyphs) clean(s string) string {
	ok := true
	for _, r := range s {
		if r == utf8.RuneError || r < ' ' || r > '~' {
			ok = false
			break
		}
	}
	if ok { // printable ASCII: the common case
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02X`, s[i])
		case unicode.Is(unicode.Zs, r):
			b.WriteByte(' ')
		case !unicode.IsPrint(r) || !g.has(r):
			if r > 0xFFFF {
				fmt.Fprintf(&b, `\U%08X`, r)
			} else {
				fmt.Fprintf(&b, `\u%04X`, r)
			}
		default:
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}

// hexLines writes b as upper-case hex, bytes separated by spaces, perLine
// bytes a line.
func hexLines(b []byte, perLine int) []string {
	var lines []string
	for len(b) > 0 {
		n := min(perLine, len(b))
		h := strings.ToUpper(hex.EncodeToString(b[:n]))
		var sb strings.Builder
		for i := 0; i < len(h); i += 2 {
			if i > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(h[i : i+2])
		}
		lines = append(lines, sb.String())
		b = b[n:]
	}
	return lines
}

// fingerprintLines writes a digest as gostca's commands print
// fingerprints (upper-case hex, colons between bytes), in lines of 16
// bytes.
func fingerprintLines(sum []byte) []string {
	var lines []string
	for _, l := range hexLines(sum, 16) {
		lines = append(lines, strings.ReplaceAll(l, " ", ":"))
	}
	return lines
}

// formatTime writes an instant as the copy shows it: 02.01.2006 15:04:05 UTC.
func formatTime(t time.Time) string { return t.UTC().Format("02.01.2006 15:04:05") + " UTC" }

// formatDate writes a calendar date: 02.01.2006.
func formatDate(t time.Time) string { return t.Format("02.01.2006") }

// initials writes "Иванов И. И." from a surname and given names; "" when
// the surname is empty.
func initials(surname, given string) string {
	if surname == "" {
		return ""
	}
	parts := []string{surname}
	for _, w := range strings.Fields(given) {
		r, _ := utf8.DecodeRuneInString(w)
		parts = append(parts, string(r)+".")
	}
	return strings.Join(parts, " ")
}

// bytesWords writes a count of bytes in Russian: "1 байт", "64 байта",
// "128 байт".
func bytesWords(n int) string {
	switch d, dd := n%10, n%100; {
	case d == 1 && dd != 11:
		return fmt.Sprintf("%d байт", n)
	case d >= 2 && d <= 4 && (dd < 12 || dd > 14):
		return fmt.Sprintf("%d байта", n)
	}
	return fmt.Sprintf("%d байт", n)
}
