package storage_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
)

// mustFeature stores a submitted request of dept by u.
func mustFeature(t *testing.T, db *storage.DB, u *cms.User, dept, channel, title string) *cms.FeatureRequest {
	t.Helper()
	now := tick()
	r := &cms.FeatureRequest{Department: dept, Channel: channel, Title: title, Description: title + "：说明",
		State: cms.FeatureSubmitted, SubmittedBy: u.ID, SubmittedAt: now, UpdatedAt: now}
	n := &cms.FeatureNote{Kind: cms.NoteSubmitted, ActorID: u.ID, At: now}
	audit := cms.NewAuditEntry(now, u.ID, cms.AuditFeatureSubmitted, "feature_request:new", map[string]any{"title": title})
	if err := db.CreateFeatureRequest(context.Background(), r, n, audit); err != nil {
		t.Fatalf("create %q: %v", title, err)
	}
	if r.ID == 0 || n.ID == 0 || n.RequestID != r.ID {
		t.Fatalf("create %q: ids request %d, note %d of %d", title, r.ID, n.ID, n.RequestID)
	}
	return r
}

// featureStep moves a copy of r from its state to state by actor, with a
// history entry of kind and its audit entry, as the service does.
func featureStep(db *storage.DB, r *cms.FeatureRequest, actor int64, state, kind, comment string) (*cms.FeatureRequest, error) {
	now := tick()
	next := *r
	next.History = nil
	next.State, next.UpdatedAt = state, now
	switch kind {
	case cms.NoteApproved, cms.NoteRefused:
		next.DecidedBy, next.DecidedAt = actor, now
	case cms.NoteDone:
		next.DoneBy, next.DoneAt = actor, now
	}
	n := &cms.FeatureNote{Kind: kind, ActorID: actor, Comment: comment, At: now}
	audit := cms.NewAuditEntry(now, actor, "feature_"+kind, "feature_request:"+strconv.FormatInt(r.ID, 10), map[string]any{"from": r.State})
	return &next, db.RecordFeatureNote(context.Background(), &next, r.State, n, audit)
}

