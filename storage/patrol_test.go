package storage_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
)

func TestLiveRevisions(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	_, a := mustLive(t, db, ed, "news", "甲", "", tick())
	it, old := mustLive(t, db, ed, "news", "乙", "", tick())
	b := mustNewHead(t, db, it, old, "乙二")
	mustPublish(t, db, it, b, tick()) // supersedes old
	gone, c := mustLive(t, db, ed, "news", "丙", "", tick())
	mustTakeDown(t, db, gone, c)
	mustItem(t, db, ed, "news", "草稿", "")
	var got []int64
	if err := db.LiveRevisions(ctx, func(id int64) error { got = append(got, id); return nil }); err != nil {
		t.Fatal(err)
	}
	if want := []int64{a.ID, b.ID}; !slices.Equal(got, want) {
		t.Errorf("live revisions %v, want %v", got, want)
	}
	stop := errors.New("stop")
	calls := 0
	err := db.LiveRevisions(ctx, func(int64) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("an error from fn: %v after %d calls, want it returned at once", err, calls)
	}
}

func TestPatrolReports(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	it, rev := mustLive(t, db, ed, "news", "被篡改", "", tick())
	var saved []cms.PatrolReport
	for i, probs := range [][]cms.PatrolProblem{
		nil,
		{{ItemID: it.ID, RevisionID: rev.ID, Subject: "item:" + itoa(it.ID), Kind: "content", Detail: "内容与审批时不一致", Suspended: true},
			{ItemID: it.ID, RevisionID: rev.ID, Subject: "item:" + itoa(it.ID), Kind: "missing_attachment", Detail: "a.pdf"},
			{Subject: "menu_entry:3", Kind: "menu_entry", Detail: "假冒菜单"}},
		nil,
	} {
		start := t0.Add(time.Duration(i) * 24 * time.Hour)
		r := &cms.PatrolReport{StartedAt: start, FinishedAt: start.Add(time.Minute), ActorID: ed.ID * int64(i%2),
			Trigger: []string{cms.TriggerSchedule, cms.TriggerRequest}[i%2], Revisions: 10 + i, Attachments: i,
			PublicRows: 20 + i, Structure: 114, Problems: probs}
		if err := db.SavePatrol(ctx, r, note(cms.AuditPatrol, "")); err != nil {
			t.Fatal(err)
		}
		if r.ID == 0 {
			t.Fatal("SavePatrol did not set the id")
		}
		if e := lastAudit(t, db); e.Subject != "patrol:"+itoa(r.ID) {
			t.Errorf("audit subject %q, want patrol:%d", e.Subject, r.ID)
		}
		saved = append([]cms.PatrolReport{*r}, saved...) // newest first
	}
	cases := []struct {
		name  string
		limit int
		want  []cms.PatrolReport
	}{
		{"newest first", 10, saved},
		{"limit", 2, saved[:2]},
	}
	for _, c := range cases {
		got, err := db.Patrols(ctx, c.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}
