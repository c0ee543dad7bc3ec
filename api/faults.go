package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/tlhpf/cms/cms"
)

// faultLog writes a warning about a fault (database, disk, object
// store) that failed a request, thinned out by its gate: once when it
// starts and then at most every 10s, with how many were held back.
type faultLog struct{ gate cms.FaultGate }

func (f *faultLog) log(ctx context.Context, log *slog.Logger, e *cms.Error, attrs ...slog.Attr) {
	held, ok := f.gate.Allow(e.Code, time.Now())
	if !ok {
		return
	}
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
