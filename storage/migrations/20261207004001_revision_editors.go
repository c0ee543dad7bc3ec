package migrations

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// revisionEditor9 records that a user changed a revision's content, fields
// or attachments, so that nobody reviews what they edited.
type revisionEditor9 struct {
	bun.BaseModel `bun:"table:revision_editors"`
	RevisionID    int64     `bun:",pk"`
	UserID        int64     `bun:",pk"`
	FirstAt       time.Time `bun:",notnull"` // their first change
}

func (*revisionEditor9) foreignKeys() []string {
	return []string{
		`("revision_id") REFERENCES "revisions" ("id")`,
		`("user_id") REFERENCES "users" ("id")`,
	}
}

// The editors of existing revisions are their authors and whoever the audit
// trail says edited them or changed their files.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*revisionEditor9)(nil)); err != nil {
			return err
		}
		if err := exec(ctx, tx, `CREATE INDEX revision_editors_user ON revision_editors (user_id)`,
			`INSERT INTO revision_editors (revision_id, user_id, first_at) SELECT id, author_id, created_at FROM revisions`); err != nil {
			return err
		}
		return backfillEditors9(ctx, tx)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return fmt.Errorf("the revision editors migration cannot be rolled back")
	}))
}

// backfillEditors9 adds the editors the audit trail names, oldest first so
// that each keeps the time of their first change.
func backfillEditors9(ctx context.Context, tx bun.Tx) error {
	var entries []auditEntry2
	if err := tx.NewSelect().Model(&entries).Column("at", "actor_id", "subject").
		Where("action IN (?)", bun.In([]string{"revision_edited", "attachment_added", "attachment_removed"})).
		Where("actor_id <> 0").Order("seq").Scan(ctx); err != nil {
		return err
	}
	for _, e := range entries {
		id, ok := strings.CutPrefix(e.Subject, "revision:")
		revID, err := strconv.ParseInt(id, 10, 64)
		if !ok || err != nil {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO revision_editors (revision_id, user_id, first_at)
			SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM revisions WHERE id = ?) AND EXISTS (SELECT 1 FROM users WHERE id = ?)
			ON CONFLICT (revision_id, user_id) DO NOTHING`, revID, e.ActorID, e.At, revID, e.ActorID); err != nil {
			return err
		}
	}
	return nil
}
