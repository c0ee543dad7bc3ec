package storage

import (
	"context"
	"time"
)

// Now returns the database server's clock, for comparing with this
// machine's (cms doctor): on PostgreSQL another machine's, on SQLite
// this one's as SQLite reads it.
func (db *DB) Now(ctx context.Context) (time.Time, error) {
	if db.Dialect == Postgres {
		var t time.Time
		err := db.bun.NewRaw("SELECT now()").Scan(ctx, &t)
		return t.UTC(), err
	}
	var s string
	if err := db.bun.NewRaw("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')").Scan(ctx, &s); err != nil {
		return time.Time{}, err
	}
	return time.Parse("2006-01-02 15:04:05.000", s)
}
