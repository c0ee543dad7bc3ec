package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// columnVersion19 is a column's version: the sequence number of its latest
// change in the change log (column "": of the latest change of the
// structure, or of an item whose column is not known).
type columnVersion19 struct {
	bun.BaseModel `bun:"table:column_versions"`
	ColumnSlug    string `bun:",pk"`
	Version       int64  `bun:",notnull"`
}

// Each publication keeps its column's version beside the change log, so
// that a read finds it by primary key: the latest change of a column found
// in the change log itself is a scan of the whole log on PostgreSQL when
// its generic plan takes the log's own order and the column has no
// changes yet. The versions start from the log as it is.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*columnVersion19)(nil)); err != nil {
			return err
		}
		return exec(ctx, tx, `INSERT INTO column_versions (column_slug, version)
			SELECT column_slug, MAX(seq) FROM content_changes GROUP BY column_slug`)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return exec(ctx, tx, `DROP TABLE column_versions`)
	}))
}
