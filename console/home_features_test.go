package console_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// TestHomeShowsFeatureRequestsWaiting: 工作台 shows the feature requests
// (第十六条) that wait for the signed-in person, with a link to each: the
// leader in charge sees the submitted requests of the departments in their
// charge, the director every department's, 信息科 the approved ones to
// record done; a request leaves a person's list once they can no longer act
// on it; those who neither decide nor collect see no such section.
func TestHomeShowsFeatureRequestsWaiting(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	licensing := e.staff(t, "zhou.jie", "周杰", "licensing", bind(cms.RoleEditor, "licensing"))
	ctx := context.Background()
	submit := func(u *cms.User, title string) *cms.FeatureRequest {
		t.Helper()
		r, err := e.svc.FeatureRequests.Submit(ctx, e.as(t, u), cms.FeatureRequest{Channel: cms.FeatureChannelApp, Title: title, Description: "群众希望增加此功能。"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	hostile := `<script>alert(1)</script>提取进度查询`
	escaped := "&lt;script&gt;alert(1)&lt;/script&gt;提取进度查询"
	mine := submit(c.editor, hostile)
	other := submit(licensing, "行政许可办理指引")
	link := func(r *cms.FeatureRequest) string {
		return `href="/console/feature-requests/` + strconv.FormatInt(r.ID, 10) + `"`
	}

	lead := e.browser(t)
	lead.login(c.leader.Username, staffPassword)
	lead.get("/console/").must(t, http.StatusOK).has(t, "待处理的功能建议", "待中心领导批准", escaped, link(mine), "归集科", "建议待批准").
		lacks(t, hostile, link(other), "建议待修改完善")
	dir := e.browser(t)
	dir.login(c.director.Username, staffPassword)
	dir.get("/console/").must(t, http.StatusOK).has(t, "待处理的功能建议", link(mine), link(other), "行政许可科")
	pub := e.browser(t)
	pub.login(c.publisher.Username, staffPassword)
	pub.get("/console/").must(t, http.StatusOK).has(t, "待处理的功能建议", "目前没有等待您处理的功能建议", "建议待修改完善").
		lacks(t, link(mine), link(other), "建议待批准")
	for _, u := range []*cms.User{c.editor, c.secrecy} {
		b := e.browser(t)
		b.login(u.Username, staffPassword)
		b.get("/console/").must(t, http.StatusOK).lacks(t, "待处理的功能建议", link(mine))
	}

	// The leader approves: it leaves the deciders' lists and waits for 信息科.
	if _, err := e.svc.FeatureRequests.Decide(ctx, e.as(t, c.leader), mine.ID, true, "同意"); err != nil {
		t.Fatal(err)
	}
	lead.get("/console/").must(t, http.StatusOK).has(t, "目前没有等待您处理的功能建议").lacks(t, link(mine))
	dir.get("/console/").must(t, http.StatusOK).has(t, link(other)).lacks(t, link(mine))
	pub.get("/console/").must(t, http.StatusOK).has(t, "已批准，待交软件开发单位修改完善", escaped, link(mine)).lacks(t, link(other))

	// 信息科 records it done: nothing waits any more.
	if _, err := e.svc.FeatureRequests.Done(ctx, e.as(t, c.publisher), mine.ID, "已上线"); err != nil {
		t.Fatal(err)
	}
	pub.get("/console/").must(t, http.StatusOK).has(t, "目前没有等待您处理的功能建议").lacks(t, link(mine))
}
