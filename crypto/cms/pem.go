package cms

import (
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
)

// pemType is the PEM label this package writes, as "openssl cms -outform
// PEM" does.
const pemType = "CMS"

// EncodePEM returns der as a PEM block labelled CMS.
func EncodePEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: pemType, Bytes: der})
}

// NewPEMWriter returns a writer that writes what it is given to w as one
// PEM block labelled CMS, in lines of 64 characters, for an attached
// signature streamed by Signer.SignAttached. Close writes the end of the
// block; it does not close w. The result is what EncodePEM returns for the
// same bytes.
func NewPEMWriter(w io.Writer) io.WriteCloser {
	pw := &pemWriter{w: w}
	pw.lines = &lineWriter{pw: pw}
	pw.enc = base64.NewEncoder(base64.StdEncoding, pw.lines)
	return pw
}

type pemWriter struct {
	w       io.Writer
	lines   *lineWriter
	enc     io.WriteCloser
	started bool
	closed  bool
	err     error // the first error of w, returned from then on
}

func (pw *pemWriter) write(p []byte) error {
	if pw.err == nil {
		_, pw.err = pw.w.Write(p)
	}
	return pw.err
}

func (pw *pemWriter) start() error {
	if !pw.started {
		pw.started = true
		return pw.write([]byte("-----BEGIN " + pemType + "-----\n"))
	}
	return pw.err
}

// Write base64-encodes p to the block.
func (pw *pemWriter) Write(p []byte) (int, error) {
	if pw.closed {
		return 0, errors.New("cms: write to a closed PEM writer")
	}
	if err := pw.start(); err != nil {
		return 0, err
	}
	if _, err := pw.enc.Write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close flushes the base64 encoding and writes the end of the block.
func (pw *pemWriter) Close() error {
	if pw.closed {
		return pw.err
	}
	pw.closed = true
	if err := pw.start(); err != nil {
		return err
	}
	if err := pw.enc.Close(); err != nil {
		return err
	}
	if pw.lines.col > 0 {
		if err := pw.write([]byte{'\n'}); err != nil {
			return err
		}
	}
	return pw.write([]byte("-----END " + pemType + "-----\n"))
}

// lineWriter breaks the base64 text into lines of 64 characters, writing
// each chunk it is given with one write to the underlying writer.
type lineWriter struct {
	pw  *pemWriter
	col int
	buf []byte
}

const pemLineLength = 64

func (lw *lineWriter) Write(p []byte) (int, error) {
	lw.buf = lw.buf[:0]
	for rest := p; len(rest) > 0; {
		k := min(pemLineLength-lw.col, len(rest))
		lw.buf = append(lw.buf, rest[:k]...)
		rest = rest[k:]
		lw.col += k
		if lw.col == pemLineLength {
			lw.buf = append(lw.buf, '\n')
			lw.col = 0
		}
	}
	if err := lw.pw.write(lw.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}
