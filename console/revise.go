package console

import (
	"net/http"

	"github.com/tlhpf/cms/cms"
)

// handleRevise drafts a change of a live item (修改已发布内容, starting from
// the live content) or a request to take it offline (申请撤下); either
// climbs the same chain (第九条) while the live revision stays online.
func (c *Console) handleRevise(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	action := r.PostFormValue("action")
	if action != cms.ActionPublish && action != cms.ActionUnpublish {
		return cms.Errorf(cms.EBADREQUEST, "no action")
	}
	rev, _, err := c.svc.Items.NewRevision(r.Context(), u.p, id, action, cms.Content{})
	if err != nil {
		return err
	}
	to := revisionURL(rev.ID)
	if action == cms.ActionPublish {
		to += "/edit"
	}
	return c.redirect(w, r, to, "revise_"+action)
}
