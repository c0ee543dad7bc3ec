package app

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// pool is a set of workers over leased jobs: deliveries or messages.
type pool[T any] struct {
	name string
	size int           // most jobs in flight
	poll time.Duration // longest wait for jobs other processes made
	wake <-chan struct{}
	log  *slog.Logger
	// claim leases up to n due jobs; work attempts one; next says when
	// the earliest pending job is due.
	claim func(ctx context.Context, n int) ([]T, error)
	work  func(ctx context.Context, job T) error
	next  func(ctx context.Context) (time.Time, bool, error)
}

// runPool keeps up to p.size jobs in flight until ctx ends: it claims as
// many due jobs as it has free slots, starts each, and claims again when
// one finishes, when it is woken, or when the earliest pending job falls
// due (at the latest every p.poll). A job that hangs holds one slot, never
// the others. When ctx ends it waits for the jobs in flight, which give
// their leases back.
func runPool[T any](ctx context.Context, p pool[T]) {
	done := make(chan struct{}, p.size)
	var wg sync.WaitGroup
	defer wg.Wait()
	// Claims come in batches: after a job finishes, the pool claims again
	// once a quarter of its slots are free (or none is busy, or its timer
	// fires), since a claim costs about as much as an attempt.
	batch := max(1, p.size/4)
	inflight, timedOut := 0, true
	for {
		full, claimed := false, false
		if free := p.size - inflight; free > 0 && (free >= batch || inflight == 0 || timedOut) {
			claimed = true
			jobs, err := p.claim(ctx, free)
			if err != nil && ctx.Err() == nil {
				p.log.Error("claim "+p.name, slog.Any("error", err))
			}
			for _, job := range jobs {
				inflight++
				wg.Go(func() {
					if err := p.work(ctx, job); err != nil && ctx.Err() == nil {
						p.log.Error("attempt "+p.name, slog.Any("error", err))
					}
					done <- struct{}{}
				})
			}
			full = len(jobs) == free
		}
		delay := p.poll
		if claimed && !full {
			// Everything due is under way: sleep until the next job falls due.
			if at, ok, err := p.next(ctx); err == nil && ok {
				delay = min(delay, max(time.Until(at), 5*time.Millisecond))
			}
		}
		t := time.NewTimer(delay)
		timedOut = false
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-done:
			inflight--
		case <-p.wake:
			timedOut = true // new work: claim whatever slots are free
		case <-t.C:
			timedOut = true
		}
		t.Stop()
		for drained := false; !drained; {
			select {
			case <-done:
				inflight--
			default:
				drained = true
			}
		}
	}
}
