package console

import (
	"math"
	"strconv"
	"time"

	"github.com/tlhpf/cms/cms"
)

// The report's charts, drawn on the server as SVG: the geometry is
// computed here, the template writes the elements (so html/template
// escapes every label), the colours come from the style sheet, and each
// chart names itself for screen readers with its title and a description.

// chartWidth is the drawing's width in its own units; it scales to the
// page (width 100 %), on a phone and on A4.
const chartWidth = 720

// dayChart is the trend of reads per day, stacked by kind of client.
type dayChart struct {
	ID, Title, Desc string
	W, H            int
	Base            float64 // the x axis's y
	Bars            []dayBar
	Ticks           []tick
	Empty           bool
}

type dayBar struct {
	Label    string // the day of the month, on some bars
	X, W, CX float64
	Segments []segment
	Tip      string // the day's figures in words
}

type segment struct {
	Y, H  float64
	Class string
}

type tick struct {
	Y     float64
	Label string
}

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func newDayChart(days []cms.DayUsage) dayChart {
	const top, bottom, left, right, height = 12.0, 26.0, 48.0, 8.0, 240
	c := dayChart{ID: "chart-trend", Title: "每日阅读量趋势", W: chartWidth, H: height, Base: height - bottom}
	var most int64
	for _, d := range days {
		most = max(most, d.Reads())
	}
	c.Empty = most == 0
	c.Desc = "按日统计的阅读量，分为App、微信和其他客户端；最高一日 " + strconv.FormatInt(most, 10) + " 次。"
	scale := niceMax(float64(most))
	plot := height - top - bottom
	for _, v := range []float64{0, scale / 2, scale} {
		c.Ticks = append(c.Ticks, tick{Y: c.Base - v/scale*plot, Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	slot := (chartWidth - left - right) / float64(max(len(days), 1))
	every := max(1, (len(days)+9)/10)
	for i, d := range days {
		w := min(slot*0.7, 36)
		b := dayBar{X: left + float64(i)*slot + (slot-w)/2, W: w, CX: left + float64(i)*slot + slot/2, Tip: d.Day.String() + "：App " + strconv.FormatInt(d.App, 10) +
			"，微信 " + strconv.FormatInt(d.WeChat, 10) + "，其他 " + strconv.FormatInt(d.Other, 10)}
		if i%every == 0 {
			b.Label = strconv.Itoa(d.Day.Start().In(cms.China).Day())
		}
		y := c.Base
		for _, s := range []struct {
			n     int64
			class string
		}{{d.App, "c-app"}, {d.WeChat, "c-wechat"}, {d.Other, "c-other"}} {
			h := float64(s.n) / scale * plot
			if h > 0 {
				y -= h
				b.Segments = append(b.Segments, segment{Y: y, H: h, Class: s.class})
			}
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

// barChart is a list drawn as horizontal bars: the most read items or
// columns, the terms searched, the times in each stage.
type barChart struct {
	ID, Title, Desc string
	W, H            int
	LabelW          float64 // where the bars start
	Rows            []barRow
	Empty           bool
}

type barRow struct {
	Label, Value string
	Y            float64 // the row's top
	W            float64 // the bar's length
	// Where the template draws: the bar's top, the text's baseline, the
	// value's start and the limit's mark.
	BarY, TextY, ValueX, LimitX, LimitY1, LimitY2 float64
	// Back is a second, lighter bar behind (the 90th percentile), 0 for none.
	Back float64
	// Limit is where the stage's time limit falls, 0 for none; Over marks
	// a row whose bar passes it.
	Limit float64
	Over  bool
	Class string
}

// place computes where the template draws the row.
func (r *barRow) place() {
	r.BarY, r.TextY = r.Y+5, r.Y+19
	r.ValueX = barLabelW + max(r.W, r.Back, r.Limit) + 6
	if r.Limit > 0 {
		r.LimitX, r.LimitY1, r.LimitY2 = barLabelW+r.Limit, r.Y+1, r.Y+barRowH-1
	}
}

const (
	barRowH   = 28.0
	barLabelW = 230.0
	barValueW = 150.0
)

// barLength scales v against the largest value.
func barLength(v, most float64) float64 {
	if most <= 0 {
		return 0
	}
	return v / most * (chartWidth - barLabelW - barValueW)
}

// clip shortens a label to n characters.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

type barValue struct {
	label, value string
	n            float64
}

func newBarChart(id, title, desc string, class string, vals []barValue) barChart {
	c := barChart{ID: id, Title: title, Desc: desc, W: chartWidth, LabelW: barLabelW, Empty: len(vals) == 0}
	most := 0.0
	for _, v := range vals {
		most = max(most, v.n)
	}
	for i, v := range vals {
		r := barRow{Label: clip(v.label, 14), Value: v.value, Y: float64(i) * barRowH, W: barLength(v.n, most), Class: class}
		r.place()
		c.Rows = append(c.Rows, r)
	}
	c.H = int(float64(max(len(vals), 1))*barRowH) + 4
	return c
}

// hours writes a duration in hours, one decimal.
func hours(d time.Duration) string { return strconv.FormatFloat(d.Hours(), 'f', 1, 64) }

// newStageChart draws each department's median time in each stage, its
// 90th percentile behind it and the stage's time limit as a mark.
func newStageChart(figs []cms.StageFigure, n *names) barChart {
	c := barChart{ID: "chart-stages", Title: "各科室各环节用时与办结时限", W: chartWidth, LabelW: barLabelW, Empty: len(figs) == 0,
		Desc: "每行一个科室的一个审核环节：深色为用时中位数，浅色为第90百分位，竖线为该环节的办结时限（小时）。"}
	most := 0.0
	for _, f := range figs {
		most = max(most, f.P90.Hours(), f.Limit.Hours())
	}
	most *= 1.05
	for i, f := range figs {
		r := barRow{Label: clip(n.Dept(f.Department)+" · "+stateLabel(f.Stage), 14), Y: float64(i) * barRowH,
			W: barLength(f.Median.Hours(), most), Back: barLength(f.P90.Hours(), most), Class: "c-median",
			Value: "中位 " + hours(f.Median) + " · P90 " + hours(f.P90) + " 小时"}
		if f.Limit > 0 {
			r.Limit = barLength(f.Limit.Hours(), most)
			r.Over = f.P90 > f.Limit
		}
		r.place()
		c.Rows = append(c.Rows, r)
	}
	c.H = int(float64(max(len(figs), 1))*barRowH) + 4
	return c
}
