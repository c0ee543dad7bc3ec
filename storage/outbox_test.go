package storage_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// TestEventsRideWithTheirChange: a change's events are written in its
// transaction (none when it fails), the hook hears of them only after the
// commit, and entries nobody outside needs (a failed login that locked
// nothing, an edit) record none.
func TestEventsRideWithTheirChange(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	var told atomic.Int64
	db.OnEvents(func() { told.Add(1) })
	it, rev := mustItem(t, db, ed, "news", "标题", "正文")
	before := events(t, db, 0)

	c := step(it, rev, cms.EventSubmit, cms.StateDeptReview)
	stale := *c
	stale.FromVersion--
	wantCode(t, db.ApplyTransition(ctx, &stale), cms.ECONFLICT)
	if got := events(t, db, 0); len(got) != len(before) || told.Load() != 0 {
		t.Fatalf("a failed transition left events %+v (hook told %d times)", got[len(before):], told.Load())
	}
	mustApply(t, db, it, rev, c)
	got := events(t, db, 0)[len(before):]
	if len(got) != 1 || got[0].Type != "revision.submit" || got[0].RevisionID != rev.ID ||
		got[0].ActorID != ed.ID || got[0].AuditSeq != auditSeq(t, db) {
		t.Fatalf("events of a submit: %+v", got)
	}
	if told.Load() != 1 {
		t.Errorf("hook told %d times, want once", told.Load())
	}

	// A publication that supersedes nothing: the revision's event and the item's.
	mustFire(t, db, it, rev, cms.EventApprove, cms.StateLeadershipSignoff)
	pub := step(it, rev, cms.EventPublish, cms.StatePublished)
	pub.Audit = cms.NewAuditEntry(tick(), 0, cms.AuditTransition, "revision:"+itoa(rev.ID),
		map[string]any{"event": "publish", "item_id": it.ID, "public": "published"})
	mustApply(t, db, it, rev, pub)
	last := events(t, db, 0)
	last = last[len(last)-2:]
	if last[0].Type != "revision.publish" || last[1].Type != cms.ItemPublished || last[1].ItemID != it.ID || last[1].RevisionID != rev.ID ||
		last[0].ID+1 != last[1].ID || last[0].AuditSeq != last[1].AuditSeq {
		t.Errorf("events of a publication: %+v", last)
	}

	n := len(events(t, db, 0))
	if err := db.Append(ctx, cms.NewAuditEntry(tick(), ed.ID, cms.AuditLoginFailed, "user:1", map[string]any{"reason": "password"})); err != nil {
		t.Fatal(err)
	}
	if err := db.Append(ctx, cms.NewAuditEntry(tick(), ed.ID, cms.AuditRevisionEdited, "revision:1", nil)); err != nil {
		t.Fatal(err)
	}
	if got := events(t, db, 0); len(got) != n {
		t.Errorf("entries that are no events recorded %+v", got[n:])
	}
	if err := db.Append(ctx, cms.NewAuditEntry(tick(), 0, cms.AuditLoginFailed, "user:7",
		map[string]any{"reason": "password", "locked_until": "2026-03-02T10:00:00Z"})); err != nil {
		t.Fatal(err)
	}
	if got := events(t, db, int64(n)); len(got) != 1 || got[0].Type != cms.AccountLocked || got[0].UserID != 7 {
		t.Errorf("a lockout: %+v", got)
	}
}

// TestEventIDsFollowCommitOrder: with writers racing, events are numbered
// in the order their transactions committed (the order of their audit
// entries), so that a consumer's cursor never passes an event that has
// yet to commit.
func TestEventIDsFollowCommitOrder(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 10 {
				e := cms.NewAuditEntry(tick(), ed.ID, cms.AuditMaintenanceChanged, "channel:app", map[string]any{"n": i*100 + j})
				if err := db.Append(ctx, e); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	got := events(t, db, 0)
	if len(got) < 80 {
		t.Fatalf("%d events, want 80", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i].AuditSeq <= got[i-1].AuditSeq || got[i].ID <= got[i-1].ID {
			t.Fatalf("event %d (audit %d) follows event %d (audit %d)", got[i].ID, got[i].AuditSeq, got[i-1].ID, got[i-1].AuditSeq)
		}
		if got[i].Channel != "app" || got[i].Type != cms.MaintenanceChanged {
			t.Fatalf("event %+v", got[i])
		}
	}
}

// events returns every event after id after.
func events(tb testing.TB, db interface {
	Events(context.Context, int64, int) ([]cms.OutboxEvent, error)
}, after int64) []cms.OutboxEvent {
	tb.Helper()
	out, err := db.Events(context.Background(), after, 10000)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}
