package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tlhpf/cms/cms"
)

// funcCollector emits what read returns, when Prometheus scrapes.
type funcCollector struct {
	descs []*prometheus.Desc
	read  func(ch chan<- prometheus.Metric)
}

func (c funcCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c funcCollector) Collect(ch chan<- prometheus.Metric) { c.read(ch) }

// CacheStats describe the public response cache.
type CacheStats struct {
	Entries, MaxEntries int
	Bytes, MaxBytes     int64
	// Hits, Misses and Evictions count since the start: answers served
	// from the cache, answers built, entries dropped to make room or
	// because they expired.
	Hits, Misses, Evictions int64
}

// Cache adds the public cache's metrics, read from read at every scrape:
// the hot path pays nothing for them beyond the counters it keeps anyway.
func (r *Registry) Cache(read func() CacheStats) {
	hits := prometheus.NewDesc("cms_cache_hits_total", "Content API answers served from the public cache.", nil, nil)
	misses := prometheus.NewDesc("cms_cache_misses_total", "Content API answers built because the public cache did not hold them.", nil, nil)
	evictions := prometheus.NewDesc("cms_cache_evictions_total", "Public cache entries dropped to make room or because they expired.", nil, nil)
	bytes := prometheus.NewDesc("cms_cache_bytes", "Memory the public cache's entries are accounted for.", nil, nil)
	maxBytes := prometheus.NewDesc("cms_cache_max_bytes", "The public cache's memory budget (CMS_CACHE_BYTES).", nil, nil)
	entries := prometheus.NewDesc("cms_cache_entries", "Entries in the public cache.", nil, nil)
	r.Register(funcCollector{descs: []*prometheus.Desc{hits, misses, evictions, bytes, maxBytes, entries},
		read: func(ch chan<- prometheus.Metric) {
			s := read()
			ch <- prometheus.MustNewConstMetric(hits, prometheus.CounterValue, float64(s.Hits))
			ch <- prometheus.MustNewConstMetric(misses, prometheus.CounterValue, float64(s.Misses))
			ch <- prometheus.MustNewConstMetric(evictions, prometheus.CounterValue, float64(s.Evictions))
			ch <- prometheus.MustNewConstMetric(bytes, prometheus.GaugeValue, float64(s.Bytes))
			ch <- prometheus.MustNewConstMetric(maxBytes, prometheus.GaugeValue, float64(s.MaxBytes))
			ch <- prometheus.MustNewConstMetric(entries, prometheus.GaugeValue, float64(s.Entries))
		}})
}

// Pool adds the database connection pool's metrics, read at every scrape.
func (r *Registry) Pool(read func() cms.PoolStats) {
	gauge := func(name, help string) *prometheus.Desc { return prometheus.NewDesc("cms_db_"+name, help, nil, nil) }
	maxOpen := gauge("max_open_connections", "Most connections the pool may open.")
	open := gauge("open_connections", "Connections open, in use and idle.")
	inUse := gauge("in_use_connections", "Connections in use.")
	idle := gauge("idle_connections", "Idle connections.")
	waits := gauge("wait_count_total", "Connections waited for.")
	waited := gauge("wait_duration_seconds_total", "Time spent waiting for a connection.")
	closed := prometheus.NewDesc("cms_db_closed_connections_total", "Connections closed by the pool, by reason.", []string{"reason"}, nil)
	r.Register(funcCollector{descs: []*prometheus.Desc{maxOpen, open, inUse, idle, waits, waited, closed},
		read: func(ch chan<- prometheus.Metric) {
			s := read()
			ch <- prometheus.MustNewConstMetric(maxOpen, prometheus.GaugeValue, float64(s.MaxOpen))
			ch <- prometheus.MustNewConstMetric(open, prometheus.GaugeValue, float64(s.Open))
			ch <- prometheus.MustNewConstMetric(inUse, prometheus.GaugeValue, float64(s.InUse))
			ch <- prometheus.MustNewConstMetric(idle, prometheus.GaugeValue, float64(s.Idle))
			ch <- prometheus.MustNewConstMetric(waits, prometheus.CounterValue, float64(s.WaitCount))
			ch <- prometheus.MustNewConstMetric(waited, prometheus.CounterValue, s.WaitDuration.Seconds())
			ch <- prometheus.MustNewConstMetric(closed, prometheus.CounterValue, float64(s.MaxIdleClosed), "max_idle")
			ch <- prometheus.MustNewConstMetric(closed, prometheus.CounterValue, float64(s.MaxIdleTimeClosed), "max_idle_time")
			ch <- prometheus.MustNewConstMetric(closed, prometheus.CounterValue, float64(s.MaxLifetimeClosed), "max_lifetime")
		}})
}

