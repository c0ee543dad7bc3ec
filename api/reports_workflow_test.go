package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tlhpf/cms/app"
)

type stageRow struct {
	Department    string `json:"department"`
	Stage         string `json:"stage"`
	Revisions     int    `json:"revisions"`
	Entered       int    `json:"entered"`
	Done          int    `json:"done"`
	MedianSeconds int64  `json:"median_seconds"`
	P90Seconds    int64  `json:"p90_seconds"`
	LimitSeconds  int64  `json:"limit_seconds"`
	Overdue       int    `json:"overdue"`
	Rejections    int    `json:"rejections"`
}

type workflowReport struct {
	Departments []string   `json:"departments"`
	Stages      []stageRow `json:"stages"`
	Rejections  []struct {
		Department string `json:"department"`
		Stage      string `json:"stage"`
		Title      string `json:"title"`
		Comment    string `json:"comment"`
		Reviewer   string `json:"reviewer"`
	} `json:"rejections"`
	Waiting []struct {
		Title   string     `json:"title"`
		Stage   string     `json:"stage"`
		DueAt   *time.Time `json:"due_at"`
		Overdue bool       `json:"overdue"`
		Who     []string   `json:"who"`
	} `json:"waiting"`
}

// TestWorkflowReportMatchesHandComputedFigures walks three revisions of
// 归集科 through the chain at known times and compares the report with
// figures computed by hand (limits: 48h, 72h, 24h; T is 2026-03-02 08:00
// Beijing time; the report is made at T+100h):
//
//	A: submit T, approve T+2h, sign T+32h, sign T+80h, clear T+81h
//	B: submit T+1h, reject T+51h ("缺少政策依据"), submit T+52h, approve T+56h
//	C: submit T+3h
//
// dept_review: A 2h, B 50h (over 48h, rejected), B 4h, C open 97h (over):
// 3 revisions, 4 entries, 3 done, median 4h, p90 50h, 2 overdue, 1 rejection.
// leadership_signoff: A 78h (over 72h), B open 44h: 2, 2, 1, 78h, 78h, 1.
// secrecy_review: A 1h: 1, 1, 1, 1h, 1h, 0.
func TestWorkflowReportMatchesHandComputedFigures(t *testing.T) {
	t.Parallel()
	// Tokens must outlive the hundred hours the test walks through.
	e := newEnvWith(t, func(cfg *app.Config) { cfg.Auth.SessionTTL = 30 * 24 * time.Hour })
	c := newChain(t, e)
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})
	T := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // 08:00 in Beijing
	create := func(title string) int64 {
		var it createdItem
		e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": title, "body": "正文"}).decode(t, &it)
		return it.Revision.ID
	}
	e.clock.Set(T.Add(-time.Hour))
	a, b, cc := create("甲"), create("乙"), create("丙")
	steps := []struct {
		at     time.Duration
		token  string
		rev    int64
		event  string
		reason string
	}{
		{0, c.editor, a, "submit", ""}, {time.Hour, c.editor, b, "submit", ""}, {2 * time.Hour, c.head, a, "approve", ""},
		{3 * time.Hour, c.editor, cc, "submit", ""}, {32 * time.Hour, c.leader, a, "sign", ""},
		{51 * time.Hour, c.head, b, "reject", "缺少政策依据"}, {52 * time.Hour, c.editor, b, "submit", ""},
		{56 * time.Hour, c.head, b, "approve", ""}, {80 * time.Hour, c.director, a, "sign", ""},
		{81 * time.Hour, c.secrecy, a, "clear", ""},
	}
	for _, s := range steps {
		e.clock.Set(T.Add(s.at))
		e.fire(t, http.StatusOK, s.token, s.rev, s.event, s.reason)
	}
	e.clock.Set(T.Add(100 * time.Hour))
	var rep workflowReport
	e.must(t, http.StatusOK, "GET", "/api/v1/reports/workflow?from=2026-03-02&to=2026-03-06", auditor, nil).decode(t, &rep)
	h := int64(3600)
	want := []stageRow{
		{"collection", "dept_review", 3, 4, 3, 4 * h, 50 * h, 48 * h, 2, 1},
		{"collection", "leadership_signoff", 2, 2, 1, 78 * h, 78 * h, 72 * h, 1, 0},
		{"collection", "secrecy_review", 1, 1, 1, 1 * h, 1 * h, 24 * h, 0, 0},
	}
	if len(rep.Stages) != len(want) {
		t.Fatalf("stages: %+v", rep.Stages)
	}
	for i := range want {
		if rep.Stages[i] != want[i] {
			t.Errorf("stage %d:\n got %+v\nwant %+v", i, rep.Stages[i], want[i])
		}
	}
	if len(rep.Rejections) != 1 || rep.Rejections[0].Comment != "缺少政策依据" || rep.Rejections[0].Reviewer != "head" ||
		rep.Rejections[0].Stage != "dept_review" || rep.Rejections[0].Title != "乙" {
		t.Errorf("rejections: %+v", rep.Rejections)
	}
	// Waiting now, oldest in its stage first: C with the head, B with the leader.
	if len(rep.Waiting) != 2 || rep.Waiting[0].Title != "丙" || rep.Waiting[0].Stage != "dept_review" || !rep.Waiting[0].Overdue ||
		!equalStrings(rep.Waiting[0].Who, []string{"head"}) || rep.Waiting[1].Title != "乙" || rep.Waiting[1].Overdue ||
		!equalStrings(rep.Waiting[1].Who, []string{"leader"}) || !rep.Waiting[1].DueAt.Equal(T.Add(128*time.Hour)) {
		t.Errorf("waiting: %+v", rep.Waiting)
	}
	// A period before anything happened has no figures, but the same
	// revisions wait now.
	e.must(t, http.StatusOK, "GET", "/api/v1/reports/workflow?from=2026-02-01&to=2026-02-28", auditor, nil).decode(t, &rep)
	if len(rep.Stages) != 0 || len(rep.Rejections) != 0 || len(rep.Waiting) != 2 {
		t.Errorf("February: %+v", rep)
	}
	// An editor of another department sees none of it.
	_, fin := e.user(t, "fineditor", "finance", role{"editor", "finance"})
	rep = workflowReport{}
	e.must(t, http.StatusOK, "GET", "/api/v1/reports/workflow?from=2026-03-02&to=2026-03-06", fin, nil).decode(t, &rep)
	if len(rep.Stages) != 0 || len(rep.Rejections) != 0 || len(rep.Waiting) != 0 {
		t.Errorf("finance editor: %+v", rep)
	}
	// The department's own editor sees the same figures.
	rep = workflowReport{}
	e.must(t, http.StatusOK, "GET", "/api/v1/reports/workflow?from=2026-03-02&to=2026-03-06", c.editor, nil).decode(t, &rep)
	if len(rep.Stages) != 3 || rep.Stages[0] != want[0] || len(rep.Waiting) != 2 {
		t.Errorf("collection editor: %+v", rep)
	}
}
