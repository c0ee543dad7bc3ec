package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tlhpf/cms/cms"
)

// 批量签发: a leader selects several revisions waiting for their signature
// in 待办 and signs them in one form. Each is still signed by the workflow
// service alone, checked and audited like a single signature, against the
// version the queue showed; the result says which were signed and why
// the others were not.

// batchData is the result of a batch signature.
type batchData struct {
	Signed  []batchRow
	Refused []batchRow
	Comment string
}

type batchRow struct {
	ID     int64
	Title  string
	State  cms.State
	Reason string
}

// batchLimit bounds one batch (a page of the queue).
const batchLimit = queuePage

// handleBatchSign signs each selected revision in turn.
func (c *Console) handleBatchSign(w http.ResponseWriter, r *http.Request, u *user) error {
	picked := r.PostForm["rev"]
	if len(picked) == 0 {
		return c.redirect(w, r, "/console/queue?stage=leadership_signoff", "batch_none")
	}
	if len(picked) > batchLimit {
		return cms.Errorf(cms.EBADREQUEST, "too many revisions")
	}
	d := batchData{Comment: r.PostFormValue("comment")}
	for _, v := range picked {
		id, version := parsePick(v)
		row := batchRow{ID: id, Title: "稿件 #" + strconv.FormatInt(id, 10)}
		if rev, _, err := c.svc.Items.Revision(r.Context(), u.p, id); err == nil {
			row.Title = rev.Title
		}
		if id <= 0 || version <= 0 {
			row.Reason = "请求有误。"
			d.Refused = append(d.Refused, row)
			continue
		}
		rev, _, err := c.svc.Workflow.Fire(r.Context(), u.p, id, cms.EventSign, d.Comment, version)
		if err != nil {
			if isCanceled(err) {
				return err
			}
			row.Reason = signRefusal(err)
			d.Refused = append(d.Refused, row)
			continue
		}
		row.State = rev.State
		d.Signed = append(d.Signed, row)
	}
	status := http.StatusOK
	if len(d.Signed) == 0 {
		status = http.StatusConflict
	}
	return c.page(w, r, u, status, "batch", view{Title: "批量签发结果", Active: "queue", Data: d})
}

// parsePick reads "id:version" as the queue's checkbox sends it.
func parsePick(v string) (int64, int) {
	a, b, _ := strings.Cut(v, ":")
	id, err1 := strconv.ParseInt(a, 10, 64)
	version, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil {
		return 0, 0
	}
	return id, version
}

// signRefusal says why the workflow service did not take a signature.
func signRefusal(err error) string {
	switch cms.ErrorCode(err) {
	case cms.EPRECONDITION:
		return "您打开待办后，稿件已被他人处理（撤回、退回或签发），未签发。"
	case cms.ETRANSITION:
		return "稿件已不在领导签发环节，未签发。"
	case cms.EFORBIDDEN:
		return "现在不能由您签发：不是您的签发顺序，或您曾编辑、提交或审批过此稿件，或稿件不属于您分管的科室。"
	case cms.EINVALID:
		if p := problemsOf(err)["comment"]; p != "" {
			return "意见：" + p
		}
	}
	return errorMessage(err)
}
