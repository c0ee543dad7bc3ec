package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
)

var pickField = regexp.MustCompile(`name="rev" value="(\d+:\d+)"`)

// TestBatchSign: a leader selects revisions waiting for his signature in
// 待办 and signs them in one form; each is signed, checked and audited by
// the workflow service on its own, and the result says which were signed
// and why the others were not (one withdrawn meanwhile, one not his).
func TestBatchSign(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	ctx := context.Background()
	ed, hd := e.as(t, c.editor), e.as(t, c.head)
	fire := func(p *cms.Principal, id int64, ev cms.Event) {
		t.Helper()
		if _, _, err := e.svc.Workflow.Fire(ctx, p, id, ev, "", 0); err != nil {
			t.Fatal(err)
		}
	}
	draft := func(title string) *cms.Revision {
		t.Helper()
		body := "正文"
		_, rev, err := e.svc.Items.Create(ctx, ed, cms.NewItem{Column: "guides-deposit",
			Content: cms.Content{Title: &title, Body: &body, Fields: guideFields()}})
		if err != nil {
			t.Fatal(err)
		}
		fire(ed, rev.ID, cms.EventSubmit)
		return rev
	}
	var revs []*cms.Revision
	for _, title := range []string{"缴存登记", "缴存基数调整", `<i>缴存</i>比例`} {
		rev := draft(title)
		fire(hd, rev.ID, cms.EventApprove)
		revs = append(revs, rev)
	}
	waiting := draft("尚在科室审核")

	head := e.browser(t)
	head.login(c.head.Username, staffPassword)
	head.get("/console/queue").must(t, http.StatusOK).lacks(t, `action="/console/queue/sign"`) // approvals are one by one

	leader := e.browser(t)
	leader.login(c.leader.Username, staffPassword)
	p := leader.get("/console/queue").must(t, http.StatusOK).has(t, "签发所选稿件", "&lt;i&gt;缴存&lt;/i&gt;比例")
	picks := pickField.FindAllStringSubmatch(p.Body, -1)
	if len(picks) != 3 {
		t.Fatalf("%d revisions to pick, want 3", len(picks))
	}
	// Meanwhile the editor withdraws the second.
	fire(ed, revs[1].ID, cms.EventWithdraw)
	form := url.Values{"comment": {"同意"}}
	for _, m := range picks {
		form.Add("rev", m[1])
	}
	form.Add("rev", itoa(waiting.ID)+":2") // not waiting for him
	leader.post("/console/queue/sign", url.Values{"rev": {picks[0][1]}, "csrf": {"forged"}}).must(t, http.StatusForbidden)
	p = leader.post("/console/queue/sign", form).must(t, http.StatusOK).
		has(t, "签发 2 件，未签发 2 件", "已签发（2）", "缴存登记", "&lt;i&gt;缴存&lt;/i&gt;比例", "未签发（2）", "缴存基数调整",
			"稿件已被他人处理", "尚在科室审核", "稿件已不在领导签发环节").lacks(t, "<i>缴存")
	for i, want := range []int{1, 0, 1} {
		got, _, err := e.svc.Items.Revision(ctx, ed, revs[i].ID)
		if err != nil || got.SignoffStep != want {
			t.Errorf("revision %d: step %d, want %d (%v)", i, got.SignoffStep, want, err)
		}
	}
	ts, _, err := e.svc.Workflow.History(ctx, ed, revs[0].ItemID)
	if err != nil || ts[len(ts)-1].Event != cms.EventSign || ts[len(ts)-1].Comment != "同意" || ts[len(ts)-1].ActorID != c.leader.ID {
		t.Fatalf("history of a batch signature: %+v %v", ts[len(ts)-1], err)
	}
	// Signed once: now it is the director's turn, the leader's queue is empty of them.
	p = leader.get("/console/queue")
	if strings.Contains(p.Body, `name="rev"`) {
		t.Error("signed revisions are offered again")
	}
	if p := leader.post("/console/queue/sign", url.Values{}); p.Location() != "/console/queue?stage=leadership_signoff" {
		t.Errorf("nothing picked: %d → %q", p.Status, p.Location())
	}
	director := e.browser(t)
	director.login(c.director.Username, staffPassword)
	if n := len(pickField.FindAllString(director.get("/console/queue").Body, -1)); n != 2 {
		t.Errorf("the director may sign %d, want 2", n)
	}
}
