package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
)

func TestApplyTransitionStoresEverythingTogether(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	it, rev := mustItem(t, db, ed, "news", "标题", "")
	seq := auditSeq(t, db)
	c := step(it, rev, cms.EventSubmit, cms.StateDeptReview)
	c.Revision.SubmittedBy = ed.ID
	c.Transition.Comment = "请审核"
	mustApply(t, db, it, rev, c)

	got, _ := db.Revision(ctx, rev.ID)
	if got.State != cms.StateDeptReview || got.Version != 2 || got.SubmittedBy != ed.ID || !got.StateSince.Equal(c.Revision.StateSince) {
		t.Errorf("revision after submit: %+v", got)
	}
	if gotIt, _ := db.Item(ctx, it.ID); gotIt.State != cms.StateDeptReview {
		t.Errorf("item state %s, want its head's dept_review", gotIt.State)
	}
	ts, err := db.Transitions(ctx, cms.TransitionFilter{RevisionID: rev.ID})
	if err != nil || len(ts) != 1 {
		t.Fatalf("transitions: %+v %v", ts, err)
	}
	if tr := ts[0]; tr.Event != cms.EventSubmit || tr.From != cms.StateDraft || tr.To != cms.StateDeptReview ||
		tr.Version != 2 || tr.ActorID != ed.ID || tr.Comment != "请审核" || tr.ItemID != it.ID || !tr.At.Equal(c.Transition.At) {
		t.Errorf("transition %+v", tr)
	}
	if e := lastAudit(t, db); e.Seq != seq+1 || e.Action != cms.AuditTransition || e.Subject != "revision:"+itoa(rev.ID) {
		t.Errorf("audit entry %+v after %d", e, seq)
	}
}

// TestFailedTransitionLeavesNoTrace breaks a change at each of its
// compare-and-set points, and after its audit entry was appended: nothing
// of it may remain, above all no audit entry for a change that did not happen.
func TestFailedTransitionLeavesNoTrace(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		spoil func(c *cms.Change)
		code  string
	}{
		{"stale version", func(c *cms.Change) { c.FromVersion-- }, cms.ECONFLICT},
		{"wrong state", func(c *cms.Change) { c.FromState = cms.StateDeptReview }, cms.ECONFLICT},
		{"live revision moved", func(c *cms.Change) { c.PrevLive = c.Revision.ID + 100 }, cms.ECONFLICT},
		{"retired revision moved", func(c *cms.Change) {
			c.Retire, c.RetireFrom, c.RetireState = &cms.Revision{ID: c.Revision.ID + 100}, cms.StatePublished, cms.StateSuperseded
		}, cms.ECONFLICT},
		{"projection fails after the audit append", func(c *cms.Change) {
			c.Public = &cms.PublicItem{ItemID: c.Item.ID, Column: c.Item.Column, RevisionID: c.Revision.ID + 100}
			c.PublicChanged = true
		}, cms.EINTERNAL},
		{"findings saved, then the projection fails", func(c *cms.Change) {
			c.Findings, c.Scanned = []cms.Finding{{Kind: cms.FindingMobile, Field: "body", Severity: cms.SeverityBlocking}}, true
			c.Public = &cms.PublicItem{ItemID: c.Item.ID, Column: c.Item.Column, RevisionID: c.Revision.ID + 100}
			c.PublicChanged = true
		}, cms.EINTERNAL},
	}
	// One database, the cases one after the other: each checks that the
	// audit log and the change log did not move.
	db, ed := openDB(t)
	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			it, rev := mustItem(t, db, ed, "news", "标题", "正文")
			seq, version := auditSeq(t, db), mustVersion(t, db)
			ch := step(it, rev, cms.EventSubmit, cms.StateDeptReview)
			c.spoil(ch)
			wantCode(t, db.ApplyTransition(ctx, ch), c.code)
			got, _ := db.Revision(ctx, rev.ID)
			gotIt, _ := db.Item(ctx, it.ID)
			ts, _ := db.Transitions(ctx, cms.TransitionFilter{ItemID: it.ID})
			fs, _ := db.Findings(ctx, rev.ID)
			if got.State != cms.StateDraft || got.Version != 1 || gotIt.State != cms.StateDraft || len(ts) != 0 || len(fs) != 0 {
				t.Errorf("after a failed change: revision %s v%d, item %s, %d transitions, %d findings",
					got.State, got.Version, gotIt.State, len(ts), len(fs))
			}
			if auditSeq(t, db) != seq || mustVersion(t, db) != version {
				t.Error("a failed change left an audit entry or a public change")
			}
		})
	}
}

