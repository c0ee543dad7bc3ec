package cms_test

import (
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
)

func TestFaultGateThinsReports(t *testing.T) {
	g := &cms.FaultGate{Every: 10 * time.Second}
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	if held, ok := g.Allow(cms.EDBDOWN, t0); !ok || held != 0 {
		t.Fatalf("first report: %v %d", ok, held)
	}
	for i := 1; i <= 5; i++ {
		if _, ok := g.Allow(cms.EDBDOWN, t0.Add(time.Duration(i)*time.Second)); ok {
			t.Fatalf("report %d within 10s passed", i)
		}
	}
	if _, ok := g.Allow(cms.ENOSPACE, t0.Add(time.Second)); !ok {
		t.Error("another fault's first report was held back")
	}
	if held, ok := g.Allow(cms.EDBDOWN, t0.Add(10*time.Second)); !ok || held != 5 {
		t.Fatalf("after 10s: %v, %d held back, want 5", ok, held)
	}
}
