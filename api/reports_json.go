package api

import (
	"time"

	"github.com/tlhpf/cms/cms"
)

type usageTotalsJSON struct {
	Reads              int64 `json:"reads"`
	ItemReads          int64 `json:"item_reads"`
	ListReads          int64 `json:"list_reads"`
	MenuReads          int64 `json:"menu_reads"`
	Downloads          int64 `json:"downloads"`
	Searches           int64 `json:"searches"`
	ZeroResultSearches int64 `json:"zero_result_searches"`
}

type dayUsageJSON struct {
	Day       string `json:"day"`
	Reads     int64  `json:"reads"`
	App       int64  `json:"app"`
	WeChat    int64  `json:"wechat"`
	Other     int64  `json:"other"`
	Downloads int64  `json:"downloads"`
	Searches  int64  `json:"searches"`
}

type itemUsageJSON struct {
	ItemID     int64  `json:"item_id"`
	Title      string `json:"title"`
	Column     string `json:"column"`
	Department string `json:"department"`
	Reads      int64  `json:"reads"`
}

type columnUsageJSON struct {
	Column    string `json:"column"`
	Title     string `json:"title"`
	ItemReads int64  `json:"item_reads"`
	ListReads int64  `json:"list_reads"`
	Reads     int64  `json:"reads"`
}

type clientUsageJSON struct {
	Client string `json:"client"`
	Reads  int64  `json:"reads"`
}

type keyUsageJSON struct {
	KeyID int64  `json:"key_id"`
	Name  string `json:"name"`
	Reads int64  `json:"reads"`
}

type fileUsageJSON struct {
	ItemID       int64  `json:"item_id"`
	AttachmentID int64  `json:"attachment_id"`
	Name         string `json:"name"`
	ItemTitle    string `json:"item_title"`
	Downloads    int64  `json:"downloads"`
}

type termUsageJSON struct {
	Term        string `json:"term"`
	Searches    int64  `json:"searches"`
	ZeroResults int64  `json:"zero_results"`
	Results     int64  `json:"results"`
}

type usageJSON struct {
	periodJSON
	Totals      usageTotalsJSON   `json:"totals"`
	Days        []dayUsageJSON    `json:"days"`
	Items       []itemUsageJSON   `json:"items"`
	Columns     []columnUsageJSON `json:"columns"`
	Clients     []clientUsageJSON `json:"clients"`
	ClientKeys  []keyUsageJSON    `json:"client_keys"`
	Attachments []fileUsageJSON   `json:"attachments"`
	Searches    []termUsageJSON   `json:"searches"`
	ZeroResults []termUsageJSON   `json:"zero_result_searches"`
}

func toUsageJSON(r *cms.UsageReport) usageJSON {
	t := r.Totals
	out := usageJSON{periodJSON: toPeriodJSON(r.Period),
		Totals: usageTotalsJSON{Reads: t.Reads, ItemReads: t.ItemReads, ListReads: t.ListReads, MenuReads: t.MenuReads,
			Downloads: t.Downloads, Searches: t.Searches, ZeroResultSearches: t.Misses},
		Days: []dayUsageJSON{}, Items: []itemUsageJSON{}, Columns: []columnUsageJSON{}, Clients: []clientUsageJSON{},
		ClientKeys: []keyUsageJSON{}, Attachments: []fileUsageJSON{}, Searches: terms(r.Searches), ZeroResults: terms(r.Misses)}
	for _, d := range r.Days {
		out.Days = append(out.Days, dayUsageJSON{Day: d.Day.String(), Reads: d.Reads(), App: d.App, WeChat: d.WeChat, Other: d.Other,
			Downloads: d.Downloads, Searches: d.Searches})
	}
	for _, i := range r.Items {
		out.Items = append(out.Items, itemUsageJSON{ItemID: i.ItemID, Title: i.Title, Column: i.Column, Department: i.Department, Reads: i.Reads})
	}
	for _, c := range r.Columns {
		out.Columns = append(out.Columns, columnUsageJSON{Column: c.Column, Title: c.Title, ItemReads: c.ItemReads, ListReads: c.ListReads, Reads: c.Reads()})
	}
	for _, c := range r.Clients {
		out.Clients = append(out.Clients, clientUsageJSON{Client: c.Client.String(), Reads: c.Reads})
	}
	for _, k := range r.Keys {
		out.ClientKeys = append(out.ClientKeys, keyUsageJSON{KeyID: k.KeyID, Name: k.Name, Reads: k.Reads})
	}
	for _, f := range r.Attachments {
		out.Attachments = append(out.Attachments, fileUsageJSON{ItemID: f.ItemID, AttachmentID: f.AttachmentID, Name: f.Name,
			ItemTitle: f.ItemTitle, Downloads: f.Downloads})
	}
	return out
}

