package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage/storagetest"
)

// usageReport is the part of the usage report the tests read.
type usageReport struct {
	From        string           `json:"from"`
	To          string           `json:"to"`
	Departments []string         `json:"departments"`
	RawTotals   map[string]int64 `json:"totals"`
	Days        []struct {
		Day                       string
		Reads, App, WeChat, Other int64
		Downloads, Searches       int64
	} `json:"days"`
	Items []struct {
		ItemID int64  `json:"item_id"`
		Title  string `json:"title"`
		Column string `json:"column"`
		Reads  int64  `json:"reads"`
	} `json:"items"`
	Columns []struct {
		Column    string `json:"column"`
		ItemReads int64  `json:"item_reads"`
		ListReads int64  `json:"list_reads"`
	} `json:"columns"`
	Clients []struct {
		Client string `json:"client"`
		Reads  int64  `json:"reads"`
	} `json:"clients"`
	Searches []termRow `json:"searches"`
	Zero     []termRow `json:"zero_result_searches"`
}

type termRow struct {
	Term        string `json:"term"`
	Searches    int64  `json:"searches"`
	ZeroResults int64  `json:"zero_results"`
	Results     int64  `json:"results"`
}

func (r usageReport) client(kind string) int64 {
	for _, c := range r.Clients {
		if c.Client == kind {
			return c.Reads
		}
	}
	return -1
}

// TestUsageFromTwoProcessesAddsUp: reads served by two server processes on
// one database, from the cache and not, at once, flushed at once and more
// than once, add up to exactly the reads made, by kind of client.
func TestUsageFromTwoProcessesAddsUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	id := e.publishNews(t, c, "住房公积金提取通知", "提取住房公积金的办法")
	r := e.replica(t)
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})
	servers := []*env{e, r}
	const rounds, perRound = 2, 60
	clients := []string{"app", "WeChat", "", "pc"}
	want := map[string]int64{}
	ctx := context.Background()
	for round := range rounds {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for w := range 4 {
			wg.Go(func() {
				for i := w; i < perRound; i += 4 {
					h := map[string]string{}
					if k := clients[i%len(clients)]; k != "" {
						h["X-Client"] = k
					}
					if res := servers[i%2].plainGet(t, publicItemPath(id), h); res.Status != http.StatusOK {
						t.Errorf("read %d: %d", i, res.Status)
					}
					kind := map[string]string{"app": "app", "WeChat": "wechat"}[clients[i%len(clients)]]
					if kind == "" {
						kind = "other"
					}
					mu.Lock()
					want[kind]++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		for _, s := range servers {
			s.plainGet(t, "/content/v1/columns/news/items", nil)
			s.plainGet(t, "/content/v1/columns/news/items?cursor=x", nil) // a later page (refused): not a read
			s.plainGet(t, "/content/v1/channels/app/menu", map[string]string{"X-Client": "app"})
			s.plainGet(t, "/content/v1/search?q="+url.QueryEscape(" 提取 "), nil)
			s.plainGet(t, "/content/v1/search?q="+url.QueryEscape("无此内容"), nil)
		}
		want["other"] += 2 // a listing on each server
		want["app"] += 2   // a menu on each server
		// Both processes flush at once, into the same rows.
		var fw sync.WaitGroup
		for _, s := range servers {
			fw.Go(func() { s.app.FlushStats(ctx) })
		}
		fw.Wait()
		_ = round
	}
	var rep usageReport
	e.must(t, http.StatusOK, "GET", "/api/v1/reports/usage?from=2026-03-01&to=2026-03-01", auditor, nil).decode(t, &rep)
	n := int64(rounds * perRound)
	if got := rep.RawTotals["item_reads"]; got != n {
		t.Errorf("item reads: %d, want %d", got, n)
	}
	if rep.RawTotals["list_reads"] != 2*rounds || rep.RawTotals["menu_reads"] != 2*rounds {
		t.Errorf("listings and menus: %v", rep.RawTotals)
	}
	if rep.RawTotals["reads"] != n+4*rounds {
		t.Errorf("reads: %v", rep.RawTotals)
	}
	for _, k := range []string{"app", "wechat", "other"} {
		if rep.client(k) != want[k] {
			t.Errorf("client %s: %d, want %d", k, rep.client(k), want[k])
		}
	}
	if len(rep.Items) != 1 || rep.Items[0].ItemID != id || rep.Items[0].Reads != n || rep.Items[0].Column != "news" {
		t.Errorf("items: %+v", rep.Items)
	}
	if len(rep.Days) != 1 || rep.Days[0].Day != "2026-03-01" || rep.Days[0].Reads != n+4*rounds {
		t.Errorf("days: %+v", rep.Days)
	}
	if len(rep.Columns) != 1 || rep.Columns[0].ItemReads != n || rep.Columns[0].ListReads != 2*rounds {
		t.Errorf("columns: %+v", rep.Columns)
	}
	wantTerms := []termRow{{Term: "提取", Searches: 2 * rounds, Results: 2 * rounds}, {Term: "无此内容", Searches: 2 * rounds, ZeroResults: 2 * rounds}}
	if len(rep.Searches) != 2 || rep.Searches[0] != wantTerms[0] || rep.Searches[1] != wantTerms[1] {
		t.Errorf("searches: %+v", rep.Searches)
	}
	if len(rep.Zero) != 1 || rep.Zero[0] != wantTerms[1] {
		t.Errorf("zero-result searches: %+v", rep.Zero)
	}
	if rep.RawTotals["searches"] != 4*rounds || rep.RawTotals["zero_result_searches"] != 2*rounds {
		t.Errorf("search totals: %v", rep.RawTotals)
	}
}

// TestUsageDoesNotCountFailuresAndKeepsNoPersonalData: refused and
// missing reads count nothing.
func TestUsageCountsOnlyAnswers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})
	e.plainGet(t, "/content/v1/items/999", nil)
	e.plainGet(t, "/content/v1/columns/no-such-column/items", nil)
	e.plainGet(t, "/content/v1/channels/nowhere/menu", nil)
	e.app.FlushStats(context.Background())
	var rep usageReport
	e.must(t, http.StatusOK, "GET", "/api/v1/reports/usage?from=2026-03-01&to=2026-03-01", auditor, nil).decode(t, &rep)
	if rep.RawTotals["reads"] != 0 || len(rep.Items) != 0 || len(rep.Columns) != 0 {
		t.Errorf("failed reads were counted: %+v", rep)
	}
}

