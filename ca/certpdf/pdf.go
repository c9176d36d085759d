package certpdf

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
)

// document is what a printed document says, before it is laid out: Copy
// and ApplicationForm build one, render lays it out on A4 pages.
type document struct {
	title    string   // the heading of the first page
	lead     []string // lines under the heading
	qr       string   // the content of the QR code beside the heading; "" for none
	sections []section
	// signatures are the signature lines at the end.
	signatures []signature
	footer     string    // before "страница N из M" at the foot of every page
	created    time.Time // the PDF's creation date
	subject    string    // the PDF's Subject
}

// section is a titled table of rows, then paragraphs of prose.
type section struct {
	title string
	rows  []row
	prose []string
	// withSignatures keeps the section on the page of the signatures
	// that follow it: what is signed for stays beside the signatures.
	withSignatures bool
}

// row is a label and its value, in paragraphs; each wraps to the value
// column.
type row struct {
	label string
	value []string
	mono  bool // hex: in the monospaced font
}

func textRow(label string, value ...string) row { return row{label: label, value: value} }

func monoRow(label string, value ...string) row { return row{label: label, value: value, mono: true} }

// signature is a line for one signature: who signs, the name under the
// line ("" for a blank to fill in), and the seal's place.
type signature struct {
	role string
	name string
	seal bool
}

// add appends the rows whose value is set.
func (s *section) add(rows ...row) {
	for _, r := range rows {
		if len(r.value) > 0 && strings.Join(r.value, "") != "" {
			s.rows = append(s.rows, r)
		}
	}
}

// outline writes d as text, one line a row: what the golden files hold.
func (d *document) outline() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n", d.title)
	for _, l := range d.lead {
		fmt.Fprintf(&b, "%s\n", l)
	}
	if d.qr != "" {
		fmt.Fprintf(&b, "[QR %s]\n", d.qr)
	}
	for _, s := range d.sections {
		if len(s.rows) == 0 && len(s.prose) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n## %s\n", s.title)
		for _, r := range s.rows {
			fmt.Fprintf(&b, "%s: %s\n", r.label, strings.Join(r.value, " | "))
		}
		for _, p := range s.prose {
			fmt.Fprintf(&b, "> %s\n", p)
		}
	}
	b.WriteString("\n")
	for _, sg := range d.signatures {
		fmt.Fprintf(&b, "%s: ____ / %s /", sg.role, sg.name)
		if sg.seal {
			b.WriteString(" М.П.")
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "-- %s\n", d.footer)
	return b.String()
}

// Page geometry, in millimetres, and type sizes, in points.
const (
	pageW, pageH = 210.0, 297.0
	marginLeft   = 20.0 // room to bind or file the sheet
	marginRight  = 15.0
	marginTop    = 15.0
	bodyBottom   = pageH - 18 // the footer sits below
	contentW     = pageW - marginLeft - marginRight
	labelW       = 58.0
	valueW       = contentW - labelW

	qrSide = 38.0 // the code's modules, without the quiet zone: well above the 35 mm a phone needs

	sizeTitle   = 14.0
	sizeHeading = 10.5
	sizeLabel   = 8.5
	sizeValue   = 9.5
	sizeMono    = 8.5
	sizeSmall   = 7.5
	lineH       = 4.4 // one line of value text
)

// Font families, embedded from golang.org/x/image/font/gofont.
const (
	famText = "goregular"
	famMono = "gomono"
)

// writer lays a document out with fpdf.
type writer struct {
	pdf   *fpdf.Fpdf
	g     *glyphs
	total int // pages, for the footers; 0 while counting
}

// render lays d out on A4 pages and returns the PDF. It lays it out twice:
// once to count the pages that the footers name, then for real (fpdf's
// page-count alias would also replace its text inside the values).
func render(d *document) ([]byte, error) {
	g, err := newGlyphs()
	if err != nil {
		return nil, err
	}
	w := &writer{g: g}
	if err := w.layout(d); err != nil {
		return nil, err
	}
	w.total = w.pdf.PageNo()
	if err := w.layout(d); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := w.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("certpdf: writing the PDF: %w", err)
	}
	return buf.Bytes(), nil
}

