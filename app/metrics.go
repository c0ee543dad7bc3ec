package app

import (
	"context"

	"github.com/tlhpf/cms/api"
	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/metrics"
	"github.com/tlhpf/cms/storage"
)

// newMetrics builds the metrics registry and plugs it into the services
// that count: the workflow, logins, the patrol, webhooks and messages.
func newMetrics(svc *cms.Services, cfg Config, a *App) *metrics.Registry {
	m := metrics.New(cfg.HTTP.Version, a.log)
	svc.Workflow.Metrics, svc.Auth.Metrics, svc.Patrol.Metrics = m, m, m
	svc.Webhooks.Metrics, svc.Notifications.Metrics = m, m
	m.Pool(a.DB.PoolStats)
	m.Backlog(func(ctx context.Context) (cms.Backlog, error) { return svc.Workflow.Backlog(ctx, a.DB) }, cfg.Clock.Now)
	return m
}

// observeCache adds the public cache's metrics, read from the API server
// at each scrape.
func observeCache(m *metrics.Registry, s *api.Server) {
	m.Cache(func() metrics.CacheStats {
		c := s.CacheStats()
		return metrics.CacheStats{Entries: c.Entries, MaxEntries: c.MaxEntries, Bytes: c.Bytes, MaxBytes: c.MaxBytes,
			Hits: c.Hits, Misses: c.Misses, Evictions: c.Evictions}
	})
}

// probes are the readiness probe's checks: the database answers, and
// the blob store answers (and, for a folder, takes files).
// A database in a folder (SQLite) and a blob folder also need room to
// write: a full disk fails them as insufficient storage.
func probes(db *storage.DB, blobs cms.BlobStore) []api.Probe {
	ps := []api.Probe{{Name: "database", Check: func(ctx context.Context) error {
		if err := db.Ping(ctx); err != nil {
			return err
		}
		if dir := db.Dir(); dir != "" {
			return storage.SpaceLeft(dir)
		}
		return nil
	}}}
	if p, ok := blobs.(cms.Pinger); ok {
		ps = append(ps, api.Probe{Name: "blobs", Check: func(ctx context.Context) error {
			if f, ok := blobs.(*storage.FolderStore); ok {
				if err := storage.SpaceLeft(f.Root()); err != nil {
					return err
				}
			}
			return p.Ping(ctx)
		}})
	}
	return ps
}
