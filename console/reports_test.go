package console_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// readsAndDecisions publishes one guide, has the public read and search
// it through the content API, sends another back with a comment and
// leaves a third waiting for the head, then flushes the counts.
func (e *env) readsAndDecisions(t testing.TB, c chain) {
	t.Helper()
	_, rev := e.guide(t, c.editor, "住房公积金缴存登记")
	e.toScheduled(t, c, rev.ID)
	e.fire(t, c.publisher, rev.ID, cms.EventPublish, "")
	_, back := e.guide(t, c.editor, "退回的办事指南")
	e.fire(t, c.editor, back.ID, cms.EventSubmit, "")
	e.fire(t, c.head, back.ID, cms.EventReject, `缺少<b>办理依据</b>`)
	_, wait := e.guide(t, c.editor, "等待审核的指南")
	e.fire(t, c.editor, wait.ID, cms.EventSubmit, "")
	for i, client := range []string{"app", "app", "wechat", ""} {
		req, _ := http.NewRequest("GET", e.srv.URL+"/content/v1/items/"+itoa(rev.ItemID), nil)
		if client != "" {
			req.Header.Set("X-Client", client)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("read %d: %v %v", i, res, err)
		}
		res.Body.Close()
	}
	for _, q := range []string{"缴存", "无此事项"} {
		res, err := http.Get(e.srv.URL + "/content/v1/search?q=" + q)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	e.app.FlushStats(context.Background())
}

// TestReportPage: the report page shows the period's figures and its SVG
// charts to those who may read reports, a department's own to its
// editors, and nothing to anyone else.
func TestReportPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	e.readsAndDecisions(t, c)
	auditor := e.staff(t, "qian.hui", "钱慧", "office", bind(cms.RoleAuditor, "office"))
	if _, err := e.svc.Structure.SetContacts(t.Context(), e.admin, "collection", []int64{c.head.ID}); err != nil {
		t.Fatal(err)
	}

	for _, who := range []string{c.publisher.Username, auditor.Username, c.director.Username, c.leader.Username} {
		b := e.browser(t)
		b.login(who, staffPassword)
		b.get("/console/").has(t, `href="/console/reports"`)
		b.get("/console/reports").must(t, http.StatusOK).has(t, "运营分析", "统计范围：全中心", "2026-12-01 至 2026-12-01",
			`<svg class="chart"`, `id="chart-trend-t"`, "每日阅读量趋势", `id="chart-items-t"`, "住房公积金缴存登记",
			`id="chart-terms-t"`, "无此事项", `id="chart-stages-t"`, "缺少&lt;b&gt;办理依据&lt;/b&gt;", "等待审核的指南", "李娜").
			has(t, "部门专人", "<td>归集科</td><td>李娜</td>", `<td>计划财务科</td><td><strong class="tag overdue-tag">未指定</strong>`).
			lacks(t, "<b>办理依据")
	}
	// The tables download as CSV, as the API sends them.
	pub := e.browser(t)
	pub.login(c.publisher.Username, staffPassword)
	pub.get("/console/reports").has(t, `href="/console/reports/usage.csv?from=2026-12-01&amp;table=items&amp;to=2026-12-01"`,
		`href="/console/reports/workflow.csv?from=2026-12-01&amp;table=rejections&amp;to=2026-12-01"`)
	for _, tc := range []struct {
		path   string
		header string
		row    []string
	}{
		{"/console/reports/usage.csv?from=2026-12-01&to=2026-12-01&table=items", "item_id,title,column,department,reads", []string{"住房公积金缴存登记", "4"}},
		{"/console/reports/usage.csv?table=zero_result_searches", "term,searches,zero_results,results", []string{"无此事项", "1"}},
		{"/console/reports/workflow.csv?table=rejections", "at,department,stage,item_id,revision_id,title,comment,reviewer", []string{"缺少<b>办理依据</b>", "李娜"}},
	} {
		p := pub.get(tc.path).must(t, http.StatusOK)
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.Body, "\ufeff"))).ReadAll()
		if err != nil || len(recs) != 2 || strings.Join(recs[0], ",") != tc.header || p.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Errorf("%s: %v %q", tc.path, err, p.Body)
			continue
		}
		for _, cell := range tc.row {
			if !slices.Contains(recs[1], cell) {
				t.Errorf("%s: %q not in %v", tc.path, cell, recs[1])
			}
		}
	}
	pub.get("/console/reports/usage.csv?table=nope").must(t, http.StatusNotFound)

	ed := e.browser(t)
	ed.login(c.editor.Username, staffPassword)
	ed.get("/console/reports").must(t, http.StatusOK).has(t, "统计范围：归集科", `id="chart-items-t"`, "住房公积金缴存登记").
		lacks(t, `id="chart-terms-t"`, "无此事项", "table=searches")
	other := e.browser(t)
	other.login(c.otherEditor.Username, staffPassword)
	other.get("/console/reports").must(t, http.StatusOK).has(t, "统计范围：计划财务科").lacks(t, "住房公积金缴存登记", "等待审核的指南", "<td>归集科</td><td>李娜</td>")
	ed.get("/console/reports?from=2026-12-05&to=2026-12-01").must(t, http.StatusUnprocessableEntity)
	ed.get("/console/reports?from=someday").must(t, http.StatusUnprocessableEntity)

	for _, who := range []struct{ name, pw string }{{c.secrecy.Username, staffPassword}, {"admin", adminPassword}} {
		b := e.browser(t)
		b.login(who.name, who.pw)
		b.get("/console/").lacks(t, `href="/console/reports"`)
		b.get("/console/reports").must(t, http.StatusForbidden)
		b.get("/console/reports/usage.csv").must(t, http.StatusForbidden)
		b.get("/console/reports/workflow.csv").must(t, http.StatusForbidden)
	}
}
