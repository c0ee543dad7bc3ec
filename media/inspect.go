// Package media inspects uploaded files: their type from their bytes (with
// mimetype, never from the name) and the pixel size of images.
package media

import (
	"image"
	_ "image/gif"  // registers GIF for DecodeConfig
	_ "image/jpeg" // registers JPEG
	_ "image/png"  // registers PNG
	"io"
	"strings"

	"github.com/gabriel-vasile/mimetype"
	_ "golang.org/x/image/webp" // registers WebP

	"github.com/tlhpf/cms/cms"
)

// Inspector implements cms.Inspector.
type Inspector struct{}

var _ cms.Inspector = Inspector{}

// sniffLen is how much of a file the type detection reads; OOXML files need
// more than the default to be told apart from a plain ZIP.
const sniffLen = 64 << 10

func init() { mimetype.SetLimit(sniffLen) }

// Inspect sniffs the type of f and, for images, reads their dimensions.
func (Inspector) Inspect(f io.ReaderAt, size int64) (string, int, int, error) {
	head := make([]byte, min(size, sniffLen))
	if _, err := f.ReadAt(head, 0); err != nil && err != io.EOF {
		return "", 0, 0, err
	}
	mt := mimetype.Detect(head)
	ctype, _, _ := strings.Cut(mt.String(), ";")
	if !strings.HasPrefix(ctype, "image/") {
		return ctype, 0, 0, nil
	}
	cfg, _, err := image.DecodeConfig(io.NewSectionReader(f, 0, size))
	if err != nil {
		// Bytes that claim to be an image but do not decode are refused.
		return "application/octet-stream", 0, 0, nil
	}
	return ctype, cfg.Width, cfg.Height, nil
}
