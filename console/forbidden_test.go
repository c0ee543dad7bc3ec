package console_test

import (
	"context"
	"maps"
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
			if p.Status != http.StatusForbidden || !contains(p.Body, "没有权限", `lang="zh-CN"`) || strings.Contains(p.Body, "表单已过期") {
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
// others, and the menu shows exactly the entries they may open; their own
// notifications and settings are everyone's.
func TestPagesByRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	auditor := e.staff(t, "qian.hui", "钱慧", "office", bind(cms.RoleAuditor, "office"))
	pages := []string{"/console/release", "/console/menus", "/console/patrol", "/console/audit", "/console/audit/verify",
		"/console/archive", "/console/users", "/console/users/new", "/console/signoff", "/console/words", "/console/webhooks",
		"/console/webhooks/new"}
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
		"admin":              {"/console/users", "/console/users/new", "/console/signoff", "/console/words", "/console/webhooks", "/console/webhooks/new"},
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
		// Everyone reads their own notifications and keeps their settings.
		for _, path := range []string{"/console/inbox", "/console/inbox/settings"} {
			if p := b.get(path); p.Status != http.StatusOK {
				t.Errorf("%s GET %s: %d", who, path, p.Status)
			}
		}
	}
}

// TestFormsByRole is the permission matrix of the forms of the release
// desk, the patrol, the audit and the administration: each person's post
// of a form their roles do not allow is refused with the 403 page and
// changes nothing.
func TestFormsByRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	auditor := e.staff(t, "qian.hui", "钱慧", "office", bind(cms.RoleAuditor, "office"))
	ctx := context.Background()
	menu, err := e.svc.Structure.Menu(ctx, e.admin, "app")
	if err != nil || len(menu) == 0 {
		t.Fatalf("the App's menu: %v", err)
	}
	entry := "/console/menus/entries/" + strconv.FormatInt(menu[0].ID, 10)
	admin := strconv.FormatInt(e.admin.User.ID, 10)
	forms := map[string]url.Values{
		entry:                                  {"op": {"disable"}, "channel": {"app"}},
		"/console/channels/app/maintenance":    {"notice": {"系统升级"}, "starts_at": {"2026-12-02T22:00"}, "ends_at": {"2026-12-03T06:00"}},
		"/console/patrol":                      nil,
		"/console/archive":                     {"from": {"2026-01-01"}, "to": {"2026-12-01"}},
		"/console/users/new":                   {"username": {"wu.fang"}, "display_name": {"吴芳"}, "department": {"collection"}, "role": {"editor|collection"}},
		"/console/users/" + admin:              {"display_name": {"某人"}, "department": {"information"}, "role": {"admin|information"}},
		"/console/users/" + admin + "/disable": nil,
		"/console/grants/1/confirm":            nil,
		"/console/signoff/guides-deposit":      {"chain": {"director"}},
		"/console/words":                       {"blocking": {"内部参阅"}},
		"/console/webhooks/new":                {"url": {"https://93.184.215.14/hook"}, "events": {"*"}},
		"/console/webhooks/1/disable":          nil,
	}
	allowed := map[string][]string{
		c.publisher.Username: {entry, "/console/channels/app/maintenance", "/console/patrol", "/console/archive"},
		c.director.Username:  {"/console/patrol"},
		auditor.Username:     {"/console/patrol", "/console/archive"},
		c.editor.Username:    nil, c.head.Username: nil, c.leader.Username: nil, c.secrecy.Username: nil,
	}
	for who, ok := range allowed {
		b := e.browser(t)
		b.login(who, staffPassword)
		b.get("/console/")
		for path, form := range forms {
			if slices.Contains(ok, path) {
				continue
			}
			p := b.post(path, maps.Clone(form)) // post sets the token in the form it is given
			if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "没有权限") || strings.Contains(p.Body, "表单已过期") {
				t.Errorf("%s POST %s: %d, want 403 for the roles", who, path, p.Status)
			}
		}
	}
	if menu, _ = e.svc.Structure.Menu(ctx, e.admin, "app"); !menu[0].Enabled {
		t.Error("a refused post disabled the menu entry")
	}
	if ws, _ := e.svc.Secrecy.SensitiveWords(ctx, e.admin); len(ws) != 0 {
		t.Errorf("a refused post set words: %v", ws)
	}
	if us, _ := e.svc.Users.List(ctx, e.admin, cms.UserFilter{}); slices.ContainsFunc(us, func(u cms.User) bool { return u.Username == "wu.fang" }) {
		t.Error("a refused post created an account")
	}
	if chain, _ := e.svc.Workflow.SignoffChain(ctx, e.admin, "guides-deposit"); len(chain) != 2 {
		t.Errorf("a refused post set the chain: %v", chain)
	}
	// What is allowed goes through: the publisher's post is no refusal.
	pub := e.browser(t)
	pub.login(c.publisher.Username, staffPassword)
	pub.get("/console/menus?channel=app")
	if p := pub.post(entry, maps.Clone(forms[entry])); p.Status != http.StatusSeeOther {
		t.Errorf("the publisher's post of %s: %d %s", entry, p.Status, p.Body)
	}
}
