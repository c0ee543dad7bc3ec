package cms

import (
	"sync"
	"time"
)

// FaultGate thins out the reports of a fault that keeps happening (the
// database away, a full disk): the first report of each code passes, then
// at most one every Every, which learns how many were held back since.
// An outage then costs the log a line every few seconds, not one a request.
type FaultGate struct {
	Every time.Duration // 0: 10s

	mu   sync.Mutex
	last map[string]time.Time
	held map[string]int
}

// Allow reports whether a report of code may pass at now, and how many
// were held back since the last that passed.
func (g *FaultGate) Allow(code string, now time.Time) (held int, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.last == nil {
		g.last, g.held = map[string]time.Time{}, map[string]int{}
	}
	every := g.Every
	if every == 0 {
		every = 10 * time.Second
	}
	if last, seen := g.last[code]; seen && now.Sub(last) < every {
		g.held[code]++
		return 0, false
	}
	held = g.held[code]
	g.last[code], g.held[code] = now, 0
	return held, true
}
