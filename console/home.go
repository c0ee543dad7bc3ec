package console

import (
	"net/http"
	"sort"
	"time"

	"github.com/tlhpf/cms/cms"
)

// reviewStages are the stages of the queue in the order of the chain.
var reviewStages = []cms.State{cms.StateDeptReview, cms.StateLeadershipSignoff, cms.StateSecrecyReview, cms.StateScheduled}

// stageGroup is the part of the queue waiting at one stage.
type stageGroup struct {
	State   cms.State
	Entries []cms.QueueEntry
	Overdue int
}

// homeData is 工作台: what waits for me, my drafts, what came back to me.
type homeData struct {
	Stages   []stageGroup
	Waiting  int
	Overdue  int
	Drafts   []cms.Item
	Rejected []rejection
	InReview []cms.Item
	// Authoring shows 我的稿件: the user writes somewhere, or has written.
	Authoring bool
	// Features are the feature requests (第十六条) waiting for the user's
	// decision, or for 信息科 to record them done.
	Features cms.FeatureWaiting
}

// rejection is one of my drafts that a reviewer sent back, with why.
type rejection struct {
	Item cms.Item
	By   *cms.User
	At   time.Time
	Role cms.Role
	Note string
}

// handleHome is 工作台.
func (c *Console) handleHome(w http.ResponseWriter, r *http.Request, u *user) error {
	q, err := c.svc.Workflow.Queue(r.Context(), u.p, cms.QueueFilter{})
	if err != nil {
		return err
	}
	d := homeData{Stages: groupByStage(q.Entries)}
	for _, g := range d.Stages {
		d.Waiting += len(g.Entries)
		d.Overdue += g.Overdue
	}
	if d.Features, err = c.svc.FeatureRequests.Waiting(r.Context(), u.p); err != nil {
		return err
	}
	if err := c.myItems(r, u, &d); err != nil {
		return err
	}
	cols, err := c.svc.Items.AuthoredColumns(r.Context(), u.p)
	if err != nil {
		return err
	}
	d.Authoring = len(cols) > 0 || len(d.Drafts)+len(d.Rejected)+len(d.InReview) > 0
	return c.page(w, r, u, http.StatusOK, "home", view{Title: "工作台", Active: "home", Data: d})
}

// groupByStage splits the queue by stage in the order of the chain,
// overdue entries first, then the longest waiting.
func groupByStage(entries []cms.QueueEntry) []stageGroup {
	var out []stageGroup
	for _, st := range reviewStages {
		g := stageGroup{State: st}
		for _, e := range entries {
			if e.Revision.State == st {
				g.Entries = append(g.Entries, e)
				if e.Overdue {
					g.Overdue++
				}
			}
		}
		overdueFirst(g.Entries)
		if len(g.Entries) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// overdueFirst orders entries overdue first, keeping the service's order
// (longest waiting first) otherwise.
func overdueFirst(entries []cms.QueueEntry) {
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Overdue && !entries[j].Overdue })
}

// myItems finds the items whose head revision the user wrote: drafts, those
// sent back with the reviewer's comment, and those on their way.
func (c *Console) myItems(r *http.Request, u *user, d *homeData) error {
	drafts, _, err := c.svc.Items.List(r.Context(), u.p, cms.ItemFilter{State: cms.StateDraft, Author: u.p.User.ID}, "")
	if err != nil {
		return err
	}
	for _, it := range drafts {
		rej, err := c.rejectionOf(r, u, it)
		if err != nil {
			return err
		}
		if rej != nil {
			d.Rejected = append(d.Rejected, *rej)
		} else {
			d.Drafts = append(d.Drafts, it)
		}
	}
	for _, st := range reviewStages {
		items, _, err := c.svc.Items.List(r.Context(), u.p, cms.ItemFilter{State: st, Author: u.p.User.ID}, "")
		if err != nil {
			return err
		}
		d.InReview = append(d.InReview, items...)
	}
	return nil
}

// rejectionOf returns the rejection that put a draft back, when its head
// revision's last step was one.
func (c *Console) rejectionOf(r *http.Request, u *user, it cms.Item) (*rejection, error) {
	ts, users, err := c.svc.Workflow.History(r.Context(), u.p, it.ID)
	if err != nil {
		return nil, err
	}
	for i := len(ts) - 1; i >= 0; i-- {
		t := ts[i]
		if t.RevisionID != it.HeadRevisionID {
			continue
		}
		if t.Event != cms.EventReject {
			return nil, nil
		}
		return &rejection{Item: it, By: users[t.ActorID], At: t.At, Role: t.ActorRole, Note: t.Comment}, nil
	}
	return nil, nil
}
