package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// finding6 is a finding of the secrecy scan of a revision.
type finding6 struct {
	bun.BaseModel  `bun:"table:revision_findings"`
	ID             int64     `bun:",pk,autoincrement"`
	RevisionID     int64     `bun:",notnull"`
	Kind           string    `bun:",notnull"`
	Field          string    `bun:",notnull"`
	Excerpt        string    `bun:",notnull"` // masked
	Severity       string    `bun:",notnull"`
	Position       int       `bun:",notnull"` // offset in runes
	Length         int       `bun:",notnull"`
	FoundAt        time.Time `bun:",notnull"`
	AcknowledgedBy int64     `bun:",nullzero"`
	AckReason      string    `bun:",notnull"`
	AcknowledgedAt time.Time `bun:",nullzero"`
}

func (*finding6) foreignKeys() []string {
	return []string{
		`("revision_id") REFERENCES "revisions" ("id")`,
		`("acknowledged_by") REFERENCES "users" ("id")`,
	}
}

// sensitiveWord6 is an entry of the admin-managed sensitive-word list.
type sensitiveWord6 struct {
	bun.BaseModel `bun:"table:sensitive_words"`
	Word          string `bun:",pk"`
	Severity      string `bun:",notnull"`
}

var secrecy6Permissions = [][3]string{
	{"secrecy_reviewer", "any", "finding.acknowledge"},
	{"admin", "any", "sensitive_words.manage"},
}

func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*finding6)(nil), (*sensitiveWord6)(nil)); err != nil {
			return err
		}
		if err := exec(ctx, tx, `CREATE INDEX revision_findings_revision ON revision_findings (revision_id, id)`); err != nil {
			return err
		}
		return grant(ctx, tx, secrecy6Permissions)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return fmt.Errorf("the secrecy migration cannot be rolled back")
	}))
}
