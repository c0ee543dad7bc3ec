package api_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
)

// BenchmarkWebhookDelivery measures deliveries per second to a local
// receiver: each round records 500 events in the outbox with the workers
// stopped, then starts them and times dispatching and delivering all 500
// (the goal on SQLite: at least 500 a second).
//
//	go test -run '^$' -bench WebhookDelivery -benchtime 4x ./api/
func BenchmarkWebhookDelivery(b *testing.B) {
	e := quietEventsEnv(b, nil)
	var accepted atomic.Int64
	rc := newReceiver(b, func(int, http.ResponseWriter, *http.Request) { accepted.Add(1) })
	e.hook(b, rc.srv.URL, "maintenance.changed")
	ctx := context.Background()
	const batch = 500
	var spent time.Duration
	delivered := 0
	for b.Loop() {
		b.StopTimer()
		for i := range batch {
			if err := e.db.Append(ctx, cms.NewAuditEntry(time.Now(), 0, cms.AuditMaintenanceChanged, "channel:app",
				map[string]any{"notice": "第" + strconv.Itoa(i) + "次", "starts_at": "", "ends_at": ""})); err != nil {
				b.Fatal(err)
			}
		}
		want := accepted.Load() + batch
		b.StartTimer()
		start := time.Now()
		stop := e.runEvents(b)
		for accepted.Load() < want {
			time.Sleep(time.Millisecond)
		}
		spent += time.Since(start)
		delivered += batch
		b.StopTimer()
		stop()
		b.StartTimer()
	}
	b.ReportMetric(float64(delivered)/spent.Seconds(), "deliveries/s")
}

// BenchmarkSuspensionToDelivery measures how long after a publisher
// suspends an item the subscribed endpoint has the item.suspended event:
// the API call, the transaction with its outbox event, dispatch and the
// signed request (the goal: p99 under 5 s).
//
//	go test -run '^$' -bench SuspensionToDelivery -benchtime 200x ./api/
func BenchmarkSuspensionToDelivery(b *testing.B) {
	e := eventsEnv(b, nil)
	got := make(chan time.Time, 16)
	rc := newReceiver(b, func(_ int, _ http.ResponseWriter, r *http.Request) { got <- time.Now() })
	e.hook(b, rc.srv.URL, "item.suspended")
	c := newChain(b, e)
	_, revID := e.completeGuide(b, c.editor)
	e.toState(b, c, revID, "published")
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		e.must(b, http.StatusOK, "POST", revisionPath(revID)+"/transitions", c.publisher, map[string]string{"event": "suspend", "comment": "应急处置"})
		select {
		case at := <-got:
			lat = append(lat, at.Sub(start))
		case <-time.After(30 * time.Second):
			b.Fatal("no item.suspended within 30 s")
		}
		b.StopTimer()
		e.must(b, http.StatusOK, "POST", revisionPath(revID)+"/transitions", c.publisher, map[string]string{"event": "restore"})
		b.StartTimer()
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(float64(len(lat)-1)*p)].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.5), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	b.ReportMetric(pct(1), "max_ms")
}
