package storage

import (
	"context"
	"strings"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var _ cms.ItemStore = (*DB)(nil)

// CreateItem stores an item and its first revision in one transaction.
func (db *DB) CreateItem(ctx context.Context, it *cms.Item, rev *cms.Revision, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row := newItemRow(it)
		if _, err := tx.NewInsert().Model(row).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
			return translate(err, "item")
		}
		it.ID, rev.ItemID = row.ID, row.ID
		if err := insertRevision(ctx, tx, rev); err != nil {
			return err
		}
		it.HeadRevisionID = rev.ID
		if _, err := tx.NewUpdate().Model((*itemRow)(nil)).Set("head_revision_id = ?", rev.ID).Where("id = ?", it.ID).Exec(ctx); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
}

func insertRevision(ctx context.Context, tx bun.IDB, rev *cms.Revision) error {
	row, err := newRevisionRow(rev)
	if err != nil {
		return err
	}
	if _, err := tx.NewInsert().Model(row).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
		return translate(err, "revision")
	}
	rev.ID = row.ID
	return recordEditor(ctx, tx, rev.ID, rev.AuthorID, rev.CreatedAt)
}

// Item returns one item.
func (db *DB) Item(ctx context.Context, id int64) (*cms.Item, error) {
	var row itemRow
	if err := db.bun.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, translate(err, "item")
	}
	it := row.domain()
	return &it, nil
}

// Items lists items newest first with keyset pagination on id.
func (db *DB) Items(ctx context.Context, f cms.ItemFilter) ([]cms.Item, error) {
	var rows []itemRow
	q := db.bun.NewSelect().Model(&rows).Where("department IN (?)", bun.In(f.Departments)).
		OrderExpr("id DESC").Limit(int64(f.Limit))
	if f.Column != "" {
		q = q.Where("column_slug = ?", f.Column)
	}
	if f.Department != "" {
		q = q.Where("department = ?", f.Department)
	}
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	if f.Live != "" {
		q = q.Where("live_revision_id IN (?)", db.bun.NewSelect().Model((*revisionRow)(nil)).Column("id").Where("state = ?", f.Live))
	}
	if f.Author != 0 {
		q = q.Where("head_revision_id IN (?)", db.bun.NewSelect().Model((*revisionRow)(nil)).Column("id").Where("author_id = ?", f.Author))
	}
	if f.Query != "" {
		q = q.Where("LOWER(title) LIKE ? ESCAPE '\\'", "%"+escapeLike(strings.ToLower(f.Query))+"%")
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.Item, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// escapeLike escapes the LIKE wildcards so that user input matches literally.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Revision returns one revision.
func (db *DB) Revision(ctx context.Context, id int64) (*cms.Revision, error) {
	var row revisionRow
	if err := db.bun.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, translate(err, "revision")
	}
	rev, err := row.domain()
	if err != nil {
		return nil, err
	}
	atts, err := attachmentsOf(ctx, db.bun, rev.ID)
	if err != nil {
		return nil, err
	}
	rev.Attachments = atts[rev.ID]
	return &rev, nil
}

// Revisions lists an item's revisions, oldest first.
func (db *DB) Revisions(ctx context.Context, itemID int64) ([]cms.Revision, error) {
	var rows []revisionRow
	if err := db.bun.NewSelect().Model(&rows).Where("item_id = ?", itemID).Order("number").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.Revision, len(rows))
	ids := make([]int64, len(rows))
	for i := range rows {
		rev, err := rows[i].domain()
		if err != nil {
			return nil, err
		}
		out[i], ids[i] = rev, rev.ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	atts, err := attachmentsOf(ctx, db.bun, ids...)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Attachments = atts[out[i].ID]
	}
	return out, nil
}

// UpdateRevision stores new content of a revision if nobody changed it
// since the caller read version rev.Version-1, mirrors the title on the
// item and records the audit entry's actor as an editor of the revision.
func (db *DB) UpdateRevision(ctx context.Context, rev *cms.Revision, audit cms.AuditEntry) error {
	row, err := newRevisionRow(rev)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model(row).
			Column("version", "title", "body", "body_format", "fields", "publish_at", "expire_at", "updated_at", "content_hash").
			Where("id = ?", rev.ID).Where("version = ?", rev.Version-1).Where("state = ?", rev.State).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return cms.Errorf(cms.EPRECONDITION, "revision changed since you read it")
		}
		if _, err = tx.NewUpdate().Model((*itemRow)(nil)).Set("title = ?", rev.Title).Set("updated_at = ?", rev.UpdatedAt).
			Where("id = ?", rev.ItemID).Where("head_revision_id = ?", rev.ID).Exec(ctx); err != nil {
			return err
		}
		if err := recordEditor(ctx, tx, rev.ID, audit.ActorID, audit.At); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
}

// AddRevision stores a new head revision if the item's head is still prevHead.
func (db *DB) AddRevision(ctx context.Context, it *cms.Item, rev *cms.Revision, prevHead int64, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := insertRevision(ctx, tx, rev); err != nil {
			if cms.ErrorCode(err) == cms.ECONFLICT {
				return cms.Errorf(cms.ECONFLICT, "the item changed meanwhile; reload it")
			}
			return err
		}
		if err := copyAttachments(ctx, tx, rev); err != nil {
			return err
		}
		res, err := tx.NewUpdate().Model((*itemRow)(nil)).Set("head_revision_id = ?", rev.ID).
			Set("title = ?", it.Title).Set("state = ?", it.State).Set("updated_at = ?", it.UpdatedAt).
			Where("id = ?", it.ID).Where("head_revision_id = ?", prevHead).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return cms.Errorf(cms.ECONFLICT, "the item changed meanwhile; reload it")
		}
		it.HeadRevisionID = rev.ID
		return appendAudit(ctx, tx, audit)
	})
}
