package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Auditors export the archive.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		return grant(ctx, tx, [][3]string{{"auditor", "any", "archive.export"}})
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewDelete().Model((*rolePermission1)(nil)).Where("action = 'archive.export'").Exec(ctx)
		return err
	}))
}
