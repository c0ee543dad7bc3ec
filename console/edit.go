package console

import (
	"net/http"
	"strconv"
	"time"

	"github.com/tlhpf/cms/cms"
)

// editData is the editor: choosing a column for a new item, or the form of
// a revision's content.
type editData struct {
	Targets  []cms.AuthoredColumn // the columns the user may write in (new items)
	Target   string               // the chosen one, "column|department"
	Column   string
	Dept     string
	Type     *cms.ContentType
	Rev      *cms.Revision // nil for a new item
	Version  int
	Form     *contentForm
	Other    problems // problems without a control of their own
	Alert    string
	Conflict *conflictView
	// Preview is the body as clients will show it, when 预览 was pressed.
	Preview renderedHTML
}

// conflictView is what someone else saved while the user was editing.
type conflictView struct {
	Rev    *cms.Revision
	Fields []fieldView
	// Diff is, field by field, where theirs and the form differ.
	Diff []diffRow
}

// conflictWith compares what someone else saved with the user's form.
func conflictWith(ct *cms.ContentType, theirs *cms.Revision, mine cms.Content) *conflictView {
	m := *theirs
	m.Title, m.Body, m.BodyFormat = *mine.Title, *mine.Body, *mine.BodyFormat
	m.PublishAt, m.ExpireAt = time.Time{}, time.Time{}
	if mine.PublishAt != nil {
		m.PublishAt = *mine.PublishAt
	}
	if mine.ExpireAt != nil {
		m.ExpireAt = *mine.ExpireAt
	}
	m.Fields = map[string]any{}
	for k, v := range mine.Fields {
		if v != nil {
			m.Fields[k] = v
		}
	}
	return &conflictView{Rev: theirs, Fields: fieldViews(ct, theirs.Fields), Diff: diffRows(ct, cms.DiffRevisions(theirs, &m))}
}

func targetOf(a cms.AuthoredColumn) string { return a.Column.Slug + "|" + a.Department }

// handleItemNew shows the columns the user may write in, then the empty
// form of the chosen column's content type.
func (c *Console) handleItemNew(w http.ResponseWriter, r *http.Request, u *user) error {
	d, err := c.newItemData(r, u, r.URL.Query().Get("target"))
	if err != nil {
		return err
	}
	if d.Type != nil {
		d.Form = newForm(d.Type, &cms.Revision{BodyFormat: cms.FormatMarkdown})
	}
	return c.page(w, r, u, http.StatusOK, "new", view{Title: "新建稿件", Active: "new", Data: d})
}

// newItemData finds the chosen column among those the item service lets
// the user create items in; with one only, it is chosen.
func (c *Console) newItemData(r *http.Request, u *user, target string) (*editData, error) {
	targets, err := c.svc.Items.AuthoredColumns(r.Context(), u.p)
	if err != nil {
		return nil, err
	}
	if len(targets) == 0 {
		return nil, cms.Errorf(cms.EFORBIDDEN, "no column to write in")
	}
	d := &editData{Targets: targets}
	if len(targets) == 1 {
		target = targetOf(targets[0])
	}
	for _, t := range targets {
		if targetOf(t) == target {
			d.Target, d.Column, d.Dept, d.Type = target, t.Column.Slug, t.Department, cms.LookupContentType(t.Column.ContentType)
		}
	}
	return d, nil
}

// handleItemCreate saves a new item as a draft, or shows the form again
// with a row added or removed, or with what the service refused.
func (c *Console) handleItemCreate(w http.ResponseWriter, r *http.Request, u *user) error {
	d, err := c.newItemData(r, u, r.PostFormValue("target"))
	if err != nil {
		return err
	}
	if d.Type == nil {
		return cms.Errorf(cms.EFORBIDDEN, "not a column the user writes in")
	}
	op := r.PostFormValue("op")
	content, form := parseForm(d.Type, r.PostForm, op)
	d.Form = form
	if op != "save" {
		if err := c.preview(r, u, d, op); err != nil {
			return err
		}
		return c.page(w, r, u, http.StatusOK, "new", view{Title: "新建稿件", Active: "new", Data: d})
	}
	_, rev, err := c.svc.Items.Create(r.Context(), u.p, cms.NewItem{Column: d.Column, Department: d.Dept, Content: content})
	if cms.ErrorCode(err) == cms.EINVALID {
		d.Other, d.Alert = form.withProblems(problemsOf(err)), errorMessage(err)
		return c.page(w, r, u, http.StatusUnprocessableEntity, "new", view{Title: "新建稿件", Active: "new", Data: d})
	}
	if err != nil {
		return err
	}
	return c.redirect(w, r, revisionURL(rev.ID), "created")
}

