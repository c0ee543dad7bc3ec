package console_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chartBox is what the browser laid out of one chart.
type chartBox struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
	Marks  int     `json:"marks"`
}

// TestReportsInBrowser: the director opens the operations report in
// Chromium at a desk and on a phone; every chart is an SVG the browser
// lays out with a size, bars and an accessible name; the page passes
// axe-core and, printed, fits A4 without scrolling sideways.
func TestReportsInBrowser(t *testing.T) {
	t.Parallel()
	browser := chromium(t)
	e := newEnv(t)
	c := e.chain(t)
	e.readsAndDecisions(t, c)
	d := e.newPerson(t, browser, "director", desktop, 900)
	d.login(c.director.Username, staffPassword)
	d.open("/console/", http.StatusOK)
	d.submit(`a[href="/console/reports"]`, http.StatusOK)
	d.sees("运营分析", "阅读概况", "每日阅读量趋势", "阅读最多的稿件", "住房公积金缴存登记", "无结果的搜索词", "无此事项",
		"审批时效", "退回及原因", "缺少<b>办理依据</b>", "当前待办", "等待审核的指南")
	ctx, cancel := context.WithTimeout(d.ctx, stepTimeout)
	defer cancel()
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[[]chartBox](`Array.from(document.querySelectorAll("svg.chart")).map(s => {
		const r = s.getBoundingClientRect();
		const t = s.querySelector("title");
		return {id: t ? t.id : "", name: (s.getAttribute("aria-labelledby") || "").split(" ").map(id => document.getElementById(id).textContent).join(" "),
			width: r.width, height: r.height, marks: s.querySelectorAll("rect").length};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"chart-trend-t": true, "chart-items-t": true, "chart-columns-t": true, "chart-terms-t": true,
		"chart-zero-t": true, "chart-stages-t": true}
	for _, ch := range charts {
		if !want[ch.ID] || ch.Width < 300 || ch.Height < 20 || ch.Marks == 0 || len(ch.Name) < 10 {
			t.Errorf("chart %+v", ch)
		}
		delete(want, ch.ID)
	}
	if len(want) > 0 {
		t.Errorf("charts not drawn: %v (drawn: %+v)", want, charts)
	}
	d.shots("reports")
	// Printed on A4 (emulated print media at the printable width of
	// 210 mm less the margins, about 680 CSS px), nothing sticks out.
	d.do(chromedp.EmulateViewport(680, 900, chromedp.EmulateScale(1)))
	if _, err := chromedp.Call(d.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	if wide := d.overflow(); wide > 0 {
		t.Errorf("printed, the report is %d px too wide for A4", wide)
	}
	d.shot("reports-print")
}
