package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/storage"
)

// publishNews walks a news article through the whole chain and returns its item id.
func (e *env) publishNews(t *testing.T, c chainUsers, title, body string) int64 {
	t.Helper()
	var it createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": title, "body": body}).decode(t, &it)
	e.toState(t, c, it.Revision.ID, "published")
	return it.ID
}

func publicItemPath(id int64) string { return fmt.Sprintf("/content/v1/items/%d", id) }

type publicItem struct {
	ID       int64          `json:"id"`
	Title    string         `json:"title"`
	BodyHTML string         `json:"body_html"`
	Fields   map[string]any `json:"fields"`
	Revision int            `json:"revision"`
}

// TestUnpublishedContentNeverLeaks: drafts, revisions in review, scheduled,
// suspended and archived items are invisible to the content API.
func TestUnpublishedContentNeverLeaks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	states := []string{"draft", "dept_review", "leadership_signoff", "secrecy_review", "scheduled", "suspended", "archived"}
	hidden := map[string]int64{}
	for _, st := range states {
		var it createdItem
		e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news",
			"title": "机密提取通知 " + st, "body": "未发布的内容 提取"}).decode(t, &it)
		e.toState(t, c, it.Revision.ID, st)
		hidden[st] = it.ID
	}
	visible := e.publishNews(t, c, "公开提取通知", "已发布的内容 提取")
	for st, id := range hidden {
		if r := e.call(t, "GET", publicItemPath(id), "", nil); r.Status != http.StatusNotFound {
			t.Errorf("%s item: %d %s", st, r.Status, r.Body)
		}
	}
	e.must(t, http.StatusOK, "GET", publicItemPath(visible), "", nil)
	var list struct{ Items []struct{ ID int64 } }
	e.must(t, http.StatusOK, "GET", "/content/v1/columns/news/items", "", nil).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != visible {
		t.Errorf("listing shows %+v", list.Items)
	}
	var found struct{ Items []struct{ ID int64 } }
	e.must(t, http.StatusOK, "GET", "/content/v1/search?q="+url.QueryEscape("提取"), "", nil).decode(t, &found)
	if len(found.Items) != 1 || found.Items[0].ID != visible {
		t.Errorf("search shows %+v", found.Items)
	}
	// A live item's new draft does not leak either: the live revision is served.
	var rev struct{ ID int64 }
	e.must(t, http.StatusCreated, "POST", itemPath(visible)+"/revisions", c.editor, map[string]any{"action": "publish", "title": "草稿标题"}).decode(t, &rev)
	var it publicItem
	e.must(t, http.StatusOK, "GET", publicItemPath(visible), "", nil).decode(t, &it)
	if it.Title != "公开提取通知" {
		t.Errorf("served %q", it.Title)
	}
	// Suspension takes it down at once (the cache is dropped).
	var head struct {
		LiveRevisionID int64 `json:"live_revision_id"`
	}
	e.must(t, http.StatusOK, "GET", itemPath(visible), c.editor, nil).decode(t, &head)
	e.fire(t, http.StatusOK, c.publisher, head.LiveRevisionID, "suspend", "紧急下线")
	e.must(t, http.StatusNotFound, "GET", publicItemPath(visible), "", nil)
	e.must(t, http.StatusOK, "GET", "/content/v1/columns/news/items", "", nil).decode(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("suspended item still listed")
	}
	e.must(t, http.StatusNotFound, "GET", "/content/v1/columns/basic-info/items", "", nil)
	e.must(t, http.StatusNotFound, "GET", "/content/v1/columns/nope/items", "", nil)
}

