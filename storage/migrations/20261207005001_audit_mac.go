package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Audit entries carry a keyed MAC (cms.Keys.AuditEntryMAC) from the moment
// the key file is installed; entries appended before keep an empty one and
// are pinned by the key epoch, which the application records in settings
// (key_fingerprint, audit_epoch) when it first starts with a key.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		return exec(ctx, tx, `ALTER TABLE audit_log ADD COLUMN mac VARCHAR NOT NULL DEFAULT ''`)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return exec(ctx, tx, `DELETE FROM settings WHERE key IN ('key_fingerprint', 'audit_epoch')`,
			`ALTER TABLE audit_log DROP COLUMN mac`)
	}))
}