func (w *writer) layout(d *document) error {
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	w.pdf = pdf
	pdf.SetMargins(marginLeft, marginTop, marginRight)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCellMargin(1)
	// Fixed dates and sorted catalogues: the same input makes the same bytes.
	pdf.SetCreationDate(d.created)
	pdf.SetModificationDate(d.created)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(w.g.clean(d.title), true)
	pdf.SetSubject(w.g.clean(d.subject), true)
	pdf.SetCreator("gostca", true)
	pdf.SetProducer("gostca, codeberg.org/go-pdf/fpdf", true)
	pdf.SetLang("ru-RU")
	// fpdf writes into the font bytes it is given when it makes the
	// subset (the head, hhea and maxp tables): each document gets its own
	// copy, so that the gofont packages' variables stay as they are (and
	// the next document the same).
	pdf.AddUTF8FontFromBytes(famText, "", bytes.Clone(goregular.TTF))
	pdf.AddUTF8FontFromBytes(famText, "B", bytes.Clone(gobold.TTF))
	pdf.AddUTF8FontFromBytes(famMono, "", bytes.Clone(gomono.TTF))
	pdf.SetFooterFunc(func() { w.footer(d.footer) })

	pdf.AddPage()
	w.heading(d)
	for i := range d.sections {
		s := &d.sections[i]
		if s.withSignatures {
			w.space(w.height(s) + signaturesHeight(len(d.signatures)))
		}
		w.section(s)
	}
	w.signatures(d.signatures)
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("certpdf: laying out the PDF: %w", err)
	}
	return nil
}

func (w *writer) footer(text string) {
	pdf := w.pdf
	pdf.SetY(pageH - 12)
	pdf.SetFont(famText, "", sizeSmall)
	pdf.SetTextColor(90, 90, 90)
	s := w.g.clean(text)
	if w.total > 0 {
		s += fmt.Sprintf(" · страница %d из %d", pdf.PageNo(), w.total)
	}
	pdf.CellFormat(contentW, 4, s, "", 0, "C", false, 0, "")
	pdf.SetTextColor(0, 0, 0)
}

// space makes room for h millimetres, starting a page if this one has
// not that much left.
func (w *writer) space(h float64) {
	if w.pdf.GetY()+h > bodyBottom {
		w.pdf.AddPage()
	}
}

// lines wraps text to width in the font set.
func (w *writer) lines(text string, width float64) []string {
	var out []string
	for _, p := range strings.Split(text, "\n") {
		l := w.pdf.SplitText(p, width)
		if len(l) == 0 {
			l = []string{""}
		}
		out = append(out, l...)
	}
	return out
}

// heading writes the title and its lead lines, with the QR code and its
// text to the right.
func (w *writer) heading(d *document) {
	pdf := w.pdf
	textW := contentW
	qrBottom := marginTop
	if d.qr != "" {
		box := w.qrCode(d.qr, marginLeft+contentW, marginTop)
		textW -= box + 6
		qrBottom = pdf.GetY()
	}
	pdf.SetXY(marginLeft, marginTop)
	pdf.SetFont(famText, "B", sizeTitle)
	for _, l := range w.lines(w.g.clean(d.title), textW) {
		pdf.CellFormat(textW, 6.5, l, "", 2, "L", false, 0, "")
	}
	pdf.Ln(2)
	pdf.SetFont(famText, "", sizeValue)
	for _, lead := range d.lead {
		for _, l := range w.lines(w.g.clean(lead), textW) {
			pdf.CellFormat(textW, lineH+0.6, l, "", 2, "L", false, 0, "")
		}
	}
	pdf.SetXY(marginLeft, max(pdf.GetY(), qrBottom)+4)
}

