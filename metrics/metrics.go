// Package metrics exposes the CMS's metrics in the Prometheus text format
// with client_golang: what the services count (through the cms.Metrics
// port), what the HTTP layer serves, and gauges read when Prometheus
// scrapes (the public cache, the connection pool, the backlog of the
// workflow and of the outbox). No label takes unbounded values: routes
// are templates, methods and statuses are folded into few values, and
// nothing names an id, a user or a query.
package metrics

import (
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tlhpf/cms/cms"
)

// Registry holds the CMS's metrics and serves them.
type Registry struct {
	reg *prometheus.Registry
	log *slog.Logger

	transitions *prometheus.CounterVec
	logins      *prometheus.CounterVec
	lockouts    prometheus.Counter
	patrols     *prometheus.CounterVec
	findings    *prometheus.CounterVec
	deliveries  *prometheus.CounterVec
	delivery    *prometheus.HistogramVec

	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	series   sync.Map // httpKey → *httpSeries
}

// New returns a registry with the CMS's metrics, the Go runtime's and the
// process's, and cms_build_info naming version.
func New(version string, log *slog.Logger) *Registry {
	r := &Registry{reg: prometheus.NewRegistry(), log: log}
	r.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	info := prometheus.NewGauge(prometheus.GaugeOpts{Name: "cms_build_info", Help: "The running build: 1, labelled with its version and Go's.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()}})
	info.Set(1)
	r.transitions = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cms_workflow_transitions_total",
		Help: "Transitions applied to revisions, by event."}, []string{"event"})
	r.logins = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cms_login_failures_total",
		Help: "Refused logins and password checks, by reason."}, []string{"reason"})
	r.lockouts = prometheus.NewCounter(prometheus.CounterOpts{Name: "cms_login_lockouts_total",
		Help: "Accounts locked after too many failed checks."})
	r.patrols = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cms_patrol_runs_total",
		Help: "Integrity patrol runs, by trigger and result (ok, problems, failed)."}, []string{"trigger", "result"})
	r.findings = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cms_patrol_findings_total",
		Help: "Problems the integrity patrol found, by kind."}, []string{"kind"})
	r.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cms_delivery_attempts_total",
		Help: "Attempts to carry events out (webhook, email, wecom), by channel and result (ok, failed)."}, []string{"channel", "result"})
	r.delivery = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "cms_delivery_duration_seconds",
		Help: "How long an attempt to deliver a webhook or send a message took, by channel.", Buckets: deliveryBuckets}, []string{"channel"})
	r.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cms_http_requests_total",
		Help: "HTTP requests answered, by route template, method and status class."}, []string{"route", "method", "status"})
	r.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "cms_http_request_duration_seconds",
		Help: "Time to answer HTTP requests, by route template, method and status class.", Buckets: httpBuckets},
		[]string{"route", "method", "status"})
	r.reg.MustRegister(info, r.transitions, r.logins, r.lockouts, r.patrols, r.findings, r.deliveries, r.delivery, r.requests, r.duration)
	return r
}

// Buckets of the latency histograms: a cache hit takes microseconds, a
// publication milliseconds, a slow webhook endpoint seconds.
var (
	httpBuckets     = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
	deliveryBuckets = []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}
)

// Handler serves the metrics in the Prometheus text format. A collector
// that fails (the database does not answer) leaves its metrics out and
// the rest is served.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, ErrorLog: errorLog{r.log}})
}

// Register adds a collector, for gauges read at scrape time.
func (r *Registry) Register(c prometheus.Collector) { r.reg.MustRegister(c) }

type errorLog struct{ log *slog.Logger }

func (l errorLog) Println(v ...any) { l.log.Warn("metrics", slog.Any("error", v)) }

// Transition implements cms.Metrics.
func (r *Registry) Transition(ev cms.Event) { r.transitions.WithLabelValues(string(ev)).Inc() }

// LoginFailed implements cms.Metrics.
func (r *Registry) LoginFailed(reason cms.LoginFailure) {
	r.logins.WithLabelValues(string(reason)).Inc()
}

// Lockout implements cms.Metrics.
func (r *Registry) Lockout() { r.lockouts.Inc() }

// Patrol implements cms.Metrics.
func (r *Registry) Patrol(trigger string, problems []cms.PatrolProblem, failed bool) {
	result := "ok"
	switch {
	case failed:
		result = "failed"
	case len(problems) > 0:
		result = "problems"
	}
	r.patrols.WithLabelValues(trigger, result).Inc()
	for _, p := range problems {
		r.findings.WithLabelValues(p.Kind).Inc()
	}
}

// Delivery implements cms.Metrics.
func (r *Registry) Delivery(channel string, ok bool, took time.Duration) {
	result := "ok"
	if !ok {
		result = "failed"
	}
	r.deliveries.WithLabelValues(channel, result).Inc()
	r.delivery.WithLabelValues(channel).Observe(took.Seconds())
}

var _ cms.Metrics = (*Registry)(nil)
