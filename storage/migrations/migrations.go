// Package migrations holds the versioned schema migrations, one Go file per
// migration named by its timestamp. Each declares its own frozen row structs
// so that it keeps producing the same schema as the live models change, and
// runs in one transaction on both SQLite and PostgreSQL.
package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// Migrations is the ordered set of every migration of the schema.
var Migrations = migrate.NewMigrations()

// inTx runs fn in a transaction so that a migration applies whole or not at all.
func inTx(fn func(ctx context.Context, tx bun.Tx) error) migrate.MigrationFunc {
	return func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, fn)
	}
}

// createTables creates each model's table in order.
func createTables(ctx context.Context, tx bun.Tx, models ...any) error {
	for _, m := range models {
		q := tx.NewCreateTable().Model(m)
		if fk, ok := m.(interface{ foreignKeys() []string }); ok {
			for _, k := range fk.foreignKeys() {
				q = q.ForeignKey(k)
			}
		}
		if _, err := q.Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// dropTables drops each model's table in order.
func dropTables(ctx context.Context, tx bun.Tx, models ...any) error {
	for _, m := range models {
		if _, err := tx.NewDropTable().Model(m).IfExists().Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// exec runs statements in order.
func exec(ctx context.Context, tx bun.Tx, stmts ...string) error {
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// grant adds permission templates (role, object, action) and bumps the
// policy version, so that every server process reloads its policy.
func grant(ctx context.Context, tx bun.Tx, perms [][3]string) error {
	rows := make([]rolePermission1, len(perms))
	for i, p := range perms {
		rows[i] = rolePermission1{Role: p[0], Object: p[1], Action: p[2]}
	}
	if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'policy_version'`)
	return err
}
