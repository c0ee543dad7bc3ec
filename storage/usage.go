package storage

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var _ cms.UsageStore = (*DB)(nil)

type usageReadRow struct {
	bun.BaseModel `bun:"table:usage_reads"`
	Day           string `bun:",pk"`
	Kind          string `bun:",pk"`
	Client        string `bun:",pk"`
	ClientKey     int64  `bun:",pk"`
	ItemID        int64  `bun:",pk"`
	RefID         int64  `bun:",pk"`
	Name          string `bun:",pk"`
	Reads         int64
}

type usageSearchRow struct {
	bun.BaseModel `bun:"table:usage_searches"`
	Day           string `bun:",pk"`
	Term          string `bun:",pk"`
	Searches      int64
	Misses        int64
	Results       int64
}

// usageChunk is how many rows one statement adds, well within SQLite's
// limit on bound parameters.
const usageChunk = 500

// AddUsage adds a batch to the stored counts in one transaction: each row
// is inserted, or added to the row of the same day and subject, so that
// every server process's counts merge. Rows go in key order, so that two
// processes flushing at once take their row locks in the same order.
func (db *DB) AddUsage(ctx context.Context, b cms.UsageBatch) error {
	reads := make([]usageReadRow, len(b.Reads))
	for i, r := range b.Reads {
		reads[i] = usageReadRow{Day: r.Day.String(), Kind: r.Kind.String(), Client: r.Client.String(), ClientKey: r.ClientKey,
			ItemID: r.ItemID, RefID: r.RefID, Name: r.Name, Reads: r.Count}
	}
	slices.SortFunc(reads, func(a, b usageReadRow) int {
		return cmp.Or(strings.Compare(a.Day, b.Day), strings.Compare(a.Kind, b.Kind), strings.Compare(a.Client, b.Client),
			cmp.Compare(a.ClientKey, b.ClientKey), cmp.Compare(a.ItemID, b.ItemID), cmp.Compare(a.RefID, b.RefID),
			strings.Compare(a.Name, b.Name))
	})
	searches := make([]usageSearchRow, len(b.Searches))
	for i, s := range b.Searches {
		searches[i] = usageSearchRow{Day: s.Day.String(), Term: s.Term, Searches: s.Searches, Misses: s.Misses, Results: s.Results}
	}
	slices.SortFunc(searches, func(a, b usageSearchRow) int {
		return cmp.Or(strings.Compare(a.Day, b.Day), strings.Compare(a.Term, b.Term))
	})
	return db.bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for len(reads) > 0 {
			n := min(len(reads), usageChunk)
			chunk := reads[:n]
			if _, err := tx.NewInsert().Model(&chunk).
				On("CONFLICT (day, kind, client, client_key, item_id, ref_id, name) DO UPDATE").
				Set("reads = ?TableAlias.reads + EXCLUDED.reads").Exec(ctx); err != nil {
				return err
			}
			reads = reads[n:]
		}
		for len(searches) > 0 {
			n := min(len(searches), usageChunk)
			chunk := searches[:n]
			if _, err := tx.NewInsert().Model(&chunk).On("CONFLICT (day, term) DO UPDATE").
				Set("searches = ?TableAlias.searches + EXCLUDED.searches").
				Set("misses = ?TableAlias.misses + EXCLUDED.misses").
				Set("results = ?TableAlias.results + EXCLUDED.results").Exec(ctx); err != nil {
				return err
			}
			searches = searches[n:]
		}
		return nil
	})
}

// PurgeUsage deletes the counts of the days before the given one.
func (db *DB) PurgeUsage(ctx context.Context, before cms.Day) (int64, error) {
	var n int64
	err := db.bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, m := range []any{(*usageReadRow)(nil), (*usageSearchRow)(nil)} {
			res, err := tx.NewDelete().Model(m).Where("day < ?", before.String()).Exec(ctx)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += k
		}
		return nil
	})
	return n, err
}

type stageRow struct {
	ID             int64
	RevisionID     int64
	ItemID         int64
	RevisionNumber int
	Version        int
	Event          string
	FromState      string
	ToState        string
	ActorID        int64
	ActorRole      string
	Comment        string
	SignoffStep    int
	At             time.Time
	Department     string
	ColumnSlug     string
	Title          string
}

// StageHistory returns the whole history of every revision with a
// transition from since until before or in review now, with its item's
// department, column and title, by revision and then id.
func (db *DB) StageHistory(ctx context.Context, since, before time.Time, depts []string) ([]cms.StageTransition, error) {
	var rows []stageRow
	q := db.bun.NewSelect().TableExpr("transitions AS t").Join("JOIN items AS i ON i.id = t.item_id").
		ColumnExpr("t.id, t.revision_id, t.item_id, t.revision_number, t.version, t.event, t.from_state, t.to_state").
		ColumnExpr("COALESCE(t.actor_id, 0) AS actor_id, t.actor_role, t.comment, t.signoff_step, t.at").
		ColumnExpr("i.department, i.column_slug, i.title").
		Where("t.revision_id IN (SELECT revision_id FROM transitions WHERE at >= ? AND at < ? UNION SELECT id FROM revisions WHERE state IN (?))",
			since.UTC(), before.UTC(), bun.In(cms.ReviewStages))
	if depts != nil {
		q = q.Where("i.department IN (?)", bun.In(orNone(depts)))
	}
	if err := q.OrderExpr("t.revision_id, t.id").Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make([]cms.StageTransition, len(rows))
	for i, r := range rows {
		out[i] = cms.StageTransition{Transition: cms.Transition{ID: r.ID, RevisionID: r.RevisionID, ItemID: r.ItemID,
			RevisionNumber: r.RevisionNumber, Version: r.Version, Event: cms.Event(r.Event), From: cms.State(r.FromState),
			To: cms.State(r.ToState), ActorID: r.ActorID, ActorRole: cms.Role(r.ActorRole), Comment: r.Comment,
			SignoffStep: r.SignoffStep, At: r.At.UTC()}, Department: r.Department, Column: r.ColumnSlug, Title: r.Title}
	}
	return out, nil
}

// orNone keeps an IN list from being empty, which SQL does not allow: an
// empty list matches nothing.
func orNone(list []string) []string {
	if len(list) == 0 {
		return []string{"\x00none"}
	}
	return list
}
