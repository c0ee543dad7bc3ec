package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// passwordHistory3 keeps the hashes of an account's last passwords, the
// current one included, so that a new password can be told apart from them.
type passwordHistory3 struct {
	bun.BaseModel `bun:"table:password_history"`
	ID            int64     `bun:",pk,autoincrement"`
	UserID        int64     `bun:",notnull"`
	Hash          string    `bun:",notnull"`
	CreatedAt     time.Time `bun:",notnull"`
}

func (*passwordHistory3) foreignKeys() []string {
	return []string{`("user_id") REFERENCES "users" ("id") ON DELETE CASCADE`}
}

func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*passwordHistory3)(nil)); err != nil {
			return err
		}
		return exec(ctx, tx,
			`CREATE INDEX password_history_user ON password_history (user_id, id)`,
			`INSERT INTO password_history (user_id, hash, created_at) SELECT id, password_hash, password_changed_at FROM users ORDER BY id`,
		)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return dropTables(ctx, tx, (*passwordHistory3)(nil))
	}))
}
