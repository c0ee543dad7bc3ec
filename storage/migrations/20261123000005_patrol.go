package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// patrolReport5 records one integrity patrol.
type patrolReport5 struct {
	bun.BaseModel `bun:"table:patrol_reports"`
	ID            int64     `bun:",pk,autoincrement"`
	StartedAt     time.Time `bun:",notnull"`
	FinishedAt    time.Time `bun:",notnull"`
	ActorID       int64     `bun:",notnull"` // 0: the scheduled patrol
	Revisions     int       `bun:",notnull"`
	Attachments   int       `bun:",notnull"`
	Problems      string    `bun:",notnull"` // JSON array
}

var patrol5Permissions = [][3]string{
	{"publisher", "any", "patrol.run"}, {"director", "any", "patrol.run"}, {"auditor", "any", "patrol.run"},
}

func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*patrolReport5)(nil)); err != nil {
			return err
		}
		return grant(ctx, tx, patrol5Permissions)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return fmt.Errorf("the patrol migration cannot be rolled back")
	}))
}
