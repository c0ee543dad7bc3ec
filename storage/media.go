package storage

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var _ cms.MediaStore = (*DB)(nil)

type attachmentRow struct {
	bun.BaseModel `bun:"table:attachments"`
	ID            int64 `bun:",pk,autoincrement"`
	RevisionID    int64
	BlobKey       string
	Name          string
	ContentType   string
	Size          int64
	Width         int
	Height        int
	Position      int
	CreatedAt     time.Time
}

func (r *attachmentRow) domain() cms.Attachment {
	return cms.Attachment{ID: r.ID, RevisionID: r.RevisionID, Key: r.BlobKey, Name: r.Name, ContentType: r.ContentType,
		Size: r.Size, Width: r.Width, Height: r.Height, Position: r.Position, CreatedAt: r.CreatedAt.UTC()}
}

func newAttachmentRow(a *cms.Attachment) *attachmentRow {
	return &attachmentRow{RevisionID: a.RevisionID, BlobKey: a.Key, Name: a.Name, ContentType: a.ContentType, Size: a.Size,
		Width: a.Width, Height: a.Height, Position: a.Position, CreatedAt: a.CreatedAt}
}

// attachmentsOf loads the attachments of revisions, in order.
func attachmentsOf(ctx context.Context, db bun.IDB, revIDs ...int64) (map[int64][]cms.Attachment, error) {
	var rows []attachmentRow
	if err := db.NewSelect().Model(&rows).Where("revision_id IN (?)", bun.In(revIDs)).Order("revision_id", "position", "id").Scan(ctx); err != nil {
		return nil, err
	}
	out := map[int64][]cms.Attachment{}
	for i := range rows {
		out[rows[i].RevisionID] = append(out[rows[i].RevisionID], rows[i].domain())
	}
	return out, nil
}

// copyAttachments gives a new revision the files of the one it starts from.
func copyAttachments(ctx context.Context, tx bun.Tx, rev *cms.Revision) error {
	for i := range rev.Attachments {
		a := &rev.Attachments[i]
		a.RevisionID = rev.ID
		row := newAttachmentRow(a)
		if _, err := tx.NewInsert().Model(row).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
			return err
		}
		a.ID = row.ID
	}
	return nil
}

// bumpRevision stores a draft's new version and content hash after a
// change of its files, if nobody changed it meanwhile, and records the
// audit entry's actor as an editor of the revision.
func bumpRevision(ctx context.Context, tx bun.Tx, rev *cms.Revision, audit cms.AuditEntry) error {
	res, err := tx.NewUpdate().Model((*revisionRow)(nil)).Set("version = ?", rev.Version).
		Set("content_hash = ?", rev.ContentHash).Set("updated_at = ?", rev.UpdatedAt).
		Where("id = ?", rev.ID).Where("version = ?", rev.Version-1).Where("state = ?", cms.StateDraft).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return cms.Errorf(cms.ECONFLICT, "the revision changed meanwhile; reload it")
	}
	return recordEditor(ctx, tx, rev.ID, audit.ActorID, audit.At)
}

// AddAttachment stores an attachment of a draft with the draft's new hash.
func (db *DB) AddAttachment(ctx context.Context, rev *cms.Revision, a *cms.Attachment, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := bumpRevision(ctx, tx, rev, audit); err != nil {
			return err
		}
		row := newAttachmentRow(a)
		if _, err := tx.NewInsert().Model(row).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
			return err
		}
		a.ID = row.ID
		return appendAudit(ctx, tx, audit)
	})
}

// RemoveAttachment deletes an attachment of a draft with the draft's new hash.
func (db *DB) RemoveAttachment(ctx context.Context, rev *cms.Revision, id int64, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := bumpRevision(ctx, tx, rev, audit); err != nil {
			return err
		}
		if err := oneRow(tx.NewDelete().Model((*attachmentRow)(nil)).Where("id = ?", id).Where("revision_id = ?", rev.ID).Exec(ctx)); err != nil {
			return cms.Errorf(cms.ENOTFOUND, "no such attachment")
		}
		return appendAudit(ctx, tx, audit)
	})
}

// BlobReferenced reports whether any revision uses the blob, or it holds
// a package of the periodic archive.
func (db *DB) BlobReferenced(ctx context.Context, key string) (bool, error) {
	ok, err := db.bun.NewSelect().Model((*attachmentRow)(nil)).Where("blob_key = ?", key).Exists(ctx)
	if err != nil || ok {
		return ok, err
	}
	return db.bun.NewSelect().Model((*archivePackageRow)(nil)).Where("blob_key = ?", key).Exists(ctx)
}
