package storage

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var _ cms.FeatureRequestStore = (*DB)(nil)

type featureRequestRow struct {
	bun.BaseModel `bun:"table:feature_requests"`
	ID            int64 `bun:",pk,autoincrement"`
	Department    string
	Channel       string
	Title         string
	Description   string
	State         string
	SubmittedBy   int64
	SubmittedAt   time.Time
	DecidedBy     int64     `bun:",nullzero"`
	DecidedAt     time.Time `bun:",nullzero"`
	DoneBy        int64     `bun:",nullzero"`
	DoneAt        time.Time `bun:",nullzero"`
	UpdatedAt     time.Time
}

func (r *featureRequestRow) domain() cms.FeatureRequest {
	return cms.FeatureRequest{ID: r.ID, Department: r.Department, Channel: r.Channel, Title: r.Title,
		Description: r.Description, State: r.State, SubmittedBy: r.SubmittedBy, SubmittedAt: r.SubmittedAt.UTC(),
		DecidedBy: r.DecidedBy, DecidedAt: utc(r.DecidedAt), DoneBy: r.DoneBy, DoneAt: utc(r.DoneAt),
		UpdatedAt: r.UpdatedAt.UTC()}
}

type featureNoteRow struct {
	bun.BaseModel `bun:"table:feature_notes"`
	ID            int64 `bun:",pk,autoincrement"`
	RequestID     int64
	Kind          string
	ActorID       int64
	Comment       string
	At            time.Time
}

// CreateFeatureRequest stores a request, its first history entry and the
// audit entry, which gets the request's id in its subject and detail.
func (db *DB) CreateFeatureRequest(ctx context.Context, r *cms.FeatureRequest, note *cms.FeatureNote, audit cms.AuditEntry) error {
	row := featureRequestRow{Department: r.Department, Channel: r.Channel, Title: r.Title, Description: r.Description,
		State: r.State, SubmittedBy: r.SubmittedBy, SubmittedAt: r.SubmittedAt, UpdatedAt: r.UpdatedAt}
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&row).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
			return err
		}
		r.ID, note.RequestID = row.ID, row.ID
		if err := insertFeatureNote(ctx, tx, note); err != nil {
			return err
		}
		d := map[string]any{}
		if err := json.Unmarshal([]byte(audit.Detail), &d); err != nil {
			return err
		}
		d["request_id"] = row.ID
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		audit.Detail, audit.Subject = string(b), "feature_request:"+itoa(row.ID)
		return appendAudit(ctx, tx, audit)
	})
}

func insertFeatureNote(ctx context.Context, tx bun.Tx, note *cms.FeatureNote) error {
	row := featureNoteRow{RequestID: note.RequestID, Kind: note.Kind, ActorID: note.ActorID, Comment: note.Comment, At: note.At}
	if _, err := tx.NewInsert().Model(&row).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
		return err
	}
	note.ID = row.ID
	return nil
}

// FeatureRequest returns one request with its history, oldest first.
func (db *DB) FeatureRequest(ctx context.Context, id int64) (*cms.FeatureRequest, error) {
	var row featureRequestRow
	if err := db.bun.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, translate(err, "feature request")
	}
	var notes []featureNoteRow
	if err := db.bun.NewSelect().Model(&notes).Where("request_id = ?", id).OrderExpr("id ASC").Scan(ctx); err != nil {
		return nil, err
	}
	r := row.domain()
	r.History = make([]cms.FeatureNote, len(notes))
	for i, n := range notes {
		r.History[i] = cms.FeatureNote{ID: n.ID, RequestID: n.RequestID, Kind: n.Kind, ActorID: n.ActorID, Comment: n.Comment,
			At: n.At.UTC()}
	}
	return &r, nil
}

// FeatureRequests lists requests, newest first.
func (db *DB) FeatureRequests(ctx context.Context, f cms.FeatureFilter) ([]cms.FeatureRequest, error) {
	var rows []featureRequestRow
	q := db.bun.NewSelect().Model(&rows).OrderExpr("id DESC")
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	if f.Department != "" {
		q = q.Where("department = ?", f.Department)
	}
	if f.Departments != nil {
		if len(f.Departments) == 0 {
			return []cms.FeatureRequest{}, nil
		}
		q = q.Where("department IN (?)", bun.In(f.Departments))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.FeatureRequest, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// RecordFeatureNote stores a request's new state with its history entry
// and audit entry, if the request is still in state from: of two leaders
// deciding at once, one wins and the other gets a conflict.
func (db *DB) RecordFeatureNote(ctx context.Context, r *cms.FeatureRequest, from string, note *cms.FeatureNote, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*featureRequestRow)(nil)).Set("state = ?", r.State).
			Set("decided_by = ?", nullID(r.DecidedBy)).Set("decided_at = ?", nullTime(r.DecidedAt)).
			Set("done_by = ?", nullID(r.DoneBy)).Set("done_at = ?", nullTime(r.DoneAt)).Set("updated_at = ?", r.UpdatedAt).
			Where("id = ?", r.ID).Where("state = ?", from).Exec(ctx)
		if err := oneRow(res, err); err != nil {
			if errors.Is(err, errRaced) {
				return cms.Errorf(cms.ECONFLICT, "someone changed this feature request at the same moment; reload it")
			}
			return err
		}
		note.RequestID = r.ID
		if err := insertFeatureNote(ctx, tx, note); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
}
