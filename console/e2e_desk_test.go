package console_test

import (
	"archive/zip"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/tlhpf/cms/cms"
)

// The browser test's second half: the desks beyond the chain. The
// auditor reads the audit log, verifies the chain and exports the period;
// an administrator keeps the accounts, the grants, the sign-off chains and
// the sensitive words. Each page is photographed at 390 and 1280 px and
// checked with axe-core.

// itemOf finds the item of a title through the services.
func (e *env) itemOf(t *testing.T, c chain, title string) int64 {
	t.Helper()
	items, _, err := e.svc.Items.List(context.Background(), e.as(t, c.editor), cms.ItemFilter{Query: title}, "")
	if err != nil || len(items) != 1 {
		t.Fatalf("the item %q: %v %v", title, items, err)
	}
	return items[0].ID
}

// auditorExports: the auditor reads the log, verifies the chain, exports
// the period as a download and enrols a second factor.
func (e *env) auditorExports(t *testing.T, browserCtx context.Context) {
	t.Helper()
	auditor := e.staff(t, "qian.hui", "钱慧", "office", bind(cms.RoleAuditor, "office"))
	a := e.newPerson(t, browserCtx, "auditor", desktop, 900)
	a.login(auditor.Username, staffPassword)
	a.open("/console/audit", http.StatusOK)
	a.sees("审计日志", "审批流转", "刘洋（liu.yang）")
	a.shots("audit")
	a.open("/console/audit?action=transition&actor=liu.yang", http.StatusOK)
	a.sees("审批流转")
	a.open("/console/audit/verify", http.StatusOK)
	a.sees("审计日志完好", "已使用密钥文件校验")
	a.shots("verify")
	a.open("/console/archive", http.StatusOK)
	a.shots("archive")
	today := e.clock.Now().In(cms.China).Format(time.DateOnly)
	a.fill("#from", "2026-01-01")
	a.fill("#to", today)
	file, size := a.download(`form[action="/console/archive"] button[type=submit]`)
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatalf("the archive (%d bytes): %v", size, err)
	}
	defer zr.Close()
	var bag string
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/bag-info.txt") {
			r, _ := f.Open()
			b, _ := io.ReadAll(r)
			r.Close()
			bag = string(b)
		}
	}
	if !strings.Contains(bag, "Audit-Anchor") {
		t.Errorf("the downloaded archive's bag-info.txt: %q", bag)
	}
	t.Logf("the auditor downloaded %s (%d bytes)", filepath.Base(file), size)
	// The script fetched it, counting what arrived, and saved it.
	a.do(chromedp.Poll[chromedp.Void](`document.querySelector("[data-download-status]").textContent.indexOf("已下载") === 0`))
	a.sees("已下载", ".zip")
	a.shots("archive-downloaded")

	a.open("/console/otp", http.StatusOK)
	a.submit(`form[action="/console/otp"] button`, http.StatusOK)
	a.sees("扫描下方二维码")
	a.shots("otp")
	code, err := totp.GenerateCode(strings.TrimSpace(a.text("code.secret-key")), e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	a.fill("#code", code)
	a.submit(`form[action="/console/otp/confirm"] button`, http.StatusOK)
	a.sees("已启用双因素认证", "恢复码只显示这一次")
	a.shots("otp-codes")
}

// administers: an administrator's pages, with a grant waiting for a
// second administrator.
func (e *env) administers(t *testing.T, browserCtx context.Context) {
	t.Helper()
	newcomer, err := e.svc.Users.Create(context.Background(), e.admin, cms.NewUser{Username: "zhou.jie", DisplayName: "周杰",
		Password: "F1rst-Time-0nly!", Department: "information",
		Roles: []cms.RoleBinding{{Role: cms.RoleEditor, Department: "information"}, {Role: cms.RolePublisher}}})
	if err != nil {
		t.Fatal(err)
	}
	admin := e.newPerson(t, browserCtx, "admin", desktop, 900)
	admin.login("admin", adminPassword)
	admin.open("/console/users", http.StatusOK)
	admin.sees("待另一名管理员确认（1）", "授予“发布员”", "这是您申请的")
	admin.shots("users")
	admin.open("/console/users/"+itoa(newcomer.ID), http.StatusOK)
	admin.sees("账户：周杰", "待确认")
	admin.shots("user")
	admin.open("/console/users/new", http.StatusOK)
	admin.shots("user-new")
	// 部门专人 (第六条): 信息科 has none until the administrator designates its editor.
	admin.open("/console/contacts", http.StatusOK)
	admin.sees("部门专人", "尚未指定专人的部门（7）", "周杰（zhou.jie）")
	admin.do(chromedp.Click(chromedp.CSS(`#dept-information input[value="`+itoa(newcomer.ID)+`"]`), chromedp.NodeVisible))
	admin.submit(`#dept-information button[type=submit]`, http.StatusOK)
	admin.sees("部门专人已保存", "尚未指定专人的部门（6）")
	admin.shots("contacts")
	admin.open("/console/signoff", http.StatusOK)
	admin.sees("签发流程", "分管领导签发 → 中心主任签发")
	admin.shots("signoff")
	admin.open("/console/words", http.StatusOK)
	admin.fill("#blocking", "绝密文件\n内部参阅")
	admin.fill("#warning", "试点")
	admin.submit(`form[action="/console/words"] button[type=submit]`, http.StatusOK)
	admin.sees("敏感词已保存", "共 3 个")
	admin.shots("words")
}

