package console

import (
	"net/http"
	"time"

	"github.com/tlhpf/cms/cms"
)

// approvalData is 信息发布审批表 (seed rule 第八条): one printable form per
// revision with every decision of its approval, who, in which role, when,
// with what opinion, and the content hash that was approved.
type approvalData struct {
	Organization string
	Item         *cms.Item
	Rev          *cms.Revision
	Author       string
	// Contacts are the department's contacts (专人, 第六条) designated
	// when the revision was published (now, before).
	Contacts []cms.Contact
	Stages   []approvalStage
	Trail    []historyRow
	Printed  time.Time
}

// approvalStage is one box of the form: who acted at a step of the chain.
type approvalStage struct {
	Label   string
	Signers []approvalSigner
}

type approvalSigner struct {
	historyRow
	HashOK bool // the content acted on is the content approved
}

// approvalStages are the boxes of the form in the order of the chain
// (第九条: 科室、管理部提出 → 分管领导审核 → 中心主任签发; 第十三条 保密审查; 第十条 信息科发布).
// The 发布 box names the publisher who published, or who set the time the
// scheduler published at on their behalf; with CMS_AUTO_PUBLISH it says 系统.
var approvalStages = []string{"拟稿人", "科室审核", "分管领导审核", "中心主任签发", "保密审查", "发布"}

// handleApprovalForm shows the approval form of a revision to anyone who
// may read it.
func (c *Console) handleApprovalForm(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rev, it, err := c.svc.Items.Revision(r.Context(), u.p, id)
	if err != nil {
		return err
	}
	rd := &revisionData{Rev: rev, Item: it}
	if err := c.loadHistory(r, u, rd); err != nil {
		return err
	}
	d := approvalData{Organization: c.svc.Archive.Organization, Item: it, Rev: rev, Author: rd.Author,
		Printed: c.opts.Clock.Now()}
	if d.Organization == "" {
		d.Organization = "铜陵市住房公积金管理中心"
	}
	if d.Contacts, err = c.svc.Structure.ContactsAt(r.Context(), u.p, it.Department, rev.PublishedAt); err != nil {
		return err
	}
	for _, label := range approvalStages {
		d.Stages = append(d.Stages, approvalStage{Label: label})
	}
	start := -1 // the last submission: the cycle the form is about
	for i, h := range rd.History {
		if h.Current {
			d.Trail = append(d.Trail, h)
			if h.Event == cms.EventSubmit {
				start = i
			}
		}
	}
	approved := rev.ApprovedHash
	for i, h := range rd.History {
		if s := cms.ApprovalStageOf(&h.Transition); h.Current && start >= 0 && i >= start && s >= 0 {
			d.Stages[s].Signers = append(d.Stages[s].Signers, approvalSigner{historyRow: h,
				HashOK: approved != "" && h.ContentHash == approved})
		}
	}
	return c.page(w, r, u, http.StatusOK, "approval", view{Title: "信息发布审批表 · " + rev.Title, Active: "items",
		Data: d, BodyClass: "print-page"})
}
