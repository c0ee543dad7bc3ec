package cms_test

import (
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
)

// TestSteadyClockIgnoresSteps: a step of the wall clock either way moves
// neither the steady clock nor the order of its readings; Drift reports it.
func TestSteadyClockIgnoresSteps(t *testing.T) {
	wall := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	var mono time.Duration
	c := cms.NewSteadyClockFrom(func() time.Time { return wall.Add(mono) }, func() time.Duration { return mono })
	start := c.Now()
	if !start.Equal(wall) || c.Drift() != 0 {
		t.Fatalf("start: %s, drift %s", start, c.Drift())
	}
	mono = time.Minute
	wall = wall.Add(-time.Hour) // stepped back an hour
	if got := c.Now(); !got.Equal(start.Add(time.Minute)) || c.Drift() != -time.Hour {
		t.Fatalf("after a step back: %s, drift %s", got, c.Drift())
	}
	wall = wall.Add(3 * time.Hour) // and forward two hours past the truth
	mono = 2 * time.Minute
	if got := c.Now(); !got.Equal(start.Add(2*time.Minute)) || c.Drift() != 2*time.Hour {
		t.Fatalf("after a step forward: %s, drift %s", got, c.Drift())
	}
	real := cms.NewSteadyClock()
	a := real.Now()
	if d := real.Drift(); d > time.Second || d < -time.Second {
		t.Errorf("a fresh steady clock drifts %s", d)
	}
	if b := real.Now(); b.Before(a) {
		t.Errorf("the steady clock ran backwards: %s then %s", a, b)
	}
}
