package storage

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var _ cms.WorkflowStore = (*DB)(nil)

type transitionRow struct {
	bun.BaseModel  `bun:"table:transitions"`
	ID             int64 `bun:",pk,autoincrement"`
	RevisionID     int64
	ItemID         int64
	RevisionNumber int
	Version        int
	Event          string
	FromState      string
	ToState        string
	ActorID        int64 `bun:",nullzero"`
	ActorRole      string
	Comment        string
	ContentHash    string
	SignoffStep    int
	At             time.Time
}

func (r *transitionRow) domain() cms.Transition {
	return cms.Transition{ID: r.ID, RevisionID: r.RevisionID, ItemID: r.ItemID, RevisionNumber: r.RevisionNumber, Version: r.Version,
		Event: cms.Event(r.Event), From: cms.State(r.FromState), To: cms.State(r.ToState), ActorID: r.ActorID,
		ActorRole: cms.Role(r.ActorRole), Comment: r.Comment, ContentHash: r.ContentHash, SignoffStep: r.SignoffStep, At: r.At.UTC()}
}

type signoffChainRow struct {
	bun.BaseModel `bun:"table:signoff_chains"`
	ColumnSlug    string `bun:",pk"`
	Chain         string
}

var errRaced = cms.Errorf(cms.ECONFLICT, "someone acted on this revision at the same moment; reload it")

// ApplyTransition stores a transition, its history row and audit entry in
// one transaction. Every update is a compare-and-set on what the caller
// read, so of two concurrent transitions exactly one commits.
func (db *DB) ApplyTransition(ctx context.Context, c *cms.Change) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		rev := c.Revision
		rq := tx.NewUpdate().Model((*revisionRow)(nil)).
			Set("state = ?", rev.State).Set("version = ?", rev.Version).Set("signoff_step = ?", rev.SignoffStep).
			Set("submitted_by = ?", nullID(rev.SubmittedBy)).Set("approved_hash = ?", rev.ApprovedHash).
			Set("state_since = ?", rev.StateSince).Set("published_at = ?", nullTime(rev.PublishedAt)).
			Set("updated_at = ?", rev.UpdatedAt).
			Set("released_by = ?", nullID(rev.ReleasedBy)).Set("release_at = ?", nullTime(rev.ReleaseAt))
		if c.RevokePreviews {
			rq = rq.Set("preview_generation = preview_generation + 1")
		}
		res, err := rq.Where("id = ?", rev.ID).Where("version = ?", c.FromVersion).Where("state = ?", c.FromState).Exec(ctx)
		if err := oneRow(res, err); err != nil {
			return err
		}
		if c.Retire != nil {
			res, err := tx.NewUpdate().Model((*revisionRow)(nil)).Set("state = ?", c.RetireState).
				Set("version = version + 1").Set("state_since = ?", rev.UpdatedAt).Set("updated_at = ?", rev.UpdatedAt).
				Where("id = ?", c.Retire.ID).Where("state = ?", c.RetireFrom).Exec(ctx)
			if err := oneRow(res, err); err != nil {
				return err
			}
		}
		it := c.Item
		q := tx.NewUpdate().Model((*itemRow)(nil)).
			Set("live_revision_id = ?", nullID(it.LiveRevisionID)).Set("published_at = ?", nullTime(it.PublishedAt)).
			Set("updated_at = ?", it.UpdatedAt).Where("id = ?", it.ID)
		if rev.ID == it.HeadRevisionID {
			// The item's state mirrors its head revision; a transition of an
			// older (live) revision leaves it alone, and a concurrent new head
			// makes this one lose.
			q = q.Set("state = ?", it.State).Where("head_revision_id = ?", rev.ID)
		}
		if c.PrevLive == 0 {
			q = q.Where("live_revision_id IS NULL")
		} else {
			q = q.Where("live_revision_id = ?", c.PrevLive)
		}
		if err := oneRow(q.Exec(ctx)); err != nil {
			return err
		}
		t := c.Transition
		row := transitionRow{RevisionID: t.RevisionID, ItemID: t.ItemID, RevisionNumber: t.RevisionNumber, Version: rev.Version, Event: string(t.Event),
			FromState: string(t.From), ToState: string(t.To), ActorID: t.ActorID, ActorRole: string(t.ActorRole),
			Comment: t.Comment, ContentHash: t.ContentHash, SignoffStep: t.SignoffStep, At: t.At}
		if _, err := tx.NewInsert().Model(&row).ExcludeColumn("id").Exec(ctx); err != nil {
			return err
		}
		if err := appendAudit(ctx, tx, c.Audit); err != nil {
			return err
		}
		if c.Scanned {
			if err := saveFindings(ctx, tx, rev.ID, c.Findings, t.At); err != nil {
				return err
			}
		}
		if c.PublicChanged {
			return publish(ctx, tx, it.ID, it.Column, c.Public, t.At)
		}
		return nil
	})
}