// qrCode draws a QR code of content with its right edge at right and its
// top at top, its modules as filled squares (sharp at any resolution), the
// content printed under it; it returns the width it took and leaves the
// position under the text.
func (w *writer) qrCode(content string, right, top float64) float64 {
	pdf := w.pdf
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		pdf.SetError(fmt.Errorf("encoding the QR code: %w", err))
		return 0
	}
	q.DisableBorder = true
	bits := q.Bitmap()
	module := qrSide / float64(len(bits))
	quiet := 4 * module // the quiet zone, left white
	box := qrSide + 2*quiet
	x0, y0 := right-box+quiet, top+quiet
	pdf.SetFillColor(0, 0, 0)
	for r, line := range bits {
		for c := 0; c < len(line); {
			if !line[c] {
				c++
				continue
			}
			start := c
			for c < len(line) && line[c] {
				c++
			}
			// A hair of overlap between rows, so that no seam shows
			// when the page is rendered with anti-aliasing.
			pdf.Rect(x0+float64(start)*module, y0+float64(r)*module, float64(c-start)*module, module+0.02, "F")
		}
	}
	pdf.SetFont(famMono, "", 6.5)
	pdf.SetXY(right-box, y0+qrSide+quiet/2)
	for _, l := range w.lines(content, box) {
		pdf.CellFormat(box, 3, l, "", 2, "C", false, 0, "")
	}
	return box
}

// Vertical space around the parts of a page, in millimetres.
const (
	headingH   = 2 + 6.5 + 1 // the gap above a section's heading, the heading, the gap below
	rowGap     = 1.4         // the rule under a row and the gap after it
	proseGap   = 1.5         // after a paragraph
	signatureH = 24          // one signature line with its captions and date
)

func signaturesHeight(n int) float64 {
	if n == 0 {
		return 0
	}
	return 8 + signatureH*float64(n)
}

// height measures what s takes on a page.
func (w *writer) height(s *section) float64 {
	if len(s.rows) == 0 && len(s.prose) == 0 {
		return 0
	}
	h := headingH
	for _, r := range s.rows {
		label, value := w.rowLines(r)
		h += float64(max(len(label), len(value)))*lineH + rowGap
	}
	w.pdf.SetFont(famText, "", sizeValue)
	for _, p := range s.prose {
		h += float64(len(w.lines(w.g.clean(p), contentW)))*lineH + proseGap
	}
	return h
}

func (w *writer) section(s *section) {
	if len(s.rows) == 0 && len(s.prose) == 0 {
		return
	}
	pdf := w.pdf
	w.space(headingH + 3*lineH) // never a heading alone at the foot of a page
	pdf.Ln(2)
	pdf.SetFillColor(230, 234, 240)
	pdf.SetFont(famText, "B", sizeHeading)
	pdf.CellFormat(contentW, 6.5, w.g.clean(s.title), "", 1, "L", true, 0, "")
	pdf.Ln(1)
	for _, r := range s.rows {
		w.row(r)
	}
	pdf.SetFont(famText, "", sizeValue)
	for _, p := range s.prose {
		lines := w.lines(w.g.clean(p), contentW)
		for i, l := range lines {
			w.space(lineH)
			align := "J"
			if i == len(lines)-1 {
				align = "L" // the last line of a paragraph is not stretched
			}
			pdf.CellFormat(contentW, lineH, l, "", 1, align, false, 0, "")
		}
		pdf.Ln(proseGap)
	}
}

// rowLines wraps a row's label and value to their columns.
func (w *writer) rowLines(r row) (label, value []string) {
	pdf := w.pdf
	pdf.SetFont(famText, "", sizeLabel)
	label = w.lines(w.g.clean(r.label), labelW)
	pdf.SetFont(w.valueFont(r))
	for _, p := range r.value {
		value = append(value, w.lines(w.g.clean(p), valueW)...)
	}
	return label, value
}

func (w *writer) valueFont(r row) (family, style string, size float64) {
	if r.mono {
		return famMono, "", sizeMono
	}
	return famText, "", sizeValue
}

