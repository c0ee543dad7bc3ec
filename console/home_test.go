package console_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
)

// TestHomeAndQueue: what waits for a reviewer shows on 工作台 and in 待办,
// overdue items marked; the editor sees their item in review, then back
// with the reviewer's comment. Titles and comments are escaped.
func TestHomeAndQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	hostile := `<script>alert("x")</script>缴存登记`
	_, rev := e.guide(t, c.editor, hostile)
	e.fire(t, c.editor, rev.ID, cms.EventSubmit, "")
	escaped := "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;缴存登记"

	ed := e.browser(t)
	ed.login(c.editor.Username, staffPassword)
	ed.get("/console/").must(t, http.StatusOK).has(t, "审核中的稿件", escaped, "部门审核").lacks(t, hostile, `href="/console/queue"`)
	ed.get("/console/queue").must(t, http.StatusForbidden).has(t, "没有权限")

	head := e.browser(t)
	head.login(c.head.Username, staffPassword)
	head.get("/console/").must(t, http.StatusOK).has(t, "我的待办", escaped, "待审核通过", `href="/console/queue"`).lacks(t, hostile, "已超期</span>")
	head.get("/console/queue").must(t, http.StatusOK).has(t, escaped, "审核通过", "/console/revisions/"+strconv.FormatInt(rev.ID, 10))
	head.get("/console/queue?stage=leadership_signoff").must(t, http.StatusOK).has(t, "没有符合条件的待办")
	head.get("/console/queue?stage=nonsense").must(t, http.StatusUnprocessableEntity)

	e.clock.Advance(49 * time.Hour) // past the 48h limit of department review (and every idle session)
	head.login(c.head.Username, staffPassword)
	ed.login(c.editor.Username, staffPassword)
	head.get("/console/queue").has(t, "已超期", `class="is-overdue"`)
	head.get("/console/").has(t, "其中 1 件已超期")

	e.fire(t, c.head, rev.ID, cms.EventReject, `请补充<b>材料</b>清单`)
	ed.get("/console/").has(t, "被退回的稿件", "李娜（科室负责人）退回", "请补充&lt;b&gt;材料&lt;/b&gt;清单", escaped)
	ed.get("/console/items?mine=1").must(t, http.StatusOK).has(t, escaped, "草稿")
	ed.get("/console/items?state=published").has(t, "没有符合条件的稿件")

	// Another department's editor does not see the item at all.
	other := e.browser(t)
	other.login(c.otherEditor.Username, staffPassword)
	other.get("/console/items").must(t, http.StatusOK).lacks(t, "缴存登记")
}