func TestItemETagCachingAndCompression(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	id := e.publishNews(t, c, "缴存基数调整", strings.Repeat("自2026年7月1日起，住房公积金缴存基数调整。\n\n", 60)+"<script>alert(1)</script>")
	r := e.must(t, http.StatusOK, "GET", publicItemPath(id), "", nil)
	etag := r.Header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, "W/") {
		t.Fatalf("ETag %q is not strong", etag)
	}
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=") || !strings.Contains(cc, "stale-while-revalidate") {
		t.Errorf("Cache-Control %q", cc)
	}
	var it publicItem
	r.decode(t, &it)
	if strings.Contains(it.BodyHTML, "<script") || !strings.Contains(it.BodyHTML, "<p>") {
		t.Errorf("body_html not rendered and sanitised: %.80q", it.BodyHTML)
	}
	r = e.send(t, request{method: "GET", path: publicItemPath(id), header: map[string]string{"If-None-Match": etag}})
	if r.Status != http.StatusNotModified || len(r.Body) != 0 {
		t.Fatalf("If-None-Match: %d", r.Status)
	}
	r = e.send(t, request{method: "GET", path: publicItemPath(id), header: map[string]string{"If-None-Match": `"other"`}})
	if r.Status != http.StatusOK {
		t.Fatalf("non-matching If-None-Match: %d", r.Status)
	}
	// Compressed for clients that take gzip, with its own strong tag.
	req, _ := http.NewRequest("GET", e.srv.URL+publicItemPath(id), nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("ETag") == etag {
		t.Fatalf("gzip: encoding %q, etag %q", res.Header.Get("Content-Encoding"), res.Header.Get("ETag"))
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Contains(plain, []byte("缴存基数调整")) {
		t.Error("gzip body does not decode to the item")
	}
	// A new revision changes the tag.
	var rev struct{ ID int64 }
	e.must(t, http.StatusCreated, "POST", itemPath(id)+"/revisions", c.editor2, map[string]any{"action": "publish", "title": "缴存基数调整（更正）"}).decode(t, &rev)
	for _, s := range []struct{ tok, ev string }{{c.editor2, "submit"}, {c.head, "approve"}, {c.leader, "sign"}, {c.director, "sign"}, {c.secrecy, "clear"}, {c.publisher, "publish"}} {
		e.fire(t, http.StatusOK, s.tok, rev.ID, s.ev, "")
	}
	r = e.send(t, request{method: "GET", path: publicItemPath(id), header: map[string]string{"If-None-Match": etag}})
	if r.Status != http.StatusOK {
		t.Fatalf("stale ETag after an edit: %d", r.Status)
	}
	r.decode(t, &it)
	if it.Title != "缴存基数调整（更正）" || it.Revision != 2 {
		t.Errorf("after the edit: %+v", it)
	}
}

// TestListingIsStableWhilePublishing pages through a column while new
// items are published between pages: nothing is skipped or repeated.
func TestListingIsStableWhilePublishing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	var first []int64
	for i := range 23 {
		first = append(first, e.publishNews(t, c, fmt.Sprintf("新闻 %02d", i), "正文"))
		e.clock.Advance(time.Minute)
	}
	seen := map[int64]int{}
	cursor := ""
	for page := 0; ; page++ {
		path := "/content/v1/columns/news/items?limit=5"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		var p struct {
			Items []struct {
				ID          int64     `json:"id"`
				PublishedAt time.Time `json:"published_at"`
				Summary     map[string]any
			}
			NextCursor *string `json:"next_cursor"`
		}
		e.must(t, http.StatusOK, "GET", path, "", nil).decode(t, &p)
		for _, it := range p.Items {
			seen[it.ID]++
		}
		if page < 3 {
			e.publishNews(t, c, fmt.Sprintf("插入 %d", page), "正文")
			e.clock.Advance(time.Minute)
		}
		if p.NextCursor == nil {
			break
		}
		cursor = *p.NextCursor
	}
	for _, id := range first {
		if seen[id] != 1 {
			t.Errorf("item %d seen %d times", id, seen[id])
		}
	}
	if len(seen) != len(first) {
		t.Errorf("saw %d items, want the %d that existed when paging began", len(seen), len(first))
	}
	e.must(t, http.StatusUnprocessableEntity, "GET", "/content/v1/columns/news/items?cursor=garbage", "", nil)
}

func TestChineseSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	a := e.publishNews(t, c, "住房公积金提取须知", "职工购买自住住房可以申请提取。")
	b := e.publishNews(t, c, "贷款利率调整", "个人住房公积金贷款利率下调0.25个百分点。")
	d := e.publishNews(t, c, "网点搬迁公告", "枞阳管理部办公地点搬迁，业务照常办理。")
	cases := []struct {
		q    string
		want []int64
	}{
		{"提取", []int64{a}},
		{"住房公积金", []int64{a, b}},
		{"贷款", []int64{b}},
		{"公积金 贷款", []int64{b}},
		{"枞", []int64{d}},
		{"搬迁", []int64{d}},
		{"提取利率", nil}, // both words occur, never as one phrase
		{"0.25", []int64{b}},
		{"保险", nil},
	}
	for _, tc := range cases {
		var res struct {
			Items []struct {
				ID        int64  `json:"id"`
				Snippet   string `json:"snippet"`
				TitleHTML string `json:"title_html"`
			}
		}
		e.must(t, http.StatusOK, "GET", "/content/v1/search?q="+url.QueryEscape(tc.q), "", nil).decode(t, &res)
		got := map[int64]bool{}
		for _, it := range res.Items {
			got[it.ID] = true
			if !strings.Contains(it.Snippet+it.TitleHTML, "<mark>") {
				t.Errorf("%q: no highlight in %q / %q", tc.q, it.TitleHTML, it.Snippet)
			}
		}
		if len(got) != len(tc.want) {
			t.Errorf("%q: got %v, want %v", tc.q, res.Items, tc.want)
			continue
		}
		for _, id := range tc.want {
			if !got[id] {
				t.Errorf("%q: missing item %d", tc.q, id)
			}
		}
	}
	// A title match ranks above a body match.
	var res struct{ Items []struct{ ID int64 } }
	e.must(t, http.StatusOK, "GET", "/content/v1/search?q="+url.QueryEscape("住房公积金"), "", nil).decode(t, &res)
	if len(res.Items) != 2 || res.Items[0].ID != a {
		t.Errorf("ranking: %+v", res.Items)
	}
	e.must(t, http.StatusOK, "GET", "/content/v1/search?q=%E8%B4%B7%E6%AC%BE&channel=app", "", nil).decode(t, &res)
	if len(res.Items) != 1 {
		t.Errorf("channel app: %+v", res.Items)
	}
	e.must(t, http.StatusOK, "GET", "/content/v1/search?q=%E8%B4%B7%E6%AC%BE&channel=wechat", "", nil).decode(t, &res)
	if len(res.Items) != 0 {
		t.Errorf("news is not on the WeChat menu: %+v", res.Items)
	}
	e.must(t, http.StatusOK, "GET", "/content/v1/search?q=%E8%B4%B7%E6%AC%BE&column=guides-loan", "", nil).decode(t, &res)
	if len(res.Items) != 0 {
		t.Errorf("column filter: %+v", res.Items)
	}
	for _, bad := range []string{"q=", "q=x&channel=web", "q=x&column=nope", "q=x&cursor=zz"} {
		e.must(t, http.StatusUnprocessableEntity, "GET", "/content/v1/search?"+bad, "", nil)
	}
}

