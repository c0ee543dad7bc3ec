package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// An index on the expiry of sessions keeps the hourly purge of expired
// ones cheap however many there are.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		return exec(ctx, tx, `CREATE INDEX sessions_expires ON sessions (expires_at)`)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return exec(ctx, tx, `DROP INDEX sessions_expires`)
	}))
}
