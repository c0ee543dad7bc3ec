package cms

import (
	"context"
	"slices"
	"time"
)

// RescanStates are the states of the revisions that a change of the
// sensitive words re-scans: in the secrecy review (scanned on entry with
// the old list), and released (scheduled, published, or suspended and
// restorable), none of which is scanned again on its way to readers.
var RescanStates = []State{StateSecrecyReview, StateScheduled, StatePublished, StateSuspended}

// ReleasedStates are the states of content that has passed the secrecy
// review, whose findings secrecy reviewers list across items.
var ReleasedStates = []State{StateScheduled, StatePublished, StateSuspended}

// RescanTarget is a revision to re-scan and the content type of its item,
// which says which fields are Markdown.
type RescanTarget struct {
	Revision    Revision
	ContentType string
}

// Rescan is what re-scanning content with a new sensitive-word list found.
// The store keeps, with the new list, the findings that a revision does not
// have yet, marked as found by a re-scan at At, unless the revision left
// RescanStates or changed meanwhile; nothing is suspended. Findings of
// released content are listed by SecrecyService.ReleasedFindings.
type Rescan struct {
	At        time.Time
	Revisions int // how many were scanned
	Found     []RevisionScan
	// Audit builds the audit entry of the re-scan from the findings stored.
	Audit func(added []FindingRecord) AuditEntry
}

// RevisionScan is what a scan found in a revision with this content hash.
type RevisionScan struct {
	RevisionID  int64
	ContentHash string
	Findings    []Finding
}

// rescanPage is how many revisions the re-scan reads at a time.
const rescanPage = 200

// rescan scans every revision in RescanStates with words, a page at a
// time, outside any transaction: only what it found is kept in memory.
func (s *SecrecyService) rescan(ctx context.Context, p *Principal, words []SensitiveWord, at time.Time) (*Rescan, error) {
	r := &Rescan{At: at}
	for after := int64(0); ; {
		page, err := s.Secrecy.RescanTargets(ctx, after, rescanPage)
		if err != nil {
			return nil, err
		}
		for i := range page {
			rev := &page[i].Revision
			r.Revisions++
			if fs := ScanRevision(rev, page[i].ContentType, words, s.Renderer); len(fs) > 0 {
				r.Found = append(r.Found, RevisionScan{RevisionID: rev.ID, ContentHash: rev.ContentHash, Findings: fs})
			}
		}
		if len(page) < rescanPage {
			break
		}
		after = page[len(page)-1].Revision.ID
	}
	r.Audit = func(added []FindingRecord) AuditEntry {
		var revs []int64
		blocking := 0
		for _, f := range added {
			if !slices.Contains(revs, f.RevisionID) {
				revs = append(revs, f.RevisionID)
			}
			if f.Severity == SeverityBlocking {
				blocking++
			}
		}
		slices.Sort(revs)
		return NewAuditEntry(at, p.User.ID, AuditSecrecyRescan, "sensitive_words", map[string]any{
			"revisions": r.Revisions, "new_findings": len(added), "new_blocking": blocking, "revision_ids": revs})
	}
	return r, nil
}

// ReleasedFinding is a finding of a released revision, with where it is.
type ReleasedFinding struct {
	FindingRecord
	ItemID     int64
	Column     string
	Department string
	State      State
	Title      string // the revision's
}

// ReleasedFindingFilter selects findings of revisions in States owned by
// Departments; Pending keeps those FindingRecord.Pending reports.
type ReleasedFindingFilter struct {
	States      []State
	Departments []string
	Pending     bool
	Before      int64 // keyset: findings with smaller ids
	Limit       int
}

// ReleasedFindings lists, newest first, the findings of content that has
// passed the secrecy review (ReleasedStates), for those who read findings
// across items (secrecy reviewers, auditors). With pending, only those a
// secrecy reviewer has yet to acknowledge.
func (s *SecrecyService) ReleasedFindings(ctx context.Context, p *Principal, pending bool, cursor string, limit int) ([]ReleasedFinding, string, error) {
	if err := authorize(ctx, s.Authorizer, p, ActFindingRead, Resource{}); err != nil {
		return nil, "", err
	}
	before, err := DecodeCursor("cursor", cursor)
	if err != nil {
		return nil, "", err
	}
	if limit == 0 {
		limit = ListDefault
	}
	if limit < 1 || limit > ListMaxLimit {
		return nil, "", Invalid("invalid limit", FieldError{Field: "limit", Message: "must be between 1 and 100"})
	}
	depts, err := s.Authorizer.Departments(ctx, p.User, ActFindingRead)
	if err != nil {
		return nil, "", err
	}
	fs, err := s.Secrecy.ReleasedFindings(ctx, ReleasedFindingFilter{States: ReleasedStates, Departments: depts,
		Pending: pending, Before: before, Limit: limit + 1})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(fs) > limit {
		fs = fs[:limit]
		next = EncodeCursor(fs[limit-1].ID)
	}
	return fs, next, nil
}
