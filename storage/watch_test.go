package storage_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

// watch starts WatchContent and returns its calls and a stop function that
// fails the test unless the watcher returns when its context ends.
func watch(tb testing.TB, db *storage.DB, interval time.Duration) (<-chan struct{}, func()) {
	tb.Helper()
	calls := make(chan struct{}, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		db.WatchContent(ctx, interval, func() { calls <- struct{}{} }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	return calls, func() {
		tb.Helper()
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			tb.Error("WatchContent did not return when its context ended")
		}
	}
}

func changeNotice(tb testing.TB, db *storage.DB, notice string) {
	tb.Helper()
	if err := db.SetMaintenance(context.Background(), withNotice(tb, db, "app", cms.Maintenance{Notice: notice}), note(cms.AuditMaintenanceChanged, "")); err != nil {
		tb.Fatal(err)
	}
}

func TestWatchContentPolls(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	calls, stop := watch(t, db, 10*time.Millisecond)
	defer stop()
	// The watcher reads the version when it starts; change until it has
	// seen a change made after that.
	deadline := time.After(10 * time.Second)
	for i := 0; ; i++ {
		changeNotice(t, db, "通知"+itoa(int64(i)))
		select {
		case <-calls:
		case <-time.After(200 * time.Millisecond):
			continue
		case <-deadline:
			t.Fatal("no call after a content change")
		}
		break
	}
	if db.Dialect == storage.Postgres {
		return // notifications of other tests' schemas share the channel
	}
	drain(calls, 50*time.Millisecond)
	select {
	case <-calls:
		t.Error("called although nothing changed")
	case <-time.After(100 * time.Millisecond):
	}
}

func drain(c <-chan struct{}, quiet time.Duration) {
	for {
		select {
		case <-c:
		case <-time.After(quiet):
			return
		}
	}
}

// TestWatchContentListens checks that PostgreSQL notifications arrive
// without waiting for the poll.
func TestWatchContentListens(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	if db.Dialect != storage.Postgres {
		t.Skip("notifications are a PostgreSQL feature; SQLite relies on the poll")
	}
	calls, stop := watch(t, db, time.Hour)
	defer stop()
	select {
	case <-calls: // listening: anything may have changed before
	case <-time.After(10 * time.Second):
		t.Fatal("no call when the listener connected")
	}
	drain(calls, 50*time.Millisecond)
	changeNotice(t, db, "立即生效")
	select {
	case <-calls:
	case <-time.After(10 * time.Second):
		t.Fatal("no notification of a change")
	}
}
