package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// maintenanceWindow2010 is a requested suspension or upgrade of a channel
// (第十五条): 信息科 requests it, the director or the leader in charge of
// 信息科 approves or refuses it; only an approved one is announced.
type maintenanceWindow2010 struct {
	bun.BaseModel `bun:"table:maintenance_windows"`
	ID            int64     `bun:",pk,autoincrement"`
	Channel       string    `bun:",notnull"`
	Kind          string    `bun:",notnull"`
	Reason        string    `bun:",notnull"`
	Notice        string    `bun:",notnull"`
	StartsAt      time.Time `bun:",notnull"`
	EndsAt        time.Time `bun:",nullzero"`
	State         string    `bun:",notnull"`
	RequestedBy   int64     `bun:",notnull"`
	RequestedAt   time.Time `bun:",notnull"`
	DecidedBy     int64     `bun:",nullzero"`
	DecidedAt     time.Time `bun:",nullzero"`
	Comment       string    `bun:",notnull"`
}

func (*maintenanceWindow2010) foreignKeys() []string {
	return []string{`("channel") REFERENCES "channels" ("slug")`, `("requested_by") REFERENCES "users" ("id")`,
		`("decided_by") REFERENCES "users" ("id")`}
}

// maintenance2010Permissions: publishers (信息科) request windows; the
// director, and a leader in charge of 信息科 (the binding's department),
// decide them.
var maintenance2010Permissions = [][3]string{
	{"publisher", "any", "maintenance.request"}, {"director", "any", "maintenance.decide"}, {"leader", "any", "maintenance.decide"},
}

func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*maintenanceWindow2010)(nil)); err != nil {
			return err
		}
		if err := exec(ctx, tx, `CREATE INDEX maintenance_windows_state ON maintenance_windows (state, id)`); err != nil {
			return err
		}
		return grant(ctx, tx, maintenance2010Permissions)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*rolePermission1)(nil)).Where("action IN ('maintenance.request', 'maintenance.decide')").Exec(ctx); err != nil {
			return err
		}
		return exec(ctx, tx, `DROP TABLE maintenance_windows`)
	}))
}
