package console_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tlhpf/cms/cms"
)

// Viewports: a leader's phone and a desk.
const (
	phone   = 390
	desktop = 1280
)

// TestChainInBrowser is the chain as people do it, in Chromium, each in a
// browser context of their own: an editor of 归集科 drafts a guide with
// typed fields and an attachment and submits it; the department head sends
// it back with a comment; the editor reads it, fixes the draft and submits
// again; the head approves; the leader in charge signs on a phone, the
// director signs; the secrecy reviewer acknowledges the finding in the text
// and clears; the publisher publishes, and the content API serves it. The
// auditor exports the period; the administrator keeps the accounts, the
// chains, the words, the webhooks and their own notification settings.
// Every main page is photographed at 390 and 1280 px and checked with
// axe-core.
func TestChainInBrowser(t *testing.T) {
	t.Parallel()
	browser := chromium(t)
	start := time.Now()
	e := newHookEnv(t) // the WeChat backend's endpoint is a receiver on this machine
	c := e.chain(t)
	const title = "住房公积金缴存登记"

	// The editor drafts a guide in a column 归集科 owns.
	ed := e.newPerson(t, browser, "editor", desktop, 900)
	ed.open("/console/login", http.StatusOK)
	ed.shots("login")
	ed.login(c.editor.Username, staffPassword)
	ed.sees("工作台", "张伟")
	ed.open("/console/items/new", http.StatusOK)
	ed.sees("选择栏目")
	ed.fill("#target", "guides-deposit|collection")
	ed.submit(`form[action="/console/items/new"] button[type=submit]`, http.StatusOK)
	ed.fill("#title", title)
	ed.fill(`input[name="fields.conditions"]`, "新设立的单位")
	ed.fill(`input[name="fields.materials[0].name"]`, "营业执照")
	ed.fill(`select[name="fields.materials[0].form"]`, "copy")
	ed.fill(`input[name="fields.materials[0].copies"]`, "1")
	ed.fill(`input[name="fields.steps[0].title"]`, "提交材料")
	ed.fill(`input[name="fields.time_limit"]`, "即时办结")
	ed.fill(`input[name="fields.place"]`, "市政务服务中心")
	ed.fill("#body", "单位为职工办理**缴存登记**。\n\n经办人手机 13912345678。")
	ed.shots("new")
	ed.submit(`button[value="save"]`, http.StatusOK)
	ed.sees("已保存为草稿", title, "营业执照", "复印件")
	revURL := ed.location()
	file := filepath.Join(t.TempDir(), "缴存登记表.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	ed.do(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}, chromedp.NodeReady))
	ed.uploads("form[data-dropzone] button[type=submit]")
	ed.sees("附件已上传", "缴存登记表.pdf")
	ed.shots("revision-draft")
	ed.submit(`button[name=event][value=submit]`, http.StatusOK)
	ed.sees("已提交审核", "部门审核")

	// The department head sends it back with a comment.
	head := e.newPerson(t, browser, "head", desktop, 900)
	head.login(c.head.Username, staffPassword)
	head.sees("我的待办", title, "待审核通过")
	head.shots("home")
	head.open("/console/queue", http.StatusOK)
	head.sees(title, "办结时限")
	head.shots("queue")
	head.open(path(revURL), http.StatusOK)
	head.fill("#comment", "请补充身份证复印件。")
	head.submit(`button[name=event][value=reject]`, http.StatusOK)
	head.sees("已退回")

	// The editor reads why, fixes the draft and submits again.
	ed.open("/console/", http.StatusOK)
	ed.sees("被退回的稿件", "李娜（科室负责人）退回", "请补充身份证复印件。")
	ed.shots("home-editor")
	ed.open(path(revURL)+"/edit", http.StatusOK)
	ed.submit(`button[value="add:fields.materials"]`, http.StatusOK)
	ed.fill(`input[name="fields.materials[1].name"]`, "经办人身份证")
	ed.fill(`select[name="fields.materials[1].form"]`, "copy")
	// The live preview shows the body as clients will, as it is typed.
	ed.do(chromedp.SendKeys(chromedp.CSS("#body"), "\n\n## 温馨提示\n\n请携带**原件**。", chromedp.NodeVisible))
	ed.do(chromedp.WaitVisible(chromedp.CSS("[data-preview-body] h2")), chromedp.WaitVisible(chromedp.CSS("[data-preview-body] strong")))
	if got := ed.text("#live-preview"); !strings.Contains(got, "温馨提示") || !strings.Contains(got, "原件") {
		t.Errorf("the live preview shows %q", got)
	}
	ed.shots("edit")
	// A colleague saves first: the save shows both versions and where
	// they differ, keeps what was typed, and the next save merges.
	e.colleagueSaves(t, revID(t, revURL), "住房公积金单位缴存登记")
	ed.submit(`button[value="save"]`, http.StatusPreconditionFailed)
	ed.sees("他人保存的版本", "住房公积金单位缴存登记", "与您填写的内容不同之处", "您填写的内容")
	ed.shots("edit-conflict")
	ed.submit(`button[value="save"]`, http.StatusOK)
	ed.sees("已保存", "经办人身份证", title)
	ed.submit(`button[name=event][value=submit]`, http.StatusOK)
	ed.open("/console/items", http.StatusOK)
	ed.shots("items")

	head.open(path(revURL), http.StatusOK)
	head.sees("请补充身份证复印件。")
	head.submit(`button[name=event][value=approve]`, http.StatusOK)
	head.sees("已审核通过")

	// The leader in charge signs on a phone; the action bar stays at the
	// bottom of the screen.
	leader := e.newPerson(t, browser, "leader", phone, 844)
	leader.login(c.leader.Username, staffPassword)
	leader.sees(title, "待签发")
	leader.open("/console/queue", http.StatusOK)
	leader.sees(title, "签发所选稿件")
	leader.shots("queue-batch")
	leader.open(path(revURL), http.StatusOK)
	leader.viewShot("revision-actionbar")
	if top := leader.actionBarTop(); top < 500 || top > 844 {
		t.Errorf("on a phone the action bar is at %v px, not at the bottom of the screen", top)
	}
	leader.fill("#comment", "同意发布。")
	leader.submit(`button[name=event][value=sign]`, http.StatusOK)
	leader.sees("已签发")

	director := e.newPerson(t, browser, "director", desktop, 900)
	director.login(c.director.Username, staffPassword)
	director.open(path(revURL), http.StatusOK)
	director.submit(`button[name=event][value=sign]`, http.StatusOK)
	director.sees("已签发", "保密审查")

	// The secrecy reviewer acknowledges the mobile number with a reason.
	secrecy := e.newPerson(t, browser, "secrecy", desktop, 900)
	secrecy.login(c.secrecy.Username, staffPassword)
	secrecy.open(path(revURL), http.StatusOK)
	secrecy.sees("手机号码", "139****5678")
	secrecy.shots("revision")
	secrecy.fill(`input[name=reason]`, "经办人同意公开的咨询电话。")
	secrecy.submit(`form[action$="/acknowledge"] button`, http.StatusOK)
	secrecy.sees("已记录确认理由")
	secrecy.submit(`button[name=event][value=clear]`, http.StatusOK)
	secrecy.sees("保密审查已通过", "待发布")

	publisher := e.newPerson(t, browser, "publisher", desktop, 900)
	publisher.login(c.publisher.Username, staffPassword)
	publisher.open(path(revURL), http.StatusOK)
	publisher.submit(`button[name=event][value=publish]`, http.StatusOK)
	publisher.sees("已发布")
	publisher.open(path(revURL)+"/approval", http.StatusOK)
	publisher.sees("信息发布审批表", "王强", "赵敏", "陈静", "同意发布。")
	publisher.shots("approval")

	// The publisher suspends the item from the release desk with a reason,
	// clients stop showing it, and restores it.
	itemID := e.itemOf(t, c, title)
	publisher.open("/console/release?tab=published", http.StatusOK)
	publisher.sees(title, "暂停")
	publisher.shots("release")
	publisher.fill(`input[name=comment][placeholder^="暂停"]`, "核对办理地点，暂停发布。")
	publisher.submit(`button[name=event][value=suspend]`, http.StatusOK)
	publisher.sees("已暂停发布")
	if s := publicStatus(t, e, itemID); s != http.StatusNotFound {
		t.Errorf("a suspended item answers %d", s)
	}
	publisher.open("/console/release?tab=suspended", http.StatusOK)
	publisher.sees(title, "核对办理地点，暂停发布。")
	publisher.shots("release-suspended")
	publisher.fill(`input[name=comment][placeholder^="恢复"]`, "已核实，恢复发布。")
	publisher.submit(`button[name=event][value=restore]`, http.StatusOK)
	publisher.sees("已恢复发布")
	if s := publicStatus(t, e, itemID); s != http.StatusOK {
		t.Errorf("a restored item answers %d", s)
	}
	publisher.open("/console/menus?channel=app", http.StatusOK)
	publisher.sees("停服公告", "新闻动态")
	publisher.shots("menus")
	publisher.open("/console/patrol", http.StatusOK)
	publisher.submit(`form[action="/console/patrol"] button`, http.StatusOK)
	publisher.sees("巡查完成，未发现问题")
	publisher.shots("patrol")

	e.auditorExports(t, browser)
	e.administers(t, browser)
	e.keepsWebhooks(t, browser, c, revID(t, revURL))

	// The App and the WeChat account read it from the content API.
	items, _, err := e.svc.Items.List(context.Background(), e.as(t, c.editor), cms.ItemFilter{Query: title}, "")
	if err != nil || len(items) != 1 {
		t.Fatalf("the item: %v %v", items, err)
	}
	var public struct {
		Title       string `json:"title"`
		Attachments []any  `json:"attachments"`
		Fields      struct {
			Materials []map[string]any `json:"materials"`
		} `json:"fields"`
	}
	res, err := http.Get(e.srv.URL + "/content/v1/items/" + strconv.FormatInt(items[0].ID, 10))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if err := json.Unmarshal(body, &public); res.StatusCode != http.StatusOK || err != nil || public.Title != title ||
		len(public.Fields.Materials) != 2 || len(public.Attachments) != 1 {
		t.Fatalf("content API: %d %s", res.StatusCode, body)
	}
	t.Logf("the chain in the browser took %v", time.Since(start).Round(time.Millisecond))
}

// colleagueSaves changes a draft's title as another editor of 归集科,
// through the services.
func (e *env) colleagueSaves(t *testing.T, revID int64, title string) {
	t.Helper()
	wu := e.staff(t, "wu.fang", "吴芳", "collection", bind(cms.RoleEditor, "collection"))
	p := e.as(t, wu)
	rev, _, err := e.svc.Items.Revision(context.Background(), p, revID)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Items.UpdateDraft(context.Background(), p, revID, rev.Version, cms.Content{Title: &title}); err != nil {
		t.Fatal(err)
	}
}

// revID is the revision id of a revision page's address.
func revID(t *testing.T, url string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(strings.TrimPrefix(path(url), "/console/revisions/"), 10, 64)
	if err != nil {
		t.Fatalf("not a revision page: %s", url)
	}
	return id
}

// path is the path of a page's address.
func path(url string) string {
	u := mustURL(url)
	return u.RequestURI()
}

// shots photographs the page at 390 and 1280 px and checks it with
// axe-core at both, then gives the person their own viewport back.
func (p *person) shots(name string) {
	p.t.Helper()
	own := p.width
	for _, w := range []int64{phone, desktop} {
		p.width = w
		p.do(chromedp.EmulateViewport(w, p.height, chromedp.EmulateScale(1)))
		p.shot(name)
		p.accessible(name)
		if wide := p.overflow(); wide > 0 {
			p.t.Errorf("%s at %d px is %d px too wide: the page scrolls sideways", name, w, wide)
		}
	}
	p.width = own
	p.do(chromedp.EmulateViewport(own, p.height, chromedp.EmulateScale(1)))
}

// uploads presses the upload button and waits for the page the server
// answers. The script sends the file in the background with a progress
// bar and shows the answer in place: the page is never left (a mark set
// on it survives), and the progress bar came and went.
func (p *person) uploads(button string) {
	p.t.Helper()
	p.do(chromedp.Evaluate[chromedp.Void](`window.stayed = true; document.querySelector("progress").dataset.was = "idle"`))
	p.do(chromedp.Click(chromedp.CSS(button), chromedp.NodeVisible))
	p.do(chromedp.WaitReady(chromedp.CSS("progress:not([data-was])"))) // the answer's page is in
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	stayed, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.stayed === true && !document.querySelector("progress").dataset.was`))
	if err != nil || !stayed {
		p.t.Errorf("%s: the upload left the page (%v): the progress bar's script did not send it", p.name, err)
	}
}

// viewShot photographs what the screen shows, without scrolling.
func (p *person) viewShot(name string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatal(err)
	}
	file := filepath.Join(artifacts(p.t), name+"-"+strconv.FormatInt(p.width, 10)+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// actionBarTop is where the action bar's top edge is on the screen.
func (p *person) actionBarTop() float64 {
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	top, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector(".actionbar").getBoundingClientRect().top`))
	if err != nil {
		p.t.Fatal(err)
	}
	return top
}

// overflow is how far the page is wider than the screen.
func (p *person) overflow() int64 {
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth - window.innerWidth`))
	if err != nil {
		p.t.Fatal(err)
	}
	return n
}
