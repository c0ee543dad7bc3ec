package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/tlhpf/cms/cms"
)

// Run runs the background workers until ctx ends: the backfill of the
// content API's stored documents (once, at start), the scheduler (at once
// when a revision is cleared, and every SchedulerInterval), the integrity
// patrol (at start and every PatrolInterval, hourly by default), the media
// garbage collector, the purge of expired sessions (hourly), the watcher
// of changes other server processes make, and the workers that carry
// events out (RunEvents), and the usage statistics' flush and purge
// (RunStats). Call it once.
func (a *App) Run(ctx context.Context) {
	sched := newScheduler(a.Services.Workflow, a.cfg.SchedulerInterval, a.log)
	a.Services.Bus.Subscribe(func(n cms.Notice) {
		if n.Revision != nil && n.Revision.State == cms.StateScheduled {
			sched.poke()
		}
	})
	var wg sync.WaitGroup
	wg.Go(func() { backfillDocuments(ctx, a.Services.Workflow, a.log) })
	wg.Go(func() { sched.run(ctx) })
	wg.Go(func() { patrolEvery(ctx, a.Services.Patrol, a.cfg.PatrolInterval, a.log) })
	wg.Go(func() { collectGarbage(ctx, a.Services.Media, a.cfg.MediaGrace, a.log) })
	wg.Go(func() { purgeSessions(ctx, a.Services.Auth, time.Hour, a.log) })
	wg.Go(func() { archiveMonthly(ctx, a.Services.Archive, time.Hour, a.log) })
	wg.Go(func() { a.WatchChanges(ctx) })
	wg.Go(func() { a.RunEvents(ctx) })
	wg.Go(func() { a.RunStats(ctx) })
	wg.Go(func() { watchClock(ctx, a.cfg.Clock, time.Minute, a.log) })
	wg.Wait()
}

// watchClock warns when the wall clock has stepped away from the steady
// clock the services use: nothing follows the step until the server
// restarts, which the operator should know.
func watchClock(ctx context.Context, clock cms.Clock, every time.Duration, log *slog.Logger) {
	steady, ok := clock.(*cms.SteadyClock)
	if !ok {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	var told time.Duration
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		d := steady.Drift().Round(time.Second)
		if (d > 2*time.Second || d < -2*time.Second) && (d-told > time.Second || told-d > time.Second) {
			told = d
			log.Warn("the wall clock stepped away from the server's steady clock; publications, expiries, sessions and "+
				"audit times keep the steady clock until the server restarts", slog.Duration("wall_minus_steady", d))
		}
	}
}

// WatchChanges publishes a notice on the bus whenever another process
// changes public content in the database, until ctx ends, so that this
// process's caches follow.
func (a *App) WatchChanges(ctx context.Context) {
	a.DB.WatchContent(ctx, a.cfg.WatchInterval, func() { a.Services.Bus.Publish(cms.Notice{}) }, a.log)
}

// scheduler publishes cleared revisions when their time comes and archives
// expired ones. It runs at start (catching up after downtime), on every
// tick, and at once when a revision is cleared.
type scheduler struct {
	flow     *cms.WorkflowService
	interval time.Duration
	log      *slog.Logger
	wake     chan struct{}
}

func newScheduler(flow *cms.WorkflowService, interval time.Duration, log *slog.Logger) *scheduler {
	return &scheduler{flow: flow, interval: interval, log: log, wake: make(chan struct{}, 1)}
}

func (s *scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run works until ctx ends.
func (s *scheduler) run(ctx context.Context) {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		published, archived, err := s.flow.RunScheduler(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("scheduler", slog.Any("error", err))
		case published+archived > 0:
			s.log.Info("scheduler", slog.Int("published", published), slog.Int("archived", archived))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// backfillDocuments stores the content API's documents in projection rows
// written before publication stored them. Reads of those rows build them
// meanwhile, so it runs beside the server rather than delaying its start.
func backfillDocuments(ctx context.Context, flow *cms.WorkflowService, log *slog.Logger) {
	start := time.Now()
	n, err := flow.BackfillDocuments(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		log.Error("store the content API's documents", slog.Any("error", err), slog.Int("rows", n))
	case n > 0:
		log.Info("stored the content API's documents of rows written before", slog.Int("rows", n),
			slog.Duration("took", time.Since(start)))
	}
}

// collectGarbage removes unreferenced blobs every few hours.
func collectGarbage(ctx context.Context, media *cms.MediaService, grace time.Duration, log *slog.Logger) {
	t := time.NewTicker(6 * time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, freed, err := media.CollectGarbage(ctx, grace)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("media garbage collection", slog.Any("error", err))
		case n > 0:
			log.Info("media garbage collection", slog.Int("blobs", n), slog.Int64("bytes", freed))
		}
	}
}

// patrolEvery runs the integrity patrol at start and then every interval.
// Each run anchors the audit chain's head in the anchor file, and the log
// keeps a second copy of the anchor.
func patrolEvery(ctx context.Context, patrol *cms.PatrolService, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		r, err := patrol.RunScheduled(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("integrity patrol", slog.Any("error", err))
		case err == nil && unchecked(r) == len(r.Problems) && len(r.Problems) > 0:
			log.Warn("integrity patrol could not check every file: the file store did not serve them",
				slog.Int("unchecked", len(r.Problems)), slog.Int64("report", r.ID))
		case err == nil && len(r.Problems) > 0:
			log.Warn("integrity patrol found tampered content", slog.Int("problems", len(r.Problems)-unchecked(r)),
				slog.Int("unchecked", unchecked(r)), slog.Int64("report", r.ID))
		case err == nil:
			log.Info("integrity patrol", slog.Int("revisions", r.Revisions), slog.Int("attachments", r.Attachments),
				slog.Int("public_rows", r.PublicRows), slog.Int("structure_rows", r.Structure))
		}
		if err == nil && r.Anchor != nil {
			log.Info("audit anchor", slog.String("anchor", r.Anchor.String()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// unchecked counts the files a patrol could not check.
func unchecked(r *cms.PatrolReport) int {
	n := 0
	for _, p := range r.Problems {
		if p.Kind == cms.KindUnchecked {
			n++
		}
	}
	return n
}

// purgeSessions deletes expired sessions at start and then every interval.
func purgeSessions(ctx context.Context, auth *cms.AuthService, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := auth.PurgeSessions(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("session purge", slog.Any("error", err))
		case n > 0:
			log.Info("session purge", slog.Int("sessions", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// archiveMonthly writes the periodic archive's package of the month before
// (第十一条) at start and then every interval, once the month has turned;
// of several server processes only the one that claims a month writes it.
// A package that failed is written again on the next run, up to
// cms.ArchiveAttempts times; each failure notifies 信息科 and the auditors.
func archiveMonthly(ctx context.Context, svc *cms.ArchiveService, interval time.Duration, log *slog.Logger) {
	if svc.Schedule == cms.ArchiveScheduleOff {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		p, err := svc.RunMonthly(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("periodic archive", slog.Any("error", err))
		case p != nil && p.State == cms.PackageVerified:
			log.Info("periodic archive written and verified", slog.String("period", p.Period), slog.String("sha256", p.BlobKey),
				slog.Int64("bytes", p.Size), slog.Int("items", p.Items))
		case p != nil:
			log.Error("periodic archive failed", slog.String("period", p.Period), slog.Int("attempt", p.Attempts),
				slog.Int("max_attempts", cms.ArchiveAttempts), slog.Any("problems", p.Problems))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
