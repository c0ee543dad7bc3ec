package console

import (
	"net/http"

	"github.com/tlhpf/cms/cms"
)

// 巡查 (seed rules 第六条 日常巡查, 第十八条, 第二十条): the integrity patrol's
// runs with what each checked and found, the content it took offline and
// why, and, for secrecy reviewers and auditors, the findings a re-scan of
// released content reported.

// patrolData is the patrol page.
type patrolData struct {
	MayPatrol   bool // the user may run the patrol and read its reports
	MayFindings bool // the user reads the findings of released content
	Reports     []cms.PatrolReport
	Incidents   []incident
	Findings    []releasedRow
	AllFindings bool // all findings, not only those waiting for a reviewer
	Cursor      string
	Next        string
	Me          int64
}

// incident is content the patrol (or a read of the content API) found
// altered, with when and what was done.
type incident struct {
	cms.PatrolProblem
	At      string
	Trigger string
}

// releasedRow is a finding of released content in words.
type releasedRow struct {
	cms.ReleasedFinding
	KindLabel, FieldLabel string
}

// patrolKinds name what a patrol problem is about.
var patrolKinds = map[string]string{
	"content": "正文或字段被改动", "projection": "对外发布的数据被改动", "unprojected": "已发布内容在客户端缺失",
	"attachment": "附件被改动", "missing_attachment": "附件丢失", "unchecked_attachment": "附件未能核验（文件存储暂不可用）", "menu_entry": "菜单项被改动", "channel": "渠道设置或停服公告被改动",
	"column": "栏目设置被改动",
}

// patrolTriggers say what started a patrol.
var patrolTriggers = map[string]string{cms.TriggerSchedule: "定时巡查", cms.TriggerRequest: "人工巡查", cms.TriggerRead: "读取时发现"}

// patrolReports is how many recent patrols the page lists.
const patrolReports = 20

// handlePatrol shows the patrol page to those who may run the patrol or
// read the findings of released content.
func (c *Console) handlePatrol(w http.ResponseWriter, r *http.Request, u *user) error {
	ab, err := c.abilities(r, u)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := patrolData{MayPatrol: ab.Can(cms.ActPatrol), MayFindings: ab.Can(cms.ActFindingRead), Me: u.p.User.ID,
		AllFindings: q.Get("findings") == "all", Cursor: q.Get("cursor")}
	if !d.MayPatrol && !d.MayFindings {
		return cms.Errorf(cms.EFORBIDDEN, "may neither patrol nor read findings")
	}
	if d.MayPatrol {
		if d.Reports, err = c.svc.Patrol.Reports(r.Context(), u.p, patrolReports); err != nil {
			return err
		}
		for _, rep := range d.Reports {
			for _, p := range rep.Problems {
				d.Incidents = append(d.Incidents, incident{PatrolProblem: p, At: when(rep.StartedAt),
					Trigger: labelOf(patrolTriggers, rep.Trigger)})
			}
		}
	}
	if d.MayFindings {
		fs, next, err := c.svc.Secrecy.ReleasedFindings(r.Context(), u.p, !d.AllFindings, d.Cursor, 20)
		if err != nil {
			return err
		}
		d.Next = next
		for _, f := range fs {
			ct := cms.LookupContentType(c.contentTypeOf(r, u, f.Column))
			d.Findings = append(d.Findings, releasedRow{ReleasedFinding: f, KindLabel: labelOf(findingKinds, f.Kind),
				FieldLabel: findingField(ct, f.Field)})
		}
	}
	return c.page(w, r, u, http.StatusOK, "patrol", view{Title: "巡查", Active: "patrol", Data: d})
}

// contentTypeOf names the content type of a column, "" if unknown.
func (c *Console) contentTypeOf(r *http.Request, u *user, column string) string {
	cols, err := c.columns(r, u)
	if err != nil {
		return ""
	}
	for _, col := range cols {
		if col.Slug == column {
			return col.ContentType
		}
	}
	return ""
}

// handlePatrolRun runs the patrol now for those the patrol service lets.
func (c *Console) handlePatrolRun(w http.ResponseWriter, r *http.Request, u *user) error {
	rep, err := c.svc.Patrol.Run(r.Context(), u.p)
	if err != nil {
		return err
	}
	flash := "patrol_clean"
	if len(rep.Problems) > 0 {
		flash = "patrol_found"
	}
	return c.redirect(w, r, "/console/patrol", flash)
}
