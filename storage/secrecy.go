package storage

import (
	"context"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var _ cms.SecrecyStore = (*DB)(nil)

type findingRow struct {
	bun.BaseModel  `bun:"table:revision_findings"`
	ID             int64 `bun:",pk,autoincrement"`
	RevisionID     int64
	Kind           string
	Field          string
	Excerpt        string
	Severity       string
	Position       int
	Length         int
	Rendered       bool
	FoundAt        time.Time
	Rescan         bool
	AcknowledgedBy int64 `bun:",nullzero"`
	AckReason      string
	AcknowledgedAt time.Time `bun:",nullzero"`
}

func (r *findingRow) domain() cms.FindingRecord {
	return cms.FindingRecord{ID: r.ID, RevisionID: r.RevisionID, Finding: cms.Finding{Kind: r.Kind, Field: r.Field,
		Excerpt: r.Excerpt, Severity: r.Severity, Offset: r.Position, Length: r.Length, Rendered: r.Rendered}, FoundAt: r.FoundAt.UTC(),
		Rescan: r.Rescan, AcknowledgedBy: r.AcknowledgedBy, AckReason: r.AckReason, AcknowledgedAt: utc(r.AcknowledgedAt)}
}

type sensitiveWordRow struct {
	bun.BaseModel `bun:"table:sensitive_words"`
	Word          string `bun:",pk"`
	Severity      string
}

// SensitiveWords returns the list, sorted.
func (db *DB) SensitiveWords(ctx context.Context) ([]cms.SensitiveWord, error) {
	var rows []sensitiveWordRow
	if err := db.bun.NewSelect().Model(&rows).Order("word").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.SensitiveWord, len(rows))
	for i, r := range rows {
		out[i] = cms.SensitiveWord{Word: r.Word, Severity: r.Severity}
	}
	return out, nil
}

// SetSensitiveWords replaces the list with its audit entry and stores the
// new findings of the re-scan with theirs.
func (db *DB) SetSensitiveWords(ctx context.Context, words []cms.SensitiveWord, audit cms.AuditEntry, rescan *cms.Rescan) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*sensitiveWordRow)(nil)).Where("1 = 1").Exec(ctx); err != nil {
			return err
		}
		if len(words) > 0 {
			rows := make([]sensitiveWordRow, len(words))
			for i, w := range words {
				rows[i] = sensitiveWordRow{Word: w.Word, Severity: w.Severity}
			}
			if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
				return translate(err, "sensitive word")
			}
		}
		if err := appendAudit(ctx, tx, audit); err != nil {
			return err
		}
		if rescan == nil {
			return nil
		}
		added, err := saveRescan(ctx, tx, rescan)
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, rescan.Audit(added))
	})
}

// Findings lists a revision's findings in order.
func (db *DB) Findings(ctx context.Context, revID int64) ([]cms.FindingRecord, error) {
	var rows []findingRow
	if err := db.bun.NewSelect().Model(&rows).Where("revision_id = ?", revID).Order("id").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.FindingRecord, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// AcknowledgeFinding records an acknowledgement, once.
func (db *DB) AcknowledgeFinding(ctx context.Context, f *cms.FindingRecord, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*findingRow)(nil)).Set("acknowledged_by = ?", f.AcknowledgedBy).
			Set("ack_reason = ?", f.AckReason).Set("acknowledged_at = ?", f.AcknowledgedAt).
			Where("id = ?", f.ID).Where("acknowledged_by IS NULL").Exec(ctx)
		if err := oneRow(res, err); err != nil {
			return cms.Errorf(cms.ECONFLICT, "the finding was already acknowledged")
		}
		return appendAudit(ctx, tx, audit)
	})
}

// saveFindings replaces a revision's findings with a new scan, keeping the
// acknowledged ones that the scan found again.
func saveFindings(ctx context.Context, tx bun.Tx, revID int64, found []cms.Finding, at time.Time) error {
	var old []findingRow
	if err := tx.NewSelect().Model(&old).Where("revision_id = ?", revID).Scan(ctx); err != nil {
		return err
	}
	kept := map[findingKey]bool{}
	var drop []int64
	for _, r := range old {
		k := r.key()
		if r.AcknowledgedBy != 0 && !kept[k] && slices.ContainsFunc(found, func(f cms.Finding) bool { return keyOf(&f) == k }) {
			kept[k] = true
			continue
		}
		drop = append(drop, r.ID)
	}
	if len(drop) > 0 {
		if _, err := tx.NewDelete().Model((*findingRow)(nil)).Where("id IN (?)", bun.In(drop)).Exec(ctx); err != nil {
			return err
		}
	}
	var rows []findingRow
	for _, f := range found {
		if kept[keyOf(&f)] {
			continue
		}
		rows = append(rows, findingRow{RevisionID: revID, Kind: f.Kind, Field: f.Field, Excerpt: f.Excerpt,
			Severity: f.Severity, Position: f.Offset, Length: f.Length, Rendered: f.Rendered, FoundAt: at})
	}
	if len(rows) == 0 {
		return nil
	}
	_, err := tx.NewInsert().Model(&rows).ExcludeColumn("id").Exec(ctx)
	return err
}

// findingKey tells whether two scans found the same thing.
type findingKey struct {
	kind, field, excerpt string
	pos, length          int
	rendered             bool
}

func (r *findingRow) key() findingKey {
	return findingKey{r.Kind, r.Field, r.Excerpt, r.Position, r.Length, r.Rendered}
}

