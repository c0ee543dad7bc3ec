package console

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/tlhpf/cms/cms"
)

// templateFuncs are the helpers templates may call. None of them builds
// HTML from strings: html/template escapes everything they return, except
// what the services rendered and sanitised (see safeHTML).
func templateFuncs(as *assets) template.FuncMap {
	return template.FuncMap{
		"asset":          as.url,
		"featureState":   func(s string) string { return labelOf(featureStateLabels, s) },
		"featureCSS":     func(s string) string { return featureStateCSS[s] },
		"featureChannel": func(s string) string { return labelOf(featureChannelLabels, s) },
		"featureNote":    func(s string) string { return labelOf(featureNoteLabels, s) },
		"state":          stateLabel,
		"event":          eventLabel,
		"role":           roleLabel,
		"option":         optionLabel,
		"when":           when,
		"kind":           func(k cms.NotificationKind) string { return kindWords[k] },
		"ago":            ago,
		"add":            func(a, b int) int { return a + b },
		"eventCSS":       func(e cms.Event) string { return "ev-" + string(e) },
		"patrolKind":     func(k string) string { return labelOf(patrolKinds, k) },
		"trigger":        func(t string) string { return labelOf(patrolTriggers, t) },
		"auditProblem":   func(k string) string { return labelOf(auditProblems, k) },
		"tabsAt":         func(t adminTabs, here string) tabsHere { return tabsHere{Tabs: t, Here: here} },
		"roleKey":        roleKey,
		"eventsFirst":    eventsFirst,
		"centreRole":     func(r cms.Role) bool { return r.CentreWide() },
		"anchorKind":     func(k string) string { return labelOf(anchorKinds, k) },
		"stateCSS":       func(s cms.State) string { return "st-" + string(s) },
		"needsNote":      func(e cms.Event) bool { return e == cms.EventReject || e == cms.EventSuspend || e == cms.EventRestore },
		"size":           humanSize,
		"safeHTML":       safeHTML,
		"entryView":      func(e cms.QueueEntry, v view) entryRow { return entryRow{Entry: e, View: v} },
		"featureEntry":   func(r cms.FeatureRequest, v view) featureRow { return featureRow{Request: r, View: v} },
		"eventType":      eventTypeLabel,
		"deliveryState":  func(s cms.DeliveryState) string { return labelOf(deliveryStates, s) },
		"attemptOutcome": attemptOutcome,
		"duration":       durationWords,
		"client":         clientWords,
		"inputTime":      inputTime,
		"hasEvent":       func(evs []cms.Event, e string) bool { return slices.Contains(evs, cms.Event(e)) },
	}
}

// inputTime writes a time as a datetime-local field's value, in Beijing
// time; parseInputTime reads one back ("" is the zero time).
func inputTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cms.China).Format("2006-01-02T15:04")
}

func parseInputTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", v, cms.China)
	if err != nil {
		return time.Time{}, cms.Invalid("invalid time", cms.FieldError{Field: field, Message: "请按“年-月-日 时:分”填写时间"})
	}
	return t.UTC(), nil
}

// when formats a time for people: Beijing time to the minute, "" for none.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cms.China).Format("2006-01-02 15:04")
}

// ago says how long before now t was, the way a list shows it.
func ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case t.IsZero():
		return ""
	case d < time.Minute:
		return "刚刚"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "分钟前"
	case d < 24*time.Hour:
		return strconv.Itoa(int(d.Hours())) + "小时前"
	case d < 30*24*time.Hour:
		return strconv.Itoa(int(d.Hours()/24)) + "天前"
	}
	return when(t)
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return strconv.FormatInt(n, 10) + " 字节"
}

// safeHTML marks HTML the services rendered and sanitised for clients
// (bodies and text fields) as safe to embed; it accepts nothing else.
func safeHTML(v any) template.HTML {
	if h, ok := v.(renderedHTML); ok {
		return template.HTML(h) // #nosec G203 -- sanitised by the content service's renderer
	}
	return ""
}

// renderedHTML is HTML that came out of the content service's renderer.
type renderedHTML string

// names turn slugs into the names of columns and departments.
type names struct {
	columns map[string]string
	depts   map[string]string
}

// Column names a column by its slug.
func (n *names) Column(slug string) string { return labelOf(n.columns, slug) }

// Dept names a department by its slug.
func (n *names) Dept(slug string) string { return labelOf(n.depts, slug) }

func (c *Console) names(r *http.Request, u *user) (*names, error) {
	cols, err := c.columns(r, u)
	if err != nil {
		return nil, err
	}
	depts, err := c.svc.Structure.Departments(r.Context(), u.p)
	if err != nil {
		return nil, err
	}
	n := &names{columns: map[string]string{}, depts: map[string]string{}}
	for _, col := range cols {
		n.columns[col.Slug] = columnName(&col)
	}
	for _, d := range depts {
		n.depts[d.Slug] = d.Name
	}
	return n, nil
}

// columns lists every column (read once per request by the service).
func (c *Console) columns(r *http.Request, u *user) ([]cms.Column, error) {
	return c.svc.Structure.Columns(r.Context(), u.p)
}

// columnName names a column so that it stands alone: 办事指南 · 缴存类, since
// several columns share a title such as 缴存类.
func columnName(col *cms.Column) string {
	if ct := cms.LookupContentType(col.ContentType); ct != nil && ct.Label != col.Title {
		return ct.Label + " · " + col.Title
	}
	return col.Title
}

// eventsFirst orders events with the named ones first, in that order, so
// that the everyday action comes before the final one (归档).
func eventsFirst(evs []cms.Event, first ...string) []cms.Event {
	out := make([]cms.Event, 0, len(evs))
	for _, f := range first {
		for _, e := range evs {
			if string(e) == f {
				out = append(out, e)
			}
		}
	}
	for _, e := range evs {
		if !slices.Contains(first, string(e)) {
			out = append(out, e)
		}
	}
	return out
}

// tabsHere is the administration's tabs with the one shown.
type tabsHere struct {
	Tabs adminTabs
	Here string
}

// entryRow lets a partial show a queue entry with the page's names and time.
type entryRow struct {
	Entry cms.QueueEntry
	View  view
}

// featureRow is a feature request waiting on 工作台, with the page's view.
type featureRow struct {
	Request cms.FeatureRequest
	View    view
}
