package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Login attempts are reserved against the lockout before the password is
// checked: login_epoch tells a reservation whether the count it was taken
// from is still current. Administrators unlock accounts.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := exec(ctx, tx, `ALTER TABLE users ADD COLUMN login_epoch BIGINT NOT NULL DEFAULT 0`); err != nil {
			return err
		}
		return grant(ctx, tx, [][3]string{{"admin", "any", "user.unlock"}})
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*rolePermission1)(nil)).Where("action = 'user.unlock'").Exec(ctx); err != nil {
			return err
		}
		return exec(ctx, tx, `ALTER TABLE users DROP COLUMN login_epoch`)
	}))
}
