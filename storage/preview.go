package storage

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var _ cms.PreviewStore = (*DB)(nil)

// RevokePreviews moves a revision to its next preview generation, which
// ends every link minted before, with its audit entry.
func (db *DB) RevokePreviews(ctx context.Context, revisionID int64, audit cms.AuditEntry) (int, error) {
	var gen int
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewUpdate().Model((*revisionRow)(nil)).Set("preview_generation = preview_generation + 1").
			Where("id = ?", revisionID).Returning("preview_generation").Scan(ctx, &gen); err != nil {
			return translate(err, "revision")
		}
		return appendAudit(ctx, tx, audit)
	})
	return gen, err
}
