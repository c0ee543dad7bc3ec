package console

import (
	"net/http"

	"github.com/tlhpf/cms/cms"
)

// queueData is 待办: what waits for the user, filtered by stage and column.
type queueData struct {
	Entries []cms.QueueEntry
	Counts  map[cms.State]int
	Stages  []cms.State // the stages the user decides at, for the filter
	Columns []cms.Column
	Stage   cms.State
	Column  string
}

// handleQueue lists exactly what the user can act on now, as the workflow
// service decides it, overdue first.
func (c *Console) handleQueue(w http.ResponseWriter, r *http.Request, u *user) error {
	d := queueData{Stage: cms.State(r.URL.Query().Get("stage")), Column: r.URL.Query().Get("column")}
	var err error
	if d.Stages, err = c.svc.Workflow.ReviewStages(r.Context(), u.p); err != nil {
		return err
	}
	if len(d.Stages) == 0 {
		return cms.Errorf(cms.EFORBIDDEN, "no review stage")
	}
	cols, err := c.svc.Structure.Columns(r.Context(), u.p)
	if err != nil {
		return err
	}
	for _, col := range cols {
		if col.Authored() {
			d.Columns = append(d.Columns, col)
		}
	}
	q, err := c.svc.Workflow.Queue(r.Context(), u.p, d.Stage, d.Column)
	if err != nil {
		return err
	}
	d.Entries, d.Counts = q.Entries, q.Counts
	overdueFirst(d.Entries)
	return c.page(w, r, u, http.StatusOK, "queue", view{Title: "待办", Active: "queue", Data: d})
}
