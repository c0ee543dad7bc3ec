package console_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
)

// toScheduled moves a revision through the chain to 待发布, as people do.
func (e *env) toScheduled(t testing.TB, c chain, revID int64) {
	t.Helper()
	for _, s := range []struct {
		u  *cms.User
		ev cms.Event
	}{{c.editor, cms.EventSubmit}, {c.head, cms.EventApprove}, {c.leader, cms.EventSign}, {c.director, cms.EventSign},
		{c.secrecy, cms.EventClear}} {
		e.fire(t, s.u, revID, s.ev, "")
	}
}

// releaseForm finds the form of an event in a row of the release desk and
// returns the version it carries.
func releaseVersion(t testing.TB, body string, revID int64) string {
	t.Helper()
	re := regexp.MustCompile(`action="/console/revisions/` + strconv.FormatInt(revID, 10) + `/transitions"[^>]*>\s*<input type="hidden" name="csrf" value="[^"]+">\s*<input type="hidden" name="version" value="(\d+)">`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no release form for revision %d:\n%s", revID, body)
	}
	return m[1]
}

// TestReleaseDesk: 发布管理 lists what waits for release, what is online and
// what is suspended; the publisher releases early, suspends with a reason
// and the director restores with one, each from the list; people without a
// release event or the menus get the 403 page and no menu entry.
func TestReleaseDesk(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	hostile := `<img src=x onerror=alert(1)>缴存登记`
	_, rev := e.guide(t, c.editor, hostile)
	e.toScheduled(t, c, rev.ID)
	escaped := "&lt;img src=x onerror=alert(1)&gt;缴存登记"

	for _, u := range []*cms.User{c.editor, c.head, c.leader, c.secrecy} {
		b := e.browser(t)
		b.login(u.Username, staffPassword)
		b.get("/console/").must(t, http.StatusOK).lacks(t, `href="/console/release"`)
		b.get("/console/release").must(t, http.StatusForbidden).has(t, "没有权限")
		b.get("/console/menus").must(t, http.StatusForbidden)
	}
	director := e.browser(t)
	director.login(c.director.Username, staffPassword)
	director.get("/console/").has(t, `href="/console/release"`)
	director.get("/console/release").must(t, http.StatusOK).has(t, escaped).lacks(t, hostile, `value="publish"`, "栏目菜单与停服公告")
	director.get("/console/menus").must(t, http.StatusForbidden)

	pub := e.browser(t)
	pub.login(c.publisher.Username, staffPassword)
	p := pub.get("/console/release").must(t, http.StatusOK).has(t, "待发布", escaped, "等待信息科发布", `value="publish"`, "发布（立即）", `value="release"`, `name="publish_at"`, "栏目菜单与停服公告").
		lacks(t, hostile)
	v := releaseVersion(t, p.Body, rev.ID)
	// A form from elsewhere is refused, and nothing moves.
	pub.post(revPath(rev.ID)+"/transitions", url.Values{"csrf": {"forged"}, "event": {"publish"}, "version": {v}}).
		must(t, http.StatusForbidden).has(t, "表单已过期")
	res := pub.post(revPath(rev.ID)+"/transitions", url.Values{"event": {"publish"}, "version": {v}, "back": {"/console/release?tab=scheduled"}})
	if res.Status != http.StatusSeeOther || res.Location() != "/console/release?tab=scheduled" {
		t.Fatalf("publish from the desk: %d → %q", res.Status, res.Location())
	}
	pub.get("/console/release?tab=scheduled").has(t, "已发布。", "没有待发布的稿件")

	p = pub.get("/console/release?tab=published").must(t, http.StatusOK).has(t, escaped, `value="suspend"`, `value="archive"`, "暂停理由（必填）")
	v = releaseVersion(t, p.Body, rev.ID)
	pub.post(revPath(rev.ID)+"/transitions", url.Values{"event": {"suspend"}, "version": {v}, "comment": {" "},
		"back": {"/console/release?tab=published"}}).must(t, http.StatusUnprocessableEntity).has(t, "暂停时请填写意见")
	res = pub.post(revPath(rev.ID)+"/transitions", url.Values{"event": {"suspend"}, "version": {v},
		"comment": {`内容被篡改<script>x</script>`}, "back": {"/console/release?tab=published"}})
	if res.Status != http.StatusSeeOther || res.Location() != "/console/release?tab=published" {
		t.Fatalf("suspend from the desk: %d → %q", res.Status, res.Location())
	}
	if r := publicStatus(t, e, rev.ItemID); r != http.StatusNotFound {
		t.Errorf("a suspended item is served: %d", r)
	}
	p = director.get("/console/release?tab=suspended").must(t, http.StatusOK).
		has(t, escaped, "刘洋 暂停，理由：", "内容被篡改&lt;script&gt;x&lt;/script&gt;", `value="restore"`, "恢复理由（必填）")
	v = releaseVersion(t, p.Body, rev.ID)
	director.post(revPath(rev.ID)+"/transitions", url.Values{"event": {"restore"}, "version": {v}, "comment": {""},
		"back": {"/console/release?tab=suspended"}}).must(t, http.StatusUnprocessableEntity).has(t, "恢复时请填写意见")
	director.post(revPath(rev.ID)+"/transitions", url.Values{"event": {"restore"}, "version": {v}, "comment": {"已核实，恢复发布"},
		"back": {"/console/release?tab=suspended"}}).must(t, http.StatusSeeOther)
	director.get("/console/release?tab=suspended").has(t, "已恢复发布", "没有已暂停的稿件")
	if r := publicStatus(t, e, rev.ItemID); r != http.StatusOK {
		t.Errorf("a restored item is not served: %d", r)
	}
	// Somewhere else than the console is never where a form leads.
	p = pub.get("/console/release?tab=published")
	v = releaseVersion(t, p.Body, rev.ID)
	res = pub.post(revPath(rev.ID)+"/transitions", url.Values{"event": {"suspend"}, "version": {v}, "comment": {"再查"},
		"back": {"https://evil.example/"}})
	if res.Location() != "/console/" {
		t.Errorf("back to another site: %q", res.Location())
	}
}

