package cms

import "time"

// SteadyClock is the wall clock as it read when the clock was made,
// advanced by the monotonic clock since. A step of the wall clock (an NTP
// correction, an operator's date -s) moves neither it nor anything timed
// by it: a scheduled publication is neither published early by a step
// forwards nor held back by a step backwards, a session expires after
// its time to live whatever the wall clock does meanwhile, and the audit
// log's times never run backwards. The wall clock's slow corrections
// (slewing) reach it, as the monotonic clock follows them. A step is
// adopted when the server restarts; until then Drift says how far the
// wall clock has moved away, for the operator's log.
type SteadyClock struct {
	base time.Time            // the wall clock's reading at the start
	wall func() time.Time     // the wall clock
	mono func() time.Duration // monotonic time since the start
}

// NewSteadyClock starts a steady clock at the wall clock's current time.
func NewSteadyClock() *SteadyClock {
	start := time.Now()
	return &SteadyClock{base: start.Round(0), wall: time.Now, mono: func() time.Duration { return time.Since(start) }}
}

// NewSteadyClockFrom is NewSteadyClock over other sources of wall and
// monotonic time, for tests that step the wall clock.
func NewSteadyClockFrom(wall func() time.Time, mono func() time.Duration) *SteadyClock {
	return &SteadyClock{base: wall().Round(0).Add(-mono()), wall: wall, mono: mono}
}

// Now returns the steady time in UTC to the microsecond, as SystemClock.
func (c *SteadyClock) Now() time.Time {
	return c.base.Add(c.mono()).UTC().Truncate(time.Microsecond)
}

// Drift returns how far the wall clock has stepped away from the steady
// clock (positive: the wall clock is ahead).
func (c *SteadyClock) Drift() time.Duration {
	return c.wall().Round(0).Sub(c.base.Add(c.mono()))
}
