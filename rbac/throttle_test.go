package rbac

import (
	"strconv"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	c := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	th := NewThrottle(6, c) // a burst of 6, then one every 10 s
	for i := range 6 {
		if ok, _ := th.Allow("a"); !ok {
			t.Fatalf("event %d refused within the burst", i+1)
		}
	}
	ok, wait := th.Allow("a")
	if ok || wait <= 9*time.Second || wait > 10*time.Second {
		t.Fatalf("beyond the burst: %v %v", ok, wait)
	}
	if ok, _ := th.Allow("b"); !ok {
		t.Error("another key shares the bucket")
	}
	c.add(10 * time.Second)
	if ok, _ := th.Allow("a"); !ok {
		t.Error("refused after refilling one")
	}
	if ok, _ := th.Allow("a"); ok {
		t.Error("a refusal took no event back: allowed twice after refilling one")
	}
	var none *Throttle
	if ok, _ := none.Allow("x"); !ok || NewThrottle(0, c) != nil {
		t.Error("a zero limit must allow everything")
	}
}

// TestThrottleForgets: many distinct keys do not make the throttle grow
// without bound; keys whose bucket has refilled are dropped first.
func TestThrottleForgets(t *testing.T) {
	t.Parallel()
	c := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	th := NewThrottle(1, c)
	th.max = 100
	th.Allow("busy")
	c.add(2 * time.Minute)
	for i := range 99 {
		th.Allow("k" + strconv.Itoa(i))
	}
	if ok, _ := th.Allow("busy"); !ok {
		t.Fatal("busy's bucket did not refill")
	}
	th.Allow("new") // full: the old keys are still fresh, so every key goes
	if n := len(th.keys); n > th.max {
		t.Errorf("%d keys remembered, want at most %d", n, th.max)
	}
	c.add(2 * time.Minute)
	th.Allow("x")
	for i := range 200 {
		th.Allow("y" + strconv.Itoa(i))
	}
	if n := len(th.keys); n > th.max {
		t.Errorf("%d keys remembered, want at most %d", n, th.max)
	}
}
