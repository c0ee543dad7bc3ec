package storage

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

// Pending returns in-flight revisions in f's states with their items and
// files, oldest in their state first, a page at a time: the ids come from
// the index on (state, state_since) first, so that only the page's rows
// are read whole.
func (db *DB) Pending(ctx context.Context, f cms.PendingFilter) ([]cms.Pending, error) {
	var ids []int64
	q := db.bun.NewSelect().Model((*revisionRow)(nil)).Column("id").Where("state IN (?)", bun.In(f.States)).
		Order("state_since", "id")
	if f.Column != "" {
		q = q.Where("item_id IN (?)", db.bun.NewSelect().Model((*itemRow)(nil)).Column("id").Where("column_slug = ?", f.Column))
	}
	if f.AfterID != 0 {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("state_since > ?", f.AfterSince.UTC()).
				WhereOr("state_since = ? AND id > ?", f.AfterSince.UTC(), f.AfterID)
		})
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	if err := q.Scan(ctx, &ids); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var revs []revisionRow
	if err := db.bun.NewSelect().Model(&revs).Where("id IN (?)", bun.In(ids)).Order("state_since", "id").Scan(ctx); err != nil {
		return nil, err
	}
	itemIDs := make([]int64, len(revs))
	for i, r := range revs {
		itemIDs[i] = r.ItemID
	}
	var items []itemRow
	if err := db.bun.NewSelect().Model(&items).Where("id IN (?)", bun.In(itemIDs)).Scan(ctx); err != nil {
		return nil, err
	}
	byID := make(map[int64]cms.Item, len(items))
	for i := range items {
		byID[items[i].ID] = items[i].domain()
	}
	files, err := attachmentsOf(ctx, db.bun, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]cms.Pending, 0, len(revs))
	for i := range revs {
		rev, err := revs[i].domain()
		if err != nil {
			return nil, err
		}
		rev.Attachments = files[rev.ID]
		out = append(out, cms.Pending{Item: byID[rev.ItemID], Revision: rev})
	}
	return out, nil
}

// CurrentCycles returns, for each revision, its transitions since its last
// submission, oldest first.
func (db *DB) CurrentCycles(ctx context.Context, revIDs []int64) (map[int64][]cms.Transition, error) {
	out := map[int64][]cms.Transition{}
	if len(revIDs) == 0 {
		return out, nil
	}
	var rows []transitionRow
	err := db.bun.NewSelect().Model(&rows).Where("revision_id IN (?)", bun.In(revIDs)).
		Where("id >= (SELECT COALESCE(MAX(s.id), 0) FROM transitions AS s WHERE s.revision_id = ?TableAlias.revision_id AND s.event = ?)", cms.EventSubmit).
		Order("id").Scan(ctx)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		t := rows[i].domain()
		out[t.RevisionID] = append(out[t.RevisionID], t)
	}
	return out, nil
}

// EditorsOf returns, for each revision, the users who changed it, its
// author first (as RevisionEditors).
func (db *DB) EditorsOf(ctx context.Context, revIDs []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(revIDs) == 0 {
		return out, nil
	}
	var rows []revisionEditorRow
	if err := db.bun.NewSelect().Model(&rows).Where("revision_id IN (?)", bun.In(revIDs)).
		Order("revision_id", "first_at", "user_id").Scan(ctx); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.RevisionID] = append(out[r.RevisionID], r.UserID)
	}
	return out, nil
}
