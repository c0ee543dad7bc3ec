package cms

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
)

// The reports as tables, for CSV: one table at a time, a header row and
// one row per entry, the same from the API and the staff console.

// ReportTable is one table of a report.
type ReportTable struct {
	Header []string
	Rows   [][]string
}

// The tables of each report, the first the default.
var (
	UsageTables    = []string{"days", "items", "columns", "clients", "client_keys", "attachments", "searches", "zero_result_searches"}
	WorkflowTables = []string{"stages", "rejections", "waiting", "contacts"}
)

func i64(n int64) string { return strconv.FormatInt(n, 10) }

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Table returns the named table of the usage report.
func (r *UsageReport) Table(name string) (ReportTable, bool) {
	var t ReportTable
	switch name {
	case "days":
		t.Header = []string{"day", "reads", "app", "wechat", "other", "downloads", "searches"}
		for _, d := range r.Days {
			t.Rows = append(t.Rows, []string{d.Day.String(), i64(d.Reads()), i64(d.App), i64(d.WeChat), i64(d.Other), i64(d.Downloads), i64(d.Searches)})
		}
	case "items":
		t.Header = []string{"item_id", "title", "column", "department", "reads"}
		for _, i := range r.Items {
			t.Rows = append(t.Rows, []string{i64(i.ItemID), i.Title, i.Column, i.Department, i64(i.Reads)})
		}
	case "columns":
		t.Header = []string{"column", "title", "item_reads", "list_reads", "reads"}
		for _, c := range r.Columns {
			t.Rows = append(t.Rows, []string{c.Column, c.Title, i64(c.ItemReads), i64(c.ListReads), i64(c.Reads())})
		}
	case "clients":
		t.Header = []string{"client", "reads"}
		for _, c := range r.Clients {
			t.Rows = append(t.Rows, []string{c.Client.String(), i64(c.Reads)})
		}
	case "client_keys":
		t.Header = []string{"key_id", "name", "reads"}
		for _, k := range r.Keys {
			t.Rows = append(t.Rows, []string{i64(k.KeyID), k.Name, i64(k.Reads)})
		}
	case "attachments":
		t.Header = []string{"item_id", "attachment_id", "name", "item_title", "downloads"}
		for _, f := range r.Attachments {
			t.Rows = append(t.Rows, []string{i64(f.ItemID), i64(f.AttachmentID), f.Name, f.ItemTitle, i64(f.Downloads)})
		}
	case "searches", "zero_result_searches":
		terms := r.Searches
		if name == "zero_result_searches" {
			terms = r.Misses
		}
		t.Header = []string{"term", "searches", "zero_results", "results"}
		for _, x := range terms {
			t.Rows = append(t.Rows, []string{x.Term, i64(x.Searches), i64(x.Misses), i64(x.Results)})
		}
	default:
		return t, false
	}
	return t, true
}

// Table returns the named table of the workflow report.
func (r *WorkflowReport) Table(name string) (ReportTable, bool) {
	var t ReportTable
	itoa := strconv.Itoa
	switch name {
	case "stages":
		t.Header = []string{"department", "stage", "revisions", "entered", "done", "median_seconds", "p90_seconds",
			"limit_seconds", "overdue", "rejections"}
		for _, f := range r.Stages {
			t.Rows = append(t.Rows, []string{f.Department, string(f.Stage), itoa(f.Revisions), itoa(f.Entered), itoa(f.Done),
				i64(int64(f.Median / time.Second)), i64(int64(f.P90 / time.Second)), i64(int64(f.Limit / time.Second)),
				itoa(f.Overdue), itoa(f.Rejections)})
		}
	case "rejections":
		t.Header = []string{"at", "department", "stage", "item_id", "revision_id", "title", "comment", "reviewer"}
		for _, x := range r.Rejections {
			t.Rows = append(t.Rows, []string{stamp(x.At), x.Department, string(x.Stage), i64(x.ItemID), i64(x.RevisionID),
				x.Title, x.Comment, x.Actor})
		}
	case "waiting":
		t.Header = []string{"item_id", "revision_id", "title", "department", "stage", "since", "due_at", "overdue", "who"}
		for _, w := range r.Waiting {
			t.Rows = append(t.Rows, []string{i64(w.ItemID), i64(w.RevisionID), w.Title, w.Department, string(w.Stage),
				stamp(w.Since), stamp(w.DueAt), strconv.FormatBool(w.Overdue), strings.Join(w.Who, "、")})
		}
	case "contacts":
		// One row per contact; a department without one has a row of its own with the user empty.
		t.Header = []string{"department", "user_id", "username", "display_name", "since"}
		for _, d := range r.Contacts {
			if len(d.Contacts) == 0 {
				t.Rows = append(t.Rows, []string{d.Department, "", "", "", ""})
			}
			for _, c := range d.Contacts {
				t.Rows = append(t.Rows, []string{d.Department, i64(c.User.ID), c.User.Username, c.User.DisplayName, stamp(c.Since)})
			}
		}
	default:
		return t, false
	}
	return t, true
}

// WriteCSV writes a table as CSV: UTF-8 with a byte order mark, so that
// spreadsheet programs read the Chinese right, a header row, then the
// rows. A cell that starts with =, +, -, @, a tab or a carriage return
// gets a leading apostrophe, so that no spreadsheet takes what someone
// typed (a search term, a title) for a formula.
func WriteCSV(w io.Writer, t ReportTable) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Header); err != nil {
		return err
	}
	for _, row := range t.Rows {
		safe := make([]string, len(row))
		for i, cell := range row {
			safe[i] = inertCell(cell)
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func inertCell(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