func mustVersion(tb testing.TB, db *storage.DB) int64 {
	tb.Helper()
	v, err := db.ContentVersion(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func TestConcurrentTransitionsOneWins(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	it, rev := mustItem(t, db, ed, "news", "标题", "")
	mustFire(t, db, it, rev, cms.EventSubmit, cms.StateDeptReview)
	approve := step(it, rev, cms.EventApprove, cms.StateLeadershipSignoff)
	reject := step(it, rev, cms.EventReject, cms.StateDraft)
	errs := race(func() error { return db.ApplyTransition(ctx, approve) }, func() error { return db.ApplyTransition(ctx, reject) })
	w := oneWinner(t, errs, cms.ECONFLICT)
	want := []*cms.Change{approve, reject}[w]
	got, _ := db.Revision(ctx, rev.ID)
	ts, _ := db.Transitions(ctx, cms.TransitionFilter{RevisionID: rev.ID})
	if got.State != want.Revision.State || got.Version != 3 || len(ts) != 2 || ts[1].Event != want.Transition.Event {
		t.Errorf("winner %s, stored %s v%d with %d transitions", want.Transition.Event, got.State, got.Version, len(ts))
	}
}

func TestPublishSupersedesAndArchiveTakesOffline(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	it, first := mustItem(t, db, ed, "news", "第一版", "")
	mustPublish(t, db, it, first, tick())
	second := mustNewHead(t, db, it, first, "第二版")
	// A transition of the live revision while a newer head exists leaves
	// the item's state to the head.
	mustFire(t, db, it, first, cms.EventSuspend, cms.StateSuspended)
	if got, _ := db.Item(ctx, it.ID); got.State != cms.StateDraft || got.LiveRevisionID != first.ID {
		t.Errorf("suspending the live revision: item %s live %d, want draft live %d", got.State, got.LiveRevisionID, first.ID)
	}
	mustFire(t, db, it, first, cms.EventRestore, cms.StatePublished)
	mustPublish(t, db, it, second, tick())
	old, _ := db.Revision(ctx, first.ID)
	gotIt, _ := db.Item(ctx, it.ID)
	if old.State != cms.StateSuperseded || old.Version != first.Version+1 || gotIt.LiveRevisionID != second.ID || gotIt.State != cms.StatePublished {
		t.Errorf("after the second publication: old %s v%d, item live %d %s", old.State, old.Version, gotIt.LiveRevisionID, gotIt.State)
	}
	if p, err := db.PublicItem(ctx, it.ID); err != nil || p.RevisionID != second.ID || p.Title != "第二版" {
		t.Errorf("projection %+v %v", p, err)
	}
	mustTakeDown(t, db, it, second)
	gotIt, _ = db.Item(ctx, it.ID)
	if gotIt.LiveRevisionID != 0 || gotIt.PublishedAt.IsZero() {
		t.Errorf("archived item: live %d first published %v", gotIt.LiveRevisionID, gotIt.PublishedAt)
	}
	_, err := db.PublicItem(ctx, it.ID)
	wantCode(t, err, cms.ENOTFOUND)
}

func TestTransitionsFilter(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	head := mustUser(t, db, "head", "office", cms.RoleBinding{Role: cms.RoleDeptHead, Department: "office"})
	it, rev := mustItem(t, db, ed, "news", "甲", "")
	other, otherRev := mustItem(t, db, ed, "news", "乙", "")
	mustFire(t, db, it, rev, cms.EventSubmit, cms.StateDeptReview)
	c := step(it, rev, cms.EventReject, cms.StateDraft)
	c.Transition.ActorID = head.ID
	mustApply(t, db, it, rev, c)
	mustFire(t, db, it, rev, cms.EventSubmit, cms.StateDeptReview)
	mustFire(t, db, other, otherRev, cms.EventSubmit, cms.StateDeptReview)
	list := func(f cms.TransitionFilter) []cms.Event {
		ts, err := db.Transitions(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []cms.Event
		for _, tr := range ts {
			out = append(out, tr.Event)
		}
		return out
	}
	all, _ := db.Transitions(ctx, cms.TransitionFilter{})
	cases := []struct {
		name   string
		filter cms.TransitionFilter
		want   []cms.Event
	}{
		{"revision, oldest first", cms.TransitionFilter{RevisionID: rev.ID}, []cms.Event{"submit", "reject", "submit"}},
		{"current cycle", cms.TransitionFilter{RevisionID: rev.ID, CurrentCycle: true}, []cms.Event{"submit"}},
		{"current cycle of a never submitted revision", cms.TransitionFilter{RevisionID: rev.ID + 1000, CurrentCycle: true}, nil},
		{"item", cms.TransitionFilter{ItemID: other.ID}, []cms.Event{"submit"}},
		{"actor", cms.TransitionFilter{ActorID: head.ID}, []cms.Event{"reject"}},
		{"newest first page", cms.TransitionFilter{Limit: 2}, []cms.Event{"submit", "submit"}},
		{"page before", cms.TransitionFilter{Limit: 2, Before: all[2].ID}, []cms.Event{"reject", "submit"}},
		{"page before the first", cms.TransitionFilter{Limit: 2, Before: all[0].ID}, nil},
	}
	for _, c := range cases {
		if got := list(c.filter); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestPending(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	a, aRev := mustItem(t, db, ed, "news", "甲", "")
	b, bRev := mustItem(t, db, ed, "policies-general", "乙", "")
	c, cRev := mustItem(t, db, ed, "news", "丙", "")
	mustItem(t, db, ed, "news", "草稿", "")
	mustFire(t, db, b, bRev, cms.EventSubmit, cms.StateDeptReview) // b waits longest
	mustFire(t, db, a, aRev, cms.EventSubmit, cms.StateDeptReview)
	mustSchedule(t, db, c, cRev)
	cases := []struct {
		name   string
		states []cms.State
		column string
		want   []int64
	}{
		{"one state, oldest first", []cms.State{cms.StateDeptReview}, "", []int64{b.ID, a.ID}},
		{"several states", []cms.State{cms.StateDeptReview, cms.StateScheduled}, "", []int64{b.ID, a.ID, c.ID}},
		{"column", []cms.State{cms.StateDeptReview, cms.StateScheduled}, "news", []int64{a.ID, c.ID}},
		{"nothing waits", []cms.State{cms.StateSecrecyReview}, "", nil},
	}
	for _, k := range cases {
		ps, err := db.Pending(ctx, cms.PendingFilter{States: k.states, Column: k.column})
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, p := range ps {
			got = append(got, p.Item.ID)
			if p.Revision.ItemID != p.Item.ID || p.Item.Title == "" {
				t.Errorf("%s: pending %+v lacks its item", k.name, p)
			}
		}
		if !slices.Equal(got, k.want) {
			t.Errorf("%s: got %v, want %v", k.name, got, k.want)
		}
	}
	// A page at a time, from a position in the order.
	all := []cms.State{cms.StateDeptReview, cms.StateScheduled}
	first, err := db.Pending(ctx, cms.PendingFilter{States: all, Limit: 2})
	if err != nil || len(first) != 2 || first[0].Item.ID != b.ID || first[1].Item.ID != a.ID {
		t.Fatalf("first page: %+v %v", first, err)
	}
	last := first[1].Revision
	rest, err := db.Pending(ctx, cms.PendingFilter{States: all, AfterSince: last.StateSince, AfterID: last.ID, Limit: 2})
	if err != nil || len(rest) != 1 || rest[0].Item.ID != c.ID {
		t.Fatalf("second page: %+v %v", rest, err)
	}
	cycles, err := db.CurrentCycles(ctx, []int64{aRev.ID, bRev.ID, cRev.ID})
	if err != nil || len(cycles[aRev.ID]) != 1 || cycles[aRev.ID][0].Event != cms.EventSubmit || len(cycles[cRev.ID]) < 2 {
		t.Fatalf("current cycles: %+v %v", cycles, err)
	}
	editors, err := db.EditorsOf(ctx, []int64{aRev.ID, bRev.ID})
	if err != nil || len(editors[aRev.ID]) != 1 || len(editors[bRev.ID]) != 1 {
		t.Fatalf("editors: %+v %v", editors, err)
	}
}

func TestDueToPublishAndArchive(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	now := t0.Add(time.Hour)
	scheduled := func(title string, publishAt, expireAt time.Time) *cms.Revision {
		it, rev := newItem(t, db, ed, "news", title, "")
		rev.PublishAt, rev.ExpireAt = publishAt, expireAt
		if err := db.CreateItem(context.Background(), it, rev, note(cms.AuditItemCreated, "")); err != nil {
			t.Fatal(err)
		}
		mustSchedule(t, db, it, rev)
		return rev
	}
	release := func(title string, publishAt, releaseAt time.Time) *cms.Revision {
		it, rev := newItem(t, db, ed, "news", title, "")
		rev.PublishAt = publishAt
		if err := db.CreateItem(context.Background(), it, rev, note(cms.AuditItemCreated, "")); err != nil {
			t.Fatal(err)
		}
		mustSchedule(t, db, it, rev)
		c := step(it, rev, cms.EventRelease, cms.StateScheduled)
		c.Revision.ReleasedBy, c.Revision.ReleaseAt = ed.ID, releaseAt
		mustApply(t, db, it, rev, c)
		return rev
	}
	asap := scheduled("立即", time.Time{}, time.Time{})
	due := scheduled("到点", now, time.Time{})
	scheduled("明天", now.Add(24*time.Hour), time.Time{})
	// A publisher's time overrides publish_at, later or earlier.
	released := release("信息科定时", now.Add(24*time.Hour), now.Add(-time.Minute))
	release("信息科推迟", now, now.Add(time.Hour))
	ids, err := db.DueToPublish(context.Background(), now, true)
	if err != nil || !slices.Equal(ids, []int64{asap.ID, due.ID, released.ID}) {
		t.Errorf("due to publish (auto): %v %v, want %d, %d and %d", ids, err, asap.ID, due.ID, released.ID)
	}
	ids, err = db.DueToPublish(context.Background(), now, false)
	if err != nil || !slices.Equal(ids, []int64{released.ID}) {
		t.Errorf("due to publish (信息科 publishes): %v %v, want only %d", ids, err, released.ID)
	}
	if got, err := db.Revision(context.Background(), released.ID); err != nil || got.ReleasedBy != ed.ID || !got.ReleaseAt.Equal(now.Add(-time.Minute)) {
		t.Errorf("release kept: %+v %v", got, err)
	}

	live := func(title string, expireAt time.Time) *cms.Revision {
		it, rev := newItem(t, db, ed, "news", title, "")
		rev.ExpireAt = expireAt
		if err := db.CreateItem(context.Background(), it, rev, note(cms.AuditItemCreated, "")); err != nil {
			t.Fatal(err)
		}
		mustPublish(t, db, it, rev, tick())
		return rev
	}
	expired := live("过期", now)
	live("永久", time.Time{})
	live("后天", now.Add(48*time.Hour))
	ids, err = db.DueToArchive(context.Background(), now)
	if err != nil || !slices.Equal(ids, []int64{expired.ID}) {
		t.Errorf("due to archive: %v %v, want %d", ids, err, expired.ID)
	}
}

func TestSignoffChain(t *testing.T) {
	t.Parallel()
	db, _ := openDB(t)
	ctx := context.Background()
	chain, err := db.SignoffChain(ctx, "news")
	if err != nil || !slices.Equal(chain, cms.DefaultSignoffChain) {
		t.Fatalf("unset chain: %v %v, want the default", chain, err)
	}
	for _, want := range [][]cms.Role{{cms.RoleDirector}, {cms.RoleDirector, cms.RoleLeader}} {
		seq := auditSeq(t, db)
		if err := db.SetSignoffChain(ctx, "news", want, note(cms.AuditSignoffChain, "column:news")); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.SignoffChain(ctx, "news"); !slices.Equal(got, want) {
			t.Errorf("chain %v, want %v", got, want)
		}
		if auditSeq(t, db) != seq+1 {
			t.Error("setting a chain appended no audit entry")
		}
	}
	if got, _ := db.SignoffChain(ctx, "policies-general"); !slices.Equal(got, cms.DefaultSignoffChain) {
		t.Errorf("another column's chain changed to %v", got)
	}
	// The service checks the column first; the store only has to refuse.
	seq := auditSeq(t, db)
	if err := db.SetSignoffChain(ctx, "no-such-column", []cms.Role{cms.RoleDirector}, note(cms.AuditSignoffChain, "")); err == nil || auditSeq(t, db) != seq {
		t.Errorf("chain of an unknown column: %v, %d audit entries", err, auditSeq(t, db)-seq)
	}
}
