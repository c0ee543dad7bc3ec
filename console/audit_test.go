package console_test

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
)

// TestAuditPages: auditors read the audit log filtered by who, what, which
// subject and when, a page at a time, see the chain verified (and broken,
// once someone edits an entry), and download the archive of a period;
// nobody else gets these pages.
func TestAuditPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	auditor := e.staff(t, "qian.hui", "钱慧", "office", bind(cms.RoleAuditor, "office"))
	_, rev := e.guide(t, c.editor, "住房公积金缴存登记")
	e.toScheduled(t, c, rev.ID)
	e.fire(t, c.publisher, rev.ID, cms.EventPublish, "")
	e.fire(t, c.publisher, rev.ID, cms.EventSuspend, `核查<script>alert(1)</script>`)

	// 信息科 keeps the archive (第十一条): its publishers export and find
	// the monthly packages under 归档, but read no audit log.
	pub := e.browser(t)
	pub.login(c.publisher.Username, staffPassword)
	pub.get("/console/").has(t, `href="/console/archive"`).lacks(t, `href="/console/audit"`)
	pub.get("/console/archive").must(t, http.StatusOK).has(t, "每月自动归档", "尚无自动归档包").lacks(t, `href="/console/audit/verify"`)
	pub.get("/console/audit").must(t, http.StatusForbidden)
	pub.get("/console/audit/verify").must(t, http.StatusForbidden)
	for _, who := range []struct{ name, pw string }{{c.editor.Username, staffPassword}, {"admin", adminPassword}} {
		b := e.browser(t)
		b.login(who.name, who.pw)
		b.get("/console/").lacks(t, `href="/console/audit"`)
		for _, path := range []string{"/console/audit", "/console/audit/verify", "/console/archive"} {
			b.get(path).must(t, http.StatusForbidden)
		}
		b.post("/console/archive", url.Values{"from": {"2026-01-01"}, "to": {"2026-12-31"}}).must(t, http.StatusForbidden)
	}

	a := e.browser(t)
	a.login(auditor.Username, staffPassword)
	a.get("/console/").has(t, `href="/console/audit"`)
	a.get("/console/audit").must(t, http.StatusOK).has(t, "审计日志", "审批流转", "刘洋（liu.yang）",
		"核查&lt;script&gt;alert(1)&lt;/script&gt;", `href="/console/revisions/`).lacks(t, "<script>alert(1)")
	p := a.get("/console/audit?actor=liu.yang&action=transition").must(t, http.StatusOK)
	if n := strings.Count(p.Body, `<td data-label="动作">审批流转`); n != 2 {
		t.Errorf("the publisher's transitions: %d rows, want 2", n)
	}
	if strings.Contains(p.Body, "张伟（zhang.wei）") {
		t.Error("the actor filter lets others through")
	}
	subject := "revision:" + itoa(rev.ID)
	p = a.get("/console/audit?subject="+url.QueryEscape(subject)).must(t, http.StatusOK)
	if n := strings.Count(p.Body, ">"+subject+"</a>"); n != 7 {
		t.Errorf("entries about %s: %d, want every step", subject, n)
	}
	a.get("/console/audit?from=2030-01-01").must(t, http.StatusOK).has(t, "没有符合条件的记录")
	a.get("/console/audit?from=2026-12-01&to=2026-12-01").must(t, http.StatusOK).has(t, "审批流转")
	a.get("/console/audit?from=2026-12-02&to=2026-12-01").must(t, http.StatusUnprocessableEntity).has(t, "结束日期不能早于开始日期")
	a.get("/console/audit?from=yesterday").must(t, http.StatusUnprocessableEntity).has(t, "请按 2026-01-31 的格式填写日期")

	// Pages: the second holds older entries, the filter kept.
	p = a.get("/console/audit?action=transition").must(t, http.StatusOK)
	if strings.Contains(p.Body, "下一页") {
		t.Fatal("seven transitions fill no page of 50")
	}
	pp := e.as(t, c.publisher)
	for range 30 {
		for _, ev := range []cms.Event{cms.EventRestore, cms.EventSuspend} {
			if _, _, err := e.svc.Workflow.Fire(context.Background(), pp, rev.ID, ev, "核查", 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	p = a.get("/console/audit?action=transition").must(t, http.StatusOK).has(t, "下一页")
	next := regexp.MustCompile(`href="(/console/audit\?[^"]+)">下一页`).FindStringSubmatch(p.Body)
	if next == nil || !strings.Contains(next[1], "action=transition") || !strings.Contains(next[1], "cursor=") {
		t.Fatalf("next page link: %v", next)
	}
	older := a.get(strings.ReplaceAll(next[1], "&amp;", "&")).must(t, http.StatusOK)
	if n := strings.Count(older.Body, `<td data-label="动作">审批流转`); n != 67-50 {
		t.Errorf("second page: %d transitions, want 17", n)
	}

	a.get("/console/audit/verify").must(t, http.StatusOK).has(t, "审计日志完好", "已使用密钥文件校验", "条签名有效", "可信锚点")
	lift := "DROP TRIGGER audit_log_no_update"
	if e.app.DB.Dialect == storage.Postgres {
		lift = "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"
	}
	for _, q := range []string{lift, "UPDATE audit_log SET subject = 'user:999' WHERE seq = 3"} {
		if _, err := e.app.DB.Bun().ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	a.get("/console/audit/verify").must(t, http.StatusOK).has(t, "审计日志自第 3 条起不可信", "记录被修改（内容与其哈希不符）")

	a.get("/console/archive").must(t, http.StatusOK).has(t, "导出并下载", `value="2026-01-01"`)
	a.post("/console/archive", url.Values{"from": {"2026-12-31"}, "to": {"2026-01-01"}}).
		must(t, http.StatusUnprocessableEntity).has(t, "结束日期不能早于开始日期")
	a.post("/console/archive", url.Values{"from": {"2026-01-01"}, "to": {"2026-12-31"}, "csrf": {"x"}}).must(t, http.StatusForbidden)
	res := a.post("/console/archive", url.Values{"from": {"2026-01-01"}, "to": {"2026-12-31"}}).must(t, http.StatusOK)
	if ct, cd := res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"); ct != "application/zip" ||
		!strings.Contains(cd, "cms-archive-20260101-20261231.zip") {
		t.Fatalf("download: %s %s", ct, cd)
	}
	zr, err := zip.NewReader(bytes.NewReader([]byte(res.Body)), int64(len(res.Body)))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	if !names["cms-archive-20260101-20261231/bag-info.txt"] || !names["cms-archive-20260101-20261231/manifest-sha256.txt"] {
		t.Errorf("the package lacks its bag files: %v", names)
	}
}
