package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// recoveryCode4 is one of an account's single-use recovery codes, kept as
// a SHA-256 hash; used_at is set when it is used.
type recoveryCode4 struct {
	bun.BaseModel `bun:"table:otp_recovery_codes"`
	UserID        int64     `bun:",pk"`
	CodeHash      string    `bun:",pk"`
	UsedAt        time.Time `bun:",nullzero"`
}

func (*recoveryCode4) foreignKeys() []string {
	return []string{`("user_id") REFERENCES "users" ("id") ON DELETE CASCADE`}
}

// A second factor (TOTP) per account: its secret and that of an enrolment
// under way, sealed by the server; when it was enrolled; and the last time
// step whose code was used, so that no code is good twice. Administrators
// reset it.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		ts := "TIMESTAMP"
		if tx.Dialect().Name() == dialect.PG {
			ts = "TIMESTAMPTZ"
		}
		if err := exec(ctx, tx,
			`ALTER TABLE users ADD COLUMN otp_secret VARCHAR NOT NULL DEFAULT ''`,
			`ALTER TABLE users ADD COLUMN otp_pending VARCHAR NOT NULL DEFAULT ''`,
			`ALTER TABLE users ADD COLUMN otp_enabled_at `+ts,
			`ALTER TABLE users ADD COLUMN otp_last_step BIGINT NOT NULL DEFAULT 0`,
		); err != nil {
			return err
		}
		if err := createTables(ctx, tx, (*recoveryCode4)(nil)); err != nil {
			return err
		}
		return grant(ctx, tx, [][3]string{{"admin", "any", "user.reset_otp"}})
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*rolePermission1)(nil)).Where("action = 'user.reset_otp'").Exec(ctx); err != nil {
			return err
		}
		if err := dropTables(ctx, tx, (*recoveryCode4)(nil)); err != nil {
			return err
		}
		return exec(ctx, tx,
			`ALTER TABLE users DROP COLUMN otp_secret`, `ALTER TABLE users DROP COLUMN otp_pending`,
			`ALTER TABLE users DROP COLUMN otp_enabled_at`, `ALTER TABLE users DROP COLUMN otp_last_step`)
	}))
}
