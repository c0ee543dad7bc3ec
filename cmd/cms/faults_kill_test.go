package main

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestKilledUnderWritersLosesNothing kills the server with SIGKILL under
// four writers, starts it again on the same data, and checks that every
// write it acknowledged before dying is there, that the audit chain
// verifies, and how long the new process took to answer writes. On the
// suite's database (SQLite, or PostgreSQL with CMS_TEST_DB=postgres).
func TestKilledUnderWritersLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("a fault test: kills and restarts the server")
	}
	env := faultEnv(t, nil)
	p := startProcess(t, env)
	ctx, stop := context.WithCancel(context.Background())
	ty := newTally()
	wg := writers(ctx, 4, p.base, ty)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ty.mu.Lock()
		n := len(ty.acked)
		ty.mu.Unlock()
		if n >= 40 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d writes acknowledged in 60s", n)
		}
	}
	killed := time.Now()
	p.kill(t)
	time.Sleep(500 * time.Millisecond)
	p = startProcess(t, env) // the writers carry on against the new process, same address
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, ok := ty.recovered(killed, func(s int) bool { return s == http.StatusCreated }); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no write succeeded within 60s of the restart")
		}
	}
	time.Sleep(500 * time.Millisecond)
	stop()
	wg.Wait()
	back, _ := ty.recovered(killed, func(s int) bool { return s == http.StatusCreated })
	lost := ty.lost(t, p.base)
	seen, counts := ty.byStatus()
	t.Logf("SIGKILL under 4 writers: acknowledged %d, lost %d; answers: %s; writes again %.1fs after the kill; %s",
		len(ty.acked), len(lost), seen, back.Sub(killed).Seconds(), auditVerifies(t, env))
	if len(lost) > 0 {
		t.Errorf("acknowledged writes lost: %v", lost)
	}
	if counts[http.StatusInternalServerError] > 0 {
		t.Errorf("500s: %s", seen)
	}
}
