package app

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

// TestStartPatrolKeepsTheSchedule: a server that starts with no recent
// complete patrol patrols at once; one that starts again less than an
// interval after a complete patrol waits for the rest of the interval
// instead of patrolling every row again, and then patrols.
func TestStartPatrolKeepsTheSchedule(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	blobs, err := storage.NewFolderStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg := Defaults()
	cfg.DataDir = t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := New(context.Background(), db, blobs, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	reports := func() int {
		t.Helper()
		r, err := db.Patrols(context.Background(), 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(r)
	}
	// start runs the patrol's schedule as a server start does, until stop.
	start := func(interval time.Duration) (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			patrolEvery(ctx, a.Services.Patrol, interval, log)
		}()
		return func() { cancel(); <-done }
	}
	waitReports := func(n int, what string) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); reports() < n; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no patrol %s", what)
			}
		}
	}
	stop := start(time.Hour)
	waitReports(1, "at the first start")
	stop()

	stop = start(time.Hour)
	time.Sleep(time.Second)
	stop()
	if n := reports(); n != 1 {
		t.Fatalf("%d patrols after a restart a second after a complete one, want it deferred (1)", n)
	}

	stop = start(3 * time.Second)
	defer stop()
	waitReports(2, "when the rest of the interval had passed")
}