// TestSyncReplaysToAnExactCopy keeps an offline copy through publications,
// edits, suspensions, restores, archives and deletions, and compares it with
// what the API serves.
func TestSyncReplaysToAnExactCopy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	replica := map[int64]publicItem{}
	token := ""
	sync := func() {
		for {
			var page struct {
				Changes []publicItem `json:"changes"`
				Deleted []int64      `json:"deleted"`
				Next    string       `json:"next"`
				HasMore bool         `json:"has_more"`
			}
			path := "/content/v1/sync"
			if token != "" {
				path += "?since=" + token
			}
			e.must(t, http.StatusOK, "GET", path, "", nil).decode(t, &page)
			for _, it := range page.Changes {
				replica[it.ID] = it
			}
			for _, id := range page.Deleted {
				delete(replica, id)
			}
			token = page.Next
			if !page.HasMore {
				return
			}
		}
	}
	check := func(step string) {
		t.Helper()
		sync()
		var all struct{ Items []struct{ ID int64 } }
		e.must(t, http.StatusOK, "GET", "/content/v1/columns/news/items?limit=100", "", nil).decode(t, &all)
		if len(all.Items) != len(replica) {
			t.Fatalf("%s: replica has %d items, API %d", step, len(replica), len(all.Items))
		}
		for _, it := range all.Items {
			var live publicItem
			e.must(t, http.StatusOK, "GET", publicItemPath(it.ID), "", nil).decode(t, &live)
			if got := replica[it.ID]; got.Title != live.Title || got.BodyHTML != live.BodyHTML || got.Revision != live.Revision {
				t.Fatalf("%s: item %d differs: %+v vs %+v", step, it.ID, got, live)
			}
		}
	}
	check("empty")
	a := e.publishNews(t, c, "甲", "一")
	b := e.publishNews(t, c, "乙", "二")
	check("two published")
	var liveA struct {
		LiveRevisionID int64 `json:"live_revision_id"`
	}
	e.must(t, http.StatusOK, "GET", itemPath(a), c.editor, nil).decode(t, &liveA)
	e.fire(t, http.StatusOK, c.publisher, liveA.LiveRevisionID, "suspend", "暂停")
	check("suspended")
	e.fire(t, http.StatusOK, c.publisher, liveA.LiveRevisionID, "restore", "恢复")
	var rev struct{ ID int64 }
	e.must(t, http.StatusCreated, "POST", itemPath(b)+"/revisions", c.editor, map[string]any{"action": "publish", "title": "乙（修订）"}).decode(t, &rev)
	e.toState(t, c, rev.ID, "published")
	check("restored and edited")
	e.must(t, http.StatusCreated, "POST", itemPath(a)+"/revisions", c.editor, map[string]any{"action": "unpublish"}).decode(t, &rev)
	e.toState(t, c, rev.ID, "scheduled")
	e.fire(t, http.StatusOK, c.publisher, rev.ID, "publish", "")
	e.fire(t, http.StatusOK, c.publisher, func() int64 {
		var it struct {
			LiveRevisionID int64 `json:"live_revision_id"`
		}
		e.must(t, http.StatusOK, "GET", itemPath(b), c.editor, nil).decode(t, &it)
		return it.LiveRevisionID
	}(), "archive", "")
	check("deleted and archived")
	if len(replica) != 0 {
		t.Fatalf("replica keeps %v", replica)
	}
	e.must(t, http.StatusUnprocessableEntity, "GET", "/content/v1/sync?since=bogus", "", nil)
}

// publishCalculator publishes the loan calculator's parameters (信息科's column).
func (e *env) publishCalculator(t *testing.T, c chainUsers) {
	t.Helper()
	_, ed := e.user(t, "ed-info", "information", role{"editor", "information"})
	_, head := e.user(t, "head-info", "information", role{"dept_head", "information"})
	_, leader := e.user(t, "leader-info", "office", role{"leader", "information"})
	var it createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", ed, map[string]any{"column": "loan-calculator", "title": "贷款试算参数",
		"fields": map[string]any{"rate_up_to_5_years": "2.85", "rate_over_5_years": "3.1", "second_home_rate_up_to_5_years": "3.325",
			"second_home_rate_over_5_years": "3.575", "max_amount": 600000, "max_term_months": 360, "balance_multiple": "15",
			"min_down_payment_ratio": "0.2", "max_repayment_income_ratio": "0.5", "retirement_age": 65}}).decode(t, &it)
	for _, s := range []struct{ tok, ev string }{{ed, "submit"}, {head, "approve"}, {leader, "sign"}, {c.director, "sign"}, {c.secrecy, "clear"}, {c.publisher, "publish"}} {
		e.fire(t, http.StatusOK, s.tok, it.Revision.ID, s.ev, "")
	}
}

