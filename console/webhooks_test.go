package console_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"sync"
	"testing"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
)

// hookReceiver is another system's endpoint: it keeps what it received
// and answers with status.
type hookReceiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	status int
	got    []*http.Request
	bodies [][]byte
}

func newHookReceiver(t testing.TB) *hookReceiver {
	rc := &hookReceiver{status: http.StatusOK}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got, rc.bodies = append(rc.got, r), append(rc.bodies, b)
		status := rc.status
		rc.mu.Unlock()
		w.WriteHeader(status)
		io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// newHookEnv is the system allowed to deliver to a receiver on this machine.
func newHookEnv(t testing.TB) *env {
	return newEnvWith(t, func(c *app.Config) { c.Events.AllowPrivate = true })
}

// deliver does what the events workers do: turns new events into
// deliveries and attempts every one that is due.
func (e *env) deliver(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.svc.Dispatch.Dispatch(ctx, 200); err != nil {
		t.Fatal(err)
	}
	ds, err := e.svc.Webhooks.ClaimDeliveries(ctx, "console-test", 100)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ds {
		if err := e.svc.Webhooks.Attempt(ctx, "console-test", &ds[i]); err != nil {
			t.Fatal(err)
		}
	}
}

// publishGuide takes a guide through the whole chain to the public.
func (e *env) publishGuide(t testing.TB, c chain, title string) *cms.Revision {
	t.Helper()
	_, rev := e.guide(t, c.editor, title)
	for _, s := range []struct {
		u  *cms.User
		ev cms.Event
	}{{c.editor, cms.EventSubmit}, {c.head, cms.EventApprove}, {c.leader, cms.EventSign}, {c.director, cms.EventSign},
		{c.secrecy, cms.EventClear}, {c.publisher, cms.EventPublish}} {
		e.fire(t, s.u, rev.ID, s.ev, "")
	}
	return rev
}

var shownSecret = regexp.MustCompile(`<code aria-label="签名密钥">(whsec_[^<]+)</code>`)

// TestWebhookPages: an administrator registers an endpoint and reads its
// secret once, follows its deliveries, sends one again, changes its
// events, switches it off and on, rotates the secret and removes it.
// Others may not; nothing in a page executes what was typed.
func TestWebhookPages(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t)
	c := e.chain(t)
	rc := newHookReceiver(t)

	pub := e.browser(t)
	pub.login(c.publisher.Username, staffPassword)
	pub.get("/console/webhooks").must(t, http.StatusForbidden).has(t, "没有权限")
	pub.get("/console/webhooks/new").must(t, http.StatusForbidden)
	pub.post("/console/webhooks/new", url.Values{"url": {rc.srv.URL}, "events": {"*"}}).must(t, http.StatusForbidden)

	admin := e.browser(t)
	admin.login("admin", adminPassword)
	admin.get("/console/admin").must(t, http.StatusSeeOther)
	admin.get("/console/webhooks").must(t, http.StatusOK).has(t, "尚未登记接收地址", `href="/console/webhooks"`)
	admin.get("/console/webhooks/new").must(t, http.StatusOK).has(t, `name="events" value="item.*" checked`, "审批：签发")

	// Refused: what is wrong is said next to the field, the form kept.
	hostile := `微信后台<script>alert(1)</script>`
	admin.post("/console/webhooks/new", url.Values{"url": {"ftp://wechat.example.gov.cn/hook"}, "description": {hostile}}).
		must(t, http.StatusUnprocessableEntity).has(t, "只能使用 http 或 https", "请至少选择一种事件",
		`value="ftp://wechat.example.gov.cn/hook"`, "微信后台&lt;script&gt;").lacks(t, "<script>alert(1)")
	if hooks, _ := e.svc.Webhooks.List(context.Background(), e.admin); len(hooks) != 0 {
		t.Fatalf("a refused form registered %v", hooks)
	}

	p := admin.post("/console/webhooks/new", url.Values{"url": {rc.srv.URL + "/hook"}, "description": {hostile},
		"events": {"item.*", "menu.changed"}}).must(t, http.StatusOK).has(t, "接收地址已登记", "只显示这一次")
	secret := html.UnescapeString(shownSecret.FindStringSubmatch(p.Body)[1])
	hooks, err := e.svc.Webhooks.List(context.Background(), e.admin)
	if err != nil || len(hooks) != 1 {
		t.Fatalf("registered: %v %v", hooks, err)
	}
	hook := "/console/webhooks/" + strconv.FormatInt(hooks[0].ID, 10)
	admin.get("/console/webhooks").must(t, http.StatusOK).has(t, "全部内容变更、菜单变更", "已启用", "微信后台&lt;script&gt;")
	admin.get(hook).must(t, http.StatusOK).has(t, "尚无投递", `value="menu.changed" checked`).lacks(t, secret[10:30], "<script>alert(1)")

	// A publisher may not read it, nor act on it.
	pub.get(hook).must(t, http.StatusForbidden)
	for _, op := range []string{"", "/disable", "/rotate", "/delete", "/deliveries/1/redeliver"} {
		pub.post(hook+op, url.Values{"url": {rc.srv.URL}, "events": {"*"}}).must(t, http.StatusForbidden)
	}
	if got, _ := e.svc.Webhooks.Get(context.Background(), e.admin, hooks[0].ID); !got.Enabled || got.Secret != hooks[0].Secret {
		t.Fatal("a refused post changed the endpoint")
	}

	// A guide goes live: the endpoint is told, signed with the secret.
	e.publishGuide(t, c, "住房公积金缴存登记")
	e.deliver(t)
	if len(rc.got) != 1 {
		t.Fatalf("the receiver got %d requests", len(rc.got))
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.VerifyIgnoringTimestamp(rc.bodies[0], rc.got[0].Header); err != nil { // the test's clock is not the receiver's
		t.Errorf("the delivery does not verify with the secret shown: %v", err)
	}
	d := admin.get(hook).must(t, http.StatusOK).has(t, "投递记录", "稿件发布上线", "已送达", "对方已接收（HTTP 200）", `{&#34;ok&#34;:true}`)
	did := regexp.MustCompile(`/deliveries/(\d+)/redeliver`).FindStringSubmatch(d.Body)[1]

	// Sent again, with the same message id; the endpoint now fails.
	rc.mu.Lock()
	rc.status = http.StatusBadGateway
	rc.mu.Unlock()
	p = admin.post(hook+"/deliveries/"+did+"/redeliver", nil).must(t, http.StatusSeeOther)
	admin.get(p.Location()).has(t, "已安排重新发送", "重新发送", "尚未尝试")
	e.deliver(t)
	if len(rc.got) != 2 || rc.got[1].Header.Get("webhook-id") != rc.got[0].Header.Get("webhook-id") {
		t.Fatalf("the redelivery: %d requests", len(rc.got))
	}
	admin.get(hook).has(t, "等待重试", "对方应答 HTTP 502，未接收", "投递失败")

	// The events change; a form without any is refused.
	admin.post(hook, url.Values{"url": {rc.srv.URL + "/hook"}, "events": {"revision.*", "item.suspended"}, "description": {"OA"}}).
		must(t, http.StatusSeeOther)
	admin.get(hook).has(t, "设置已保存", `value="revision.*" checked`, `value="item.suspended" checked`).
		lacks(t, `value="menu.changed" checked`)
	admin.post(hook, url.Values{"url": {rc.srv.URL + "/hook"}, "description": {"OA"}}).must(t, http.StatusUnprocessableEntity).
		has(t, "设置未保存", "请至少选择一种事件", "投递记录")

	// Off and on.
	admin.post(hook+"/disable", nil).must(t, http.StatusSeeOther)
	admin.get("/console/webhooks").has(t, "接收地址已停用", "已停用")
	admin.post(hook+"/enable", nil).must(t, http.StatusSeeOther)
	admin.get(hook).has(t, "接收地址已启用", "停用")

	// A new secret, shown once; the old one signs beside it for a while.
	p = admin.post(hook+"/rotate", nil).must(t, http.StatusOK).has(t, "签名密钥已更换", "旧密钥在")
	rotated := html.UnescapeString(shownSecret.FindStringSubmatch(p.Body)[1])
	if rotated == secret {
		t.Fatal("the rotation kept the secret")
	}
	admin.get(hook).has(t, "旧密钥在").lacks(t, secret[10:30], rotated[10:30])

	// No token, no change; then removed.
	admin.post(hook+"/delete", url.Values{"csrf": {""}, "confirm": {"yes"}}).must(t, http.StatusForbidden)
	admin.post(hook+"/delete", nil).must(t, http.StatusUnprocessableEntity).has(t, "请先勾选“确认删除”", "投递记录")
	admin.post(hook+"/delete", url.Values{"confirm": {"yes"}}).must(t, http.StatusSeeOther)
	admin.get("/console/webhooks").has(t, "接收地址已删除", "尚未登记接收地址")
	admin.get(hook).must(t, http.StatusNotFound)
}

// TestNotifySettings: each person chooses the channels of each kind and
// their e-mail address; a wrong address is shown again with the choices.
func TestNotifySettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	ed := e.browser(t)
	ed.login(c.editor.Username, staffPassword)
	ed.get("/console/inbox").has(t, `href="/console/inbox/settings"`)
	ed.get("/console/inbox/settings").must(t, http.StatusOK).has(t, "通知设置", "审批结果", "安全事件",
		`name="incident.email" value="on" checked`, `name="review.inbox" value="on" checked`, "尚未配置邮件服务").
		lacks(t, `name="review.email" value="on" checked`)

	form := url.Values{"email": {"zhang.wei@"}, "decision.inbox": {"on"}, "decision.email": {"on"}, "incident.inbox": {"on"}}
	ed.post("/console/inbox/settings", form).must(t, http.StatusUnprocessableEntity).
		has(t, "请填写电子邮箱地址", `value="zhang.wei@"`, `name="decision.email" value="on" checked`).
		lacks(t, `name="review.inbox" value="on" checked`)
	form.Set("email", "zhang.wei@tlgjj.example.gov.cn")
	ed.post("/console/inbox/settings", form).must(t, http.StatusSeeOther)
	ed.get("/console/inbox/settings").has(t, "通知设置已保存", `value="zhang.wei@tlgjj.example.gov.cn"`,
		`name="decision.email" value="on" checked`).lacks(t, `name="review.inbox" value="on" checked`, `name="incident.email" value="on" checked`)

	st, err := e.svc.Notifications.Settings(context.Background(), e.as(t, c.editor))
	if err != nil {
		t.Fatal(err)
	}
	want := map[cms.NotificationKind]cms.Channels{cms.NotifyReview: {}, cms.NotifyDecision: {Inbox: true, Email: true},
		cms.NotifyIncident: {Inbox: true}, cms.NotifyOverdue: {}}
	for k, ch := range want {
		if st.Kinds[k] != ch {
			t.Errorf("%s: %+v, want %+v", k, st.Kinds[k], ch)
		}
	}
	if st.Email != "zhang.wei@tlgjj.example.gov.cn" {
		t.Errorf("e-mail %q", st.Email)
	}
	// Someone else's settings are their own.
	other, err := e.svc.Notifications.Settings(context.Background(), e.as(t, c.head))
	if err != nil || other.Email != "" || !other.Kinds[cms.NotifyReview].Inbox {
		t.Errorf("the head's settings changed: %+v %v", other, err)
	}
	ed.post("/console/inbox/settings", url.Values{"csrf": {"forged"}, "email": {""}}).must(t, http.StatusForbidden)
}
