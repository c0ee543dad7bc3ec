package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

// DefaultTimeout bounds how long one database operation may wait: for a
// connection from the pool, for a lock, for an answer (CMS_DB_TIMEOUT).
const DefaultTimeout = 5 * time.Second

// Retry-After of the faults: a restarting database or object store is
// usually back within seconds.
const (
	retryDatabase = 2 * time.Second
	retryBlobs    = 5 * time.Second
)

// Classify turns an error that is a fault of the infrastructure into the
// cms vocabulary: the database unreachable, shutting down or too slow
// (EDBDOWN), a full disk or quota under the database or the blob folder
// (ENOSPACE). Other errors are returned as they are; the S3 store
// classifies its own (EBLOBDOWN, s3Error). The cause stays wrapped for the log.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var ce *cms.Error
	if errors.As(err, &ce) {
		return err
	}
	switch {
	case diskFull(err):
		return &cms.Error{Code: cms.ENOSPACE, Err: err,
			Message: "the server's storage is full; nothing was saved, try again once space has been freed"}
	case databaseDown(err):
		return &cms.Error{Code: cms.EDBDOWN, Err: err, RetryAfter: retryDatabase,
			Message: "the database is unavailable; nothing was saved, try again in a moment"}
	}
	return err
}

// sqliteCode is implemented by the SQLite driver's errors.
type sqliteCode interface{ Code() int }

// diskFull reports ENOSPC or EDQUOT, from the file system or as SQLite
// (SQLITE_FULL) or PostgreSQL (disk_full) report them.
func diskFull(err error) bool {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	var sc sqliteCode
	if errors.As(err, &sc) && sc.Code()&0xff == 13 { // SQLITE_FULL
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "53100" {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "database or disk is full") || strings.Contains(msg, "no space left on device") ||
		strings.Contains(msg, "disk quota exceeded")
}

// databaseDown reports that the database cannot be reached or will not
// answer: refused or reset connections, a server shutting down or
// starting, no free connection, SQLite's lock not granted in time, or an
// operation cut by the database timeout.
func databaseDown(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		// Class 08: connection exception; 57P0x: shutting down, crashed,
		// starting; 53300: too many connections.
		return strings.HasPrefix(pg.Code, "08") || strings.HasPrefix(pg.Code, "57P") || pg.Code == "53300"
	}
	var connect *pgconn.ConnectError
	if errors.As(err, &connect) || pgconn.Timeout(err) {
		return true
	}
	var sc sqliteCode
	if errors.As(err, &sc) {
		switch sc.Code() & 0xff {
		case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED: the lock was not granted in time
			return true
		}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne *net.OpError
	if errors.As(err, &ne) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"sql: database is closed", "conn closed", "connection refused", "connection reset",
		"broken pipe", "server closed the connection", "terminating connection", "the database system is",
		"database is locked", "unexpected EOF"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// timeoutKey marks a context whose database operations take as long as
// they need (migrations, backups).
type timeoutKey struct{}

// WithoutTimeout returns a context whose database operations are not cut
// by the database timeout: for the operator's long operations.
func WithoutTimeout(ctx context.Context) context.Context {
	return context.WithValue(ctx, timeoutKey{}, true)
}

// SetTimeout sets how long one operation may wait (0: DefaultTimeout).
func (db *DB) SetTimeout(d time.Duration) {
	if d <= 0 {
		d = DefaultTimeout
	}
	db.timeout.Store(int64(d))
}

// Timeout returns how long one operation may wait.
func (db *DB) Timeout() time.Duration { return time.Duration(db.timeout.Load()) }

// bounded returns ctx cut at the database timeout, unless it is marked
// WithoutTimeout or already ends sooner.
func (db *DB) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx.Value(timeoutKey{}) != nil {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, db.Timeout())
}

// timeoutHook bounds every statement bun runs by the database timeout.
// BEGIN is bounded by inTx instead (its context lives as long as the
// transaction). A statement that came back with a result or an error is
// done, and its context is released at once; one that came back with
// neither may have handed its rows to the caller (Rows, a raw
// QueryContext), so its context is left to end by its own timer.
type timeoutHook struct{ db *DB }

type cancelStash struct{}

func (h timeoutHook) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	if e.Query == "BEGIN" || e.Query == "COMMIT" || e.Query == "ROLLBACK" {
		return ctx
	}
	ctx, cancel := h.db.bounded(ctx)
	if e.Stash == nil {
		e.Stash = map[any]any{}
	}
	e.Stash[cancelStash{}] = cancel
	return ctx
}

func (h timeoutHook) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if cancel, ok := e.Stash[cancelStash{}].(context.CancelFunc); ok && (e.Result != nil || e.Err != nil) {
		cancel()
	}
}

// begin starts a transaction, waiting for a connection and (on SQLite) the
// write lock no longer than the database timeout. The transaction's
// context ends when cancel is called.
func (db *DB) begin(ctx context.Context) (bun.Tx, context.CancelFunc, error) {
	ctx, cancel := context.WithCancel(ctx)
	var timer *time.Timer
	if ctx.Value(timeoutKey{}) == nil {
		timer = time.AfterFunc(db.Timeout(), cancel)
	}
	tx, err := db.bun.BeginTx(ctx, nil)
	if timer != nil && !timer.Stop() {
		// Cut by the timeout: whatever BEGIN achieved is abandoned.
		if err == nil {
			_ = tx.Rollback()
		}
		err = context.DeadlineExceeded
	}
	if err != nil {
		cancel()
		return bun.Tx{}, nil, Classify(err)
	}
	return tx, cancel, nil
}

// minFree is the free space below which /readyz reports the disk full.
const minFree = 1 << 20

// SpaceLeft reports ENOSPACE when the file system holding dir has less
// than 1 MiB left for the server to write (quota or disk).
func SpaceLeft(dir string) error {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return nil // nothing to say: the writes themselves will tell
	}
	if free := st.Bavail * uint64(st.Bsize); free < minFree {
		return &cms.Error{Code: cms.ENOSPACE, Err: syscall.ENOSPC,
			Message: "the server's storage is full (" + strconv.FormatUint(free/1024, 10) + " KiB left in " + dir + ")"}
	}
	return nil
}

// Dir returns the directory of a SQLite database file ("" on PostgreSQL).
func (db *DB) Dir() string { return db.dir }
