package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// A finding that only the rendered text shows (markup splits it in the
// source) counts its offset in the rendered text, and says so.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		return exec(ctx, tx, `ALTER TABLE revision_findings ADD COLUMN rendered BOOLEAN NOT NULL DEFAULT FALSE`)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return exec(ctx, tx, `ALTER TABLE revision_findings DROP COLUMN rendered`)
	}))
}