// TestLoanCalculator checks quota and schedules against cases worked out
// with exact fractions (monthly rate = annual rate / 12, each month's
// interest rounded half up to the fen; 1678.85 is also what common 公积金
// calculators give for 300,000 over 20 years at 3.1%): 100,000 yuan over 12
// months at 2.85% and 300,000 over 20 years at 3.1%.
func TestLoanCalculator(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	e.must(t, http.StatusNotFound, "POST", "/content/v1/loan-calculator", "", map[string]any{"balance": "1000", "term_months": 12})
	e.publishCalculator(t, c)
	type plan struct {
		Method        string `json:"method"`
		FirstPayment  string `json:"first_payment"`
		LastPayment   string `json:"last_payment"`
		TotalPayment  string `json:"total_payment"`
		TotalInterest string `json:"total_interest"`
		Schedule      []struct {
			Period    int    `json:"period"`
			Payment   string `json:"payment"`
			Principal string `json:"principal"`
			Interest  string `json:"interest"`
			Remaining string `json:"remaining"`
		} `json:"schedule"`
	}
	var res struct {
		Quota      string   `json:"quota"`
		Amount     string   `json:"amount"`
		CappedBy   []string `json:"capped_by"`
		AnnualRate string   `json:"annual_rate"`
		Plans      []plan   `json:"plans"`
	}
	e.must(t, http.StatusOK, "POST", "/content/v1/loan-calculator", "", map[string]any{"balance": "20000", "amount": "100000", "term_months": 12}).decode(t, &res)
	if res.Quota != "300000.00" || res.Amount != "100000.00" || res.AnnualRate != "2.85" || res.CappedBy[0] != "balance_multiple" || len(res.Plans) != 2 {
		t.Fatalf("12-month loan: %+v", res)
	}
	ei, ep := res.Plans[0], res.Plans[1]
	if ei.Method != "equal_instalment" || ei.FirstPayment != "8462.54" || ei.LastPayment != "8462.52" || ei.TotalInterest != "1550.46" || ei.TotalPayment != "101550.46" {
		t.Errorf("等额本息: %+v", ei)
	}
	if ep.Method != "equal_principal" || ep.FirstPayment != "8570.83" || ep.Schedule[1].Payment != "8551.04" || ep.LastPayment != "8353.16" || ep.TotalInterest != "1543.76" {
		t.Errorf("等额本金: first %s second %s last %s interest %s", ep.FirstPayment, ep.Schedule[1].Payment, ep.LastPayment, ep.TotalInterest)
	}
	if last := ei.Schedule[11]; last.Remaining != "0.00" || len(ei.Schedule) != 12 {
		t.Errorf("schedule does not end at zero: %+v", last)
	}
	e.must(t, http.StatusOK, "POST", "/content/v1/loan-calculator", "", map[string]any{"balance": "100000", "amount": "300000", "term_months": 240}).decode(t, &res)
	if res.AnnualRate != "3.1" || res.Plans[0].FirstPayment != "1678.85" || res.Plans[0].TotalInterest != "102924.22" ||
		res.Plans[1].FirstPayment != "2025.00" || res.Plans[1].TotalInterest != "93387.60" {
		t.Errorf("20-year loan: rate %s, 等额本息 %s/%s, 等额本金 %s/%s", res.AnnualRate, res.Plans[0].FirstPayment, res.Plans[0].TotalInterest,
			res.Plans[1].FirstPayment, res.Plans[1].TotalInterest)
	}
	// The quota is capped by the maximum amount, the house price and the income.
	e.must(t, http.StatusOK, "POST", "/content/v1/loan-calculator", "", map[string]any{"balance": "100000", "term_months": 360, "method": "equal_instalment"}).decode(t, &res)
	if res.Quota != "600000.00" || res.CappedBy[0] != "max_amount" || len(res.Plans) != 1 {
		t.Errorf("max amount: %+v", res.Quota)
	}
	e.must(t, http.StatusOK, "POST", "/content/v1/loan-calculator", "", map[string]any{"balance": "100000", "term_months": 360, "house_price": "500000"}).decode(t, &res)
	if res.Quota != "400000.00" || res.CappedBy[0] != "down_payment" {
		t.Errorf("down payment: %+v %v", res.Quota, res.CappedBy)
	}
	e.must(t, http.StatusOK, "POST", "/content/v1/loan-calculator", "", map[string]any{"balance": "100000", "term_months": 240, "monthly_income": "4000"}).decode(t, &res)
	if res.CappedBy[0] != "income" || res.Plans[0].FirstPayment > "2000.00" {
		t.Errorf("income cap: %+v, first payment %s", res.CappedBy, res.Plans[0].FirstPayment)
	}
	bad := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"term_months": 12}, "balance"},
		{map[string]any{"balance": "-5", "term_months": 12}, "balance"},
		{map[string]any{"balance": "1.001", "term_months": 12}, "balance"},
		{map[string]any{"balance": "1e1000000", "term_months": 12}, "balance"},
		{map[string]any{"balance": "1000", "house_price": "99999999999999999999", "term_months": 12}, "house_price"},
		{map[string]any{"balance": "1000", "term_months": 0}, "term_months"},
		{map[string]any{"balance": "1000", "term_months": 361}, "term_months"},
		{map[string]any{"balance": "1000", "term_months": 360, "age": 50}, "term_months"},
		{map[string]any{"balance": "1000", "term_months": 12, "method": "balloon"}, "method"},
		{map[string]any{"balance": "1000", "term_months": 12, "amount": "0"}, "amount"},
	}
	for _, b := range bad {
		if p := e.must(t, http.StatusUnprocessableEntity, "POST", "/content/v1/loan-calculator", "", b.body).problem(t); !p.hasField(b.field) {
			t.Errorf("%v: errors %+v", b.body, p.Errors)
		}
	}
}

