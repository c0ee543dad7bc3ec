package storage

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// claim leases up to limit pending rows of table that are due at now and
// held by nobody (or whose lease ran out) to owner until now+lease, counts
// an attempt of each, and returns their ids. where narrows the rows (with
// its args). On PostgreSQL rows another process is claiming are skipped
// (FOR UPDATE SKIP LOCKED); SQLite has one writer at a time. Either way a
// row is held by one process at a time.
func (db *DB) claim(ctx context.Context, table, where string, whereArgs []any, owner string, now time.Time, lease time.Duration, limit int) ([]int64, error) {
	lock := ""
	if db.Dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := "UPDATE " + table + " SET lease_owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id IN (SELECT id FROM " + table +
		" WHERE state = 'pending' AND next_at <= ? AND (lease_until IS NULL OR lease_until < ?)" + where +
		" ORDER BY next_at, id LIMIT ?" + lock + ") RETURNING id"
	args := append([]any{owner, now.Add(lease), now, now}, whereArgs...)
	args = append(args, limit)
	var ids []int64
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewRaw(q, args...).Scan(ctx, &ids)
	})
	return ids, err
}

// nextDue returns when the earliest pending row of table is due: its
// next_at, or the end of its lease when someone holds it longer.
func (db *DB) nextDue(ctx context.Context, table, where string, whereArgs []any) (time.Time, bool, error) {
	var at []time.Time
	free := "SELECT next_at FROM " + table + " WHERE state = 'pending' AND (lease_until IS NULL OR lease_until < next_at)" + where +
		" ORDER BY next_at LIMIT 1"
	if err := db.bun.NewRaw(free, whereArgs...).Scan(ctx, &at); err != nil {
		return time.Time{}, false, err
	}
	var held []time.Time
	leased := "SELECT lease_until FROM " + table + " WHERE state = 'pending' AND lease_until >= next_at" + where +
		" ORDER BY lease_until LIMIT 1"
	if err := db.bun.NewRaw(leased, whereArgs...).Scan(ctx, &held); err != nil {
		return time.Time{}, false, err
	}
	at = append(at, held...)
	if len(at) == 0 {
		return time.Time{}, false, nil
	}
	first := at[0]
	for _, t := range at[1:] {
		if t.Before(first) {
			first = t
		}
	}
	return first.UTC(), true, nil
}
