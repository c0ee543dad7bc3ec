package console_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// TestApprovalForm: the printable 信息发布审批表 of a published revision
// names every decision of its approval (who, role, time, opinion) and the
// approved content hash; a rejected cycle stays in the trail only.
func TestApprovalForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	_, rev := e.guide(t, c.editor, "缴存登记")
	path := revPath(rev.ID) + "/approval"
	ed := e.browser(t)
	ed.login(c.editor.Username, staffPassword)
	ed.get(path).must(t, http.StatusOK).has(t, "信息发布审批表", "铜陵市住房公积金管理中心", "尚未审定", "尚未提交审核",
		"未指定（第六条）")
	// The department's contact (专人, 第六条) is named on the form.
	if _, err := e.svc.Structure.SetContacts(context.Background(), e.admin, "collection", []int64{c.head.ID}); err != nil {
		t.Fatal(err)
	}

	e.fire(t, c.editor, rev.ID, cms.EventSubmit, "")
	e.fire(t, c.head, rev.ID, cms.EventReject, "<b>请补充</b>")
	e.fire(t, c.editor, rev.ID, cms.EventSubmit, "已补充")
	e.fire(t, c.head, rev.ID, cms.EventApprove, "同意")
	e.fire(t, c.leader, rev.ID, cms.EventSign, "同意发布")
	e.fire(t, c.director, rev.ID, cms.EventSign, "签发")
	e.fire(t, c.secrecy, rev.ID, cms.EventClear, "无涉密内容")
	e.fire(t, c.publisher, rev.ID, cms.EventPublish, "")
	stored, _, err := e.svc.Items.Revision(context.Background(), e.as(t, c.editor), rev.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := ed.get(path).must(t, http.StatusOK).has(t, "办事指南 · 缴存类", "归集科", "拟稿人", "张伟",
		"科室审核", "李娜", "科室负责人", "同意", "分管领导审核", "王强", "同意发布", "中心主任签发", "赵敏", "签发",
		"保密审查", "陈静", "无涉密内容", "发布", "刘洋", stored.ApprovedHash, "&lt;b&gt;请补充&lt;/b&gt;", "退回").
		has(t, `部门专人</th><td colspan="3">李娜</td>`).lacks(t, "与审定内容不一致", "<b>请补充</b>", "未指定（第六条）")
	if p.Header.Get("Content-Security-Policy") == "" {
		t.Error("no CSP on the form")
	}
	fin := e.browser(t)
	fin.login(c.otherEditor.Username, staffPassword)
	fin.get(path).must(t, http.StatusForbidden).has(t, "没有权限")
}