func keyOf(f *cms.Finding) findingKey {
	return findingKey{f.Kind, f.Field, f.Excerpt, f.Offset, f.Length, f.Rendered}
}

// RescanTargets returns revisions in cms.RescanStates after afterID, in id
// order, with their attachments and their items' content types.
func (db *DB) RescanTargets(ctx context.Context, afterID int64, limit int) ([]cms.RescanTarget, error) {
	var rows []revisionRow
	if err := db.bun.NewSelect().Model(&rows).Where("state IN (?)", bun.In(cms.RescanStates)).Where("id > ?", afterID).
		Order("id").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	revIDs, itemIDs := make([]int64, len(rows)), make([]int64, len(rows))
	for i := range rows {
		revIDs[i], itemIDs[i] = rows[i].ID, rows[i].ItemID
	}
	var items []itemRow
	if err := db.bun.NewSelect().Model(&items).Column("id", "content_type").Where("id IN (?)", bun.In(itemIDs)).Scan(ctx); err != nil {
		return nil, err
	}
	types := make(map[int64]string, len(items))
	for _, it := range items {
		types[it.ID] = it.ContentType
	}
	atts, err := attachmentsOf(ctx, db.bun, revIDs...)
	if err != nil {
		return nil, err
	}
	out := make([]cms.RescanTarget, len(rows))
	for i := range rows {
		rev, err := rows[i].domain()
		if err != nil {
			return nil, err
		}
		rev.Attachments = atts[rev.ID]
		out[i] = cms.RescanTarget{Revision: rev, ContentType: types[rev.ItemID]}
	}
	return out, nil
}

// saveRescan stores the findings of a re-scan that their revisions do not
// have yet (the same kind, field and place), skipping revisions that left
// cms.RescanStates or whose content changed since they were scanned. It
// returns what it stored.
func saveRescan(ctx context.Context, tx bun.Tx, r *cms.Rescan) ([]cms.FindingRecord, error) {
	if len(r.Found) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(r.Found))
	for i, s := range r.Found {
		ids[i] = s.RevisionID
	}
	var current []revisionRow
	if err := tx.NewSelect().Model(&current).Column("id", "state", "content_hash").Where("id IN (?)", bun.In(ids)).
		Where("state IN (?)", bun.In(cms.RescanStates)).Scan(ctx); err != nil {
		return nil, err
	}
	hashes := make(map[int64]string, len(current))
	for _, c := range current {
		hashes[c.ID] = c.ContentHash
	}
	var old []findingRow
	if err := tx.NewSelect().Model(&old).Where("revision_id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, err
	}
	type place struct {
		rev         int64
		kind, field string
		pos, length int
		rendered    bool
	}
	have := make(map[place]bool, len(old))
	for _, f := range old {
		have[place{f.RevisionID, f.Kind, f.Field, f.Position, f.Length, f.Rendered}] = true
	}
	var rows []findingRow
	for _, s := range r.Found {
		if h, ok := hashes[s.RevisionID]; !ok || h != s.ContentHash {
			continue
		}
		for _, f := range s.Findings {
			k := place{s.RevisionID, f.Kind, f.Field, f.Offset, f.Length, f.Rendered}
			if have[k] {
				continue
			}
			have[k] = true
			rows = append(rows, findingRow{RevisionID: s.RevisionID, Kind: f.Kind, Field: f.Field, Excerpt: f.Excerpt,
				Severity: f.Severity, Position: f.Offset, Length: f.Length, Rendered: f.Rendered, FoundAt: r.At, Rescan: true})
		}
	}
	if len(rows) == 0 {
		return nil, nil
	}
	if _, err := tx.NewInsert().Model(&rows).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.FindingRecord, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

type releasedFindingRow struct {
	findingRow `bun:",extend"`
	ItemID     int64
	ColumnSlug string
	Department string
	State      string
	Title      string
}

// ReleasedFindings lists findings of revisions in f.States of items owned
// by f.Departments, newest first.
func (db *DB) ReleasedFindings(ctx context.Context, f cms.ReleasedFindingFilter) ([]cms.ReleasedFinding, error) {
	if len(f.Departments) == 0 || len(f.States) == 0 {
		return nil, nil
	}
	var rows []releasedFindingRow
	q := db.bun.NewSelect().Model(&rows).ColumnExpr("f.*").
		ColumnExpr("r.item_id, i.column_slug, i.department, r.state, r.title").
		ModelTableExpr("revision_findings AS f").
		Join("JOIN revisions AS r ON r.id = f.revision_id").
		Join("JOIN items AS i ON i.id = r.item_id").
		Where("r.state IN (?)", bun.In(f.States)).Where("i.department IN (?)", bun.In(f.Departments))
	if f.Pending {
		q = q.Where("f.acknowledged_by IS NULL").WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("f.severity = ?", cms.SeverityBlocking).WhereOr("f.rescan = ?", true)
		})
	}
	if f.Before > 0 {
		q = q.Where("f.id < ?", f.Before)
	}
	if err := q.OrderExpr("f.id DESC").Limit(int64(f.Limit)).Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.ReleasedFinding, len(rows))
	for i := range rows {
		r := &rows[i]
		out[i] = cms.ReleasedFinding{FindingRecord: r.domain(), ItemID: r.ItemID, Column: r.ColumnSlug,
			Department: r.Department, State: cms.State(r.State), Title: r.Title}
	}
	return out, nil
}
