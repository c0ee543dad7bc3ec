package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// publicDoc26 is an item's detail document as the content API serves it,
// encoded when the revision went live, with its MAC: a table of its own so
// that a read touches this row's pages only, not the projection row's
// bodies and search text.
type publicDoc26 struct {
	bun.BaseModel `bun:"table:public_docs"`
	ItemID        int64  `bun:",pk"`
	RevisionID    int64  `bun:",notnull"`
	DocMAC        string `bun:"doc_mac,notnull"`
	Doc           string `bun:",notnull"`
}

func (*publicDoc26) foreignKeys() []string {
	return []string{`("item_id") REFERENCES "public_items" ("item_id") ON DELETE CASCADE`}
}

// publicEntry26 is an item's entry in listings as the content API serves it.
type publicEntry26 struct {
	bun.BaseModel `bun:"table:public_entries"`
	ItemID        int64  `bun:",pk"`
	RevisionID    int64  `bun:",notnull"`
	EntryMAC      string `bun:"entry_mac,notnull"`
	Entry         string `bun:",notnull"`
}

func (*publicEntry26) foreignKeys() []string {
	return []string{`("item_id") REFERENCES "public_items" ("item_id") ON DELETE CASCADE`}
}

// The public projection stores what the content API serves for each item,
// encoded when its revision goes live: the item detail document and the
// item's entry in listings, each with a MAC of its own, so that a cache
// miss reads the bytes that are the answer instead of building them.
// public_items.docs_revision_id names the revision they were encoded from:
// rows written before (0), or by a server that did not store them, are
// found through an index and given theirs by the backfill. The listing
// index also holds the revision, so that a listing checks that each entry
// belongs to the live revision without reading the projection's rows.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*publicDoc26)(nil), (*publicEntry26)(nil)); err != nil {
			return err
		}
		return exec(ctx, tx,
			`ALTER TABLE public_items ADD COLUMN docs_revision_id BIGINT NOT NULL DEFAULT 0`,
			`CREATE INDEX public_items_undocumented ON public_items (item_id) WHERE docs_revision_id <> revision_id`,
			`CREATE INDEX public_items_listing ON public_items (column_slug, published_at, item_id, revision_id)`,
			`DROP INDEX public_items_column`,
		)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := exec(ctx, tx,
			`CREATE INDEX public_items_column ON public_items (column_slug, published_at, item_id)`,
			`DROP INDEX public_items_listing`, `DROP INDEX public_items_undocumented`,
			`ALTER TABLE public_items DROP COLUMN docs_revision_id`); err != nil {
			return err
		}
		return dropTables(ctx, tx, (*publicEntry26)(nil), (*publicDoc26)(nil))
	}))
}
