package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// An index on the expiry of published revisions keeps the scheduler's
// check for expired items cheap however many items are live.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		return exec(ctx, tx, `CREATE INDEX revisions_expiry ON revisions (expire_at) WHERE state = 'published' AND expire_at IS NOT NULL`)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return exec(ctx, tx, `DROP INDEX revisions_expiry`)
	}))
}