// TestReportCSV: both reports' tables parse as CSV with their header row.
func TestReportCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	id := e.publishNews(t, c, "公积金缴存基数调整", "调整")
	for range 3 {
		e.plainGet(t, publicItemPath(id), map[string]string{"X-Client": "app"})
	}
	e.plainGet(t, "/content/v1/search?q=%3DHYPERLINK(1)", nil)
	e.app.FlushStats(context.Background())
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})
	for _, tc := range []struct {
		path, accept string
		header       []string
		rows         int
		check        func([][]string) bool
	}{
		{"/api/v1/reports/usage?from=2026-03-01&to=2026-03-03", "text/csv", []string{"day", "reads", "app", "wechat", "other", "downloads", "searches"}, 3,
			func(rs [][]string) bool {
				return rs[0][0] == "2026-03-01" && rs[0][1] == "3" && rs[0][2] == "3" && rs[0][6] == "1"
			}},
		{"/api/v1/reports/usage?from=2026-03-01&to=2026-03-01&format=csv&table=items", "", []string{"item_id", "title", "column", "department", "reads"}, 1,
			func(rs [][]string) bool { return rs[0][1] == "公积金缴存基数调整" && rs[0][4] == "3" }},
		{"/api/v1/reports/usage?from=2026-03-01&to=2026-03-01&format=csv&table=zero_result_searches", "", []string{"term", "searches", "zero_results", "results"}, 1,
			func(rs [][]string) bool { return rs[0][0] == "'=hyperlink(1)" }},
		{"/api/v1/reports/workflow?from=2026-03-01&to=2026-03-01", "text/csv", []string{"department", "stage", "revisions", "entered", "done",
			"median_seconds", "p90_seconds", "limit_seconds", "overdue", "rejections"}, 3, nil},
		{"/api/v1/reports/workflow?format=csv&table=rejections", "", []string{"at", "department", "stage", "item_id", "revision_id", "title", "comment", "reviewer"}, 0, nil},
		{"/api/v1/reports/workflow?format=csv&table=waiting", "", []string{"item_id", "revision_id", "title", "department", "stage", "since", "due_at", "overdue", "who"}, 0, nil},
	} {
		h := map[string]string{}
		if tc.accept != "" {
			h["Accept"] = tc.accept
		}
		res := e.send(t, request{method: "GET", path: tc.path, token: auditor, header: h})
		if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("%s: %d %s %s", tc.path, res.Status, res.Header.Get("Content-Type"), res.Body)
		}
		body, ok := bytes.CutPrefix(res.Body, []byte("\ufeff"))
		if !ok {
			t.Errorf("%s: no byte order mark", tc.path)
		}
		recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if len(recs) == 0 || !equalStrings(recs[0], tc.header) {
			t.Fatalf("%s: header %v, want %v", tc.path, recs, tc.header)
		}
		if len(recs)-1 != tc.rows || (tc.check != nil && !tc.check(recs[1:])) {
			t.Errorf("%s: rows %v", tc.path, recs[1:])
		}
	}
	for _, bad := range []string{"?format=xml", "?format=csv&table=nope", "?from=2026-03-05&to=2026-03-01", "?from=yesterday",
		"?from=2025-01-01&to=2026-03-01"} {
		if r := e.send(t, request{method: "GET", path: "/api/v1/reports/usage" + bad, token: auditor, raw: true}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", bad, r.Status, r.Body)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestReportPermissions: auditors, the publisher, leaders and the director
// read the whole centre's reports; editors and heads of department their
// own department's; anyone else nothing.
func TestReportPermissions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})
	_, finEditor := e.user(t, "fineditor", "finance", role{"editor", "finance"})
	for _, tc := range []struct {
		who, token string
		status     int
		depts      []string
	}{
		{"auditor", auditor, http.StatusOK, nil}, {"publisher", c.publisher, http.StatusOK, nil},
		{"leader", c.leader, http.StatusOK, nil}, {"director", c.director, http.StatusOK, nil},
		{"editor", c.editor, http.StatusOK, []string{"collection"}}, {"head", c.head, http.StatusOK, []string{"collection"}},
		{"finance editor", finEditor, http.StatusOK, []string{"finance"}},
		{"secrecy reviewer", c.secrecy, http.StatusForbidden, nil}, {"admin", e.admin, http.StatusForbidden, nil},
		{"nobody", "", http.StatusUnauthorized, nil},
	} {
		for _, path := range []string{"/api/v1/reports/usage", "/api/v1/reports/workflow"} {
			r := e.call(t, "GET", path, tc.token, nil)
			if r.Status != tc.status {
				t.Errorf("%s %s: %d, want %d", tc.who, path, r.Status, tc.status)
				continue
			}
			if r.Status != http.StatusOK {
				continue
			}
			var rep struct {
				Departments []string `json:"departments"`
			}
			r.decode(t, &rep)
			if !equalStrings(rep.Departments, tc.depts) || (tc.depts == nil) != (rep.Departments == nil) {
				t.Errorf("%s %s: departments %v, want %v", tc.who, path, rep.Departments, tc.depts)
			}
		}
	}
}

