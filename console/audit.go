package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tlhpf/cms/cms"
)

// 审计 (seed rule 第十一条, and the ministry's audit trail): auditors read the
// audit log, filtered and a page at a time, check the chain against the
// key and the anchors, and export the archive of a period.

// auditData is the audit log page.
type auditData struct {
	MayRead, MayExport bool
	Filter             auditFilterForm
	Actions            []auditAction // for the action filter
	Entries            []auditRow
	Next               string
	Problems           problems
}

// auditFilterForm is the filter as the form shows it: dates in Beijing time.
type auditFilterForm struct {
	Actor, Action, Subject, From, To, Cursor string
}

// query is the filter's address, for the next page.
func (f auditFilterForm) query(cursor string) string {
	v := url.Values{}
	for k, s := range map[string]string{"actor": f.Actor, "action": f.Action, "subject": f.Subject, "from": f.From, "to": f.To,
		"cursor": cursor} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v.Encode()
}

type auditAction struct{ Code, Label string }

// auditRow is one entry in words.
type auditRow struct {
	cms.AuditEntry
	Actor       string
	ActionLabel string
	Link        string // the page of its subject, when the console has one
	Details     []pair
}

// auditPage is how many entries the log shows at a time.
const auditPage = 50

// handleAudit shows the audit log to those who may read it (those who may
// only export, 信息科, find the archive under 归档 in the menu).
func (c *Console) handleAudit(w http.ResponseWriter, r *http.Request, u *user) error {
	ab, err := c.abilities(r, u)
	if err != nil {
		return err
	}
	d := auditData{MayRead: ab.Can(cms.ActAuditRead), MayExport: ab.Can(cms.ActArchiveExport), Actions: auditActionList()}
	if !d.MayRead {
		return cms.Errorf(cms.EFORBIDDEN, "may not read the audit log")
	}
	q := r.URL.Query()
	d.Filter = auditFilterForm{Actor: q.Get("actor"), Action: q.Get("action"), Subject: q.Get("subject"), From: q.Get("from"),
		To: q.Get("to"), Cursor: q.Get("cursor")}
	aq := cms.AuditQuery{Actor: d.Filter.Actor, Action: d.Filter.Action, Subject: d.Filter.Subject}
	d.Problems = problems{}
	if aq.From, err = dateBound(d.Filter.From, 0); err != nil {
		d.Problems["from"] = "请按 2026-01-31 的格式填写日期"
	}
	if aq.To, err = dateBound(d.Filter.To, 1); err != nil {
		d.Problems["to"] = "请按 2026-01-31 的格式填写日期"
	}
	if len(d.Problems) > 0 {
		return c.page(w, r, u, http.StatusUnprocessableEntity, "audit", view{Title: "审计日志", Active: "audit", Data: d})
	}
	es, next, users, err := c.svc.Audit.Entries(r.Context(), u.p, aq, d.Filter.Cursor, auditPage)
	if cms.ErrorCode(err) == cms.EINVALID {
		d.Problems = problemsOf(err)
		if d.Problems["to"] != "" {
			d.Problems["to"] = "结束日期不能早于开始日期"
		}
		return c.page(w, r, u, http.StatusUnprocessableEntity, "audit", view{Title: "审计日志", Active: "audit", Data: d})
	}
	if err != nil {
		return err
	}
	if next != "" {
		d.Next = "/console/audit?" + d.Filter.query(next)
	}
	for _, e := range es {
		d.Entries = append(d.Entries, auditRow{AuditEntry: e, Actor: auditActor(users[e.ActorID], e.ActorID),
			ActionLabel: labelOf(auditActionLabels, e.Action), Link: subjectLink(e.Subject), Details: details(e.Detail)})
	}
	return c.page(w, r, u, http.StatusOK, "audit", view{Title: "审计日志", Active: "audit", Data: d})
}

// dateBound reads a date (YYYY-MM-DD, Beijing time) as the start of that
// day plus days; "" is no bound.
func dateBound(s string, days int) (time.Time, error) {
	if s = strings.TrimSpace(s); s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, cms.China)
	if err != nil {
		return time.Time{}, err
	}
	return t.AddDate(0, 0, days), nil
}

// auditActor names who made an entry.
func auditActor(u *cms.User, id int64) string {
	if u != nil {
		return actorName(u, id) + "（" + u.Username + "）"
	}
	if id == 0 {
		return "系统"
	}
	return "用户 #" + strconv.FormatInt(id, 10)
}

// subjectLink is the console page of an entry's subject, if it has one.
func subjectLink(subject string) string {
	if id, ok := strings.CutPrefix(subject, "revision:"); ok {
		if _, err := strconv.ParseInt(id, 10, 64); err == nil {
			return "/console/revisions/" + id
		}
	}
	return ""
}

// details lists an entry's detail as label and value, keys sorted.
func details(detail string) []pair {
	var m map[string]any
	if json.Unmarshal([]byte(detail), &m) != nil {
		return []pair{{Label: "detail", Value: detail}}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]pair, 0, len(keys))
	for _, k := range keys {
		out = append(out, pair{Label: k, Value: display("", m[k])})
	}
	return out
}

// auditActionList lists the actions for the filter, in catalogue order.
func auditActionList() []auditAction {
	out := make([]auditAction, 0, len(auditActionOrder))
	for _, a := range auditActionOrder {
		out = append(out, auditAction{Code: a, Label: auditActionLabels[a]})
	}
	return out
}

// verifyData is the chain's verification.
type verifyData struct {
	Report *cms.AuditReport
	Last   *cms.AuditAnchor
}

// handleAuditVerify checks the whole chain now and says what it found.
func (c *Console) handleAuditVerify(w http.ResponseWriter, r *http.Request, u *user) error {
	rep, err := c.svc.Audit.Verify(r.Context(), u.p)
	if err != nil {
		return err
	}
	return c.page(w, r, u, http.StatusOK, "verify", view{Title: "审计链校验", Active: "audit",
		Data: verifyData{Report: rep, Last: rep.LastAnchor}})
}
