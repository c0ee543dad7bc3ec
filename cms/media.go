package cms

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Attachment is a file attached to a revision: a policy's PDF, a form to
// download (表单下载), a news photo. Its bytes live in the blob store under
// their sha256, so the same file uploaded twice is stored once.
type Attachment struct {
	ID          int64
	RevisionID  int64
	Key         string // sha256 of the bytes, hex
	Name        string // the uploader's file name, for display and downloads
	ContentType string // decided by sniffing the bytes
	Size        int64
	Width       int // images only
	Height      int
	Position    int
	CreatedAt   time.Time
}

// BlobInfo describes a stored file.
type BlobInfo struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// ErrNoPresign is returned by blob stores that cannot hand out direct URLs.
var ErrNoPresign = errors.New("cms: this blob store does not presign URLs")

// ValidBlobKey reports whether key is a lower-case hex sha256: the only
// keys stores accept, so no key can point outside its store.
func ValidBlobKey(key string) bool {
	if len(key) != 64 {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Media limits.
const (
	MaxAttachments   = 50
	MaxFileNameBytes = 240
)

// AllowedTypes are the media types that may be attached.
var AllowedTypes = map[string]bool{
	"application/pdf":    true,
	"application/msword": true, "application/vnd.openxmlformats-officedocument.wordprocessingml.document": true,
	"application/vnd.ms-excel": true, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": true,
	"application/vnd.ms-powerpoint": true, "application/vnd.openxmlformats-officedocument.presentationml.presentation": true,
	"application/vnd.oasis.opendocument.text": true, "application/vnd.oasis.opendocument.spreadsheet": true,
	"application/zip": true, "text/plain": true, "text/csv": true,
	"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true,
}

func openAttachment(ctx context.Context, blobs BlobStore, rev *Revision, attachmentID int64) (*Attachment, Blob, error) {
	for i := range rev.Attachments {
		if a := &rev.Attachments[i]; a.ID == attachmentID {
			b, err := blobs.Open(ctx, a.Key)
			if err != nil {
				return nil, nil, err
			}
			return a, b, nil
		}
	}
	return nil, nil, Errorf(ENOTFOUND, "no such attachment")
}

// Audit actions of media.
const (
	AuditAttachmentAdded   = "attachment_added"
	AuditAttachmentRemoved = "attachment_removed"
	AuditBlobCollected     = "blob_collected"
)

// CleanFileName makes an uploader's file name safe to keep, show and send
// back in Content-Disposition: the last path element only, no control
// characters, at most MaxFileNameBytes bytes (cut on a character boundary,
// keeping the extension), and a fallback name when nothing is left.
func CleanFileName(name, contentType string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	name = strings.TrimSpace(strings.Trim(name, "."))
	if name == "" {
		name = "file" + extensionFor(contentType)
	}
	if len(name) > MaxFileNameBytes {
		ext := ""
		if i := strings.LastIndexByte(name, '.'); i > 0 && len(name)-i <= 10 {
			ext = name[i:]
		}
		cut := MaxFileNameBytes - len(ext)
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = name[:cut] + ext
	}
	return name
}

func extensionFor(contentType string) string {
	switch contentType {
	case "application/pdf":
		return ".pdf"
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	}
	return ""
}

func humanSize(n int64) string {
	if n >= 1<<20 {
		return itoa(int(n>>20)) + " MiB"
	}
	return itoa(int(n>>10)) + " KiB"
}

// MediaUsage sums up the blob store.
type MediaUsage struct {
	Blobs, Referenced, Unreferenced           int
	Bytes, ReferencedBytes, UnreferencedBytes int64
}
