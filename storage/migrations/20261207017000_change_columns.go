package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// The change log names the column of each changed item, so that another
// server process drops only that item's answers and its column's listings
// instead of its whole cache; an empty column (the rows of before, changes
// that are not about one item, a row taken offline by the patrol) still
// means "anything may have changed".
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		return exec(ctx, tx, `ALTER TABLE content_changes ADD COLUMN column_slug VARCHAR NOT NULL DEFAULT ''`)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return exec(ctx, tx, `ALTER TABLE content_changes DROP COLUMN column_slug`)
	}))
}
