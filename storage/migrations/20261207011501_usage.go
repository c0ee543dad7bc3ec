package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// usageRead40 counts the public's reads of one thing on one day (Beijing
// time, written 2006-01-02) by one kind of client (app, wechat, other)
// under one client key (0: none): an item's detail, a column's listing
// (name), a channel's menu (name) or a file (item_id, ref_id). Every
// server process adds to the same rows; nothing personal is kept.
type usageRead40 struct {
	bun.BaseModel `bun:"table:usage_reads"`
	Day           string `bun:",pk,type:varchar(10)"`
	Kind          string `bun:",pk,type:varchar(16)"`
	Client        string `bun:",pk,type:varchar(16)"`
	ClientKey     int64  `bun:",pk"`
	ItemID        int64  `bun:",pk"`
	RefID         int64  `bun:",pk"`
	Name          string `bun:",pk"`
	Reads         int64  `bun:",notnull"`
}

// usageSearch40 counts the searches for one term on one day: how many,
// how many found nothing, how many results they found together.
type usageSearch40 struct {
	bun.BaseModel `bun:"table:usage_searches"`
	Day           string `bun:",pk,type:varchar(10)"`
	Term          string `bun:",pk"`
	Searches      int64  `bun:",notnull"`
	Misses        int64  `bun:",notnull"`
	Results       int64  `bun:",notnull"`
}

// usage40Permissions: auditors, the publisher, leaders and the director
// read the whole centre's reports; editors and heads of department their
// own department's.
var usage40Permissions = [][3]string{
	{"auditor", "any", "report.read"}, {"publisher", "any", "report.read"}, {"leader", "any", "report.read"},
	{"director", "any", "report.read"}, {"editor", "any", "report.read_department"},
	{"dept_head", "any", "report.read_department"},
}

func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*usageRead40)(nil), (*usageSearch40)(nil)); err != nil {
			return err
		}
		if err := exec(ctx, tx,
			// Reports sum a period by kind; the retention purge deletes by day.
			`CREATE INDEX usage_reads_kind_day ON usage_reads (kind, day)`,
			// The workflow report finds the transitions of a period.
			`CREATE INDEX transitions_at ON transitions (at)`,
		); err != nil {
			return err
		}
		return grant(ctx, tx, usage40Permissions)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*rolePermission1)(nil)).Where("action LIKE 'report.%'").Exec(ctx); err != nil {
			return err
		}
		if err := exec(ctx, tx, `DROP INDEX transitions_at`); err != nil {
			return err
		}
		return dropTables(ctx, tx, (*usageSearch40)(nil), (*usageRead40)(nil))
	}))
}
