package storage

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var _ cms.ArchivePackageStore = (*DB)(nil)

type archivePackageRow struct {
	bun.BaseModel `bun:"table:archive_packages"`
	ID            int64 `bun:",pk,autoincrement"`
	Period        string
	FromAt        time.Time
	ToAt          time.Time
	Name          string
	BlobKey       string
	Size          int64
	State         string
	Problems      string
	Items         int
	Revisions     int
	Attachments   int
	AuditEntries  int
	LeaseOwner    string
	LeaseUntil    time.Time `bun:",nullzero"`
	StartedAt     time.Time
	FinishedAt    time.Time `bun:",nullzero"`
	Attempts      int
}

func (r *archivePackageRow) domain() cms.ArchivePackage {
	p := cms.ArchivePackage{ID: r.ID, Period: r.Period, From: r.FromAt.UTC(), To: r.ToAt.UTC(), Name: r.Name, BlobKey: r.BlobKey,
		Size: r.Size, State: r.State, Items: r.Items, Revisions: r.Revisions, Attachments: r.Attachments,
		AuditEntries: r.AuditEntries, StartedAt: r.StartedAt.UTC(), FinishedAt: utc(r.FinishedAt), Problems: []string{},
		Attempts: r.Attempts}
	_ = json.Unmarshal([]byte(r.Problems), &p.Problems)
	return p
}

// ClaimArchivePackage inserts the period's row, or takes over one whose
// writer's lease ran out or whose package failed fewer than maxAttempts
// times; the unique period and the compare-and-set on the state and the
// lease let exactly one process hold a period at a time.
func (db *DB) ClaimArchivePackage(ctx context.Context, p *cms.ArchivePackage, owner string, now, leaseUntil time.Time, maxAttempts int) (bool, error) {
	row := archivePackageRow{Period: p.Period, FromAt: p.From, ToAt: p.To, Name: p.Name, State: cms.PackageWriting,
		Problems: "[]", LeaseOwner: owner, LeaseUntil: leaseUntil, StartedAt: now, Attempts: 1}
	res, err := db.bun.NewInsert().Model(&row).ExcludeColumn("id").On("CONFLICT (period) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		res, err = db.bun.NewUpdate().Model((*archivePackageRow)(nil)).Set("lease_owner = ?", owner).
			Set("lease_until = ?", leaseUntil).Set("started_at = ?", now).Set("state = ?", cms.PackageWriting).
			Set("attempts = attempts + 1").Set("problems = '[]'").Set("finished_at = NULL").Set("blob_key = ''").Set("size = 0").
			Where("period = ?", p.Period).WhereGroup(" AND ", func(q *bun.UpdateQuery) *bun.UpdateQuery {
			return q.WhereGroup(" OR ", func(q *bun.UpdateQuery) *bun.UpdateQuery {
				return q.Where("state = ?", cms.PackageWriting).Where("lease_until < ?", now)
			}).WhereGroup(" OR ", func(q *bun.UpdateQuery) *bun.UpdateQuery {
				return q.Where("state = ?", cms.PackageFailed).Where("attempts < ?", maxAttempts)
			})
		}).Exec(ctx)
		if err != nil {
			return false, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return false, nil
		}
	}
	var got archivePackageRow
	if err := db.bun.NewSelect().Model(&got).Where("period = ?", p.Period).Scan(ctx); err != nil {
		return false, err
	}
	if got.LeaseOwner != owner || got.State != cms.PackageWriting {
		return false, nil
	}
	p.ID, p.Attempts = got.ID, got.Attempts
	return true, nil
}

// FinishArchivePackage records the outcome with its audit entry, if owner
// still holds the period.
func (db *DB) FinishArchivePackage(ctx context.Context, p *cms.ArchivePackage, owner string, audit cms.AuditEntry) error {
	problems, err := json.Marshal(p.Problems)
	if err != nil {
		return err
	}
	if p.Problems == nil {
		problems = []byte("[]")
	}
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*archivePackageRow)(nil)).Set("state = ?", p.State).Set("blob_key = ?", p.BlobKey).
			Set("size = ?", p.Size).Set("problems = ?", string(problems)).Set("items = ?", p.Items).
			Set("revisions = ?", p.Revisions).Set("attachments = ?", p.Attachments).Set("audit_entries = ?", p.AuditEntries).
			Set("finished_at = ?", p.FinishedAt).Set("lease_until = NULL").
			Where("id = ?", p.ID).Where("lease_owner = ?", owner).Where("state = ?", cms.PackageWriting).Exec(ctx)
		if err := oneRow(res, err); err != nil {
			return cms.Errorf(cms.ECONFLICT, "another process took over the archive package of %s", p.Period)
		}
		return appendAudit(ctx, tx, audit)
	})
}

// ArchivePackages lists the packages, newest period first.
func (db *DB) ArchivePackages(ctx context.Context) ([]cms.ArchivePackage, error) {
	var rows []archivePackageRow
	if err := db.bun.NewSelect().Model(&rows).OrderExpr("period DESC").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.ArchivePackage, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// ArchivePackage returns one package.
func (db *DB) ArchivePackage(ctx context.Context, id int64) (*cms.ArchivePackage, error) {
	var row archivePackageRow
	if err := db.bun.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, translate(err, "archive package")
	}
	p := row.domain()
	return &p, nil
}
