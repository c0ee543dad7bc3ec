package app

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"syscall"
	"testing"
)

func TestFaultLinesAreThinned(t *testing.T) {
	var buf bytes.Buffer
	log := thinFaults(slog.New(slog.NewTextHandler(&buf, nil)))
	refused := errors.Join(errors.New("dial tcp 127.0.0.1:5432"), syscall.ECONNREFUSED)
	for range 50 {
		log.Error("dispatch events", slog.Any("error", refused))
		log.Error("claim webhook deliveries", slog.Any("error", refused))
		log.Error("a bug", slog.Any("error", errors.New("index out of range")))
	}
	out := buf.String()
	if n := strings.Count(out, "dispatch events"); n != 1 {
		t.Errorf("%d lines of the same fault within 10s, want 1:\n%s", n, out)
	}
	if n := strings.Count(out, "claim webhook deliveries"); n != 1 {
		t.Errorf("another worker's fault: %d lines, want 1", n)
	}
	if n := strings.Count(out, "a bug"); n != 50 {
		t.Errorf("errors that are not faults were thinned: %d of 50", n)
	}
	if !strings.Contains(out, "fault=database_unavailable") {
		t.Errorf("the line does not name the fault:\n%s", out)
	}
}
