package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
)

// faultThinner is a log handler that thins out the lines of a fault that
// keeps happening: while the database is away every background worker
// (dispatcher, delivery pools, scheduler, change watcher) fails on each
// round, and the log would take several lines a second. A line whose
// error is a fault of the infrastructure (storage.Classify) passes once
// per message and fault code every 10s, with how many were held back.
type faultThinner struct {
	slog.Handler
	gate *cms.FaultGate
}

func thinFaults(log *slog.Logger) *slog.Logger {
	return slog.New(faultThinner{Handler: log.Handler(), gate: &cms.FaultGate{}})
}

func (h faultThinner) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return h.Handler.Handle(ctx, r) // faults are warnings and errors; the request log passes untouched
	}
	code := ""
	r.Attrs(func(a slog.Attr) bool {
		if err, ok := a.Value.Any().(error); ok && a.Key == "error" {
			if c := cms.ErrorCode(storage.Classify(err)); cms.Fault(c) {
				code = c
			}
			return false
		}
		return true
	})
	if code == "" {
		return h.Handler.Handle(ctx, r)
	}
	held, ok := h.gate.Allow(r.Message+"\x00"+code, time.Now())
	if !ok {
		return nil
	}
	r.AddAttrs(slog.String("fault", code), slog.Int("suppressed", held))
	return h.Handler.Handle(ctx, r)
}

func (h faultThinner) WithAttrs(as []slog.Attr) slog.Handler {
	return faultThinner{Handler: h.Handler.WithAttrs(as), gate: h.gate}
}

func (h faultThinner) WithGroup(name string) slog.Handler {
	return faultThinner{Handler: h.Handler.WithGroup(name), gate: h.gate}
}
