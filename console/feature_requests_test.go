package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
)

var featureLink = regexp.MustCompile(`href="(/console/feature-requests/\d+)"`)

// TestFeatureRequestsWithoutScript: 第十六条 in the console, with plain
// forms. An editor of 归集科 finds 功能建议 in the menu and submits a
// suggestion (a form with problems comes back in Chinese with what was
// typed); 信息科 comments; the leader in charge refuses only with a reason
// and approves; 信息科 records it done; the editor reads the history. The
// pages offer each person only what they may do; a post without the CSRF
// token, or of an action the roles do not allow, is refused and changes
// nothing.
func TestFeatureRequestsWithoutScript(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	auditor := e.staff(t, "qian.hui", "钱慧", "office", bind(cms.RoleAuditor, "office"))

	ed := e.browser(t)
	ed.login(c.editor.Username, staffPassword)
	ed.get("/console/").must(t, http.StatusOK).has(t, `href="/console/feature-requests"`, "功能建议")
	ed.get("/console/feature-requests").must(t, http.StatusOK).has(t, "第十六条", "没有符合条件的功能建议", "提交建议", "提出科室：归集科")
	ed.post("/console/feature-requests", url.Values{"department": {"collection"}, "channel": {"wechat"}, "title": {"提取进度查询"},
		"description": {" "}}).must(t, http.StatusUnprocessableEntity).has(t, "建议未提交", "请说明建议增加或修改的功能及理由", `value="提取进度查询"`)
	ed.post("/console/feature-requests", url.Values{"department": {"finance"}, "channel": {"app"}, "title": {"x"},
		"description": {"y"}}).must(t, http.StatusForbidden).has(t, "没有权限")
	p := ed.post("/console/feature-requests", url.Values{"department": {"collection"}, "channel": {"both"},
		"title": {"提取进度查询"}, "description": {"群众希望在公众号和App查询<b>提取</b>审批进度。"}}).must(t, http.StatusSeeOther)
	detail := p.Location()
	if !strings.HasPrefix(detail, "/console/feature-requests/") {
		t.Fatalf("after submitting: %s", detail)
	}
	ed.get(detail).must(t, http.StatusOK).has(t, "建议已提交", "待批准", "微信公众号和手机App", "提出建议", "&lt;b&gt;提取&lt;/b&gt;", "添加意见").
		lacks(t, "中心领导审批", "确认已修改完善")

	// 信息科 collects: comments; neither decides nor finishes what is not approved.
	pub := e.browser(t)
	pub.login(c.publisher.Username, staffPassword)
	pub.get("/console/feature-requests").must(t, http.StatusOK).has(t, "提取进度查询", "归集科").lacks(t, "提交建议")
	pub.get(detail).must(t, http.StatusOK).has(t, "添加意见").lacks(t, "中心领导审批", "确认已修改完善")
	pub.post(detail+"/comments", url.Values{"comment": {"已收集，拟随App新版本开发"}}).must(t, http.StatusSeeOther)
	pub.get(detail).has(t, "意见已添加", "已收集，拟随App新版本开发")
	pub.post(detail+"/decision", url.Values{"approve": {"true"}}).must(t, http.StatusForbidden)
	pub.post(detail+"/done", nil).must(t, http.StatusConflict).has(t, "不能进行此操作")

	// Refused posts: no CSRF token; another department; an auditor.
	ed.post(detail+"/comments", url.Values{"comment": {"补充"}, "csrf": {""}}).must(t, http.StatusForbidden).has(t, "表单已过期")
	other := e.browser(t)
	other.login(c.otherEditor.Username, staffPassword)
	other.get(detail).must(t, http.StatusForbidden)
	other.get("/console/feature-requests").must(t, http.StatusOK).lacks(t, "提取进度查询")
	aud := e.browser(t)
	aud.login(auditor.Username, staffPassword)
	aud.get(detail).must(t, http.StatusOK).has(t, "提取进度查询").lacks(t, "添加意见", "中心领导审批")
	aud.post(detail+"/comments", url.Values{"comment": {"看看"}}).must(t, http.StatusForbidden)
	sec := e.browser(t)
	sec.login(c.secrecy.Username, staffPassword)
	sec.get("/console/").must(t, http.StatusOK).lacks(t, `href="/console/feature-requests"`)
	sec.get("/console/feature-requests").must(t, http.StatusForbidden)

	// The leader in charge decides: a refusal needs a reason.
	lead := e.browser(t)
	lead.login(c.leader.Username, staffPassword)
	lead.get(detail).must(t, http.StatusOK).has(t, "中心领导审批", "批准", "不予批准",
		`name="approve" value="true"`, `name="approve" value="false"`)
	// The form speaks the API's approve=true|false; anything else decides nothing.
	lead.post(detail+"/decision", url.Values{"decision": {"approve"}}).must(t, http.StatusBadRequest)
	lead.post(detail+"/decision", url.Values{"approve": {"maybe"}}).must(t, http.StatusBadRequest)
	lead.get(detail).has(t, "中心领导审批")
	lead.post(detail+"/decision", url.Values{"approve": {"false"}, "comment": {""}}).must(t, http.StatusUnprocessableEntity).
		has(t, "不予批准时请填写意见")
	lead.post(detail+"/decision", url.Values{"approve": {"true"}, "comment": {"同意"}}).must(t, http.StatusSeeOther)
	lead.get(detail).has(t, "已批准，信息科将交软件开发单位修改完善", "已批准").lacks(t, "中心领导审批")
	lead.post(detail+"/decision", url.Values{"approve": {"false"}, "comment": {"再议"}}).must(t, http.StatusConflict)

	// 信息科 records it done; then it is closed.
	pub.get(detail).must(t, http.StatusOK).has(t, "确认已修改完善")
	ed.post(detail+"/done", nil).must(t, http.StatusForbidden)
	pub.post(detail+"/done", url.Values{"comment": {"已随App 3.2上线"}}).must(t, http.StatusSeeOther)
	ed.get(detail).must(t, http.StatusOK).has(t, "已修改完善", "已交软件开发单位修改完善", "已随App 3.2上线", "同意").
		lacks(t, "添加意见")
	list := ed.get("/console/feature-requests?state=done").must(t, http.StatusOK)
	if m := featureLink.FindStringSubmatch(list.Body); m == nil || m[1] != detail {
		t.Errorf("done requests do not list %s", detail)
	}
	ed.get("/console/feature-requests?state=submitted").must(t, http.StatusOK).has(t, "没有符合条件的功能建议")
}
