package interop

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The PDF readers: Poppler's pdftotext, pdftoppm and pdfinfo (Debian's
// poppler-utils), and ZBar's zbarimg (Debian's zbar-tools), which decodes
// QR codes from images. They check the PDFs gostca writes (ca/certpdf)
// with programs that share no code with the writer.
var pdftotextFinder, pdftoppmFinder, pdfinfoFinder, zbarimgFinder finder

// findProgram looks up name in PATH and runs it with args, which must exit
// 0, to prove it works; pkg is the Debian package that has it.
func findProgram(name, pkg string, args ...string) (*Tool, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("%s (Debian's %s) not found: %w", name, pkg, err)
	}
	if out, err := exec.Command(path, args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return &Tool{name: name, path: path}, nil
}

// FindPDFToText is [PDFToText] without a test, looked up every time.
func FindPDFToText() (*Tool, error) { return findProgram("pdftotext", "poppler-utils", "-v") }

// FindPDFToPPM is [PDFToPPM] without a test, looked up every time.
func FindPDFToPPM() (*Tool, error) { return findProgram("pdftoppm", "poppler-utils", "-v") }

// FindPDFInfo is [PDFInfo] without a test, looked up every time.
func FindPDFInfo() (*Tool, error) { return findProgram("pdfinfo", "poppler-utils", "-v") }

// FindZBarImg is [ZBarImg] without a test, looked up every time.
func FindZBarImg() (*Tool, error) { return findProgram("zbarimg", "zbar-tools", "--version") }

// PDFToText returns Poppler's pdftotext, or stops t through [Missing].
func PDFToText(t testing.TB) *Tool {
	t.Helper()
	return pdftotextFinder.get(t, FindPDFToText)
}

// PDFToPPM returns Poppler's pdftoppm, or stops t through [Missing].
func PDFToPPM(t testing.TB) *Tool {
	t.Helper()
	return pdftoppmFinder.get(t, FindPDFToPPM)
}

// PDFInfo returns Poppler's pdfinfo, or stops t through [Missing].
func PDFInfo(t testing.TB) *Tool {
	t.Helper()
	return pdfinfoFinder.get(t, FindPDFInfo)
}

// ZBarImg returns ZBar's zbarimg, or stops t through [Missing].
func ZBarImg(t testing.TB) *Tool {
	t.Helper()
	return zbarimgFinder.get(t, FindZBarImg)
}

