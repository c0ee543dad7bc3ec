package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// preview13Permissions: those in a revision's review chain may mint and
// revoke its preview links; its authors may too (a service check), and
// nobody else, auditors included, though they read every revision.
var preview13Permissions = [][3]string{
	{"dept_head", "any", "revision.preview"}, {"leader", "any", "revision.preview"},
	{"director", "any", "revision.preview"}, {"secrecy_reviewer", "any", "revision.preview"},
	{"publisher", "any", "revision.preview"},
}

// Each revision counts the generations of its preview links: a link names
// the generation it was minted in, and revoking the links, withdrawing or
// suspending the revision moves to the next, which ends every older link.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := exec(ctx, tx, `ALTER TABLE revisions ADD COLUMN preview_generation INTEGER NOT NULL DEFAULT 0`); err != nil {
			return err
		}
		return grant(ctx, tx, preview13Permissions)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*rolePermission1)(nil)).Where("action = 'revision.preview'").Exec(ctx); err != nil {
			return err
		}
		return exec(ctx, tx, `ALTER TABLE revisions DROP COLUMN preview_generation`)
	}))
}
