package console_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// TestPagesRefuseWhatRolesDoNotAllow: every page and every form answers a
// person whose roles do not allow it with the 403 page in Chinese, as the
// services decide; nothing changes.
func TestPagesRefuseWhatRolesDoNotAllow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	auditor := e.staff(t, "qian.hui", "钱慧", "office", bind(cms.RoleAuditor, "office"))
	_, rev := e.guide(t, c.editor, "缴存登记")
	e.fire(t, c.editor, rev.ID, cms.EventSubmit, "手机 13912345678")
	if _, _, err := e.svc.Workflow.Fire(context.Background(), e.as(t, c.head), rev.ID, cms.EventApprove, "", 0); err != nil {
		t.Fatal(err)
	}
	r := revPath(rev.ID)
	v := strconv.Itoa(3)
	type visit struct {
		method, path string
		form         url.Values
	}
	pages := map[string][]visit{
		// Another department's editor reads nothing of 归集科.
		c.otherEditor.Username: {{"GET", r, nil}, {"GET", r + "/edit", nil}, {"GET", r + "/approval", nil},
			{"GET", "/console/queue", nil}, {"POST", r + "/transitions", url.Values{"event": {"sign"}, "version": {v}}}},
		// The administrator manages accounts, not content.
		"admin": {{"GET", r, nil}, {"GET", "/console/items/new", nil}, {"GET", "/console/queue", nil},
			{"GET", r + "/approval", nil}},
		// An auditor reads everything and writes nothing.
		auditor.Username: {{"GET", r + "/edit", nil}, {"GET", "/console/items/new", nil}, {"GET", "/console/queue", nil},
			{"POST", r + "/transitions", url.Values{"event": {"sign"}, "version": {v}}}},
		// The editor may not sign, nor edit what is in review.
		c.editor.Username: {{"GET", "/console/queue", nil}, {"POST", r + "/transitions", url.Values{"event": {"sign"}, "version": {v}}}},
		// The director may not sign before the leader in charge.
		c.director.Username: {{"POST", r + "/transitions", url.Values{"event": {"sign"}, "version": {v}}},
			{"GET", "/console/items/new", nil}},
	}
	for username, visits := range pages {
		b := e.browser(t)
		pw := staffPassword
		if username == "admin" {
			pw = adminPassword
		}
		b.login(username, pw)
		b.get("/console/")
		for _, vis := range visits {
			var p *page
			if vis.method == "GET" {
				p = b.get(vis.path)
			} else {
				p = b.post(vis.path, vis.form)
			}
			if p.Status != http.StatusForbidden || !contains(p.Body, "没有权限", `lang="zh-CN"`) {
				t.Errorf("%s %s %s: %d", username, vis.method, vis.path, p.Status)
			}
		}
	}
	auditorBrowser := e.browser(t)
	auditorBrowser.login(auditor.Username, staffPassword)
	auditorBrowser.get(r).must(t, http.StatusOK).lacks(t, `name="event"`, "编辑稿件", "确认理由")
	auditorBrowser.get(r+"/approval").must(t, http.StatusOK)
	if got, _, _ := e.svc.Items.Revision(context.Background(), e.as(t, c.editor), rev.ID); got.State != cms.StateLeadershipSignoff || got.SignoffStep != 0 {
		t.Errorf("the refusals changed the revision: %s step %d", got.State, got.SignoffStep)
	}
}

func contains(body string, texts ...string) bool {
	for _, s := range texts {
		if !strings.Contains(body, s) {
			return false
		}
	}
	return true
}

// TestPagesByRole is the permission matrix of the release desk, the
// patrol, the audit and the administration through the console: each
// person gets the page their roles allow (200) and the 403 page for the
// others, and the menu shows exactly the entries they may open.
func TestPagesByRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	auditor := e.staff(t, "qian.hui", "钱慧", "office", bind(cms.RoleAuditor, "office"))
	pages := []string{"/console/release", "/console/menus", "/console/patrol", "/console/audit", "/console/audit/verify",
		"/console/archive", "/console/users", "/console/users/new", "/console/signoff", "/console/words"}
	nav := map[string]string{"/console/release": "发布管理", "/console/patrol": "巡查", "/console/audit": "审计",
		"/console/users": "系统管理"}
	allowed := map[string][]string{
		c.editor.Username:    {},
		c.head.Username:      {},
		c.leader.Username:    {},
		c.director.Username:  {"/console/release", "/console/patrol"},
		c.secrecy.Username:   {"/console/patrol"},
		c.publisher.Username: {"/console/release", "/console/menus", "/console/patrol", "/console/archive"},
		auditor.Username:     {"/console/patrol", "/console/audit", "/console/audit/verify", "/console/archive"},
		"admin":              {"/console/users", "/console/users/new", "/console/signoff", "/console/words"},
	}
	for who, ok := range allowed {
		b := e.browser(t)
		pw := staffPassword
		if who == "admin" {
			pw = adminPassword
		}
		b.login(who, pw)
		home := b.get("/console/").must(t, http.StatusOK)
		for path, label := range nav {
			want := slices.Contains(ok, path)
			if got := strings.Contains(home.Body, `>`+label+`</a>`); got != want {
				t.Errorf("%s: menu entry %s shown %v, want %v", who, label, got, want)
			}
		}
		for _, path := range pages {
			want := http.StatusForbidden
			if slices.Contains(ok, path) {
				want = http.StatusOK
			}
			if p := b.get(path); p.Status != want {
				t.Errorf("%s GET %s: %d, want %d", who, path, p.Status, want)
			} else if want == http.StatusForbidden && !strings.Contains(p.Body, "没有权限") {
				t.Errorf("%s GET %s: the 403 page does not say why", who, path)
			}
		}
	}
}
