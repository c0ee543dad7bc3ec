package cms

import "time"

// Report figures: what the usage and workflow reports (运营分析) show.

// UsageQuery selects the counts a usage report sums: the days From to To
// (both included) and, for a department's view, its items and columns.
type UsageQuery struct {
	From, To Day
	// Departments limits the report to items of these departments and
	// listings of the Columns they own; nil means the whole centre, with
	// menus and searches, which belong to no department.
	Departments []string
	Columns     []string
	// Limit is the length of each top list.
	Limit int
}

// UsageFigures are a usage report's sums.
type UsageFigures struct {
	// Days has one entry for every day of the period, empty days too.
	Days        []DayUsage
	Items       []ItemUsage   // the most read items
	Columns     []ColumnUsage // every column read, most read first
	Clients     []ClientUsage // reads by kind of client
	Keys        []KeyUsage    // reads by client key
	Attachments []FileUsage   // the most downloaded files
	Searches    []TermUsage   // the most searched terms
	Misses      []TermUsage   // the terms most searched that found nothing
	Totals      UsageTotals
}

// UsageTotals sum the whole period.
type UsageTotals struct {
	Reads, ItemReads, ListReads, MenuReads, Downloads, Searches, Misses int64
}

// DayUsage is one day's reads (items, listings and menus) by kind of
// client, its downloads and its searches.
type DayUsage struct {
	Day                 Day
	App, WeChat, Other  int64
	Downloads, Searches int64
}

// Reads is the day's reads by every kind of client.
func (d DayUsage) Reads() int64 { return d.App + d.WeChat + d.Other }

// ItemUsage is the reads of one item's detail.
type ItemUsage struct {
	ItemID     int64
	Title      string
	Column     string
	Department string
	Reads      int64
}

// ColumnUsage is a column's reads: of its items' details and of its
// listing.
type ColumnUsage struct {
	Column    string
	Title     string
	ItemReads int64
	ListReads int64
}

// Reads is the column's reads of both kinds.
func (c ColumnUsage) Reads() int64 { return c.ItemReads + c.ListReads }

// ClientUsage is the reads of one kind of client.
type ClientUsage struct {
	Client ClientKind
	Reads  int64
}

// KeyUsage is the reads under one client key.
type KeyUsage struct {
	KeyID int64
	Name  string
	Reads int64
}

// FileUsage is the downloads of one published file.
type FileUsage struct {
	ItemID, AttachmentID int64
	Name, ItemTitle      string
	Downloads            int64
}

// TermUsage is the searches for one term.
type TermUsage struct {
	Term                      string
	Searches, Misses, Results int64
}

// StageTransition is a transition with what the workflow report needs of
// its item.
type StageTransition struct {
	Transition
	Department string
	Column     string
	Title      string
}

// ReviewStages are the stages the workflow report measures, in order.
var ReviewStages = []State{StateDeptReview, StateLeadershipSignoff, StateSecrecyReview}

// StageFigure is one department's figures at one stage for the revisions
// that entered it in the period.
type StageFigure struct {
	Department string
	Stage      State
	// Revisions counts the revisions that entered the stage, Entered their
	// entries (a rejected revision may enter again), Done those that left.
	Revisions, Entered, Done int
	// Median and P90 are the times in the stage of those that left
	// (nearest rank); zero when none did.
	Median, P90 time.Duration
	// Limit is the stage's time limit (0: none); Overdue counts entries
	// that stayed longer, or have stayed longer so far.
	Limit   time.Duration
	Overdue int
	// Rejections counts the entries that ended in a rejection.
	Rejections int
}

// Rejection is one rejection in the period, with its reason.
type Rejection struct {
	At         time.Time
	Department string
	Stage      State
	ItemID     int64
	RevisionID int64
	Title      string
	Comment    string
	Actor      string // the reviewer's name
}

// Waiting is a revision waiting in a review stage now, with who can act
// on it.
type Waiting struct {
	ItemID, RevisionID int64
	Title, Department  string
	Stage              State
	Since, DueAt       time.Time // DueAt is zero without a limit
	Overdue            bool
	Who                []string // the names of those who can act now
}

// WorkflowReport is the workflow statistics of a period.
type WorkflowReport struct {
	Period
	Stages     []StageFigure
	Rejections []Rejection
	Waiting    []Waiting
	// Contacts are the contacts (专人, 第六条) of the departments the
	// report covers, as designated at the end of the period (or when the
	// report was made, if that is earlier), a department without one
	// included.
	Contacts []DepartmentContacts
}

// DepartmentContacts are a department's contacts in a report.
type DepartmentContacts struct {
	Department string
	Contacts   []Contact
}

// UsageReport is the usage statistics of a period.
type UsageReport struct {
	Period
	UsageFigures
}

// Period is what a report covers: its days (Beijing time, both included)
// and, for a department's view, its departments (nil: the whole centre).
type Period struct {
	From, To    Day
	Departments []string
	At          time.Time // when the report was made
}
