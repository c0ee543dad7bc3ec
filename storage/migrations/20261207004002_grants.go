package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// grant10 is a change of authority one administrator asked for and that
// waits for another to confirm it: a role binding in the chain, or a new
// password for an account that holds one.
type grant10 struct {
	bun.BaseModel `bun:"table:role_grants"`
	ID            int64     `bun:",pk,autoincrement"`
	UserID        int64     `bun:",notnull"`
	Kind          string    `bun:",notnull"` // role or password_reset
	Role          string    `bun:",notnull"` // "" for a password reset
	Department    string    `bun:",notnull"`
	PasswordHash  string    `bun:",notnull"` // a reset's new password until decided, then ""
	Status        string    `bun:",notnull"` // pending, confirmed, refused, cancelled
	RequestedBy   int64     `bun:",notnull"`
	RequestedAt   time.Time `bun:",notnull"`
	DecidedBy     int64     `bun:",nullzero"`
	DecidedAt     time.Time `bun:",nullzero"`
	Reason        string    `bun:",notnull"`
}

func (*grant10) foreignKeys() []string {
	return []string{
		`("user_id") REFERENCES "users" ("id")`,
		`("requested_by") REFERENCES "users" ("id")`,
		`("decided_by") REFERENCES "users" ("id")`,
	}
}

// Pending grants, and one-time passwords: an account whose password an
// administrator chose must change it before anything else.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*grant10)(nil)); err != nil {
			return err
		}
		return exec(ctx, tx,
			`ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE`,
			`CREATE UNIQUE INDEX role_grants_pending ON role_grants (user_id, kind, role, department) WHERE status = 'pending'`,
			`CREATE INDEX role_grants_status ON role_grants (status, id)`,
			`CREATE INDEX role_grants_user ON role_grants (user_id, id)`)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return fmt.Errorf("the grants migration cannot be rolled back")
	}))
}
