package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// guideForm is a filled 办事指南 form as a browser posts it.
func guideForm(title string) url.Values {
	return url.Values{
		"title":                       {title},
		"body":                        {"单位为职工办理**缴存登记**。"},
		"body_format":                 {"markdown"},
		"rows.fields.conditions":      {"2"},
		"fields.conditions":           {"新设立的单位", ""},
		"rows.fields.materials":       {"2"},
		"fields.materials[0].name":    {"营业执照"},
		"fields.materials[0].form":    {"copy"},
		"fields.materials[0].copies":  {"1"},
		"fields.materials[1].name":    {""},
		"rows.fields.steps":           {"1"},
		"fields.steps[0].title":       {"提交材料"},
		"fields.steps[0].description": {"在窗口提交"},
		"fields.time_limit":           {"即时办结"},
		"fields.place":                {"市政务服务中心"},
		"fields.legal_basis":          {""},
		"fields.contact_phone":        {"0562-12329"},
		"fields.fees":                 {""},
		"rows.fields.legal_basis":     {"1"},
		"op":                          {"save"},
		"target":                      {"guides-deposit|collection"},
	}
}

var revLocation = regexp.MustCompile(`^/console/revisions/(\d+)$`)

// TestNewItemInOwnedColumnsOnly: an editor chooses among the columns their
// department owns (the annexes), gets the form of the column's content
// type, adds and removes rows without JavaScript, sees what is wrong next
// to each field, and saves a draft.
func TestNewItemInOwnedColumnsOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	ed := e.browser(t)
	ed.login(c.editor.Username, staffPassword)
	ed.get("/console/").has(t, `href="/console/items/new"`)
	ed.get("/console/items/new").must(t, http.StatusOK).has(t, "选择栏目", `value="guides-deposit|collection"`,
		`value="policies-general|collection"`, "办事指南 · 缴存类（归集科）").lacks(t, `value="guides-loan|`, `|finance"`)
	head := e.browser(t)
	head.login(c.head.Username, staffPassword)
	head.get("/console/").lacks(t, `href="/console/items/new"`)
	head.get("/console/items/new").must(t, http.StatusForbidden).has(t, "没有权限")

	ed.get("/console/items/new?target=guides-deposit|collection").must(t, http.StatusOK).
		has(t, "办理条件", "所需材料", "原件/复印件", `<option value="copy">复印件</option>`, "添加一行", "办理地点", "说明")
	// Adding a row shows the form again with everything typed kept.
	f := guideForm("缴存登记")
	f.Set("op", "add:fields.materials")
	p := ed.post("/console/items/new", f).must(t, http.StatusOK).has(t, `value="营业执照"`, `name="fields.materials[2].name"`, `value="缴存登记"`)
	if strings.Contains(p.Body, `name="fields.materials[3].name"`) {
		t.Error("one row too many")
	}
	f.Set("op", "remove:fields.materials:0")
	ed.post("/console/items/new", f).must(t, http.StatusOK).lacks(t, `value="营业执照"`)
	// A column the editor does not write in is refused.
	f.Set("op", "save")
	f.Set("target", "guides-loan|licensing")
	ed.post("/console/items/new", f).must(t, http.StatusForbidden)
	f.Set("target", "guides-deposit|collection")
	// Wrong values come back next to their fields, in Chinese.
	f.Set("fields.materials[0].copies", "三份")
	f.Set("fields.contact_phone", "电话12329")
	ed.post("/console/items/new", f).must(t, http.StatusUnprocessableEntity).
		has(t, "请填写整数", "请填写电话号码", `value="三份"`, `value="营业执照"`)
	f.Set("fields.materials[0].copies", "2")
	f.Set("fields.contact_phone", "0562-12329")
	p = ed.post("/console/items/new", f).must(t, http.StatusSeeOther)
	m := revLocation.FindStringSubmatch(p.Location())
	if m == nil {
		t.Fatalf("after saving: %q", p.Location())
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	ed.get(revPath(id)).must(t, http.StatusOK).has(t, "已保存为草稿", "营业执照", "份数：2", "0562-12329", "在窗口提交",
		button(cms.EventSubmit))
	rev, it, err := e.svc.Items.Revision(context.Background(), e.as(t, c.editor), id)
	if err != nil || it.Column != "guides-deposit" || it.Department != "collection" || len(rev.Fields["materials"].([]any)) != 1 {
		t.Fatalf("stored: %+v %+v %v", it, rev.Fields, err)
	}
}

// TestEditDraft: the editor's form shows what a draft lacks before it can
// be submitted, saves with the version it was made from, and when someone
// saved meanwhile (412) shows both versions with nothing lost.
func TestEditDraft(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	colleague := e.staff(t, "zhou.jie", "周杰", "collection", bind(cms.RoleEditor, "collection"))
	title := "缴存登记"
	_, rev, err := e.svc.Items.Create(context.Background(), e.as(t, c.editor), cms.NewItem{Column: "guides-deposit",
		Content: cms.Content{Title: &title}})
	if err != nil {
		t.Fatal(err)
	}
	path := revPath(rev.ID)
	ed := e.browser(t)
	ed.login(c.editor.Username, staffPassword)
	ed.get(path).has(t, "提交审核前还需完善", "办理条件：必填", "编辑稿件").lacks(t, button(cms.EventSubmit))
	ed.get(path+"/edit").must(t, http.StatusOK).has(t, "提交审核前须填写", `name="version" value="1"`)

	f := guideForm("住房公积金缴存登记")
	f.Set("version", "1")
	// Someone else saves first.
	other := "同事改过的标题"
	if _, _, err := e.svc.Items.UpdateDraft(context.Background(), e.as(t, colleague), rev.ID, 1, cms.Content{Title: &other}); err != nil {
		t.Fatal(err)
	}
	ed.post(path+"/edit", f).must(t, http.StatusPreconditionFailed).
		has(t, "他人保存的版本", "同事改过的标题", "您填写的内容", `value="住房公积金缴存登记"`, `value="营业执照"`, `name="version" value="2"`,
			"与您填写的内容不同之处", `<th scope="row">标题</th><td class="old"><pre>同事改过的标题</pre></td><td class="new"><pre>住房公积金缴存登记</pre></td>`,
			`<th scope="row">所需材料</th>`)
	f.Set("version", "2")
	ed.post(path+"/edit", f).must(t, http.StatusSeeOther)
	ed.get(path).has(t, "已保存", "住房公积金缴存登记", button(cms.EventSubmit)).lacks(t, "提交审核前还需完善")

	// Others may not edit it, and nobody edits it once submitted.
	fin := e.browser(t)
	fin.login(c.otherEditor.Username, staffPassword)
	fin.get(path+"/edit").must(t, http.StatusForbidden)
	head := e.browser(t)
	head.login(c.head.Username, staffPassword)
	head.get(path+"/edit").must(t, http.StatusForbidden)
	ed.press(rev.ID, cms.EventSubmit, "").must(t, http.StatusSeeOther)
	ed.get(path+"/edit").must(t, http.StatusConflict)
	f.Set("version", "3")
	ed.post(path+"/edit", f).must(t, http.StatusConflict).has(t, "不能再修改", `value="营业执照"`)
}
