package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// event15 is one entry of the outbox: a change people or systems outside
// the server must hear of, written in the change's transaction beside the
// audit entry it comes from.
type event15 struct {
	bun.BaseModel `bun:"table:events"`
	ID            int64     `bun:",pk,autoincrement"`
	Type          string    `bun:",notnull"`
	Subject       string    `bun:",notnull"`
	AuditSeq      int64     `bun:",notnull"`
	ActorID       int64     `bun:",notnull"`
	At            time.Time `bun:",notnull"`
	ItemID        int64     `bun:",notnull"`
	RevisionID    int64     `bun:",notnull"`
	UserID        int64     `bun:",notnull"`
	Channel       string    `bun:",notnull"`
	Detail        string    `bun:",notnull"`
}

// outboxCursor15 is how far a consumer of the outbox has got: the id of
// the last event it handled. Event ids follow commit order, so a cursor
// never skips one.
type outboxCursor15 struct {
	bun.BaseModel `bun:"table:outbox_cursors"`
	Name          string `bun:",pk"`
	LastID        int64  `bun:",notnull"`
}

// The outbox and the dispatcher's cursor.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*event15)(nil), (*outboxCursor15)(nil)); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(&outboxCursor15{Name: "dispatch"}).Exec(ctx); err != nil {
			return err
		}
		return exec(ctx, tx, `CREATE INDEX events_at ON events (at)`)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return fmt.Errorf("the outbox migration cannot be rolled back")
	}))
}
