package console

import (
	"net/http"

	"github.com/tlhpf/cms/cms"
)

// queuePage is how many entries 待办 shows at a time.
const queuePage = 50

// queueData is 待办: what waits for the user, filtered by stage and column,
// a page at a time.
type queueData struct {
	Entries []cms.QueueEntry
	Stages  []cms.State // the stages the user decides at, for the filter
	Columns []cms.Column
	Stage   cms.State
	Column  string
	Cursor  string // of this page; "" for the first
	Next    string // of the next page; "" on the last
	// Signable counts the entries waiting for the user's signature, which
	// the page lets them sign together.
	Signable int
}

// handleQueue lists exactly what the user can act on now, as the workflow
// service decides it, overdue first.
func (c *Console) handleQueue(w http.ResponseWriter, r *http.Request, u *user) error {
	d := queueData{Stage: cms.State(r.URL.Query().Get("stage")), Column: r.URL.Query().Get("column"),
		Cursor: r.URL.Query().Get("cursor")}
	var err error
	if d.Stages, err = c.svc.Workflow.ReviewStages(r.Context(), u.p); err != nil {
		return err
	}
	if len(d.Stages) == 0 {
		return cms.Errorf(cms.EFORBIDDEN, "no review stage")
	}
	cols, err := c.columns(r, u)
	if err != nil {
		return err
	}
	for _, col := range cols {
		if col.Authored() {
			d.Columns = append(d.Columns, col)
		}
	}
	q, err := c.svc.Workflow.Queue(r.Context(), u.p, cms.QueueFilter{Stage: d.Stage, Column: d.Column, Cursor: d.Cursor,
		Limit: queuePage})
	if err != nil {
		return err
	}
	d.Entries, d.Next = q.Entries, q.Next
	for _, e := range d.Entries {
		if e.Event == cms.EventSign {
			d.Signable++
		}
	}
	overdueFirst(d.Entries)
	return c.page(w, r, u, http.StatusOK, "queue", view{Title: "待办", Active: "queue", Data: d})
}
