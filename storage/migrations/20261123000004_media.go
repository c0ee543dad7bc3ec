package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// attachment4 is a file of a revision; its bytes are in the blob store
// under BlobKey (their sha256).
type attachment4 struct {
	bun.BaseModel `bun:"table:attachments"`
	ID            int64     `bun:",pk,autoincrement"`
	RevisionID    int64     `bun:",notnull"`
	BlobKey       string    `bun:",notnull"`
	Name          string    `bun:",notnull"`
	ContentType   string    `bun:",notnull"`
	Size          int64     `bun:",notnull"`
	Width         int       `bun:",notnull"`
	Height        int       `bun:",notnull"`
	Position      int       `bun:",notnull"`
	CreatedAt     time.Time `bun:",notnull"`
}

func (*attachment4) foreignKeys() []string {
	return []string{`("revision_id") REFERENCES "revisions" ("id")`}
}

func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*attachment4)(nil)); err != nil {
			return err
		}
		return exec(ctx, tx,
			`CREATE INDEX attachments_revision ON attachments (revision_id, position)`,
			`CREATE INDEX attachments_blob ON attachments (blob_key)`)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return fmt.Errorf("the media migration cannot be rolled back")
	}))
}
