package api_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/storage/storagetest"
)

// discardWriter is a ResponseWriter that keeps nothing, so that the
// benchmark measures the server rather than a recorder.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(s int)           { w.status = s }

// BenchmarkStatsOverhead prints the content API's throughput for an item's
// detail, served from the cache and built from the stored document (no
// cache), with the usage statistics on and off: four servers on one
// database, measured in turns, each turn the same number of requests from
// two goroutines, the median of the turns compared. The goal: statistics
// cost less than 5 % either way.
//
//	go test -run '^$' -bench StatsOverhead -benchtime 1x ./api
func BenchmarkStatsOverhead(b *testing.B) {
	e := newEnv(b)
	c := newChain(b, e)
	var it createdItem
	e.must(b, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": "住房公积金提取通知",
		"body": "提取住房公积金的办法"}).decode(b, &it)
	e.toState(b, c, it.Revision.ID, "published")
	path := publicItemPath(it.ID)
	// One server with its cache, one without; each measured with the
	// statistics on and off in turns (the counter set or taken away
	// between measurements), so that both sides of a comparison run on
	// the same process, connections and caches.
	cached := e.app
	cfg := e.cfg
	cfg.HTTP.CacheBytes = -1
	uncached := startEnv(b, storagetest.OpenURL(b, e.dbURL), e.blobRoot, cfg).app
	variants := []variant{
		{name: "cached, statistics on", app: cached, on: true, chunk: 1000},
		{name: "cached, statistics off", app: cached, chunk: 1000},
		{name: "uncached, statistics on", app: uncached, on: true, chunk: 100},
		{name: "uncached, statistics off", app: uncached, chunk: 100},
		// The control: off against off, the noise of the machine.
		{name: "cached, off (control)", app: cached, chunk: 1000},
		{name: "cached, off (control')", app: cached, chunk: 1000},
	}
	// The two sides of each pair take turns a chunk of requests at a
	// time, the order swapping every turn, and their times add up: on a
	// shared machine whose load drifts, both sides meet the same drift.
	// The first turns warm up and are not counted.
	const turns, warmup = 120, 10
	for range b.N {
		for pair := range len(variants) / 2 {
			on, off := &variants[2*pair], &variants[2*pair+1]
			for turn := range turns + warmup {
				order := []*variant{on, off}
				if turn%2 == 1 {
					order = []*variant{off, on}
				}
				for _, v := range order {
					reports := v.app.Services.Reports
					counter := reports.Counter
					if !v.on {
						reports.Counter = nil
					}
					took := serve(b, v.app.Handler(), path, v.chunk)
					reports.Counter = counter
					if turn >= warmup {
						v.took += took
						v.served += v.chunk
					}
				}
			}
		}
	}
	rate := func(v *variant) float64 { return float64(v.served) / v.took.Seconds() }
	for i := range variants {
		b.Logf("%-26s %10.0f requests/s (%d requests)", variants[i].name, rate(&variants[i]), variants[i].served)
	}
	cachedRatio, uncachedRatio := rate(&variants[0])/rate(&variants[1]), rate(&variants[2])/rate(&variants[3])
	control := rate(&variants[4]) / rate(&variants[5])
	b.Logf("statistics on / off: cached %.3f, uncached %.3f (goal: at least 0.95); off / off, the noise: %.3f",
		cachedRatio, uncachedRatio, control)
	b.ReportMetric(control, "control_off/off")
	b.ReportMetric(cachedRatio, "cached_on/off")
	b.ReportMetric(uncachedRatio, "uncached_on/off")
	b.ReportMetric(rate(&variants[0]), "cached_on_req/s")
	b.ReportMetric(rate(&variants[1]), "cached_off_req/s")
	b.ReportMetric(rate(&variants[2]), "uncached_on_req/s")
	b.ReportMetric(rate(&variants[3]), "uncached_off_req/s")
}

// variant is one server the benchmark measures.
type variant struct {
	name   string
	app    *app.App
	on     bool
	chunk  int // requests per turn
	took   time.Duration
	served int
}

// serve sends n GETs of path to h from two goroutines, as the App would
// (X-Client: app), and returns how long they took.
func serve(b *testing.B, h http.Handler, path string, n int) time.Duration {
	var wg sync.WaitGroup
	start := time.Now()
	for w := range 2 {
		wg.Go(func() {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("X-Client", "app")
			dw := &discardWriter{h: http.Header{}}
			for range n / 2 {
				clear(dw.h)
				dw.status = 0
				h.ServeHTTP(dw, req)
				if dw.status != http.StatusOK {
					b.Errorf("worker %d: %d", w, dw.status)
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}
