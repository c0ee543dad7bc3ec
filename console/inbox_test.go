package console_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// TestInboxBadgeAndPage: the header counts the unread notifications on
// every page; 通知 lists them, escaped, and marks them all read.
func TestInboxBadgeAndPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	hostile := `<b>缴存登记</b>`
	_, rev := e.guide(t, c.editor, hostile)
	head := e.browser(t)
	head.login(c.head.Username, staffPassword)
	head.get("/console/").must(t, http.StatusOK).has(t, `href="/console/inbox"`, `aria-label="通知"`).lacks(t, `class="inbox-count"`)

	e.fire(t, c.editor, rev.ID, cms.EventSubmit, "")
	if _, err := e.svc.Dispatch.Dispatch(context.Background(), 100); err != nil {
		t.Fatal(err)
	}
	head.get("/console/queue").must(t, http.StatusOK).has(t, `<span class="inbox-count" aria-hidden="true">1</span>`, "通知，1 条未读")
	head.get("/console/inbox").must(t, http.StatusOK).has(t, "1 条未读", "待办", "未读", "等待部门审核",
		"&lt;b&gt;缴存登记&lt;/b&gt;", `href="/console/revisions/`).lacks(t, hostile)
	p := head.post("/console/inbox/read", nil)
	if p.Status != http.StatusSeeOther || p.Location() != "/console/inbox" {
		t.Fatalf("mark read: %d %s", p.Status, p.Location())
	}
	head.get("/console/inbox").has(t, "通知已全部标为已读", "没有未读通知").lacks(t, `class="inbox-count"`)
	head.get("/console/inbox?unread=1").has(t, "暂无通知")
	head.post("/console/inbox/read", map[string][]string{"csrf": {"forged"}}).must(t, http.StatusForbidden)

	// The editor, who moved it, was told nothing.
	ed := e.browser(t)
	ed.login(c.editor.Username, staffPassword)
	ed.get("/console/inbox").has(t, "暂无通知")
}
