package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/tlhpf/cms/cms"
)

var versionField = regexp.MustCompile(`name="version" value="(\d+)"`)

func revPath(id int64) string { return "/console/revisions/" + strconv.FormatInt(id, 10) }

// press opens a revision page and presses an action button with a comment,
// as a person does; it returns the answer to the post.
func (b *browser) press(revID int64, ev cms.Event, comment string) *page {
	b.t.Helper()
	p := b.get(revPath(revID)).must(b.t, http.StatusOK)
	m := versionField.FindStringSubmatch(p.Body)
	if m == nil {
		b.t.Fatalf("no action form on revision %d:\n%s", revID, p.Body)
	}
	return b.post(revPath(revID)+"/transitions", url.Values{"event": {string(ev)}, "comment": {comment}, "version": {m[1]}})
}

// button is the markup of an action button.
func button(ev cms.Event) string { return `name="event" value="` + string(ev) + `"` }

// TestRevisionPageThroughTheChain walks a guide from draft to published and
// back through the console's forms: each person sees the content as
// clients will, the history with every comment, and exactly the buttons
// the services allow them now.
func TestRevisionPageThroughTheChain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	it, rev := e.guide(t, c.editor, `<script>alert(1)</script>缴存登记`)
	body := "单位为职工办理**缴存登记**。联系人手机 13912345678。"
	if _, _, err := e.svc.Items.UpdateDraft(context.Background(), e.as(t, c.editor), rev.ID, rev.Version,
		cms.Content{Body: &body}); err != nil {
		t.Fatal(err)
	}
	path := revPath(rev.ID)
	people := map[string]*browser{}
	for _, u := range []*cms.User{c.editor, c.head, c.leader, c.director, c.secrecy, c.publisher, c.otherEditor} {
		people[u.Username] = e.browser(t)
		people[u.Username].login(u.Username, staffPassword)
	}
	ed, head, leader, director := people[c.editor.Username], people[c.head.Username], people[c.leader.Username], people[c.director.Username]
	secrecy, publisher := people[c.secrecy.Username], people[c.publisher.Username]

	ed.get(path).must(t, http.StatusOK).has(t, "&lt;script&gt;alert(1)&lt;/script&gt;缴存登记", "<strong>缴存登记</strong>",
		"办理条件", "新设立的单位", "所需材料", "营业执照", "复印件", "办结时限", "首次发布", button(cms.EventSubmit), "编辑稿件",
		"更新于 2026-12-01 09:30"). // Beijing time: the clock says 01:30 UTC
		lacks(t, "<script>alert(1)", button(cms.EventApprove))
	people[c.otherEditor.Username].get(path).must(t, http.StatusForbidden).has(t, "没有权限")
	admin := e.browser(t)
	admin.login("admin", adminPassword)
	admin.get(path).must(t, http.StatusForbidden)
	head.get(path).must(t, http.StatusOK).lacks(t, `name="event"`)

	ed.press(rev.ID, cms.EventSubmit, "").must(t, http.StatusSeeOther)
	ed.get(path).has(t, "已提交审核", "部门审核", button(cms.EventWithdraw)).lacks(t, button(cms.EventSubmit), "编辑稿件")
	head.get(path).has(t, button(cms.EventApprove), button(cms.EventReject))
	head.press(rev.ID, cms.EventReject, "  ").must(t, http.StatusUnprocessableEntity).has(t, "退回时请填写意见")
	head.press(rev.ID, cms.EventReject, `请补充<i>材料</i>`).must(t, http.StatusSeeOther)
	ed.get(path).has(t, "请补充&lt;i&gt;材料&lt;/i&gt;", "李娜", "退回", button(cms.EventSubmit))

	ed.press(rev.ID, cms.EventSubmit, "已补充").must(t, http.StatusSeeOther)
	head.press(rev.ID, cms.EventApprove, "同意").must(t, http.StatusSeeOther)
	director.get(path).lacks(t, button(cms.EventSign)) // the leader in charge signs first
	leader.get(path).has(t, button(cms.EventSign), button(cms.EventReject))
	leader.press(rev.ID, cms.EventSign, "同意发布").must(t, http.StatusSeeOther)
	director.press(rev.ID, cms.EventSign, "签发").must(t, http.StatusSeeOther)

	// The secrecy review: a blocking finding stops the clear until a reason is given.
	p := secrecy.get(path).has(t, "保密检查", "手机号码", "139****5678", "确认理由", button(cms.EventReject)).
		lacks(t, button(cms.EventClear))
	fid := regexp.MustCompile(`findings/(\d+)/acknowledge`).FindStringSubmatch(p.Body)[1]
	ack := path + "/findings/" + fid + "/acknowledge"
	ed.get(path).lacks(t, "确认理由")
	secrecy.post(ack, url.Values{"reason": {""}}).must(t, http.StatusUnprocessableEntity).has(t, "请说明可以发布的理由")
	secrecy.post(ack, url.Values{"reason": {"该号码为中心公开的咨询电话"}}).must(t, http.StatusSeeOther)
	secrecy.get(path).has(t, "已记录确认理由", "该号码为中心公开的咨询电话", button(cms.EventClear))
	secrecy.press(rev.ID, cms.EventClear, "").must(t, http.StatusSeeOther)

	publisher.press(rev.ID, cms.EventPublish, "").must(t, http.StatusSeeOther)
	publisher.get(path).has(t, "已发布", button(cms.EventSuspend), button(cms.EventArchive))
	publisher.press(rev.ID, cms.EventSuspend, "").must(t, http.StatusUnprocessableEntity).has(t, "暂停时请填写意见")
	publisher.press(rev.ID, cms.EventSuspend, "内容被篡改，暂停待查").must(t, http.StatusSeeOther)
	director.get(path).has(t, "已暂停", button(cms.EventRestore), "内容被篡改，暂停待查")
	director.press(rev.ID, cms.EventRestore, "").must(t, http.StatusUnprocessableEntity).has(t, "恢复时请填写意见")
	director.press(rev.ID, cms.EventRestore, "已核实，恢复发布").must(t, http.StatusSeeOther)

	// A page gone stale: someone acted meanwhile, nothing happens.
	stale := publisher.get(path)
	version := versionField.FindStringSubmatch(stale.Body)[1]
	e.fire(t, c.director, rev.ID, cms.EventSuspend, "再次暂停")
	publisher.post(path+"/transitions", url.Values{"event": {"suspend"}, "comment": {"x"}, "version": {version}}).
		must(t, http.StatusPreconditionFailed).has(t, "稿件已被他人处理")
	if v, _ := e.svc.Items.Get(context.Background(), e.admin, it.ID); v != nil {
		t.Fatal("the administrator reads items")
	}
}
