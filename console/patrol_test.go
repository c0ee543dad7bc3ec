package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// publish takes a guide from draft to 已发布 through the services.
func (e *env) publish(t testing.TB, c chain, title string) (*cms.Item, *cms.Revision) {
	t.Helper()
	it, rev := e.guide(t, c.editor, title)
	e.toScheduled(t, c, rev.ID)
	e.fire(t, c.publisher, rev.ID, cms.EventPublish, "")
	return it, rev
}

// TestPatrolPage: publishers, the director and auditors see the patrol's
// runs and run it now; content someone altered in the database is taken
// offline, and the page says which and why; secrecy reviewers see what the
// re-scan of released content found, and nothing of the patrol; editors
// get the 403 page.
func TestPatrolPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	auditor := e.staff(t, "qian.hui", "钱慧", "office", bind(cms.RoleAuditor, "office"))
	it, rev := e.publish(t, c, "住房公积金缴存登记")

	ed := e.browser(t)
	ed.login(c.editor.Username, staffPassword)
	ed.get("/console/").lacks(t, `href="/console/patrol"`)
	ed.get("/console/patrol").must(t, http.StatusForbidden)
	ed.post("/console/patrol", nil).must(t, http.StatusForbidden)

	pub := e.browser(t)
	pub.login(c.publisher.Username, staffPassword)
	pub.get("/console/").has(t, `href="/console/patrol"`)
	pub.get("/console/patrol").must(t, http.StatusOK).has(t, "立即巡查", "还没有巡查记录").lacks(t, "保密复查")
	pub.post("/console/patrol", url.Values{"csrf": {"forged"}}).must(t, http.StatusForbidden)
	pub.post("/console/patrol", nil).must(t, http.StatusSeeOther)
	pub.get("/console/patrol").has(t, "巡查完成，未发现问题", "人工巡查（本人发起）", "1 个已发布版本", "正常")

	// Someone with the database changes the published text.
	if _, err := e.app.DB.Bun().NewRaw("UPDATE revisions SET body = '缴存比例为5%' WHERE id = ?", rev.ID).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	director := e.browser(t)
	director.login(c.director.Username, staffPassword)
	director.get("/console/patrol").must(t, http.StatusOK).has(t, "立即巡查")
	director.post("/console/patrol", nil).must(t, http.StatusSeeOther)
	director.get("/console/patrol").must(t, http.StatusOK).has(t, "巡查完成，发现问题", "正文或字段被改动", "已暂停发布",
		"/console/revisions/"+itoa(rev.ID), "发现 1 个问题")
	if got, _, _ := e.svc.Items.Revision(context.Background(), e.as(t, c.editor), rev.ID); got.State != cms.StateSuspended {
		t.Errorf("the altered revision is %s, want suspended", got.State)
	}
	if s := publicStatus(t, e, it.ID); s != http.StatusNotFound {
		t.Errorf("the altered item is served: %d", s)
	}

	// Auditors read the patrol and the findings of released content.
	aud := e.browser(t)
	aud.login(auditor.Username, staffPassword)
	aud.get("/console/patrol").must(t, http.StatusOK).has(t, "立即巡查", "正文或字段被改动", "已发布内容的保密复查")

	// A new sensitive word: the re-scan reports the live text to the
	// secrecy reviewer, who sees no patrol.
	_, live := e.publish(t, c, "提取须知")
	words := []cms.SensitiveWord{{Word: "缴存登记", Severity: cms.SeverityWarning}}
	if _, err := e.svc.Secrecy.SetSensitiveWords(context.Background(), e.admin, words); err != nil {
		t.Fatal(err)
	}
	sec := e.browser(t)
	sec.login(c.secrecy.Username, staffPassword)
	sec.get("/console/").has(t, `href="/console/patrol"`) // the logout form gives the token
	sec.get("/console/patrol").must(t, http.StatusOK).has(t, "已发布内容的保密复查", "敏感词", "敏感词更新后复查发现", "待确认").
		lacks(t, "立即巡查", "巡查记录")
	sec.post("/console/patrol", nil).must(t, http.StatusForbidden)
	sec.get("/console/patrol?findings=all").must(t, http.StatusOK).has(t, "/console/revisions/"+itoa(live.ID))
	sec.get("/console/patrol?cursor=bogus").must(t, http.StatusUnprocessableEntity)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
