package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// archivePackage2010 records a package of the periodic archive (第十一条):
// its month (unique: one package per month, written by the process that
// claimed it), where the blob store keeps it (its SHA-256), what it holds,
// what verification found, and the lease of the process writing it.
type archivePackage2010 struct {
	bun.BaseModel `bun:"table:archive_packages"`
	ID            int64     `bun:",pk,autoincrement"`
	Period        string    `bun:",notnull,unique"`
	FromAt        time.Time `bun:",notnull"`
	ToAt          time.Time `bun:",notnull"`
	Name          string    `bun:",notnull"`
	BlobKey       string    `bun:",notnull"`
	Size          int64     `bun:",notnull"`
	State         string    `bun:",notnull"`
	Problems      string    `bun:",notnull"` // JSON array
	Items         int       `bun:",notnull"`
	Revisions     int       `bun:",notnull"`
	Attachments   int       `bun:",notnull"`
	AuditEntries  int       `bun:",notnull"`
	LeaseOwner    string    `bun:",notnull"`
	LeaseUntil    time.Time `bun:",nullzero"`
	StartedAt     time.Time `bun:",notnull"`
	FinishedAt    time.Time `bun:",nullzero"`
}

// archive2010Permissions: auditors and publishers (信息科 keeps the
// archive) list and download the packages; publishers export on demand too.
var archive2010Permissions = [][3]string{
	{"auditor", "any", "archive.read"}, {"publisher", "any", "archive.read"}, {"publisher", "any", "archive.export"},
}

func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*archivePackage2010)(nil)); err != nil {
			return err
		}
		return grant(ctx, tx, archive2010Permissions)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*rolePermission1)(nil)).Where("action = 'archive.read'").Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*rolePermission1)(nil)).Where("role = 'publisher' AND action = 'archive.export'").Exec(ctx); err != nil {
			return err
		}
		return exec(ctx, tx, `DROP TABLE archive_packages`)
	}))
}