// download presses a button that downloads a file and waits until the
// browser has saved it; it returns the file and its size.
func (p *person) download(button string) (string, int64) {
	p.t.Helper()
	dir := p.t.TempDir()
	yes := true
	if _, err := chromedp.CallBrowser(p.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, BrowserContextID: chromedp.FromContext(p.ctx).BrowserContextID,
		DownloadPath: dir, EventsEnabled: &yes}); err != nil {
		p.t.Fatalf("allow downloads: %v", err)
	}
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	events := chromedp.BrowserEvents(ctx, cdpbrowser.DownloadProgress)
	p.do(chromedp.Click(chromedp.CSS(button), chromedp.NodeVisible))
	for ev, err := range events {
		if err != nil {
			p.t.Fatalf("%s: waiting for the download: %v", p.name, err)
		}
		switch ev.State {
		case cdpbrowser.DownloadProgressStateCompleted:
			file := ev.FilePath
			if file == "" {
				file = filepath.Join(dir, ev.GUID)
			}
			st, err := os.Stat(file)
			if err != nil {
				p.t.Fatalf("the downloaded file: %v", err)
			}
			return file, st.Size()
		case cdpbrowser.DownloadProgressStateCanceled:
			p.t.Fatalf("%s: the download was cancelled", p.name)
		}
	}
	p.t.Fatalf("%s: no download", p.name)
	return "", 0
}

// keepsWebhooks: the administrator registers the WeChat backend's
// endpoint and reads its secret once; when the publisher suspends and
// restores the item, the delivery log shows what the endpoint answered;
// one is sent again and the secret rotated. Then the administrator
// chooses how notifications reach them.
func (e *env) keepsWebhooks(t *testing.T, browserCtx context.Context, c chain, revID int64) {
	t.Helper()
	rc := newHookReceiver(t)
	if _, err := e.svc.Dispatch.Dispatch(context.Background(), 500); err != nil { // what happened before is nobody's
		t.Fatal(err)
	}
	admin := e.newPerson(t, browserCtx, "admin-webhooks", desktop, 900)
	admin.login("admin", adminPassword)
	admin.open("/console/webhooks", http.StatusOK)
	admin.sees("尚未登记接收地址")
	admin.open("/console/webhooks/new", http.StatusOK)
	admin.fill("#url", rc.srv.URL+"/wechat")
	admin.fill("#description", "微信公众号后台：刷新缓存")
	admin.shots("webhook-new")
	admin.submit(`form[action="/console/webhooks/new"] button[type=submit]`, http.StatusOK)
	admin.sees("接收地址已登记", "只显示这一次", "whsec_")
	admin.shots("webhook-secret")

	e.fire(t, c.publisher, revID, cms.EventSuspend, "核对办理时限。")
	e.fire(t, c.publisher, revID, cms.EventRestore, "已核实。")
	e.deliver(t)
	if len(rc.got) != 2 {
		t.Fatalf("the endpoint got %d requests, want the suspension and the restoration", len(rc.got))
	}
	admin.open("/console/webhooks", http.StatusOK)
	admin.sees("微信公众号后台：刷新缓存", "已启用")
	admin.shots("webhooks")
	admin.do(chromedp.Click(chromedp.CSS(`td.title-cell a`), chromedp.NodeVisible))
	admin.do(chromedp.WaitVisible(chromedp.CSS("#deliveries")))
	admin.sees("暂停发布", "恢复发布", "已送达", "对方已接收（HTTP 200）")
	admin.submit(`#deliveries tbody tr:first-child button[type=submit]`, http.StatusOK)
	admin.sees("已安排重新发送", "尚未尝试")
	e.deliver(t)
	admin.open(path(admin.location()), http.StatusOK)
	admin.shots("webhook")
	admin.submit(`form[action$="/rotate"] button`, http.StatusOK)
	admin.sees("签名密钥已更换", "旧密钥在")

	admin.open("/console/inbox/settings", http.StatusOK)
	admin.fill("#email", "wang.min@tlgjj.example.gov.cn")
	admin.do(chromedp.Click(chromedp.CSS(`input[name="system.email"]`), chromedp.NodeVisible))
	admin.submit(`form[action="/console/inbox/settings"] button[type=submit]`, http.StatusOK)
	admin.sees("通知设置已保存")
	admin.shots("notify-settings")
	st, err := e.svc.Notifications.Settings(context.Background(), e.admin)
	if err != nil || st.Email != "wang.min@tlgjj.example.gov.cn" || !st.Kinds[cms.NotifySystem].Email {
		t.Errorf("the settings saved: %+v %v", st, err)
	}
}
