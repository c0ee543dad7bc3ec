// Package storagetest opens throwaway databases for tests: a SQLite file in
// a temporary directory, or, when CMS_TEST_DB=postgres, a fresh schema on the
// PostgreSQL server at CMS_TEST_POSTGRES_URL. A missing server is a test
// failure, never a skip, so that CI cannot pass without PostgreSQL.
package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tlhpf/cms/storage"
)

// Dialect returns the dialect the tests run on: "sqlite" or "postgres".
func Dialect() string {
	if os.Getenv("CMS_TEST_DB") == storage.Postgres {
		return storage.Postgres
	}
	return storage.SQLite
}

// URL returns a database URL of the test dialect for a new empty database,
// and registers its removal with tb.Cleanup.
func URL(tb testing.TB) string {
	tb.Helper()
	if Dialect() == storage.SQLite {
		return storage.SQLiteURL(filepath.Join(tb.TempDir(), "data"))
	}
	base := os.Getenv("CMS_TEST_POSTGRES_URL")
	if base == "" {
		tb.Fatal("CMS_TEST_DB=postgres needs CMS_TEST_POSTGRES_URL (postgres://user:pass@host:port/db)")
	}
	ctx := context.Background()
	admin, err := storage.Open(ctx, base)
	if err != nil {
		tb.Fatalf("PostgreSQL at CMS_TEST_POSTGRES_URL does not answer: %v", err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := admin.Bun().ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		db, err := storage.Open(context.Background(), base)
		if err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer db.Close()
		if _, err := db.Bun().ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("CMS_TEST_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Timeout is the database timeout of the databases OpenURL opens.
const Timeout = 30 * time.Second

// Open returns a migrated, seeded database of the test dialect, closed at cleanup.
func Open(tb testing.TB) *storage.DB {
	tb.Helper()
	return OpenURL(tb, URL(tb))
}

// OpenURL opens, migrates and seeds the database at url, closed at cleanup.
// Opening one URL twice gives two handles with their own connections, as
// two server processes have.
func OpenURL(tb testing.TB, url string) *storage.DB {
	tb.Helper()
	ctx := context.Background()
	// A loaded test machine (two cores, -race, parallel tests on one
	// SQLite file) must not turn a long wait for the write lock into a
	// fault; the fault tests set their own short timeouts.
	db, err := storage.Open(ctx, url, storage.Timeout(Timeout))
	if err != nil {
		tb.Fatalf("open database: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	if _, err := db.Seed(ctx); err != nil {
		tb.Fatalf("seed: %v", err)
	}
	return db
}
