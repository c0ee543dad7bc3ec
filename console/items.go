package console

import (
	"net/http"

	"github.com/tlhpf/cms/cms"
)

// itemsData is 稿件: the items the user may read, newest first.
type itemsData struct {
	Items   []cms.Item
	Next    string
	Columns []cms.Column
	States  []cms.State
	Filter  cms.ItemFilter
	Mine    bool
}

// listStates are the states an item list filters by.
var listStates = []cms.State{cms.StateDraft, cms.StateDeptReview, cms.StateLeadershipSignoff, cms.StateSecrecyReview,
	cms.StateScheduled, cms.StatePublished, cms.StateSuspended, cms.StateArchived}

// handleItemList lists items by column, state and title words; the service
// keeps to the departments the user may read.
func (c *Console) handleItemList(w http.ResponseWriter, r *http.Request, u *user) error {
	q := r.URL.Query()
	d := itemsData{States: listStates, Mine: q.Get("mine") == "1",
		Filter: cms.ItemFilter{Column: q.Get("column"), State: cms.State(q.Get("state")), Query: q.Get("q")}}
	if d.Mine {
		d.Filter.Author = u.p.User.ID
	}
	var err error
	if d.Items, d.Next, err = c.svc.Items.List(r.Context(), u.p, d.Filter, q.Get("cursor")); err != nil {
		return err
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
	return c.page(w, r, u, http.StatusOK, "items", view{Title: "稿件", Active: "items", Data: d})
}