// TestStatsFlushEveryIntervalAndAtShutdown: the background worker adds
// the counts to the database on its interval, and once more when the
// server stops, so that no read counted is lost.
func TestStatsFlushEveryIntervalAndAtShutdown(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(cfg *app.Config) { cfg.StatsFlush = 50 * time.Millisecond })
	c := newChain(t, e)
	id := e.publishNews(t, c, "缴存基数调整", "调整")
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.app.RunStats(ctx) }()
	itemReads := func() int64 {
		var rep usageReport
		e.must(t, http.StatusOK, "GET", "/api/v1/reports/usage?from=2026-03-01&to=2026-03-01", auditor, nil).decode(t, &rep)
		return rep.RawTotals["item_reads"]
	}
	e.plainGet(t, publicItemPath(id), nil)
	deadline := time.Now().Add(10 * time.Second)
	for itemReads() != 1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := itemReads(); n != 1 {
		t.Fatalf("after the interval: %d reads", n)
	}
	// Another process, stopped long before its tick could come, flushes on
	// the way out.
	cfg := e.cfg
	cfg.StatsFlush = time.Hour
	e2 := startEnv(t, storagetest.OpenURL(t, e.dbURL), e.blobRoot, cfg)
	ctx2, stop2 := context.WithCancel(context.Background())
	done2 := make(chan struct{})
	e2.app.Services.Reports.Counter.Read(e.clock.Now(), cms.ReadItem, cms.ClientApp, 0, id, 0, "")
	go func() { defer close(done2); e2.app.RunStats(ctx2) }()
	stop2()
	<-done2
	stop()
	<-done
	if n := itemReads(); n != 2 {
		t.Errorf("after the shutdown: %d reads, want 2", n)
	}
}

// TestCountingAddsNoAllocationToACachedRead: a read the cache answers
// before echo allocates as much with the statistics on as off.
func TestCountingAddsNoAllocationToACachedRead(t *testing.T) {
	e := newEnv(t)
	c := newChain(t, e)
	id := e.publishNews(t, c, "缴存基数调整", "调整")
	h := e.app.Handler()
	for _, path := range []string{publicItemPath(id), "/content/v1/columns/news/items", "/content/v1/search?q=" + url.QueryEscape("调整")} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("X-Client", "wechat")
		w := &discardWriter{h: http.Header{}}
		read := func() {
			clear(w.h)
			h.ServeHTTP(w, req)
			if w.status != http.StatusOK {
				t.Fatalf("%s: %d", path, w.status)
			}
		}
		read() // fills the cache
		reports := e.svc.Reports
		counter := reports.Counter
		on := testing.AllocsPerRun(200, read)
		reports.Counter = nil
		off := testing.AllocsPerRun(200, read)
		reports.Counter = counter
		if on > off {
			t.Errorf("%s: %.1f allocations with the statistics on, %.1f off", path, on, off)
		}
	}
	if b := e.svc.Reports.Counter.Take(); len(b.Reads) != 2 || len(b.Searches) != 1 {
		t.Errorf("counted %+v", b)
	}
}
