package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// publicPage19 is a column's first listing page as the content API serves
// it, with its MAC and the column's version it was built at (the latest
// change of the column or of the structure, in the change log): a read
// serves it only while that is still the column's version.
type publicPage19 struct {
	bun.BaseModel `bun:"table:public_pages"`
	ColumnSlug    string `bun:",pk"`
	Version       int64  `bun:",notnull"`
	DocMAC        string `bun:"doc_mac,notnull"`
	Doc           string `bun:",notnull"`
}

// A column's first listing page, the most read listing of all, is stored
// as the document it is answered with once it has been built, so that a
// cache miss reads one row instead of twenty entries.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		return createTables(ctx, tx, (*publicPage19)(nil))
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return exec(ctx, tx, `DROP TABLE public_pages`)
	}))
}
