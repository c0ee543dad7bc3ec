package cms

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
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

// Blob is an open stored file.
type Blob interface {
	io.ReadSeekCloser
	Size() int64
}

// BlobInfo describes a stored file.
type BlobInfo struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// ErrNoPresign is returned by blob stores that cannot hand out direct URLs.
var ErrNoPresign = errors.New("cms: this blob store does not presign URLs")

// BlobStore keeps file bytes by key (package storage: a local folder or S3).
type BlobStore interface {
	// Put stores r (size bytes) under key; storing an existing key again is a no-op.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Open(ctx context.Context, key string) (Blob, error)
	Stat(ctx context.Context, key string) (BlobInfo, error)
	Delete(ctx context.Context, key string) error
	Walk(ctx context.Context, fn func(BlobInfo) error) error
	// Presign returns a URL that fetches the blob directly for ttl, with
	// the given download name and type, or ErrNoPresign.
	Presign(ctx context.Context, key, name, contentType string, ttl time.Duration) (string, error)
}

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

// Inspector decides what a file is from its bytes, and an image's size.
type Inspector interface {
	// Inspect returns the sniffed media type and, for images, the pixel size.
	Inspect(f io.ReaderAt, size int64) (contentType string, width, height int, err error)
}

// MediaStore persists attachments.
type MediaStore interface {
	// AddAttachment stores a to rev (a draft) and the revision's new version
	// and content hash, if the revision is still at rev.Version-1. The audit
	// entry's actor joins the revision's editors.
	AddAttachment(ctx context.Context, rev *Revision, a *Attachment, audit AuditEntry) error
	// RemoveAttachment removes one from rev likewise.
	RemoveAttachment(ctx context.Context, rev *Revision, attachmentID int64, audit AuditEntry) error
	// BlobReferenced reports whether any revision uses the blob.
	BlobReferenced(ctx context.Context, key string) (bool, error)
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

// MediaService uploads and removes the attachments of draft revisions.
type MediaService struct {
	Items      ItemStore
	Media      MediaStore
	Blobs      BlobStore
	Inspector  Inspector
	Authorizer Authorizer
	Audit      AuditLog
	Clock      Clock
	MaxSize    int64  // largest file accepted, in bytes
	TempDir    string // where uploads are spooled ("" for the system's)
}

func (s *MediaService) guard() guard { return guard{s.Authorizer, s.Audit, s.Clock} }

// draft loads a revision the caller may edit and checks it is a draft.
func (s *MediaService) draft(ctx context.Context, p *Principal, revID int64) (*Revision, *Item, error) {
	rev, err := s.Items.Revision(ctx, revID)
	if err != nil {
		return nil, nil, err
	}
	it, err := s.Items.Item(ctx, rev.ItemID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.guard().write(ctx, p, ActItemEdit, Resource{Department: it.Department, Column: it.Column}, revisionSubject(rev.ID)); err != nil {
		return nil, nil, err
	}
	if rev.State != StateDraft {
		return nil, nil, Errorf(ECONFLICT, "attachments can change only on a draft; this revision is %s", rev.State)
	}
	return rev, it, nil
}

// Upload stores a file and attaches it to a draft revision. The bytes are
// spooled to a temporary file while their hash is computed, so memory stays
// flat whatever the size; the type is decided by the bytes, not the name.
func (s *MediaService) Upload(ctx context.Context, p *Principal, revID int64, name string, r io.Reader) (*Attachment, *Revision, error) {
	rev, it, err := s.draft(ctx, p, revID)
	if err != nil {
		return nil, nil, err
	}
	if len(rev.Attachments) >= MaxAttachments {
		return nil, nil, Invalid("too many attachments", FieldError{Field: "file", Message: "a revision holds at most 50 attachments"})
	}
	tmp, err := os.CreateTemp(s.TempDir, "upload-*")
	if err != nil {
		return nil, nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, s.MaxSize+1))
	if err != nil {
		return nil, nil, err
	}
	if n > s.MaxSize {
		return nil, nil, &Error{Code: ETOOLARGE, Message: "the file is larger than " + humanSize(s.MaxSize)}
	}
	if n == 0 {
		return nil, nil, Invalid("empty file", FieldError{Field: "file", Message: "is empty"})
	}
	ctype, w, hgt, err := s.Inspector.Inspect(tmp, n)
	if err != nil {
		return nil, nil, err
	}
	if !AllowedTypes[ctype] {
		return nil, nil, &Error{Code: EUNSUPPORTED, Message: "files of type " + ctype + " cannot be attached",
			Fields: []FieldError{{Field: "file", Message: "must be a PDF, Office or OpenDocument file, text, ZIP, or a JPEG, PNG, GIF or WebP image"}}}
	}
	key := hex.EncodeToString(h.Sum(nil))
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, nil, err
	}
	if err := s.Blobs.Put(ctx, key, tmp, n, ctype); err != nil {
		return nil, nil, err
	}
	now := s.Clock.Now()
	a := &Attachment{RevisionID: rev.ID, Key: key, Name: CleanFileName(name, ctype), ContentType: ctype, Size: n,
		Width: w, Height: hgt, Position: len(rev.Attachments), CreatedAt: now}
	rev.Attachments = append(rev.Attachments, *a)
	rev.Version++
	rev.UpdatedAt = now
	rev.ContentHash = rev.Hash()
	audit := NewAuditEntry(now, p.User.ID, AuditAttachmentAdded, revisionSubject(rev.ID),
		map[string]any{"item_id": it.ID, "name": a.Name, "sha256": key, "size": n, "content_type": ctype})
	if err := s.Media.AddAttachment(ctx, rev, a, audit); err != nil {
		return nil, nil, err
	}
	rev.Attachments[len(rev.Attachments)-1] = *a
	return a, rev, nil
}

