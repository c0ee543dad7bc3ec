package storage

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

type revisionEditorRow struct {
	bun.BaseModel `bun:"table:revision_editors"`
	RevisionID    int64 `bun:",pk"`
	UserID        int64 `bun:",pk"`
	FirstAt       time.Time
}

// recordEditor notes that userID changed revID, in the change's
// transaction; a later change by the same person keeps their first one.
func recordEditor(ctx context.Context, tx bun.IDB, revID, userID int64, at time.Time) error {
	row := &revisionEditorRow{RevisionID: revID, UserID: userID, FirstAt: at}
	_, err := tx.NewInsert().Model(row).On("CONFLICT (revision_id, user_id) DO NOTHING").Exec(ctx)
	return err
}

// RevisionEditors lists who changed a revision, in the order of their first change.
func (db *DB) RevisionEditors(ctx context.Context, revID int64) ([]int64, error) {
	var ids []int64
	err := db.bun.NewSelect().Model((*revisionEditorRow)(nil)).Column("user_id").Where("revision_id = ?", revID).
		Order("first_at", "user_id").Scan(ctx, &ids)
	return ids, err
}
