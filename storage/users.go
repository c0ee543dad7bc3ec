package storage

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var _ cms.UserStore = (*DB)(nil)

// CreateUser stores u with its role bindings and pending grants.
func (db *DB) CreateUser(ctx context.Context, u *cms.User, passwordHash string, requests []cms.Grant, audit cms.AuditEntry) error {
	row := &userRow{Username: u.Username, DisplayName: u.DisplayName, Department: u.Department,
		PasswordHash: passwordHash, PasswordChangedAt: u.PasswordChangedAt, MustChangePassword: u.MustChangePassword,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
			return translate(err, "user "+u.Username)
		}
		u.ID = row.ID
		if err := replaceRoles(ctx, tx, u.ID, u.Roles); err != nil {
			return err
		}
		if err := rememberPassword(ctx, tx, u.ID, passwordHash, u.PasswordChangedAt); err != nil {
			return err
		}
		audit.Subject = "user:" + strconv.FormatInt(u.ID, 10)
		if err := appendAudit(ctx, tx, audit); err != nil {
			return err
		}
		return requestGrants(ctx, tx, u.ID, requests)
	})
}

func replaceRoles(ctx context.Context, tx bun.Tx, userID int64, roles []cms.RoleBinding) error {
	if _, err := tx.NewDelete().Model((*roleBindingRow)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
		return err
	}
	if len(roles) > 0 {
		rows := make([]roleBindingRow, len(roles))
		for i, b := range roles {
			rows[i] = roleBindingRow{UserID: userID, Role: string(b.Role), Department: b.Department}
		}
		if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return translate(err, "role binding")
		}
	}
	return bumpPolicyVersion(ctx, tx)
}

// UserByID returns a user with their role bindings.
func (db *DB) UserByID(ctx context.Context, id int64) (*cms.User, error) {
	var row userRow
	if err := db.bun.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, translate(err, "user")
	}
	return db.withRoles(ctx, &row)
}

// UserByUsername returns a user and their password hash.
func (db *DB) UserByUsername(ctx context.Context, username string) (*cms.User, string, error) {
	var row userRow
	if err := db.bun.NewSelect().Model(&row).Where("username = ?", username).Scan(ctx); err != nil {
		return nil, "", translate(err, "user")
	}
	u, err := db.withRoles(ctx, &row)
	return u, row.PasswordHash, err
}

func (db *DB) withRoles(ctx context.Context, row *userRow) (*cms.User, error) {
	roles, err := db.rolesOf(ctx, []int64{row.ID})
	if err != nil {
		return nil, err
	}
	return row.domain(roles[row.ID]), nil
}

func (db *DB) rolesOf(ctx context.Context, ids []int64) (map[int64][]cms.RoleBinding, error) {
	var rows []roleBindingRow
	if err := db.bun.NewSelect().Model(&rows).Where("user_id IN (?)", bun.In(ids)).
		Order("user_id", "role", "department").Scan(ctx); err != nil {
		return nil, err
	}
	out := map[int64][]cms.RoleBinding{}
	for _, r := range rows {
		out[r.UserID] = append(out[r.UserID], cms.RoleBinding{Role: cms.Role(r.Role), Department: r.Department})
	}
	return out, nil
}

// Users lists users by username.
func (db *DB) Users(ctx context.Context, f cms.UserFilter) ([]cms.User, error) {
	var rows []userRow
	q := db.bun.NewSelect().Model(&rows).Order("username")
	if f.Department != "" {
		q = q.Where("department = ?", f.Department)
	}
	if f.Role != "" {
		q = q.Where("id IN (?)", db.bun.NewSelect().Model((*roleBindingRow)(nil)).Column("user_id").Where("role = ?", f.Role))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	if len(ids) == 0 {
		return nil, nil
	}
	roles, err := db.rolesOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]cms.User, len(rows))
	for i := range rows {
		out[i] = *rows[i].domain(roles[rows[i].ID])
	}
	return out, nil
}

// CountUsers counts every account.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	n, err := db.bun.NewSelect().Model((*userRow)(nil)).Count(ctx)
	return int(n), err
}

// UpdateUser applies an account change in one transaction.
func (db *DB) UpdateUser(ctx context.Context, c *cms.AccountChange) error {
	u := c.User
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*userRow)(nil)).
			Set("display_name = ?", u.DisplayName).Set("department = ?", u.Department).
			Set("disabled = ?", u.Disabled).Set("updated_at = ?", u.UpdatedAt).
			Where("id = ?", u.ID).Exec(ctx)
		if err != nil {
			return translate(err, "user")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return cms.Errorf(cms.ENOTFOUND, "user not found")
		}
		if err := replaceRoles(ctx, tx, u.ID, u.Roles); err != nil {
			return err
		}
		if c.PasswordHash != "" {
			if err := setPassword(ctx, tx, u.ID, c.PasswordHash, u.PasswordChangedAt, u.MustChangePassword); err != nil {
				return err
			}
		}
		if err := cancelGrants(ctx, tx, c.Cancel); err != nil {
			return err
		}
		if err := requestGrants(ctx, tx, u.ID, c.Request); err != nil {
			return err
		}
		if c.EndSessions {
			if _, err := tx.NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", u.ID).Exec(ctx); err != nil {
				return err
			}
		}
		for _, a := range c.Audit {
			if err := appendAudit(ctx, tx, a); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetPassword stores a password its owner chose and clears the lockout.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash string, changedAt time.Time, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := setPassword(ctx, tx, userID, hash, changedAt, false); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
}