// handleRevisionEdit shows the form of a draft the user may change, with
// what it still lacks before it can be submitted next to each control.
func (c *Console) handleRevisionEdit(w http.ResponseWriter, r *http.Request, u *user) error {
	d, err := c.editData(r, u)
	if err != nil {
		return err
	}
	d.Form = newForm(d.Type, d.Rev)
	missing := problems{}
	for _, f := range d.Type.Missing(d.Rev) {
		if msg := fieldMessage(f.Message); msg == "必填" {
			missing[f.Field] = "提交审核前须填写"
		} else {
			missing[f.Field] = "提交审核前：" + msg
		}
	}
	d.Other = d.Form.withProblems(missing)
	return c.page(w, r, u, http.StatusOK, "edit", view{Title: "编辑：" + d.Rev.Title, Active: "items", Data: d})
}

// editData loads a revision for the editor, refusing one the item service
// would not let the user change.
func (c *Console) editData(r *http.Request, u *user) (*editData, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	rev, it, err := c.svc.Items.Revision(r.Context(), u.p, id)
	if err != nil {
		return nil, err
	}
	if err := c.svc.Items.CheckEdit(r.Context(), u.p, id); err != nil {
		return nil, err
	}
	return &editData{Rev: rev, Version: rev.Version, Column: it.Column, Dept: it.Department,
		Type: cms.LookupContentType(it.ContentType)}, nil
}

// handleRevisionSave saves a draft against the version the form was made
// from. When someone saved meanwhile (412) both versions are shown: theirs
// as it is stored, the user's still in the form, nothing lost.
func (c *Console) handleRevisionSave(w http.ResponseWriter, r *http.Request, u *user) error {
	d, err := c.editData(r, u)
	if cms.ErrorCode(err) == cms.ECONFLICT {
		d = &editData{Alert: "稿件已提交审核或已被处理，不能再修改。您填写的内容保留在下方，可复制备用。"}
		if d.Rev, d.Type, err = c.revisionType(r, u); err != nil {
			return err
		}
		_, d.Form = parseForm(d.Type, r.PostForm, "")
		return c.page(w, r, u, http.StatusConflict, "edit", view{Title: "编辑：" + d.Rev.Title, Active: "items", Data: d})
	}
	if err != nil {
		return err
	}
	op := r.PostFormValue("op")
	content, form := parseForm(d.Type, r.PostForm, op)
	d.Form = form
	d.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	if op != "save" {
		if err := c.preview(r, u, d, op); err != nil {
			return err
		}
		return c.page(w, r, u, http.StatusOK, "edit", view{Title: "编辑：" + d.Rev.Title, Active: "items", Data: d})
	}
	_, _, err = c.svc.Items.UpdateDraft(r.Context(), u.p, d.Rev.ID, d.Version, content)
	status := http.StatusOK
	switch cms.ErrorCode(err) {
	case "":
		return c.redirect(w, r, revisionURL(d.Rev.ID), "saved")
	case cms.EINVALID:
		status, d.Alert = http.StatusUnprocessableEntity, errorMessage(err)
		d.Other = form.withProblems(problemsOf(err))
	case cms.EPRECONDITION:
		status, d.Version = http.StatusPreconditionFailed, d.Rev.Version
		d.Conflict = conflictWith(d.Type, d.Rev, content)
		d.Alert = "在您编辑期间，他人保存了这份稿件。上方是他人保存的版本，下方保留着您填写的内容；请对照合并后再保存，保存后以下方内容为准。"
	default:
		return err
	}
	return c.page(w, r, u, status, "edit", view{Title: "编辑：" + d.Rev.Title, Active: "items", Data: d})
}

// revisionType loads a revision and its content type for showing only.
func (c *Console) revisionType(r *http.Request, u *user) (*cms.Revision, *cms.ContentType, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, nil, err
	}
	rev, it, err := c.svc.Items.Revision(r.Context(), u.p, id)
	if err != nil {
		return nil, nil, err
	}
	return rev, cms.LookupContentType(it.ContentType), nil
}
