package interop

import (
	"fmt"
	"math"
	"strings"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

// handPDF writes a one-page A4 PDF by hand, with nothing of gostca's PDF
// writer: text in Helvetica and, when qr is set, a QR code of it drawn as
// filled squares, 40 mm wide.
func handPDF(t *testing.T, text, qr string) []byte {
	t.Helper()
	var content strings.Builder
	fmt.Fprintf(&content, "BT /F1 12 Tf 72 760 Td (%s) Tj ET\n", text)
	if qr != "" {
		q, err := qrcode.New(qr, qrcode.Medium)
		if err != nil {
			t.Fatal(err)
		}
		bits := q.Bitmap() // with the quiet zone
		module := 40 / 25.4 * 72 / float64(len(bits)-8)
		x0, y0 := 72.0, 500.0
		for r, row := range bits {
			for c, dark := range row {
				if dark {
					fmt.Fprintf(&content, "%.3f %.3f %.3f %.3f re\n", x0+float64(c)*module, y0-float64(r)*module, module, module)
				}
			}
		}
		content.WriteString("f\n")
	}
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.276 841.89] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return []byte(b.String())
}

// TestPDFTools runs the PDF readers on a PDF made by hand: the finders
// must accept what make test installs, and the helpers must read text,
// page sizes and QR codes, and tell a page without a code.
func TestPDFTools(t *testing.T) {
	const url = "https://ca.test/check/0A1B2C"
	pdf := handPDF(t, "gostca interop", url)
	if got := PDFText(t, pdf, false); !strings.Contains(got, "gostca interop") {
		t.Errorf("PDFText = %q", got)
	}
	if got := PDFText(t, pdf, true); !strings.Contains(got, "gostca interop") {
		t.Errorf("PDFText(layout) = %q", got)
	}
	words := PDFWords(t, pdf)
	if len(words) != 2 || words[0].Text != "gostca" || words[1].Text != "interop" || words[0].Page != 1 ||
		words[0].XMin < 71 || words[0].XMin > 73 || words[1].XMin <= words[0].XMax {
		t.Errorf("PDFWords = %+v", words)
	}
	info := PDFInfoOf(t, pdf)
	if info.Pages != 1 || len(info.Sizes) != 1 || math.Abs(info.Sizes[0][0]-595.276) > 0.01 || math.Abs(info.Sizes[0][1]-841.89) > 0.01 {
		t.Errorf("PDFInfoOf = %+v, want one A4 page", info)
	}
	if got := ScanQR(t, pdf, 1, 150); len(got) != 1 || got[0] != url {
		t.Errorf("ScanQR = %q, want [%q]", got, url)
	}
	if got := ScanQR(t, handPDF(t, "no code", ""), 1, 150); len(got) != 0 {
		t.Errorf("ScanQR of a page without a code = %q", got)
	}
	if _, err := PDFInfo(t).Try(nil, writePDF(t, []byte("not a PDF"))); err == nil {
		t.Error("pdfinfo accepted a file that is not a PDF")
	}
}