// BacklogTimeout bounds the queries of one scrape's backlog.
const BacklogTimeout = 3 * time.Second

// Backlog adds the gauges of what waits, counted in the database at every
// scrape (a few indexed counts): revisions per stage and overdue, events
// not dispatched, deliveries and messages not sent. Every server process
// reports the same numbers, the database's; aggregate them with max. When
// the database does not answer, they are left out of the scrape and the
// rest is served.
func (r *Registry) Backlog(read func(context.Context) (cms.Backlog, error), now func() time.Time) {
	waiting := prometheus.NewDesc("cms_workflow_queue_depth", "Revisions waiting in a stage of the workflow.", []string{"stage"}, nil)
	overdue := prometheus.NewDesc("cms_workflow_overdue", "Revisions in a review stage longer than its time limit (办结时限).", []string{"stage"}, nil)
	events := prometheus.NewDesc("cms_outbox_undispatched_events", "Outbox events the dispatcher has not handled yet.", nil, nil)
	deliveries := prometheus.NewDesc("cms_webhook_backlog", "Webhook deliveries waiting for an attempt.", nil, nil)
	oldest := prometheus.NewDesc("cms_webhook_backlog_oldest_seconds", "Age of the oldest webhook delivery waiting (0: none waits).", nil, nil)
	messages := prometheus.NewDesc("cms_notification_backlog", "E-mails and robot messages waiting to be sent, by channel.", []string{"channel"}, nil)
	up := prometheus.NewDesc("cms_backlog_up", "1 when the backlog could be counted at this scrape, 0 when the database did not answer.", nil, nil)
	r.Register(funcCollector{descs: []*prometheus.Desc{waiting, overdue, events, deliveries, oldest, messages, up},
		read: func(ch chan<- prometheus.Metric) {
			ctx, cancel := context.WithTimeout(context.Background(), BacklogTimeout)
			defer cancel()
			b, err := read(ctx)
			if err != nil {
				r.log.Warn("metrics: count the backlog", "error", err)
				ch <- prometheus.MustNewConstMetric(up, prometheus.GaugeValue, 0)
				return
			}
			ch <- prometheus.MustNewConstMetric(up, prometheus.GaugeValue, 1)
			for _, s := range b.Stages {
				ch <- prometheus.MustNewConstMetric(waiting, prometheus.GaugeValue, float64(s.Waiting), string(s.State))
				if s.State != cms.StateScheduled {
					ch <- prometheus.MustNewConstMetric(overdue, prometheus.GaugeValue, float64(s.Overdue), string(s.State))
				}
			}
			ch <- prometheus.MustNewConstMetric(events, prometheus.GaugeValue, float64(b.Events))
			ch <- prometheus.MustNewConstMetric(deliveries, prometheus.GaugeValue, float64(b.Deliveries))
			age := 0.0
			if !b.OldestDelivery.IsZero() {
				age = max(0, now().Sub(b.OldestDelivery).Seconds())
			}
			ch <- prometheus.MustNewConstMetric(oldest, prometheus.GaugeValue, age)
			for ch2, n := range b.Messages {
				ch <- prometheus.MustNewConstMetric(messages, prometheus.GaugeValue, float64(n), string(ch2))
			}
		}})
}
