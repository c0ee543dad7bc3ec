package cms_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
)

// slowHasher takes a while per call and records how many calls overlap.
type slowHasher struct {
	d         time.Duration
	now, peak atomic.Int32
	calls     atomic.Int32
}

func (h *slowHasher) run() {
	h.calls.Add(1)
	n := h.now.Add(1)
	for {
		p := h.peak.Load()
		if n <= p || h.peak.CompareAndSwap(p, n) {
			break
		}
	}
	time.Sleep(h.d)
	h.now.Add(-1)
}

func (h *slowHasher) Hash(string) (string, error)         { h.run(); return "h", nil }
func (h *slowHasher) Verify(string, string) (bool, error) { h.run(); return false, nil }

// TestBoundedHasher: no more than the slots run at once; a call that cannot
// start within the wait is refused as busy with a Retry-After and never runs.
func TestBoundedHasher(t *testing.T) {
	t.Parallel()
	inner := &slowHasher{d: 50 * time.Millisecond}
	b := cms.NewBoundedHasher(inner, 2, 120*time.Millisecond)
	var busy atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			var err error
			if i%2 == 0 {
				_, err = b.Verify("pw", "h")
			} else {
				_, err = b.Hash("pw")
			}
			if err != nil {
				var e *cms.Error
				if cms.ErrorCode(err) != cms.EBUSY || !errors.As(err, &e) || e.RetryAfter < time.Second {
					t.Errorf("refusal %v", err)
				}
				busy.Add(1)
			}
		})
	}
	wg.Wait()
	if p := inner.peak.Load(); p > 2 {
		t.Errorf("%d hashes ran at once, want at most 2", p)
	}
	if busy.Load() == 0 || int(busy.Load()+inner.calls.Load()) != 20 {
		t.Errorf("%d refused and %d ran, want some refused and the rest run", busy.Load(), inner.calls.Load())
	}
}
