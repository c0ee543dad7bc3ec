package workflow_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage/storagetest"
	"github.com/tlhpf/cms/workflow"
)

func allow(cms.Action) (bool, error) { return true, nil }

func request(ev cms.Event, st cms.State, actor *cms.User) *cms.FireRequest {
	rev := &cms.Revision{ID: 1, State: st, Action: cms.ActionPublish, Title: "t", Body: "b", AuthorID: 1, SubmittedBy: 1}
	rev.ApprovedHash = rev.Hash()
	return &cms.FireRequest{Event: ev, Actor: actor, Comment: "why",
		Item:     &cms.Item{ID: 1, Department: "collection", Column: "news", ContentType: cms.TypeArticle},
		Revision: rev, Chain: cms.DefaultSignoffChain, Allowed: allow}
}

func TestEveryEventAtEveryState(t *testing.T) {
	t.Parallel()
	m := workflow.Machine{}
	reviewer := &cms.User{ID: 9, Roles: []cms.RoleBinding{{Role: cms.RoleLeader, Department: "collection"}}}
	for _, st := range cms.States {
		applies := m.Actions(st)
		for _, ev := range cms.Events {
			_, err := m.Fire(context.Background(), request(ev, st, reviewer))
			_, ok := applies[ev]
			if got := cms.ErrorCode(err) == cms.ETRANSITION; got == ok {
				t.Errorf("%s at %s: error %v, table says applicable=%v", ev, st, err, ok)
			}
		}
	}
}

func TestSystemMayOnlyPublishArchiveAndSuspend(t *testing.T) {
	t.Parallel()
	m := workflow.Machine{}
	out, err := m.Fire(context.Background(), request(cms.EventPublish, cms.StateScheduled, nil))
	if err != nil || out.To != cms.StatePublished || out.ActedAs != cms.RoleSystem {
		t.Fatalf("system publish: %+v %v", out, err)
	}
	if out, err := m.Fire(context.Background(), request(cms.EventSuspend, cms.StatePublished, nil)); err != nil || out.To != cms.StateSuspended {
		t.Fatalf("system suspend: %+v %v", out, err)
	}
	for _, ev := range []cms.Event{cms.EventRestore, cms.EventClear, cms.EventApprove} {
		st := map[cms.Event]cms.State{cms.EventRestore: cms.StateSuspended, cms.EventClear: cms.StateSecrecyReview, cms.EventApprove: cms.StateDeptReview}[ev]
		if _, err := m.Fire(context.Background(), request(ev, st, nil)); cms.ErrorCode(err) != cms.EFORBIDDEN {
			t.Fatalf("system %s: %v", ev, err)
		}
	}
}

func TestUnpublishRequestEndsArchived(t *testing.T) {
	t.Parallel()
	req := request(cms.EventPublish, cms.StateScheduled, nil)
	req.Revision.Action = cms.ActionUnpublish
	req.Revision.ApprovedHash = req.Revision.Hash()
	out, err := workflow.Machine{}.Fire(context.Background(), req)
	if err != nil || out.To != cms.StateArchived {
		t.Fatalf("%+v %v", out, err)
	}
}

func TestSignChainCompletes(t *testing.T) {
	t.Parallel()
	m := workflow.Machine{}
	leader := &cms.User{ID: 7, Roles: []cms.RoleBinding{{Role: cms.RoleLeader, Department: "collection"}}}
	director := &cms.User{ID: 8, Roles: []cms.RoleBinding{{Role: cms.RoleDirector, Department: "office"}}}
	req := request(cms.EventSign, cms.StateLeadershipSignoff, leader)
	out, err := m.Fire(context.Background(), req)
	if err != nil || out.To != cms.StateLeadershipSignoff || out.SignoffStep != 1 || out.Complete || out.ActedAs != cms.RoleLeader {
		t.Fatalf("leader: %+v %v", out, err)
	}
	req = request(cms.EventSign, cms.StateLeadershipSignoff, director)
	req.Revision.SignoffStep = 1
	out, err = m.Fire(context.Background(), req)
	if err != nil || out.To != cms.StateSecrecyReview || !out.Complete || out.ActedAs != cms.RoleDirector {
		t.Fatalf("director: %+v %v", out, err)
	}
	req = request(cms.EventSign, cms.StateLeadershipSignoff, director) // step 0: the leader's turn
	if _, err := m.Fire(context.Background(), req); cms.ErrorCode(err) != cms.EFORBIDDEN {
		t.Fatalf("director out of turn: %v", err)
	}
}

func TestUnknownStoredStateIsAnError(t *testing.T) {
	t.Parallel()
	_, err := workflow.Machine{}.Fire(context.Background(), request(cms.EventSubmit, cms.State("limbo"), nil))
	if err == nil || cms.ErrorCode(err) != cms.EINTERNAL {
		t.Fatalf("unknown state: %v", err)
	}
}

// TestEveryActionIsGranted: each action the table names is granted to some
// role by the policy migration, so no event is unreachable by mistake.
func TestEveryActionIsGranted(t *testing.T) {
	t.Parallel()
	policy, err := storagetest.Open(t).Policy(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	granted := map[cms.Action]bool{}
	for _, p := range policy.Permissions {
		granted[p.Action] = true
	}
	for _, r := range workflow.Table {
		if !granted[r.Action] {
			t.Errorf("%s needs %s, which no role is granted", r.Event, r.Action)
		}
	}
}

// TestCoEditorsMayNotDecide: whoever changed a revision's content, fields or
// attachments may not approve, sign, clear or reject it, whatever roles they
// hold; withdrawing and publishing are not decisions on the content.
func TestCoEditorsMayNotDecide(t *testing.T) {
	t.Parallel()
	m := workflow.Machine{}
	coEditor := &cms.User{ID: 5, Roles: []cms.RoleBinding{{Role: cms.RoleEditor, Department: "collection"},
		{Role: cms.RoleDeptHead, Department: "collection"}, {Role: cms.RoleLeader, Department: "collection"},
		{Role: cms.RoleSecrecyReviewer, Department: "office"}, {Role: cms.RolePublisher, Department: "information"}}}
	cases := []struct {
		ev cms.Event
		st cms.State
	}{
		{cms.EventApprove, cms.StateDeptReview}, {cms.EventReject, cms.StateDeptReview},
		{cms.EventSign, cms.StateLeadershipSignoff}, {cms.EventReject, cms.StateLeadershipSignoff},
		{cms.EventClear, cms.StateSecrecyReview}, {cms.EventReject, cms.StateSecrecyReview},
	}
	for _, c := range cases {
		req := request(c.ev, c.st, coEditor)
		if _, err := m.Fire(context.Background(), req); err != nil {
			t.Fatalf("%s at %s by someone who did not edit: %v", c.ev, c.st, err)
		}
		req = request(c.ev, c.st, coEditor)
		req.Editors = []int64{1, coEditor.ID}
		_, err := m.Fire(context.Background(), req)
		if cms.ErrorCode(err) != cms.EFORBIDDEN || !strings.Contains(fmt.Sprint(err), "changed") {
			t.Errorf("%s at %s by a co-editor: %v, want forbidden because they changed it", c.ev, c.st, err)
		}
	}
	req := request(cms.EventPublish, cms.StateScheduled, coEditor)
	req.Editors = []int64{coEditor.ID}
	if _, err := m.Fire(context.Background(), req); err != nil {
		t.Errorf("publishing is no decision on the content: %v", err)
	}
}
