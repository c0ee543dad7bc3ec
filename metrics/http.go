package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// httpKey names one series of the HTTP metrics.
type httpKey struct {
	route, method string
	class         int // status / 100
}

// httpSeries are a series' counter and histogram, looked up once: the
// content API's cache hits are counted at the cost of a map read and two
// atomic additions.
type httpSeries struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// Unmatched is the route label of requests no route matched, so that
// made-up paths do not make new series.
const Unmatched = "unmatched"

// Request counts an answered HTTP request: route is its route template
// ("" when none matched), status its status code.
func (r *Registry) Request(route, method string, status int, took time.Duration) {
	if route == "" {
		route = Unmatched
	}
	r.seriesOf(httpKey{route: route, method: foldMethod(method), class: classOf(status)}).observe(took)
}

// Bind returns the counting of one route and method for the content
// API's cache hits, which answer 200 or 304: those two series are looked
// up once, any other status as Request does.
func (r *Registry) Bind(route, method string) func(status int, took time.Duration) {
	method = foldMethod(method)
	ok := r.seriesOf(httpKey{route: route, method: method, class: 2})
	notModified := r.seriesOf(httpKey{route: route, method: method, class: 3})
	return func(status int, took time.Duration) {
		switch classOf(status) {
		case 2:
			ok.observe(took)
		case 3:
			notModified.observe(took)
		default:
			r.Request(route, method, status, took)
		}
	}
}

func (r *Registry) seriesOf(k httpKey) *httpSeries {
	s, ok := r.series.Load(k)
	if !ok {
		class := statusClasses[k.class]
		s, _ = r.series.LoadOrStore(k, &httpSeries{count: r.requests.WithLabelValues(k.route, k.method, class),
			duration: r.duration.WithLabelValues(k.route, k.method, class)})
	}
	return s.(*httpSeries)
}

func (s *httpSeries) observe(took time.Duration) {
	s.count.Inc()
	s.duration.Observe(took.Seconds())
}

// classOf is the index of status's class in statusClasses.
func classOf(status int) int {
	if status == 0 { // nothing written: net/http answers 200
		return 2
	}
	if c := status / 100; c >= 1 && c <= 5 {
		return c
	}
	return 0
}

var statusClasses = [...]string{"other", "1xx", "2xx", "3xx", "4xx", "5xx"}

// foldMethod keeps the methods HTTP defines and folds any other into one
// value: a client cannot make series by inventing methods.
func foldMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}
