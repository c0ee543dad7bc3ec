package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// publicItem3 is the public projection: one row per item visible through
// the content API, kept in the transaction of the transition that changes it.
type publicItem3 struct {
	bun.BaseModel `bun:"table:public_items"`
	ItemID        int64     `bun:",pk"`
	ColumnSlug    string    `bun:",notnull"`
	ContentType   string    `bun:",notnull"`
	RevisionID    int64     `bun:",notnull"`
	Title         string    `bun:",notnull"`
	Summary       string    `bun:",notnull"` // JSON object
	TitleTokens   string    `bun:",notnull"`
	SearchText    string    `bun:",notnull"`
	PlainText     string    `bun:",notnull"`
	PublishedAt   time.Time `bun:",notnull"`
	UpdatedAt     time.Time `bun:",notnull"`
	ContentHash   string    `bun:",notnull"`
}

func (*publicItem3) foreignKeys() []string {
	return []string{
		`("item_id") REFERENCES "items" ("id")`,
		`("revision_id") REFERENCES "revisions" ("id")`,
	}
}

// contentChange3 is the public change log that sync replays and that tells
// every server process to drop its cache.
type contentChange3 struct {
	bun.BaseModel `bun:"table:content_changes"`
	Seq           int64     `bun:",pk,autoincrement"`
	ItemID        int64     `bun:",notnull"`
	At            time.Time `bun:",notnull"`
}

var content3Permissions = [][3]string{
	{"publisher", "any", "menu.manage"},
}

func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		d := tx.Dialect().Name()
		ts := "TIMESTAMP"
		if d == dialect.PG {
			ts = "TIMESTAMPTZ"
		}
		if err := createTables(ctx, tx, (*publicItem3)(nil), (*contentChange3)(nil)); err != nil {
			return err
		}
		stmts := []string{
			`CREATE INDEX public_items_column ON public_items (column_slug, published_at, item_id)`,
			`CREATE INDEX public_items_published ON public_items (published_at, item_id)`,
			`CREATE INDEX content_changes_item ON content_changes (item_id, seq)`,
			`ALTER TABLE channels ADD COLUMN maintenance_notice VARCHAR NOT NULL DEFAULT ''`,
			`ALTER TABLE channels ADD COLUMN maintenance_starts_at ` + ts,
			`ALTER TABLE channels ADD COLUMN maintenance_ends_at ` + ts,
		}
		if d == dialect.PG {
			// Tokens are pre-split (CJK bigrams and single characters, lower-case
			// words); the simple configuration indexes them as they are.
			stmts = append(stmts,
				`ALTER TABLE public_items ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
					setweight(to_tsvector('simple', title_tokens), 'A') || setweight(to_tsvector('simple', search_text), 'B')) STORED`,
				`CREATE INDEX public_items_search ON public_items USING GIN (search_vector)`)
		} else {
			stmts = append(stmts,
				`CREATE VIRTUAL TABLE public_search USING fts5(title_tokens, search_text, tokenize = 'unicode61 remove_diacritics 0')`)
		}
		if err := exec(ctx, tx, stmts...); err != nil {
			return err
		}
		return grant(ctx, tx, content3Permissions)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return fmt.Errorf("the content migration cannot be rolled back")
	}))
}
