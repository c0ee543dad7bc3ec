package storage

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var _ cms.PatrolStore = (*DB)(nil)

type patrolRow struct {
	bun.BaseModel `bun:"table:patrol_reports"`
	ID            int64 `bun:",pk,autoincrement"`
	StartedAt     time.Time
	FinishedAt    time.Time
	ActorID       int64
	TriggeredBy   string
	Revisions     int
	Attachments   int
	PublicRows    int
	StructureRows int
	Problems      string
}

type patrolProblemJSON struct {
	ItemID     int64  `json:"item_id"`
	RevisionID int64  `json:"revision_id"`
	Subject    string `json:"subject,omitempty"`
	Kind       string `json:"kind"`
	Detail     string `json:"detail"`
	Suspended  bool   `json:"suspended"`
}

// LiveRevisions calls fn with the id of every published revision.
func (db *DB) LiveRevisions(ctx context.Context, fn func(int64) error) error {
	var ids []int64
	if err := db.bun.NewSelect().Model((*revisionRow)(nil)).Column("id").Where("state = ?", cms.StatePublished).
		Order("id").Scan(ctx, &ids); err != nil {
		return err
	}
	for _, id := range ids {
		if err := fn(id); err != nil {
			return err
		}
	}
	return nil
}

// SavePatrol stores a patrol report with its audit entry.
func (db *DB) SavePatrol(ctx context.Context, r *cms.PatrolReport, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		audit.Subject = ""
		return savePatrol(ctx, tx, r, audit)
	})
}

// savePatrol stores a report and its audit entry in tx; an entry without a
// subject is about the report.
func savePatrol(ctx context.Context, tx bun.Tx, r *cms.PatrolReport, audit cms.AuditEntry) error {
	probs := make([]patrolProblemJSON, len(r.Problems))
	for i, p := range r.Problems {
		probs[i] = patrolProblemJSON{ItemID: p.ItemID, RevisionID: p.RevisionID, Subject: p.Subject, Kind: p.Kind,
			Detail: p.Detail, Suspended: p.Suspended}
	}
	b, err := json.Marshal(probs)
	if err != nil {
		return err
	}
	row := patrolRow{StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, ActorID: r.ActorID, TriggeredBy: r.Trigger,
		Revisions: r.Revisions, Attachments: r.Attachments, PublicRows: r.PublicRows, StructureRows: r.Structure, Problems: string(b)}
	if _, err := tx.NewInsert().Model(&row).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
		return err
	}
	r.ID = row.ID
	if audit.Subject == "" {
		audit.Subject = "patrol:" + itoa(row.ID)
	}
	return appendAudit(ctx, tx, audit)
}

// Patrols lists recent reports, newest first.
func (db *DB) Patrols(ctx context.Context, limit int) ([]cms.PatrolReport, error) {
	var rows []patrolRow
	if err := db.bun.NewSelect().Model(&rows).OrderExpr("id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.PatrolReport, len(rows))
	for i, r := range rows {
		var probs []patrolProblemJSON
		_ = json.Unmarshal([]byte(r.Problems), &probs)
		rep := cms.PatrolReport{ID: r.ID, StartedAt: r.StartedAt.UTC(), FinishedAt: r.FinishedAt.UTC(), ActorID: r.ActorID,
			Trigger: r.TriggeredBy, Revisions: r.Revisions, Attachments: r.Attachments, PublicRows: r.PublicRows, Structure: r.StructureRows}
		if rep.Trigger == "" { // reports from before triggers were recorded
			rep.Trigger = cms.TriggerSchedule
			if r.ActorID != 0 {
				rep.Trigger = cms.TriggerRequest
			}
		}
		for _, p := range probs {
			if p.Subject == "" && p.ItemID != 0 {
				p.Subject = "item:" + itoa(p.ItemID)
			}
			rep.Problems = append(rep.Problems, cms.PatrolProblem{ItemID: p.ItemID, RevisionID: p.RevisionID, Subject: p.Subject,
				Kind: p.Kind, Detail: p.Detail, Suspended: p.Suspended})
		}
		out[i] = rep
	}
	return out, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
