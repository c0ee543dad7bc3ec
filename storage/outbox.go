package storage

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

type eventRow struct {
	bun.BaseModel `bun:"table:events"`
	ID            int64 `bun:",pk,autoincrement"`
	Type          string
	Subject       string
	AuditSeq      int64
	ActorID       int64
	At            time.Time
	ItemID        int64
	RevisionID    int64
	UserID        int64
	Channel       string
	Detail        string
}

func (r *eventRow) domain() cms.OutboxEvent {
	return cms.OutboxEvent{ID: r.ID, Type: cms.EventType(r.Type), Subject: r.Subject, AuditSeq: r.AuditSeq, ActorID: r.ActorID,
		At: r.At.UTC(), ItemID: r.ItemID, RevisionID: r.RevisionID, UserID: r.UserID, Channel: r.Channel, Detail: r.Detail}
}

type outboxCursorRow struct {
	bun.BaseModel `bun:"table:outbox_cursors"`
	Name          string `bun:",pk"`
	LastID        int64
}

// outboxState rides in the context of a transaction: whether the outbox
// is on, and whether the transaction wrote events, so that the hook runs
// once it committed.
type outboxState struct {
	off   bool
	wrote bool
}

type outboxKey struct{}

// outbox holds what the database does with events: whether it records
// them (always, but for benchmarks of their cost) and whom it tells once
// a transaction that wrote some has committed.
type outbox struct {
	off  atomic.Bool
	hook atomic.Pointer[func()]
}

// SetOutbox turns the recording of events on or off. It is on unless a
// benchmark turns it off to measure what it costs.
func (db *DB) SetOutbox(on bool) { db.outbox.off.Store(!on) }

// OnEvents sets fn to be called, in the process that wrote them, after
// each transaction that recorded events commits: the dispatcher wakes up
// at once instead of at its next poll.
func (db *DB) OnEvents(fn func()) { db.outbox.hook.Store(&fn) }

// writeEvents records the events an audit entry carries (cms.OutboxEvents)
// in its transaction. It runs under the audit head's row lock, so event
// ids are in commit order and a cursor over them never skips one.
func writeEvents(ctx context.Context, tx bun.Tx, e *cms.AuditEntry) error {
	st, _ := ctx.Value(outboxKey{}).(*outboxState)
	if st != nil && st.off {
		return nil
	}
	events := cms.OutboxEvents(e)
	if len(events) == 0 {
		return nil
	}
	rows := make([]eventRow, len(events))
	for i, ev := range events {
		rows[i] = eventRow{Type: string(ev.Type), Subject: ev.Subject, AuditSeq: ev.AuditSeq, ActorID: ev.ActorID, At: ev.At,
			ItemID: ev.ItemID, RevisionID: ev.RevisionID, UserID: ev.UserID, Channel: ev.Channel, Detail: ev.Detail}
	}
	if _, err := tx.NewInsert().Model(&rows).ExcludeColumn("id").Exec(ctx); err != nil {
		return err
	}
	if st != nil {
		st.wrote = true
	}
	return nil
}

// Events returns up to limit events with ids above after, in order.
func (db *DB) Events(ctx context.Context, after int64, limit int) ([]cms.OutboxEvent, error) {
	var rows []eventRow
	if err := db.bun.NewSelect().Model(&rows).Where("id > ?", after).Order("id").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.OutboxEvent, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// Cursor returns the id of the last event the named consumer handled.
func (db *DB) Cursor(ctx context.Context, name string) (int64, error) {
	var last int64
	err := db.bun.NewSelect().Model((*outboxCursorRow)(nil)).Column("last_id").Where("name = ?", name).Scan(ctx, &last)
	return last, translate(err, "cursor")
}

// moveCursor advances the named cursor from what the caller read to to,
// inside tx; a conflict when another process moved it first.
func moveCursor(ctx context.Context, tx bun.Tx, name string, from, to int64) error {
	res, err := tx.NewUpdate().Model((*outboxCursorRow)(nil)).Set("last_id = ?", to).
		Where("name = ?", name).Where("last_id = ?", from).Exec(ctx)
	if err := oneRow(res, err); err != nil {
		return cms.Errorf(cms.ECONFLICT, "the outbox cursor %s moved", name)
	}
	return nil
}

// PurgeOutbox removes what the retention no longer keeps.
func (db *DB) PurgeOutbox(ctx context.Context, before time.Time) (int, error) {
	total := 0
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		cursor := tx.NewSelect().Model((*outboxCursorRow)(nil)).Column("last_id").Where("name = ?", cms.DispatchCursor)
		for _, q := range []*bun.DeleteQuery{
			tx.NewDelete().Model((*eventRow)(nil)).Where("at < ?", before).Where("id <= (?)", cursor),
			tx.NewDelete().Model((*attemptRow)(nil)).Where("delivery_id IN (?)", tx.NewSelect().Model((*deliveryRow)(nil)).
				Column("id").Where("state <> ?", cms.DeliveryPending).Where("created_at < ?", before)),
			tx.NewDelete().Model((*deliveryRow)(nil)).Where("state <> ?", cms.DeliveryPending).Where("created_at < ?", before),
			tx.NewDelete().Model((*messageRow)(nil)).Where("state <> ?", cms.DeliveryPending).Where("created_at < ?", before),
			tx.NewDelete().Model((*notificationRow)(nil)).Where("read_at IS NOT NULL").Where("read_at < ?", before),
		} {
			res, err := q.Exec(ctx)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			total += int(n)
		}
		return nil
	})
	return total, err
}
