package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// sessionKind is what a session gains when the staff console signs people in
// with a cookie beside the API's bearer tokens: its kind. Every session
// before this migration is an API session.
type sessionKind struct {
	bun.BaseModel `bun:"table:sessions"`
	Kind          string `bun:",notnull,default:'api'"`
}

func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewAddColumn().Model((*sessionKind)(nil)).ColumnExpr(`kind VARCHAR NOT NULL DEFAULT 'api'`).Exec(ctx)
		return err
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewDropColumn().Model((*sessionKind)(nil)).Column("kind").Exec(ctx)
		return err
	}))
}
