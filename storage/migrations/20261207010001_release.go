package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// A cleared revision waits for 信息科 (第十条): the publisher who decides
// to publish it at a time is recorded on the revision, with the time, and
// the scheduler publishes it then on their behalf. Revisions cleared
// before this migration wait for a publisher too, unless the server runs
// with CMS_AUTO_PUBLISH.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		ts := "TIMESTAMP"
		if tx.Dialect().Name() == dialect.PG {
			ts = "TIMESTAMPTZ"
		}
		return exec(ctx, tx,
			`ALTER TABLE revisions ADD COLUMN released_by BIGINT REFERENCES users (id)`,
			`ALTER TABLE revisions ADD COLUMN release_at `+ts,
		)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return exec(ctx, tx, `ALTER TABLE revisions DROP COLUMN release_at`, `ALTER TABLE revisions DROP COLUMN released_by`)
	}))
}