// row writes a label and its value side by side, line by line, so that a
// value of any length carries on to the next page.
func (w *writer) row(r row) {
	pdf := w.pdf
	label, value := w.rowLines(r)
	n := max(len(label), len(value))
	w.space(float64(min(n, 3)) * lineH) // keep short rows whole
	for i := range n {
		w.space(lineH)
		y := pdf.GetY()
		if i < len(label) {
			pdf.SetFont(famText, "", sizeLabel)
			pdf.SetTextColor(70, 70, 70)
			pdf.SetXY(marginLeft, y)
			pdf.CellFormat(labelW, lineH, label[i], "", 0, "L", false, 0, "")
			pdf.SetTextColor(0, 0, 0)
		}
		if i < len(value) {
			pdf.SetFont(w.valueFont(r))
			pdf.SetXY(marginLeft+labelW, y)
			pdf.CellFormat(valueW, lineH, value[i], "", 0, "L", false, 0, "")
		}
		pdf.SetXY(marginLeft, y+lineH)
	}
	pdf.SetDrawColor(215, 215, 215)
	pdf.SetLineWidth(0.15)
	y := pdf.GetY() + rowGap/2
	pdf.Line(marginLeft, y, marginLeft+contentW, y)
	pdf.SetXY(marginLeft, y+rowGap/2)
}

// signatures writes the signature lines, each with its role, a line to
// sign on, the name, and the seal's place where it goes; kept together on
// one page.
func (w *writer) signatures(sigs []signature) {
	if len(sigs) == 0 {
		return
	}
	pdf := w.pdf
	w.space(signaturesHeight(len(sigs)))
	pdf.Ln(6)
	for _, s := range sigs {
		y := pdf.GetY()
		pdf.SetFont(famText, "", sizeValue)
		roleLines := w.lines(w.g.clean(s.role), 62)
		for i, l := range roleLines {
			pdf.SetXY(marginLeft, y+float64(i)*lineH)
			pdf.CellFormat(62, lineH, l, "", 0, "L", false, 0, "")
		}
		lineY := y + 2*lineH + 2
		pdf.SetDrawColor(0, 0, 0)
		pdf.SetLineWidth(0.25)
		pdf.Line(marginLeft+64, lineY, marginLeft+104, lineY)  // the signature
		pdf.Line(marginLeft+110, lineY, marginLeft+158, lineY) // the name
		pdf.SetFont(famText, "", sizeSmall)
		pdf.SetTextColor(90, 90, 90)
		pdf.SetXY(marginLeft+64, lineY+0.5)
		pdf.CellFormat(40, 3.5, "(подпись)", "", 0, "C", false, 0, "")
		pdf.SetXY(marginLeft+110, lineY+0.5)
		pdf.CellFormat(48, 3.5, "(фамилия и инициалы)", "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
		pdf.SetFont(famText, "", sizeValue)
		if s.name != "" {
			pdf.SetXY(marginLeft+110, lineY-lineH-0.5)
			pdf.CellFormat(48, lineH, fitted(pdf, w.g.clean(s.name), 48), "", 0, "C", false, 0, "")
		}
		if s.seal {
			pdf.SetXY(marginLeft+162, lineY-lineH-0.5)
			pdf.CellFormat(contentW-162, lineH, "М.П.", "", 0, "L", false, 0, "")
		}
		pdf.SetXY(marginLeft+64, lineY+5)
		pdf.CellFormat(94, lineH, "«____» ________________ 20____ г.", "", 0, "L", false, 0, "")
		pdf.SetXY(marginLeft, max(lineY+5+lineH, y+float64(len(roleLines))*lineH)+5)
	}
}

// fitted returns s cut, with an ellipsis, to fit width in the font set:
// a name on a signature line has one line.
func fitted(pdf *fpdf.Fpdf, s string, width float64) string {
	if pdf.GetStringWidth(s) <= width-2 {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && pdf.GetStringWidth(string(r)+"…") > width-2 {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
