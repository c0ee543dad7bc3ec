package console_test

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestFeatureRequestsInBrowser: 第十六条 as people do it, in Chromium. An
// editor of 归集科 on a phone finds 功能建议 in the menu, submits a
// suggestion for the App; 信息科 at a desk reads it and comments; the
// leader in charge finds it on 工作台 and approves it on a phone; 信息科
// finds it there too and records it done. The
// list, the form and the request's page pass axe-core at 390 and 1280 px
// and never scroll sideways.
func TestFeatureRequestsInBrowser(t *testing.T) {
	t.Parallel()
	browser := chromium(t)
	e := newEnv(t)
	c := e.chain(t)

	ed := e.newPerson(t, browser, "editor", phone, 844)
	ed.login(c.editor.Username, staffPassword)
	ed.open("/console/", http.StatusOK)
	ed.submit(`nav a[href="/console/feature-requests"]`, http.StatusOK)
	ed.sees("功能建议", "第十六条", "提出建议", "没有符合条件的功能建议")
	ed.shots("feature-requests-empty")
	ed.do(chromedp.Click(chromedp.CSS(`input[name="channel"][value="app"]`), chromedp.NodeVisible))
	ed.fill("#title", "贷款审批进度推送")
	ed.submit(`#submit button[type=submit]`, http.StatusUnprocessableEntity)
	ed.sees("建议未提交", "请说明建议增加或修改的功能及理由")
	ed.shots("feature-requests-problem")
	ed.fill("#description", "贷款审批每完成一个环节，通过App向申请人推送消息。")
	ed.submit(`#submit button[type=submit]`, http.StatusOK)
	ed.sees("建议已提交", "贷款审批进度推送", "待批准", "手机App", "办理记录", "提出建议")
	detail := ed.location()

	pub := e.newPerson(t, browser, "publisher", desktop, 900)
	pub.login(c.publisher.Username, staffPassword)
	pub.open("/console/feature-requests", http.StatusOK)
	pub.sees("贷款审批进度推送", "归集科", "待批准")
	pub.shots("feature-requests")
	pub.submit(`a[href^="/console/feature-requests/"]`, http.StatusOK)
	pub.fill("#comment", "已收集，拟与App 3.2版一并开发")
	pub.submit(`form[action$="/comments"] button[type=submit]`, http.StatusOK)
	pub.sees("意见已添加", "已收集，拟与App 3.2版一并开发")

	lead := e.newPerson(t, browser, "leader", phone, 844)
	lead.login(c.leader.Username, staffPassword)
	lead.open("/console/", http.StatusOK)
	lead.sees("待处理的功能建议", "待中心领导批准", "贷款审批进度推送", "建议待批准")
	lead.shots("home-feature-requests")
	lead.submit(`#features a[href^="/console/feature-requests/"]`, http.StatusOK)
	lead.sees("中心领导审批", "已收集，拟与App 3.2版一并开发")
	lead.shots("feature-request-decide")
	lead.submit(`button[name="approve"][value="false"]`, http.StatusUnprocessableEntity)
	lead.sees("不予批准时请填写意见")
	lead.fill("#decision-comment", "同意，请信息科安排")
	lead.submit(`button[name="approve"][value="true"]`, http.StatusOK)
	lead.sees("已批准，信息科将交软件开发单位修改完善")

	pub.open("/console/", http.StatusOK)
	pub.sees("已批准，待交软件开发单位修改完善", "贷款审批进度推送")
	pub.submit(`#features a[href^="/console/feature-requests/"]`, http.StatusOK)
	if got := pub.location(); got != detail {
		t.Errorf("工作台 led 信息科 to %s, want %s", got, detail)
	}
	pub.fill("#done-comment", "已随App 3.2版上线")
	pub.submit(`form[action$="/done"] button[type=submit]`, http.StatusOK)
	pub.sees("已记录修改完善", "已修改完善", "已交软件开发单位修改完善", "同意，请信息科安排")
	pub.shots("feature-request-done")
}
