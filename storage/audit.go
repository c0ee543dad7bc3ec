package storage

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var _ cms.AuditLog = (*DB)(nil)

type auditRow struct {
	bun.BaseModel `bun:"table:audit_log"`
	Seq           int64 `bun:",pk"`
	At            time.Time
	ActorID       int64
	Action        string
	Subject       string
	Detail        string
	PrevHash      string
	Hash          string
	MAC           string `bun:"mac"`
}

type auditHeadRow struct {
	bun.BaseModel `bun:"table:audit_head"`
	ID            int `bun:",pk"`
	Seq           int64
	Hash          string
}

// appendAudit links e to the chain inside tx and, when the database has
// its keys (SetKeys), seals it with its MAC, and records the events it
// carries in the outbox (cms.OutboxEvents). Bumping the head row first
// takes its row lock, so concurrent writers append one at a time and the
// sequence has no gaps; the entry commits or rolls back with the change it
// records.
func appendAudit(ctx context.Context, tx bun.Tx, e cms.AuditEntry) error {
	var head auditHeadRow
	if err := tx.NewUpdate().Model(&head).Set("seq = seq + 1").Where("id = 1").Returning("seq, hash").Scan(ctx); err != nil {
		return err
	}
	e.Seq, e.PrevHash = head.Seq, head.Hash
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.Hash = e.ChainHash(e.PrevHash)
	if keys := keysFrom(ctx); keys != nil {
		e.MAC = keys.AuditEntryMAC(&e)
	}
	row := auditRow{Seq: e.Seq, At: e.At, ActorID: e.ActorID, Action: e.Action, Subject: e.Subject, Detail: e.Detail,
		PrevHash: e.PrevHash, Hash: e.Hash, MAC: e.MAC}
	if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
		return err
	}
	if _, err := tx.NewUpdate().Model((*auditHeadRow)(nil)).Set("hash = ?", e.Hash).Where("id = 1").Exec(ctx); err != nil {
		return err
	}
	return writeEvents(ctx, tx, &e)
}

// Append records an entry that rides with no other change (a denied write,
// a failed login of an unknown user).
func (db *DB) Append(ctx context.Context, e cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error { return appendAudit(ctx, tx, e) })
}

// AuditEntries returns entries after seq, in order.
func (db *DB) AuditEntries(ctx context.Context, after int64, limit int) ([]cms.AuditEntry, error) {
	var rows []auditRow
	if err := db.bun.NewSelect().Model(&rows).Where("seq > ?", after).Order("seq").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = cms.AuditEntry{Seq: r.Seq, At: r.At.UTC(), ActorID: r.ActorID, Action: r.Action, Subject: r.Subject,
			Detail: r.Detail, PrevHash: r.PrevHash, Hash: r.Hash, MAC: r.MAC}
	}
	return out, nil
}

// AuditHead returns the last appended entry's sequence number and hash.
func (db *DB) AuditHead(ctx context.Context) (int64, string, error) {
	var head auditHeadRow
	if err := db.bun.NewSelect().Model(&head).Where("id = 1").Scan(ctx); err != nil {
		return 0, "", err
	}
	return head.Seq, head.Hash, nil
}

var _ cms.AuditReader = (*DB)(nil)

// SearchAudit returns the entries f selects, newest first.
func (db *DB) SearchAudit(ctx context.Context, f cms.AuditFilter) ([]cms.AuditEntry, error) {
	var rows []auditRow
	q := db.bun.NewSelect().Model(&rows).OrderExpr("seq DESC").Limit(int64(f.Limit))
	if f.HasActor {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.Subject != "" {
		q = q.Where("subject = ?", f.Subject)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To.UTC())
	}
	if f.Before > 0 {
		q = q.Where("seq < ?", f.Before)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = cms.AuditEntry{Seq: r.Seq, At: r.At.UTC(), ActorID: r.ActorID, Action: r.Action, Subject: r.Subject,
			Detail: r.Detail, PrevHash: r.PrevHash, Hash: r.Hash, MAC: r.MAC}
	}
	return out, nil
}
