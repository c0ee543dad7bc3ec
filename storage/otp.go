package storage

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

// Second factors. The secrets arrive sealed by the OTP adapter; this file
// only keeps them. Each change is a conditional UPDATE, so that two
// requests at once (on any server process) cannot both enable an
// enrolment, both use one code or both use one recovery code.

// OTPSecrets returns the sealed secret and pending secret of an account.
func (db *DB) OTPSecrets(ctx context.Context, userID int64) (string, string, error) {
	var row userRow
	if err := db.bun.NewSelect().Model(&row).Column("otp_secret", "otp_pending").Where("id = ?", userID).Scan(ctx); err != nil {
		return "", "", translate(err, "user")
	}
	return row.OTPSecret, row.OTPPending, nil
}

// StartOTP stores a pending secret unless a second factor is enrolled.
func (db *DB) StartOTP(ctx context.Context, userID int64, pending string, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*userRow)(nil)).Set("otp_pending = ?", pending).
			Where("id = ?", userID).Where("otp_secret = ''").Exec(ctx)
		if err := affectedOne(res, err, "a second factor is enrolled already"); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
}

// EnableOTP turns the pending secret into the account's second factor.
func (db *DB) EnableOTP(ctx context.Context, userID int64, pending string, step int64, codeHashes []string, at time.Time, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*userRow)(nil)).Set("otp_secret = otp_pending").Set("otp_pending = ''").
			Set("otp_enabled_at = ?", at).Set("otp_last_step = ?", step).
			Where("id = ?", userID).Where("otp_secret = ''").Where("otp_pending = ?", pending).Exec(ctx)
		if err := affectedOne(res, err, "the enrolment changed meanwhile; start again"); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*recoveryCodeRow)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
			return err
		}
		rows := make([]recoveryCodeRow, len(codeHashes))
		for i, h := range codeHashes {
			rows[i] = recoveryCodeRow{UserID: userID, CodeHash: h}
		}
		if len(rows) > 0 {
			if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
				return err
			}
		}
		return appendAudit(ctx, tx, audit)
	})
}

// UseOTPStep moves the last used step forward to step, if it is later.
func (db *DB) UseOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	res, err := db.bun.NewUpdate().Model((*userRow)(nil)).Set("otp_last_step = ?", step).
		Where("id = ?", userID).Where("otp_last_step < ?", step).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// UseRecoveryCode marks an unused code used.
func (db *DB) UseRecoveryCode(ctx context.Context, userID int64, codeHash string, at time.Time, audit cms.AuditEntry) (bool, error) {
	var used bool
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*recoveryCodeRow)(nil)).Set("used_at = ?", at).
			Where("user_id = ?", userID).Where("code_hash = ?", codeHash).Where("used_at IS NULL").Exec(ctx)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		left, err := tx.NewSelect().Model((*recoveryCodeRow)(nil)).Where("user_id = ?", userID).Where("used_at IS NULL").Count(ctx)
		if err != nil {
			return err
		}
		used = true
		return appendAudit(ctx, tx, withDetail(audit, "recovery_codes_left", left))
	})
	return used, err
}

// ResetOTP removes the second factor, the recovery codes and the sessions.
func (db *DB) ResetOTP(ctx context.Context, userID int64, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*userRow)(nil)).Set("otp_secret = ''").Set("otp_pending = ''").
			Set("otp_enabled_at = NULL").Set("otp_last_step = 0").Where("id = ?", userID).Exec(ctx)
		if err := affectedOne(res, err, ""); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*recoveryCodeRow)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
}

// affectedOne turns an UPDATE that matched no row into a conflict with
// message, or not found when message is "".
func affectedOne(res interface{ RowsAffected() (int64, error) }, err error, message string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	switch {
	case err != nil:
		return err
	case n == 1:
		return nil
	case message == "":
		return cms.Errorf(cms.ENOTFOUND, "user not found")
	}
	return cms.Errorf(cms.ECONFLICT, "%s", message)
}
