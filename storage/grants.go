package storage

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var _ cms.GrantStore = (*DB)(nil)

type grantRow struct {
	bun.BaseModel `bun:"table:role_grants"`
	ID            int64 `bun:",pk,autoincrement"`
	UserID        int64
	Kind          string
	Role          string
	Department    string
	PasswordHash  string
	Status        string
	RequestedBy   int64
	RequestedAt   time.Time
	DecidedBy     int64     `bun:",nullzero"`
	DecidedAt     time.Time `bun:",nullzero"`
	Reason        string
}

func newGrantRow(g *cms.Grant) *grantRow {
	return &grantRow{ID: g.ID, UserID: g.UserID, Kind: string(g.Kind), Role: string(g.Binding.Role), Department: g.Binding.Department,
		PasswordHash: g.PasswordHash, Status: string(g.Status), RequestedBy: g.RequestedBy, RequestedAt: g.RequestedAt,
		DecidedBy: g.DecidedBy, DecidedAt: g.DecidedAt, Reason: g.Reason}
}

func (r *grantRow) domain() cms.Grant {
	return cms.Grant{ID: r.ID, UserID: r.UserID, Kind: cms.GrantKind(r.Kind),
		Binding: cms.RoleBinding{Role: cms.Role(r.Role), Department: r.Department}, PasswordHash: r.PasswordHash,
		Status: cms.GrantStatus(r.Status), RequestedBy: r.RequestedBy, RequestedAt: r.RequestedAt.UTC(),
		DecidedBy: r.DecidedBy, DecidedAt: utc(r.DecidedAt), Reason: r.Reason}
}

// Grants lists grants newest first.
func (db *DB) Grants(ctx context.Context, f cms.GrantFilter) ([]cms.Grant, error) {
	var rows []grantRow
	q := db.bun.NewSelect().Model(&rows).OrderExpr("id DESC")
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.UserID != 0 {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.Grant, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// Grant returns one grant.
func (db *DB) Grant(ctx context.Context, id int64) (*cms.Grant, error) {
	var row grantRow
	if err := db.bun.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, translate(err, "grant")
	}
	g := row.domain()
	return &g, nil
}

// DecideGrant stores a decision on a pending grant and applies a confirmed one.
func (db *DB) DecideGrant(ctx context.Context, g *cms.Grant, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var hash string
		if err := tx.NewSelect().Model((*grantRow)(nil)).Column("password_hash").Where("id = ?", g.ID).
			Where("status = ?", cms.GrantPending).Scan(ctx, &hash); err != nil {
			return grantMoved(translate(err, "grant"))
		}
		if err := settle(ctx, tx, g); err != nil {
			return err
		}
		if g.Status == cms.GrantConfirmed {
			if err := apply(ctx, tx, g, hash); err != nil {
				return err
			}
		}
		return appendAudit(ctx, tx, audit)
	})
}

var errGrantMoved = cms.Errorf(cms.ECONFLICT, "the grant was decided on meanwhile; reload it")

// grantMoved turns "no pending grant" into the conflict it is.
func grantMoved(err error) error {
	if cms.ErrorCode(err) == cms.ENOTFOUND {
		return errGrantMoved
	}
	return err
}

// settle records that a pending grant was confirmed, refused or cancelled,
// forgetting the password a reset carried.
func settle(ctx context.Context, tx bun.Tx, g *cms.Grant) error {
	res, err := tx.NewUpdate().Model((*grantRow)(nil)).Set("status = ?", g.Status).
		Set("decided_by = ?", g.DecidedBy).Set("decided_at = ?", g.DecidedAt).Set("reason = ?", g.Reason).
		Set("password_hash = ''").Where("id = ?", g.ID).Where("status = ?", cms.GrantPending).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errGrantMoved
	}
	return nil
}

// apply makes a confirmed grant take effect: the role counts from the next
// request on (the policy version moves), or the new password replaces the
// old one, one-time, and every session of the account ends.
func apply(ctx context.Context, tx bun.Tx, g *cms.Grant, hash string) error {
	switch g.Kind {
	case cms.GrantRole:
		row := &roleBindingRow{UserID: g.UserID, Role: string(g.Binding.Role), Department: g.Binding.Department}
		if _, err := tx.NewInsert().Model(row).On("CONFLICT (user_id, role, department) DO NOTHING").Exec(ctx); err != nil {
			return translate(err, "role binding")
		}
		return bumpPolicyVersion(ctx, tx)
	case cms.GrantPasswordReset:
		if err := setPassword(ctx, tx, g.UserID, hash, g.DecidedAt, true); err != nil {
			return err
		}
		_, err := tx.NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", g.UserID).Exec(ctx)
		return err
	}
	return cms.Errorf(cms.EINTERNAL, "unknown kind of grant %q", g.Kind)
}

// requestGrants stores new pending grants of userID, each with its audit entry.
func requestGrants(ctx context.Context, tx bun.Tx, userID int64, gs []cms.Grant) error {
	for i := range gs {
		g := &gs[i]
		g.UserID = userID
		row := newGrantRow(g)
		if _, err := tx.NewInsert().Model(row).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
			return translate(err, "grant")
		}
		g.ID = row.ID
		if err := appendAudit(ctx, tx, cms.GrantAudit(g, cms.AuditGrantRequested, g.RequestedBy, g.RequestedAt)); err != nil {
			return err
		}
	}
	return nil
}

// cancelGrants withdraws pending grants, each with its audit entry.
func cancelGrants(ctx context.Context, tx bun.Tx, gs []cms.Grant) error {
	for i := range gs {
		g := &gs[i]
		if err := settle(ctx, tx, g); err != nil {
			return err
		}
		if err := appendAudit(ctx, tx, cms.GrantAudit(g, cms.AuditGrantCancelled, g.DecidedBy, g.DecidedAt)); err != nil {
			return err
		}
	}
	return nil
}
