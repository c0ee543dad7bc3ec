package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
)

// TestUnreachableReceivers: an endpoint that hangs, answers 500 with a
// 10 MB body, redirects or closes the connection gets the delivery again
// on the schedule, each attempt logged with why it failed; nothing is
// lost and no redirect is followed.
func TestUnreachableReceivers(t *testing.T) {
	t.Parallel()
	e := eventsEnv(t, func(cfg *app.Config) { cfg.Events.Timeout = 2 * time.Second }) // long enough for a busy machine to answer the others
	_, pub := e.user(t, "pub", "information", role{"publisher", "information"})
	followed := newReceiver(t, nil)
	big := bytes.Repeat([]byte("x"), 10<<20)
	cases := []struct {
		name   string
		answer func(int, http.ResponseWriter, *http.Request)
		reason string
	}{
		{"hangs", func(_ int, w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, "no answer within 2s"},
		{"500 with 10 MB", func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			w.Write(big)
		}, "the endpoint answered 500"},
		{"redirects", func(_ int, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, followed.srv.URL, http.StatusTemporaryRedirect)
		}, "not followed"},
		{"closes", func(_ int, w http.ResponseWriter, _ *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}, "closed without an answer"},
	}
	hooks := make([]int64, len(cases))
	receivers := make([]*receiver, len(cases))
	for i, c := range cases {
		receivers[i] = newReceiver(t, c.answer)
		hooks[i], _ = e.hook(t, receivers[i].srv.URL, "maintenance.changed")
	}
	e.must(t, http.StatusOK, "PUT", "/api/v1/channels/app/maintenance", pub, map[string]any{"notice": ""} /* a withdrawal is a maintenance.changed event too */)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := receivers[i].waitFor(t, 20*time.Second, "three attempts", func(g []received) bool { return len(g) >= 3 })
			if got[0].Header.Get("webhook-id") != got[2].Header.Get("webhook-id") {
				t.Errorf("retries changed the message id")
			}
			var log deliveryLog
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				if log = e.deliveries(t, hooks[i]); len(log.Deliveries) == 1 && len(log.Deliveries[0].Log) >= 2 || time.Now().After(deadline) {
					break
				}
			}
			if len(log.Deliveries) != 1 || log.Deliveries[0].State != "pending" || len(log.Deliveries[0].Log) < 2 {
				t.Fatalf("log %+v", log)
			}
			a := log.Deliveries[0].Log[0]
			if a.Error == nil || !strings.Contains(*a.Error, c.reason) || len(a.Response) > 1024 {
				t.Errorf("first attempt %+v, want an error with %q", a, c.reason)
			}
		})
	}
	if n := len(followed.requests()); n != 0 {
		t.Errorf("a redirect was followed %d times", n)
	}
}

// TestThousandUndeliverableEvents: 1,000 events for an endpoint that
// refuses them all are retried on the schedule (scaled down to a
// millisecond, so that the last attempts come within seconds); none is
// lost, and the
// number of goroutines and the heap stay flat from one round of retries
// to the next.
//
// It runs alone, not in parallel with the package's other tests: the heap
// it measures is the whole process's, and theirs would be counted in it.
// The receiver only counts what it refuses, so that the test's own
// record of the requests does not grow the heap either.
func TestThousandUndeliverableEvents(t *testing.T) {
	const concurrency = 32 // attempts in flight at once, as in production
	e := eventsEnv(t, func(cfg *app.Config) {
		cfg.Events.RetryBase = time.Millisecond
		cfg.Events.Concurrency = concurrency
	})
	var refused atomic.Int64
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		refused.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(rc.Close)
	id, _ := e.hook(t, rc.URL, "maintenance.changed")
	ctx := context.Background()
	for i := range 1000 {
		if err := e.db.Append(ctx, cms.NewAuditEntry(time.Now(), 0, cms.AuditMaintenanceChanged, "channel:app",
			map[string]any{"notice": "第" + strconv.Itoa(i) + "次", "starts_at": "", "ends_at": ""})); err != nil {
			t.Fatal(err)
		}
	}
	// atLeast waits until every delivery was attempted n times.
	atLeast := func(n int) {
		t.Helper()
		deadline := time.Now().Add(3 * time.Minute) // a deadline, not a goal: the machine may be busy
		for {
			var count int
			if err := e.db.Bun().NewRaw("SELECT count(*) FROM webhook_deliveries WHERE webhook_id = ? AND attempts >= ? AND lease_owner = ''",
				id, n).Scan(ctx, &count); err != nil {
				t.Fatal(err)
			}
			if count == 1000 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of 1,000 deliveries attempted %d times", count, n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	measure := func() (int, uint64) {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return runtime.NumGoroutine(), m.HeapAlloc
	}
	atLeast(2)
	g0, h0 := measure()
	atLeast(5)
	g1, h1 := measure()
	t.Logf("after 2 rounds: %d goroutines, %.1f MiB heap; after 5: %d goroutines, %.1f MiB heap; %d requests received",
		g0, float64(h0)/(1<<20), g1, float64(h1)/(1<<20), refused.Load())
	// Retries go on while the goroutines are counted: each attempt in
	// flight holds a few (the client's connection, the receiver's handler),
	// so the counts may differ by that much. A leak would show thousands:
	// some 3,000 attempts were made between the two counts.
	if g1 > g0+4*concurrency+20 {
		t.Errorf("goroutines grew from %d to %d", g0, g1)
	}
	if h1 > h0+32<<20 {
		t.Errorf("heap grew from %.1f to %.1f MiB", float64(h0)/(1<<20), float64(h1)/(1<<20))
	}
	// Nothing lost: each event still waits for its next attempt, or was
	// given up after its tenth as the schedule says (or later: on a
	// machine so busy that an attempt outlived its lease, the delivery was
	// claimed again, which at least once allows).
	var kept int
	if err := e.db.Bun().NewRaw("SELECT count(*) FROM webhook_deliveries WHERE webhook_id = ? AND (state = 'pending' OR state = 'failed' AND attempts >= ?)",
		id, cms.MaxDeliveryAttempts).Scan(ctx, &kept); err != nil {
		t.Fatal(err)
	}
	if kept != 1000 || refused.Load() < 5000 {
		t.Errorf("%d of 1,000 deliveries kept; %d requests received", kept, refused.Load())
	}
}

// TestDeletedEndpointStops: deleting an endpoint stops its retries.
func TestDeletedEndpointStops(t *testing.T) {
	t.Parallel()
	e := eventsEnv(t, nil)
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	id, _ := e.hook(t, rc.srv.URL, "*")
	_, pub := e.user(t, "pub", "information", role{"publisher", "information"})
	e.must(t, http.StatusOK, "PUT", "/api/v1/channels/wechat/maintenance", pub, map[string]any{"notice": ""} /* a withdrawal is a maintenance.changed event too */)
	rc.waitFor(t, 10*time.Second, "two attempts", func(g []received) bool { return len(g) >= 2 })
	e.must(t, http.StatusNoContent, "DELETE", webhookPath(id), e.admin, nil)
	time.Sleep(100 * time.Millisecond) // an attempt under way may still arrive
	n := len(rc.requests())
	time.Sleep(time.Second)
	if m := len(rc.requests()); m != n {
		t.Errorf("%d requests after the endpoint was deleted", m-n)
	}
}
