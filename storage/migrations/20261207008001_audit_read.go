package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Auditors read the audit log in the console and the API, filtered by who,
// what and which subject, newest first: the indexes serve those filters.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := exec(ctx, tx,
			`CREATE INDEX audit_log_actor ON audit_log (actor_id, seq)`,
			`CREATE INDEX audit_log_subject ON audit_log (subject, seq)`,
		); err != nil {
			return err
		}
		return grant(ctx, tx, [][3]string{{"auditor", "any", "audit.read"}})
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*rolePermission1)(nil)).Where("action = 'audit.read'").Exec(ctx); err != nil {
			return err
		}
		return exec(ctx, tx, `DROP INDEX audit_log_subject`, `DROP INDEX audit_log_actor`)
	}))
}