// Remove detaches a file from a draft revision. The blob stays until the
// garbage collector finds nothing refers to it.
func (s *MediaService) Remove(ctx context.Context, p *Principal, revID, attachmentID int64) (*Revision, error) {
	rev, it, err := s.draft(ctx, p, revID)
	if err != nil {
		return nil, err
	}
	kept := rev.Attachments[:0:0]
	var gone *Attachment
	for i := range rev.Attachments {
		if rev.Attachments[i].ID == attachmentID {
			gone = &rev.Attachments[i]
			continue
		}
		kept = append(kept, rev.Attachments[i])
	}
	if gone == nil {
		return nil, Errorf(ENOTFOUND, "the revision has no attachment %d", attachmentID)
	}
	rev.Attachments = kept
	rev.Version++
	rev.UpdatedAt = s.Clock.Now()
	rev.ContentHash = rev.Hash()
	audit := NewAuditEntry(rev.UpdatedAt, p.User.ID, AuditAttachmentRemoved, revisionSubject(rev.ID),
		map[string]any{"item_id": it.ID, "name": gone.Name, "sha256": gone.Key})
	if err := s.Media.RemoveAttachment(ctx, rev, attachmentID, audit); err != nil {
		return nil, err
	}
	return rev, nil
}

// Download opens an attachment of a revision the caller may read.
func (s *MediaService) Download(ctx context.Context, p *Principal, revID, attachmentID int64) (*Attachment, Blob, error) {
	rev, _, err := readRevision(ctx, s.Items, s.Authorizer, p, revID)
	if err != nil {
		return nil, nil, err
	}
	return openAttachment(ctx, s.Blobs, rev, attachmentID)
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

// Usage walks the blob store and says how much is referenced by revisions.
func (s *MediaService) Usage(ctx context.Context) (*MediaUsage, error) {
	u := &MediaUsage{}
	err := s.Blobs.Walk(ctx, func(b BlobInfo) error {
		ref, err := s.Media.BlobReferenced(ctx, b.Key)
		if err != nil {
			return err
		}
		u.Blobs++
		u.Bytes += b.Size
		if ref {
			u.Referenced++
			u.ReferencedBytes += b.Size
		} else {
			u.Unreferenced++
			u.UnreferencedBytes += b.Size
		}
		return nil
	})
	return u, err
}

// CollectGarbage deletes blobs no revision refers to and that are older
// than grace (so an upload in progress is never collected). Blobs of any
// revision, published or not, are kept: the archive needs them.
func (s *MediaService) CollectGarbage(ctx context.Context, grace time.Duration) (int, int64, error) {
	cutoff := s.Clock.Now().Add(-grace)
	var victims []BlobInfo
	err := s.Blobs.Walk(ctx, func(b BlobInfo) error {
		if !b.ModTime.Before(cutoff) {
			return nil
		}
		ref, err := s.Media.BlobReferenced(ctx, b.Key)
		if err == nil && !ref {
			victims = append(victims, b)
		}
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	n, freed := 0, int64(0)
	for _, b := range victims {
		// Check again: an upload of the same bytes may have refreshed or
		// referenced it since the walk.
		if st, err := s.Blobs.Stat(ctx, b.Key); err != nil || !st.ModTime.Before(cutoff) {
			continue
		}
		if ref, err := s.Media.BlobReferenced(ctx, b.Key); err != nil || ref {
			continue
		}
		if err := s.Blobs.Delete(ctx, b.Key); err != nil {
			return n, freed, err
		}
		if err := s.Audit.Append(ctx, NewAuditEntry(s.Clock.Now(), 0, AuditBlobCollected, "blob:"+b.Key,
			map[string]any{"size": b.Size})); err != nil {
			return n, freed, err
		}
		n++
		freed += b.Size
	}
	return n, freed, nil
}

// Attachment returns a file of a published item, for the content API.
// Files of unpublished, suspended or archived revisions are not found.
func (s *ContentService) Attachment(ctx context.Context, itemID, attachmentID int64) (*Attachment, error) {
	_, rev, err := s.Item(ctx, itemID) // checked as item detail is
	if err != nil {
		return nil, err
	}
	for i := range rev.Attachments {
		if rev.Attachments[i].ID == attachmentID {
			return &rev.Attachments[i], nil
		}
	}
	return nil, Errorf(ENOTFOUND, "no such attachment")
}

// PreviewAttachment opens a file of the revision a preview token names.
func (s *ContentService) PreviewAttachment(ctx context.Context, token string, attachmentID int64) (*Attachment, Blob, error) {
	_, rev, err := s.previewRevision(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	return openAttachment(ctx, s.Blobs, rev, attachmentID)
}
