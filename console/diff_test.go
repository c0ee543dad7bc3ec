package console_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// TestDiffAgainstLive: a change to a published item shows, field by field,
// what it changes against the live version, in words, old above new.
func TestDiffAgainstLive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	it, rev := e.guide(t, c.editor, "缴存登记")
	for _, s := range []struct {
		u  *cms.User
		ev cms.Event
	}{{c.editor, cms.EventSubmit}, {c.head, cms.EventApprove}, {c.leader, cms.EventSign}, {c.director, cms.EventSign},
		{c.secrecy, cms.EventClear}, {c.publisher, cms.EventPublish}} {
		e.fire(t, s.u, rev.ID, s.ev, "")
	}
	fields := guideFields()
	fields["place"] = "市政务服务中心二楼"
	fields["materials"] = []any{map[string]any{"name": "营业执照", "form": "original"}}
	title := "单位缴存登记"
	next, _, err := e.svc.Items.NewRevision(context.Background(), e.as(t, c.editor), it.ID, cms.ActionPublish,
		cms.Content{Title: &title, Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser(t)
	b.login(c.head.Username, staffPassword)
	b.get(revPath(next.ID)).must(t, http.StatusOK).has(t, "与线上正在发布的第 1 版相比",
		"标题（修改）", "缴存登记", "单位缴存登记", "办理地点（修改）", "市政务服务中心二楼",
		"所需材料（修改）", "· 材料名称：营业执照；原件/复印件：复印件；份数：1", "· 材料名称：营业执照；原件/复印件：原件").
		lacks(t, "办结时限（")
	b.get(revPath(rev.ID)).has(t, "第 2 版（草稿）")
}
