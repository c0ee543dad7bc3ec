package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// Frozen row structs of the workflow schema.

type transition2 struct {
	bun.BaseModel  `bun:"table:transitions"`
	ID             int64     `bun:",pk,autoincrement"`
	RevisionID     int64     `bun:",notnull"`
	ItemID         int64     `bun:",notnull"`
	RevisionNumber int       `bun:",notnull"`
	Version        int       `bun:",notnull"` // the revision's version after the transition
	Event          string    `bun:",notnull"`
	FromState      string    `bun:",notnull"`
	ToState        string    `bun:",notnull"`
	ActorID        int64     `bun:",nullzero"`
	ActorRole      string    `bun:",notnull"`
	Comment        string    `bun:",notnull"`
	ContentHash    string    `bun:",notnull"`
	SignoffStep    int       `bun:",notnull"`
	At             time.Time `bun:",notnull"`
}

func (*transition2) foreignKeys() []string {
	return []string{
		`("revision_id") REFERENCES "revisions" ("id")`,
		`("item_id") REFERENCES "items" ("id")`,
		`("actor_id") REFERENCES "users" ("id")`,
	}
}

// auditEntry2 is one link of the hash chain. Seq is assigned by the writer
// under the audit_head row lock, so it has no gaps.
type auditEntry2 struct {
	bun.BaseModel `bun:"table:audit_log"`
	Seq           int64     `bun:",pk"`
	At            time.Time `bun:",notnull"`
	ActorID       int64     `bun:",notnull"`
	Action        string    `bun:",notnull"`
	Subject       string    `bun:",notnull"`
	Detail        string    `bun:",notnull"`
	PrevHash      string    `bun:",notnull"`
	Hash          string    `bun:",notnull"`
}

// auditHead2 is the single row that serialises appends and remembers the
// last entry, so that entries removed from the end are detected.
type auditHead2 struct {
	bun.BaseModel `bun:"table:audit_head"`
	ID            int    `bun:",pk"`
	Seq           int64  `bun:",notnull"`
	Hash          string `bun:",notnull"`
}

type signoffChain2 struct {
	bun.BaseModel `bun:"table:signoff_chains"`
	ColumnSlug    string `bun:",pk"`
	Chain         string `bun:",notnull"` // JSON array of roles
}

func (*signoffChain2) foreignKeys() []string {
	return []string{`("column_slug") REFERENCES "columns" ("slug")`}
}

var workflow2Permissions = [][3]string{
	{"editor", "column", "revision.submit"}, {"editor", "column", "revision.withdraw"},
	{"dept_head", "any", "revision.approve"}, {"dept_head", "any", "revision.reject.dept_review"},
	{"leader", "any", "revision.sign"}, {"leader", "any", "revision.reject.leadership_signoff"},
	{"director", "any", "revision.sign"}, {"director", "any", "revision.reject.leadership_signoff"},
	{"director", "any", "revision.suspend"}, {"director", "any", "revision.restore"},
	{"secrecy_reviewer", "any", "revision.clear"}, {"secrecy_reviewer", "any", "revision.reject.secrecy_review"},
	{"publisher", "any", "revision.publish"}, {"publisher", "any", "revision.archive"},
	{"publisher", "any", "revision.suspend"}, {"publisher", "any", "revision.restore"},
	{"admin", "any", "workflow.configure"},
}

// appendOnly returns the statements that make a table refuse UPDATE and
// DELETE (and TRUNCATE on PostgreSQL).
func appendOnly(d dialect.Name, table string) []string {
	if d == dialect.PG {
		return []string{
			fmt.Sprintf(`CREATE TRIGGER %[1]s_append_only BEFORE UPDATE OR DELETE ON %[1]s FOR EACH ROW EXECUTE FUNCTION refuse_change()`, table),
			fmt.Sprintf(`CREATE TRIGGER %[1]s_no_truncate BEFORE TRUNCATE ON %[1]s FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`, table),
		}
	}
	return []string{
		fmt.Sprintf(`CREATE TRIGGER %[1]s_no_update BEFORE UPDATE ON %[1]s BEGIN SELECT RAISE(ABORT, '%[1]s is append-only'); END`, table),
		fmt.Sprintf(`CREATE TRIGGER %[1]s_no_delete BEFORE DELETE ON %[1]s BEGIN SELECT RAISE(ABORT, '%[1]s is append-only'); END`, table),
	}
}

func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		d := tx.Dialect().Name()
		ts := "TIMESTAMP"
		if d == dialect.PG {
			ts = "TIMESTAMPTZ"
		}
		if err := exec(ctx, tx,
			`ALTER TABLE revisions ADD COLUMN submitted_by BIGINT REFERENCES users (id)`,
			`ALTER TABLE revisions ADD COLUMN state_since `+ts,
			`ALTER TABLE revisions ADD COLUMN signoff_step INTEGER NOT NULL DEFAULT 0`,
			`ALTER TABLE revisions ADD COLUMN approved_hash VARCHAR NOT NULL DEFAULT ''`,
			`ALTER TABLE revisions ADD COLUMN published_at `+ts,
			`UPDATE revisions SET state_since = updated_at`,
			`ALTER TABLE items ADD COLUMN published_at `+ts,
		); err != nil {
			return err
		}
		if err := createTables(ctx, tx, (*transition2)(nil), (*auditEntry2)(nil), (*auditHead2)(nil), (*signoffChain2)(nil)); err != nil {
			return err
		}
		stmts := []string{
			`CREATE INDEX transitions_revision ON transitions (revision_id, id)`,
			`CREATE INDEX transitions_item ON transitions (item_id, id)`,
			`CREATE INDEX transitions_actor ON transitions (actor_id, id)`,
			`CREATE INDEX revisions_state ON revisions (state, state_since)`,
			`CREATE INDEX revisions_item ON revisions (item_id, number)`,
		}
		if d == dialect.PG {
			stmts = append(stmts, `CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$`)
		}
		stmts = append(stmts, appendOnly(d, "audit_log")...)
		stmts = append(stmts, appendOnly(d, "transitions")...)
		if err := exec(ctx, tx, stmts...); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(&auditHead2{ID: 1, Seq: 0, Hash: "0000000000000000000000000000000000000000000000000000000000000000"}).Exec(ctx); err != nil {
			return err
		}
		return grant(ctx, tx, workflow2Permissions)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return fmt.Errorf("the workflow migration holds the audit trail and cannot be rolled back")
	}))
}
