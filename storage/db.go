// Package storage keeps the CMS's data: the database through bun (SQLite by
// default, PostgreSQL for production), its migrations and seed, the
// repositories that implement the cms store ports, and the blob stores.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
	"github.com/uptrace/bun/migrate"
	"github.com/uptrace/bun/schema"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage/migrations"
)

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// DB is the CMS database. Its methods implement the cms store ports.
type DB struct {
	bun     *bun.DB
	Dialect string
	url     string // for the dedicated LISTEN connection on PostgreSQL
	keys    *cms.Keys
	outbox  outbox
	// hotReads are the content API's prepared statements (content_reads.go).
	hotReads *hotReads
	// searchRanked is how many of the newest matches a search ranks.
	searchRanked int
	// timeout bounds each operation's wait (faults.go), in nanoseconds.
	timeout atomic.Int64
	dir     string // the SQLite file's directory
}

// Option configures Open.
type Option func(*options)

type options struct {
	timeout      time.Duration
	searchRanked int
}

// Timeout bounds how long one operation may wait for a connection, a lock
// or an answer before it fails as database_unavailable (0: DefaultTimeout).
func Timeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// SearchRanked is how many of the newest matches of a search are ranked
// (0: DefaultSearchRanked); see Search.
func SearchRanked(n int) Option { return func(o *options) { o.searchRanked = n } }

// newDB wraps an open database handle.
func newDB(sqldb *sql.DB, d schema.Dialect, name, rawURL string, o options) *DB {
	db := &DB{bun: bun.NewDB(sqldb, d), Dialect: name, url: rawURL, hotReads: &hotReads{}, searchRanked: o.searchRanked}
	if db.searchRanked <= 0 {
		db.searchRanked = DefaultSearchRanked
	}
	db.SetTimeout(o.timeout)
	db.bun.AddQueryHook(timeoutHook{db})
	return db
}

// Bun returns the underlying bun handle, for tests and tools.
func (db *DB) Bun() *bun.DB { return db.bun }

// SQLiteURL returns the URL of the embedded database file under dataDir.
func SQLiteURL(dataDir string) string {
	return "sqlite://" + filepath.Join(dataDir, "cms.db")
}

// Open connects to the database at rawURL: "postgres://…" (or
// "postgresql://…") for PostgreSQL, "sqlite://PATH" or a bare path for a
// SQLite file. It does not migrate; call Migrate.
func Open(ctx context.Context, rawURL string, opts ...Option) (*DB, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.timeout <= 0 {
		o.timeout = DefaultTimeout
	}
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(ctx, rawURL, o)
	default:
		return openSQLite(ctx, strings.TrimPrefix(rawURL, "sqlite://"), o)
	}
}

func openSQLite(ctx context.Context, path string, o options) (*DB, error) {
	if path == "" {
		return nil, errors.New("storage: empty SQLite path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("storage: create data directory: %w", err)
		}
	}
	// The file holds password hashes and sessions: a new one is readable
	// by its owner alone, whatever the umask (SQLite gives its journal
	// files the database file's permissions).
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("storage: create %s: %w", path, err)
	}
	// WAL lets readers run beside the writer; immediate transactions take
	// the write lock at BEGIN, so concurrent writers queue on busy_timeout
	// instead of failing with SQLITE_BUSY when a read turns into a write.
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	// A writer waits for the lock no longer than the database timeout.
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", o.timeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	sqldb, err := sql.Open(sqliteshim.ShimName, "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	sqldb.SetMaxOpenConns(8)
	sqldb.SetMaxIdleConns(8)
	sqldb.SetConnMaxIdleTime(0)
	db := newDB(sqldb, sqlitedialect.New(), SQLite, "", o)
	db.dir = filepath.Dir(path)
	if err := db.Ping(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	return db, nil
}

func openPostgres(ctx context.Context, rawURL string, o options) (*DB, error) {
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("storage: PostgreSQL URL: %w", err)
	}
	if cfg.ConnectTimeout == 0 || cfg.ConnectTimeout > o.timeout {
		cfg.ConnectTimeout = o.timeout // a server that does not answer is not waited for
	}
	sqldb := stdlib.OpenDB(*cfg)
	sqldb.SetMaxOpenConns(20)
	sqldb.SetMaxIdleConns(10)
	sqldb.SetConnMaxLifetime(time.Hour)
	db := newDB(sqldb, pgdialect.New(), Postgres, rawURL, o)
	if err := db.Ping(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("storage: connect to PostgreSQL: %w", err)
	}
	return db, nil
}

// Ping checks that the database answers within the database timeout.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, db.Timeout())
	defer cancel()
	return Classify(db.bun.PingContext(ctx))
}

// Close closes the database.
func (db *DB) Close() error { return db.bun.Close() }

// Migrate applies every migration not yet applied and returns their names.
// Several processes starting at once take turns on the migration lock.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	ctx = WithoutTimeout(ctx)
	m := migrate.NewMigrator(db.bun, migrations.Migrations, migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("storage: init migrations: %w", err)
	}
	if err := lockWithRetry(ctx, m); err != nil {
		return nil, err
	}
	defer m.Unlock(context.WithoutCancel(ctx)) //nolint:errcheck // best effort; the lock row is ours
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: migrate: %w", err)
	}
	var names []string
	for _, mg := range group.Migrations {
		names = append(names, mg.Name)
	}
	return names, nil
}

func lockWithRetry(ctx context.Context, m *migrate.Migrator) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := m.Lock(ctx)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("storage: migration lock: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// MigrationStatus lists every migration with whether it has been applied.
func (db *DB) MigrationStatus(ctx context.Context) (applied, pending []string, err error) {
	m := migrate.NewMigrator(db.bun, migrations.Migrations)
	if err := m.Init(ctx); err != nil {
		return nil, nil, err
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, mg := range ms.Applied() {
		applied = append(applied, mg.Name)
	}
	for _, mg := range ms.Unapplied() {
		pending = append(pending, mg.Name)
	}
	return applied, pending, nil
}
