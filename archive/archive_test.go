package archive_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/archive"
	"github.com/tlhpf/cms/cms"
)

const organization = "铜陵市住房公积金管理中心"

var (
	cst     = time.FixedZone("CST", 8*3600)
	from    = time.Date(2025, 1, 1, 0, 0, 0, 0, cst)
	to      = time.Date(2026, 1, 1, 0, 0, 0, 0, cst)
	bagged  = time.Date(2026, 1, 20, 10, 30, 0, 0, cst)
	root    = "cms-archive-20250101-20251231/"
	hostile = `<script>alert(1)</script>`
)

// fixture is a year of a small centre: an item published only the year
// before, a news item published twice in the year (the second time with a
// hostile sign-off comment), a policy rejected once before publication with
// a new draft in review, a notice published by the scheduler and taken down
// by a deletion request, and a revision published after the year ended.
type fixture struct {
	w                     *world
	news, policy, notice  *cms.Item
	news1, news2, policy1 *cms.Revision
	pdf, photo, form      cms.Attachment
}

func newFixture() *fixture {
	f := &fixture{w: newWorld(time.Date(2024, 11, 3, 9, 0, 0, 0, cst))}
	w := f.w
	w.record(editor, cms.AuditLogin, "user:1", nil)
	old := w.item("zxdt", "office", cms.TypeArticle)
	w.approve(old, w.revise(old, cms.ActionPublish, "2024年度工作会议召开", "会议总结了全年工作。", nil),
		[5]string{"请审核", "同意", "同意", "同意", "不涉密"})

	w.at(time.Date(2025, 3, 2, 9, 0, 0, 0, cst))
	w.record(editor, cms.AuditLogin, "user:1", nil)
	f.pdf = w.blob("2025年缴存基数调整通知.pdf", "application/pdf", []byte("%PDF-1.7\n缴存基数调整通知\n%%EOF\n"))
	f.photo = w.blob("业务大厅.jpg", "image/jpeg", bytes.Repeat([]byte{0xff, 0xd8, 0xff, 0xe0, 1, 2, 3}, 300))
	f.news = w.item("zxdt", "guiji", cms.TypeArticle)
	fields := map[string]any{"summary": "自2025年7月1日起调整缴存基数", "tags": []any{"缴存", "基数"}, "source": "归集科"}
	f.news1 = w.revise(f.news, cms.ActionPublish, "关于调整2025年度住房公积金缴存基数的通知", "## 一、调整范围\n\n全市缴存单位。", fields, f.pdf, f.photo)
	w.approve(f.news, f.news1, [5]string{"请审核", "同意发布", "同意", "同意，按程序发布", "经审查不涉密"})
	w.at(time.Date(2025, 6, 10, 8, 30, 0, 0, cst))
	f.news2 = w.revise(f.news, cms.ActionPublish, "关于调整2025年度住房公积金缴存基数的通知（更正）", "## 一、调整范围\n\n全市缴存单位，上限 28,000 元。", fields, f.pdf)
	w.approve(f.news, f.news2, [5]string{"更正缴存上限", "同意", "同意更正", hostile, "不涉密"})

	w.at(time.Date(2025, 8, 1, 9, 0, 0, 0, cst))
	f.policy = w.item("zcfg", "guiji", cms.TypePolicy)
	f.policy1 = w.revise(f.policy, cms.ActionPublish, "铜陵市住房公积金提取管理办法", "第一条 为规范提取管理……",
		map[string]any{"document_number": "铜公积金〔2025〕12号", "validity": 5, "rate": 0.0325}, f.pdf)
	w.fire(f.policy, f.policy1, cms.EventSubmit, editor, cms.RoleEditor, "请审核")
	w.fire(f.policy, f.policy1, cms.EventReject, deptHead, cms.RoleDeptHead, "请补充文号")
	w.fire(f.policy, f.policy1, cms.EventSubmit, editor, cms.RoleEditor, "已补充文号")
	w.fire(f.policy, f.policy1, cms.EventApprove, deptHead, cms.RoleDeptHead, "同意")
	w.fire(f.policy, f.policy1, cms.EventSign, leader, cms.RoleLeader, "同意")
	w.fire(f.policy, f.policy1, cms.EventSign, director, cms.RoleDirector, "同意发布")
	w.fire(f.policy, f.policy1, cms.EventClear, secrecy, cms.RoleSecrecyReviewer, "不涉密")
	w.fire(f.policy, f.policy1, cms.EventPublish, pub, cms.RolePublisher, "")
	w.record(0, cms.AuditPermissionDenied, "revision:1", map[string]any{"reason": "not in department"})
	draft := w.revise(f.policy, cms.ActionPublish, "铜陵市住房公积金提取管理办法", "第一条 为规范提取管理（修订）……", nil)
	w.fire(f.policy, draft, cms.EventSubmit, editor, cms.RoleEditor, "修订稿")

	w.at(time.Date(2025, 12, 20, 9, 0, 0, 0, cst))
	f.notice = w.item("tzgg", "office", cms.TypeArticle)
	f.form = w.blob("春节值班表.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []byte("PK\x03\x04 值班表"))
	n1 := w.revise(f.notice, cms.ActionPublish, "春节期间业务办理时间安排", "2月1日至2月7日暂停办理。", nil, f.form)
	n1.PublishAt = time.Date(2025, 12, 28, 8, 0, 0, 0, cst)
	n1.ContentHash = n1.Hash()
	w.fire(f.notice, n1, cms.EventSubmit, editor, cms.RoleEditor, "")
	w.fire(f.notice, n1, cms.EventApprove, deptHead, cms.RoleDeptHead, "同意")
	w.fire(f.notice, n1, cms.EventSign, leader, cms.RoleLeader, "")
	w.fire(f.notice, n1, cms.EventSign, director, cms.RoleDirector, "同意")
	w.fire(f.notice, n1, cms.EventClear, secrecy, cms.RoleSecrecyReviewer, "不涉密")
	w.fire(f.notice, n1, cms.EventPublish, 0, cms.RoleSystem, "")
	n2 := w.revise(f.notice, cms.ActionUnpublish, "春节期间业务办理时间安排", "", nil)
	w.approve(f.notice, n2, [5]string{"安排有变，申请撤下", "同意", "同意", "同意撤下", "不涉密"})

	w.at(time.Date(2026, 1, 5, 9, 0, 0, 0, cst))
	later := w.revise(f.news, cms.ActionPublish, "2026年度缴存基数调整预告", "……", nil)
	w.approve(f.news, later, [5]string{"请审核", "同意", "同意", "同意", "不涉密"})
	return f
}

func options() archive.Options {
	return archive.Options{From: from, To: to, Organization: organization, Now: func() time.Time { return bagged }}
}

// mustExport exports src with the fixture's options and returns the ZIP.
func mustExport(tb testing.TB, src archive.Source) ([]byte, *archive.Summary) {
	tb.Helper()
	var buf bytes.Buffer
	sum, err := archive.Export(context.Background(), src, &buf, options())
	if err != nil {
		tb.Fatalf("Export: %v", err)
	}
	return buf.Bytes(), sum
}

func mustVerify(tb testing.TB, data []byte) *archive.Report {
	tb.Helper()
	rep, err := archive.Verify(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatalf("Verify: %v", err)
	}
	return rep
}

// auditInPeriod returns the fixture's audit entries of the period.
func auditInPeriod(src *fakeSource) []cms.AuditEntry {
	var out []cms.AuditEntry
	for _, e := range src.audit {
		if !e.At.Before(from) && e.At.Before(to) {
			out = append(out, e)
		}
	}
	return out
}

func TestExportVerifies(t *testing.T) {
	f := newFixture()
	var progress [][2]int
	opt := options()
	opt.Progress = func(done, total int) { progress = append(progress, [2]int{done, total}) }
	var buf bytes.Buffer
	sum, err := archive.Export(context.Background(), f.w.src, &buf, opt)
	if err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	audit := auditInPeriod(f.w.src)
	want := archive.Summary{Items: 3, Revisions: 6, Attachments: 3, AuditEntries: len(audit), Bytes: int64(len(data))}
	if !reflect.DeepEqual(*sum, want) {
		t.Errorf("summary %+v, want %+v", *sum, want)
	}
	if len(progress) != 3 || progress[2] != [2]int{3, 3} {
		t.Errorf("progress calls %v, want 3 ending with 3 of 3", progress)
	}
	rep := mustVerify(t, data)
	if !rep.OK() {
		t.Fatalf("a fresh bag has problems: %q", rep.Problems)
	}
	files := entries(t, data)
	wantFiles := []string{
		"data/items/2/item.json", "data/items/2/revisions/1.json", "data/items/2/revisions/2.json",
		"data/items/2/history.json", "data/items/2/approval-1.html", "data/items/2/approval-2.html",
		"data/items/3/item.json", "data/items/3/revisions/1.json", "data/items/3/revisions/2.json",
		"data/items/3/history.json", "data/items/3/approval-1.html",
		"data/items/4/item.json", "data/items/4/revisions/1.json", "data/items/4/revisions/2.json",
		"data/items/4/history.json", "data/items/4/approval-1.html", "data/items/4/approval-2.html",
		"data/attachments/" + f.pdf.Key, "data/attachments/" + f.photo.Key, "data/attachments/" + f.form.Key,
		"data/audit/audit-log.jsonl",
	}
	for _, name := range wantFiles {
		if _, ok := files.get(name); !ok {
			t.Errorf("%s is not in the bag", name)
		}
	}
	if payload := files.payload(); payload != len(wantFiles) || rep.Files != len(wantFiles) {
		t.Errorf("bag holds %d payload files, report says %d, want %d", payload, rep.Files, len(wantFiles))
	}
	if rep.AuditEntries != len(audit) {
		t.Errorf("report checked %d audit entries, want %d", rep.AuditEntries, len(audit))
	}
	for _, name := range []string{"data/items/1/item.json", "data/items/2/revisions/3.json", "data/items/3/approval-2.html"} {
		if _, ok := files.get(name); ok {
			t.Errorf("%s is in the bag; it is outside the period or was never published", name)
		}
	}
}

func TestBagInfo(t *testing.T) {
	f := newFixture()
	data, _ := mustExport(t, f.w.src)
	files := entries(t, data)
	if got, _ := files.get("bagit.txt"); string(got) != "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n" {
		t.Errorf("bagit.txt = %q", got)
	}
	info, _ := files.get("bag-info.txt")
	audit := auditInPeriod(f.w.src)
	if audit[0].PrevHash == cms.AuditGenesis {
		t.Fatal("the fixture's period should start in the middle of the chain")
	}
	var payloadBytes int
	for _, e := range files {
		if strings.HasPrefix(e.name, "data/") {
			payloadBytes += len(e.body)
		}
	}
	for _, line := range []string{
		"Source-Organization: " + organization,
		"Bagging-Date: 2026-01-20",
		"Payload-Oxum: " + itoa(payloadBytes) + "." + itoa(files.payload()),
		"Bag-Count: 1 of 1",
		"Archive-Period-From: 2025-01-01T00:00:00+08:00",
		"Archive-Period-To: 2026-01-01T00:00:00+08:00",
		"Audit-Chain-Start: " + audit[0].PrevHash,
		"Audit-Chain-End: " + audit[len(audit)-1].Hash,
		"Audit-Entries: " + itoa(len(audit)),
	} {
		if !strings.Contains(string(info), line+"\n") {
			t.Errorf("bag-info.txt lacks %q:\n%s", line, info)
		}
	}
	for _, s := range []string{"2025年1月1日至2025年12月31日", "from 1 January 2025 to 31 December 2025 inclusive"} {
		if !strings.Contains(string(info), s) {
			t.Errorf("External-Description does not say %q", s)
		}
	}
	tags, _ := files.get("tagmanifest-sha256.txt")
	for _, name := range []string{"bagit.txt", "bag-info.txt", "manifest-sha256.txt"} {
		if !strings.Contains(string(tags), "  "+name+"\n") {
			t.Errorf("tagmanifest-sha256.txt does not list %s", name)
		}
	}
}

func TestApprovalForm(t *testing.T) {
	f := newFixture()
	data, _ := mustExport(t, f.w.src)
	files := entries(t, data)
	form, ok := files.get("data/items/2/approval-2.html")
	if !ok {
		t.Fatal("no approval form for the second revision of the news item")
	}
	html := string(form)
	for _, s := range []string{
		"信息发布审批表", organization, "栏目", "标题", "承办科室", "拟稿人", "科室审核", "分管领导审核", "中心主任签发", "保密审查", "发布",
		"王芳", "李强", "张伟", "陈静", "刘洋", "赵敏", // every signer
		"更正缴存上限", "同意更正", // their opinions
		"关于调整2025年度住房公积金缴存基数的通知（更正）", f.news2.ApprovedHash,
		"&lt;script&gt;alert(1)&lt;/script&gt;",
		"@page", "A4",
	} {
		if !strings.Contains(html, s) {
			t.Errorf("the approval form does not contain %q", s)
		}
	}
	if strings.Contains(html, hostile) || strings.Contains(html, "<script") {
		t.Error("the hostile comment reached the form unescaped")
	}
	if strings.Contains(html, "不一致") {
		t.Error("the form flags a content mismatch on a clean approval")
	}
	if strings.Contains(html, "http://") || strings.Contains(html, "https://") || strings.Contains(html, "<link") {
		t.Error("the form is not self-contained")
	}
	if !strings.Contains(html, "<td>zxdt</td>") || !strings.Contains(html, "<td>guiji</td>") {
		t.Error("without names from the source, the form should give the slugs")
	}
	named, _ := mustExport(t, fakeStructure{f.w.src})
	form, _ = entries(t, named).get("data/items/2/approval-2.html")
	if !strings.Contains(string(form), "<td>中心动态</td>") || !strings.Contains(string(form), "<td>归集管理科</td>") {
		t.Error("the form does not name the column and department the source names")
	}

	policy, _ := files.get("data/items/3/approval-1.html")
	for _, s := range []string{"已补充文号", "请补充文号", "退回修改"} { // the final submission; the rejection in the trail
		if !strings.Contains(string(policy), s) {
			t.Errorf("the policy's form does not contain %q", s)
		}
	}
	notice, _ := files.get("data/items/4/approval-1.html")
	if !strings.Contains(string(notice), "系统（定时任务）") {
		t.Error("the scheduler's publication is not on the notice's form")
	}
	takedown, _ := files.get("data/items/4/approval-2.html")
	if !strings.Contains(string(takedown), "撤下") {
		t.Error("the deletion request's form does not say it takes the item down")
	}
}

func TestPayloadRecords(t *testing.T) {
	f := newFixture()
	data, _ := mustExport(t, f.w.src)
	files := entries(t, data)
	rev, _ := files.get("data/items/2/revisions/1.json")
	for _, s := range []string{`"state": "superseded"`, `"content_hash": "` + f.news1.ContentHash, `"approved_hash": "` + f.news1.ApprovedHash,
		`"sha256": "` + f.photo.Key, `"file": "data/attachments/` + f.photo.Key, `"name": "业务大厅.jpg"`, `"body_format": "markdown"`,
		`"publish_at": ""`, `"tags": [`} {
		if !strings.Contains(string(rev), s) {
			t.Errorf("revisions/1.json lacks %s:\n%s", s, rev)
		}
	}
	history, _ := files.get("data/items/4/history.json")
	for _, s := range []string{`"actor_username": "system"`, `"actor_role": "system"`, `"actor_display_name": "陈静"`,
		`"comment": "安排有变，申请撤下"`, `"event": "clear"`} {
		if !strings.Contains(string(history), s) {
			t.Errorf("history.json lacks %s", s)
		}
	}
	log, _ := files.get("data/audit/audit-log.jsonl")
	audit := auditInPeriod(f.w.src)
	lines := strings.Split(strings.TrimSuffix(string(log), "\n"), "\n")
	if len(lines) != len(audit) {
		t.Fatalf("audit-log.jsonl has %d lines, want %d", len(lines), len(audit))
	}
	for i, line := range lines {
		var e struct {
			Seq            int64
			At             string
			Detail         string
			PrevHash, Hash string `json:"-"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		want := audit[i]
		if e.Seq != want.Seq || e.Detail != want.Detail || e.At != want.At.UTC().Format("2006-01-02T15:04:05.000000Z") {
			t.Errorf("line %d is seq %d at %s with detail %s; want seq %d at %s with %s", i+1, e.Seq, e.At, e.Detail, want.Seq, want.At, want.Detail)
		}
	}
}

// TestExportIsRepeatable: the record of a period does not change with
// what happens after it.
func TestExportIsRepeatable(t *testing.T) {
	f := newFixture()
	first, _ := mustExport(t, f.w.src)
	f.w.at(time.Date(2026, 2, 1, 9, 0, 0, 0, cst))
	f.w.fire(f.policy, f.w.src.revisions[f.policy.ID][1], cms.EventWithdraw, editor, cms.RoleEditor, "暂缓")
	second, _ := mustExport(t, f.w.src)
	a, b := entries(t, first), entries(t, second)
	for _, name := range []string{"data/items/3/history.json", "data/items/3/approval-1.html", "data/audit/audit-log.jsonl"} {
		x, _ := a.get(name)
		y, _ := b.get(name)
		if !bytes.Equal(x, y) {
			t.Errorf("%s changed with an event after the period", name)
		}
	}
}

func TestExportEmptyPeriod(t *testing.T) {
	w := newWorld(time.Date(2024, 1, 1, 0, 0, 0, 0, cst))
	data, sum := mustExport(t, w.src)
	if sum.Items != 0 || sum.AuditEntries != 0 {
		t.Errorf("summary %+v of an empty period", *sum)
	}
	if rep := mustVerify(t, data); !rep.OK() || rep.Files != 1 {
		t.Errorf("empty bag: %d files, problems %q", rep.Files, rep.Problems)
	}
	info, _ := entries(t, data).get("bag-info.txt")
	if !strings.Contains(string(info), "Audit-Chain-Start: "+cms.AuditGenesis) {
		t.Errorf("an empty chain segment should start at the genesis:\n%s", info)
	}
}

func TestExportRefuses(t *testing.T) {
	t.Run("period", func(t *testing.T) {
		opt := options()
		opt.From, opt.To = to, from
		_, err := archive.Export(context.Background(), newWorld(from).src, io.Discard, opt)
		if !errors.Is(err, cms.ErrInvalid) {
			t.Errorf("a period ending before it starts: %v", err)
		}
	})
	t.Run("corrupt blob", func(t *testing.T) {
		f := newFixture()
		f.w.src.blobs[f.photo.Key] = []byte("not the photo")
		_, err := archive.Export(context.Background(), f.w.src, io.Discard, options())
		if err == nil || !strings.Contains(err.Error(), f.photo.Key) {
			t.Errorf("a blob whose bytes do not match its key: %v", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := archive.Export(ctx, newFixture().w.src, io.Discard, options())
		if !errors.Is(err, context.Canceled) {
			t.Errorf("a cancelled export: %v", err)
		}
	})
}

// bagEntries are a ZIP's files in order, named relative to the bag.
type bagEntries []bagEntry

type bagEntry struct {
	name   string
	method uint16
	body   []byte
}

func entries(tb testing.TB, data []byte) bagEntries {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	var out bagEntries
	for _, f := range zr.File {
		name, ok := strings.CutPrefix(f.Name, root)
		if !ok {
			tb.Fatalf("%s is outside %s", f.Name, root)
		}
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatalf("%s: %v", f.Name, err)
		}
		out = append(out, bagEntry{name: name, method: f.Method, body: body})
	}
	return out
}

func (es bagEntries) get(name string) ([]byte, bool) {
	for _, e := range es {
		if e.name == name {
			return e.body, true
		}
	}
	return nil, false
}

func (es bagEntries) payload() int {
	n := 0
	for _, e := range es {
		if strings.HasPrefix(e.name, "data/") {
			n++
		}
	}
	return n
}

// zip writes the entries back as a bag.
func (es bagEntries) zip(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range es {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: root + e.name, Method: e.method})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write(e.body); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func itoa(n int) string { return strconv.Itoa(n) }
