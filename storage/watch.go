package storage

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/tlhpf/cms/cms"
)

// ContentChannel is the PostgreSQL notification channel that tells every
// server process the public content changed.
const ContentChannel = "cms_content_changed"

// maxNarrowChanges is how many changes one poll names item by item; past
// it, a watcher that fell that far behind drops everything.
const maxNarrowChanges = 256

// announce tells the other server processes, in the transaction of a
// change, that public content changed: NOTIFY on PostgreSQL, delivered at
// commit, with the change's sequence number, item, column and the schema
// it was made in ("seq item column schema"); SQLite has no notifications,
// and its processes poll the change log instead (WatchContent).
func announce(ctx context.Context, tx bun.Tx, ch contentChangeRow) error {
	if tx.Dialect().Name() != dialect.PG {
		return nil
	}
	payload := strconv.FormatInt(ch.Seq, 10) + " " + strconv.FormatInt(ch.ItemID, 10) + " " + ch.ColumnSlug + " "
	_, err := tx.ExecContext(ctx, "SELECT pg_notify(?, ? || current_schema())", ContentChannel, payload)
	return err
}

// WatchContent calls onChange whenever public content changes in the
// database, whichever process changed it: at once on PostgreSQL (LISTEN on
// the notification every publication sends), and on both databases by
// polling the change log every interval, which also covers notifications
// missed while reconnecting. onChange gets the items that changed, each
// with its column, or nil when anything may have changed (a menu, a
// client key, a row the patrol took offline, more changes than one poll
// names, a notification it cannot read). It returns when ctx ends.
func (db *DB) WatchContent(ctx context.Context, interval time.Duration, onChange func([]cms.ChangedItem), log *slog.Logger) {
	if db.Dialect == Postgres {
		go db.listen(ctx, onChange, log)
	}
	last, _ := db.ContentVersion(ctx)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := db.ContentVersion(ctx)
		if err == nil && v != last {
			var items []cms.ChangedItem
			if items, err = db.changedItems(ctx, last, v); err == nil {
				last = v
				onChange(items)
			}
		}
		if err != nil && ctx.Err() == nil {
			log.Warn("content watch", slog.Any("error", err))
		}
	}
}

// changedItems names the items changed after seq after up to seq upTo,
// or returns nil when a change is not one item's (or names no column), or
// there are too many to name.
func (db *DB) changedItems(ctx context.Context, after, upTo int64) ([]cms.ChangedItem, error) {
	if upTo < after {
		return nil, nil // the log went back (a restore): anything changed
	}
	var rows []contentChangeRow
	if err := db.bun.NewSelect().Model(&rows).Column("item_id", "column_slug").Where("seq > ?", after).
		Where("seq <= ?", upTo).OrderExpr("seq").Limit(maxNarrowChanges + 1).Scan(ctx); err != nil {
		return nil, err
	}
	if len(rows) == 0 || len(rows) > maxNarrowChanges {
		return nil, nil
	}
	items := make([]cms.ChangedItem, 0, len(rows))
	for _, r := range rows {
		if r.ItemID == 0 || r.ColumnSlug == "" {
			return nil, nil
		}
		items = append(items, cms.ChangedItem{ID: r.ItemID, Column: r.ColumnSlug})
	}
	return items, nil
}

// parseNotice reads a notification's payload (see announce): the item it
// names, nil for anything, and whether it concerns schema at all.
func parseNotice(payload, schema string) ([]cms.ChangedItem, bool) {
	f := strings.SplitN(payload, " ", 4)
	if len(f) != 4 {
		return nil, true // not ours to read: assume anything changed
	}
	if f[3] != schema {
		return nil, false // another schema's database on the same server
	}
	id, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil || id <= 0 || f[2] == "" {
		return nil, true
	}
	return []cms.ChangedItem{{ID: id, Column: f[2]}}, true
}

func (db *DB) listen(ctx context.Context, onChange func([]cms.ChangedItem), log *slog.Logger) {
	for ctx.Err() == nil {
		err := db.listenOnce(ctx, onChange)
		if ctx.Err() != nil {
			return
		}
		log.Warn("content notifications interrupted; reconnecting", slog.Any("error", err))
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (db *DB) listenOnce(ctx context.Context, onChange func([]cms.ChangedItem)) error {
	conn, err := pgx.Connect(ctx, db.url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var schema string
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+ContentChannel); err != nil {
		return err
	}
	onChange(nil) // anything may have changed while we were not listening
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if items, ours := parseNotice(n.Payload, schema); ours {
			onChange(items)
		}
	}
}
