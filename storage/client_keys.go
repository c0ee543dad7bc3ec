package storage

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var _ cms.ClientKeyStore = (*DB)(nil)

type clientKeyRow struct {
	bun.BaseModel `bun:"table:client_keys"`
	ID            int64 `bun:",pk,autoincrement"`
	Name          string
	Hint          string
	Hash          string
	Rate          int
	Burst         int
	CreatedBy     int64
	CreatedAt     time.Time
	RevokedAt     time.Time `bun:",nullzero"`
}

func (r *clientKeyRow) domain() cms.ClientKey {
	return cms.ClientKey{ID: r.ID, Name: r.Name, Hint: r.Hint, Hash: r.Hash, Rate: r.Rate, Burst: r.Burst,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), RevokedAt: utcOrZero(r.RevokedAt)}
}

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

// CreateClientKey stores a key with its audit entry and announces the
// change, so that every server process reads the keys again.
func (db *DB) CreateClientKey(ctx context.Context, k *cms.ClientKey, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row := clientKeyRow{Name: k.Name, Hint: k.Hint, Hash: k.Hash, Rate: k.Rate, Burst: k.Burst, CreatedBy: k.CreatedBy,
			CreatedAt: k.CreatedAt}
		if _, err := tx.NewInsert().Model(&row).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
			return translate(err, "client key")
		}
		k.ID = row.ID
		if err := appendAudit(ctx, tx, audit); err != nil {
			return err
		}
		return bumpContent(ctx, tx, audit.At)
	})
}

// ClientKeys lists every key, newest first.
func (db *DB) ClientKeys(ctx context.Context) ([]cms.ClientKey, error) {
	var rows []clientKeyRow
	if err := db.bun.NewSelect().Model(&rows).OrderExpr("id DESC").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.ClientKey, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// ClientKey returns one key.
func (db *DB) ClientKey(ctx context.Context, id int64) (*cms.ClientKey, error) {
	var row clientKeyRow
	if err := db.bun.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, translate(err, "client key")
	}
	k := row.domain()
	return &k, nil
}

// RevokeClientKey marks a valid key revoked with its audit entry, and
// announces the change.
func (db *DB) RevokeClientKey(ctx context.Context, id int64, at time.Time, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*clientKeyRow)(nil)).Set("revoked_at = ?", at).
			Where("id = ?", id).Where("revoked_at IS NULL").Exec(ctx)
		if err := oneRow(res, err); err != nil {
			return err
		}
		if err := appendAudit(ctx, tx, audit); err != nil {
			return err
		}
		return bumpContent(ctx, tx, at)
	})
}
