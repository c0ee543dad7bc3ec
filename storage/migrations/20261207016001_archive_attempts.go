package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// A monthly archive package whose writing or verification failed is
// written again on a later hourly run, a bounded number of times: the
// package's row counts its attempts (every package written so far took
// one).
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		return exec(ctx, tx, `ALTER TABLE archive_packages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1`)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return exec(ctx, tx, `ALTER TABLE archive_packages DROP COLUMN attempts`)
	}))
}
