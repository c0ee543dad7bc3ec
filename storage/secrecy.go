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
	AcknowledgedBy int64 `bun:",nullzero"`
	AckReason      string
	AcknowledgedAt time.Time `bun:",nullzero"`
}

func (r *findingRow) domain() cms.FindingRecord {
	return cms.FindingRecord{ID: r.ID, RevisionID: r.RevisionID, Finding: cms.Finding{Kind: r.Kind, Field: r.Field,
		Excerpt: r.Excerpt, Severity: r.Severity, Offset: r.Position, Length: r.Length, Rendered: r.Rendered}, FoundAt: r.FoundAt.UTC(),
		AcknowledgedBy: r.AcknowledgedBy, AckReason: r.AckReason, AcknowledgedAt: utc(r.AcknowledgedAt)}
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

// SetSensitiveWords replaces the list with its audit entry.
func (db *DB) SetSensitiveWords(ctx context.Context, words []cms.SensitiveWord, audit cms.AuditEntry) error {
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
		return appendAudit(ctx, tx, audit)
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
