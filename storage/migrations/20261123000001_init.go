package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Frozen row structs of the first schema. Never edit them: add a migration.

type department1 struct {
	bun.BaseModel `bun:"table:departments"`
	Slug          string `bun:",pk"`
	Name          string `bun:",notnull"`
	Kind          string `bun:",notnull"`
	MemberOf      string `bun:",nullzero"`
	Position      int    `bun:",notnull"`
}

type channel1 struct {
	bun.BaseModel `bun:"table:channels"`
	Slug          string `bun:",pk"`
	Name          string `bun:",notnull"`
	Position      int    `bun:",notnull"`
}

type column1 struct {
	bun.BaseModel  `bun:"table:columns"`
	Slug           string `bun:",pk"`
	Title          string `bun:",notnull"`
	Kind           string `bun:",notnull"`
	ContentType    string `bun:",nullzero"`
	Description    string `bun:",notnull"`
	DeclaredOwners string `bun:",notnull"` // JSON array as in the annex
	Position       int    `bun:",notnull"`
}

type columnOwner1 struct {
	bun.BaseModel  `bun:"table:column_owners"`
	ColumnSlug     string `bun:",pk"`
	DepartmentSlug string `bun:",pk"`
}

func (*columnOwner1) foreignKeys() []string {
	return []string{
		`("column_slug") REFERENCES "columns" ("slug") ON DELETE CASCADE`,
		`("department_slug") REFERENCES "departments" ("slug")`,
	}
}

type menuEntry1 struct {
	bun.BaseModel `bun:"table:menu_entries"`
	ID            int64  `bun:",pk,autoincrement"`
	Channel       string `bun:",notnull,unique:menu_path"`
	ParentID      int64  `bun:",nullzero"`
	Slug          string `bun:",notnull"`
	Title         string `bun:",notnull"`
	Path          string `bun:",notnull,unique:menu_path"`
	ColumnSlug    string `bun:",nullzero"`
	Enabled       bool   `bun:",notnull"`
	Position      int    `bun:",notnull"`
}

func (*menuEntry1) foreignKeys() []string {
	return []string{
		`("channel") REFERENCES "channels" ("slug")`,
		`("parent_id") REFERENCES "menu_entries" ("id")`,
		`("column_slug") REFERENCES "columns" ("slug")`,
	}
}

type user1 struct {
	bun.BaseModel     `bun:"table:users"`
	ID                int64     `bun:",pk,autoincrement"`
	Username          string    `bun:",notnull,unique"`
	DisplayName       string    `bun:",notnull"`
	Department        string    `bun:",notnull"`
	PasswordHash      string    `bun:",notnull"`
	PasswordChangedAt time.Time `bun:",notnull"`
	FailedLogins      int       `bun:",notnull"`
	LockedUntil       time.Time `bun:",nullzero"`
	Disabled          bool      `bun:",notnull"`
	CreatedAt         time.Time `bun:",notnull"`
	UpdatedAt         time.Time `bun:",notnull"`
}

func (*user1) foreignKeys() []string {
	return []string{`("department") REFERENCES "departments" ("slug")`}
}

type roleBinding1 struct {
	bun.BaseModel `bun:"table:role_bindings"`
	UserID        int64  `bun:",pk"`
	Role          string `bun:",pk"`
	Department    string `bun:",pk"`
}

func (*roleBinding1) foreignKeys() []string {
	return []string{
		`("user_id") REFERENCES "users" ("id") ON DELETE CASCADE`,
		`("department") REFERENCES "departments" ("slug")`,
	}
}

// rolePermission1 is a casbin policy template: a role may do an action,
// on any object of its departments or only in columns they own.
type rolePermission1 struct {
	bun.BaseModel `bun:"table:role_permissions"`
	Role          string `bun:",pk"`
	Object        string `bun:",pk"`
	Action        string `bun:",pk"`
}

type session1 struct {
	bun.BaseModel `bun:"table:sessions"`
	ID            int64     `bun:",pk,autoincrement"`
	UserID        int64     `bun:",notnull"`
	TokenHash     string    `bun:",notnull,unique"`
	CreatedAt     time.Time `bun:",notnull"`
	ExpiresAt     time.Time `bun:",notnull"`
}

func (*session1) foreignKeys() []string {
	return []string{`("user_id") REFERENCES "users" ("id") ON DELETE CASCADE`}
}