func TestAppUpdateCheck(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	e.must(t, http.StatusNotFound, "GET", "/content/v1/app-update?platform=android&version=1.0", "", nil)
	_, ed := e.user(t, "ed-info", "information", role{"editor", "information"})
	_, head := e.user(t, "head-info", "information", role{"dept_head", "information"})
	_, leader := e.user(t, "leader-info", "office", role{"leader", "information"})
	release := func(version, minVersion string) {
		var it createdItem
		e.must(t, http.StatusCreated, "POST", "/api/v1/items", ed, map[string]any{"column": "check-update", "title": "铜陵公积金 " + version,
			"fields": map[string]any{"platform": "android", "version": version, "min_supported_version": minVersion,
				"notes": "修复问题", "download_url": "https://app.example.cn/tlgjj-" + version + ".apk"}}).decode(t, &it)
		for _, s := range []struct{ tok, ev string }{{ed, "submit"}, {head, "approve"}, {leader, "sign"}, {c.director, "sign"}, {c.secrecy, "clear"}, {c.publisher, "publish"}} {
			e.fire(t, http.StatusOK, s.tok, it.Revision.ID, s.ev, "")
		}
	}
	release("2.10.0", "2.0")
	release("2.9.3", "1.5")
	var res struct {
		UpdateAvailable bool `json:"update_available"`
		UpdateRequired  bool `json:"update_required"`
		Latest          struct {
			Fields map[string]any `json:"fields"`
		} `json:"latest"`
	}
	for _, tc := range []struct {
		version             string
		available, required bool
	}{{"1.9", true, true}, {"2.9.9", true, false}, {"2.10.0", false, false}, {"3.0", false, false}} {
		e.must(t, http.StatusOK, "GET", "/content/v1/app-update?platform=android&version="+tc.version, "", nil).decode(t, &res)
		if res.Latest.Fields["version"] != "2.10.0" || res.UpdateAvailable != tc.available || res.UpdateRequired != tc.required {
			t.Errorf("client %s: %+v", tc.version, res)
		}
	}
	e.must(t, http.StatusNotFound, "GET", "/content/v1/app-update?platform=ios&version=1.0", "", nil)
	e.must(t, http.StatusUnprocessableEntity, "GET", "/content/v1/app-update?platform=symbian&version=1.0", "", nil)
	e.must(t, http.StatusUnprocessableEntity, "GET", "/content/v1/app-update?platform=android&version=latest", "", nil)
}

func TestPreviewLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	var it createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": "预览稿", "body": "**草稿**"}).decode(t, &it)
	_, other := e.user(t, "ed-fin", "finance", role{"editor", "finance"})
	e.must(t, http.StatusForbidden, "POST", revisionPath(it.Revision.ID)+"/preview", other, nil)
	var link struct {
		URL       string    `json:"url"`
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	e.must(t, http.StatusCreated, "POST", revisionPath(it.Revision.ID)+"/preview", c.editor, nil).decode(t, &link)
	var pv struct {
		State string     `json:"state"`
		Item  publicItem `json:"item"`
	}
	r := e.must(t, http.StatusOK, "GET", link.URL, "", nil)
	r.decode(t, &pv)
	if pv.State != "draft" || pv.Item.Title != "预览稿" || !strings.Contains(pv.Item.BodyHTML, "<strong>草稿</strong>") {
		t.Errorf("preview: %+v", pv)
	}
	if !strings.Contains(r.Header.Get("Cache-Control"), "no-store") {
		t.Errorf("preview Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	// The draft itself is still not public.
	e.must(t, http.StatusNotFound, "GET", publicItemPath(it.ID), "", nil)
	// Change one signature character fully (the last character of a base64url
	// signature carries padding bits, so changing it may not change the bytes).
	i := len(link.Token) - 10
	swap := byte('A')
	if link.Token[i] == 'A' {
		swap = 'B'
	}
	tampered := link.Token[:i] + string(swap) + link.Token[i+1:]
	e.must(t, http.StatusNotFound, "GET", "/content/v1/preview/"+tampered, "", nil)
	e.must(t, http.StatusNotFound, "GET", "/content/v1/preview/not-a-token", "", nil)
	e.clock.Advance(25 * time.Hour)
	if p := e.must(t, http.StatusGone, "GET", link.URL, "", nil).problem(t); p.Code != "gone" {
		t.Errorf("expired: %+v", p)
	}
}

func TestMenusAndMaintenance(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	var menu struct {
		Maintenance *struct {
			Notice string `json:"notice"`
			Active bool   `json:"active"`
		} `json:"maintenance"`
		Entries []struct {
			Slug     string `json:"slug"`
			Title    string `json:"title"`
			Kind     string `json:"kind"`
			Enabled  bool   `json:"enabled"`
			Children []struct {
				Slug    string `json:"slug"`
				Kind    string `json:"kind"`
				Enabled bool   `json:"enabled"`
			} `json:"children"`
		} `json:"entries"`
	}
	r := e.must(t, http.StatusOK, "GET", "/content/v1/channels/app/menu", "", nil)
	r.decode(t, &menu)
	if len(menu.Entries) != 4 || menu.Entries[0].Title != "新闻动态" || menu.Entries[0].Kind != "content" || menu.Maintenance != nil {
		t.Fatalf("app menu: %+v", menu.Entries)
	}
	if r.Header.Get("ETag") == "" {
		t.Error("menu has no ETag")
	}
	e.must(t, http.StatusNotFound, "GET", "/content/v1/channels/web/menu", "", nil)

	// Publishers switch entries off; editors may not.
	var mgmt struct {
		Entries []struct {
			ID   int64  `json:"id"`
			Slug string `json:"slug"`
		} `json:"entries"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/channels/app/menu", c.publisher, nil).decode(t, &mgmt)
	newsID := mgmt.Entries[0].ID
	path := fmt.Sprintf("/api/v1/menu-entries/%d", newsID)
	e.must(t, http.StatusForbidden, "PATCH", path, c.editor, map[string]any{"enabled": false})
	e.must(t, http.StatusUnprocessableEntity, "PATCH", path, c.publisher, map[string]any{"title": ""})
	e.must(t, http.StatusOK, "PATCH", path, c.publisher, map[string]any{"enabled": false})
	e.must(t, http.StatusOK, "GET", "/content/v1/channels/app/menu", "", nil).decode(t, &menu)
	if menu.Entries[0].Enabled {
		t.Error("disabled entry still enabled in the public menu (stale cache?)")
	}

	// Maintenance is announced in advance and becomes active at its start.
	// (第十五条: requested by 信息科, approved by a leader; TestMaintenanceWindowNeedsApproval.)
	starts := e.clock.Now().Add(12 * time.Hour)
	body := map[string]any{"notice": ""}
	e.must(t, http.StatusForbidden, "PUT", "/api/v1/channels/wechat/maintenance", c.editor, body)
	e.must(t, http.StatusNotFound, "PUT", "/api/v1/channels/web/maintenance", c.publisher, body)
	e.announce(t, c.publisher, "wechat", "系统升级，暂停服务", starts.Format(time.RFC3339))
	e.must(t, http.StatusOK, "GET", "/content/v1/channels/wechat/menu", "", nil).decode(t, &menu)
	if menu.Maintenance == nil || menu.Maintenance.Notice != "系统升级，暂停服务" || menu.Maintenance.Active {
		t.Fatalf("announced maintenance: %+v", menu.Maintenance)
	}
	e.clock.Advance(13 * time.Hour) // the cached menu holds only until the window starts
	e.must(t, http.StatusOK, "GET", "/content/v1/channels/wechat/menu", "", nil).decode(t, &menu)
	if menu.Maintenance == nil || !menu.Maintenance.Active {
		t.Fatalf("maintenance not active during its window: %+v", menu.Maintenance)
	}
	var counts int
	if err := e.db.Bun().NewRaw("SELECT COUNT(*) FROM audit_log WHERE action IN ('menu_changed', 'maintenance_changed')").Scan(context.Background(), &counts); err != nil || counts != 2 {
		t.Errorf("menu changes audited: %d %v", counts, err)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *app.Config) { c.HTTP.RateLimit, c.HTTP.RateBurst = 1, 3 })
	statuses := map[int]int{}
	for range 10 {
		statuses[e.call(t, "GET", "/content/v1/channels/app/menu", "", nil).Status]++
	}
	if statuses[http.StatusOK] < 3 || statuses[http.StatusTooManyRequests] == 0 {
		t.Fatalf("statuses %v", statuses)
	}
	r := e.call(t, "GET", "/content/v1/channels/app/menu", "", nil)
	if r.Status == http.StatusTooManyRequests && (r.problem(t).Code != "rate_limited" || r.Header.Get("Retry-After") == "") {
		t.Errorf("429 without code or Retry-After: %s", r.Body)
	}
	// The management API is not limited by the content limiter.
	e.must(t, http.StatusOK, "GET", "/api/v1/me", e.admin, nil)
}

func TestCORSPreflight(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	req, _ := http.NewRequest("OPTIONS", e.srv.URL+"/content/v1/items/1", nil)
	req.Header.Set("Origin", "https://h5.example.cn")
	req.Header.Set("Access-Control-Request-Method", "GET")
	res, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("preflight: %d %v", res.StatusCode, res.Header)
	}
	// The management API allows no cross-origin calls.
	req, _ = http.NewRequest("OPTIONS", e.srv.URL+"/api/v1/me", nil)
	req.Header.Set("Origin", "https://h5.example.cn")
	req.Header.Set("Access-Control-Request-Method", "GET")
	res, err = testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("management API answers CORS: %v", res.Header)
	}
}

// TestCacheInvalidationAcrossProcesses runs a second server on the same
// database, as a second process would be: its cache notices a publication
// made through the first one (PostgreSQL notifies at once; SQLite is polled).
func TestCacheInvalidationAcrossProcesses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	// A second app over the same database, as a second process would
	// build it: its own services, bus and cache.
	interval := 100 * time.Millisecond
	if e.db.Dialect == storage.Postgres {
		interval = time.Hour // PostgreSQL must notify; polling would be too late
	}
	blobs, err := storage.NewFolderStore(e.blobRoot)
	if err != nil {
		t.Fatal(err)
	}
	other, err := app.New(context.Background(), e.db, blobs, app.Config{WatchInterval: interval, DataDir: e.dataDir},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv2 := httptest.NewServer(other.Handler())
	defer srv2.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go other.WatchChanges(ctx)
	count := func() int {
		res, err := testClient.Get(srv2.URL + "/content/v1/columns/news/items")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var page struct{ Items []struct{ ID int64 } }
		if err := json.NewDecoder(res.Body).Decode(&page); err != nil {
			t.Fatal(err)
		}
		return len(page.Items)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d items before publishing", n)
	}
	time.Sleep(300 * time.Millisecond) // let the watcher take its first reading
	e.publishNews(t, c, "跨进程", "正文")
	deadline := time.Now().Add(5 * time.Second)
	for count() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the second server kept serving its stale listing")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
