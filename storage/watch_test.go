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
	stop := watchItems(tb, db, interval, func([]cms.ChangedItem) { calls <- struct{}{} })
	return calls, stop
}

// watchItems starts WatchContent with onChange and returns a stop
// function that fails the test unless the watcher returns when its
// context ends.
func watchItems(tb testing.TB, db *storage.DB, interval time.Duration, onChange func([]cms.ChangedItem)) func() {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		db.WatchContent(ctx, interval, onChange, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	return func() {
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

// TestWatchContentNamesItems: a publication reaches the other processes
// as its item and column (by the poll on both databases, and by the
// notification on PostgreSQL), so they drop only what it changed; a
// change of structure, or a row the patrol took offline, names nothing:
// anything may have changed.
func TestWatchContentNamesItems(t *testing.T) {
	t.Parallel()
	for _, poll := range []bool{true, false} {
		t.Run(map[bool]string{true: "poll", false: "notify"}[poll], func(t *testing.T) {
			t.Parallel()
			db, editor := openDB(t)
			if !poll && db.Dialect != storage.Postgres {
				t.Skip("notifications are a PostgreSQL feature; SQLite relies on the poll")
			}
			interval := time.Hour
			if poll {
				interval = 20 * time.Millisecond
			}
			calls := make(chan []cms.ChangedItem, 100)
			stop := watchItems(t, db, interval, func(items []cms.ChangedItem) { calls <- items })
			defer stop()
			if db.Dialect == storage.Postgres {
				// PostgreSQL listens whatever the interval; connected, anything
				// may have changed before.
				if items := <-calls; items != nil {
					t.Fatalf("on connecting: %v, want nil", items)
				}
			}
			time.Sleep(100 * time.Millisecond) // the poll's first reading
			next := func(what string) []cms.ChangedItem {
				t.Helper()
				select {
				case items := <-calls:
					// The poll and the notification may both tell of it.
					for quiet := time.After(200 * time.Millisecond); ; {
						select {
						case <-calls:
							continue
						case <-quiet:
						}
						break
					}
					return items
				case <-time.After(10 * time.Second):
					t.Fatalf("no call after %s", what)
					return nil
				}
			}
			it, rev := mustItem(t, db, editor, "news", "通知", "正文")
			mustPublish(t, db, it, rev, tick())
			if got := next("a publication"); len(got) != 1 || got[0] != (cms.ChangedItem{ID: it.ID, Column: "news"}) {
				t.Errorf("after publishing item %d: %v", it.ID, got)
			}
			mustTakeDown(t, db, it, rev)
			if got := next("a take-down"); len(got) != 1 || got[0] != (cms.ChangedItem{ID: it.ID, Column: "news"}) {
				t.Errorf("after taking item %d down: %v", it.ID, got)
			}
			changeNotice(t, db, "结构变更")
			if got := next("a change of structure"); got != nil {
				t.Errorf("after a change of structure: %v, want nil (anything)", got)
			}
		})
	}
}