func oneRow(res interface{ RowsAffected() (int64, error) }, err error) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errRaced
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// Transitions lists history rows: oldest first, or newest first in pages
// when f.Limit is set.
func (db *DB) Transitions(ctx context.Context, f cms.TransitionFilter) ([]cms.Transition, error) {
	var rows []transitionRow
	q := db.bun.NewSelect().Model(&rows)
	if f.RevisionID != 0 {
		q = q.Where("revision_id = ?", f.RevisionID)
		if f.CurrentCycle {
			q = q.Where("id >= (SELECT COALESCE(MAX(id), 0) FROM transitions WHERE revision_id = ? AND event = ?)", f.RevisionID, cms.EventSubmit)
		}
	}
	if f.ItemID != 0 {
		q = q.Where("item_id = ?", f.ItemID)
	}
	if f.ActorID != 0 {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.Limit > 0 {
		if f.Before > 0 {
			q = q.Where("id < ?", f.Before)
		}
		q = q.OrderExpr("id DESC").Limit(int64(f.Limit))
	} else {
		q = q.Order("id")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.Transition, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// DueToPublish returns scheduled revisions whose time has come: those a
// publisher released for a time now past and, when auto, those nobody
// released whose publish_at (if any) has come.
func (db *DB) DueToPublish(ctx context.Context, now time.Time, auto bool) ([]int64, error) {
	var ids []int64
	err := db.bun.NewSelect().Model((*revisionRow)(nil)).Column("id").Where("state = ?", cms.StateScheduled).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			q = q.Where("released_by IS NOT NULL AND release_at <= ?", now)
			if auto {
				q = q.WhereOr("released_by IS NULL AND (publish_at IS NULL OR publish_at <= ?)", now)
			}
			return q
		}).Order("id").Scan(ctx, &ids)
	return ids, err
}

// DueToArchive returns published revisions whose expiry has come.
func (db *DB) DueToArchive(ctx context.Context, now time.Time) ([]int64, error) {
	// Through the partial index of published revisions with an expiry:
	// without statistics SQLite takes the index by state, which at a
	// million published revisions reads them all (39 s from a cold cache,
	// every scheduler tick).
	table := "revisions"
	if db.Dialect == SQLite {
		table = "revisions INDEXED BY revisions_expiry"
	}
	var ids []int64
	err := db.bun.NewSelect().TableExpr(table).Column("id").Where("state = ?", cms.StatePublished).
		Where("expire_at IS NOT NULL").Where("expire_at <= ?", now).Order("id").Scan(ctx, &ids)
	return ids, err
}

// SignoffChain returns a column's chain, or the default one.
func (db *DB) SignoffChain(ctx context.Context, column string) ([]cms.Role, error) {
	var row signoffChainRow
	err := db.bun.NewSelect().Model(&row).Where("column_slug = ?", column).Scan(ctx)
	if cms.ErrorCode(translate(err, "chain")) == cms.ENOTFOUND {
		return cms.DefaultSignoffChain, nil
	}
	if err != nil {
		return nil, err
	}
	var chain []cms.Role
	if err := json.Unmarshal([]byte(row.Chain), &chain); err != nil {
		return nil, err
	}
	return chain, nil
}

// SetSignoffChain stores a column's chain with its audit entry.
func (db *DB) SetSignoffChain(ctx context.Context, column string, chain []cms.Role, audit cms.AuditEntry) error {
	b, err := json.Marshal(chain)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row := signoffChainRow{ColumnSlug: column, Chain: string(b)}
		if _, err := tx.NewInsert().Model(&row).On("CONFLICT (column_slug) DO UPDATE").Set("chain = EXCLUDED.chain").Exec(ctx); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
}
