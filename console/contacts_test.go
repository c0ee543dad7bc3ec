package console_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// TestContactsPage: the administrator designates each department's
// contacts (专人, 第六条) from its own staff on 部门专人; departments
// without one are flagged; nobody else may.
func TestContactsPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ed := e.staff(t, "zhang.wei", "张伟", "collection", bind(cms.RoleEditor, "collection"))
	head := e.staff(t, "li.na", "李娜", "collection", bind(cms.RoleDeptHead, "collection"))
	fin := e.staff(t, "sun.li", "孙丽", "finance", bind(cms.RoleEditor, "finance"))
	zy := e.staff(t, "zhou.yu", "周瑜", "zongyang", bind(cms.RoleEditor, "zongyang"))
	id := func(u *cms.User) string { return strconv.FormatInt(u.ID, 10) }

	admin := e.browser(t)
	admin.login("admin", adminPassword)
	admin.get("/console/users").must(t, http.StatusOK).has(t, `href="/console/contacts"`, "部门专人")
	admin.get("/console/contacts").must(t, http.StatusOK).has(t, "部门专人", "各科室、管理部应指定专人",
		"尚未指定专人的部门（7）：办公室、归集科、计划财务科、行政许可科、信息科、管理部、枞阳管理部",
		`action="/console/contacts/collection"`, `name="user" value="`+id(ed)+`"`, "张伟（zhang.wei）")
	admin.post("/console/contacts/collection", url.Values{"user": {id(ed), id(head)}}).must(t, http.StatusSeeOther)
	admin.get("/console/contacts").must(t, http.StatusOK).has(t, "部门专人已保存",
		`name="user" value="`+id(ed)+`" checked`, `name="user" value="`+id(head)+`" checked`,
		"尚未指定专人的部门（6）：办公室、计划财务科").lacks(t, "、归集科、")
	// 管理部 as a group: its members' staff work in it.
	admin.post("/console/contacts/branches", url.Values{"user": {id(zy)}}).must(t, http.StatusSeeOther)
	// Another department's staff cannot be designated.
	admin.post("/console/contacts/finance", url.Values{"user": {id(ed)}}).must(t, http.StatusUnprocessableEntity).
		has(t, "部门专人未保存")
	admin.post("/console/contacts/nowhere", url.Values{"user": {id(fin)}}).must(t, http.StatusNotFound)
	admin.post("/console/contacts/finance", url.Values{"user": {"x"}}).must(t, http.StatusUnprocessableEntity)
	got, err := e.svc.Structure.AllContacts(t.Context(), e.admin)
	if err != nil || len(got["collection"]) != 2 || len(got["branches"]) != 1 || len(got["finance"]) != 0 {
		t.Fatalf("stored contacts %+v %v", got, err)
	}
	// Unchecking everyone removes the contacts: the department is flagged again.
	admin.post("/console/contacts/collection", url.Values{}).must(t, http.StatusSeeOther)
	admin.get("/console/contacts").has(t, "归集科 <strong class=\"tag overdue-tag\">未指定专人</strong>")

	for _, who := range []*cms.User{ed, head} {
		b := e.browser(t)
		b.login(who.Username, staffPassword)
		b.get("/console/contacts").must(t, http.StatusForbidden)
		b.post("/console/contacts/collection", url.Values{"user": {id(who)}}).must(t, http.StatusForbidden)
	}
}
