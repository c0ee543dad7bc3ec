package storage_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

func TestMigrateTakesTurnsAndIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storagetest.URL(t)
	open := func() *storage.DB {
		db, err := storage.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	applied, pending, err := a.MigrationStatus(ctx)
	if err != nil || len(applied) != 0 || len(pending) == 0 {
		t.Fatalf("fresh database: applied %v pending %v %v", applied, pending, err)
	}
	// Two server processes starting at once: each migration runs once.
	var got [2][]string
	errs := race(func() error { var err error; got[0], err = a.Migrate(ctx); return err },
		func() error { var err error; got[1], err = b.Migrate(ctx); return err })
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	ran := slices.Concat(got[0], got[1])
	slices.Sort(ran)
	if !slices.Equal(ran, pending) {
		t.Errorf("migrations run %v, want each of %v once", ran, pending)
	}
	applied, left, err := b.MigrationStatus(ctx)
	slices.Sort(applied)
	if err != nil || !slices.Equal(applied, pending) || len(left) != 0 {
		t.Errorf("after migrating: applied %v pending %v %v", applied, left, err)
	}
	if again, err := a.Migrate(ctx); err != nil || len(again) != 0 {
		t.Errorf("a second migration ran %v %v", again, err)
	}
	if err := a.Ping(ctx); err != nil {
		t.Error(err)
	}
}

func TestOpenRefusesBadSQLitePaths(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte(strings.Repeat("not a database ", 300)), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, url string
	}{
		{"empty path", "sqlite://"},
		{"directory under a file", "sqlite://" + filepath.Join(file, "sub", "cms.db")},
		{"not a database", "sqlite://" + file},
	}
	for _, c := range cases {
		db, err := storage.Open(context.Background(), c.url)
		if err == nil {
			_, err = db.Migrate(context.Background())
			db.Close()
		}
		if err == nil {
			t.Errorf("%s: %s opened and migrated", c.name, c.url)
		}
	}
}

// TestSQLiteFileIsPrivate: a new database file (password hashes,
// sessions) and its WAL are readable by their owner alone, whatever the
// umask, in a data directory made by someone else.
func TestSQLiteFileIsPrivate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cms.db")
	db, err := storage.Open(context.Background(), "sqlite://"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal"} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is %s", f, st.Mode().Perm())
		}
	}
}