func terms(ts []cms.TermUsage) []termUsageJSON {
	out := make([]termUsageJSON, len(ts))
	for i, t := range ts {
		out[i] = termUsageJSON{Term: t.Term, Searches: t.Searches, ZeroResults: t.Misses, Results: t.Results}
	}
	return out
}

type stageFigureJSON struct {
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

type rejectionJSON struct {
	At         time.Time `json:"at"`
	Department string    `json:"department"`
	Stage      string    `json:"stage"`
	ItemID     int64     `json:"item_id"`
	RevisionID int64     `json:"revision_id"`
	Title      string    `json:"title"`
	Comment    string    `json:"comment"`
	Reviewer   string    `json:"reviewer"`
}

type waitingJSON struct {
	ItemID     int64      `json:"item_id"`
	RevisionID int64      `json:"revision_id"`
	Title      string     `json:"title"`
	Department string     `json:"department"`
	Stage      string     `json:"stage"`
	Since      time.Time  `json:"since"`
	DueAt      *time.Time `json:"due_at"`
	Overdue    bool       `json:"overdue"`
	Who        []string   `json:"who"`
}

type workflowJSON struct {
	periodJSON
	Stages     []stageFigureJSON `json:"stages"`
	Rejections []rejectionJSON   `json:"rejections"`
	Waiting    []waitingJSON     `json:"waiting"`
	// Contacts are the departments' contacts (专人, 第六条).
	Contacts []departmentContactsJSON `json:"contacts"`
}

func toWorkflowJSON(r *cms.WorkflowReport, depts []cms.Department) workflowJSON {
	out := workflowJSON{periodJSON: toPeriodJSON(r.Period), Stages: []stageFigureJSON{}, Rejections: []rejectionJSON{}, Waiting: []waitingJSON{},
		Contacts: []departmentContactsJSON{}}
	for _, d := range r.Contacts {
		out.Contacts = append(out.Contacts, departmentContactsJSON{Department: d.Department, Contacts: contactsJSON(d.Contacts, depts)})
	}
	for _, f := range r.Stages {
		out.Stages = append(out.Stages, stageFigureJSON{Department: f.Department, Stage: string(f.Stage), Revisions: f.Revisions,
			Entered: f.Entered, Done: f.Done, MedianSeconds: int64(f.Median / time.Second), P90Seconds: int64(f.P90 / time.Second),
			LimitSeconds: int64(f.Limit / time.Second), Overdue: f.Overdue, Rejections: f.Rejections})
	}
	for _, j := range r.Rejections {
		out.Rejections = append(out.Rejections, rejectionJSON{At: j.At, Department: j.Department, Stage: string(j.Stage), ItemID: j.ItemID,
			RevisionID: j.RevisionID, Title: j.Title, Comment: j.Comment, Reviewer: j.Actor})
	}
	for _, w := range r.Waiting {
		out.Waiting = append(out.Waiting, waitingJSON{ItemID: w.ItemID, RevisionID: w.RevisionID, Title: w.Title, Department: w.Department,
			Stage: string(w.Stage), Since: w.Since, DueAt: timePtr(w.DueAt), Overdue: w.Overdue, Who: w.Who})
	}
	return out
}
