package api_test

import (
	"net/http"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/rbac"
)

// heapSampler records the largest heap seen while it runs.
type heapSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	done chan struct{}
}

func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func sampleHeap() *heapSampler {
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if v := heapObjects(); v > h.peak.Load() {
				h.peak.Store(v)
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	<-h.done
	return h.peak.Load()
}

// TestLoginMemoryIsBounded: forty concurrent logins with wrong passwords or
// unknown usernames must not hash forty passwords at once. Each hash here
// takes 16 MiB; unbounded, the burst needs 640 MiB of heap. It runs alone
// (not in parallel) so that the heap it measures is its own.
func TestLoginMemoryIsBounded(t *testing.T) {
	e := newEnvWith(t, func(c *app.Config) { c.Argon2 = rbac.Argon2Params{MemoryKiB: 16 << 10, Time: 1, Threads: 1} })
	e.user(t, "target", "office", role{"editor", "office"})

	base := heapObjects()
	h := sampleHeap()
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			name := "target"
			if i%2 == 1 {
				name = "nobody-" + strconv.Itoa(i)
			}
			r := e.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": name, "password": "Wrong-Passw0rd-" + strconv.Itoa(i)})
			switch r.Status {
			case http.StatusUnauthorized, http.StatusTooManyRequests:
			case http.StatusServiceUnavailable:
				if p := r.problem(t); p.Code != "busy" || r.Header.Get("Retry-After") == "" {
					t.Errorf("503 %q without Retry-After %q", p.Code, r.Header.Get("Retry-After"))
				}
			default:
				t.Errorf("login %d: status %d", i, r.Status)
			}
		})
	}
	wg.Wait()
	peak := h.Stop()
	grew := int64(peak) - int64(base)
	t.Logf("heap grew by %d MiB during %d concurrent logins", grew>>20, n)
	if grew > 200<<20 {
		t.Errorf("heap grew by %d MiB: passwords are hashed without bound", grew>>20)
	}
}

// TestLoginThrottles: attempts beyond the per-address and per-username
// limits are refused with 429 and Retry-After before anything is checked
// or recorded, and the limits refill with time.
func TestLoginThrottles(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *app.Config) {
		c.Auth.AddressLimit, c.Auth.UserLimit = 3, 5
		c.HTTP.TrustProxy = true // so that the test can speak from several addresses
	})
	login := func(addr, username string) *response {
		return e.send(t, request{method: "POST", path: "/api/v1/auth/login", header: map[string]string{"X-Forwarded-For": addr},
			body: map[string]string{"username": username, "password": "Wrong-Passw0rd"}})
	}
	for range 3 {
		if r := login("10.0.0.1", "ghost"); r.Status != http.StatusUnauthorized {
			t.Fatalf("within the limits: %d", r.Status)
		}
	}
	start := e.auditHead(t)
	r := login("10.0.0.1", "someone-else")
	if p := r.problem(t); r.Status != http.StatusTooManyRequests || p.Code != "rate_limited" {
		t.Fatalf("fourth from one address: %d %q", r.Status, p.Code)
	}
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 21 {
		t.Errorf("Retry-After = %q", r.Header.Get("Retry-After"))
	}
	if e.auditHead(t) != start {
		t.Error("a throttled attempt was recorded: it must cost nothing")
	}
	// Another address may go on, until the username's own limit.
	for range 2 {
		if r := login("10.0.0.2", "ghost"); r.Status != http.StatusUnauthorized {
			t.Fatalf("other address: %d", r.Status)
		}
	}
	if r := login("10.0.0.3", "GHOST"); r.Status != http.StatusTooManyRequests {
		t.Fatalf("sixth for one username: %d", r.Status)
	}
	e.clock.Advance(20 * time.Second)
	if r := login("10.0.0.1", "someone-else"); r.Status != http.StatusUnauthorized {
		t.Errorf("after the address's bucket refilled: %d", r.Status)
	}
}

// TestLoginBusy: when every hash slot stays taken past the wait, a login
// answers 503 busy with Retry-After, and the check it could not make does
// not count towards the lockout.
func TestLoginBusy(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *app.Config) {
		c.Argon2 = rbac.Argon2Params{MemoryKiB: 16 << 10, Time: 2, Threads: 1}
		c.HashSlots, c.HashWait = 1, time.Millisecond
	})
	id, _ := e.user(t, "busy", "office", role{"editor", "office"})
	const n = 12
	var failed, busy atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			name := "busy"
			if i%3 == 0 {
				name = "nobody"
			}
			r := e.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": name, "password": "Wrong-Passw0rd"})
			switch r.Status {
			case http.StatusServiceUnavailable:
				if p := r.problem(t); p.Code != "busy" || r.Header.Get("Retry-After") == "" {
					t.Errorf("503 %q, Retry-After %q", p.Code, r.Header.Get("Retry-After"))
				}
				busy.Add(1)
			case http.StatusUnauthorized:
				if name == "busy" {
					failed.Add(1)
				}
			case http.StatusTooManyRequests:
			default:
				t.Errorf("status %d", r.Status)
			}
		})
	}
	wg.Wait()
	if busy.Load() == 0 {
		t.Fatal("no login was shed although one slot with a 1 ms wait served twelve at once")
	}
	u, err := e.db.UserByID(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if f := int(failed.Load()); f < 5 && u.FailedLogins != f {
		t.Errorf("failed-login count %d after %d wrong passwords checked: shed checks were counted", u.FailedLogins, f)
	}
}
