package api_test

import (
	"testing"
	"time"
)

func (e *env) expiredSessions(t testing.TB) int {
	t.Helper()
	var n int
	if err := e.db.Bun().NewRaw("SELECT COUNT(*) FROM sessions WHERE expires_at <= ?", e.clock.Now()).Scan(t.Context(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestExpiredSessionsArePurged: expired sessions do not pile up: a login
// removes its user's expired ones, and the periodic purge everyone's.
func TestExpiredSessionsArePurged(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, "often", "office", role{"editor", "office"})
	e.user(t, "seldom", "office", role{"editor", "office"})
	e.login("often", testPassword)
	e.clock.Advance(13 * time.Hour)
	if n := e.expiredSessions(t); n != 5 { // admin, admin2, often twice, seldom
		t.Fatalf("%d expired sessions before the purge, want 5", n)
	}
	e.login("often", testPassword)
	if n := e.expiredSessions(t); n != 3 {
		t.Errorf("%d expired sessions after often logged in again, want 3 (admin, admin2, seldom)", n)
	}
	if n, err := e.svc.Auth.PurgeSessions(t.Context()); err != nil || n != 3 {
		t.Errorf("purge removed %d: %v", n, err)
	}
	if n := e.expiredSessions(t); n != 0 {
		t.Errorf("%d expired sessions after the purge", n)
	}
}
