package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/tlhpf/cms/archive"
)

// patrolReport is a patrol report as the management API lists it.
type patrolReport struct {
	ID       int64  `json:"id"`
	Trigger  string `json:"trigger"`
	Problems []struct {
		ItemID    int64  `json:"item_id"`
		Subject   string `json:"subject"`
		Kind      string `json:"kind"`
		Detail    string `json:"detail"`
		Suspended bool   `json:"suspended"`
	} `json:"problems"`
}

// patrols lists the patrol reports, newest first.
func (e *env) patrols(t *testing.T, token string) []patrolReport {
	t.Helper()
	var list struct {
		Patrols []patrolReport `json:"patrols"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/patrols?limit=100", token, nil).decode(t, &list)
	return list.Patrols
}

// auditCountAbout counts the audit entries of one action about one subject.
func (e *env) auditCountAbout(t *testing.T, action, subject string) int {
	t.Helper()
	var n int
	if err := e.db.Bun().NewRaw("SELECT COUNT(*) FROM audit_log WHERE action = ? AND subject = ?", action, subject).
		Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTamperedProjectionIsNeverServed is the review's first scenario:
// someone with database access rewrites the title the content API lists
// and searches (UPDATE public_items SET title = …). The next cache fill
// finds that the row no longer matches the MAC it was sealed with when it
// was published: the tampered title is never served, the item is taken
// offline by the system with the reason, and the incident is recorded
// once (audit entry and patrol problem) however often it is read.
func TestTamperedProjectionIsNeverServed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})
	id := e.publishNews(t, c, "公积金缴存通知", "缴存比例为**12%**")
	other := e.publishNews(t, c, "提取须知", "提取需要身份证")
	e.must(t, http.StatusOK, "GET", "/content/v1/columns/news/items", "", nil) // cached before the edit

	e.exec(t, "UPDATE public_items SET title = '【篡改】假通知' WHERE item_id = ?", id)
	for _, path := range []string{"/content/v1/columns/news/items", "/content/v1/search?q=" + url.QueryEscape("通知"),
		"/content/v1/search?q=" + url.QueryEscape("篡改"), publicItemPath(id), "/content/v1/sync", "/content/v1/columns/news/items"} {
		if r := e.call(t, "GET", path, "", nil); bytes.Contains(r.Body, []byte("假通知")) || r.Status >= 500 {
			t.Errorf("GET %s served the tampered row: %d %s", path, r.Status, r.Body)
		}
	}
	e.must(t, http.StatusNotFound, "GET", publicItemPath(id), "", nil)
	var it publicItem
	e.must(t, http.StatusOK, "GET", publicItemPath(other), "", nil).decode(t, &it)
	if it.Title != "提取须知" {
		t.Errorf("the intact item: %+v", it)
	}
	h := e.history(t, c.editor, id)
	if last := h[len(h)-1]; last.Event != "suspend" || last.Role != "system" || !strings.Contains(last.Comment, "integrity") {
		t.Errorf("not suspended by the system with a reason: %+v", last)
	}
	if n := e.auditCountAbout(t, "tamper_detected", "item:"+strconv.FormatInt(id, 10)); n != 1 {
		t.Errorf("%d tamper_detected entries, want 1", n)
	}
	reps := e.patrols(t, auditor)
	if len(reps) != 1 || reps[0].Trigger != "read" || len(reps[0].Problems) != 1 {
		t.Fatalf("patrol reports: %+v", reps)
	}
	if p := reps[0].Problems[0]; p.ItemID != id || p.Kind != "projection" || !p.Suspended || !strings.Contains(p.Detail, "MAC") {
		t.Errorf("problem: %+v", p)
	}

	// A publisher restores it: the approved revision goes live again,
	// projected and sealed afresh.
	live, state := e.itemState(t, c.editor, id)
	if live == nil || state != "suspended" {
		t.Fatalf("item after the incident: live %v, %s", live, state)
	}
	e.fire(t, http.StatusOK, c.publisher, *live, "restore", "已核实恢复")
	e.must(t, http.StatusOK, "GET", publicItemPath(id), "", nil).decode(t, &it)
	if it.Title != "公积金缴存通知" {
		t.Errorf("restored: %+v", it)
	}
}

// TestTamperedRevisionIsNotServed: the content API also serves from the
// live revision (its files, the calculator's parameters). A revision whose
// content no longer hashes to the hash its sealed projection row names is
// taken offline at the read: the calculator answers 404, never with rates
// nobody approved.
func TestTamperedRevisionIsNotServed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	e.publishCalculator(t, c)
	loan := map[string]any{"balance": "100000", "amount": "300000", "term_months": 240, "method": "equal_instalment"}
	e.must(t, http.StatusOK, "POST", "/content/v1/loan-calculator", "", loan)
	e.exec(t, "UPDATE revisions SET fields = REPLACE(fields, '2.85', '0.85') WHERE state = 'published'")
	if r := e.call(t, "POST", "/content/v1/loan-calculator", "", loan); r.Status != http.StatusNotFound {
		t.Fatalf("tampered calculator answered %d", r.Status)
	}
	var n int
	if err := e.db.Bun().NewRaw("SELECT COUNT(*) FROM audit_log WHERE action = 'tamper_detected'").Scan(context.Background(), &n); err != nil || n != 1 {
		t.Errorf("tamper_detected entries: %d %v", n, err)
	}
}

// menuBody is the public menu as far as these tests read it.
type menuBody struct {
	Maintenance *struct {
		Notice string `json:"notice"`
	} `json:"maintenance"`
	Entries []struct {
		Slug  string `json:"slug"`
		Title string `json:"title"`
	} `json:"entries"`
}

// TestTamperedMenuIsNotServed is the review's second scenario: UPDATE
// menu_entries SET title = '假冒菜单' shows in the App's menu. A menu entry
// whose row does not match its MAC is left out of the served menu (with
// its children); a channel whose settings (name, maintenance notice) do not
// match answers 503 for its menu, since nobody can tell which notice is
// the real one. Both are recorded; a publisher's change through the API
// restores them.
func TestTamperedMenuIsNotServed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	var menu menuBody
	e.must(t, http.StatusOK, "GET", "/content/v1/channels/app/menu", "", nil).decode(t, &menu)
	if len(menu.Entries) != 4 || menu.Entries[0].Slug != "news" {
		t.Fatalf("app menu: %+v", menu)
	}
	e.exec(t, "UPDATE menu_entries SET title = '假冒菜单' WHERE channel = 'app' AND path = 'news'")
	r := e.must(t, http.StatusOK, "GET", "/content/v1/channels/app/menu", "", nil)
	r.decode(t, &menu)
	if bytes.Contains(r.Body, []byte("假冒菜单")) || len(menu.Entries) != 3 {
		t.Fatalf("tampered menu served: %s", r.Body)
	}
	var id int64
	if err := e.db.Bun().NewRaw("SELECT id FROM menu_entries WHERE channel = 'app' AND path = 'news'").Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	e.must(t, http.StatusOK, "GET", "/content/v1/channels/app/menu", "", nil) // read again: recorded once
	if n := e.auditCountAbout(t, "tamper_detected", "menu_entry:"+strconv.FormatInt(id, 10)); n != 1 {
		t.Errorf("%d tamper_detected entries, want 1", n)
	}

	e.exec(t, "UPDATE channels SET maintenance_notice = '系统维护，请拨打 400-000-0000 办理' WHERE slug = 'wechat'")
	if p := e.must(t, http.StatusServiceUnavailable, "GET", "/content/v1/channels/wechat/menu", "", nil).problem(t); !strings.Contains(p.Detail, "integrity") {
		t.Errorf("tampered channel: %+v", p)
	}
	reps := e.patrols(t, c.publisher)
	kinds := map[string]string{}
	for _, rep := range reps {
		for _, p := range rep.Problems {
			kinds[p.Subject] = p.Kind
		}
	}
	if kinds["menu_entry:"+strconv.FormatInt(id, 10)] != "menu_entry" || kinds["channel:wechat"] != "channel" {
		t.Errorf("problems recorded: %v", kinds)
	}

	// The publisher restores both through the API.
	e.must(t, http.StatusOK, "PATCH", "/api/v1/menu-entries/"+strconv.FormatInt(id, 10), c.publisher, map[string]any{"title": "新闻动态"})
	e.must(t, http.StatusOK, "GET", "/content/v1/channels/app/menu", "", nil).decode(t, &menu)
	if len(menu.Entries) != 4 || menu.Entries[0].Title != "新闻动态" {
		t.Errorf("restored app menu: %+v", menu)
	}
	e.must(t, http.StatusOK, "PUT", "/api/v1/channels/wechat/maintenance", c.publisher, map[string]any{"notice": ""})
	e.must(t, http.StatusOK, "GET", "/content/v1/channels/wechat/menu", "", nil).decode(t, &menu)
	if menu.Maintenance != nil {
		t.Errorf("restored wechat menu: %+v", menu.Maintenance)
	}
}

// TestPatrolChecksEverythingServed: the patrol (POST /api/v1/patrols)
// checks every row the content API serves from, not only the revisions:
// the projection's stored HTML, menus and channel settings, whether or not
// anyone read them since they were changed.
func TestPatrolChecksEverythingServed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	id := e.publishNews(t, c, "住房公积金年度结息公告", "结息日为6月30日")
	clean := e.publishNews(t, c, "正常内容", "未被篡改")
	e.exec(t, "UPDATE public_items SET body_html = '<p>结息日改为<a href=\"https://evil.example\">这里</a></p>' WHERE item_id = ?", id)
	e.exec(t, "UPDATE public_items SET title = '【篡改】假通知' WHERE item_id = ?", clean)
	e.exec(t, "UPDATE public_items SET title = '正常内容' WHERE item_id = ?", clean) // put back: nothing to find
	e.exec(t, "UPDATE menu_entries SET title = '假冒菜单' WHERE channel = 'app' AND path = 'news'")
	e.exec(t, "UPDATE columns SET kind = 'function' WHERE slug = 'news'")
	e.exec(t, "UPDATE channels SET maintenance_notice = '假公告' WHERE slug = 'wechat'")

	var rep patrolReport
	e.must(t, http.StatusCreated, "POST", "/api/v1/patrols", c.publisher, nil).decode(t, &rep)
	kinds := map[string]int{}
	for _, p := range rep.Problems {
		kinds[p.Kind]++
		if p.Kind == "projection" && (p.ItemID != id || !p.Suspended) {
			t.Errorf("projection problem: %+v", p)
		}
	}
	if kinds["projection"] != 1 || kinds["menu_entry"] != 1 || kinds["column"] != 1 || kinds["channel"] != 1 || len(rep.Problems) != 4 {
		t.Fatalf("patrol found %+v", rep.Problems)
	}
	if rep.Trigger != "request" {
		t.Errorf("trigger %q", rep.Trigger)
	}
	e.must(t, http.StatusNotFound, "GET", publicItemPath(id), "", nil)
	e.must(t, http.StatusOK, "GET", publicItemPath(clean), "", nil)
	// Nothing new on a second round: each incident is recorded once.
	e.must(t, http.StatusCreated, "POST", "/api/v1/patrols", c.publisher, nil).decode(t, &rep)
	var n int
	if err := e.db.Bun().NewRaw("SELECT COUNT(*) FROM audit_log WHERE action = 'tamper_detected'").Scan(context.Background(), &n); err != nil || n != 4 {
		t.Errorf("tamper_detected entries: %d %v", n, err)
	}
}

// TestArchiveOfTamperedContentIsMarked: the auditors' HTTP export streams
// the package whatever it finds (a refusal could only come after the
// first bytes), so content whose hash no longer matches its approval is
// marked instead: a warning per revision in bag-info.txt, which the
// verifier reports, and a tamper_detected audit entry. Every package
// carries the audit chain's anchored head.
func TestArchiveOfTamperedContentIsMarked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	id := e.publishNews(t, c, "年度归档", "正文")
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})
	e.exec(t, "UPDATE revisions SET body = '篡改后的正文' WHERE item_id = ?", id)
	r := e.must(t, http.StatusOK, "GET", "/api/v1/archive?from=2026-02-01&to=2026-03-31", auditor, nil)
	zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	var info []byte
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/bag-info.txt") {
			rc, _ := f.Open()
			info, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	for _, want := range []string{"Tampered-Revisions: 1", "Integrity-Warning: item " + strconv.FormatInt(id, 10), "Audit-Anchor: at="} {
		if !bytes.Contains(info, []byte(want)) {
			t.Errorf("bag-info.txt lacks %q:\n%s", want, info)
		}
	}
	if rep, err := archive.Verify(bytes.NewReader(r.Body), int64(len(r.Body))); err != nil || rep.OK() {
		t.Errorf("verify: %+v %v", rep, err)
	}
	if n := e.auditCountAbout(t, "tamper_detected", "archive"); n != 1 {
		t.Errorf("%d tamper_detected entries for the archive", n)
	}
}
