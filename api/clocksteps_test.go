package api_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
)

// TestWallClockStepsMoveNothing steps the wall clock an hour forwards and
// then two hours back (as NTP or an operator would) under the server's
// steady clock: a scheduled publication is neither published early nor
// held back, a session expires after its time to live and not at the
// step, and the audit log's times follow its order.
func TestWallClockStepsMoveNothing(t *testing.T) {
	t.Parallel()
	var wallOffset, mono atomic.Int64 // the wall clock's step and the monotonic time, in ns
	start := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	steady := cms.NewSteadyClockFrom(
		func() time.Time { return start.Add(time.Duration(mono.Load() + wallOffset.Load())) },
		func() time.Duration { return time.Duration(mono.Load()) })
	e := newEnvWith(t, func(c *app.Config) { c.Clock, c.Auth.SessionTTL = steady, 2*time.Hour })
	c := newChain(t, e)
	itemID, revID := e.completeGuide(t, c.editor)
	e.send(t, request{method: "PATCH", path: revisionPath(revID), token: c.editor, header: map[string]string{"If-Match": `"1"`},
		body: map[string]any{"publish_at": start.Add(30 * time.Minute).Format(time.RFC3339)}})
	// The publisher keeps the approved publish_at (第十条); the scheduler publishes then.
	for _, s := range []struct{ token, event string }{{c.editor, "submit"}, {c.head, "approve"}, {c.leader, "sign"}, {c.director, "sign"}, {c.secrecy, "clear"}, {c.publisher, "release"}} {
		e.fire(t, http.StatusOK, s.token, revID, s.event, "")
	}
	ctx := context.Background()
	wallOffset.Store(int64(time.Hour)) // the wall clock jumps an hour ahead
	if n, _, err := e.svc.Workflow.RunScheduler(ctx); n != 0 || err != nil {
		t.Fatalf("a step forwards published %d before publish_at (%v)", n, err)
	}
	if _, state := e.itemState(t, c.editor, itemID); state != "scheduled" {
		t.Fatalf("after a step forwards the revision is %s", state)
	}
	wallOffset.Store(int64(-time.Hour)) // and falls two hours back
	mono.Store(int64(31 * time.Minute))
	if n, _, err := e.svc.Workflow.RunScheduler(ctx); n != 1 || err != nil {
		t.Fatalf("after a step back the scheduler published %d at publish_at (%v)", n, err)
	}

	// Sessions: issued at 08:31 for two hours; the wall clock's steps do
	// not end it, its time to live does.
	token := e.login("editor", testPassword)
	wallOffset.Store(int64(5 * time.Hour))
	e.must(t, http.StatusOK, "GET", "/api/v1/me", token, nil)
	wallOffset.Store(int64(-5 * time.Hour))
	mono.Store(int64(31*time.Minute + 119*time.Minute))
	e.must(t, http.StatusOK, "GET", "/api/v1/me", token, nil)
	mono.Store(int64(31*time.Minute + 121*time.Minute))
	e.must(t, http.StatusUnauthorized, "GET", "/api/v1/me", token, nil)

	var ats []time.Time
	if err := e.db.Bun().NewRaw("SELECT at FROM audit_log ORDER BY seq").Scan(ctx, &ats); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(ats); i++ {
		if ats[i].Before(ats[i-1]) {
			t.Errorf("audit entry %d at %s, before the one before it (%s)", i+1, ats[i], ats[i-1])
		}
	}
}
