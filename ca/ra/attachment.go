package ra

import (
	"bytes"
	"errors"
	"fmt"
)

// MediaType is a kind of scan an application may carry.
type MediaType string

// The scans accepted, recognised by content.
const (
	PDF  MediaType = "application/pdf"
	JPEG MediaType = "image/jpeg"
	PNG  MediaType = "image/png"
)

// Attachment limits.
const (
	// MaxAttachments is how many scans one application may carry.
	MaxAttachments = 5
	// DefaultMaxAttachmentSize is the largest scan, 10 MiB.
	DefaultMaxAttachmentSize = 10 << 20
)

// ErrAttachment is wrapped when a scan is refused: not a PDF, JPEG or PNG
// by its content (whatever its name says), empty, or too large.
var ErrAttachment = errors.New("ra: attachment refused")

// SniffAttachment returns the type of a scan by its first bytes (the
// %PDF- header, the JPEG SOI marker followed by a marker, the PNG
// signature), and checks its size against limit (0: the default). An
// executable or any other file renamed .pdf is refused.
func SniffAttachment(data []byte, limit int) (MediaType, error) {
	if limit <= 0 {
		limit = DefaultMaxAttachmentSize
	}
	switch {
	case len(data) == 0:
		return "", fmt.Errorf("%w: empty", ErrAttachment)
	case len(data) > limit:
		return "", fmt.Errorf("%w: %d bytes, more than %d", ErrAttachment, len(data), limit)
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return PDF, nil
	case len(data) >= 4 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff:
		return JPEG, nil
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, nil
	}
	return "", fmt.Errorf("%w: not a PDF, JPEG or PNG file by its content", ErrAttachment)
}
