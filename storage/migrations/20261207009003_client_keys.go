package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// clientKey27 is a content API client key: its name, the first characters
// of the key to tell it apart, the key's SHA-256 (never the key), the rate
// and burst its client may use, who issued it and when, and when it was
// revoked (NULL while valid).
type clientKey27 struct {
	bun.BaseModel `bun:"table:client_keys"`
	ID            int64     `bun:",pk,autoincrement"`
	Name          string    `bun:",notnull"`
	Hint          string    `bun:",notnull"`
	Hash          string    `bun:",notnull,unique"`
	Rate          int       `bun:",notnull"`
	Burst         int       `bun:",notnull"`
	CreatedBy     int64     `bun:",notnull"`
	CreatedAt     time.Time `bun:",notnull"`
	RevokedAt     time.Time `bun:",nullzero"`
}

func (*clientKey27) foreignKeys() []string {
	return []string{`("created_by") REFERENCES "users" ("id")`}
}

// clientKeys27Permissions: administrators issue and revoke client keys;
// they and auditors list them.
var clientKeys27Permissions = [][3]string{
	{"admin", "any", "client_key.manage"}, {"admin", "any", "client_key.read"}, {"auditor", "any", "client_key.read"},
}

func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*clientKey27)(nil)); err != nil {
			return err
		}
		return grant(ctx, tx, clientKeys27Permissions)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*rolePermission1)(nil)).Where("action LIKE 'client_key.%'").Exec(ctx); err != nil {
			return err
		}
		return dropTables(ctx, tx, (*clientKey27)(nil))
	}))
}