// setPassword replaces a password hash, one-time or not, clears the lockout
// and moves the login epoch on (so checks reserved under the old password
// settle as nothing), and adds the hash to the account's history.
func setPassword(ctx context.Context, tx bun.Tx, userID int64, hash string, changedAt time.Time, oneTime bool) error {
	if _, err := tx.NewUpdate().Model((*userRow)(nil)).
		Set("password_hash = ?", hash).Set("password_changed_at = ?", changedAt).Set("must_change_password = ?", oneTime).
		Set("failed_logins = 0").Set("locked_until = NULL").Set("login_epoch = login_epoch + 1").
		Where("id = ?", userID).Exec(ctx); err != nil {
		return err
	}
	return rememberPassword(ctx, tx, userID, hash, changedAt)
}

// rememberPassword adds hash to the account's history and forgets all but
// the newest cms.PasswordHistoryLength.
func rememberPassword(ctx context.Context, tx bun.Tx, userID int64, hash string, at time.Time) error {
	if _, err := tx.NewInsert().Model(&passwordHistoryRow{UserID: userID, Hash: hash, CreatedAt: at}).Exec(ctx); err != nil {
		return err
	}
	keep := tx.NewSelect().Model((*passwordHistoryRow)(nil)).Column("id").Where("user_id = ?", userID).
		Order("id DESC").Limit(cms.PasswordHistoryLength)
	_, err := tx.NewDelete().Model((*passwordHistoryRow)(nil)).Where("user_id = ?", userID).Where("id NOT IN (?)", keep).Exec(ctx)
	return err
}

// PasswordHistory returns the account's last n password hashes, newest first.
func (db *DB) PasswordHistory(ctx context.Context, userID int64, n int) ([]string, error) {
	var hashes []string
	err := db.bun.NewSelect().Model((*passwordHistoryRow)(nil)).Column("hash").Where("user_id = ?", userID).
		Order("id DESC").Limit(int64(n)).Scan(ctx, &hashes)
	return hashes, err
}

// CreateSession stores a session, deletes the user's expired ones, and
// clears the user's failed logins and lock, restarting the count: the
// login settles every reservation.
func (db *DB) CreateSession(ctx context.Context, s *cms.Session, audit cms.AuditEntry) error {
	row := &sessionRow{UserID: s.UserID, Kind: string(s.Kind), TokenHash: s.TokenHash, CreatedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt}
	if row.Kind == "" {
		row.Kind = string(cms.SessionAPI)
	}
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
			return err
		}
		s.ID = row.ID
		if _, err := tx.NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", s.UserID).
			Where("expires_at <= ?", s.CreatedAt).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*userRow)(nil)).Set("failed_logins = 0").Set("locked_until = NULL").
			Set("login_epoch = login_epoch + 1").Where("id = ?", s.UserID).Exec(ctx); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
}

// SessionByTokenHash returns the unexpired session with the token hash.
func (db *DB) SessionByTokenHash(ctx context.Context, hash string, now time.Time) (*cms.Session, error) {
	var row sessionRow
	if err := db.bun.NewSelect().Model(&row).Where("token_hash = ?", hash).Where("expires_at > ?", now).
		Scan(ctx); err != nil {
		return nil, translate(err, "session")
	}
	return &cms.Session{ID: row.ID, UserID: row.UserID, Kind: cms.SessionKind(row.Kind), TokenHash: row.TokenHash,
		CreatedAt: row.CreatedAt.UTC(), ExpiresAt: row.ExpiresAt.UTC()}, nil
}

// TouchSession moves the end of a session.
func (db *DB) TouchSession(ctx context.Context, id int64, expiresAt time.Time) error {
	_, err := db.bun.NewUpdate().Model((*sessionRow)(nil)).Set("expires_at = ?", expiresAt).Where("id = ?", id).Exec(ctx)
	return err
}

// DeleteSession revokes a session.
func (db *DB) DeleteSession(ctx context.Context, id int64, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*sessionRow)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
}

// DeleteUserSessions revokes every session of a user except keep.
func (db *DB) DeleteUserSessions(ctx context.Context, userID, keep int64) error {
	_, err := db.bun.NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", userID).Where("id <> ?", keep).Exec(ctx)
	return err
}

// PurgeSessions deletes the sessions that expired at or before now.
func (db *DB) PurgeSessions(ctx context.Context, now time.Time) (int, error) {
	res, err := db.bun.NewDelete().Model((*sessionRow)(nil)).Where("expires_at <= ?", now).Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// withDetail adds a key to an entry's canonical JSON detail.
func withDetail(e cms.AuditEntry, key string, value any) cms.AuditEntry {
	m := map[string]any{}
	_ = json.Unmarshal([]byte(e.Detail), &m)
	m[key] = value
	b, _ := json.Marshal(m)
	e.Detail = string(b)
	return e
}
