package console

import (
	"cmp"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tlhpf/cms/cms"
)

// 运营分析: the monthly operations report for the centre's meeting, on one
// page that prints on A4: what the public read, searched and downloaded,
// and how long the approval chain took against its time limits (办结时限).
// The figures and the charts come from the report service, which decides
// who sees the whole centre and who their own department.

// reportData is the report page.
type reportData struct {
	From, To string
	Scope    string // whom the figures cover, in words
	Usage    *cms.UsageReport
	Flow     *cms.WorkflowReport
	Trend    dayChart
	Items    barChart
	Columns  barChart
	Terms    barChart
	Zero     barChart
	Stages   barChart
	Exports  []export
	Problems problems
}

func (c *Console) handleReports(w http.ResponseWriter, r *http.Request, u *user) error {
	q := r.URL.Query()
	d := reportData{From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	ctx := r.Context()
	usage, err := c.svc.Reports.Usage(ctx, u.p, d.From, d.To)
	if cms.ErrorCode(err) == cms.EINVALID {
		d.Problems = problemsOf(err)
		return c.page(w, r, u, http.StatusUnprocessableEntity, "reports", view{Title: "运营分析", Active: "reports", Data: d})
	}
	if err != nil {
		return err
	}
	flow, err := c.svc.Reports.Workflow(ctx, u.p, d.From, d.To)
	if err != nil {
		return err
	}
	n, err := c.names(r, u)
	if err != nil {
		return err
	}
	d.From, d.To, d.Usage, d.Flow = usage.From.String(), usage.To.String(), usage, flow
	d.Scope = "全中心"
	if usage.Departments != nil {
		var ds []string
		for _, s := range usage.Departments {
			ds = append(ds, n.Dept(s))
		}
		d.Scope = strings.Join(ds, "、")
	}
	d.charts(n)
	d.Exports = d.exports()
	return c.page(w, r, u, http.StatusOK, "reports", view{Title: "运营分析", Active: "reports", Names: n, BodyClass: "report-page", Data: d})
}

// charts draws the report's charts.
func (d *reportData) charts(n *names) {
	u := d.Usage
	d.Trend = newDayChart(u.Days)
	var items, cols, terms, zero []barValue
	for _, i := range u.Items {
		items = append(items, barValue{label: i.Title, value: count(i.Reads), n: float64(i.Reads)})
	}
	for i, c := range u.Columns {
		if i == cms.ReportTop {
			break
		}
		title := c.Title
		if title == "" {
			title = n.Column(c.Column)
		}
		cols = append(cols, barValue{label: title, value: count(c.Reads()), n: float64(c.Reads())})
	}
	for _, t := range u.Searches {
		terms = append(terms, barValue{label: t.Term, value: count(t.Searches), n: float64(t.Searches)})
	}
	for _, t := range u.Misses {
		zero = append(zero, barValue{label: t.Term, value: count(t.Misses), n: float64(t.Misses)})
	}
	d.Items = newBarChart("chart-items", "阅读最多的稿件", "本期阅读次数最多的稿件及其阅读次数。", "c-items", items)
	d.Columns = newBarChart("chart-columns", "各栏目阅读量", "各栏目的阅读次数（稿件详情与栏目列表之和）。", "c-columns", cols)
	d.Terms = newBarChart("chart-terms", "热门搜索词", "本期搜索次数最多的词及其次数。", "c-terms", terms)
	d.Zero = newBarChart("chart-zero", "无结果的搜索词", "读者搜索却没有找到内容的词及其次数：可据此补充内容。", "c-zero", zero)
	d.Stages = newStageChart(d.Flow.Stages, n)
}

// count writes a count with its unit.
func count(n int64) string { return strconv.FormatInt(n, 10) + " 次" }

// durationWords writes a stay in hours, or days past two days.
func durationWords(d time.Duration) string {
	if d >= 48*time.Hour {
		return strconv.FormatFloat(d.Hours()/24, 'f', 1, 64) + " 天"
	}
	return hours(d) + " 小时"
}

// tableWords names the reports' tables on the export links.
var tableWords = map[string]string{
	"days": "每日阅读", "items": "稿件阅读", "columns": "栏目阅读", "clients": "按客户端", "client_keys": "按客户端密钥",
	"attachments": "附件下载", "searches": "热门搜索", "zero_result_searches": "无结果搜索",
	"stages": "各环节用时", "rejections": "退回及原因", "waiting": "当前待办", "contacts": "部门专人",
}

// export is a link to one table as CSV.
type export struct{ Label, URL string }

// exports links every table of both reports for the period.
func (d *reportData) exports() []export {
	var out []export
	for _, r := range []struct {
		path   string
		tables []string
	}{{"/console/reports/usage.csv", cms.UsageTables}, {"/console/reports/workflow.csv", cms.WorkflowTables}} {
		for _, t := range r.tables {
			if d.Usage.Departments != nil && (t == "searches" || t == "zero_result_searches") {
				continue
			}
			q := url.Values{"from": {d.From}, "to": {d.To}, "table": {t}}
			out = append(out, export{Label: tableWords[t], URL: r.path + "?" + q.Encode()})
		}
	}
	return out
}

// handleReportCSV sends one table of a report as CSV, as the API does.
func (c *Console) handleReportCSV(w http.ResponseWriter, r *http.Request, u *user) error {
	q := r.URL.Query()
	name, pick := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/console/reports/"), ".csv"), q.Get("table")
	var p cms.Period
	var table cms.ReportTable
	ok := false
	switch name {
	case "usage":
		rep, err := c.svc.Reports.Usage(r.Context(), u.p, q.Get("from"), q.Get("to"))
		if err != nil {
			return err
		}
		p = rep.Period
		table, ok = rep.Table(cmp.Or(pick, cms.UsageTables[0]))
	case "workflow":
		rep, err := c.svc.Reports.Workflow(r.Context(), u.p, q.Get("from"), q.Get("to"))
		if err != nil {
			return err
		}
		p = rep.Period
		table, ok = rep.Table(cmp.Or(pick, cms.WorkflowTables[0]))
	}
	if !ok {
		return cms.Errorf(cms.ENOTFOUND, "no such table")
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+"-"+p.From.String()+"-"+p.To.String()+"-"+cmp.Or(pick, "table")+`.csv"`)
	h.Set("Cache-Control", "private, no-store")
	return cms.WriteCSV(w, table)
}