type item1 struct {
	bun.BaseModel  `bun:"table:items"`
	ID             int64     `bun:",pk,autoincrement"`
	ColumnSlug     string    `bun:",notnull"`
	Department     string    `bun:",notnull"`
	ContentType    string    `bun:",notnull"`
	CreatedBy      int64     `bun:",notnull"`
	CreatedAt      time.Time `bun:",notnull"`
	UpdatedAt      time.Time `bun:",notnull"`
	Title          string    `bun:",notnull"`
	State          string    `bun:",notnull"`
	HeadRevisionID int64     `bun:",nullzero"`
	LiveRevisionID int64     `bun:",nullzero"`
}

func (*item1) foreignKeys() []string {
	return []string{
		`("column_slug") REFERENCES "columns" ("slug")`,
		`("department") REFERENCES "departments" ("slug")`,
		`("created_by") REFERENCES "users" ("id")`,
	}
}

type revision1 struct {
	bun.BaseModel `bun:"table:revisions"`
	ID            int64     `bun:",pk,autoincrement"`
	ItemID        int64     `bun:",notnull,unique:revision_number"`
	Number        int       `bun:",notnull,unique:revision_number"`
	Action        string    `bun:",notnull"`
	State         string    `bun:",notnull"`
	Version       int       `bun:",notnull"`
	Title         string    `bun:",notnull"`
	Body          string    `bun:",notnull"`
	BodyFormat    string    `bun:",notnull"`
	Fields        string    `bun:",notnull"` // JSON object
	PublishAt     time.Time `bun:",nullzero"`
	ExpireAt      time.Time `bun:",nullzero"`
	AuthorID      int64     `bun:",notnull"`
	CreatedAt     time.Time `bun:",notnull"`
	UpdatedAt     time.Time `bun:",notnull"`
	ContentHash   string    `bun:",notnull"`
}

func (*revision1) foreignKeys() []string {
	return []string{
		`("item_id") REFERENCES "items" ("id")`,
		`("author_id") REFERENCES "users" ("id")`,
	}
}

// setting1 holds small named values, such as the policy version that tells
// every server process to reload its authorization policy.
type setting1 struct {
	bun.BaseModel `bun:"table:settings"`
	Key           string `bun:",pk"`
	Value         string `bun:",notnull"`
}

var init1Models = []any{
	(*department1)(nil), (*channel1)(nil), (*column1)(nil), (*columnOwner1)(nil), (*menuEntry1)(nil),
	(*user1)(nil), (*roleBinding1)(nil), (*rolePermission1)(nil), (*session1)(nil),
	(*item1)(nil), (*revision1)(nil), (*setting1)(nil),
}

// init1Permissions are the first policy templates: what each role may do.
// Object "any" means anything in the departments the role is held for
// (every department for centre-wide roles); "column" additionally needs the
// department to own the column.
var init1Permissions = [][3]string{
	{"editor", "any", "structure.read"}, {"dept_head", "any", "structure.read"}, {"leader", "any", "structure.read"},
	{"director", "any", "structure.read"}, {"secrecy_reviewer", "any", "structure.read"}, {"publisher", "any", "structure.read"},
	{"auditor", "any", "structure.read"}, {"admin", "any", "structure.read"},
	{"admin", "any", "user.manage"},
	{"editor", "any", "item.read"}, {"dept_head", "any", "item.read"}, {"leader", "any", "item.read"},
	{"director", "any", "item.read"}, {"secrecy_reviewer", "any", "item.read"}, {"publisher", "any", "item.read"},
	{"auditor", "any", "item.read"},
	{"editor", "column", "item.create"},
	{"editor", "column", "item.edit"},
}

func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, init1Models...); err != nil {
			return err
		}
		if err := exec(ctx, tx,
			`CREATE INDEX items_column_id ON items (column_slug, id)`,
			`CREATE INDEX items_department_id ON items (department, id)`,
			`CREATE INDEX items_state_id ON items (state, id)`,
			`CREATE INDEX sessions_user ON sessions (user_id)`,
			`CREATE INDEX role_bindings_department ON role_bindings (department)`,
		); err != nil {
			return err
		}
		perms := make([]rolePermission1, len(init1Permissions))
		for i, p := range init1Permissions {
			perms[i] = rolePermission1{Role: p[0], Object: p[1], Action: p[2]}
		}
		if _, err := tx.NewInsert().Model(&perms).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewInsert().Model(&setting1{Key: "policy_version", Value: "1"}).Exec(ctx)
		return err
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		rev := make([]any, len(init1Models))
		for i, m := range init1Models {
			rev[len(init1Models)-1-i] = m
		}
		return dropTables(ctx, tx, rev...)
	}))
}
