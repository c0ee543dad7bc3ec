package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tlhpf/cms/cms"
)

// revisionData is the revision page: the content as clients will see it,
// what it changes against the live version, its history with every
// comment, its files and secrecy findings, and the actions the services
// allow this user now.
type revisionData struct {
	Item      *cms.Item
	Rev       *cms.Revision
	Type      *cms.ContentType
	Revisions []cms.Revision
	BodyHTML  renderedHTML
	Fields    []fieldView
	Diff      []diffRow
	DiffBase  *cms.Revision
	History   []historyRow
	Author    string
	Findings  []findingRow
	Marked    []markedText // the texts with findings, each finding marked
	Ack       map[int64]bool
	Open      int // blocking findings nobody acknowledged
	Events    []cms.Event
	MayEdit   bool
	MayRevise bool         // the user may draft a change or a deletion request of the live item
	Missing   []problemRow // what the draft lacks before it can be submitted
	// Set when a post is shown again with what went wrong.
	Alert      string
	Comment    string
	CommentErr string
	AckErr     map[int64]string
	AckReason  map[int64]string
}

// findingRow is a secrecy finding in words.
type findingRow struct {
	cms.FindingRecord
	KindLabel, FieldLabel string
}

var findingKinds = map[string]string{
	cms.FindingIDNumber: "身份证号码", cms.FindingMobile: "手机号码", cms.FindingBankCard: "银行卡号",
	cms.FindingEmail: "电子邮箱", cms.FindingClassification: "密级标识", cms.FindingSensitiveWord: "敏感词",
}

// findingField names where a finding is: a field, or an attachment's name.
func findingField(ct *cms.ContentType, field string) string {
	if strings.HasPrefix(field, "attachments[") {
		return "附件名称"
	}
	return fieldLabel(ct, field)
}

// problemRow is one thing a form must fix, in Chinese.
type problemRow struct{ Label, Message string }

// historyRow is one step of the item's history.
type historyRow struct {
	cms.Transition
	Actor   string
	Current bool // a step of the revision shown
}

// handleRevision shows a revision.
func (c *Console) handleRevision(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return c.showRevision(w, r, u, id, http.StatusOK, &revisionData{})
}

// showRevision loads everything the page shows into d (which may carry
// what a failed post needs to show again) and renders it with status.
func (c *Console) showRevision(w http.ResponseWriter, r *http.Request, u *user, id int64, status int, d *revisionData) error {
	ctx, p := r.Context(), u.p
	rev, it, err := c.svc.Items.Revision(ctx, p, id)
	if err != nil {
		return err
	}
	d.Rev, d.Item, d.Type = rev, it, cms.LookupContentType(it.ContentType)
	itemView, err := c.svc.Items.Get(ctx, p, it.ID)
	if err != nil {
		return err
	}
	d.Revisions = itemView.Revisions
	d.BodyHTML = renderedHTML(c.svc.Content.BodyHTML(rev))
	d.Fields = fieldViews(d.Type, c.svc.Content.RenderedFields(rev, it.ContentType))
	_, base, changes, err := c.svc.Items.Diff(ctx, p, id, 0)
	if err != nil {
		return err
	}
	if base != nil && base.ID != rev.ID {
		d.DiffBase, d.Diff = base, diffRows(d.Type, changes)
	}
	if err := c.loadHistory(r, u, d); err != nil {
		return err
	}
	findings, err := c.svc.Secrecy.Findings(ctx, p, id)
	if err != nil {
		return err
	}
	for _, f := range findings {
		d.Findings = append(d.Findings, findingRow{FindingRecord: f, KindLabel: labelOf(findingKinds, f.Kind),
			FieldLabel: findingField(d.Type, f.Field)})
		if f.Open() {
			d.Open++
		}
	}
	d.Marked = markFindings(d.Type, rev, d.Findings)
	if d.Ack, err = c.svc.Secrecy.Acknowledgeable(ctx, p, id); err != nil {
		return err
	}
	if d.Events, err = c.svc.Workflow.Allowed(ctx, p, id); err != nil {
		return err
	}
	if d.MayEdit, err = c.svc.Items.MayEdit(ctx, p, id); err != nil {
		return err
	}
	if d.MayRevise, err = c.svc.Items.MayRevise(ctx, p, it.ID); err != nil {
		return err
	}
	if rev.State == cms.StateDraft && d.Type != nil && rev.Action == cms.ActionPublish {
		for _, f := range d.Type.Missing(rev) {
			d.Missing = append(d.Missing, problemRow{Label: fieldLabel(d.Type, f.Field), Message: fieldMessage(f.Message)})
		}
	}
	return c.page(w, r, u, status, "revision", view{Title: rev.Title, Active: "items", Data: d, BodyClass: "revision-page"})
}

// loadHistory fills the item's history, oldest first, with who acted.
func (c *Console) loadHistory(r *http.Request, u *user, d *revisionData) error {
	ts, users, err := c.svc.Workflow.History(r.Context(), u.p, d.Item.ID)
	if err != nil {
		return err
	}
	for _, t := range ts {
		d.History = append(d.History, historyRow{Transition: t, Actor: actorName(users[t.ActorID], t.ActorID),
			Current: t.RevisionID == d.Rev.ID})
		if t.RevisionID == d.Rev.ID && t.Event == cms.EventSubmit {
			d.Author = actorName(users[t.ActorID], t.ActorID)
		}
	}
	if d.Author == "" && d.Rev.AuthorID == u.p.User.ID {
		d.Author = u.p.User.DisplayName
	}
	return nil
}

// actorName names who made a transition: a person, or the system.
func actorName(u *cms.User, id int64) string {
	switch {
	case u != nil && u.DisplayName != "":
		return u.DisplayName
	case u != nil:
		return u.Username
	case id == 0:
		return "系统"
	}
	return "用户 #" + strconv.FormatInt(id, 10)
}

// pathID reads a positive id from the path.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, cms.Errorf(cms.ENOTFOUND, "no such %s", name)
	}
	return id, nil
}
