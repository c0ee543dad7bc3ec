package console_test

import (
	"context"
	"net/http"
	"net/url"
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
