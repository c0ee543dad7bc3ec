package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// publicItem9 is what the public projection gains when bodies are rendered
// once, when a revision goes live, instead of at every read: the rendered
// HTML and the revision it was rendered from. Rows written before have
// rendered_revision_id 0 until the application renders them.
type publicItem9 struct {
	bun.BaseModel      `bun:"table:public_items"`
	BodyHTML           string `bun:",notnull,default:''"`
	Fields             string `bun:",notnull,default:'{}'"` // JSON object, text fields as sanitised HTML
	RenderedRevisionID int64  `bun:",notnull,default:0"`
}

// publicItem9Columns declares the columns of publicItem9 as they are added.
var publicItem9Columns = []string{
	`body_html VARCHAR NOT NULL DEFAULT ''`,
	`fields VARCHAR NOT NULL DEFAULT '{}'`,
	`rendered_revision_id BIGINT NOT NULL DEFAULT 0`,
}

func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		for _, col := range publicItem9Columns {
			if _, err := tx.NewAddColumn().Model((*publicItem9)(nil)).ColumnExpr(col).Exec(ctx); err != nil {
				return err
			}
		}
		// Only rows still to render are indexed, so that finding them at
		// every start costs nothing once they are all rendered.
		return exec(ctx, tx, `CREATE INDEX public_items_unrendered ON public_items (item_id) WHERE rendered_revision_id <> revision_id`)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := exec(ctx, tx, `DROP INDEX public_items_unrendered`); err != nil {
			return err
		}
		for _, col := range []string{"rendered_revision_id", "fields", "body_html"} {
			if _, err := tx.NewDropColumn().Model((*publicItem9)(nil)).Column(col).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	}))
}
