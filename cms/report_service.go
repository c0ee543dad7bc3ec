package cms

import (
	"context"
	"slices"
	"time"
)

// Actions of the reports: the whole centre's (auditors, the publisher,
// leaders, the director) and one's own departments' (editors and heads
// of department).
const (
	ActReportRead     Action = "report.read"
	ActReportReadDept Action = "report.read_department"
)

// Report periods: at most MaxReportDays days, each list at most
// ReportTop rows long.
const (
	MaxReportDays = 400
	ReportTop     = 20
)

// DefaultStatsRetention is how long the usage counts are kept unless
// configured otherwise (CMS_STATS_RETENTION).
const DefaultStatsRetention = 400 * 24 * time.Hour

// ReportService counts usage, stores the counts and makes the reports.
type ReportService struct {
	Store      UsageStore
	Structure  StructureStore
	Flow       *WorkflowService
	Authorizer Authorizer
	Clock      Clock
	// Contacts name the departments' contacts in the workflow report (nil: none).
	Contacts ContactStore
	// Counter counts the content API's reads in memory; nil when
	// statistics are off.
	Counter *UsageCounter
	// Retention is how long counts are kept (0: DefaultStatsRetention).
	Retention time.Duration
}

// Flush adds what the counter has counted to the stored counts; what
// cannot be stored is kept for the next flush.
func (s *ReportService) Flush(ctx context.Context) (int, error) {
	b := s.Counter.Take()
	if b.Empty() {
		return 0, nil
	}
	if err := s.Store.AddUsage(ctx, b); err != nil {
		s.Counter.Restore(b)
		return 0, err
	}
	return len(b.Reads) + len(b.Searches), nil
}

// Purge deletes the counts older than the retention.
func (s *ReportService) Purge(ctx context.Context) (int64, error) {
	keep := s.Retention
	if keep <= 0 {
		keep = DefaultStatsRetention
	}
	return s.Store.PurgeUsage(ctx, DayOf(s.Clock.Now().Add(-keep)))
}

// scope decides what p may read: the whole centre (nil), some departments,
// or nothing (forbidden).
func (s *ReportService) scope(ctx context.Context, p *Principal) ([]string, error) {
	err := authorize(ctx, s.Authorizer, p, ActReportRead, Resource{})
	if ErrorCode(err) != EFORBIDDEN {
		return nil, err
	}
	depts, derr := s.Authorizer.Departments(ctx, p.User, ActReportReadDept)
	if derr != nil {
		return nil, derr
	}
	if len(depts) == 0 {
		return nil, err
	}
	return depts, nil
}

// period reads a report's days, from and to written 2006-01-02 (Beijing
// time, both included). Without them, the month so far.
func (s *ReportService) period(from, to string) (Period, error) {
	today := DayOf(s.Clock.Now())
	p := Period{From: today, To: today, At: s.Clock.Now()}
	var fe FieldErrors
	if to != "" {
		d, err := ParseDay(to)
		if err != nil {
			fe.Add("to", "must be a date such as 2026-03-31")
		}
		p.To = d
	}
	if from != "" {
		d, err := ParseDay(from)
		if err != nil {
			fe.Add("from", "must be a date such as 2026-03-01")
		}
		p.From = d
	} else {
		t := p.To.Start().In(China)
		p.From = DayOf(time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, China))
	}
	if fe == nil && p.From > p.To {
		fe.Add("from", "must not be after to")
	}
	if fe == nil && p.To-p.From >= MaxReportDays {
		fe.Add("to", "a report covers at most %d days", MaxReportDays)
	}
	return p, fe.Err("invalid report period")
}

// Usage reports what the public read, downloaded and searched in a
// period: the whole centre's usage, or a department's items and columns.
func (s *ReportService) Usage(ctx context.Context, p *Principal, from, to string) (*UsageReport, error) {
	depts, err := s.scope(ctx, p)
	if err != nil {
		return nil, err
	}
	per, err := s.period(from, to)
	if err != nil {
		return nil, err
	}
	per.Departments = depts
	q := UsageQuery{From: per.From, To: per.To, Departments: depts, Limit: ReportTop}
	cols, err := s.Structure.Columns(ctx)
	if err != nil {
		return nil, err
	}
	titles := map[string]string{}
	for _, c := range cols {
		titles[c.Slug] = c.Title
		if depts != nil && slices.ContainsFunc(c.Owners, func(d string) bool { return slices.Contains(depts, d) }) {
			q.Columns = append(q.Columns, c.Slug)
		}
	}
	f, err := s.Store.UsageFigures(ctx, q)
	if err != nil {
		return nil, err
	}
	for i := range f.Columns {
		f.Columns[i].Title = titles[f.Columns[i].Column]
	}
	return &UsageReport{Period: per, UsageFigures: *f}, nil
}
