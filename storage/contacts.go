package storage

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var _ cms.ContactStore = (*DB)(nil)

type contactRow struct {
	bun.BaseModel `bun:"table:department_contacts"`
	ID            int64 `bun:",pk,autoincrement"`
	Department    string
	UserID        int64
	Since         time.Time
	Until         time.Time `bun:",nullzero"`
	DesignatedBy  int64
}

// contactRead is a designation with its account, as Contacts reads it.
type contactRead struct {
	contactRow `bun:",extend"`
	Username   string
	Name       string `bun:"display_name"`
	UserDept   string `bun:"user_department"`
	Disabled   bool
}

// Contacts lists the designations in effect at at (zero: those not ended).
func (db *DB) Contacts(ctx context.Context, at time.Time) ([]cms.Contact, error) {
	var rows []contactRead
	q := db.bun.NewSelect().Model(&rows).
		ColumnExpr("dc.*, u.username, u.display_name, u.department AS user_department, u.disabled").
		Join("JOIN users AS u ON u.id = dc.user_id").
		Join("JOIN departments AS d ON d.slug = dc.department").
		OrderExpr("d.position, dc.since, dc.id")
	if at.IsZero() {
		q = q.Where("dc.until IS NULL")
	} else {
		q = q.Where("dc.since <= ?", at).Where("(dc.until IS NULL OR dc.until > ?)", at)
	}
	if err := q.ModelTableExpr("department_contacts AS dc").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.Contact, len(rows))
	for i, r := range rows {
		out[i] = cms.Contact{Department: r.Department, Since: r.Since.UTC(), Until: utc(r.Until), DesignatedBy: r.DesignatedBy,
			User: cms.User{ID: r.UserID, Username: r.Username, DisplayName: r.Name, Department: r.UserDept, Disabled: r.Disabled}}
	}
	return out, nil
}

// SetContacts replaces a department's open designations by users, in one
// transaction with the audit entry.
func (db *DB) SetContacts(ctx context.Context, dept string, users []int64, at time.Time, audit cms.AuditEntry) (bool, error) {
	changed := false
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var open []contactRow
		if err := tx.NewSelect().Model(&open).Where("department = ? AND until IS NULL", dept).Order("id").Scan(ctx); err != nil {
			return err
		}
		var held, removed, added []int64
		for _, r := range open {
			held = append(held, r.UserID)
			if !slices.Contains(users, r.UserID) {
				removed = append(removed, r.UserID)
			}
		}
		for _, id := range users {
			if !slices.Contains(held, id) {
				added = append(added, id)
			}
		}
		if len(added)+len(removed) == 0 {
			return nil
		}
		changed = true
		if len(removed) > 0 {
			if _, err := tx.NewUpdate().Model((*contactRow)(nil)).Set("until = ?", at).
				Where("department = ? AND until IS NULL", dept).Where("user_id IN (?)", bun.In(removed)).Exec(ctx); err != nil {
				return err
			}
		}
		for _, id := range added {
			row := contactRow{Department: dept, UserID: id, Since: at, DesignatedBy: audit.ActorID}
			if _, err := tx.NewInsert().Model(&row).ExcludeColumn("id").Exec(ctx); err != nil {
				return translate(err, "contact")
			}
		}
		d := map[string]any{}
		if err := json.Unmarshal([]byte(audit.Detail), &d); err != nil {
			return err
		}
		d["added"], d["removed"] = orEmpty(added), orEmpty(removed)
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		audit.Detail = string(b)
		return appendAudit(ctx, tx, audit)
	})
	return changed, err
}

func orEmpty(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}
