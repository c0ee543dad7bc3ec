package api

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/tlhpf/cms/cms"
)

// faultEvery is how often a fault that keeps happening is logged: once
// when it starts and then at most this often, with how many requests it
// failed meanwhile, so that an outage does not flood the log.
const faultEvery = 10 * time.Second

// faultLog rate-limits the log lines of faults (database, disk, object
// store), one limit per fault code.
type faultLog struct {
	mu   sync.Mutex
	last map[string]time.Time
	held map[string]int
}

// log writes a warning about the fault unless one of the same code was
// written within faultEvery; those held back are counted in the next.
func (f *faultLog) log(ctx context.Context, log *slog.Logger, e *cms.Error, attrs ...slog.Attr) {
	f.mu.Lock()
	if f.last == nil {
		f.last, f.held = map[string]time.Time{}, map[string]int{}
	}
	now := time.Now()
	if now.Sub(f.last[e.Code]) < faultEvery {
		f.held[e.Code]++
		f.mu.Unlock()
		return
	}
	held := f.held[e.Code]
	f.last[e.Code], f.held[e.Code] = now, 0
	f.mu.Unlock()
	args := []any{slog.String("code", e.Code), slog.Int("suppressed", held), slog.Any("error", e.Err)}
	for _, a := range attrs {
		args = append(args, a)
	}
	log.WarnContext(ctx, "request failed: "+e.Code, args...)
}

// classify names a fault among errors without a code (Options.Classify).
func (s *Server) classify(err error) error {
	if s.opts.Classify == nil {
		return err
	}
	return s.opts.Classify(err)
}