// TestFeatureRequestStoreCreatesAndLists: a request is stored with its
// first history entry and an audit entry naming it; the listing is newest
// first and narrows by state, department, a set of departments (an empty
// set reads nothing) and a limit.
func TestFeatureRequestStoreCreatesAndLists(t *testing.T) {
	t.Parallel()
	db, office := openDB(t)
	ctx := context.Background()
	coll := mustUser(t, db, "coll", "collection", cms.RoleBinding{Role: cms.RoleEditor, Department: "collection"})
	a := mustFeature(t, db, coll, "collection", cms.FeatureChannelApp, "提取进度查询")
	b := mustFeature(t, db, office, "office", cms.FeatureChannelWeChat, "公众号菜单调整")
	c := mustFeature(t, db, coll, "collection", cms.FeatureChannelBoth, "贷款进度推送")
	leader := mustUser(t, db, "leader", "office", cms.RoleBinding{Role: cms.RoleLeader, Department: "collection"})
	if _, err := featureStep(db, c, leader.ID, cms.FeatureApproved, cms.NoteApproved, "同意"); err != nil {
		t.Fatal(err)
	}

	got, err := db.FeatureRequest(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Department != "collection" || got.Channel != cms.FeatureChannelApp || got.Title != "提取进度查询" ||
		got.Description != a.Description || got.State != cms.FeatureSubmitted || got.SubmittedBy != coll.ID ||
		!got.SubmittedAt.Equal(a.SubmittedAt) || got.DecidedBy != 0 || !got.DecidedAt.IsZero() || got.DoneBy != 0 {
		t.Errorf("stored request: %+v, want %+v", got, a)
	}
	if len(got.History) != 1 || got.History[0].Kind != cms.NoteSubmitted || got.History[0].ActorID != coll.ID {
		t.Errorf("first history: %+v", got.History)
	}
	entries, err := db.AuditByAction(ctx, cms.AuditFeatureSubmitted)
	if err != nil {
		t.Fatal(err)
	}
	subjects := map[string]int64{}
	for _, e := range entries {
		var d struct {
			RequestID int64 `json:"request_id"`
		}
		if err := json.Unmarshal([]byte(e.Detail), &d); err != nil {
			t.Fatal(err)
		}
		subjects[e.Subject] = d.RequestID
	}
	for _, r := range []*cms.FeatureRequest{a, b, c} {
		if id := subjects["feature_request:"+strconv.FormatInt(r.ID, 10)]; id != r.ID {
			t.Errorf("audit of request %d: subjects %v", r.ID, subjects)
		}
	}

	ids := func(rs []cms.FeatureRequest) []int64 {
		out := []int64{}
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	cases := []struct {
		name string
		f    cms.FeatureFilter
		want []int64
	}{
		{"all, newest first", cms.FeatureFilter{}, []int64{c.ID, b.ID, a.ID}},
		{"state", cms.FeatureFilter{State: cms.FeatureSubmitted}, []int64{b.ID, a.ID}},
		{"department", cms.FeatureFilter{Department: "collection"}, []int64{c.ID, a.ID}},
		{"state and department", cms.FeatureFilter{State: cms.FeatureApproved, Department: "collection"}, []int64{c.ID}},
		{"departments", cms.FeatureFilter{Departments: []string{"office", "finance"}}, []int64{b.ID}},
		{"department outside departments", cms.FeatureFilter{Department: "collection", Departments: []string{"office"}}, []int64{}},
		{"no departments", cms.FeatureFilter{Departments: []string{}}, []int64{}},
		{"limit", cms.FeatureFilter{Limit: 2}, []int64{c.ID, b.ID}},
		{"a state with none", cms.FeatureFilter{State: cms.FeatureDone}, []int64{}},
	}
	for _, tc := range cases {
		rs, err := db.FeatureRequests(ctx, tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := ids(rs); !equalIDs(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		for _, r := range rs {
			if r.History != nil {
				t.Errorf("%s: a listing carries history: %+v", tc.name, r)
			}
		}
	}
	_, err = db.FeatureRequest(ctx, c.ID+100)
	wantCode(t, err, cms.ENOTFOUND)
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFeatureRequestStoreOneDecisionWins: leaders deciding the same
// request at once, some approving and some refusing: exactly one decision
// is stored, with its history entry and its audit entry; the others get a
// conflict and leave no trace.
func TestFeatureRequestStoreOneDecisionWins(t *testing.T) {
	t.Parallel()
	db, editor := openDB(t)
	ctx := context.Background()
	r := mustFeature(t, db, editor, "office", cms.FeatureChannelApp, "网点排队叫号")
	var leaders []*cms.User
	for i := range 6 {
		leaders = append(leaders, mustUser(t, db, "leader"+strconv.Itoa(i), "office", cms.RoleBinding{Role: cms.RoleLeader, Department: "office"}))
	}
	fns := make([]func() error, len(leaders))
	for i, l := range leaders {
		state, kind := cms.FeatureApproved, cms.NoteApproved
		if i%2 == 1 {
			state, kind = cms.FeatureRefused, cms.NoteRefused
		}
		fns[i] = func() error { _, err := featureStep(db, r, l.ID, state, kind, "意见"+strconv.Itoa(i)); return err }
	}
	w := oneWinner(t, race(fns...), cms.ECONFLICT)

	got, err := db.FeatureRequest(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantState := map[bool]string{true: cms.FeatureApproved, false: cms.FeatureRefused}[w%2 == 0]
	if got.State != wantState || got.DecidedBy != leaders[w].ID || got.DecidedAt.IsZero() {
		t.Errorf("after the race won by %d: %+v", w, got)
	}
	if len(got.History) != 2 || got.History[1].ActorID != leaders[w].ID || got.History[1].Comment != "意见"+strconv.Itoa(w) {
		t.Errorf("history after the race won by %d: %+v", w, got.History)
	}
	decisions := 0
	for _, action := range []string{cms.AuditFeatureApproved, cms.AuditFeatureRefused} {
		es, err := db.AuditByAction(ctx, action)
		if err != nil {
			t.Fatal(err)
		}
		decisions += len(es)
	}
	if decisions != 1 {
		t.Errorf("%d decisions audited, want 1", decisions)
	}
}

// TestFeatureRequestStoreHistory: comments while open, then done: the
// history keeps every entry, oldest first, with actor and comment; a step
// from a state the request has left is a conflict that adds nothing.
func TestFeatureRequestStoreHistory(t *testing.T) {
	t.Parallel()
	db, editor := openDB(t)
	ctx := context.Background()
	pub := mustUser(t, db, "pub", "information", cms.RoleBinding{Role: cms.RolePublisher, Department: "information"})
	leader := mustUser(t, db, "leader", "office", cms.RoleBinding{Role: cms.RoleLeader, Department: "office"})
	r := mustFeature(t, db, editor, "office", cms.FeatureChannelWeChat, "公积金账户查询")
	steps := []struct {
		actor              int64
		state, kind, words string
	}{
		{pub.ID, cms.FeatureSubmitted, cms.NoteComment, "已收集"},
		{editor.ID, cms.FeatureSubmitted, cms.NoteComment, "补充：需支持按年份查询"},
		{leader.ID, cms.FeatureApproved, cms.NoteApproved, "同意"},
		{pub.ID, cms.FeatureApproved, cms.NoteComment, "已交开发单位"},
		{pub.ID, cms.FeatureDone, cms.NoteDone, "已上线"},
	}
	cur := r
	for _, s := range steps {
		next, err := featureStep(db, cur, s.actor, s.state, s.kind, s.words)
		if err != nil {
			t.Fatalf("%s by %d: %v", s.kind, s.actor, err)
		}
		cur = next
	}
	// A stale copy, still approved, records done again: refused.
	stale := *cur
	stale.State = cms.FeatureApproved
	_, err := featureStep(db, &stale, pub.ID, cms.FeatureDone, cms.NoteDone, "重复")
	wantCode(t, err, cms.ECONFLICT)

	got, err := db.FeatureRequest(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != cms.FeatureDone || got.DoneBy != pub.ID || got.DecidedBy != leader.ID || !got.DoneAt.After(got.DecidedAt) {
		t.Errorf("after the steps: %+v", got)
	}
	if len(got.History) != len(steps)+1 {
		t.Fatalf("history: %d entries, want %d: %+v", len(got.History), len(steps)+1, got.History)
	}
	for i, s := range steps {
		h := got.History[i+1]
		if h.Kind != s.kind || h.ActorID != s.actor || h.Comment != s.words || h.RequestID != r.ID || !h.At.After(got.History[i].At) {
			t.Errorf("history %d: %+v, want %s by %d %q", i+1, h, s.kind, s.actor, s.words)
		}
	}
}
