package api_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/tlhpf/cms/api"
	"github.com/tlhpf/cms/cms"
)

// BenchmarkMetricsOverhead measures what counting costs the content API:
// the same cache hit (answered before echo) and miss (through echo, the
// stored document read again), alternately with the metrics observer off
// and on, request by request, so that both see the same load on a shared
// machine. It reports the median time of each and their ratio:
//
//	go test -run '^$' -bench MetricsOverhead ./api
func BenchmarkMetricsOverhead(b *testing.B) {
	e := newEnv(b)
	h := e.app.Handler()
	const menu = "/content/v1/channels/wechat/menu"
	get := func(b *testing.B) time.Duration {
		req := httptest.NewRequest(http.MethodGet, menu, nil)
		w := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(w, req)
		took := time.Since(start)
		if w.Code != http.StatusOK {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
		return took
	}
	median := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)/2].Nanoseconds())
	}
	for _, path := range []string{"hit", "miss"} {
		b.Run(path, func(b *testing.B) {
			get(b)
			var off, on []time.Duration
			for b.Loop() {
				for _, o := range []api.Observer{nil, e.app.Metrics} {
					api.SetObserver(e.server, o)
					if path == "miss" {
						e.svc.Bus.Publish(cms.Notice{})
					}
					if d := get(b); o == nil {
						off = append(off, d)
					} else {
						on = append(on, d)
					}
				}
			}
			mOff, mOn := median(off), median(on)
			b.ReportMetric(mOff, "ns-median-off")
			b.ReportMetric(mOn, "ns-median-on")
			b.ReportMetric(mOn/mOff, "on/off")
		})
	}
}
