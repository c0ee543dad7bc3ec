package rbac

import (
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/tlhpf/cms/cms"
)

// Throttle allows each key a burst of PerMinute events and PerMinute more
// every minute (a token bucket from golang.org/x/time/rate). Keys idle long
// enough for their bucket to fill again are forgotten, so that many
// distinct keys (unknown usernames) cannot make it grow without bound.
type Throttle struct {
	limit rate.Limit
	burst int
	idle  time.Duration // after this a bucket is full again: forgetting it changes nothing
	max   int
	clock cms.Clock

	mu   sync.Mutex
	keys map[string]*bucket
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time
}

var _ cms.Throttle = (*Throttle)(nil)

// maxKeys bounds the keys a throttle remembers; past it idle keys are
// forgotten, and if that is not enough, all of them.
const maxKeys = 100_000

// NewThrottle returns a throttle of perMinute events per minute per key,
// or nil (no limit) when perMinute is 0.
func NewThrottle(perMinute int, clock cms.Clock) *Throttle {
	if perMinute <= 0 {
		return nil
	}
	return &Throttle{limit: rate.Limit(float64(perMinute) / 60), burst: perMinute, idle: time.Minute,
		max: maxKeys, clock: clock, keys: map[string]*bucket{}}
}

// Allow takes one event from key's bucket if it has one. A nil throttle
// allows everything.
func (t *Throttle) Allow(key string) (bool, time.Duration) {
	if t == nil {
		return true, 0
	}
	now := t.clock.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.keys[key]
	if b == nil {
		if len(t.keys) >= t.max {
			t.forget(now)
		}
		b = &bucket{lim: rate.NewLimiter(t.limit, t.burst)}
		t.keys[key] = b
	}
	b.last = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// forget drops the buckets that have filled up again; when every key is
// busy it drops them all, failing open rather than growing: the hash
// slots still bound what an attack costs.
func (t *Throttle) forget(now time.Time) {
	for k, b := range t.keys {
		if now.Sub(b.last) >= t.idle {
			delete(t.keys, k)
		}
	}
	if len(t.keys) >= t.max {
		clear(t.keys)
	}
}
