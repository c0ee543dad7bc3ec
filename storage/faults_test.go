package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

// TestClassify names the faults of the infrastructure as the drivers and
// the file system report them, and leaves every other error alone.
func TestClassify(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for name, c := range map[string]struct {
		err  error
		want string
	}{
		"ENOSPC writing a file":         {&fs.PathError{Op: "write", Path: "/data/blobs/x", Err: syscall.ENOSPC}, cms.ENOSPACE},
		"EDQUOT writing a file":         {&fs.PathError{Op: "write", Path: "/data/blobs/x", Err: syscall.EDQUOT}, cms.ENOSPACE},
		"SQLite: database or disk full": {errors.New("database or disk is full (13)"), cms.ENOSPACE},
		"PostgreSQL disk_full":          {&pgconn.PgError{Code: "53100"}, cms.ENOSPACE},
		"PostgreSQL admin_shutdown":     {&pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}, cms.EDBDOWN},
		"PostgreSQL starting up":        {&pgconn.PgError{Code: "57P03"}, cms.EDBDOWN},
		"PostgreSQL too many clients":   {&pgconn.PgError{Code: "53300"}, cms.EDBDOWN},
		"connection refused":            {fmt.Errorf("query: %w", refused), cms.EDBDOWN},
		"connection reset":              {fmt.Errorf("read: %w", syscall.ECONNRESET), cms.EDBDOWN},
		"no connection within timeout":  {context.DeadlineExceeded, cms.EDBDOWN},
		"database closed":               {errors.New("sql: database is closed"), cms.EDBDOWN},
		"bad connection":                {fmt.Errorf("exec: %w", sql.ErrConnDone), cms.EDBDOWN},
		"unique violation":              {&pgconn.PgError{Code: "23505"}, cms.EINTERNAL},
		"no rows":                       {sql.ErrNoRows, cms.EINTERNAL},
		"a bug":                         {errors.New("index out of range"), cms.EINTERNAL},
		"already named":                 {cms.Errorf(cms.ECONFLICT, "taken"), cms.ECONFLICT},
	} {
		got := storage.Classify(c.err)
		if code := cms.ErrorCode(got); code != c.want {
			t.Errorf("%s: %s, want %s", name, code, c.want)
		}
		if !errors.Is(got, c.err) {
			t.Errorf("%s: the cause is not kept", name)
		}
	}
	if storage.Classify(nil) != nil {
		t.Error("nil classified")
	}
}

// TestDatabaseTimeoutCutsWaits: a write that waits for a lock another
// connection holds gives up at the database timeout, as
// database_unavailable, instead of hanging.
func TestDatabaseTimeoutCutsWaits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storagetest.URL(t)
	storagetest.OpenURL(t, url) // migrated
	holder, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	tx, err := holder.Bun().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES ('secret:held', 'aa')"); err != nil {
		t.Fatal(err)
	}
	short, err := storage.Open(ctx, url, storage.Timeout(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer short.Close()
	start := time.Now()
	_, err = short.Secret(ctx, "held")
	took := time.Since(start)
	t.Logf("a write behind a held lock: %s after %s", cms.ErrorCode(storage.Classify(err)), took.Round(time.Millisecond))
	if cms.ErrorCode(storage.Classify(err)) != cms.EDBDOWN || took > 3*time.Second {
		t.Errorf("a write behind a held lock: %v after %s, want database_unavailable within the 300ms timeout", err, took)
	}
}

// TestTimeoutLeavesRowsToTheirReader: a statement whose rows the caller
// reads after bun hands them over is not cut when bun's hook returns.
func TestTimeoutLeavesRowsToTheirReader(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storagetest.Open(t)
	db.SetTimeout(2 * time.Second)
	rows, err := db.Bun().NewSelect().Table("settings").Column("key").Rows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	time.Sleep(20 * time.Millisecond)
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Err(); err != nil || n == 0 {
		t.Errorf("read %d rows: %v", n, err)
	}
}
