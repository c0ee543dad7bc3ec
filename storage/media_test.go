package storage_test

import (
	"context"
	"testing"

	"github.com/tlhpf/cms/cms"
)

func TestAttachmentsRoundTrip(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	_, rev := mustItem(t, db, ed, "policies-general", "附件", "")
	pdf := mustAttach(t, db, rev, "通知.pdf", blobKey("pdf"))
	img := &cms.Attachment{RevisionID: rev.ID, Key: blobKey("png"), Name: "图.png", ContentType: "image/png",
		Size: 1234, Width: 640, Height: 480, Position: 1, CreatedAt: tick()}
	r := *rev
	r.Attachments = append(append([]cms.Attachment(nil), rev.Attachments...), *img)
	r.Version++
	r.ContentHash = r.Hash()
	if err := db.AddAttachment(ctx, &r, img, editNote(&r, cms.AuditAttachmentAdded)); err != nil {
		t.Fatal(err)
	}
	got, err := db.Revision(ctx, rev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 3 || got.ContentHash != r.ContentHash || got.Hash() != r.ContentHash {
		t.Errorf("revision v%d hash %s (recomputed %s), want v3 %s", got.Version, got.ContentHash, got.Hash(), r.ContentHash)
	}
	if len(got.Attachments) != 2 || got.Attachments[0].ID != pdf.ID || got.Attachments[1].ID != img.ID {
		t.Fatalf("attachments %+v, want the PDF then the image", got.Attachments)
	}
	if a := got.Attachments[1]; a.Name != "图.png" || a.Width != 640 || a.Height != 480 || a.Size != 1234 ||
		a.ContentType != "image/png" || a.Key != blobKey("png") || !a.CreatedAt.Equal(img.CreatedAt) {
		t.Errorf("image read back as %+v", a)
	}
}

func TestAttachmentChangesAreCompareAndSet(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	it, rev := mustItem(t, db, ed, "news", "附件", "")
	a := mustAttach(t, db, rev, "a.pdf", blobKey("a"))
	sent, sentRev := mustItem(t, db, ed, "news", "已提交", "")
	mustFire(t, db, sent, sentRev, cms.EventSubmit, cms.StateDeptReview)
	cases := []struct {
		name   string
		rev    func() *cms.Revision
		remove int64 // 0: add a file
		code   string
	}{
		{"add on a stale version", func() *cms.Revision { r := *rev; return &r }, 0, cms.ECONFLICT},
		{"add to a revision in review", func() *cms.Revision { r := *sentRev; r.Version++; return &r }, 0, cms.ECONFLICT},
		{"remove on a stale version", func() *cms.Revision { r := *rev; return &r }, a.ID, cms.ECONFLICT},
		{"remove an unknown file", func() *cms.Revision { r := *rev; r.Version++; return &r }, a.ID + 100, cms.ENOTFOUND},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			seq := auditSeq(t, db)
			r := c.rev()
			var err error
			if c.remove == 0 {
				err = db.AddAttachment(ctx, r, &cms.Attachment{RevisionID: r.ID, Key: blobKey("b"), Name: "b.pdf",
					ContentType: "application/pdf", CreatedAt: tick()}, editNote(r, cms.AuditAttachmentAdded))
			} else {
				err = db.RemoveAttachment(ctx, r, c.remove, editNote(r, cms.AuditAttachmentRemoved))
			}
			wantCode(t, err, c.code)
			if auditSeq(t, db) != seq {
				t.Error("a refused change left an audit entry")
			}
		})
	}
	for _, r := range []*cms.Revision{rev, sentRev} {
		got, _ := db.Revision(ctx, r.ID)
		if got.Version != r.Version || len(got.Attachments) != len(r.Attachments) {
			t.Errorf("revision %d after refusals: v%d with %d files, want v%d with %d", r.ID, got.Version, len(got.Attachments), r.Version, len(r.Attachments))
		}
	}
	// A file of another revision cannot be removed through this one.
	other := mustNewHead(t, db, it, rev, "第二版")
	r := *rev
	r.Version++
	wantCode(t, db.RemoveAttachment(ctx, &r, other.Attachments[0].ID, editNote(&r, cms.AuditAttachmentRemoved)), cms.ENOTFOUND)
}

func TestRemoveAttachmentAndBlobReferences(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	it, first := mustItem(t, db, ed, "news", "附件", "")
	shared := mustAttach(t, db, first, "shared.pdf", blobKey("shared"))
	mustAttach(t, db, first, "own.pdf", blobKey("own"))
	second := mustNewHead(t, db, it, first, "第二版") // copies both files
	for _, key := range []string{blobKey("shared"), blobKey("own")} {
		if ok, err := db.BlobReferenced(ctx, key); err != nil || !ok {
			t.Errorf("blob %s…: referenced=%v %v", key[:8], ok, err)
		}
	}
	if ok, err := db.BlobReferenced(ctx, blobKey("never uploaded")); err != nil || ok {
		t.Errorf("an unknown blob: referenced=%v %v", ok, err)
	}

	// Removing a file from the new draft keeps the old revision's copy.
	r := *second
	r.Attachments, r.Version = r.Attachments[1:], r.Version+1
	r.ContentHash = r.Hash()
	if err := db.RemoveAttachment(ctx, &r, second.Attachments[0].ID, editNote(&r, cms.AuditAttachmentRemoved)); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Revision(ctx, second.ID)
	if len(got.Attachments) != 1 || got.Attachments[0].Name != "own.pdf" || got.Version != r.Version || got.ContentHash != r.ContentHash {
		t.Errorf("second revision after removal: v%d %+v", got.Version, got.Attachments)
	}
	if old, _ := db.Revision(ctx, first.ID); len(old.Attachments) != 2 || old.Attachments[0].ID != shared.ID {
		t.Errorf("the first revision lost its files: %+v", old.Attachments)
	}
	if ok, _ := db.BlobReferenced(ctx, blobKey("shared")); !ok {
		t.Error("a blob still used by the first revision is reported unreferenced")
	}
	_, solo := mustItem(t, db, ed, "news", "独有附件", "")
	a := mustAttach(t, db, solo, "solo.pdf", blobKey("solo"))
	r = *solo
	r.Attachments, r.Version = nil, r.Version+1
	r.ContentHash = r.Hash()
	if err := db.RemoveAttachment(ctx, &r, a.ID, editNote(&r, cms.AuditAttachmentRemoved)); err != nil {
		t.Fatal(err)
	}
	if ok, _ := db.BlobReferenced(ctx, blobKey("solo")); ok {
		t.Error("a blob no revision uses is reported referenced: it would never be collected")
	}
}