// publicStatus is the content API's answer for an item.
func publicStatus(t testing.TB, e *env, itemID int64) int {
	t.Helper()
	res, err := http.Get(e.srv.URL + "/content/v1/items/" + strconv.FormatInt(itemID, 10))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// publicMenu is a channel's menu as clients read it.
func publicMenu(t testing.TB, e *env, channel string) (int, string) {
	t.Helper()
	res, err := http.Get(e.srv.URL + "/content/v1/channels/" + channel + "/menu")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestMenusAndMaintenance: the publisher switches a menu entry off (clients
// are told it is off) and on and renames it, and announces a maintenance window (第十五条); clients see
// each change; what the menu service refuses is shown next to the field.
func TestMenusAndMaintenance(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	pub := e.browser(t)
	pub.login(c.publisher.Username, staffPassword)
	p := pub.get("/console/menus?channel=app").must(t, http.StatusOK).has(t, "停服公告", "新闻动态", "已启用")
	pub.get("/console/menus?channel=nope").must(t, http.StatusNotFound)
	roots, err := e.svc.Structure.Menu(context.Background(), e.as(t, c.publisher), "app")
	if err != nil {
		t.Fatal(err)
	}
	news := roots[0]
	if news.Title != "新闻动态" || !strings.Contains(p.Body, `id="entry-`+strconv.FormatInt(news.ID, 10)+`"`) {
		t.Fatalf("first entry: %+v", news)
	}
	entry := "/console/menus/entries/" + strconv.FormatInt(news.ID, 10)

	pub.post(entry, url.Values{"op": {"disable"}, "channel": {"app"}}).must(t, http.StatusSeeOther)
	pub.get("/console/menus?channel=app").has(t, "菜单项已停用", "已停用")
	if _, body := publicMenu(t, e, "app"); !strings.Contains(body, `"title":"新闻动态","path":"news","kind":"content","column":"news","content_type":"article","enabled":false`) {
		t.Errorf("the App's menu does not say the entry is off: %s", body)
	}
	pub.post(entry, url.Values{"op": {"enable"}, "channel": {"app"}}).must(t, http.StatusSeeOther)
	pub.post(entry, url.Values{"op": {"rename"}, "channel": {"app"}, "title": {"中心动态"}}).must(t, http.StatusSeeOther)
	if _, body := publicMenu(t, e, "app"); !strings.Contains(body, "中心动态") {
		t.Errorf("renamed entry not served: %s", body)
	}
	pub.post(entry, url.Values{"op": {"rename"}, "channel": {"app"}, "title": {strings.Repeat("长", 21)}}).
		must(t, http.StatusUnprocessableEntity).has(t, "名称须为 1 至 20 个字", strings.Repeat("长", 21))

	// 第十五条: 信息科 requests, a leader approves, only then it is announced.
	notice := "/console/channels/app/maintenance"
	req := url.Values{"op": {"save"}, "kind": {"upgrade"}, "reason": {"App 升级到 3.0"}, "notice": {"系统升级"}, "starts_at": {""}}
	pub.post(notice, req).must(t, http.StatusUnprocessableEntity).has(t, "请填写停止服务的时间", "系统升级")
	req["notice"], req["starts_at"], req["ends_at"] = []string{"系统升级<b>暂停</b>服务"}, []string{"2026-12-01T22:00"}, []string{"2026-12-01T21:00"}
	pub.post(notice, req).must(t, http.StatusUnprocessableEntity).has(t, "须晚于停止服务的时间")
	req["ends_at"] = []string{"2026-12-02T06:00"}
	pub.post(notice, req).must(t, http.StatusSeeOther)
	pub.get("/console/menus?channel=app").has(t, "停服申请已提交，待中心领导批准后方对外公告")
	if _, body := publicMenu(t, e, "app"); !strings.Contains(body, `"maintenance":null`) {
		t.Errorf("a request not yet approved is announced: %s", body)
	}
	pub.get("/console/maintenance").must(t, http.StatusOK).has(t, "待批准", "App 升级到 3.0").lacks(t, "批准并公告")
	dir := e.browser(t)
	dir.login(c.director.Username, staffPassword)
	p = dir.get("/console/maintenance").must(t, http.StatusOK).has(t, "停服审批", "系统升级&lt;b&gt;暂停&lt;/b&gt;服务", "批准并公告")
	id := regexp.MustCompile(`action="/console/maintenance/(\d+)"`).FindStringSubmatch(p.Body)
	if id == nil {
		t.Fatal("no decision form")
	}
	dir.post("/console/maintenance/"+id[1], url.Values{"op": {"refuse"}, "comment": {""}}).
		must(t, http.StatusUnprocessableEntity).has(t, "不批准时请填写意见")
	dir.post("/console/maintenance/"+id[1], url.Values{"op": {"approve"}, "comment": {"同意"}}).must(t, http.StatusSeeOther)
	dir.get("/console/maintenance").has(t, "已批准，停服公告已发布", "已批准并公告")
	if _, body := publicMenu(t, e, "app"); !strings.Contains(body, `"starts_at":"2026-12-01T14:00:00Z"`) {
		t.Errorf("the approved notice is not in the App's menu (Beijing 22:00 is 14:00 UTC): %s", body)
	}
	pub.get("/console/menus?channel=app").has(t, "系统升级&lt;b&gt;暂停&lt;/b&gt;服务", "2026-12-01T22:00", "撤销公告")
	pub.post(notice, url.Values{"op": {"withdraw"}}).must(t, http.StatusSeeOther)
	pub.get("/console/menus?channel=app").has(t, "停服公告已撤销", "目前没有停服公告")
	// Without the session's token nothing changes.
	pub.post(entry, url.Values{"op": {"disable"}, "channel": {"app"}, "csrf": {""}}).must(t, http.StatusForbidden)
	if _, body := publicMenu(t, e, "app"); !strings.Contains(body, "中心动态") {
		t.Error("a refused post changed the menu")
	}
}

// TestReleaseDeskSetsTheTime: a publisher releases a cleared revision for
// a time from the desk (第十条); it waits until then, the scheduler
// publishes it on their behalf, and the approval form names them in 发布.
func TestReleaseDeskSetsTheTime(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	_, rev := e.guide(t, c.editor, "缴存登记")
	e.toScheduled(t, c, rev.ID)
	pub := e.browser(t)
	pub.login(c.publisher.Username, staffPassword)
	p := pub.get("/console/release").must(t, http.StatusOK)
	v := releaseVersion(t, p.Body, rev.ID)
	pub.post(revPath(rev.ID)+"/transitions", url.Values{"event": {"release"}, "version": {v}, "publish_at": {"明天上午"},
		"back": {"/console/release"}}).must(t, http.StatusUnprocessableEntity)
	at := e.clock.Now().Add(3 * time.Hour)
	res := pub.post(revPath(rev.ID)+"/transitions", url.Values{"event": {"release"}, "version": {v},
		"publish_at": {at.In(cms.China).Format("2006-01-02T15:04")}, "back": {"/console/release"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("release from the desk: %d %s", res.Status, res.Body)
	}
	pub.get("/console/release").has(t, "刘洋 已确定于 "+at.In(cms.China).Format("2006-01-02 15:04")+" 发布", "届时系统代为发布")
	if n, _, _ := e.svc.Workflow.RunScheduler(context.Background()); n != 0 {
		t.Fatal("published before the publisher's time")
	}
	if r := publicStatus(t, e, rev.ItemID); r != http.StatusNotFound {
		t.Fatalf("served before the publisher's time: %d", r)
	}
	e.clock.Advance(3 * time.Hour)
	if n, _, err := e.svc.Workflow.RunScheduler(context.Background()); n != 1 || err != nil {
		t.Fatalf("scheduler at the publisher's time: %d %v", n, err)
	}
	if r := publicStatus(t, e, rev.ItemID); r != http.StatusOK {
		t.Fatalf("not served after publication: %d", r)
	}
	pub = e.browser(t) // the console session ended while the clock moved on
	pub.login(c.publisher.Username, staffPassword)
	form := pub.get(revPath(rev.ID)+"/approval").must(t, http.StatusOK)
	form.has(t, "定时发布", "按信息科确定的发布时间", "刘洋")
}
