package app

import (
	"context"
	"log/slog"
	"time"
)

// statsPurgeEvery is how often counts past their retention are deleted.
const statsPurgeEvery = 6 * time.Hour

// statsLastFlush bounds the flush when the server stops.
const statsLastFlush = 10 * time.Second

// RunStats adds the usage counts made in memory to the database every
// StatsFlush, and once more when ctx ends, so that a server that stops
// loses none; it deletes counts past StatsRetention at start and every
// few hours. It returns when ctx ends.
func (a *App) RunStats(ctx context.Context) {
	flush := time.NewTicker(a.cfg.StatsFlush)
	defer flush.Stop()
	purge := time.NewTicker(statsPurgeEvery)
	defer purge.Stop()
	a.purgeStats(ctx)
	for {
		select {
		case <-ctx.Done():
			last, cancel := context.WithTimeout(context.WithoutCancel(ctx), statsLastFlush)
			defer cancel()
			a.FlushStats(last)
			return
		case <-flush.C:
			a.FlushStats(ctx)
		case <-purge.C:
			a.purgeStats(ctx)
		}
	}
}

// FlushStats adds the counts made in memory to the database now; counts
// that cannot be written are kept for the next flush.
func (a *App) FlushStats(ctx context.Context) {
	if _, err := a.Services.Reports.Flush(ctx); err != nil {
		a.log.Error("usage statistics: flush", slog.Any("error", err))
	}
}

func (a *App) purgeStats(ctx context.Context) {
	n, err := a.Services.Reports.Purge(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		a.log.Error("usage statistics: purge", slog.Any("error", err))
	case n > 0:
		a.log.Info("usage statistics: purged counts past their retention", slog.Int64("rows", n))
	}
}