// writePDF writes pdf to a fresh file for the tools, which read files.
func writePDF(t testing.TB, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// PDFText returns the text of every page of pdf as pdftotext extracts it,
// UTF-8, pages separated by form feeds. With layout, pdftotext keeps the
// text's columns, so that a label and its value share a line.
func PDFText(t testing.TB, pdf []byte, layout bool) string {
	t.Helper()
	args := []string{"-enc", "UTF-8"}
	if layout {
		args = append(args, "-layout")
	}
	return string(PDFToText(t).Run(t, nil, append(args, writePDF(t, pdf), "-")...))
}

// PDFWord is one word pdftotext -bbox finds, with its box in points from
// the page's top left corner.
type PDFWord struct {
	Page                   int // from 1
	Text                   string
	XMin, YMin, XMax, YMax float64
}

var (
	bboxPageRE = regexp.MustCompile(`<page width="[0-9.]+" height="[0-9.]+">`)
	bboxWordRE = regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>`)
)

// PDFWords returns every word of pdf with its box, as pdftotext -bbox
// reports them: to check where text sits (inside the margins, say).
func PDFWords(t testing.TB, pdf []byte) []PDFWord {
	t.Helper()
	out := string(PDFToText(t).Run(t, nil, "-bbox", "-enc", "UTF-8", writePDF(t, pdf), "-"))
	var words []PDFWord
	pages := bboxPageRE.FindAllStringIndex(out, -1)
	for i, p := range pages {
		end := len(out)
		if i+1 < len(pages) {
			end = pages[i+1][0]
		}
		for _, m := range bboxWordRE.FindAllStringSubmatch(out[p[1]:end], -1) {
			w := PDFWord{Page: i + 1, Text: html.UnescapeString(m[5])}
			w.XMin, _ = strconv.ParseFloat(m[1], 64)
			w.YMin, _ = strconv.ParseFloat(m[2], 64)
			w.XMax, _ = strconv.ParseFloat(m[3], 64)
			w.YMax, _ = strconv.ParseFloat(m[4], 64)
			words = append(words, w)
		}
	}
	return words
}

// PDFDocument is what pdfinfo reports of a PDF.
type PDFDocument struct {
	Pages int
	// Sizes are the pages' sizes in points, width by height, in order.
	Sizes [][2]float64
	// Fields are pdfinfo's "Name: value" lines (Title, Creator, Producer,
	// CreationDate, PDF version, ...), the value trimmed.
	Fields map[string]string
}

var pageSizeRE = regexp.MustCompile(`^Page +(\d+) size: +([0-9.]+) x ([0-9.]+) pts`)

// PDFInfoOf runs pdfinfo on pdf, with the size of every page, and returns
// what it says. pdfinfo refusing the file fails t.
func PDFInfoOf(t testing.TB, pdf []byte) PDFDocument {
	t.Helper()
	tool, path := PDFInfo(t), writePDF(t, pdf)
	doc := PDFDocument{Fields: map[string]string{}}
	for _, line := range strings.Split(string(tool.Run(t, nil, path)), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			doc.Fields[k] = strings.TrimSpace(v)
		}
	}
	n, err := strconv.Atoi(doc.Fields["Pages"])
	if err != nil || n < 1 {
		t.Fatalf("pdfinfo: no page count in %q", doc.Fields)
	}
	doc.Pages = n
	out := tool.Run(t, nil, "-f", "1", "-l", strconv.Itoa(n), path)
	for _, line := range strings.Split(string(out), "\n") {
		m := pageSizeRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		w, _ := strconv.ParseFloat(m[2], 64)
		h, _ := strconv.ParseFloat(m[3], 64)
		doc.Sizes = append(doc.Sizes, [2]float64{w, h})
	}
	if len(doc.Sizes) != n {
		t.Fatalf("pdfinfo: %d page sizes for %d pages:\n%s", len(doc.Sizes), n, out)
	}
	return doc
}

// RenderPNG renders page (from 1) of pdf with pdftoppm at dpi dots per
// inch and returns the PNG file's path.
func RenderPNG(t testing.TB, pdf []byte, page, dpi int) string {
	t.Helper()
	path := writePDF(t, pdf)
	prefix := filepath.Join(filepath.Dir(path), "page")
	p := strconv.Itoa(page)
	PDFToPPM(t).Run(t, nil, "-r", strconv.Itoa(dpi), "-png", "-f", p, "-l", p, "-singlefile", path, prefix)
	return prefix + ".png"
}

// ScanQR renders page of pdf at dpi with pdftoppm and returns what zbarimg
// reads from the QR codes on it, one string a code, in zbarimg's order;
// none found is an empty result, not a failure.
func ScanQR(t testing.TB, pdf []byte, page, dpi int) []string {
	t.Helper()
	png := RenderPNG(t, pdf, page, dpi)
	stdout, stderr, err := ZBarImg(t).exec(nil, []string{"--raw", "-q", "-Sdisable", "-Sqrcode.enable", png})
	if err != nil {
		// zbarimg exits 4 when the image holds no code it knows.
		var xe *exec.ExitError
		if errors.As(err, &xe) && xe.ExitCode() == 4 {
			return nil
		}
		t.Fatalf("%v: %s", err, bytes.TrimSpace(stderr))
	}
	var codes []string
	for _, line := range strings.Split(strings.TrimRight(string(stdout), "\n"), "\n") {
		if line != "" {
			codes = append(codes, line)
		}
	}
	return codes
}
