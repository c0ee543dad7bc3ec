package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// rescan10Permissions let secrecy reviewers and auditors list the findings
// of released content across items.
var rescan10Permissions = [][3]string{
	{"secrecy_reviewer", "any", "finding.read"},
	{"auditor", "any", "finding.read"},
}

// Findings that the re-scan of released content stores after the sensitive
// words change are marked as such; the index serves the list of findings
// that no secrecy reviewer has acknowledged yet.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := exec(ctx, tx,
			`ALTER TABLE revision_findings ADD COLUMN rescan BOOLEAN NOT NULL DEFAULT FALSE`,
			`CREATE INDEX revision_findings_unacknowledged ON revision_findings (id) WHERE acknowledged_by IS NULL`,
		); err != nil {
			return err
		}
		return grant(ctx, tx, rescan10Permissions)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*rolePermission1)(nil)).Where("action = 'finding.read'").Exec(ctx); err != nil {
			return err
		}
		return exec(ctx, tx, `DROP INDEX revision_findings_unacknowledged`, `ALTER TABLE revision_findings DROP COLUMN rescan`)
	}))
}
