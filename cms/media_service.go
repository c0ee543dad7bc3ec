package cms

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"time"
)

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
