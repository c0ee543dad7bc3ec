package storage

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// ContentChannel is the PostgreSQL notification channel that tells every
// server process the public content changed.
const ContentChannel = "cms_content_changed"

// announce tells the other server processes, in the transaction of a
// change, that public content changed: NOTIFY on PostgreSQL, delivered at
// commit; SQLite has no notifications, and its processes poll the change
// log instead (WatchContent).
func announce(ctx context.Context, tx bun.Tx, seq int64) error {
	if tx.Dialect().Name() != dialect.PG {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SELECT pg_notify(?, ?)", ContentChannel, strconv.FormatInt(seq, 10))
	return err
}

// WatchContent calls onChange whenever public content changes in the
// database, whichever process changed it: at once on PostgreSQL (LISTEN on
// the notification every publication sends), and on both databases by
// polling the change log every interval, which also covers notifications
// missed while reconnecting. It returns when ctx ends.
func (db *DB) WatchContent(ctx context.Context, interval time.Duration, onChange func(), log *slog.Logger) {
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
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("content watch", slog.Any("error", err))
			}
			continue
		}
		if v != last {
			last = v
			onChange()
		}
	}
}

func (db *DB) listen(ctx context.Context, onChange func(), log *slog.Logger) {
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

func (db *DB) listenOnce(ctx context.Context, onChange func()) error {
	conn, err := pgx.Connect(ctx, db.url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+ContentChannel); err != nil {
		return err
	}
	onChange() // anything may have changed while we were not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		onChange()
	}
}
