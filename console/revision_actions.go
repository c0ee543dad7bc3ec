package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tlhpf/cms/cms"
)

// revisionURL is the address of a revision's page.
func revisionURL(id int64) string { return "/console/revisions/" + strconv.FormatInt(id, 10) }

// handleTransition fires the event of the button pressed, with the comment
// of the same form, against the version the page showed: someone who acted
// on a page gone stale is told, not overruled. What went wrong is shown on
// the revision page again, the comment kept.
func (c *Console) handleTransition(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ev := cms.Event(r.PostFormValue("event"))
	comment := r.PostFormValue("comment")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if version <= 0 {
		return cms.Errorf(cms.EBADREQUEST, "no version")
	}
	var at time.Time
	if ev == cms.EventRelease {
		at, err = parseInputTime("publish_at", r.PostFormValue("publish_at"))
	}
	if err == nil {
		_, _, err = c.svc.Workflow.FireAt(r.Context(), u.p, id, ev, comment, version, at)
	}
	if err == nil {
		to := backTo(r)
		if to == "" {
			to = revisionURL(id)
		}
		return c.redirect(w, r, to, "fired_"+string(ev))
	}
	d := &revisionData{Comment: comment}
	status := statusOf[cms.ErrorCode(err)]
	switch cms.ErrorCode(err) {
	case cms.EINVALID:
		if p := problemsOf(err)["comment"]; p != "" {
			d.CommentErr = eventLabel(ev) + "时" + p
		} else {
			d.Alert = errorMessage(err)
			for _, f := range problemsOf(err) {
				d.Alert += " " + f
			}
		}
	case cms.EPRECONDITION:
		d.Alert = "您打开页面后，稿件已被他人处理，操作未执行。请查看最新状态后再决定。"
	case cms.ECONFLICT, cms.ETRANSITION:
		d.Alert = errorMessage(err)
	default:
		return err
	}
	return c.showRevision(w, r, u, id, status, d)
}

// handleFindingAck records a secrecy reviewer's reason that a finding may
// be published.
func (c *Console) handleFindingAck(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	fid, err := pathID(r, "fid")
	if err != nil {
		return err
	}
	reason := r.PostFormValue("reason")
	_, err = c.svc.Secrecy.Acknowledge(r.Context(), u.p, id, fid, reason)
	switch cms.ErrorCode(err) {
	case "":
		return c.redirect(w, r, revisionURL(id)+"#secrecy", "acknowledged")
	case cms.EINVALID:
		d := &revisionData{AckErr: map[int64]string{fid: strings.Join(values(problemsOf(err)), " ")},
			AckReason: map[int64]string{fid: reason}}
		return c.showRevision(w, r, u, id, http.StatusUnprocessableEntity, d)
	case cms.ECONFLICT:
		return c.showRevision(w, r, u, id, http.StatusConflict, &revisionData{Alert: errorMessage(err)})
	}
	return err
}

func values(p problems) []string {
	out := make([]string, 0, len(p))
	for _, v := range p {
		out = append(out, v)
	}
	return out
}
