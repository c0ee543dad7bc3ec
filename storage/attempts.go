package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

// The lockout's reservations. Each decision is one conditional UPDATE on
// the user's row, so that the row lock serialises them on PostgreSQL (a
// waiting UPDATE re-checks its WHERE against the row it waited for) and
// the write lock on SQLite, across every server process.

// ReserveAttempt adds one to the failed-login count unless the account is
// locked at now or the count has reached threshold.
func (db *DB) ReserveAttempt(ctx context.Context, userID int64, threshold int, now time.Time) (cms.Attempt, error) {
	a := cms.Attempt{UserID: userID}
	err := db.bun.NewUpdate().Model((*userRow)(nil)).Set("failed_logins = failed_logins + 1").
		Where("id = ?", userID).Where("failed_logins < ?", threshold).
		Where("(locked_until IS NULL OR locked_until <= ?)", now).
		Returning("failed_logins, login_epoch").Scan(ctx, &a.N, &a.Epoch)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return a, err
	}
	var row userRow
	if err := db.bun.NewSelect().Model(&row).Column("locked_until").Where("id = ?", userID).Scan(ctx); err != nil {
		return a, translate(err, "user")
	}
	a.LockedUntil = utc(row.LockedUntil)
	return a, nil
}

// ReleaseAttempt takes a reservation back while its count is still current.
func (db *DB) ReleaseAttempt(ctx context.Context, a cms.Attempt, audit *cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewUpdate().Model((*userRow)(nil)).Set("failed_logins = failed_logins - 1").
			Where("id = ?", a.UserID).Where("login_epoch = ?", a.Epoch).Where("failed_logins > 0").Exec(ctx); err != nil {
			return err
		}
		if audit == nil {
			return nil
		}
		return appendAudit(ctx, tx, *audit)
	})
}

// FailAttempt records a failed check; the first failure settled once the
// count of its epoch has reached threshold locks the account, restarts the
// count and ends every session of the user.
func (db *DB) FailAttempt(ctx context.Context, a cms.Attempt, threshold int, lockUntil time.Time, audit cms.AuditEntry) (bool, error) {
	var locked bool
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*userRow)(nil)).
			Set("failed_logins = 0").Set("locked_until = ?", lockUntil).Set("login_epoch = login_epoch + 1").
			Where("id = ?", a.UserID).Where("login_epoch = ?", a.Epoch).Where("failed_logins >= ?", threshold).Exec(ctx)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		locked = n == 1
		audit = withDetail(audit, "failed_logins", a.N)
		if locked {
			if _, err := tx.NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", a.UserID).Exec(ctx); err != nil {
				return err
			}
			audit = withDetail(audit, "locked_until", lockUntil.UTC().Format(time.RFC3339))
		}
		return appendAudit(ctx, tx, audit)
	})
	return locked, err
}

// UnlockUser clears the lock and restarts the count.
func (db *DB) UnlockUser(ctx context.Context, userID int64, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*userRow)(nil)).Set("failed_logins = 0").Set("locked_until = NULL").
			Set("login_epoch = login_epoch + 1").Where("id = ?", userID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return cms.Errorf(cms.ENOTFOUND, "user not found")
		}
		return appendAudit(ctx, tx, audit)
	})
}
