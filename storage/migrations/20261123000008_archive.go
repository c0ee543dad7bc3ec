package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Auditors export the archive.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&rolePermission1{Role: "auditor", Object: "any", Action: "archive.export"}).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'policy_version'`)
		return err
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewDelete().Model((*rolePermission1)(nil)).Where("action = 'archive.export'").Exec(ctx)
		return err
	}))
}
