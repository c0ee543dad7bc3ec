package storage

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var _ cms.MaintenanceStore = (*DB)(nil)

type maintenanceWindowRow struct {
	bun.BaseModel `bun:"table:maintenance_windows"`
	ID            int64 `bun:",pk,autoincrement"`
	Channel       string
	Kind          string
	Reason        string
	Notice        string
	StartsAt      time.Time
	EndsAt        time.Time `bun:",nullzero"`
	State         string
	RequestedBy   int64
	RequestedAt   time.Time
	DecidedBy     int64     `bun:",nullzero"`
	DecidedAt     time.Time `bun:",nullzero"`
	Comment       string
}

func (r *maintenanceWindowRow) domain() cms.MaintenanceWindow {
	return cms.MaintenanceWindow{ID: r.ID, Channel: r.Channel, Kind: r.Kind, Reason: r.Reason, Notice: r.Notice,
		StartsAt: r.StartsAt.UTC(), EndsAt: utc(r.EndsAt), State: r.State, RequestedBy: r.RequestedBy,
		RequestedAt: r.RequestedAt.UTC(), DecidedBy: r.DecidedBy, DecidedAt: utc(r.DecidedAt), Comment: r.Comment}
}

// CreateMaintenanceWindow stores a request with its audit entry; the
// entry's detail gets the window's id.
func (db *DB) CreateMaintenanceWindow(ctx context.Context, w *cms.MaintenanceWindow, audit cms.AuditEntry) error {
	row := maintenanceWindowRow{Channel: w.Channel, Kind: w.Kind, Reason: w.Reason, Notice: w.Notice, StartsAt: w.StartsAt,
		EndsAt: w.EndsAt, State: w.State, RequestedBy: w.RequestedBy, RequestedAt: w.RequestedAt, Comment: w.Comment}
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&row).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
			return err
		}
		w.ID = row.ID
		d := map[string]any{}
		if err := json.Unmarshal([]byte(audit.Detail), &d); err != nil {
			return err
		}
		d["window_id"] = row.ID
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		audit.Detail = string(b)
		return appendAudit(ctx, tx, audit)
	})
}

// MaintenanceWindow returns one window.
func (db *DB) MaintenanceWindow(ctx context.Context, id int64) (*cms.MaintenanceWindow, error) {
	var row maintenanceWindowRow
	if err := db.bun.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, translate(err, "maintenance window")
	}
	w := row.domain()
	return &w, nil
}

// MaintenanceWindows lists windows, newest first.
func (db *DB) MaintenanceWindows(ctx context.Context, state string) ([]cms.MaintenanceWindow, error) {
	var rows []maintenanceWindowRow
	q := db.bun.NewSelect().Model(&rows).OrderExpr("id DESC").Limit(500)
	if state != "" {
		q = q.Where("state = ?", state)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.MaintenanceWindow, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// DecideMaintenanceWindow records a decision on a window still requested
// and, for an approval, the channel's announcement, with the audit entry.
func (db *DB) DecideMaintenanceWindow(ctx context.Context, w *cms.MaintenanceWindow, ch *cms.Channel, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*maintenanceWindowRow)(nil)).Set("state = ?", w.State).
			Set("decided_by = ?", nullID(w.DecidedBy)).Set("decided_at = ?", nullTime(w.DecidedAt)).Set("comment = ?", w.Comment).
			Where("id = ?", w.ID).Where("state = ?", cms.WindowRequested).Exec(ctx)
		if err := oneRow(res, err); err != nil {
			return cms.Errorf(cms.ECONFLICT, "someone decided on this maintenance window at the same moment")
		}
		if ch != nil {
			m := ch.Maintenance
			res, err := tx.NewUpdate().Model((*channelRow)(nil)).Set("maintenance_notice = ?", m.Notice).
				Set("maintenance_starts_at = ?", nullTime(m.StartsAt)).Set("maintenance_ends_at = ?", nullTime(m.EndsAt)).
				Set("name = ?", ch.Name).Set("position = ?", ch.Position).
				Set("mac = ?", ch.MAC).Where("slug = ?", ch.Slug).Exec(ctx)
			if err := oneRow(res, err); err != nil {
				return cms.Errorf(cms.ENOTFOUND, "channel %q not found", ch.Slug)
			}
		}
		if err := appendAudit(ctx, tx, audit); err != nil {
			return err
		}
		if ch != nil {
			return bumpContent(ctx, tx, audit.At)
		}
		return nil
	})
}
