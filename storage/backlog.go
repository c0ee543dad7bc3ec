package storage

import (
	"context"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

// Backlog counts what waits: revisions per stage (and those that entered
// it before overdueBefore's time for it), events not yet dispatched,
// pending webhook deliveries and messages. Each count is read through an
// index, so that the metrics can ask at every scrape.
func (db *DB) Backlog(ctx context.Context, stages []cms.State, overdueBefore map[cms.State]time.Time) (cms.Backlog, error) {
	var b cms.Backlog
	names := make([]string, len(stages))
	for i, st := range stages {
		names[i] = string(st)
	}
	var waiting []struct {
		State string
		N     int
	}
	if err := db.bun.NewSelect().Model((*revisionRow)(nil)).ColumnExpr("state, COUNT(*) AS n").
		Where("state IN (?)", bun.In(names)).Group("state").Scan(ctx, &waiting); err != nil {
		return b, err
	}
	for _, st := range stages {
		sb := cms.StageBacklog{State: st}
		for _, w := range waiting {
			if w.State == string(st) {
				sb.Waiting = w.N
			}
		}
		if before, ok := overdueBefore[st]; ok && sb.Waiting > 0 {
			n, err := db.bun.NewSelect().Model((*revisionRow)(nil)).Where("state = ?", string(st)).
				Where("state_since < ?", before.UTC()).Count(ctx)
			if err != nil {
				return b, err
			}
			sb.Overdue = int(n)
		}
		b.Stages = append(b.Stages, sb)
	}
	last, err := db.Cursor(ctx, cms.DispatchCursor)
	if err != nil && !errors.Is(err, cms.ErrNotFound) {
		return b, err
	}
	n, err := db.bun.NewSelect().Model((*eventRow)(nil)).Where("id > ?", last).Count(ctx)
	if err != nil {
		return b, err
	}
	b.Events = int(n)
	if n, err = db.bun.NewSelect().Model((*deliveryRow)(nil)).Where("state = ?", string(cms.DeliveryPending)).Count(ctx); err != nil {
		return b, err
	}
	b.Deliveries = int(n)
	if b.Deliveries > 0 {
		var oldest deliveryRow
		if err := db.bun.NewSelect().Model(&oldest).Column("created_at").Where("state = ?", string(cms.DeliveryPending)).
			Order("id").Limit(1).Scan(ctx); err != nil {
			return b, err
		}
		b.OldestDelivery = oldest.CreatedAt.UTC()
	}
	var msgs []struct {
		Channel string
		N       int
	}
	if err := db.bun.NewSelect().Model((*messageRow)(nil)).ColumnExpr("channel, COUNT(*) AS n").
		Where("state = ?", string(cms.DeliveryPending)).Group("channel").Scan(ctx, &msgs); err != nil {
		return b, err
	}
	b.Messages = map[cms.MessageChannel]int{cms.ChannelEmail: 0, cms.ChannelWeCom: 0}
	for _, m := range msgs {
		b.Messages[cms.MessageChannel(m.Channel)] = m.N
	}
	return b, nil
}

// PoolStats describes the connection pool.
func (db *DB) PoolStats() cms.PoolStats {
	s := db.bun.Stats()
	return cms.PoolStats{MaxOpen: s.MaxOpenConnections, Open: s.OpenConnections, InUse: s.InUse, Idle: s.Idle,
		WaitCount: s.WaitCount, WaitDuration: s.WaitDuration, MaxIdleClosed: s.MaxIdleClosed,
		MaxIdleTimeClosed: s.MaxIdleTimeClosed, MaxLifetimeClosed: s.MaxLifetimeClosed}
}
