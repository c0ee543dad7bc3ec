package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// TestReviseLiveItem: from a live item's page its editors draft a change
// (修改已发布内容, starting from the live content) or a deletion request
// (申请撤下); the live revision stays online meanwhile; others are offered
// neither and are refused.
func TestReviseLiveItem(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	it, rev := e.publish(t, c, "住房公积金缴存登记")
	other, otherRev := e.publish(t, c, "提取须知")
	path := revPath(rev.ID)

	for _, u := range []*cms.User{c.otherEditor, c.publisher, c.head} {
		b := e.browser(t)
		b.login(u.Username, staffPassword)
		if p := b.get(path); strings.Contains(p.Body, "修改已发布内容") || strings.Contains(p.Body, "申请撤下") {
			t.Errorf("%s is offered to revise the live item", u.Username)
		}
		b.get("/console/") // a token for the post
		b.post("/console/items/"+itoa(it.ID)+"/revisions", url.Values{"action": {"publish"}}).must(t, http.StatusForbidden)
	}

	ed := e.browser(t)
	ed.login(c.editor.Username, staffPassword)
	ed.get(path).must(t, http.StatusOK).has(t, "修改已发布内容", "申请撤下")
	ed.post("/console/items/"+itoa(it.ID)+"/revisions", url.Values{"action": {"publish"}, "csrf": {"x"}}).must(t, http.StatusForbidden)
	res := ed.post("/console/items/"+itoa(it.ID)+"/revisions", url.Values{"action": {"publish"}}).must(t, http.StatusSeeOther)
	if !strings.HasSuffix(res.Location(), "/edit") {
		t.Fatalf("a change leads to %q, want its editor", res.Location())
	}
	ed.get(res.Location()).must(t, http.StatusOK).has(t, "已在已发布内容的基础上建立修改稿", `value="住房公积金缴存登记"`, "第 2 版")
	ed.get(path).lacks(t, "修改已发布内容") // one change at a time
	ed.post("/console/items/"+itoa(it.ID)+"/revisions", url.Values{"action": {"unpublish"}}).must(t, http.StatusConflict)
	if s := publicStatus(t, e, it.ID); s != http.StatusOK {
		t.Errorf("the live item went offline while its change is drafted: %d", s)
	}

	res = ed.post("/console/items/"+itoa(other.ID)+"/revisions", url.Values{"action": {"unpublish"}}).must(t, http.StatusSeeOther)
	ed.get(res.Location()).must(t, http.StatusOK).has(t, "已建立撤下申请", "删除申请", button(cms.EventSubmit), "撤下（删除申请）")
	v, err := e.svc.Items.Get(context.Background(), e.as(t, c.editor), other.ID)
	if err != nil || v.Head.Action != cms.ActionUnpublish || v.Live.ID != otherRev.ID {
		t.Fatalf("deletion request: %+v %v", v, err)
	}
}
