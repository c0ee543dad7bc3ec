package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// departmentContact15001 is one designation of a member of a department's
// staff as its 专人 (seed rule 第六条). A designation ends (until) rather
// than being deleted, so that an approval form or a report of an earlier
// time names the contacts of that time.
type departmentContact15001 struct {
	bun.BaseModel `bun:"table:department_contacts"`
	ID            int64     `bun:",pk,autoincrement"`
	Department    string    `bun:",notnull"`
	UserID        int64     `bun:",notnull"`
	Since         time.Time `bun:",notnull"`
	Until         time.Time `bun:",nullzero"`
	DesignatedBy  int64     `bun:",notnull"`
}

func (*departmentContact15001) foreignKeys() []string {
	return []string{`("department") REFERENCES "departments" ("slug")`, `("user_id") REFERENCES "users" ("id")`,
		`("designated_by") REFERENCES "users" ("id")`}
}

func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*departmentContact15001)(nil)); err != nil {
			return err
		}
		// One open designation per person and department: two
		// administrators adding the same person at once conflict.
		return exec(ctx, tx,
			`CREATE UNIQUE INDEX department_contacts_open ON department_contacts (department, user_id) WHERE until IS NULL`,
			`CREATE INDEX department_contacts_since ON department_contacts (since)`)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return exec(ctx, tx, `DROP TABLE department_contacts`)
	}))
}
