package console

import (
	"net/http"
	"slices"

	"github.com/tlhpf/cms/cms"
)

// 发布管理 (seed rules 第十条, 第十五条, 第十八条): what 信息科 releases and
// keeps online. Three lists by the state of what clients see: 待发布 (cleared,
// waiting for its time or for a publisher), 已发布 and 已暂停, each row with
// the release events the workflow service allows this user on it now.

// releaseTabs are the lists of the release desk, in the order of the work.
var releaseTabs = []releaseTab{
	{Key: "scheduled", Label: "待发布", Filter: cms.ItemFilter{State: cms.StateScheduled}},
	{Key: "published", Label: "已发布", Filter: cms.ItemFilter{Live: cms.StatePublished}},
	{Key: "suspended", Label: "已暂停", Filter: cms.ItemFilter{Live: cms.StateSuspended}},
}

type releaseTab struct {
	Key, Label string
	Filter     cms.ItemFilter
}

// releasePage is how many items a list of the release desk shows at a time.
const releasePage = 20

// releaseData is the release desk.
type releaseData struct {
	Tabs    []releaseTab
	Tab     string
	Rows    []releaseRow
	Cursor  string
	Next    string
	Menus   bool // the user keeps the channels' menus
	Release bool // the user may fire some release event
	// Auto: the scheduler publishes cleared revisions itself
	// (CMS_AUTO_PUBLISH); otherwise they wait for 信息科.
	Auto bool
}

// releaseRow is one item with the revision clients see (or will see) and
// what the user may do to it now.
type releaseRow struct {
	Item   cms.Item
	Rev    *cms.Revision
	Events []cms.Event
	Reason string // why it was suspended, from its history
	By     string // who suspended it, or who released it for its time
}

// handleRelease shows one list of the release desk to those who may
// release, suspend or restore somewhere, or keep the menus.
func (c *Console) handleRelease(w http.ResponseWriter, r *http.Request, u *user) error {
	ab, err := c.abilities(r, u)
	if err != nil {
		return err
	}
	d := releaseData{Tabs: releaseTabs, Tab: r.URL.Query().Get("tab"), Cursor: r.URL.Query().Get("cursor"),
		Menus: ab.Can(cms.ActMenuManage), Release: len(ab.Release) > 0, Auto: c.svc.Workflow.AutoPublish}
	if !d.Menus && !d.Release {
		return cms.Errorf(cms.EFORBIDDEN, "no release event and no menu to keep")
	}
	i := slices.IndexFunc(releaseTabs, func(t releaseTab) bool { return t.Key == d.Tab })
	if i < 0 {
		i, d.Tab = 0, releaseTabs[0].Key
	}
	f := releaseTabs[i].Filter
	f.Limit = releasePage
	items, next, err := c.svc.Items.List(r.Context(), u.p, f, d.Cursor)
	if err != nil {
		return err
	}
	d.Next = next
	for _, it := range items {
		row, err := c.releaseRow(r, u, it)
		if err != nil {
			return err
		}
		d.Rows = append(d.Rows, row)
	}
	return c.page(w, r, u, http.StatusOK, "release", view{Title: "发布管理", Active: "release", Data: d})
}

// releaseRow loads the revision of an item the desk acts on (the head of a
// scheduled item, the live one otherwise) and the release events allowed.
func (c *Console) releaseRow(r *http.Request, u *user, it cms.Item) (releaseRow, error) {
	id := it.LiveRevisionID
	if it.State == cms.StateScheduled || id == 0 {
		id = it.HeadRevisionID
	}
	row := releaseRow{Item: it}
	rev, _, err := c.svc.Items.Revision(r.Context(), u.p, id)
	if err != nil {
		return row, err
	}
	row.Rev = rev
	events, err := c.svc.Workflow.Allowed(r.Context(), u.p, id)
	if err != nil {
		return row, err
	}
	for _, ev := range events {
		switch ev {
		case cms.EventRelease, cms.EventPublish, cms.EventSuspend, cms.EventRestore, cms.EventArchive:
			row.Events = append(row.Events, ev)
		}
	}
	want := cms.EventSuspend
	if rev.State == cms.StateScheduled {
		want = cms.EventRelease
	}
	if rev.State == cms.StateSuspended || rev.State == cms.StateScheduled && rev.ReleasedBy != 0 {
		ts, users, err := c.svc.Workflow.History(r.Context(), u.p, it.ID)
		if err != nil {
			return row, err
		}
		for i := len(ts) - 1; i >= 0; i-- {
			if ts[i].RevisionID == rev.ID && ts[i].Event == want {
				row.Reason, row.By = ts[i].Comment, actorName(users[ts[i].ActorID], ts[i].ActorID)
				break
			}
		}
	}
	return row, nil
}

// backTo returns where a form asked to go after it succeeded: a page of
// the console (anything else leads to 工作台), or "" when it did not ask.
func backTo(r *http.Request) string {
	if b := r.PostFormValue("back"); b != "" {
		return safeNext(b)
	}
	return ""
}
